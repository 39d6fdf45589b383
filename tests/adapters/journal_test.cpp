// Integration tests of Journal and GroupCommitter against a real PostgreSQL.
//
// The database: OUTAGE_TEST_DSN if set, else libpq's defaults when PGHOST or PGDATABASE is set
// (`pg_virtualenv -t -v 15 build/tests/outage_adapter_tests --gtest_filter='Journal*:GroupCommit*'`),
// else every test skips. Tests share the journal, so each writes under sources of its own
// (named after the test and the process) and counts only those.
//
// A lost database is simulated two ways: pg_terminate_backend on the journal's connection (the
// next connection works), and a TCP proxy between the journal and the server that the test cuts
// (while it is cut, connections are closed as soon as they are made) and restores.
#include "adapters/group_committer.h"
#include "adapters/journal.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fmt/format.h>
#include <future>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <thread>

#include <libpq-fe.h>

using outage::AppendOutcome;
using outage::CommitReceipt;
using outage::CommitRequest;
using outage::DeadLetter;
using outage::ErrorCode;
using outage::GroupCommitterOptions;
using outage::JournalRow;
using outage::Result;
using outage::Status;
using outage::Timestamp;

namespace {

using namespace std::chrono_literals;

std::optional<std::string> test_dsn() {
  if (const char* dsn = std::getenv("OUTAGE_TEST_DSN")) return std::string(dsn);
  if (std::getenv("PGHOST") || std::getenv("PGDATABASE")) return std::string();
  return std::nullopt;
}

// A name no earlier call or run used (the database may outlive a run when OUTAGE_TEST_DSN is
// set, and --gtest_repeat runs a test again in the same database).
std::string unique_source(std::string_view what) {
  static const std::string run = fmt::format(
      "{}-{}", getpid(), std::chrono::system_clock::now().time_since_epoch().count() % 1'000'000'007);
  static std::atomic<int> calls{0};
  return fmt::format("{}-{}-{}", what, run, ++calls);
}

Timestamp now_ms() { return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

// A meter.power_off as a producer would send it.
JournalRow event(const std::string& source, const std::string& id, Timestamp time, std::string body = {}) {
  if (body.empty())
    body = fmt::format(R"({{"id":"{}","type":"meter.power_off","time":"{}","source":"{}","meter":"M{}"}})", id,
                       time.time_since_epoch().count(), source, id);
  return JournalRow{source, id, "meter.power_off", time, time + 250ms, std::move(body)};
}

std::string describe(const JournalRow& r) {
  return fmt::format("seq {} {}/{} {} t={} r={} body={}", r.seq, r.source, r.event_id, r.type,
                     r.event_time.time_since_epoch().count(), r.received_at.time_since_epoch().count(), r.body);
}

// Waits for a callback's result (a minute at most, so that a bug fails the test instead of
// hanging it; nothing is asserted about how long it takes).
template <typename T>
T await(std::future<T>& f) {
  if (f.wait_for(60s) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within a minute";
    std::abort();
  }
  return f.get();
}

// Submits `request`; the receipt's future (or nullopt when submit refused it).
std::optional<std::future<Result<CommitReceipt>>> submit(outage::GroupCommitter& c, CommitRequest request) {
  auto promise = std::make_shared<std::promise<Result<CommitReceipt>>>();
  auto future = promise->get_future();
  if (!c.submit(std::move(request), [promise](Result<CommitReceipt> r) { promise->set_value(std::move(r)); }))
    return std::nullopt;
  return future;
}

Result<CommitReceipt> commit(outage::GroupCommitter& c, CommitRequest request) {
  auto f = submit(c, std::move(request));
  if (!f) return outage::unavailable("submit refused the request");
  return await(*f);
}

// Blocks the thread that calls wait() (the committer's writer, from on_committed) until open().
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    entered_ = true;
    changed_.notify_all();
    changed_.wait_for(lock, 60s, [&] { return open_; });  // bounded: a failed test must not hang
  }
  // False if no thread came within a minute (a bug: the test fails instead of hanging).
  [[nodiscard]] bool await_entered() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 60s, [&] { return entered_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool entered_ = false, open_ = false;
};

// A TCP proxy on 127.0.0.1 in front of the test's server. cut(): closes every connection
// through it, and from then on closes new ones at once (a server that went away); restore().
// cut_after_next_commit(stay_cut): passes the next COMMIT on to the server, then closes the
// client's side of that connection at once (the client never hears whether it committed);
// with stay_cut, the proxy is then cut as by cut().
class TcpProxy {
 public:
  explicit TcpProxy(const std::string& dsn) {
    pqxx::connection probe(dsn);
    upstream_host_ = probe.hostname() ? probe.hostname() : "";
    upstream_port_ = probe.port() ? probe.port() : "5432";
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener_, 64) != 0)
      throw std::runtime_error("proxy: cannot listen");
    socklen_t len = sizeof addr;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (pipe(wake_) != 0) throw std::runtime_error("proxy: pipe");
    thread_ = std::thread([this] { run(); });
  }
  ~TcpProxy() {
    command('q');
    thread_.join();
    close(listener_);
    close(wake_[0]);
    close(wake_[1]);
  }

