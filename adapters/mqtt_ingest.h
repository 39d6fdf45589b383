// MqttIngest: events in over MQTT (docs/api.md, "Events in"), on libmosquitto (2.0).
// MqttPublisher: outbound messages (on-demand meter reads) over one MQTT connection.
//
// MqttIngest subscribes to the configured topic filters on `connections` client connections,
// each with its own thread. Each connection is a persistent session (MQTT 3.1.1, clean session
// off) under a stable client id "<client_id>-<n>", n = 1..connections, so QoS 1 messages
// published while the daemon is down are kept by the broker and delivered when it is back. With
// more than one connection every filter is subscribed as the shared subscription
// "$share/<client_id>/<filter>", so the broker hands each message to one connection of the group
// (mosquitto: round robin); with one connection the filter is subscribed as it is. On each
// connect the connection subscribes again (the broker may have lost its sessions) and
// unsubscribes the other form of each filter (plain or shared), left over from a run with a
// different number of connections.
//
// Acknowledgement after durability. For every message the handler gets the topic, the payload
// and an MqttAck; the PUBACK goes to the broker only after ack.done() was called, which the
// handler does once the message's events are durable in the journal (or were rejected: a
// rejected message is answered, it is not retried). libmosquitto 2.0 has no API for a manual
// acknowledgement; this is why waiting works (libmosquitto 2.0.11, lib/; checked against the
// installed binary, and by the tests):
// - handle_publish.c, handle__publish(): for a QoS 1 PUBLISH it calls send__puback(), then, under
//   callback_mutex with in_callback set, the on_message callback, on the thread that reads the
//   socket, and returns after the callback. (Newer sources call the callback first; either order
//   works here, since the PUBACK is only queued.)
// - send_mosq.c, send__puback() -> send__command_with_mid() -> packet_mosq.c, packet__queue():
//   the packet is appended to the client's outgoing queue and one byte is written to the
//   client's socket pair. packet__queue() writes the packet itself (packet__write()) only when
//   `in_callback == false && threaded == mosq_ts_none`. Every client here is marked threaded
//   (mosquitto_threaded_set, as mosquitto_loop_start does), so it never does.
// - The queue is written by packet__write(), from mosquitto_loop_write() (or mosquitto_loop()),
//   which the connection's own thread calls, the same thread that is inside on_message.
// So the PUBACK cannot reach the socket before on_message returns. on_message calls the handler
// and then blocks until done() (or a timeout); the PUBACK goes out after it returns (the
// connection's thread writes it before it reads the next packet).
// A message that must not be acknowledged (no done() within ack_timeout, every MqttAck copy
// dropped, the handler threw, or MqttIngest is stopping) is refused by shutting the connection's
// socket down from inside on_message: the queued PUBACK then fails to write, the connection is
// lost, and the broker delivers the message again (DUP) when the session resumes after the
// reconnect.
// Consequences, all at-least-once (the journal drops duplicates by source and event id):
// - a PUBACK still queued when a connection is lost or refused (socket buffer full, broker gone)
//   is lost, and its message comes again.
// - QoS 2 cannot be held this way (libmosquitto sends PUBREC before the callback, and after
//   PUBREC the broker no longer resends the PUBLISH), so a configured qos of 2 subscribes with
//   QoS 1 (logged). QoS 0 messages are handed over the same way, with nothing to acknowledge.
// - a connection handles one message at a time: its throughput is about one message per journal
//   commit. Throughput comes from several connections and from producers sending arrays.
// - while on_message waits, the connection sends no keep-alive: ack_timeout must stay below the
//   keep-alive interval (the broker drops a client silent for 1.5 x keepalive).
// Broker-side limits apply: a persistent session queues at most max_queued_messages (mosquitto
// default 1000) while the daemon is away; a shared-subscription member that does not come back
// (connections lowered) keeps what the broker gave it until persistent_client_expiration.
//
// Connection loss: each connection reconnects by itself with exponential backoff from
// reconnect_min to reconnect_max (reset after a successful CONNACK), whatever the error. The
// connections are driven by their own threads with poll() and libmosquitto's calls for an
// external loop (mosquitto_loop_read/_write/_misc), not by mosquitto_loop_start(): in 2.0.11 its
// mosquitto_loop_forever() ends the thread for good on some errors (protocol, invalid, ...), and
// mosquitto_loop() is select()-based and fails with MOSQ_ERR_INVAL on a socket numbered 1024 or
// above. Connects are blocking TCP connects (as libmosquitto's own reconnect), so a broker host
// that drops SYNs can delay stop() by the kernel's connect timeout. Logging goes to spdlog
// ("mqtt: ..."); stats() counts for /metrics.
//
// Thread-safety: start() and stop() are called from one controlling thread, never from the
// handler. The handler runs on the connections' threads, concurrently for different connections,
// one message at a time per connection; it must not block (it hands the payload on, e.g. to the
// decoder and the group committer, and keeps the MqttAck). MqttAck may be copied and called from
// any thread. stats() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "geo/error.h"

