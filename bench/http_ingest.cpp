// `outage-ingest-bench http`: durable HTTP ingest into a running `outage serve`, against a plain
// binary COPY of the same rows into the same journal table. Run by bench/http_ingest.sh, which
// starts the daemon on the IEEE 8500-node feeder and a throwaway PostgreSQL cluster:
//
//   pg_virtualenv -t -v 15 bench/http_ingest.sh [options below]
//
// Throughput (--runs runs, each alternating):
//   (a) COPY: one Journal::append (one transaction, one binary COPY) of the run's N rows, the
//       rows exactly as the daemon journals them (source, id, type, times, the event's text);
//   (b) HTTP: --connections keep-alive connections, each posting NDJSON bodies of --batch
//       distinct meter.power_off events and waiting for the 202 before its next body, until
//       the same N events are in; every 202 must report all --batch accepted.
//   The journal is truncated (and checkpointed) before each; the daemon keeps running. Prints
//   the median rows/s of each and the ratio b/a.
// Latency: an open-loop schedule of --rate events/s for --seconds, in bodies of each size given
//   by --latency-batch (default 1000: 10 bodies a second, and 100: 100 a second), each sent at
//   its scheduled time on an idle connection of a pool (a late send counts against the latency:
//   it is measured from the scheduled time, not from the send), --latency-runs times each (the
//   journal truncated before each). p50/p90/p99/max of schedule -> 202 per run, their medians,
//   and the slowest bodies with their time (to match against the server's log).
//
// Events: meters of the IEEE 8500 feeder in random order, times a few seconds before the send,
// ids distinct across runs (a nonce per process), sources hes-0..3.
#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "adapters/filesystem_source.h"
#include "adapters/journal.h"
#include "bench/storm_events.h"
#include "geo/opendss_reader.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using namespace outage;

namespace {

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double median(std::vector<double> v) { return percentile(std::move(v), 0.5); }

// Bodies of events and the journal rows the daemon would write for them.
struct Batches {
  std::vector<std::string> bodies;
  std::vector<JournalRow> rows;
};

class EventMaker {
 public:
  EventMaker(const NetworkModel& model, std::uint64_t seed) : model_(model), rng_(seed) {
    std::random_device rd;
    nonce_ = fmt::format("{:08x}", static_cast<std::uint32_t>(rd() ^ seed));
  }

  // n events in bodies of `batch`, stamped a few seconds before now.
  Batches make(const std::string& tag, std::size_t n, std::size_t batch, bool with_rows) {
    Batches out;
    const Timestamp now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    std::uniform_int_distribution<std::uint32_t> meter(0, static_cast<std::uint32_t>(model_.service_points().size() - 1));
    std::string body, id, line;
    for (std::size_t i = 0; i < n; ++i) {
      id = fmt::format("{}-{}-{:07}", nonce_, tag, i);
      std::string source = fmt::format("hes-{}", i % 4);
      Timestamp t = now - std::chrono::milliseconds(5000 + (n - i) % 10000);
      line.clear();
      bench::append_gasp_json(line, source, id, t, "", model_.service_points()[meter(rng_)].id);
      body += line;
      body += '\n';
      if (with_rows)
        out.rows.push_back(JournalRow{source, id, "meter.power_off", t, now, line, 0});
      if ((i + 1) % batch == 0 || i + 1 == n) out.bodies.push_back(std::move(body)), body.clear();
    }
    return out;
  }

 private:
  const NetworkModel& model_;
  std::mt19937_64 rng_;
  std::string nonce_;
};

// One keep-alive HTTP/1.1 connection posting bodies, one at a time.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Done = std::function<void(int status, const std::string& body)>;

  Connection(asio::io_context& io, tcp::endpoint ep, std::string host, std::string token)
      : socket_(io), endpoint_(ep), host_(std::move(host)), token_(std::move(token)) {}

  void connect() {
    socket_.connect(endpoint_);
    socket_.set_option(tcp::no_delay(true));
  }