  int port() const { return port_; }
  void cut() { command('c'); }
  void restore() { command('r'); }
  void cut_after_next_commit(bool stay_cut) { command(stay_cut ? 'K' : 'k'); }

  // `dsn` with its host and port replaced by the proxy's.
  std::string dsn_through(const std::string& dsn) const {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
    if (!options) {
      std::string reason = error ? error : "?";
      PQfreemem(error);
      throw std::runtime_error("proxy: cannot parse the DSN: " + reason);
    }
    std::string out;
    for (PQconninfoOption* o = options; o->keyword; ++o) {
      std::string_view k = o->keyword;
      if (!o->val || k == "host" || k == "hostaddr" || k == "port") continue;
      std::string value;
      for (const char* c = o->val; *c; ++c) {
        if (*c == '\'' || *c == '\\') value += '\\';
        value += *c;
      }
      out += fmt::format("{}='{}' ", k, value);
    }
    PQconninfoFree(options);
    return out + fmt::format("host=127.0.0.1 port={} connect_timeout=5", port_);
  }

 private:
  void command(char c) {
    std::unique_lock lock(mutex_);
    done_ = false;
    if (write(wake_[1], &c, 1) != 1) throw std::runtime_error("proxy: wake");
    changed_.wait(lock, [&] { return done_; });
  }

  int connect_upstream() const {
    if (!upstream_host_.empty() && upstream_host_[0] == '/') {
      int fd = socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::string path = fmt::format("{}/.s.PGSQL.{}", upstream_host_, upstream_port_);
      std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
      close(fd);
      return -1;
    }
    addrinfo hints{}, *found = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(upstream_host_.empty() ? "localhost" : upstream_host_.c_str(), upstream_port_.c_str(), &hints,
                    &found) != 0)
      return -1;
    int fd = -1;
    for (addrinfo* a = found; a; a = a->ai_next) {
      fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
      if (fd >= 0) close(fd);
      fd = -1;
    }
    freeaddrinfo(found);
    return fd;
  }

  void close_all() {
    for (auto [a, b] : pairs_) {
      close(a);
      close(b);
    }
    pairs_.clear();
    for (int d : draining_) close(d);
    draining_.clear();
  }

  static bool write_all(int fd, const char* data, ssize_t n) {
    while (n > 0) {
      ssize_t w = send(fd, data, static_cast<std::size_t>(n), MSG_NOSIGNAL);
      if (w <= 0) return false;
      data += w;
      n -= w;
    }
    return true;
  }

  void run() {
    std::vector<char> buffer(1 << 16);
    for (;;) {
      std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
      for (auto [a, b] : pairs_) {
        fds.push_back({a, POLLIN, 0});
        fds.push_back({b, POLLIN, 0});
      }
      const std::size_t pair_fds = fds.size();  // then the draining connections
      for (int d : draining_) fds.push_back({d, POLLIN, 0});
      if (poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents) {
        char c = 0;
        if (read(wake_[0], &c, 1) == 1) {
          if (c == 'c') {
            up_ = false;
            close_all();
          }
          if (c == 'r') up_ = true;
          if (c == 'k' || c == 'K') {
            armed_ = true;
            stay_cut_ = c == 'K';
          }
          if (c == 'q') close_all();
          std::lock_guard lock(mutex_);
          done_ = true;
          changed_.notify_all();
          if (c == 'q') return;
        }
        continue;  // the pairs may have changed
      }
      if (fds[1].revents) {
        int client = accept(listener_, nullptr, nullptr);
        if (client >= 0) {
          int server = up_ ? connect_upstream() : -1;
          if (server < 0)
            close(client);
          else
            pairs_.emplace_back(client, server);
        }
      }
      std::set<std::size_t> broken, committed;  // indexes into pairs_ (accept only appends to it)
      for (std::size_t i = 2; i < pair_fds; ++i) {
        if (!fds[i].revents) continue;
        std::size_t pair = (i - 2) / 2;
        auto [a, b] = pairs_[pair];
        int from = fds[i].fd, to = from == a ? b : a;
        ssize_t n = recv(from, buffer.data(), buffer.size(), 0);
        if (n <= 0 || !write_all(to, buffer.data(), n)) {
          broken.insert(pair);
        } else if (armed_ && from == a && std::string_view(buffer.data(), n).find("COMMIT") != std::string_view::npos) {
          armed_ = false;
          committed.insert(pair);
        }
      }
      // Drained connections: the server's answers are dropped until it closes.
      for (std::size_t i = pair_fds; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        if (recv(fds[i].fd, buffer.data(), buffer.size(), 0) <= 0) {
          close(fds[i].fd);
          std::erase(draining_, fds[i].fd);
        }
      }
      for (auto it = pairs_.size(); it-- > 0;) {
        if (!broken.contains(it) && !committed.contains(it)) continue;
        close(pairs_[it].first);
        if (committed.contains(it) && !broken.contains(it)) {
          shutdown(pairs_[it].second, SHUT_WR);  // the server reads the COMMIT, then the end
          draining_.push_back(pairs_[it].second);
        } else {
          close(pairs_[it].second);
        }
        pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(it));
      }
      if (!committed.empty() && stay_cut_) {
        up_ = false;
        close_all();
      }
    }
  }

  std::string upstream_host_, upstream_port_;
  int listener_ = -1, port_ = 0, wake_[2] = {-1, -1};
  bool up_ = true, armed_ = false, stay_cut_ = false;  // the proxy thread's, like the two below
  std::vector<int> draining_;
  std::vector<std::pair<int, int>> pairs_;  // (client, server), the proxy thread's
  std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

