#include "adapters/mqtt_ingest.h"

#include <mosquitto.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <mutex>
#include <set>
#include <spdlog/spdlog.h>
#include <thread>

#include "adapters/daemon_config.h"

namespace outage {

using SteadyClock = std::chrono::steady_clock;

namespace {

// How long a connection's thread waits for its socket at most: bounds how late it notices a close
// request or a message queued by MqttPublisher::publish().
constexpr int kLoopTimeoutMs = 100;
// After DISCONNECT was queued, how long a connection's thread goes on writing before it closes
// the socket anyway.
constexpr auto kDisconnectGrace = std::chrono::seconds(2);
// The largest payload MQTT can carry.
constexpr std::size_t kMaxPayload = 268'435'455;

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::string describe(int rc) {
  if (rc == MOSQ_ERR_ERRNO) return std::strerror(errno);
  return mosquitto_strerror(rc);
}

// ---------------------------------------------------------------------------------------------
// Link: one libmosquitto client and the thread that drives it.
//
// The thread connects (blocking TCP connect, then CONNECT/CONNACK through the loop), drives the
// connection until it ends, waits the backoff delay and connects again, until close is requested;
// then it sends DISCONNECT (after whatever is queued) and ends. The client is marked threaded
// (mosquitto_threaded_set), so a packet queued by a callback is never written from inside it
// (packet__queue) but by this thread, from mosquitto_loop_write(). Every libmosquitto call on the
// client and every callback of the Listener happen on this thread.

struct LinkOptions {
  std::string host;
  int port = 1883;
  std::chrono::seconds keepalive{60};
  std::string client_id;
  bool clean_session = true;
  bool unlimited_inflight = false;  // no cap on outgoing QoS 1/2 messages in flight
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30'000};
};

class Link {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_connected(Link&) {}
    virtual void on_lost(Link&) {}
    virtual void on_message(Link&, const mosquitto_message&) {}
    virtual void on_subscribed(Link&, int /*mid*/, int /*count*/, const int* /*granted*/) {}
    virtual void on_tick(Link&) {}  // after each turn of the loop while a socket is open
  };

  Link(LinkOptions options, Listener& listener) : options_(std::move(options)), listener_(listener) {}
  ~Link() {
    request_close();
    join();
    if (mosq_ != nullptr) mosquitto_destroy(mosq_);
  }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Creates the client and starts the thread.
  Status open() {
    init_library();
    mosq_ = mosquitto_new(options_.client_id.c_str(), options_.clean_session, this);
    if (mosq_ == nullptr) {
      return internal_error(
          fmt::format("mqtt: cannot create the client '{}': {}", options_.client_id, std::strerror(errno)));
    }
    // MQTT 3.1.1: a persistent session lasts until the client comes back (v5 would need a session
    // expiry interval on every CONNECT), and mosquitto serves shared subscriptions to 3.1.1 clients.
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_threaded_set(mosq_, true);
    if (options_.unlimited_inflight) mosquitto_max_inflight_messages_set(mosq_, 0);
    mosquitto_connect_callback_set(mosq_, &Link::on_connect_cb);
    mosquitto_disconnect_callback_set(mosq_, &Link::on_disconnect_cb);
    mosquitto_message_callback_set(mosq_, &Link::on_message_cb);
    mosquitto_subscribe_callback_set(mosq_, &Link::on_subscribe_cb);
    mosquitto_log_callback_set(mosq_, &Link::on_log_cb);
    thread_ = std::thread([this] { run(); });
    return {};
  }

  // Asks the thread to disconnect and end. Any thread, callbacks included.
  void request_close() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
  }
  // Waits for the thread. Never from the link's own thread.
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  // Ends the connection without writing anything more (queued packets, a PUBACK among them, are
  // lost): the socket is shut down and the loop finds the connection gone. The link's thread only.
  void cut() {
    const int fd = mosquitto_socket(mosq_);
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }

