#include <utility>  // before Asio/Beast: Boost 1.74 misses it in C++20 mode

#include "adapters/http_server.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <condition_variable>
#include <fmt/format.h>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <spdlog/spdlog.h>
#include <thread>
#include <unordered_map>

namespace outage {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kServerName = "outage";
constexpr std::size_t kReadChunk = 4096;
// After a response that closes the connection, unread request bytes (an unread body) are drained
// for at most this long and this much, so that closing does not reset the connection before the
// client has read the response.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr std::size_t kLingerBytes = 1u << 20;

// Beast 1.74 speaks boost::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) { return beast::iequals(bsv(a), bsv(b)); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in` into `out`; '+' becomes a space when `plus_is_space`. False on a malformed
// escape or an encoded NUL.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

// Splits a request target into its decoded path and query. Returns the reason when malformed.
std::optional<std::string> split_target(std::string_view target, HttpRequest& request) {
  // absolute-form ("http://host/path"), which a client may send to any server
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
      std::size_t slash = target.find('/', scheme.size());
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
      break;
    }
  }
  if (target == "*") {
    request.path = "*";
    return std::nullopt;
  }
  if (target.empty() || target.front() != '/') return "the request target must start with '/'";
  std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (std::size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  if (!percent_decode(path, false, request.path)) return "malformed percent-escape in the path";
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    std::string name, value;
    if (!percent_decode(item.substr(0, eq), true, name) ||
        (eq != std::string_view::npos && !percent_decode(item.substr(eq + 1), true, value)))
      return fmt::format("malformed percent-escape in the query parameter '{}'", item.substr(0, eq));
    request.query.emplace_back(std::move(name), std::move(value));
  }
  return std::nullopt;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Headers the server writes itself; a handler's copies are dropped.