// The fixture shares the adapter's name so that tests read "Journal.SomethingHappens".
class Journal : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> dsn = test_dsn();
    if (!dsn) GTEST_SKIP() << "no database: set OUTAGE_TEST_DSN, or run under pg_virtualenv (PGHOST)";
    dsn_ = *dsn;
    journal_ = open_journal();
    ASSERT_TRUE(journal_.has_value());
    sql_.emplace(dsn_);
  }

  // A journal whose connection is named `app` (application_name, through PGAPPNAME), so that a
  // test can find its server process.
  std::optional<outage::Journal> open_journal(const std::string& app = "outage-journal-test",
                                              std::optional<std::string> dsn = std::nullopt) {
    setenv("PGAPPNAME", app.c_str(), 1);
    auto j = outage::Journal::open(dsn.value_or(dsn_));
    unsetenv("PGAPPNAME");
    EXPECT_TRUE(j.ok()) << j.error().message;
    if (!j.ok()) return std::nullopt;
    return std::move(j).value();
  }

  outage::Journal& journal() { return *journal_; }

  // The first column of the first row of `query`, as text ("NULL" for null).
  std::string sql(const std::string& query) {
    pqxx::work tx(*sql_);
    pqxx::result r = tx.exec(query);
    tx.commit();
    return r.empty() || r[0][0].is_null() ? "NULL" : r[0][0].c_str();
  }

  long rows_from(const std::string& source) {
    return std::stol(sql("SELECT count(*) FROM outage.journal WHERE source = " + sql_->quote(source)));
  }

  // Terminates the server processes of connections named `app`; waits until they are gone.
  void terminate(const std::string& app) {
    std::string n = sql("SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE application_name = " +
                        sql_->quote(app));
    ASSERT_NE(n, "0") << "no connection named " << app;
  }

  // The rows of `source` after `after_seq`, replayed.
  std::vector<JournalRow> replayed(const std::string& source, std::int64_t after_seq = 0) {
    std::vector<JournalRow> out;
    Status s = journal().replay(after_seq, [&](const JournalRow& r) -> Status {
      if (r.source == source) out.push_back(r);
      return {};
    });
    EXPECT_TRUE(s.ok()) << s.error().message;
    return out;
  }

  std::string dsn_;
  std::optional<outage::Journal> journal_;
  std::optional<pqxx::connection> sql_;
};

TEST_F(Journal, AppendThenReplayGivesTheRowsBackInSeqOrderByteForByte) {
  const std::string source = unique_source("round-trip");
  auto before = journal().last_seq();
  ASSERT_TRUE(before.ok()) << before.error().message;
  const Timestamp t = now_ms();
  std::vector<JournalRow> rows = {
      event(source, "e1", t),
      event(source, "e2", t + 1ms, R"({"note":"Ünïcödé 停电了 ⚡🌩 \"quoted\" back\\slash \\N tab	end"})"),
      event(source, "e3", t - 5ms, std::string("raw bytes: \\ \" ' \t \n \r \x01 \x7f é")),
      event(source, "€-id with spaces", Timestamp(std::chrono::milliseconds(946'684'799'999)), "{}"),  // 1999-12-31T23:59:59.999Z
      event(source, "before 1970", Timestamp(std::chrono::milliseconds(-1'234'567'891)), ""),
  };
  rows[4].body.clear();  // an empty body is stored as such
  std::vector<JournalRow> sent = rows;
  auto outcome = journal().append(rows, {});
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->duplicates.empty());
  EXPECT_EQ(outcome->first_seq, *before + 1);
  EXPECT_EQ(outcome->last_seq, *before + 5);
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].seq, *before + 1 + static_cast<std::int64_t>(i));

  auto last = journal().last_seq();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, *before + 5);
  std::vector<JournalRow> back = replayed(source, *before);
  ASSERT_EQ(back.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    sent[i].seq = rows[i].seq;
    EXPECT_EQ(describe(back[i]), describe(sent[i]));
    EXPECT_EQ(back[i].body, sent[i].body) << "byte for byte";
  }
}

TEST_F(Journal, ReplayReadsInChunksAndStopsAtTheVisitorsError) {
  const std::string source = unique_source("chunks");
  auto before = journal().last_seq();
  ASSERT_TRUE(before.ok());
  std::vector<JournalRow> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(event(source, fmt::format("c{}", i), now_ms()));
  ASSERT_TRUE(journal().append(rows, {}).ok());

  std::vector<std::int64_t> seqs;
  Status s = journal().replay(*before, [&](const JournalRow& r) -> Status {
    if (r.source == source) seqs.push_back(r.seq);
    return {};
  }, 3);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(seqs.size(), 10u);
  for (std::size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], rows[i].seq);

  int visited = 0;
  Status stopped = journal().replay(*before, [&](const JournalRow&) -> Status {
    return ++visited == 4 ? Status(outage::not_found("stop here")) : Status();
  }, 3);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code, ErrorCode::not_found);
  EXPECT_EQ(stopped.error().message, "stop here");
  EXPECT_EQ(visited, 4);
}

