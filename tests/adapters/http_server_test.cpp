// The HTTP front against a real server on 127.0.0.1 (an ephemeral port) and a Beast client.
// Every wait has a generous limit; no test depends on how fast the machine is.
#include <utility>  // before Asio/Beast: Boost 1.74 misses it in C++20 mode

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/access_control.h"
#include "adapters/http_server.h"

namespace outage {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using Response = http::response<http::string_body>;

constexpr auto kLimit = 10s;  // how long any single wait may take before the test fails

std::string str(beast::string_view s) { return std::string(s.data(), s.size()); }

// A blocking HTTP/1.1 client on its own io_context; every operation gives up after kLimit.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(ioc_) {
    stream_.expires_after(kLimit);
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  // Sends a request and reads the response.
  Response request(http::verb method, std::string target, std::string body = {},
                   std::vector<std::pair<http::field, std::string>> headers = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto& [f, v] : headers) req.set(f, v);
    req.body() = std::move(body);
    req.prepare_payload();
    stream_.expires_after(kLimit);
    http::write(stream_, req);
    return read_response();
  }
  Response get(std::string target, std::vector<std::pair<http::field, std::string>> headers = {}) {
    return request(http::verb::get, std::move(target), {}, std::move(headers));
  }

  void write_raw(std::string_view bytes) {
    stream_.expires_after(kLimit);
    net::write(stream_, net::buffer(bytes.data(), bytes.size()));
  }

  // Reads one response; `head` when it answers a HEAD request (a header, never a body).
  Response read_response(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    beast::error_code ec = net::error::would_block;
    stream_.expires_after(kLimit);
    http::async_read(stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    ioc_.restart();
    ioc_.run();
    if (ec) throw std::runtime_error("reading the response: " + ec.message());
    return parser.release();
  }

  // Whether the server closes the connection within kLimit (reading EOF or a reset). Data the
  // server sends first is read and ignored.
  bool closed_by_server() {
    char byte[512];
    for (;;) {
      beast::error_code ec = net::error::would_block;
      std::size_t n = 0;
      stream_.expires_after(kLimit);
      stream_.async_read_some(net::buffer(byte), [&](beast::error_code e, std::size_t got) {
        ec = e;
        n = got;
      });
      ioc_.restart();
      ioc_.run();
      if (ec == beast::error::timeout) return false;
      if (ec) return true;
      (void)n;
    }
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  std::uint16_t local_port() const { return stream_.socket().local_endpoint().port(); }

 private:
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

bool can_connect(std::uint16_t port) {
  net::io_context ioc;
  tcp::socket s(ioc);
  beast::error_code ec;
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

HttpServerOptions test_options() {
  HttpServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.io_threads = 2;
  return o;
}

HttpResponse text(std::string body) {
  HttpResponse r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

// Counts events across threads and lets a test wait for them.
class Signal {
 public:
  void notify() {
    std::lock_guard lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  bool wait_for(int count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kLimit, [&] { return count_ >= count; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

// Joins the threads that answer later, whatever the test's outcome.
struct Threads {
  std::vector<std::thread> list;
  ~Threads() {
    for (auto& t : list)
      if (t.joinable()) t.join();
  }
};

TEST(HttpServer, AnswersOnTheEphemeralPortItBound) {
  HttpServer server(test_options(), [](HttpRequest&&, Responder r) { r.send(text("hello")); });
  ASSERT_TRUE(server.start().ok());
  ASSERT_NE(server.local_endpoint().port, 0);
  EXPECT_EQ(server.local_endpoint().address, "127.0.0.1");
  Client client(server.local_endpoint().port);
  Response res = client.get("/");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "hello");
  EXPECT_EQ(str(res[http::field::content_type]), "text/plain");
}

TEST(HttpServer, RequestCarriesDecodedPathQueryHeadersAndBody) {
  std::promise<HttpRequest> seen;
  HttpServer server(test_options(), [&](HttpRequest&& req, Responder r) {
    seen.set_value(req);
    r.send(text("ok"));
  });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  Response res = client.request(http::verb::post, "/v1/status%20x?address=Main+St%205&meter=M1&empty=&meter=M2",
                                R"({"a":1})",
                                {{http::field::authorization, "Bearer abc"}, {http::field::content_type, "application/json"}});
  ASSERT_EQ(res.result_int(), 200);
  HttpRequest req = seen.get_future().get();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/v1/status x");
  EXPECT_EQ(req.raw_target, "/v1/status%20x?address=Main+St%205&meter=M1&empty=&meter=M2");
  ASSERT_EQ(req.query.size(), 4u);
  EXPECT_EQ(req.query[0], (std::pair<std::string, std::string>{"address", "Main St 5"}));
  ASSERT_NE(req.param("meter"), nullptr);
  EXPECT_EQ(*req.param("meter"), "M1");  // the first of two
  EXPECT_EQ(*req.param("empty"), "");
  EXPECT_EQ(req.param("missing"), nullptr);
  EXPECT_EQ(req.authorization, "Bearer abc");
  EXPECT_EQ(req.content_type, "application/json");
  EXPECT_EQ(req.body, R"({"a":1})");
  EXPECT_EQ(req.remote.address, "127.0.0.1");
  EXPECT_EQ(req.remote.port, client.local_port());
}

TEST(HttpServer, DeferredResponseSentFromAnotherThreadArrives) {
  Threads later;
  HttpServer server(test_options(), [&](HttpRequest&& req, Responder r) {
    // e.g. after the journal commits: another thread answers, after the handler has returned
    later.list.emplace_back([r, path = req.path] {
      std::this_thread::sleep_for(200ms);
      HttpResponse res;
      res.status = 202;
      res.body = R"({"accepted":1,"path":")" + path + "\"}";
      res.headers.emplace_back("X-Journal", "committed");
      r.send(res);
      r.send(text("a second answer is ignored"));
    });
  });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  Response res = client.request(http::verb::post, "/v1/events", "{}");
  EXPECT_EQ(res.result_int(), 202);
  EXPECT_EQ(res.body(), R"({"accepted":1,"path":"/v1/events"})");
  EXPECT_EQ(str(res["X-Journal"]), "committed");
  EXPECT_EQ(str(res[http::field::content_type]), "application/json");
  // The connection is still usable: the ignored second answer did not reach it.
  Response again = client.request(http::verb::post, "/v1/events", "{}");
  EXPECT_EQ(again.result_int(), 202);
}

TEST(HttpServer, OversizeContentLengthIsAnswered413WithoutReadingTheBody) {
  HttpServerOptions o = test_options();
  o.max_body_bytes = 1024;
  std::atomic<int> handled{0};
  HttpServer server(o, [&](HttpRequest&&, Responder r) {
    ++handled;
    r.send(text("no"));
  });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  // Declares a gigabyte and sends none of it: the answer can only come from the headers.
  client.write_raw("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Content-Length: 1073741824\r\n\r\n");
  Response res = client.read_response();
  EXPECT_EQ(res.result_int(), 413);
  auto body = nlohmann::json::parse(res.body());
  EXPECT_EQ(body["code"], "invalid_input");
  EXPECT_EQ(body["error"], "the request body is over the limit of 1024 bytes");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(server.stats().requests_refused, 1u);

  // A body within the limit is read and handled.
  Client ok(server.local_endpoint().port);
  EXPECT_EQ(ok.request(http::verb::post, "/v1/events", std::string(1024, 'x')).result_int(), 200);
  EXPECT_EQ(handled.load(), 1);
}

TEST(HttpServer, ChunkedBodyPastTheLimitIsAnswered413) {
  HttpServerOptions o = test_options();
  o.max_body_bytes = 1024;
  std::atomic<int> handled{0};
  HttpServer server(o, [&](HttpRequest&&, Responder r) {
    ++handled;
    r.send(text("no"));
  });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  client.write_raw("POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "200\r\n" + std::string(512, 'x') + "\r\n";
  client.write_raw(chunk + chunk + chunk);  // 1536 bytes, past the limit; no last chunk
  Response res = client.read_response();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(nlohmann::json::parse(res.body())["code"], "invalid_input");
  EXPECT_EQ(handled.load(), 0);

  // Within the limit, a chunked body is handled whole.
  std::promise<std::string> body;
  HttpServer second(test_options(), [&](HttpRequest&& req, Responder r) {
    body.set_value(req.body);
    r.send(text("ok"));
  });
  ASSERT_TRUE(second.start().ok());
  Client c2(second.local_endpoint().port);
  c2.write_raw("POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(c2.read_response().result_int(), 200);
  EXPECT_EQ(body.get_future().get(), "abcde");
}

TEST(HttpServer, SlowClientIsClosedAfterTheTimeoutWhileAnotherIsServed) {
  HttpServerOptions o = test_options();
  o.io_threads = 1;  // the slow client must not hold the only I/O thread
  o.request_timeout = 1s;
  HttpServer server(o, [](HttpRequest&& req, Responder r) { r.send(text("served " + req.path)); });
  ASSERT_TRUE(server.start().ok());

  Client slow(server.local_endpoint().port);
  slow.write_raw("GET /slow HTTP/1.1\r\nHost: x\r\nAccept: ");  // half the headers, then nothing

  Client other(server.local_endpoint().port);
  Response res = other.get("/other");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "served /other");

  EXPECT_TRUE(slow.closed_by_server());
  server.stop(kLimit);  // the counters are final once the sessions are gone
  EXPECT_EQ(server.stats().timeouts, 1u);
  EXPECT_EQ(server.stats().requests, 1u);
}

TEST(HttpServer, ClientGoneBeforeItsDeferredResponseDoesNotHurtTheServer) {
  std::mutex mu;
  std::vector<Responder> waiting;
  Signal arrived;
  HttpServer server(test_options(), [&](HttpRequest&& req, Responder r) {
    if (req.path == "/now") return r.send(text("now"));
    std::lock_guard lock(mu);
    waiting.push_back(r);
    arrived.notify();
  });
  ASSERT_TRUE(server.start().ok());
  {
    Client client(server.local_endpoint().port);
    client.write_raw("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    ASSERT_TRUE(arrived.wait_for(1));
    client.close();
  }
  std::thread late([&] {
    std::this_thread::sleep_for(100ms);
    std::lock_guard lock(mu);
    waiting.front().send(text("too late"));
  });
  late.join();
  // The server goes on serving.
  Client next(server.local_endpoint().port);
  EXPECT_EQ(next.get("/now").body(), "now");
  EXPECT_EQ(server.stats().requests, 2u);
}

TEST(HttpServer, ResponderOutlivesTheServer) {
  Responder kept;
  Signal arrived;
  {
    HttpServer server(test_options(), [&](HttpRequest&&, Responder r) {
      kept = r;
      arrived.notify();
    });
    ASSERT_TRUE(server.start().ok());
    std::thread client_thread([port = server.local_endpoint().port] {
      try {
        Client client(port);
        client.get("/never-answered");
      } catch (const std::exception&) {
        // closed by stop()
      }
    });
    ASSERT_TRUE(arrived.wait_for(1));
    server.stop(std::chrono::steady_clock::now());  // the deadline is now: the session is closed
    client_thread.join();
  }
  kept.send(text("after the server is gone"));  // dropped, safely
  EXPECT_TRUE(kept.sent());
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::mutex mu;
  std::set<std::uint16_t> ports;
  HttpServer server(test_options(), [&](HttpRequest&& req, Responder r) {
    {
      std::lock_guard lock(mu);
      ports.insert(req.remote.port);
    }
    r.send(text(req.path));
  });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  for (int i = 0; i < 5; ++i) {
    Response res = client.get("/r" + std::to_string(i));
    EXPECT_EQ(res.body(), "/r" + std::to_string(i));
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(ports.size(), 1u);
  EXPECT_EQ(server.stats().connections_accepted, 1u);
  EXPECT_EQ(server.stats().requests, 5u);
}

TEST(HttpServer, StopLetsAnInFlightRequestFinishThenRefusesNewConnections) {
  Threads later;
  Signal arrived;
  HttpServer server(test_options(), [&](HttpRequest&&, Responder r) {
    arrived.notify();
    later.list.emplace_back([r] {
      std::this_thread::sleep_for(300ms);
      r.send(text("finished"));
    });
  });
  ASSERT_TRUE(server.start().ok());
  std::uint16_t port = server.local_endpoint().port;
  auto in_flight = std::async(std::launch::async, [port] {
    Client client(port);
    return client.request(http::verb::post, "/v1/events", "{}");
  });
  ASSERT_TRUE(arrived.wait_for(1));
  server.stop(std::chrono::steady_clock::now() + kLimit);
  ASSERT_EQ(in_flight.wait_for(kLimit), std::future_status::ready);
  Response res = in_flight.get();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "finished");
  EXPECT_FALSE(res.keep_alive());  // Connection: close while stopping
  EXPECT_FALSE(can_connect(port));
  EXPECT_EQ(server.stats().open_sessions, 0u);
}

TEST(HttpServer, StopClosesIdleKeepAliveConnectionsAtOnce) {
  HttpServerOptions o = test_options();
  o.idle_timeout = 1h;
  HttpServer server(o, [](HttpRequest&&, Responder r) { r.send(text("ok")); });
  ASSERT_TRUE(server.start().ok());
  Client idle(server.local_endpoint().port);
  ASSERT_TRUE(idle.get("/").keep_alive());
  Client silent(server.local_endpoint().port);  // connected, never sent a byte
  auto began = std::chrono::steady_clock::now();
  server.stop(std::chrono::steady_clock::now() + 1h);
  EXPECT_LT(std::chrono::steady_clock::now() - began, kLimit);  // not the hour
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(silent.closed_by_server());
}

TEST(HttpServer, ConnectionsBeyondTheLimitGet503WithRetryAfter) {
  HttpServerOptions o = test_options();
  o.max_connections = 1;
  o.retry_after = 7s;
  HttpServer server(o, [](HttpRequest&&, Responder r) { r.send(text("ok")); });
  ASSERT_TRUE(server.start().ok());
  Client first(server.local_endpoint().port);
  ASSERT_EQ(first.get("/").result_int(), 200);  // the first session is open

  Client second(server.local_endpoint().port);
  Response res = second.get("/");
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(str(res[http::field::retry_after]), "7");
  EXPECT_EQ(nlohmann::json::parse(res.body())["code"], "unavailable");
  EXPECT_TRUE(second.closed_by_server());
  EXPECT_EQ(first.get("/").result_int(), 200);  // the first goes on
  EXPECT_EQ(server.stats().connections_rejected, 1u);

  first.close();
  // Once the first has gone, a new one is served (the server notices the close shortly).
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    try {
      Client third(server.local_endpoint().port);
      served = third.get("/").result_int() == 200;
    } catch (const std::exception&) {
      // refused while the first is still being noticed
    }
    if (!served) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(served);
}

TEST(HttpServer, HandlerThatThrowsIsAnswered500) {
  HttpServer server(test_options(), [](HttpRequest&&, Responder) -> void { throw std::runtime_error("bug"); });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  Response res = client.get("/");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res.body(), R"({"error":"internal error","code":"internal"})");
  EXPECT_EQ(client.get("/").result_int(), 500);  // the connection survives
}

TEST(HttpServer, ResponderDroppedWithoutAnAnswerSends500) {
  HttpServer server(test_options(), [](HttpRequest&&, Responder) {});
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  Response res = client.get("/");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(nlohmann::json::parse(res.body())["code"], "internal");
}

TEST(HttpServer, MalformedRequestsAre400) {
  HttpServer server(test_options(), [](HttpRequest&&, Responder r) { r.send(text("ok")); });
  ASSERT_TRUE(server.start().ok());
  {
    Client client(server.local_endpoint().port);
    client.write_raw("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
    Response res = client.read_response();
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(nlohmann::json::parse(res.body())["code"], "invalid_input");
  }
  {
    Client client(server.local_endpoint().port);
    Response res = client.get("/bad%zzescape");
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(nlohmann::json::parse(res.body())["error"], "malformed percent-escape in the path");
    EXPECT_EQ(client.get("/fine").result_int(), 200);  // the message itself was well formed
  }
}

TEST(HttpServer, HeadersOverTheLimitAre431) {
  HttpServerOptions o = test_options();
  o.header_limit_bytes = 1024;
  HttpServer server(o, [](HttpRequest&&, Responder r) { r.send(text("ok")); });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  Response res = client.get("/", {{http::field::cookie, std::string(2048, 'c')}});
  EXPECT_EQ(res.result_int(), 431);
}

TEST(HttpServer, ExpectContinueGets100BeforeTheBody) {
  HttpServer server(test_options(), [](HttpRequest&& req, Responder r) { r.send(text(req.body)); });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  client.write_raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  Response cont = client.read_response();
  EXPECT_EQ(cont.result_int(), 100);
  client.write_raw("hello");
  Response res = client.read_response();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "hello");
}

TEST(HttpServer, HeadGetsTheLengthButNoBody) {
  HttpServer server(test_options(), [](HttpRequest&&, Responder r) { r.send(text("twelve bytes")); });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  client.write_raw("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
  Response head = client.read_response(/*head=*/true);
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(str(head[http::field::content_length]), "12");
  EXPECT_EQ(head.body(), "");
  // Nothing followed the header: the next response on the connection is read intact.
  EXPECT_EQ(client.get("/").body(), "twelve bytes");
}

TEST(HttpServer, WebSocketUpgradeIsAnswered404UntilTheStreamExists) {
  std::atomic<int> handled{0};
  HttpServer server(test_options(), [&](HttpRequest&&, Responder r) {
    ++handled;
    r.send(text("ok"));
  });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  client.write_raw("GET /v1/stream HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                   "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  Response res = client.read_response();
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(nlohmann::json::parse(res.body())["code"], "not_found");
  EXPECT_EQ(handled.load(), 0);
}

TEST(HttpServer, StartFailsWhenThePortIsTaken) {
  HttpServer first(test_options(), [](HttpRequest&&, Responder r) { r.send(text("ok")); });
  ASSERT_TRUE(first.start().ok());
  HttpServerOptions o = test_options();
  o.port = first.local_endpoint().port;
  HttpServer second(o, [](HttpRequest&&, Responder r) { r.send(text("ok")); });
  Status s = second.start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::unavailable);
  EXPECT_NE(s.error().message.find(std::to_string(o.port)), std::string::npos) << s.error().message;
}

TEST(HttpServer, ResponderCanBeUsedWithoutAServerToTestAHandler) {
  std::vector<HttpResponse> answers;
  Handler handler = [](HttpRequest&& req, Responder r) { r.send(error_response(not_found("meter '" + req.path + "'"))); };
  HttpRequest req;
  req.path = "M9";
  handler(std::move(req), Responder([&](HttpResponse&& r) { answers.push_back(std::move(r)); }));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, 404);
  EXPECT_EQ(answers[0].body, R"({"error":"meter 'M9'","code":"not_found"})");
}

// The access-control answers as a client receives them.
TEST(AccessControlOverHttp, RefusalsAreJsonBodiesWith401And403) {
  AccessControl access({{"agent-token", Role::agent, "hotline"}});
  HttpServer server(test_options(), [&](HttpRequest&& req, Responder r) {
    if (req.path == "/healthz") return r.send(text("ok"));
    if (auto refusal = access.refuse(req.authorization, Permission::dispatch)) return r.send(std::move(*refusal));
    r.send(text("assigned"));
  });
  ASSERT_TRUE(server.start().ok());
  Client client(server.local_endpoint().port);
  EXPECT_EQ(client.get("/healthz").result_int(), 200);

  Response missing = client.get("/v1/crews");
  EXPECT_EQ(missing.result_int(), 401);
  EXPECT_EQ(str(missing[http::field::www_authenticate]), "Bearer");
  EXPECT_EQ(str(missing[http::field::content_type]), "application/json");
  EXPECT_EQ(missing.body(), R"j({"error":"missing Authorization header (expected 'Bearer <token>')","code":"invalid_input"})j");

  Response unknown = client.get("/v1/crews", {{http::field::authorization, "Bearer nope"}});
  EXPECT_EQ(unknown.result_int(), 401);
  EXPECT_EQ(unknown.body(), R"({"error":"unknown token","code":"invalid_input"})");

  Response forbidden = client.get("/v1/crews", {{http::field::authorization, "Bearer agent-token"}});
  EXPECT_EQ(forbidden.result_int(), 403);
  EXPECT_EQ(forbidden.body(), R"({"error":"role 'agent' may not dispatch","code":"invalid_input"})");
}

}  // namespace
}  // namespace outage