  mosquitto* handle() const { return mosq_; }
  const std::string& client_id() const { return options_.client_id; }
  bool connected() const { return connected_.load(); }
  std::uint64_t connects() const { return connects_.load(); }
  std::uint64_t reconnects() const { return reconnects_.load(); }
  std::uint64_t losses() const { return losses_.load(); }

 private:
  bool closing() const {
    std::lock_guard lock(mu_);
    return closing_;
  }

  void run() {
    auto delay = options_.reconnect_min;
    bool address_set = false;  // mosquitto_connect() has taken host, port and keepalive
    int failures = 0;          // connect attempts failed in a row
    while (!closing()) {
      connack_seen_ = false;
      const int rc = address_set ? mosquitto_reconnect(mosq_)
                                 : mosquitto_connect(mosq_, options_.host.c_str(), options_.port,
                                                     static_cast<int>(options_.keepalive.count()));
      if (rc == MOSQ_ERR_SUCCESS) {
        address_set = true;
        drive();
        if (closing()) break;
        if (connack_seen_) {
          delay = options_.reconnect_min;
          failures = 0;
        }
      } else {
        if (failures++ == 0) {
          spdlog::warn("mqtt: {}: cannot connect to {}:{}: {}; retrying (up to every {} ms)", options_.client_id,
                       options_.host, options_.port, describe(rc), options_.reconnect_max.count());
        } else {
          spdlog::debug("mqtt: {}: connect attempt {} failed: {}", options_.client_id, failures, describe(rc));
        }
      }
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, delay, [this] { return closing_; })) break;
      delay = std::min(delay * 2, options_.reconnect_max);
    }
    connected_ = false;
  }

  // Runs the connection until it ends (or, once close was requested, until DISCONNECT is written
  // or the grace is over): poll() on the client's socket and libmosquitto's calls for an external
  // loop. Not mosquitto_loop(): it is select()-based and refuses a socket numbered 1024 or above
  // (MOSQ_ERR_INVAL), which a busy daemon may well hand out. Every libmosquitto call of this
  // client is made on this thread, so nothing queues a packet behind the poll's back; what the
  // callbacks queue (a PUBACK, a SUBSCRIBE) is written at once after mosquitto_loop_read().
  void drive() {
    bool disconnecting = false;
    SteadyClock::time_point give_up{};
    for (;;) {
      if (!disconnecting && closing()) {
        disconnecting = true;
        give_up = SteadyClock::now() + kDisconnectGrace;
        // Queued after every packet already queued (the last PUBACKs among them).
        if (mosquitto_disconnect(mosq_) != MOSQ_ERR_SUCCESS) return;
      }
      int rc = turn();
      if (rc != MOSQ_ERR_SUCCESS) {
        if (!disconnecting && !connack_seen_) {
          spdlog::debug("mqtt: {}: connection attempt ended: {}", options_.client_id, describe(rc));
        }
        return;
      }
      if (mosquitto_socket(mosq_) < 0) return;  // closed after DISCONNECT was written
      if (disconnecting && SteadyClock::now() >= give_up) return;
      listener_.on_tick(*this);
    }
  }

  // One turn: wait up to kLoopTimeoutMs for the socket, read one packet (the callbacks run here),
  // write what is queued, keep the connection alive. An error ends the connection (libmosquitto
  // has called on_disconnect and closed the socket, or mosquitto_reconnect will).
  int turn() {
    const int fd = mosquitto_socket(mosq_);
    if (fd < 0) return MOSQ_ERR_NO_CONN;
    pollfd p{};
    p.fd = fd;
    p.events = static_cast<short>(POLLIN | (mosquitto_want_write(mosq_) ? POLLOUT : 0));
    const int ready = ::poll(&p, 1, kLoopTimeoutMs);
    if (ready < 0 && errno != EINTR) return MOSQ_ERR_ERRNO;
    if (ready > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const int rc = mosquitto_loop_read(mosq_, 1);
      if (rc != MOSQ_ERR_SUCCESS) return rc;
      if (mosquitto_socket(mosq_) < 0) return MOSQ_ERR_SUCCESS;
    }
    if (mosquitto_want_write(mosq_)) {
      const int rc = mosquitto_loop_write(mosq_, 1);  // a full socket buffer leaves the rest queued
      if (rc != MOSQ_ERR_SUCCESS) return rc;
      if (mosquitto_socket(mosq_) < 0) return MOSQ_ERR_SUCCESS;
    }
    return mosquitto_loop_misc(mosq_);  // PINGREQ when due; a missing PINGRESP ends the connection
  }

  static void on_connect_cb(mosquitto*, void* self, int rc) {
    auto& link = *static_cast<Link*>(self);
    if (rc != 0) {
      spdlog::warn("mqtt: {}: the broker refused the connection: {}", link.options_.client_id,
                   mosquitto_connack_string(rc));
      return;
    }
    link.connack_seen_ = true;
    link.connected_ = true;
    if (link.connects_.fetch_add(1) == 0) {
      spdlog::info("mqtt: {}: connected to {}:{}", link.options_.client_id, link.options_.host, link.options_.port);
    } else {
      link.reconnects_.fetch_add(1);
      spdlog::info("mqtt: {}: reconnected to {}:{}", link.options_.client_id, link.options_.host, link.options_.port);
    }
    link.listener_.on_connected(link);
  }

  static void on_disconnect_cb(mosquitto*, void* self, int rc) {
    auto& link = *static_cast<Link*>(self);
    const bool was_connected = link.connected_.exchange(false);
    if (was_connected && !link.closing()) {
      link.losses_.fetch_add(1);
      spdlog::warn("mqtt: {}: connection lost: {}", link.options_.client_id,
                   rc == 0 ? std::string("closed") : describe(rc));
    }
    if (was_connected) link.listener_.on_lost(link);
  }

  static void on_message_cb(mosquitto*, void* self, const mosquitto_message* message) {
    auto& link = *static_cast<Link*>(self);
    if (message != nullptr) link.listener_.on_message(link, *message);
  }

  static void on_subscribe_cb(mosquitto*, void* self, int mid, int count, const int* granted) {
    auto& link = *static_cast<Link*>(self);
    link.listener_.on_subscribed(link, mid, count, granted);
  }

  static void on_log_cb(mosquitto*, void* self, int level, const char* text) {
    auto& link = *static_cast<Link*>(self);
    switch (level) {
      case MOSQ_LOG_ERR:
      case MOSQ_LOG_WARNING:
        spdlog::warn("mqtt: {}: libmosquitto: {}", link.options_.client_id, text);
        break;
      case MOSQ_LOG_NOTICE:
      case MOSQ_LOG_INFO:
        spdlog::debug("mqtt: {}: libmosquitto: {}", link.options_.client_id, text);
        break;
      default:
        spdlog::trace("mqtt: {}: libmosquitto: {}", link.options_.client_id, text);
        break;
    }
  }

  const LinkOptions options_;
  Listener& listener_;
  mosquitto* mosq_ = nullptr;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closing_ = false;                // guarded by mu_
  bool connack_seen_ = false;           // the link's thread only
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> connects_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::uint64_t> losses_{0};
};