TEST_F(Journal, DeadLettersAreStoredWithTheirReason) {
  const std::string source = unique_source("dead");
  const Timestamp t = now_ms();
  std::vector<DeadLetter> dead = {
      {t, source, "d1", "meter.power_off", "field 'meter': unknown meter 'M9'", R"({"id":"d1","meter":"M9"})"},
      {t + 1ms, source, "", "", "field 'gateway': unknown gateway 'G7' — 网关", "{\"gateway\":\"G7\"}"},
  };
  std::vector<JournalRow> none;
  auto outcome = journal().append(none, dead);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->first_seq, 0);

  auto recent = journal().recent_dead_letters(2);
  ASSERT_TRUE(recent.ok()) << recent.error().message;
  ASSERT_EQ(recent->size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const DeadLetter &got = (*recent)[1 - i], &want = dead[i];  // most recent first
    EXPECT_EQ(got.received_at, want.received_at);
    EXPECT_EQ(got.source, want.source);
    EXPECT_EQ(got.event_id, want.event_id);
    EXPECT_EQ(got.type, want.type);
    EXPECT_EQ(got.reason, want.reason);
    EXPECT_EQ(got.body, want.body);
  }
  EXPECT_EQ(rows_from(source), 0) << "dead letters are not journal rows";
}

TEST_F(Journal, KeysTheJournalHoldsOrThatRepeatAreDuplicatesAndTheRestIsWritten) {
  const std::string source = unique_source("dup");
  const Timestamp t = now_ms();
  std::vector<JournalRow> first = {event(source, "a", t, "first a"), event(source, "b", t, "first b")};
  ASSERT_TRUE(journal().append(first, {}).ok());

  std::vector<JournalRow> second = {event(source, "b", t, "second b"), event(source, "c", t, "first c"),
                                    event(source, "c", t, "second c"), event(source, "d", t, "first d")};
  std::vector<DeadLetter> dead = {{t, source, "x", "meter.power_off", "unknown meter", "{}"}};
  auto outcome = journal().append(second, dead);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->duplicates, (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(second[0].seq, 0);
  EXPECT_EQ(second[2].seq, 0);
  EXPECT_EQ(second[1].seq, first[1].seq + 1);
  EXPECT_EQ(second[3].seq, second[1].seq + 1) << "the written rows' seqs stay consecutive";
  EXPECT_EQ(outcome->first_seq, second[1].seq);
  EXPECT_EQ(outcome->last_seq, second[3].seq);

  std::vector<JournalRow> back = replayed(source);
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[0].body, "first a");
  EXPECT_EQ(back[1].body, "first b");
  EXPECT_EQ(back[2].body, "first c");
  EXPECT_EQ(back[3].body, "first d");
  auto recent = journal().recent_dead_letters(1);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].source, source) << "the dead letters of the fallback transaction are written too";
}

TEST_F(Journal, WhatTheServerCannotStoreIsInvalidInputAndWritesNothing) {
  const std::string source = unique_source("invalid");
  std::vector<JournalRow> rows = {event(source, "ok", now_ms()), event(source, "no time", outage::kNoTime)};
  auto outcome = journal().append(rows, {});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::invalid_input) << outcome.error().message;

  rows = {event(source, "ok", now_ms()), event(source, "nul", now_ms(), std::string("a\0b", 3))};
  outcome = journal().append(rows, {});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::invalid_input) << outcome.error().message;

  if (sql("SHOW server_encoding") == "UTF8") {
    rows = {event(source, "ok", now_ms()), event(source, "latin1", now_ms(), "caf\xe9")};
    outcome = journal().append(rows, {});
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.error().code, ErrorCode::invalid_input) << outcome.error().message;
  }
  EXPECT_EQ(rows_from(source), 0);
}

