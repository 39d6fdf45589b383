// outage-journal-bench: how fast events become durable in the journal.
//
//   (a) copy:  one Journal::append of all N rows: a single transaction with one binary COPY into
//              outage.journal, the most the table takes;
//   (b) group: a GroupCommitter fed by --producers threads, each submitting batches of --batch
//              rows and waiting for each receipt before it submits the next (as HTTP sessions
//              do), so the committer batches what arrives while a transaction is under way.
//
// The rows are realistic meter.power_off events (~110-byte JSON bodies). The journal is
// truncated before every measurement; (a) and (b) alternate within each run. Prints the
// median rows/s of each over --runs, the ratio b/a, and p50/p99 of submit -> receipt.
//
//   pg_virtualenv -t -v 15 build/outage-journal-bench --db ""
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <future>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "adapters/group_committer.h"
#include "adapters/journal.h"

namespace {

using SteadyClock = std::chrono::steady_clock;
using outage::CommitReceipt;
using outage::CommitRequest;
using outage::JournalRow;
using outage::Result;
using outage::Timestamp;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

template <typename T>
T median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? T() : v[v.size() / 2];
}

// N meter.power_off events, as an AMI head-end would send them during a storm.
std::vector<JournalRow> make_rows(std::size_t n, Timestamp now) {
  std::vector<JournalRow> rows;
  rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string id = fmt::format("a{:07}", i);
    Timestamp t = now - std::chrono::milliseconds(n - i);
    std::string body = fmt::format(
        R"({{"id":"{}","type":"meter.power_off","time":"2026-11-23T08:{:02}:{:02}.{:03}Z","source":"hes-1","meter":"M{:08}"}})",
        id, i / 60000 % 60, i / 1000 % 60, i % 1000, (i * 7919) % 100'000'000);
    rows.push_back(JournalRow{"hes-1", std::move(id), "meter.power_off", t, t + std::chrono::milliseconds(40), std::move(body)});
  }
  return rows;
}