// ---------------------------------------------------------------------------------------------
// Waiting for one message's acknowledgement.

enum class AckOutcome { pending, done, dropped, timed_out, cancelled };

std::string_view to_string(AckOutcome outcome) {
  switch (outcome) {
    case AckOutcome::pending: return "pending";
    case AckOutcome::done: return "done";
    case AckOutcome::dropped: return "every MqttAck was dropped without done()";
    case AckOutcome::timed_out: return "no done() within the ack timeout";
    case AckOutcome::cancelled: return "given up at stop";
  }
  return "?";
}

struct AckWaiter {
  std::mutex mu;
  std::condition_variable cv;
  AckOutcome outcome = AckOutcome::pending;

  void settle(AckOutcome value) {
    {
      std::lock_guard lock(mu);
      if (outcome != AckOutcome::pending) return;
      outcome = value;
    }
    cv.notify_all();
  }

  AckOutcome wait_until(SteadyClock::time_point deadline) {
    std::unique_lock lock(mu);
    cv.wait_until(lock, deadline, [this] { return outcome != AckOutcome::pending; });
    if (outcome == AckOutcome::pending) outcome = AckOutcome::timed_out;
    return outcome;
  }
};

bool bad_share_name(std::string_view id) { return id.find_first_of("/+#") != std::string_view::npos; }