TEST_F(Journal, ForEachKeySinceGivesTheKeysOfTheRecentRows) {
  const std::string source = unique_source("keys");
  const Timestamp t = now_ms();
  std::vector<JournalRow> rows = {event(source, "old", t - 48h), event(source, "edge", t - 24h),
                                  event(source, "new", t)};
  ASSERT_TRUE(journal().append(rows, {}).ok());
  std::map<std::string, Timestamp> keys;
  Status s = journal().for_each_key_since(t - 24h, [&](std::string_view src, std::string_view id, Timestamp time) {
    if (src == source) keys.emplace(std::string(id), time);
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(keys, (std::map<std::string, Timestamp>{{"edge", t - 24h}, {"new", t}}));
}

TEST_F(Journal, ALostConnectionIsUnavailableWritesNothingAndTheNextCallReconnects) {
  const std::string source = unique_source("lost");
  const std::string app = unique_source("journal-lost");
  std::optional<outage::Journal> j = open_journal(app);
  ASSERT_TRUE(j);
  terminate(app);
  std::vector<JournalRow> rows = {event(source, "1", now_ms())};
  auto failed = j->append(rows, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::unavailable) << failed.error().message;
  EXPECT_EQ(rows_from(source), 0);
  auto committed = j->committed(rows);
  ASSERT_TRUE(committed.ok()) << committed.error().message;
  EXPECT_FALSE(*committed);

  auto again = j->append(rows, {});
  ASSERT_TRUE(again.ok()) << "the journal connects again on its next call: " << again.error().message;
  EXPECT_EQ(rows_from(source), 1);
}

TEST_F(Journal, CommittedTellsWhetherTheRowsAreInTheJournalUnderTheirSeqs) {
  const std::string source = unique_source("committed");
  std::vector<JournalRow> rows = {event(source, "1", now_ms()), event(source, "2", now_ms())};
  ASSERT_TRUE(journal().append(rows, {}).ok());
  auto yes = journal().committed(rows);
  ASSERT_TRUE(yes.ok()) << yes.error().message;
  EXPECT_TRUE(*yes);

  std::vector<JournalRow> never = {event(source, "3", now_ms())};
  never[0].seq = rows[1].seq;  // the seq of another row
  auto no = journal().committed(never);
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(*no);
  never[0].seq = 0;  // the append never got to number it
  no = journal().committed(never);
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(*no);
}

TEST(JournalOpen, ToAServerThatIsNotThereIsUnavailable) {
  auto j = outage::Journal::open("host=127.0.0.1 port=1 connect_timeout=2");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().code, ErrorCode::unavailable) << j.error().message;
}

// -----------------------------------------------------------------------------------------------

class GroupCommitter : public Journal {
 protected:
  // A committer on a journal of its own (named `app`); on_committed records the rows it is given.
  std::unique_ptr<outage::GroupCommitter> start(GroupCommitterOptions options = {}, const std::string& app = "outage-committer-test",
                                                std::optional<std::string> dsn = std::nullopt) {
    std::optional<outage::Journal> j = open_journal(app, std::move(dsn));
    if (!j) return nullptr;
    auto user_hook = std::move(options.on_committed);
    options.on_committed = [this, user_hook](std::span<const JournalRow> rows) {
      {
        std::lock_guard lock(hooked_mutex_);
        for (const JournalRow& r : rows) hooked_.push_back(r);
        events_.push_back("committed");
      }
      if (user_hook) user_hook(rows);
    };
    auto c = outage::GroupCommitter::start(std::move(*j), now_ms(), std::move(options));
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? std::move(c).value() : nullptr;
  }

  void note(std::string what) {
    std::lock_guard lock(hooked_mutex_);
    events_.push_back(std::move(what));
  }

  std::mutex hooked_mutex_;
  std::vector<JournalRow> hooked_;   // every row on_committed got, in order
  std::vector<std::string> events_;  // "committed" (on_committed) and what tests note
};

TEST_F(GroupCommitter, CommitsARequestThenCallsOnCommittedThenDone) {
  const std::string source = unique_source("gc-basic");
  auto c = start();
  ASSERT_TRUE(c);
  const Timestamp t = now_ms();
  CommitRequest request{{event(source, "1", t), event(source, "2", t), event(source, "3", t)},
                        {{t, source, "bad", "meter.power_off", "unknown meter 'M9'", R"({"meter":"M9"})"}}};
  auto f = submit(*c, std::move(request));
  ASSERT_TRUE(f);
  Result<CommitReceipt> receipt = await(*f);
  note("done");
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  EXPECT_TRUE(receipt->duplicates.empty());
  EXPECT_EQ(receipt->last_seq, receipt->first_seq + 2);

  std::vector<JournalRow> back = replayed(source);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].seq, receipt->first_seq);
  EXPECT_EQ(back[2].seq, receipt->last_seq);
  {
    std::lock_guard lock(hooked_mutex_);
    ASSERT_EQ(hooked_.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(describe(hooked_[i]), describe(back[i]));
    EXPECT_EQ(events_, (std::vector<std::string>{"committed", "done"}));
  }
  auto dead = journal().recent_dead_letters(1);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].reason, "unknown meter 'M9'");

  c->stop();
  outage::GroupCommitterStats s = c->stats();
  EXPECT_EQ(s.rows_committed, 3u);
  EXPECT_EQ(s.dead_letters, 1u);
  EXPECT_EQ(s.transactions, 1u);
  EXPECT_EQ(s.failed_transactions, 0u);
  EXPECT_EQ(s.queued_rows, 0u);
  EXPECT_EQ(s.journal_lag.count(), 0);
}