  void post(const std::string& body, Done done) {
    done_ = std::move(done);
    request_ = {};
    request_.method(http::verb::post);
    request_.target("/v1/events");
    request_.version(11);
    request_.set(http::field::host, host_);
    request_.set(http::field::authorization, "Bearer " + token_);
    request_.set(http::field::content_type, "application/x-ndjson");
    request_.keep_alive(true);
    request_.body() = http::span_body<const char>::value_type(body.data(), body.size());
    request_.prepare_payload();
    response_ = {};
    http::async_write(socket_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail(ec);
      http::async_read(self->socket_, self->buffer_, self->response_, [self](beast::error_code ec, std::size_t) {
        if (ec) return self->fail(ec);
        Done d = std::move(self->done_);
        d(static_cast<int>(self->response_.result_int()), self->response_.body());
      });
    });
  }

 private:
  void fail(beast::error_code ec) {
    Done d = std::move(done_);
    d(-1, ec.message());
  }

  tcp::socket socket_;
  tcp::endpoint endpoint_;
  std::string host_, token_;
  beast::flat_buffer buffer_;
  http::request<http::span_body<const char>> request_;
  http::response<http::string_body> response_;
  Done done_;
};

struct Target {
  tcp::endpoint endpoint;
  std::string host, token;
};

bool accepted_all(const std::string& body, std::size_t n) {
  return body.find(fmt::format("\"accepted\":{}", n)) != std::string::npos &&
         body.find("\"duplicates\":0") != std::string::npos;
}

struct ThroughputResult {
  double seconds = 0;
  std::size_t bodies = 0, failed = 0, retried = 0;
  std::vector<double> latency_ms;
  std::string first_error;
};

// Posts every body over `connections` connections, each waiting for its answer before the next.
ThroughputResult post_all(const Target& target, const std::vector<std::string>& bodies, std::size_t connections,
                          std::size_t batch) {
  asio::io_context io;
  ThroughputResult r;
  std::vector<std::shared_ptr<Connection>> conns;
  for (std::size_t i = 0; i < connections; ++i) {
    conns.push_back(std::make_shared<Connection>(io, target.endpoint, target.host, target.token));
    conns.back()->connect();
  }
  std::size_t next = 0;
  std::function<void(std::shared_ptr<Connection>, std::size_t)> send;
  send = [&](std::shared_ptr<Connection> c, std::size_t k) {
    auto sent = SteadyClock::now();
    c->post(bodies[k], [&, c, k, sent](int status, const std::string& body) {
      if (status == 503) {  // overload: the daemon asks to retry
        ++r.retried;
        auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(20));
        timer->async_wait([&, c, k, timer](beast::error_code) { send(c, k); });
        return;
      }
      r.latency_ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - sent).count());
      std::size_t expect = std::count(bodies[k].begin(), bodies[k].end(), '\n');
      if (status != 202 || !accepted_all(body, expect)) {
        ++r.failed;
        if (r.first_error.empty()) r.first_error = fmt::format("{} {}", status, body.substr(0, 300));
        if (status < 0) return;  // the connection is gone
      }
      ++r.bodies;
      if (next < bodies.size()) send(c, next++);
    });
  };
  (void)batch;
  auto start = SteadyClock::now();
  for (auto& c : conns)
    if (next < bodies.size()) send(c, next++);
  io.run();
  r.seconds = seconds_since(start);
  return r;
}

struct LatencyResult {
  std::vector<double> latency_ms;
  std::vector<std::pair<double, double>> by_due;  // (due time from start in s, latency ms)
  std::size_t sent = 0, failed = 0, late_sends = 0;
  double seconds = 0;
  SteadyClock::time_point start;
  std::chrono::system_clock::time_point wall_start;
  std::string first_error;
};