bool is_server_header(std::string_view name) {
  for (std::string_view own : {"content-length", "connection", "transfer-encoding", "server", "keep-alive"})
    if (iequals(name, own)) return true;
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Plain types

std::string Endpoint::to_string() const {
  if (address.find(':') != std::string::npos) return fmt::format("[{}]:{}", address, port);
  return fmt::format("{}:{}", address, port);
}

const std::string* HttpRequest::param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

HttpResponse json_error(int status, ErrorCode code, std::string_view reason) {
  nlohmann::ordered_json j;
  j["error"] = std::string(reason);
  j["code"] = std::string(to_string(code));
  HttpResponse r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse error_response(const Error& error) {
  return json_error(http_status(error.code), error.code, error.message);
}

// ---------------------------------------------------------------------------------------------
// Responder

struct Responder::State {
  explicit State(Sink s) : sink(std::move(s)) {}
  ~State() {
    if (sent.exchange(true) || !sink) return;
    spdlog::warn("http: a request was dropped without an answer; answering 500");
    try {
      sink(json_error(500, ErrorCode::internal, "the server dropped the request without answering"));
    } catch (const std::exception& e) {
      spdlog::error("http: answering a dropped request failed: {}", e.what());
    }
  }
  std::atomic<bool> sent{false};
  const Sink sink;
};

Responder::Responder(Sink sink) : state_(std::make_shared<State>(std::move(sink))) {}

void Responder::send(HttpResponse response) const {
  if (!state_) return;
  if (state_->sent.exchange(true)) {
    spdlog::debug("http: a second answer to one request was ignored");
    return;
  }
  if (state_->sink) state_->sink(std::move(response));
}

bool Responder::sent() const { return state_ && state_->sent.load(); }

// ---------------------------------------------------------------------------------------------
// The server's shared state. It outlives every session: stop() waits until all are gone.

class Session;

struct HttpServer::Impl {
  Impl(HttpServerOptions o, Handler h)
      : options(std::move(o)), handler(std::move(h)), acceptor(net::make_strand(ioc)), retry_timer(acceptor.get_executor()) {}

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void forget(const Session* session, bool serving_session);  // from ~Session, any thread
  std::vector<std::shared_ptr<Session>> snapshot();
  bool wait_sessions_gone(SteadyClock::time_point deadline);
  void run_io();

  const HttpServerOptions options;
  const Handler handler;

  // Declared before the io_context: handlers destroyed with it may still end sessions.
  std::mutex mu;
  std::condition_variable sessions_gone;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
  std::size_t serving = 0;  // sessions that are not 503 rejections
  bool stopping = false;

  std::atomic<std::uint64_t> accepted{0}, rejected{0}, requests{0}, refused{0}, timeouts{0};

  net::io_context ioc;
  tcp::acceptor acceptor;      // on its own strand
  net::steady_timer retry_timer;  // after an accept error such as EMFILE
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  Endpoint bound;
  bool started = false;
  bool running = false;
};

// ---------------------------------------------------------------------------------------------
// Session: one per connection, on its own strand. Reads a request, hands it to the handler,
// writes the answer, then reads the next one. Every on_x first checks that the session was not
// closed meanwhile (stop, a timeout).

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl& server, bool overload)
      : server_(server), stream_(std::move(socket)), executor_(stream_.get_executor()), overload_(overload) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = {ep.address().to_string(), ep.port()};
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() { server_.forget(this, !overload_); }

  void run() { net::dispatch(executor_, beast::bind_front_handler(&Session::on_run, shared_from_this())); }

  // From any thread: an idle connection closes now, a busy one after its response.
  void begin_stop() { net::post(executor_, beast::bind_front_handler(&Session::on_begin_stop, shared_from_this())); }

  // From any thread: closes now, whatever the session is doing.
  void force_close() { net::post(executor_, beast::bind_front_handler(&Session::close, shared_from_this())); }

  // From any thread (the Responder): the answer to request number `request_no`.
  void deliver(std::uint64_t request_no, HttpResponse&& response) {
    net::post(executor_, [self = shared_from_this(), request_no, r = std::move(response)]() mutable {
      self->on_response(request_no, std::move(r));
    });
  }

 private:
  enum class State { idle, reading, handling, writing, lingering, closed };

  const HttpServerOptions& opts() const { return server_.options; }

  void on_run() {
    if (overload_) return refuse_overloaded();
    do_wait_request();
  }

  // Waits for the first byte of the next request: the idle keep-alive wait (or, for the first
  // request, the start of the request timeout).
  void do_wait_request() {
    state_ = State::idle;
    if (stopping_) return close();
    if (buffer_.size() > 0) return start_request(SteadyClock::now());  // pipelined bytes are here
    if (first_request_)
      stream_.expires_at(accepted_at_ + opts().request_timeout);
    else
      stream_.expires_after(opts().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::on_wait_request, shared_from_this()));
  }

  void on_wait_request(beast::error_code ec, std::size_t n) {
    if (state_ == State::closed) return;
    if (ec) return fail(ec, first_request_ ? "waiting for a request" : "idle keep-alive");
    buffer_.commit(n);
    start_request(first_request_ ? accepted_at_ : SteadyClock::now());
  }

  void start_request(SteadyClock::time_point began) {
    state_ = State::reading;
    deadline_ = began + opts().request_timeout;
    parser_.emplace();
    parser_->header_limit(opts().header_limit_bytes);
    parser_->body_limit(opts().max_body_bytes);
    do_read_header();
  }

  void do_read_header() {
    stream_.expires_at(deadline_);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_read_header, shared_from_this()));
  }

  void on_read_header(beast::error_code ec, std::size_t) {
    if (state_ == State::closed) return;
    if (ec) return on_read_error(ec);
    auto& msg = parser_->get();
    if (beast::websocket::is_upgrade(msg)) return do_upgrade();
    if (parser_->is_done()) return handle_request();
    if (beast::iequals(msg[http::field::expect], "100-continue")) return do_continue();
    do_read_body();
  }

  // The client waits for "100 Continue" before it sends the body (curl does for large bodies).
  void do_continue() {
    continue_.emplace(http::status::continue_, parser_->get().version());
    stream_.expires_at(deadline_);
    http::async_write(stream_, *continue_, beast::bind_front_handler(&Session::on_continue, shared_from_this()));
  }

  void on_continue(beast::error_code ec, std::size_t) {
    if (state_ == State::closed) return;
    continue_.reset();
    if (ec) return fail(ec, "writing 100 Continue");
    do_read_body();
  }

  void do_read_body() {
    stream_.expires_at(deadline_);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read_body, shared_from_this()));
  }

  void on_read_body(beast::error_code ec, std::size_t) {
    if (state_ == State::closed) return;
    if (ec) return on_read_error(ec);
    handle_request();
  }

  void on_read_error(beast::error_code ec) {
    const auto& http_category = http::make_error_code(http::error::bad_method).category();
    if (ec == http::error::body_limit)
      return refuse(413, fmt::format("the request body is over the limit of {} bytes", opts().max_body_bytes));
    if (ec == http::error::header_limit)
      return refuse(431, fmt::format("the request headers are over the limit of {} bytes", opts().header_limit_bytes));
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec.category() != http_category)
      return fail(ec, "reading a request");
    refuse(400, fmt::format("malformed request: {}", ec.message()));
  }

  // Extension point: the WebSocket live feed (GET /v1/stream) lands here. The plan, as in Beast's
  // advanced server: after the route has authorized the request (its Authorization header against
  // Permission::read_outages), move the socket out (`stream_.release_socket()`) into a
  // WebSocketSession that accepts `parser_->release()` and then lives on its own; this session ends.
  // Until then an upgrade is answered like any path that has no resource.
  void do_upgrade() {
    const auto& msg = parser_->get();
    version_ = msg.version();
    keep_alive_ = false;
    head_ = false;
    std::string target(msg.target());
    parser_.reset();
    first_request_ = false;
    ++server_.refused;
    do_write(json_error(404, ErrorCode::not_found, fmt::format("no WebSocket endpoint at '{}'", target)), true);
  }

  void handle_request() {
    auto msg = parser_->release();
    parser_.reset();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == http::verb::head;
    first_request_ = false;

    HttpRequest request;
    request.method = std::string(msg.method_string());
    request.raw_target = std::string(msg.target());
    if (auto bad = split_target(sv(msg.target()), request)) {
      ++server_.refused;
      return do_write(json_error(400, ErrorCode::invalid_input, *bad), false);
    }
    request.authorization = std::string(msg[http::field::authorization]);
    request.content_type = std::string(msg[http::field::content_type]);
    request.body = std::move(msg.body());
    request.remote = remote_;

    state_ = State::handling;
    ++request_no_;
    ++server_.requests;
    busy_self_ = shared_from_this();  // the handler holds only a weak reference
    Responder responder([weak = weak_from_this(), no = request_no_](HttpResponse&& r) {
      if (auto self = weak.lock()) self->deliver(no, std::move(r));
    });
    std::string what = request.method + " " + request.path;
    try {
      server_.handler(std::move(request), responder);
    } catch (const std::exception& e) {
      spdlog::error("http: the handler of {} threw: {}", what, e.what());
      responder.send(json_error(500, ErrorCode::internal, "internal error"));
    } catch (...) {
      spdlog::error("http: the handler of {} threw", what);
      responder.send(json_error(500, ErrorCode::internal, "internal error"));
    }
  }

  void on_response(std::uint64_t request_no, HttpResponse&& response) {
    if (state_ != State::handling || request_no != request_no_) {
      spdlog::debug("http {}: an answer arrived after the connection was closed; dropped", remote_.to_string());
      return;
    }
    busy_self_.reset();  // the write below holds the session now
    do_write(std::move(response), false);
  }

  // The server's own refusals (400, 413, 431): the rest of the request is not read, so the
  // connection cannot carry another one.
  void refuse(int status, std::string reason) {
    ++server_.refused;
    if (parser_) {
      version_ = parser_->is_header_done() ? parser_->get().version() : 11;
      parser_.reset();
    }
    keep_alive_ = false;
    head_ = false;
    spdlog::debug("http {}: {} {}", remote_.to_string(), status, reason);
    do_write(json_error(status, ErrorCode::invalid_input, reason), true);
  }

  void refuse_overloaded() {
    HttpResponse r = json_error(503, ErrorCode::unavailable, "too many connections; retry later");
    r.headers.emplace_back("Retry-After", std::to_string(opts().retry_after.count()));
    keep_alive_ = false;
    do_write(std::move(r), true);
  }

  void do_write(HttpResponse r, bool close_after) {
    close_after_ = close_after || stopping_ || !keep_alive_;
    if (r.status < 200 || r.status > 599) {
      spdlog::error("http: a handler answered with status {}; sending 500", r.status);
      r = json_error(500, ErrorCode::internal, "internal error");
    }
    res_.emplace();
    res_->version(version_);
    res_->result(static_cast<unsigned>(r.status));
    res_->set(http::field::server, bsv(kServerName));
    if (!r.content_type.empty() && !has_line_break(r.content_type)) res_->set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) {
      if (name.empty() || has_line_break(name) || has_line_break(value) || is_server_header(name)) {
        spdlog::warn("http: dropped the response header '{}'", name);
        continue;
      }
      res_->insert(bsv(name), value);
    }
    if (r.status != 204 && r.status != 304) res_->body() = std::move(r.body);
    res_->keep_alive(!close_after_);
    res_->prepare_payload();
    if (head_) {  // the length of what a GET would send, and no body
      auto length = res_->body().size();
      res_->body().clear();
      res_->content_length(length);
    }
    state_ = State::writing;
    stream_.expires_after(opts().request_timeout);
    http::async_write(stream_, *res_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (state_ == State::closed) return;
    res_.reset();
    if (ec) return fail(ec, "writing a response");
    if (close_after_) return do_linger();
    do_wait_request();
  }

  // Half-closes and drains what the client still sends, so it reads the response before the
  // connection goes.
  void do_linger() {
    state_ = State::lingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    lingered_ = 0;
    stream_.expires_after(std::min<SteadyClock::duration>(opts().request_timeout, kLingerTime));
    buffer_.clear();
    read_linger();
  }

  void read_linger() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::on_linger, shared_from_this()));
  }

  void on_linger(beast::error_code ec, std::size_t n) {
    if (state_ == State::closed) return;
    lingered_ += n;
    if (ec || lingered_ > kLingerBytes) return close();
    read_linger();
  }

  void on_begin_stop() {
    stopping_ = true;
    if (state_ == State::idle) close();
  }

  void fail(beast::error_code ec, std::string_view what) {
    if (ec == beast::error::timeout) {
      if (state_ != State::idle) ++server_.timeouts;
      spdlog::debug("http {}: timed out {}; closing", remote_.to_string(), what);
    } else if (ec != net::error::operation_aborted) {
      spdlog::debug("http {}: {}: {}", remote_.to_string(), what, ec.message());
    }
    close();
  }

  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    busy_self_.reset();  // the caller (a handler bound to this session) still holds it
  }

  HttpServer::Impl& server_;
  beast::tcp_stream stream_;
  const net::any_io_executor executor_;  // the session's strand
  const bool overload_;
  const SteadyClock::time_point accepted_at_ = SteadyClock::now();
  Endpoint remote_;

  State state_ = State::idle;
  bool first_request_ = true;
  bool stopping_ = false;
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool head_ = false;
  unsigned version_ = 11;
  SteadyClock::time_point deadline_;
  std::uint64_t request_no_ = 0;
  std::size_t lingered_ = 0;
  std::shared_ptr<Session> busy_self_;  // set while the handler has the request

  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> res_;
};

