#include "adapters/journal.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <utility>

#include <libpq-fe.h>

#include "adapters/binary_copy.h"
#include "adapters/postgis_store.h"
#include "adapters/pq_error.h"

// Rows go to the server in COPY's binary format (adapters/binary_copy.h).

namespace outage {

struct Journal::Impl {
  explicit Impl(std::string dsn) : dsn(std::move(dsn)) {}

  // The connection, made again if the last one was lost (libpqxx 6.4 would reactivate a broken
  // connection by itself, but without the client encoding set here).
  pqxx::connection& connection() {
    if (conn && !conn->is_open()) conn.reset();
    if (!conn) {
      conn.emplace(dsn);
      conn->set_client_encoding("UTF8");
      conn->prepare("journal_insert",
                    "INSERT INTO outage.journal (seq, event_time, received_at, source, event_id, type, body)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source, event_id) DO NOTHING");
    }
    return *conn;
  }

  std::string dsn;
  std::optional<pqxx::connection> conn;
};

namespace {

// Runs `f`, turning every exception into an Error that starts with `what` (adapters/pq_error.h).
// A lost connection is dropped, so that the next call connects again.
template <typename F>
auto guarded(std::optional<pqxx::connection>& conn, const std::string& what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    const bool open = conn && conn->is_open();
    PqFailure failure = current_pq_failure(what, open);
    if (failure.connection_broken || !open) conn.reset();
    return failure.error;
  }
}

// ---------------------------------------------------------------------------------------------
// Times. The journal's times are whole milliseconds, written as timestamptz (binary_copy.h),
// and read back as such.

// The years RFC 3339 can write (the wire's times); anything else is refused before it is sent.
bool representable(Timestamp t) {
  using namespace std::chrono;
  static const Timestamp first = sys_days(year(1) / January / 1);
  static const Timestamp end = sys_days(year(10000) / January / 1);
  return t >= first && t < end;
}

// "2026-11-23 00:15:00.000+00", a timestamptz literal (for query parameters).
std::string timestamp_text(Timestamp t) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const auto ms = (t - day).count();
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}+00", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), ms / 3'600'000,
                     ms / 60'000 % 60, ms / 1000 % 60, ms % 1000);
}

// A timestamptz column as Unix milliseconds, in a SELECT list.
std::string millis(std::string_view column) {
  return fmt::format("(extract(epoch FROM {}) * 1000)::bigint", column);
}

Timestamp timestamp_of(const pqxx::field& f) { return Timestamp(Duration(f.as<std::int64_t>())); }

// invalid_input naming the first field of `rows` or `dead` that the journal cannot store.
Status check_storable(std::span<const JournalRow> rows, std::span<const DeadLetter> dead) {
  auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const JournalRow& r = rows[i];
    const char* bad = !representable(r.event_time)                        ? "event_time outside the years 1-9999"
                      : !representable(r.received_at)                     ? "received_at outside the years 1-9999"
                      : has_nul(r.source) || has_nul(r.event_id)          ? "a NUL byte in source or event_id"
                      : has_nul(r.type) || has_nul(r.body)                ? "a NUL byte in type or body"
                                                                          : nullptr;
    if (bad) return invalid_input(fmt::format("append: row {} ('{}' from '{}'): {}", i, r.event_id, r.source, bad));
  }
  for (std::size_t i = 0; i < dead.size(); ++i) {
    const DeadLetter& d = dead[i];
    const char* bad = !representable(d.received_at)                        ? "received_at outside the years 1-9999"
                      : has_nul(d.source) || has_nul(d.event_id) || has_nul(d.type) ? "a NUL byte in source, event_id or type"
                      : has_nul(d.reason) || has_nul(d.body)                ? "a NUL byte in reason or body"
                                                                            : nullptr;
    if (bad) return invalid_input(fmt::format("append: dead letter {}: {}", i, bad));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Smaller chunks than a model save's megabyte: a group commit's transaction carries about a
// megabyte in all (~8,000 events), and the server starts on a chunk while the next is formatted.
BinaryCopyOptions copy_options() {
  BinaryCopyOptions o;
  o.chunk_bytes = 1 << 17;
  return o;
}

constexpr std::string_view kJournalColumns = "seq, event_time, received_at, source, event_id, type, body";
constexpr std::string_view kDeadColumns = "received_at, source, event_id, type, reason, body";

void copy_rows(pqxx::dbtransaction& tx, std::span<const JournalRow> rows) {
  BinaryCopyWriter w(tx, "outage.journal", kJournalColumns, 7, copy_options());
  for (const JournalRow& r : rows) {
    w.bigint(r.seq);
    w.timestamp(r.event_time);
    w.timestamp(r.received_at);
    w.text(r.source);
    w.text(r.event_id);
    w.text(r.type);
    w.text(r.body);
    w.end_row();
  }
  w.complete();
}

void copy_dead_letters(pqxx::dbtransaction& tx, std::span<const DeadLetter> dead) {
  BinaryCopyWriter w(tx, "outage.dead_letters", kDeadColumns, 6, copy_options());
  for (const DeadLetter& d : dead) {
    w.timestamp(d.received_at);
    w.text(d.source);
    w.text(d.event_id);
    w.text(d.type);
    w.text(d.reason);
    w.text(d.body);
    w.end_row();
  }
  w.complete();
}

// Takes the journal writers' lock and returns the highest seq. Commit order is therefore seq
// order. The lock is a transaction-level advisory lock (kJournalWriterLock, held to the end of
// the transaction): other writers wait, readers and autovacuum do not (a table lock in SHARE
// ROW EXCLUSIVE mode would wait for, and stall behind, autovacuum's).
std::int64_t lock_and_read_last_seq(pqxx::dbtransaction& tx) {
  return tx
      .exec(fmt::format("SELECT pg_advisory_xact_lock({});"
                        "SELECT coalesce(max(seq), 0) FROM outage.journal",
                        kJournalWriterLock))[0][0]
      .as<std::int64_t>();
}

}  // namespace