// Open loop: body k is due at start + k * interval; sent then on an idle connection, or as soon
// as one is free (counted as a late send). Latency from the due time to the answer.
LatencyResult paced(const Target& target, const std::vector<std::string>& bodies, std::chrono::nanoseconds interval,
                    std::size_t pool) {
  asio::io_context io;
  LatencyResult r;
  std::vector<std::shared_ptr<Connection>> idle;
  for (std::size_t i = 0; i < pool; ++i) {
    idle.push_back(std::make_shared<Connection>(io, target.endpoint, target.host, target.token));
    idle.back()->connect();
  }
  std::deque<std::size_t> waiting;
  const auto start = SteadyClock::now() + std::chrono::milliseconds(50);
  r.start = start;
  r.wall_start = std::chrono::system_clock::now() + std::chrono::milliseconds(50);
  auto due = [&](std::size_t k) { return start + interval * static_cast<std::int64_t>(k); };
  std::function<void(std::shared_ptr<Connection>, std::size_t)> send;
  send = [&](std::shared_ptr<Connection> c, std::size_t k) {
    ++r.sent;
    c->post(bodies[k], [&, c, k](int status, const std::string& body) {
      r.latency_ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - due(k)).count());
      r.by_due.emplace_back(std::chrono::duration<double>(due(k) - start).count(), r.latency_ms.back());
      std::size_t expect = std::count(bodies[k].begin(), bodies[k].end(), '\n');
      if (status != 202 || !accepted_all(body, expect)) {
        ++r.failed;
        if (r.first_error.empty()) r.first_error = fmt::format("{} {}", status, body.substr(0, 300));
        if (status < 0) return;
      }
      if (!waiting.empty()) {
        std::size_t w = waiting.front();
        waiting.pop_front();
        send(c, w);
      } else {
        idle.push_back(c);
      }
    });
  };
  asio::steady_timer timer(io);
  std::size_t next = 0;
  std::function<void()> tick;
  tick = [&] {
    while (next < bodies.size() && due(next) <= SteadyClock::now()) {
      if (!idle.empty()) {
        auto c = idle.back();
        idle.pop_back();
        send(c, next);
      } else {
        ++r.late_sends;
        waiting.push_back(next);
      }
      ++next;
    }
    if (next < bodies.size()) {
      timer.expires_at(due(next));
      timer.async_wait([&](beast::error_code) { tick(); });
    }
  };
  timer.expires_at(start);
  timer.async_wait([&](beast::error_code) { tick(); });
  io.run();
  r.seconds = seconds_since(start);
  return r;
}

void reset(pqxx::connection& sql) {
  pqxx::nontransaction tx(sql);
  tx.exec("TRUNCATE outage.journal, outage.dead_letters");
  try {
    tx.exec("CHECKPOINT");
  } catch (const pqxx::sql_error&) {
  }
}

std::int64_t journal_rows(pqxx::connection& sql) {
  pqxx::nontransaction tx(sql);
  return tx.exec1("SELECT count(*) FROM outage.journal")[0].as<std::int64_t>();
}

}  // namespace