TEST_F(GroupCommitter, DuplicatesWithinARequestAcrossRequestsAndAcrossARestartAreReportedAndNotWritten) {
  const std::string source = unique_source("gc-dup");
  const Timestamp t = now_ms();
  {
    auto c = start();
    ASSERT_TRUE(c);
    auto r1 = commit(*c, {{event(source, "a", t, "a1"), event(source, "b", t, "b1"), event(source, "a", t, "a2"),
                           event(source, "old", t - 48h, "old1")},
                          {}});
    ASSERT_TRUE(r1.ok()) << r1.error().message;
    EXPECT_EQ(r1->duplicates, (std::vector<std::size_t>{2}));
    EXPECT_EQ(r1->last_seq, r1->first_seq + 2);

    auto r2 = commit(*c, {{event(source, "b", t, "b2"), event(source, "c", t, "c1")}, {}});
    ASSERT_TRUE(r2.ok()) << r2.error().message;
    EXPECT_EQ(r2->duplicates, (std::vector<std::size_t>{0}));
    EXPECT_EQ(r2->first_seq, r2->last_seq);
    c->stop();
    EXPECT_EQ(c->stats().duplicates, 2u);
  }
  // A new committer loads the keys of the last day from the journal ("old" is older: the
  // journal's primary key catches it).
  auto c = start();
  ASSERT_TRUE(c);
  auto r3 = commit(*c, {{event(source, "c", t, "c2"), event(source, "d", t, "d1"), event(source, "a", t, "a3"),
                         event(source, "old", t - 48h, "old2")},
                        {}});
  ASSERT_TRUE(r3.ok()) << r3.error().message;
  EXPECT_EQ(r3->duplicates, (std::vector<std::size_t>{0, 2, 3}));
  EXPECT_EQ(r3->first_seq, r3->last_seq);
  auto r4 = commit(*c, {{event(source, "old", t - 48h, "old3"), event(source, "d", t, "d2")}, {}});
  ASSERT_TRUE(r4.ok()) << r4.error().message;
  EXPECT_EQ(r4->duplicates, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(r4->first_seq, 0);
  EXPECT_EQ(r4->last_seq, 0);

  std::vector<JournalRow> back = replayed(source);
  std::vector<std::string> bodies;
  for (const JournalRow& r : back) bodies.push_back(r.body);
  EXPECT_EQ(bodies, (std::vector<std::string>{"a1", "b1", "old1", "c1", "d1"}));
  std::lock_guard lock(hooked_mutex_);
  EXPECT_EQ(hooked_.size(), 5u) << "on_committed gets the written rows only";
}

TEST_F(GroupCommitter, ManyThreadsSubmittingAtOnceAllGetTheirReceiptsAndEveryRowIsWrittenOnce) {
  const std::string source = unique_source("gc-threads");
  auto c = start();
  ASSERT_TRUE(c);
  constexpr int kThreads = 8, kRequests = 40, kRows = 25, kKeys = 4000;
  const Timestamp t = now_ms();
  std::mutex mutex;
  std::map<std::string, int> written;  // key -> how many receipts say it was written
  std::set<std::string> submitted;
  std::atomic<int> refused{0}, failed{0};
  std::latch finished(kThreads);
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&, n] {
      std::mt19937 random(static_cast<unsigned>(n));
      for (int q = 0; q < kRequests; ++q) {
        CommitRequest request;
        for (int i = 0; i < kRows; ++i)  // keys shared between threads: many duplicates
          request.rows.push_back(event(source, fmt::format("k{}", random() % kKeys), t));
        std::vector<std::string> ids;
        for (const JournalRow& r : request.rows) ids.push_back(r.event_id);
        {
          std::lock_guard lock(mutex);
          submitted.insert(ids.begin(), ids.end());
        }
        bool ok = c->submit(std::move(request), [&, ids](Result<CommitReceipt> r) {
          std::lock_guard lock(mutex);
          if (!r) {
            ++failed;
            return;
          }
          for (std::size_t i = 0; i < ids.size(); ++i)
            if (!std::binary_search(r->duplicates.begin(), r->duplicates.end(), i)) ++written[ids[i]];
        });
        if (!ok) ++refused;
      }
      finished.count_down();
    });
  }
  finished.wait();
  for (auto& th : threads) th.join();
  c->stop();  // every receipt is in once stop returns

  EXPECT_EQ(refused, 0);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(written.size(), submitted.size());
  for (const auto& [key, times] : written) EXPECT_EQ(times, 1) << key;
  EXPECT_EQ(rows_from(source), static_cast<long>(submitted.size()));
  outage::GroupCommitterStats s = c->stats();
  EXPECT_EQ(s.rows_committed + s.duplicates, static_cast<std::uint64_t>(kThreads * kRequests * kRows));
  std::lock_guard lock(hooked_mutex_);
  ASSERT_EQ(hooked_.size(), submitted.size());
  for (std::size_t i = 1; i < hooked_.size(); ++i) ASSERT_LT(hooked_[i - 1].seq, hooked_[i].seq) << "seq order";
}