// -----------------------------------------------------------------------------------------------

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

Result<Journal> Journal::open(const std::string& dsn) {
  {
    auto store = PostgisStore::connect(dsn);
    if (!store) return Error{store.error().code, "journal: " + store.error().message};
    if (Status migrated = store->migrate(); !migrated)
      return Error{migrated.error().code, "journal: " + migrated.error().message};
  }
  auto impl = std::make_unique<Impl>(dsn);
  return guarded(impl->conn, "journal: connect", [&]() -> Result<Journal> {
    impl->connection();
    return Journal(std::move(impl));
  });
}

Result<std::int64_t> Journal::last_seq() {
  return guarded(impl_->conn, "last_seq", [&]() -> Result<std::int64_t> {
    pqxx::read_transaction tx(impl_->connection());
    return tx.exec("SELECT coalesce(max(seq), 0) FROM outage.journal")[0][0].as<std::int64_t>();
  });
}

Result<AppendOutcome> Journal::append(std::span<JournalRow> rows, std::span<const DeadLetter> dead) {
  for (JournalRow& r : rows) r.seq = 0;
  if (rows.empty() && dead.empty()) return AppendOutcome{};
  if (Status s = check_storable(rows, dead); !s) return s.error();
  return guarded(impl_->conn, fmt::format("append ({} rows, {} dead letters)", rows.size(), dead.size()),
                 [&]() -> Result<AppendOutcome> {
    // The usual case: one COPY of every row.
    try {
      pqxx::work tx(impl_->connection());
      AppendOutcome outcome;
      if (!rows.empty()) {
        const std::int64_t last = lock_and_read_last_seq(tx);
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i].seq = last + 1 + static_cast<std::int64_t>(i);
        copy_rows(tx, rows);
        outcome.first_seq = rows.front().seq;
        outcome.last_seq = rows.back().seq;
      }
      if (!dead.empty()) copy_dead_letters(tx, dead);
      tx.commit();
      return outcome;
    } catch (const pqxx::unique_violation&) {
      // A key the journal holds, or one repeated in `rows`: rolled back; row by row below.
      for (JournalRow& r : rows) r.seq = 0;
    }
    pqxx::work tx(impl_->connection());
    AppendOutcome outcome;
    std::int64_t seq = lock_and_read_last_seq(tx);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      JournalRow& r = rows[i];
      r.seq = seq + 1;
      pqxx::result inserted = tx.exec_prepared("journal_insert", r.seq, timestamp_text(r.event_time),
                                               timestamp_text(r.received_at), r.source, r.event_id, r.type, r.body);
      if (inserted.affected_rows() == 1) {
        seq = r.seq;
        if (outcome.first_seq == 0) outcome.first_seq = seq;
        outcome.last_seq = seq;
      } else {
        r.seq = 0;
        outcome.duplicates.push_back(i);
      }
    }
    if (!dead.empty()) copy_dead_letters(tx, dead);
    tx.commit();
    return outcome;
  });
}