// ---------------------------------------------------------------------------------------------
// Accepting

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {  // e.g. out of file descriptors: try again shortly rather than spin
    spdlog::warn("http: accepting a connection failed: {}", ec.message());
    retry_timer.expires_after(std::chrono::milliseconds(100));
    retry_timer.async_wait([this](beast::error_code e) {
      if (!e && acceptor.is_open()) do_accept();
    });
    return;
  }
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu);
    if (stopping) return;  // the socket closes as it goes
    bool overload = serving >= options.max_connections;
    if (overload && sessions.size() - serving >= std::max<std::size_t>(options.max_connections, 64)) {
      ++accepted;  // a flood: as many refusals in progress as sessions; close without answering
      ++rejected;
      return;
    }
    session = std::make_shared<Session>(std::move(socket), *this, overload);
    sessions.emplace(session.get(), session);
    if (!overload) ++serving;
    ++accepted;
    if (overload) ++rejected;
  }
  session->run();
  do_accept();
}

void HttpServer::Impl::forget(const Session* session, bool serving_session) {
  std::lock_guard lock(mu);
  sessions.erase(session);
  if (serving_session) --serving;
  if (sessions.empty()) sessions_gone.notify_all();
}

std::vector<std::shared_ptr<Session>> HttpServer::Impl::snapshot() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mu);
  for (auto& [_, weak] : sessions)
    if (auto s = weak.lock()) out.push_back(std::move(s));
  return out;
}