TEST_F(GroupCommitter, AKilledConnectionIsRetriedAndTheRequestCommitsOnce) {
  const std::string source = unique_source("gc-kill");
  const std::string app = unique_source("committer-kill");
  auto c = start({}, app);
  ASSERT_TRUE(c);
  ASSERT_TRUE(commit(*c, {{event(source, "1", now_ms())}, {}}).ok());
  terminate(app);
  auto r = commit(*c, {{event(source, "2", now_ms())}, {}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(rows_from(source), 2);
  c->stop();
  EXPECT_GE(c->stats().failed_transactions, 1u);
  EXPECT_EQ(c->stats().failed_requests, 0u);
}

TEST_F(GroupCommitter, WhileTheDatabaseIsGoneRequestsFailAndCommitNothingAndThenItRecovers) {
  const std::string source = unique_source("gc-gone");
  TcpProxy proxy(dsn_);
  GroupCommitterOptions options;
  options.retry_for = 300ms;
  options.first_backoff = 10ms;
  options.max_backoff = 50ms;
  auto c = start(options, "outage-committer-proxy", proxy.dsn_through(dsn_));
  ASSERT_TRUE(c);
  auto r1 = commit(*c, {{event(source, "before", now_ms())}, {}});
  ASSERT_TRUE(r1.ok()) << r1.error().message;

  proxy.cut();
  auto r2 = commit(*c, {{event(source, "during-1", now_ms()), event(source, "during-2", now_ms())},
                        {{now_ms(), source, "x", "", "unknown meter", "{}"}}});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::unavailable) << r2.error().message;

  proxy.restore();
  auto r3 = commit(*c, {{event(source, "after", now_ms()), event(source, "during-1", now_ms())}, {}});
  ASSERT_TRUE(r3.ok()) << "the committer serves requests again: " << r3.error().message;
  EXPECT_TRUE(r3->duplicates.empty()) << "the failed request left no key behind";
  c->stop();

  std::vector<std::string> ids;
  for (const JournalRow& r : replayed(source)) ids.push_back(r.event_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"before", "after", "during-1"}));
  EXPECT_EQ(sql("SELECT count(*) FROM outage.dead_letters WHERE source = " + sql_->quote(source)), "0");
  outage::GroupCommitterStats s = c->stats();
  EXPECT_EQ(s.failed_requests, 1u);
  EXPECT_GE(s.failed_transactions, 1u);
  EXPECT_EQ(s.transactions, 2u);
}

TEST_F(GroupCommitter, ABadRequestInABatchFailsAloneAndTheOthersCommit) {
  const std::string source = unique_source("gc-bad");
  Gate gate;
  std::atomic<bool> first{true};
  GroupCommitterOptions options;
  options.on_committed = [&](std::span<const JournalRow>) {
    if (first.exchange(false)) gate.wait();
  };
  auto c = start(options);
  ASSERT_TRUE(c);
  auto a = submit(*c, {{event(source, "a", now_ms())}, {}});
  ASSERT_TRUE(gate.await_entered());  // the writer holds `a`; the next three queue up and go in one batch
  auto b = submit(*c, {{event(source, "b", now_ms())}, {}});
  auto bad = submit(*c, {{event(source, "bad", now_ms(), std::string("\0", 1))}, {}});
  auto d = submit(*c, {{event(source, "d", now_ms())}, {}});
  ASSERT_TRUE(a && b && bad && d);
  gate.open();
  EXPECT_TRUE(await(*a).ok());
  EXPECT_TRUE(await(*b).ok());
  Result<CommitReceipt> refused = await(*bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_input) << refused.error().message;
  EXPECT_TRUE(await(*d).ok());
  EXPECT_EQ(rows_from(source), 3);
}

TEST_F(GroupCommitter, SubmitReturnsFalseWhenTooManyRowsAreWaiting) {
  const std::string source = unique_source("gc-full");
  Gate gate;
  std::atomic<bool> first{true};
  GroupCommitterOptions options;
  options.max_queued_rows = 10;
  options.on_committed = [&](std::span<const JournalRow>) {
    if (first.exchange(false)) gate.wait();
  };
  auto c = start(options);
  ASSERT_TRUE(c);
  auto a = submit(*c, {{event(source, "a", now_ms())}, {}});
  ASSERT_TRUE(a);
  ASSERT_TRUE(gate.await_entered());  // `a` is in the writer's hands; the queue is empty

  CommitRequest ten;
  for (int i = 0; i < 9; ++i) ten.rows.push_back(event(source, fmt::format("q{}", i), now_ms()));
  ten.dead.push_back({now_ms(), source, "q9", "", "unknown meter", "{}"});  // dead letters count too
  auto queued = submit(*c, std::move(ten));
  ASSERT_TRUE(queued);
  EXPECT_FALSE(submit(*c, {{event(source, "one too many", now_ms())}, {}}));
  outage::GroupCommitterStats s = c->stats();
  EXPECT_EQ(s.queued_rows, 10u);
  EXPECT_EQ(s.queued_requests, 1u);
  EXPECT_EQ(s.rejected_requests, 1u);

  gate.open();
  EXPECT_TRUE(await(*a).ok());
  EXPECT_TRUE(await(*queued).ok());
  auto again = commit(*c, {{event(source, "one too many", now_ms())}, {}});
  EXPECT_TRUE(again.ok()) << "accepted once the queue has room";
  EXPECT_EQ(rows_from(source), 11);
}