void reset(pqxx::connection& sql) {
  pqxx::nontransaction tx(sql);
  tx.exec("TRUNCATE outage.journal, outage.dead_letters");
  try {
    tx.exec("CHECKPOINT");  // the same start for every measurement (superuser only)
  } catch (const pqxx::sql_error&) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Journal throughput: plain binary COPY against the group committer"};
  std::string db;
  std::size_t rows = 1'000'000, batch = 1000, producers = 8, runs = 3, per_transaction = 20'000;
  app.add_option("--db", db, "libpq connection string; empty: the PG* environment variables")->required();
  app.add_option("--rows", rows, "events per measurement")->capture_default_str();
  app.add_option("--runs", runs, "measurements of each kind (the median is reported)")->capture_default_str();
  app.add_option("--producers", producers, "threads submitting to the group committer")->capture_default_str();
  app.add_option("--batch", batch, "rows per submitted request")->capture_default_str();
  app.add_option("--max-rows-per-transaction", per_transaction, "GroupCommitterOptions::max_rows_per_transaction")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (rows == 0 || batch == 0 || producers == 0 || runs == 0) {
    std::fprintf(stderr, "--rows, --batch, --producers and --runs must be positive\n");
    return 2;
  }

  auto journal = outage::Journal::open(db);
  if (!journal) {
    std::fprintf(stderr, "%s\n", journal.error().message.c_str());
    return outage::exit_code(journal.error().code);
  }
  pqxx::connection sql(db);
  const Timestamp now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const std::vector<JournalRow> events = make_rows(rows, now);
  std::size_t bytes = 0;
  for (const JournalRow& r : events) bytes += r.body.size();
  std::printf("%zu rows, bodies %.1f bytes on average; %zu producers x batches of %zu; %zu runs\n", rows,
              double(bytes) / double(rows), producers, batch, runs);

  std::vector<double> copy_rate, group_rate, latencies_ms;
  for (std::size_t run = 1; run <= runs; ++run) {
    // (a) one COPY of everything.
    reset(sql);
    std::vector<JournalRow> all = events;
    auto start = SteadyClock::now();
    auto outcome = journal->append(all, {});
    double a = seconds_since(start);
    if (!outcome) {
      std::fprintf(stderr, "copy: %s\n", outcome.error().message.c_str());
      return outage::exit_code(outcome.error().code);
    }
    all.clear();
    all.shrink_to_fit();
    copy_rate.push_back(double(rows) / a);

    // (b) the group committer.
    reset(sql);
    auto committer_journal = outage::Journal::open(db);
    if (!committer_journal) {
      std::fprintf(stderr, "%s\n", committer_journal.error().message.c_str());
      return 1;
    }
    outage::GroupCommitterOptions options;
    options.max_rows_per_transaction = per_transaction;
    options.max_queued_rows = std::max<std::size_t>(options.max_queued_rows, 2 * producers * batch);
    // The time spent in Journal::append, summed (the rest is the writer's own work and waiting).
    std::chrono::microseconds in_append{0};
    outage::GroupCommitter* self = nullptr;
    options.on_committed = [&](std::span<const JournalRow>) { in_append += self->stats().last_commit_latency; };
    auto committer = outage::GroupCommitter::start(std::move(*committer_journal), now, options);
    if (!committer) {
      std::fprintf(stderr, "%s\n", committer.error().message.c_str());
      return 1;
    }
    self = committer->get();
    std::vector<CommitRequest> requests;
    for (std::size_t first = 0; first < rows; first += batch) {
      CommitRequest r;
      r.rows.assign(events.begin() + static_cast<std::ptrdiff_t>(first),
                    events.begin() + static_cast<std::ptrdiff_t>(std::min(rows, first + batch)));
      requests.push_back(std::move(r));
    }
    std::vector<std::vector<double>> waited(producers);
    std::atomic<std::size_t> refused{0}, failed{0};
    start = SteadyClock::now();
    std::vector<std::thread> threads;
    for (std::size_t p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        // Each producer has one request in flight at most, and the queue takes them all: submit
        // never refuses one here (a refused request would be gone: it is passed by value).
        for (std::size_t k = p; k < requests.size(); k += producers) {
          std::promise<Result<CommitReceipt>> promise;
          auto receipt = promise.get_future();
          auto submitted = SteadyClock::now();
          if (!(*committer)->submit(std::move(requests[k]),
                                    [&promise](Result<CommitReceipt> r) { promise.set_value(std::move(r)); })) {
            ++refused;
            ++failed;
            continue;
          }
          Result<CommitReceipt> r = receipt.get();
          waited[p].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - submitted).count());
          if (!r) ++failed;
        }
      });
    }
    for (auto& t : threads) t.join();
    double b = seconds_since(start);
    (*committer)->stop();
    outage::GroupCommitterStats s = (*committer)->stats();
    group_rate.push_back(double(rows) / b);
    std::vector<double> this_run;
    for (auto& w : waited) this_run.insert(this_run.end(), w.begin(), w.end());
    latencies_ms.insert(latencies_ms.end(), this_run.begin(), this_run.end());
    std::sort(this_run.begin(), this_run.end());
    std::printf(
        "run %zu: copy %.2f s (%.0f rows/s); group %.2f s (%.0f rows/s, %llu transactions, %.0f rows each, %.2f s "
        "in Journal::append; p50 %.1f ms, p99 %.1f ms; %zu refused, %zu failed)\n",
        run, a, double(rows) / a, b, double(rows) / b, static_cast<unsigned long long>(s.transactions),
        double(s.rows_committed) / double(std::max<std::uint64_t>(s.transactions, 1)),
        double(in_append.count()) / 1e6, this_run[this_run.size() / 2],
        this_run[std::min(this_run.size() - 1, this_run.size() * 99 / 100)], refused.load(), failed.load());
    if (failed || s.rows_committed != rows) {
      std::fprintf(stderr, "group: %zu requests failed, %llu rows committed of %zu\n", failed.load(),
                   static_cast<unsigned long long>(s.rows_committed), rows);
      return 1;
    }
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double a = median(copy_rate), b = median(group_rate);
  std::printf("median: copy %.0f rows/s, group commit %.0f rows/s, ratio b/a %.2f\n", a, b, b / a);
  std::printf("submit -> receipt over %zu batches: p50 %.1f ms, p99 %.1f ms\n", latencies_ms.size(),
              latencies_ms[latencies_ms.size() / 2],
              latencies_ms[std::min(latencies_ms.size() - 1, latencies_ms.size() * 99 / 100)]);
  return 0;
}
