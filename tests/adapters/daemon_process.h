// Helpers for tests that run the real daemon: a fresh database per test, `outage serve` as a
// child process, and a small HTTP client.
//
// The database server: OUTAGE_TEST_DSN's server, or libpq's PG* variables (pg_virtualenv sets
// them); without either, tests skip.
#pragma once

#include <utility>  // before Beast: Boost 1.74 misses it in C++20 mode

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <pqxx/pqxx>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace outage::testing {

inline bool have_database() { return std::getenv("OUTAGE_TEST_DSN") || std::getenv("PGHOST") || std::getenv("PGDATABASE"); }

inline std::string base_dsn() {
  if (const char* dsn = std::getenv("OUTAGE_TEST_DSN")) return dsn;
  return "";
}

// A database of its own for one test, dropped at the end.
class TestDatabase {
 public:
  explicit TestDatabase(std::string name) : name_(std::move(name)) {
    pqxx::connection c(base_dsn() + " dbname=postgres");
    pqxx::nontransaction tx(c);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + name_);
  }
  ~TestDatabase() {
    try {
      pqxx::connection c(base_dsn() + " dbname=postgres");
      pqxx::nontransaction tx(c);
      tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
    }
  }
  std::string dsn() const { return base_dsn() + " dbname=" + name_; }
  // Runs one query and returns the first column of every row.
  std::vector<std::string> column(const std::string& sql) const {
    pqxx::connection c(dsn());
    pqxx::nontransaction tx(c);
    std::vector<std::string> out;
    for (const auto& row : tx.exec(sql)) out.push_back(row[0].is_null() ? "" : row[0].c_str());
    return out;
  }

 private:
  std::string name_;
};

struct HttpReply {
  int status = 0;
  std::string body;
  std::string retry_after;
};

// One request on a fresh connection. status 0 when the connection failed.
inline HttpReply http(std::uint16_t port, const std::string& method, const std::string& target,
                      const std::string& token = "", const std::string& body = "",
                      const std::string& content_type = "application/json") {
  namespace beast = boost::beast;
  namespace asio = boost::asio;
  HttpReply reply;
  try {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    beast::http::request<beast::http::string_body> req{beast::http::string_to_verb(method), target, 11};
    req.set(beast::http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(beast::http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(beast::http::field::content_type, content_type);
      req.body() = body;
    }
    req.prepare_payload();
    beast::http::write(socket, req);
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(1u << 30);
    beast::http::read(socket, buffer, parser);
    auto res = parser.release();
    reply.status = static_cast<int>(res.result_int());
    reply.body = res.body();
    if (auto it = res.find("Retry-After"); it != res.end()) reply.retry_after = std::string(it->value());
  } catch (const std::exception&) {
    reply.status = 0;
  }
  return reply;
}

inline std::uint16_t free_port() {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// `outage serve` as a child process. Its log goes to a file beside the test's temp dir.
class DaemonProcess {
 public:
  static constexpr const char* kAdminToken = "test-admin-token";

  DaemonProcess(std::vector<std::string> args, std::string log_path) : args_(std::move(args)), log_(std::move(log_path)) {}
  ~DaemonProcess() { kill(SIGKILL); }

  // Starts it and waits until /readyz answers 200; false when it exited or did not get ready.
  bool start(std::uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(120)) {
    port_ = port;
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* f = std::freopen(log_.c_str(), "a", stdout);
      (void)f;
      ::dup2(::fileno(stdout), 2);
      ::setenv("OUTAGE_ADMIN_TOKEN", kAdminToken, 1);
      std::vector<char*> argv;
      std::string binary = OUTAGE_BINARY;
      argv.push_back(binary.data());
      for (std::string& a : args_) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      std::_Exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = status;
        return false;
      }
      if (http(port_, "GET", "/readyz", kAdminToken).status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Sends the signal and waits for the exit; returns the exit code (or 128 + signal).
  int kill(int sig) {
    if (pid_ <= 0) return exit_code();
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = status;
    return exit_code();
  }
  int exit_code() const {
    if (WIFEXITED(exit_status_)) return WEXITSTATUS(exit_status_);
    if (WIFSIGNALED(exit_status_)) return 128 + WTERMSIG(exit_status_);
    return -1;
  }
  std::uint16_t port() const { return port_; }
  const std::string& log_path() const { return log_; }

 private:
  std::vector<std::string> args_;
  std::string log_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
  std::uint16_t port_ = 0;
};

}  // namespace outage::testing