namespace outage {

struct MqttConfig;  // adapters/daemon_config.h

// The acknowledgement of one MQTT message. Copies share one acknowledgement: the first done()
// counts, later ones are ignored (logged at debug). done() may be called from any thread, at any
// time, also after the ingest stopped or gave up on the message (then it does nothing). If every
// copy is destroyed without done(), the message counts as not taken: it is not acknowledged and
// the broker delivers it again later (use this to refuse a message for now, e.g. under overload).
class MqttAck {
 public:
  MqttAck() = default;  // acknowledges nothing
  // A handle that calls on_done at the first done(), or on_dropped when the last copy goes away
  // without a done() (each on the thread that does it). The ingest makes its own; tests of
  // handlers make one that records the call.
  explicit MqttAck(std::function<void()> on_done, std::function<void()> on_dropped = {});

  void done() const;
  bool is_done() const;  // whether done() was called through any copy

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// topic: the message's topic (valid during the call); payload: its bytes, as sent.
using MqttHandler = std::function<void(std::string_view topic, std::string payload, MqttAck ack)>;

struct MqttIngestOptions {
  std::string host = "127.0.0.1";
  int port = 1883;                                      // 1..65535
  std::vector<std::string> topics = {"outage/events/#"};  // topic filters, at least one
  std::string client_id = "outage";                     // connections are "<client_id>-<n>"
  int qos = 1;                                          // 0..2; 2 is served as 1 (see above)
  int connections = 1;                                  // 1..64
  std::chrono::seconds keepalive{60};                   // 5..3600 s
  std::chrono::milliseconds ack_timeout{30'000};        // > 0 and < keepalive
  std::chrono::milliseconds reconnect_min{500};         // first retry delay, > 0
  std::chrono::milliseconds reconnect_max{30'000};      // backoff cap, >= reconnect_min
};
// The [mqtt] section's keys; the rest keeps its defaults.
MqttIngestOptions mqtt_ingest_options(const MqttConfig& config);

struct MqttConnectionStats {
  std::string client_id;
  bool connected = false;   // CONNACK received, not lost since
  bool subscribed = false;  // connected and every SUBSCRIBE answered (a refused filter is logged)
  std::uint64_t messages = 0;  // handed to the handler on this connection
};

// Counters for /metrics; each read is a snapshot.
struct MqttIngestStats {
  std::uint64_t messages = 0;      // handed to the handler
  std::uint64_t acknowledged = 0;  // done() in time: the PUBACK was queued
  // Not acknowledged, left for redelivery: no done() within ack_timeout, every MqttAck dropped,
  // the handler threw, or given up at stop().
  std::uint64_t unacknowledged = 0;
  std::uint64_t refused = 0;       // arrived while stopping: not handed over, left for redelivery
  std::uint64_t connects = 0;      // successful CONNACKs, every connection
  std::uint64_t reconnects = 0;    // successful CONNACKs after a connection's first
  std::uint64_t connection_losses = 0;  // connections lost (not closed by stop())
  std::size_t in_flight = 0;       // handed over, neither acknowledged nor given up yet
  std::vector<MqttConnectionStats> connections;
};

class MqttIngest {
 public:
  MqttIngest(MqttIngestOptions options, MqttHandler handler);
  ~MqttIngest();  // stop(now) when still running
  MqttIngest(const MqttIngest&) = delete;
  MqttIngest& operator=(const MqttIngest&) = delete;

  // Checks the options, creates the connections and starts their threads, which connect and
  // subscribe in the background (a broker that is down is retried; see stats()). Fails with
  // invalid_input naming the option ("mqtt.topics: ..."; all errors at once, one a line),
  // conflict when called a second time, internal when libmosquitto cannot create a client.
  Status start();

  // Orderly shutdown: stop taking messages (one arriving now is refused, unacknowledged), let the
  // handlers in flight finish until the deadline (their PUBACKs go out), give up on the rest
  // (unacknowledged: redelivered at the next start), then disconnect every connection and join
  // its thread. A no-op when not running. Never call it from the handler.
  void stop(std::chrono::steady_clock::time_point deadline);
  void stop(std::chrono::steady_clock::duration grace) { stop(std::chrono::steady_clock::now() + grace); }

  MqttIngestStats stats() const;

  struct Impl;  // adapters/mqtt_ingest.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

struct MqttPublisherOptions {
  std::string host = "127.0.0.1";
  int port = 1883;                                  // 1..65535
  std::string client_id = "outage-publisher";       // clean session: nothing is kept for it
  std::chrono::seconds keepalive{60};               // 5..3600 s
  std::size_t max_queued = 10'000;                  // messages waiting for the connection, >= 1
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30'000};
};
// host and port of the [mqtt] section, client id "<client_id>-publisher".
MqttPublisherOptions mqtt_publisher_options(const MqttConfig& config);

struct MqttPublisherStats {
  std::uint64_t published = 0;  // handed to libmosquitto while connected
  std::uint64_t dropped = 0;    // refused because the queue was full, or left at stop()
  std::size_t queued = 0;       // waiting for the connection
  std::uint64_t connects = 0;
  std::uint64_t reconnects = 0;
  bool connected = false;
};

// One connection; publish() queues the message (bounded) and the connection's thread hands it to
// libmosquitto while connected, in order, so messages published while the broker is away go out
// after the reconnect (within about 100 ms of publish() otherwise). Delivery is best effort
// across a loss of the connection: what libmosquitto had taken for QoS 1/2 is resent by it after
// the reconnect, QoS 0 is at most once.
// Thread-safety: publish() and stats() from any thread; start() and stop() from one controlling
// thread.
class MqttPublisher {
 public:
  explicit MqttPublisher(MqttPublisherOptions options);
  ~MqttPublisher();  // stop(now) when still running
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  // Starts the connection's thread, which connects in the background. Fails with invalid_input
  // naming the option, conflict when called a second time, internal when libmosquitto cannot
  // create a client.
  Status start();

  // Queues one message. Fails with invalid_input for a topic that is empty, holds a wildcard or
  // is not UTF-8, a qos outside 0..2 or a payload over 256 MiB; unavailable when not running
  // (not started, or stopping) or when max_queued messages are waiting.
  Status publish(std::string topic, std::string payload, int qos = 1);

  // Stops taking messages, hands the queued ones to the connection until the deadline (while
  // connected), drops the rest (logged, counted) and disconnects. A no-op when not running.
  void stop(std::chrono::steady_clock::time_point deadline);
  void stop(std::chrono::steady_clock::duration grace) { stop(std::chrono::steady_clock::now() + grace); }

  MqttPublisherStats stats() const;

  struct Impl;  // adapters/mqtt_ingest.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
