// HttpServer: the daemon's HTTP/1.1 front, on Boost.Beast, shaped like Beast's advanced server.
//
// One session object per socket, each on its own strand. A session reads one request, hands it to
// the Handler, writes the response the handler sends (at once or later, from any thread) and only
// then reads the next request on the same connection (keep-alive; no pipelining in parallel).
// Routes never see an Asio type: they get an HttpRequest and a Responder, so a handler can be
// tested without a socket (Responder(sink) captures what it sends).
//
// Limits, each answered with the API's JSON error body (json_error below):
// - a declared Content-Length over max_body_bytes: 413 at once, without reading the body; a
//   chunked body that grows past it: 413 when it does. The connection is closed after a 413.
// - headers over header_limit_bytes: 431; a malformed request: 400; both close the connection.
// - a request (headers and body) must have arrived request_timeout after its first byte (for the
//   first request of a connection: after the connection was accepted); a client that sends too
//   slowly is closed then. Slow clients hold no thread: every wait is asynchronous.
// - between requests a keep-alive connection may stay silent for idle_timeout, then it is closed.
// - a response must be written within request_timeout (a client that does not read is closed).
// - with max_connections sessions open, a new connection is answered 503 with Retry-After and
//   closed (while max(max_connections, 64) such refusals are still in progress, a new connection
//   is closed without an answer).
// Socket errors are logged at debug level (spdlog) and end that session only.
//
// Shutdown (stop): stop accepting (new connections are refused), close idle keep-alive
// connections at once, let requests in flight be handled and their responses written (with
// `Connection: close`) until the deadline, then close whatever is left; stop returns when every
// session is gone and the I/O threads have ended.
//
// Thread-safety: start() and stop() are called from one controlling thread, never from a handler
// (stop waits for the handlers' sessions). The Handler runs on an I/O thread, on the session's
// strand, and must not block: it answers at once or keeps the Responder and answers later from
// any thread (e.g. after the journal commits). It is called concurrently for different
// connections. An exception out of it is logged and answered 500. Responder is safe to copy and
// use from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geo/error.h"

namespace outage {

// An IP endpoint as text: "127.0.0.1" / "::1" and a port.
struct Endpoint {
  std::string address;
  std::uint16_t port = 0;
  std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // an IP address or a host name to resolve
  std::uint16_t port = 8080;           // 0: an ephemeral port (see HttpServer::local_endpoint)
  int io_threads = 2;
  std::uint64_t max_body_bytes = 16u << 20;  // 16 MiB
  std::uint32_t header_limit_bytes = 16u << 10;  // request line and headers together
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t max_connections = 512;
  std::chrono::seconds retry_after{1};  // the Retry-After of the server's own 503
};

// One request, as the routes see it. Everything is decoded; nothing refers to the socket.
struct HttpRequest {
  std::string method;      // as sent: "GET", "POST", ...
  std::string path;        // the target's path, percent-decoded: "/v1/outages/42"
  std::string raw_target;  // the request target exactly as sent: "/v1/status?meter=M%201"
  // Query parameters in the order sent, percent-decoded, '+' read as a space.
  std::vector<std::pair<std::string, std::string>> query;
  std::string authorization;  // the Authorization header, "" when absent
  std::string content_type;   // the Content-Type header, "" when absent
  std::string body;
  Endpoint remote;

  // The value of the first query parameter called `name`, or nullptr.
  const std::string* param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";  // "" sends no Content-Type
  std::string body;
  // Extra headers, e.g. {"Retry-After", "2"}. Content-Length, Connection and Server are the
  // server's; a header whose name or value holds CR or LF is dropped.
  std::vector<std::pair<std::string, std::string>> headers;
};

// A JSON body: {"error": "<reason>", "code": "<ErrorCode name>"} with the given status. Every error
// response of the API has this shape (docs/api.md, "Errors").
HttpResponse json_error(int status, ErrorCode code, std::string_view reason);
// The same for a core Error, with the HTTP status its code maps to (geo/error.h).
HttpResponse error_response(const Error& error);

// The handle a handler answers through. Copies share one answer: the first send() is delivered,
// later ones are ignored (and logged at debug). send() may be called from any thread, at any time
// after the handler was called, even after the client went away or the server stopped (then the
// response is dropped). If every copy is destroyed without a send(), a 500 is sent instead so the
// connection is not left waiting.
class Responder {
 public:
  using Sink = std::function<void(HttpResponse&&)>;

  Responder() = default;  // answers nowhere
  // A responder whose one answer goes to `sink` (called on the thread that calls send()). The
  // server makes its own; tests of handlers make one that records the response.
  explicit Responder(Sink sink);

  void send(HttpResponse response) const;
  bool sent() const;  // whether an answer was sent through any copy

 private:
  struct State;
  std::shared_ptr<State> state_;
};

using Handler = std::function<void(HttpRequest&&, Responder)>;

// Counters for /metrics; each read is a snapshot.
struct HttpServerStats {
  std::uint64_t connections_accepted = 0;  // every connection accepted, the rejected ones too
  std::uint64_t connections_rejected = 0;  // answered 503 because max_connections were open
  std::uint64_t requests = 0;              // handed to the handler
  std::uint64_t requests_refused = 0;      // answered by the server itself (400, 413, 431)
  std::uint64_t timeouts = 0;              // closed for a slow request or response (not idle ones)
  std::size_t open_sessions = 0;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();  // stop(now) when still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Once per server. Fails with invalid_input for an
  // address that does not parse or resolve, unavailable when the port cannot be bound.
  Status start();

  // The address and port actually bound (the ephemeral port when options.port was 0). Valid
  // after a successful start().
  Endpoint local_endpoint() const;

  // Orderly shutdown (see the top of this file). Returns when every session is gone; a no-op
  // when not running. Never call it from a handler.
  void stop(std::chrono::steady_clock::time_point deadline);
  void stop(std::chrono::steady_clock::duration grace) { stop(std::chrono::steady_clock::now() + grace); }

  HttpServerStats stats() const;

  struct Impl;  // adapters/http_server.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
