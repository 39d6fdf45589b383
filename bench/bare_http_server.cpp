// bare-http-server: the floor for the daemon's HTTP front (bench/status_bench.sh). A Boost.Beast
// HTTP/1.1 keep-alive server that answers every request 200, Content-Type application/json, with
// the bytes of one file; no routing, no authorization, no core strand, no JSON.
//
//   bare-http-server --listen 127.0.0.1:PORT --body-file FILE [--threads N]
//
// Shaped like adapters/http_server.cpp so the two differ only in the work behind the socket: one
// io_context run by --threads I/O threads (default 2, the daemon's [server] io_threads default),
// one session per socket on its own strand, read one request, write its answer, read the next.
// The same Server header ("outage") and the same request size limits. Runs until SIGINT or
// SIGTERM; exits 0 then, 2 on bad arguments, 1 when it cannot listen.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::chrono::seconds kIdleTimeout{60};
constexpr std::uint32_t kHeaderLimit = 16u << 10;
constexpr std::uint64_t kBodyLimit = 16u << 20;

// One connection: do_read / on_read / on_write until the client closes, errs or idles out.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const std::string& body) : stream_(std::move(socket)), body_(body) {}

  void start() { asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this())); }

 private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return close();  // end of stream, timeout, a malformed request: nothing to tell
    const auto& req = parser_->get();
    res_.emplace();
    res_->version(req.version());
    res_->result(http::status::ok);
    res_->set(http::field::server, "outage");
    res_->set(http::field::content_type, "application/json");
    res_->body() = body_;
    res_->keep_alive(req.keep_alive());
    res_->prepare_payload();
    http::async_write(stream_, *res_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    const bool keep_alive = res_->keep_alive();
    res_.reset();
    if (ec || !keep_alive) return close();
    do_read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  const std::string& body_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
};

// Accepts connections for as long as the io_context runs; each gets a session on a new strand.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, tcp::endpoint endpoint, const std::string& body)
      : io_(io), acceptor_(asio::make_strand(io)), body_(body) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }

  void do_accept() {
    acceptor_.async_accept(asio::make_strand(io_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket), body_)->start();
    }
    do_accept();
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  const std::string& body_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bare-http-server: answers every HTTP request 200 with one file's bytes (a benchmark floor)"};
  std::string listen, body_file;
  int threads = 2;
  app.add_option("--listen", listen, "HOST:PORT to listen on (an IP address)")->required();
  app.add_option("--body-file", body_file, "the response body")->required();
  app.add_option("--threads", threads, "I/O threads (the daemon's default: 2)")->capture_default_str()->check(CLI::Range(1, 256));
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(body_file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "{}: cannot read the file\n", body_file);
    return 2;
  }
  const std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

  const auto colon = listen.rfind(':');
  tcp::endpoint endpoint;
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no port");
    std::string host = listen.substr(0, colon);
    if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    endpoint = {asio::ip::make_address(host), static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1)))};
  } catch (const std::exception&) {
    fmt::print(stderr, "--listen '{}': want IP:PORT\n", listen);
    return 2;
  }

  asio::io_context io(threads);
  try {
    std::make_shared<Listener>(io, endpoint, body)->do_accept();
  } catch (const std::exception& e) {
    fmt::print(stderr, "cannot listen on {}: {}\n", listen, e.what());
    return 1;
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](beast::error_code, int) { io.stop(); });
  fmt::print("bare-http-server: listening on {} ({} I/O threads, {} byte body)\n", listen, threads, body.size());
  std::fflush(stdout);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