TEST_F(GroupCommitter, StopCommitsWhatIsQueuedThenRefusesRequests) {
  const std::string source = unique_source("gc-stop");
  Gate gate;
  std::atomic<bool> first{true};
  GroupCommitterOptions options;
  options.on_committed = [&](std::span<const JournalRow>) {
    if (first.exchange(false)) gate.wait();
  };
  auto c = start(options);
  ASSERT_TRUE(c);
  std::vector<std::future<Result<CommitReceipt>>> receipts;
  receipts.push_back(*submit(*c, {{event(source, "first", now_ms())}, {}}));
  ASSERT_TRUE(gate.await_entered());
  for (int i = 0; i < 5; ++i)
    receipts.push_back(*submit(*c, {{event(source, fmt::format("queued{}", i), now_ms())}, {}}));

  std::thread stopper([&] { c->stop(); });
  // Until stop() has begun, an empty request is still taken (and answered with an empty receipt).
  int empty = 0;
  while (auto f = submit(*c, {})) {
    receipts.push_back(std::move(*f));
    ++empty;
    std::this_thread::yield();
  }
  gate.open();
  stopper.join();
  for (auto& f : receipts) {
    ASSERT_EQ(f.wait_for(0s), std::future_status::ready) << "answered before stop() returned";
    Result<CommitReceipt> r = f.get();
    EXPECT_TRUE(r.ok()) << r.error().message;
  }
  EXPECT_EQ(rows_from(source), 6);
  EXPECT_FALSE(submit(*c, {{event(source, "late", now_ms())}, {}}));
  EXPECT_EQ(c->stats().rejected_requests, 2u);
  (void)empty;
}

TEST_F(GroupCommitter, ALostAnswerToACommitThatWentThroughIsASuccess) {
  const std::string source = unique_source("gc-in-doubt");
  TcpProxy proxy(dsn_);
  GroupCommitterOptions options;
  options.first_backoff = 10ms;
  auto c = start(options, "outage-committer-in-doubt", proxy.dsn_through(dsn_));
  ASSERT_TRUE(c);
  proxy.cut_after_next_commit(false);
  auto r = commit(*c, {{event(source, "1", now_ms()), event(source, "2", now_ms())},
                       {{now_ms(), source, "d", "", "unknown meter", "{}"}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->duplicates.empty());
  EXPECT_EQ(r->last_seq, r->first_seq + 1);
  c->stop();
  EXPECT_EQ(c->stats().failed_transactions, 1u) << "the commit's answer was lost once";
  EXPECT_EQ(c->stats().transactions, 1u);
  EXPECT_EQ(rows_from(source), 2) << "written once, not again";
  EXPECT_EQ(sql("SELECT count(*) FROM outage.dead_letters WHERE source = " + sql_->quote(source)), "1");
  std::lock_guard lock(hooked_mutex_);
  ASSERT_EQ(hooked_.size(), 2u);
  EXPECT_EQ(hooked_[0].seq, r->first_seq);
}

TEST_F(GroupCommitter, ACommitOfUnknownOutcomeIsResolvedOnceTheDatabaseIsBack) {
  const std::string source = unique_source("gc-unknown");
  TcpProxy proxy(dsn_);
  GroupCommitterOptions options;
  options.retry_for = 200ms;
  options.first_backoff = 10ms;
  options.max_backoff = 50ms;
  auto c = start(options, "outage-committer-unknown", proxy.dsn_through(dsn_));
  ASSERT_TRUE(c);
  proxy.cut_after_next_commit(true);
  auto r1 = commit(*c, {{event(source, "1", now_ms()), event(source, "2", now_ms())}, {}});
  ASSERT_FALSE(r1.ok()) << "the committer could not learn the outcome";
  EXPECT_EQ(r1.error().code, ErrorCode::unavailable);
  EXPECT_NE(r1.error().message.find("outcome is unknown"), std::string::npos) << r1.error().message;
  EXPECT_EQ(rows_from(source), 2) << "the server did commit";
  {
    std::lock_guard lock(hooked_mutex_);
    EXPECT_TRUE(hooked_.empty());
  }

  proxy.restore();
  // The producer retries: the committer first learns that the rows are in, hands them to
  // on_committed, and reports the retry as duplicates.
  auto r2 = commit(*c, {{event(source, "1", now_ms()), event(source, "2", now_ms()), event(source, "3", now_ms())}, {}});
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->duplicates, (std::vector<std::size_t>{0, 1}));
  c->stop();
  EXPECT_EQ(rows_from(source), 3);
  std::lock_guard lock(hooked_mutex_);
  std::vector<std::string> ids;
  for (const JournalRow& r : hooked_) ids.push_back(r.event_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3"}));
}