int http_main(int argc, char** argv) {
  CLI::App app{"outage-ingest-bench http: durable HTTP ingest against COPY, and acknowledgement latency"};
  std::string url = "127.0.0.1:8080", token, db, data = OUTAGE_SHARED_DATA;
  std::size_t events = 200'000, batch = 1000, connections = 8, runs = 5, pool = 32, latency_runs = 3;
  double rate = 10'000, seconds = 30;
  std::vector<std::size_t> latency_batches{1000, 100};
  bool skip_throughput = false, skip_latency = false;
  app.add_option("--url", url, "the daemon: [http://]HOST:PORT")->capture_default_str();
  app.add_option("--token", token, "a producer or admin token (default: $OUTAGE_ADMIN_TOKEN)");
  app.add_option("--db", db, "the daemon's database (libpq string; empty: the PG* variables)")->required();
  app.add_option("--data", data, "shared data folder")->capture_default_str();
  app.add_option("--events,-n", events, "events per throughput run")->capture_default_str();
  app.add_option("--batch", batch, "events per body (throughput)")->capture_default_str();
  app.add_option("--connections", connections, "concurrent connections (throughput)")->capture_default_str();
  app.add_option("--runs", runs, "throughput runs (the median is printed)")->capture_default_str();
  app.add_option("--rate", rate, "events/s of the latency schedule")->capture_default_str();
  app.add_option("--seconds", seconds, "length of each latency schedule")->capture_default_str();
  app.add_option("--latency-batch", latency_batches, "events per body of the latency schedules")->capture_default_str();
  app.add_option("--latency-runs", latency_runs, "runs of each latency schedule (medians printed)")->capture_default_str();
  app.add_option("--pool", pool, "connections of the latency schedule's pool")->capture_default_str();
  app.add_flag("--skip-throughput", skip_throughput);
  app.add_flag("--skip-latency", skip_latency);
  CLI11_PARSE(app, argc, argv);
  if (token.empty())
    if (const char* t = std::getenv("OUTAGE_ADMIN_TOKEN")) token = t;
  if (url.rfind("http://", 0) == 0) url = url.substr(7);
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto colon = url.rfind(':');
  if (colon == std::string::npos || token.empty() || batch == 0 || connections == 0 || runs == 0) {
    fmt::print(stderr, "need --url HOST:PORT, a token, and positive sizes\n");
    return 2;
  }
  Target target;
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    target.endpoint = *resolver.resolve(url.substr(0, colon), url.substr(colon + 1)).begin();
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", url, e.what());
    return 2;
  }
  target.host = url;
  target.token = token;

  FilesystemSource files;
  auto model = read_opendss(files, data + "/feeders/ieee8500/Run_RecloserSiting.DSS");
  if (!model) {
    fmt::print(stderr, "{}\n", model.error().message);
    return 2;
  }
  auto journal = Journal::open(db);
  if (!journal) {
    fmt::print(stderr, "{}\n", journal.error().message);
    return 1;
  }
  pqxx::connection sql(db);
  EventMaker maker(*model, 8500);
  int status = 0;

  if (!skip_throughput) {
    fmt::print("throughput: {} meter.power_off events a run, NDJSON bodies of {}, {} connections; {} runs\n", events,
               batch, connections, runs);
    std::vector<double> copy_rate, http_rate, ratios;
    std::vector<double> latencies;
    for (std::size_t run = 1; run <= runs; ++run) {
      Batches b = maker.make(fmt::format("t{}", run), events, batch, true);
      reset(sql);
      auto t = SteadyClock::now();
      auto outcome = journal->append(b.rows, {});
      double a = seconds_since(t);
      if (!outcome) {
        fmt::print(stderr, "copy: {}\n", outcome.error().message);
        return 1;
      }
      b.rows.clear();
      b.rows.shrink_to_fit();
      reset(sql);
      ThroughputResult h = post_all(target, b.bodies, connections, batch);
      std::int64_t in_journal = journal_rows(sql);
      copy_rate.push_back(static_cast<double>(events) / a);
      http_rate.push_back(static_cast<double>(events) / h.seconds);
      ratios.push_back(a / h.seconds);
      latencies.insert(latencies.end(), h.latency_ms.begin(), h.latency_ms.end());
      fmt::print("run {}: COPY {:.2f} s ({:.0f} rows/s); HTTP {:.2f} s ({:.0f} events/s, {} bodies, {} failed, {} retried "
                 "after 503, p50 {:.1f} ms, p99 {:.1f} ms; {} rows in the journal)\n",
                 run, a, events / a, h.seconds, events / h.seconds, h.bodies, h.failed, h.retried,
                 percentile(h.latency_ms, 0.5), percentile(h.latency_ms, 0.99), in_journal);
      if (h.failed || in_journal != static_cast<std::int64_t>(events)) {
        fmt::print(stderr, "HTTP: {} bodies failed ({}); {} of {} rows in the journal\n", h.failed, h.first_error,
                   in_journal, events);
        status = 1;
      }
    }
    double a = median(copy_rate), h = median(http_rate);
    fmt::print("\n| {:<52} | {:>18} |\n", "durable ingest, median of runs", "");
    fmt::print("|{:-<54}|{:->20}|\n", "", "");
    fmt::print("| {:<52} | {:>12.0f} /s |\n", "(a) binary COPY into outage.journal, rows", a);
    fmt::print("| {:<52} | {:>12.0f} /s |\n", fmt::format("(b) HTTP POST /v1/events, {} x {}, events", connections, batch), h);
    fmt::print("| {:<52} | {:>15.3f} |\n", "ratio b/a of the medians (goal >= 0.5)", h / a);
    fmt::print("| {:<52} | {:>15.3f} |\n", "ratio b/a, median of the runs' ratios", median(ratios));
    fmt::print("| {:<52} | {:>12.1f} ms |\n", "  (b) per body, POST -> 202, p50 (all runs)", percentile(latencies, 0.5));
    fmt::print("| {:<52} | {:>12.1f} ms |\n", "  (b) per body, POST -> 202, p99 (all runs)", percentile(latencies, 0.99));
  }

  if (!skip_latency) {
    struct Summary {
      std::string shape;
      std::vector<double> p50, p90, p99, max;
      std::vector<double> all;
    };
    std::vector<Summary> summaries;
    for (std::size_t lb : latency_batches) {
      Summary sum;
      sum.shape = fmt::format("{} x {} / s", static_cast<int>(rate / static_cast<double>(lb)), lb);
      for (std::size_t run = 1; run <= latency_runs; ++run) {
        const std::size_t n = static_cast<std::size_t>(rate * seconds);
        Batches b = maker.make(fmt::format("l{}r{}", lb, run), n, lb, false);
        reset(sql);
        auto interval = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * static_cast<double>(lb) / rate));
        LatencyResult l = paced(target, b.bodies, interval, pool);
        sum.p50.push_back(percentile(l.latency_ms, 0.5));
        sum.p90.push_back(percentile(l.latency_ms, 0.9));
        sum.p99.push_back(percentile(l.latency_ms, 0.99));
        sum.max.push_back(percentile(l.latency_ms, 1.0));
        sum.all.insert(sum.all.end(), l.latency_ms.begin(), l.latency_ms.end());
        auto slow = l.by_due;
        std::sort(slow.begin(), slow.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        std::string slowest;
        for (std::size_t i = 0; i < std::min<std::size_t>(5, slow.size()); ++i)
          slowest += fmt::format(" {:.0f} ms at {:.1f} s;", slow[i].second, slow[i].first);
        fmt::print("latency run {} ({}, {:.0f} s from {:%H:%M:%S} UTC): {} bodies, {} failed, {} sent late; p50 {:.1f} ms, "
                   "p90 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms; slowest:{}\n",
                   run, sum.shape, seconds, std::chrono::floor<std::chrono::milliseconds>(l.wall_start), l.sent,
                   l.failed, l.late_sends, sum.p50.back(), sum.p90.back(), sum.p99.back(), sum.max.back(), slowest);
        if (l.failed) {
          fmt::print(stderr, "latency: {} bodies failed ({})\n", l.failed, l.first_error);
          status = 1;
        }
      }
      summaries.push_back(std::move(sum));
    }
    fmt::print("\nacknowledgement latency at {:.0f} events/s (schedule -> 202), median over {} runs of {:.0f} s\n", rate,
               latency_runs, seconds);
    fmt::print("| {:<16} | {:>9} | {:>9} | {:>9} | {:>9} | {:>22} |\n", "bodies", "p50", "p90", "p99", "max",
               "p99 of all runs pooled");
    fmt::print("|{:-<18}|{:->11}|{:->11}|{:->11}|{:->11}|{:->24}|\n", "", "", "", "", "", "");
    for (const Summary& sum : summaries)
      fmt::print("| {:<16} | {:>6.1f} ms | {:>6.1f} ms | {:>6.1f} ms | {:>6.1f} ms | {:>19.1f} ms |\n", sum.shape,
                 median(sum.p50), median(sum.p90), median(sum.p99), median(sum.max), percentile(sum.all, 0.99));
  }
  return status;
}