void check_endpoint(const std::string& host, int port, std::chrono::seconds keepalive,
                    std::chrono::milliseconds reconnect_min, std::chrono::milliseconds reconnect_max,
                    std::vector<std::string>& errors) {
  if (host.empty()) errors.push_back("mqtt.host: must not be empty");
  if (port < 1 || port > 65535) errors.push_back(fmt::format("mqtt.port: expected 1..65535, got {}", port));
  if (keepalive.count() < 5 || keepalive.count() > 3600) {
    errors.push_back(fmt::format("mqtt.keepalive: expected 5..3600 s, got {}", keepalive.count()));
  }
  if (reconnect_min.count() <= 0) errors.push_back("mqtt.reconnect_min: must be positive");
  if (reconnect_max < reconnect_min) errors.push_back("mqtt.reconnect_max: must not be below reconnect_min");
}

Status join_errors(const std::vector<std::string>& errors) {
  if (errors.empty()) return {};
  std::string text;
  for (const auto& e : errors) {
    if (!text.empty()) text += '\n';
    text += e;
  }
  return invalid_input(std::move(text));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MqttAck

struct MqttAck::State {
  std::function<void()> on_done;
  std::function<void()> on_dropped;
  std::atomic<bool> settled{false};

  ~State() {
    if (settled.exchange(true) || !on_dropped) return;
    try {
      on_dropped();
    } catch (const std::exception& e) {
      spdlog::error("mqtt: dropping an acknowledgement failed: {}", e.what());
    } catch (...) {
      spdlog::error("mqtt: dropping an acknowledgement failed");
    }
  }
};

MqttAck::MqttAck(std::function<void()> on_done, std::function<void()> on_dropped) : state_(std::make_shared<State>()) {
  state_->on_done = std::move(on_done);
  state_->on_dropped = std::move(on_dropped);
}

void MqttAck::done() const {
  if (!state_) return;
  if (state_->settled.exchange(true)) {
    spdlog::debug("mqtt: a second done() for one message was ignored");
    return;
  }
  if (state_->on_done) state_->on_done();
}

bool MqttAck::is_done() const { return state_ && state_->settled.load(); }

// ---------------------------------------------------------------------------------------------
// MqttIngest

namespace {
struct IngestConnection;
}

struct MqttIngest::Impl {
  Impl(MqttIngestOptions o, MqttHandler h) : options(std::move(o)), handler(std::move(h)) {}

  MqttIngestOptions options;
  MqttHandler handler;
  int qos = 1;  // what is subscribed with

  mutable std::mutex mu;
  std::condition_variable cv;  // in_flight went down
  bool started = false;
  bool stopping = false;
  bool stopped = false;
  std::size_t in_flight = 0;
  std::vector<std::unique_ptr<IngestConnection>> connections;

  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> acknowledged{0};
  std::atomic<std::uint64_t> unacknowledged{0};
  std::atomic<std::uint64_t> refused{0};
};

namespace {

struct IngestConnection final : Link::Listener {
  IngestConnection(MqttIngest::Impl& owner, LinkOptions options) : impl(owner), link(std::move(options), *this) {}
  // The link's thread calls into this object: end it before the members go.
  ~IngestConnection() override {
    link.request_close();
    link.join();
  }

  MqttIngest::Impl& impl;
  Link link;
  std::shared_ptr<AckWaiter> current;  // the message being handled; guarded by impl.mu
  std::atomic<std::uint64_t> messages{0};
  std::atomic<bool> subscribed{false};
  std::set<int> pending_subscriptions;  // the link's thread only
  bool subscription_refused = false;    // the link's thread only

  void on_connected(Link& l) override {
    subscribed = false;
    pending_subscriptions.clear();
    subscription_refused = false;
    const bool shared = impl.options.connections > 1;
    for (const auto& filter : impl.options.topics) {
      const std::string shared_filter = "$share/" + impl.options.client_id + "/" + filter;
      const std::string& wanted = shared ? shared_filter : filter;
      const std::string& other = shared ? filter : shared_filter;
      // A left-over of a run with another number of connections; harmless when absent.
      mosquitto_unsubscribe(l.handle(), nullptr, other.c_str());
      int mid = 0;
      const int rc = mosquitto_subscribe(l.handle(), &mid, wanted.c_str(), impl.qos);
      if (rc != MOSQ_ERR_SUCCESS) {
        spdlog::error("mqtt: {}: cannot subscribe to '{}': {}", l.client_id(), wanted, describe(rc));
        subscription_refused = true;
        continue;
      }
      pending_subscriptions.insert(mid);
    }
  }

  void on_subscribed(Link& l, int mid, int count, const int* granted) override {
    if (pending_subscriptions.erase(mid) == 0) return;
    for (int i = 0; i < count; ++i) {
      if (granted[i] > 2) {
        spdlog::error("mqtt: {}: the broker refused a subscription (SUBACK 0x{:02x})", l.client_id(), granted[i]);
        subscription_refused = true;
      }
    }
    if (pending_subscriptions.empty() && !subscription_refused) {
      subscribed = true;
      spdlog::debug("mqtt: {}: subscribed to {} filter(s)", l.client_id(), impl.options.topics.size());
    }
  }

  void on_lost(Link&) override { subscribed = false; }

  void on_message(Link& l, const mosquitto_message& message) override {
    auto waiter = std::make_shared<AckWaiter>();
    {
      std::lock_guard lock(impl.mu);
      if (impl.stopping) {
        // Not taken: no PUBACK; the broker keeps it for the next start.
        impl.refused.fetch_add(1);
        l.request_close();
        l.cut();
        return;
      }
      ++impl.in_flight;
      current = waiter;
    }
    impl.messages.fetch_add(1);
    messages.fetch_add(1);

    const std::string_view topic = message.topic != nullptr ? message.topic : "";
    std::string payload;
    if (message.payload != nullptr && message.payloadlen > 0) {
      payload.assign(static_cast<const char*>(message.payload), static_cast<std::size_t>(message.payloadlen));
    }
    try {
      impl.handler(topic, std::move(payload), MqttAck([waiter] { waiter->settle(AckOutcome::done); },
                                                      [waiter] { waiter->settle(AckOutcome::dropped); }));
    } catch (const std::exception& e) {
      spdlog::error("mqtt: {}: the handler threw on a message on '{}': {}", l.client_id(), topic, e.what());
    } catch (...) {
      spdlog::error("mqtt: {}: the handler threw on a message on '{}'", l.client_id(), topic);
    }

    // Blocking here is what holds the PUBACK back (see the header).
    const AckOutcome outcome = waiter->wait_until(SteadyClock::now() + impl.options.ack_timeout);
    {
      std::lock_guard lock(impl.mu);
      current.reset();
      --impl.in_flight;
    }
    impl.cv.notify_all();
    if (outcome == AckOutcome::done) {
      impl.acknowledged.fetch_add(1);
      return;  // libmosquitto writes the queued PUBACK now
    }
    impl.unacknowledged.fetch_add(1);
    spdlog::warn("mqtt: {}: message {} on '{}' not acknowledged ({}); closing the connection so that the broker "
                 "delivers it again",
                 l.client_id(), message.mid, topic, to_string(outcome));
    l.cut();
  }
};

}  // namespace

MqttIngestOptions mqtt_ingest_options(const MqttConfig& config) {
  MqttIngestOptions options;
  options.host = config.host;
  options.port = config.port;
  options.topics = config.topics;
  options.client_id = config.client_id;
  options.qos = config.qos;
  options.connections = config.connections;
  return options;
}

MqttIngest::MqttIngest(MqttIngestOptions options, MqttHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

MqttIngest::~MqttIngest() {
  if (impl_) stop(SteadyClock::now());
}

Status MqttIngest::start() {
  const auto& o = impl_->options;
  std::vector<std::string> errors;
  check_endpoint(o.host, o.port, o.keepalive, o.reconnect_min, o.reconnect_max, errors);
  if (o.topics.empty()) errors.push_back("mqtt.topics: at least one topic filter is needed");
  for (const auto& filter : o.topics) {
    if (filter.empty() || mosquitto_sub_topic_check(filter.c_str()) != MOSQ_ERR_SUCCESS ||
        mosquitto_validate_utf8(filter.c_str(), static_cast<int>(filter.size())) != MOSQ_ERR_SUCCESS) {
      errors.push_back(fmt::format("mqtt.topics: '{}' is not a valid topic filter", filter));
    } else if (filter.rfind("$share/", 0) == 0) {
      errors.push_back(fmt::format("mqtt.topics: '{}': give the plain filter, the ingest shares it itself", filter));
    }
  }
  if (o.client_id.empty()) errors.push_back("mqtt.client_id: must not be empty");
  if (bad_share_name(o.client_id)) {
    errors.push_back(fmt::format("mqtt.client_id: '{}' must not contain '/', '+' or '#'", o.client_id));
  }
  if (o.qos < 0 || o.qos > 2) errors.push_back(fmt::format("mqtt.qos: expected 0..2, got {}", o.qos));
  if (o.connections < 1 || o.connections > 64) {
    errors.push_back(fmt::format("mqtt.connections: expected 1..64, got {}", o.connections));
  }
  if (o.ack_timeout.count() <= 0 || o.ack_timeout >= o.keepalive) {
    errors.push_back(fmt::format("mqtt.ack_timeout: expected more than 0 and less than the keep-alive ({} s), got {} ms",
                                 o.keepalive.count(), o.ack_timeout.count()));
  }
  if (auto status = join_errors(errors); !status) return status;

  std::lock_guard lock(impl_->mu);
  if (impl_->started) return Error{ErrorCode::conflict, "mqtt: the ingest was started already"};
  impl_->qos = std::min(o.qos, 1);
  if (o.qos == 2) {
    spdlog::warn("mqtt: qos 2 is subscribed as qos 1: libmosquitto confirms a QoS 2 message (PUBREC) before the "
                 "handler sees it, so only QoS 1 can wait for the journal");
  }
  for (int n = 1; n <= o.connections; ++n) {
    LinkOptions link;
    link.host = o.host;
    link.port = o.port;
    link.keepalive = o.keepalive;
    link.client_id = fmt::format("{}-{}", o.client_id, n);
    link.clean_session = false;
    link.reconnect_min = o.reconnect_min;
    link.reconnect_max = o.reconnect_max;
    impl_->connections.push_back(std::make_unique<IngestConnection>(*impl_, std::move(link)));
  }
  for (auto& connection : impl_->connections) {
    if (auto status = connection->link.open(); !status) {
      impl_->connections.clear();  // closes and joins the links opened so far
      return status;
    }
  }
  impl_->started = true;
  spdlog::info("mqtt: ingest from {}:{} on {} connection(s), topics {}", o.host, o.port, o.connections,
               fmt::join(o.topics, ", "));
  return {};
}

void MqttIngest::stop(SteadyClock::time_point deadline) {
  std::unique_lock lock(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopping = true;
  if (impl_->in_flight > 0) {
    spdlog::info("mqtt: stopping; waiting for {} message(s) in flight", impl_->in_flight);
  }
  impl_->cv.wait_until(lock, deadline, [this] { return impl_->in_flight == 0; });
  // From here on a connection that ends is closed, not lost: no reconnect, no loss counted.
  for (auto& connection : impl_->connections) connection->link.request_close();
  if (impl_->in_flight > 0) {
    spdlog::warn("mqtt: stopping; giving up on {} message(s) in flight (they will be delivered again)",
                 impl_->in_flight);
    for (auto& connection : impl_->connections) {
      if (connection->current) connection->current->settle(AckOutcome::cancelled);
    }
    impl_->cv.wait(lock, [this] { return impl_->in_flight == 0; });
  }
  lock.unlock();
  for (auto& connection : impl_->connections) connection->link.join();
  lock.lock();
  impl_->stopped = true;
  spdlog::info("mqtt: ingest stopped");
}

MqttIngestStats MqttIngest::stats() const {
  MqttIngestStats stats;
  stats.messages = impl_->messages.load();
  stats.acknowledged = impl_->acknowledged.load();
  stats.unacknowledged = impl_->unacknowledged.load();
  stats.refused = impl_->refused.load();
  std::lock_guard lock(impl_->mu);
  stats.in_flight = impl_->in_flight;
  for (const auto& connection : impl_->connections) {
    const Link& link = connection->link;
    stats.connects += link.connects();
    stats.reconnects += link.reconnects();
    stats.connection_losses += link.losses();
    MqttConnectionStats c;
    c.client_id = link.client_id();
    c.connected = link.connected();
    c.subscribed = c.connected && connection->subscribed.load();
    c.messages = connection->messages.load();
    stats.connections.push_back(std::move(c));
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------
// MqttPublisher

struct MqttPublisher::Impl final : Link::Listener {
  explicit Impl(MqttPublisherOptions o) : options(std::move(o)) {}
  // The link's thread calls into this object: end it before the members go.
  ~Impl() override {
    if (link) {
      link->request_close();
      link->join();
    }
  }

  struct Pending {
    std::string topic;
    std::string payload;
    int qos = 1;
  };

  MqttPublisherOptions options;
  std::unique_ptr<Link> link;

  mutable std::mutex mu;
  std::condition_variable cv;  // the queue went down
  std::deque<Pending> queue;
  bool started = false;
  bool stopping = false;
  bool stopped = false;
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> dropped{0};

  void on_connected(Link& l) override { drain(l); }
  void on_tick(Link& l) override { drain(l); }

  // Hands the queued messages to libmosquitto, in order, while connected. The link's thread.
  void drain(Link& l) {
    if (!l.connected()) return;
    std::deque<Pending> batch;
    {
      std::lock_guard lock(mu);
      if (queue.empty()) return;
      batch.swap(queue);
    }
    while (!batch.empty()) {
      const Pending& p = batch.front();
      const int rc = mosquitto_publish(l.handle(), nullptr, p.topic.c_str(), static_cast<int>(p.payload.size()),
                                       p.payload.data(), p.qos, false);
      if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST) break;  // kept for the next connection
      if (rc == MOSQ_ERR_SUCCESS) {
        published.fetch_add(1);
      } else {
        dropped.fetch_add(1);
        spdlog::error("mqtt: {}: publishing to '{}' failed: {}; message dropped", l.client_id(), p.topic,
                      describe(rc));
      }
      batch.pop_front();
    }
    {
      std::lock_guard lock(mu);
      if (!batch.empty()) {
        for (auto& p : queue) batch.push_back(std::move(p));
        queue.swap(batch);
      }
    }
    cv.notify_all();
  }
};

MqttPublisherOptions mqtt_publisher_options(const MqttConfig& config) {
  MqttPublisherOptions options;
  options.host = config.host;
  options.port = config.port;
  options.client_id = config.client_id + "-publisher";
  return options;
}

MqttPublisher::MqttPublisher(MqttPublisherOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

MqttPublisher::~MqttPublisher() {
  if (impl_) stop(SteadyClock::now());
}

Status MqttPublisher::start() {
  const auto& o = impl_->options;
  std::vector<std::string> errors;
  check_endpoint(o.host, o.port, o.keepalive, o.reconnect_min, o.reconnect_max, errors);
  if (o.client_id.empty()) errors.push_back("mqtt.client_id: must not be empty");
  if (o.max_queued < 1) errors.push_back("mqtt.max_queued: must be at least 1");
  if (auto status = join_errors(errors); !status) return status;

  std::lock_guard lock(impl_->mu);
  if (impl_->started) return Error{ErrorCode::conflict, "mqtt: the publisher was started already"};
  LinkOptions link;
  link.host = o.host;
  link.port = o.port;
  link.keepalive = o.keepalive;
  link.client_id = o.client_id;
  link.clean_session = true;
  link.unlimited_inflight = true;  // every message handed over is queued ahead of a later DISCONNECT
  link.reconnect_min = o.reconnect_min;
  link.reconnect_max = o.reconnect_max;
  auto created = std::make_unique<Link>(std::move(link), *impl_);
  if (auto status = created->open(); !status) return status;
  impl_->link = std::move(created);
  impl_->started = true;
  return {};
}

Status MqttPublisher::publish(std::string topic, std::string payload, int qos) {
  if (topic.empty() || mosquitto_pub_topic_check(topic.c_str()) != MOSQ_ERR_SUCCESS ||
      mosquitto_validate_utf8(topic.c_str(), static_cast<int>(topic.size())) != MOSQ_ERR_SUCCESS) {
    return invalid_input(fmt::format("mqtt: '{}' is not a topic to publish to", topic));
  }
  if (qos < 0 || qos > 2) return invalid_input(fmt::format("mqtt: qos: expected 0..2, got {}", qos));
  if (payload.size() > kMaxPayload) {
    return invalid_input(fmt::format("mqtt: a payload of {} bytes is over the MQTT limit", payload.size()));
  }
  std::lock_guard lock(impl_->mu);
  if (!impl_->started || impl_->stopping) return unavailable("mqtt: the publisher is not running");
  if (impl_->queue.size() >= impl_->options.max_queued) {
    impl_->dropped.fetch_add(1);
    return unavailable(fmt::format("mqtt: {} messages are waiting for the broker already", impl_->queue.size()));
  }
  impl_->queue.push_back({std::move(topic), std::move(payload), qos});
  return {};
}

void MqttPublisher::stop(SteadyClock::time_point deadline) {
  std::unique_lock lock(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopping = true;
  impl_->cv.wait_until(lock, deadline, [this] { return impl_->queue.empty(); });
  if (!impl_->queue.empty()) {
    spdlog::warn("mqtt: {}: stopping; dropping {} message(s) not handed to the broker", impl_->options.client_id,
                 impl_->queue.size());
    impl_->dropped.fetch_add(impl_->queue.size());
    impl_->queue.clear();
  }
  lock.unlock();
  impl_->link->request_close();
  impl_->link->join();
  lock.lock();
  impl_->stopped = true;
}

MqttPublisherStats MqttPublisher::stats() const {
  MqttPublisherStats stats;
  stats.published = impl_->published.load();
  stats.dropped = impl_->dropped.load();
  std::lock_guard lock(impl_->mu);
  stats.queued = impl_->queue.size();
  if (impl_->link) {
    stats.connects = impl_->link->connects();
    stats.reconnects = impl_->link->reconnects();
    stats.connected = impl_->link->connected();
  }
  return stats;
}

}  // namespace outage