Result<bool> Journal::committed(std::span<const JournalRow> rows) {
  auto first = std::find_if(rows.begin(), rows.end(), [](const JournalRow& r) { return r.seq != 0; });
  if (first == rows.end()) return false;
  return guarded(impl_->conn, "committed", [&]() -> Result<bool> {
    pqxx::read_transaction tx(impl_->connection());
    pqxx::result r = tx.exec_params("SELECT source, event_id FROM outage.journal WHERE seq = $1", first->seq);
    return !r.empty() && r[0][0].as<std::string>() == first->source && r[0][1].as<std::string>() == first->event_id;
  });
}

Status Journal::replay(std::int64_t after_seq, const std::function<Status(const JournalRow&)>& visit,
                       std::size_t chunk_rows) {
  chunk_rows = std::max<std::size_t>(chunk_rows, 1);
  const std::string query = fmt::format(
      "SELECT seq, {}, {}, source, event_id, type, body FROM outage.journal WHERE seq > $1 ORDER BY seq LIMIT $2",
      millis("event_time"), millis("received_at"));
  return guarded(impl_->conn, fmt::format("replay after seq {}", after_seq), [&]() -> Status {
    JournalRow row;
    for (std::int64_t after = after_seq;;) {
      pqxx::result chunk;
      {
        pqxx::read_transaction tx(impl_->connection());
        chunk = tx.exec_params(query, after, static_cast<std::int64_t>(chunk_rows));
        tx.commit();
      }
      for (const pqxx::row& r : chunk) {
        row.seq = r[0].as<std::int64_t>();
        row.event_time = timestamp_of(r[1]);
        row.received_at = timestamp_of(r[2]);
        row.source.assign(r[3].c_str(), r[3].size());
        row.event_id.assign(r[4].c_str(), r[4].size());
        row.type.assign(r[5].c_str(), r[5].size());
        row.body.assign(r[6].c_str(), r[6].size());
        if (Status s = visit(row); !s) throw Aborted{s.error()};
        after = row.seq;
      }
      if (chunk.size() < chunk_rows) return {};
    }
  });
}

Status Journal::for_each_key_since(
    Timestamp since, const std::function<void(std::string_view source, std::string_view id, Timestamp event_time)>& visit) {
  if (!representable(since)) since = since < Timestamp() ? Timestamp::min() : Timestamp::max();
  return guarded(impl_->conn, "for_each_key_since", [&]() -> Status {
    pqxx::read_transaction tx(impl_->connection());
    std::string where = since == Timestamp::min()   ? "true"
                        : since == Timestamp::max() ? "false"
                                                    : fmt::format("event_time >= {}", tx.quote(timestamp_text(since)));
    tx.exec(fmt::format("DECLARE journal_keys NO SCROLL CURSOR FOR SELECT source, event_id, {} FROM outage.journal WHERE {}",
                        millis("event_time"), where));
    constexpr std::size_t kChunk = 50000;
    for (;;) {
      pqxx::result chunk = tx.exec(fmt::format("FETCH FORWARD {} FROM journal_keys", kChunk));
      for (const pqxx::row& r : chunk)
        visit(std::string_view(r[0].c_str(), r[0].size()), std::string_view(r[1].c_str(), r[1].size()),
              timestamp_of(r[2]));
      if (chunk.size() < kChunk) break;
    }
    tx.commit();
    return {};
  });
}

Result<std::vector<DeadLetter>> Journal::recent_dead_letters(std::size_t limit) {
  return guarded(impl_->conn, "recent_dead_letters", [&]() -> Result<std::vector<DeadLetter>> {
    pqxx::read_transaction tx(impl_->connection());
    pqxx::result r = tx.exec_params(
        fmt::format("SELECT {}, source, event_id, type, reason, body FROM outage.dead_letters ORDER BY id DESC LIMIT $1",
                    millis("received_at")),
        static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<DeadLetter> out;
    out.reserve(r.size());
    for (const pqxx::row& row : r)
      out.push_back(DeadLetter{timestamp_of(row[0]), row[1].as<std::string>(), row[2].as<std::string>(),
                               row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>()});
    return out;
  });
}

}  // namespace outage