bool HttpServer::Impl::wait_sessions_gone(SteadyClock::time_point deadline) {
  std::unique_lock lock(mu);
  return sessions_gone.wait_until(lock, deadline, [this] { return sessions.empty(); });
}

void HttpServer::Impl::run_io() {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: an I/O thread caught an exception: {}", e.what());
    } catch (...) {
      spdlog::error("http: an I/O thread caught an exception");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HttpServer

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { stop(SteadyClock::now()); }

Status HttpServer::start() {
  Impl& s = *impl_;
  const HttpServerOptions& o = s.options;
  if (s.started) return Error{ErrorCode::conflict, "the HTTP server was started already"};
  if (!s.handler) return invalid_input("the HTTP server needs a handler");
  if (o.io_threads < 1) return invalid_input(fmt::format("io_threads must be at least 1, got {}", o.io_threads));
  if (o.max_connections < 1) return invalid_input("max_connections must be at least 1");
  s.started = true;

  std::string where = Endpoint{o.address, o.port}.to_string();
  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = net::ip::make_address(o.address, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, o.port);
  } else {
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(o.address, std::to_string(o.port), ec);
    if (ec || results.empty())
      return invalid_input(fmt::format("cannot listen on {}: {}", where, ec ? ec.message() : "no address"));
    endpoint = results.begin()->endpoint();
  }
  auto fail = [&](std::string_view step) -> Status {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    return unavailable(fmt::format("cannot listen on {}: {}: {}", where, step, ec.message()));
  };
  if (s.acceptor.open(endpoint.protocol(), ec); ec) return fail("open");
  if (s.acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) return fail("set_option");
  if (s.acceptor.bind(endpoint, ec); ec) return fail("bind");
  if (s.acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen");
  auto local = s.acceptor.local_endpoint(ec);
  if (ec) return fail("local_endpoint");
  s.bound = {local.address().to_string(), local.port()};

  s.work.emplace(net::make_work_guard(s.ioc));
  s.running = true;
  net::post(s.acceptor.get_executor(), [&s] { s.do_accept(); });
  for (int i = 0; i < o.io_threads; ++i) s.threads.emplace_back([&s] { s.run_io(); });
  spdlog::info("http: listening on {} ({} I/O threads)", s.bound.to_string(), o.io_threads);
  return Status{};
}

Endpoint HttpServer::local_endpoint() const { return impl_->bound; }

void HttpServer::stop(SteadyClock::time_point deadline) {
  Impl& s = *impl_;
  if (!s.running) return;
  s.running = false;
  {
    std::lock_guard lock(s.mu);
    s.stopping = true;
  }
  // 1. Stop accepting: the listening socket closes on its strand; new connections are refused.
  std::promise<void> closed;
  net::post(s.acceptor.get_executor(), [&s, &closed] {
    beast::error_code ec;
    s.acceptor.close(ec);
    s.retry_timer.cancel();
    closed.set_value();
  });
  closed.get_future().wait();

  // 2. Idle connections close at once; the others finish the request in hand.
  for (const auto& session : s.snapshot()) session->begin_stop();

  // 3. Wait for them until the deadline, then close the rest.
  if (!s.wait_sessions_gone(deadline)) {
    auto left = s.snapshot();
    spdlog::warn("http: closing {} connections still busy at the shutdown deadline", left.size());
    for (const auto& session : left) session->force_close();
    left.clear();
    while (!s.wait_sessions_gone(SteadyClock::now() + std::chrono::seconds(5)))
      spdlog::warn("http: still waiting for connections to end");
  }

  // 4. End the I/O threads.
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  spdlog::info("http: stopped");
}

HttpServerStats HttpServer::stats() const {
  const Impl& s = *impl_;
  HttpServerStats out;
  out.connections_accepted = s.accepted.load();
  out.connections_rejected = s.rejected.load();
  out.requests = s.requests.load();
  out.requests_refused = s.refused.load();
  out.timeouts = s.timeouts.load();
  {
    std::lock_guard lock(impl_->mu);
    out.open_sessions = s.sessions.size();
  }
  return out;
}

}  // namespace outage
