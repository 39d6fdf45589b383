// Journal: the durable event journal in PostgreSQL, the tables `outage.journal` and
// `outage.dead_letters` (docs/database.md, "The event journal", describes them).
//
// Every accepted event is appended to the journal, with its JSON exactly as received, before it
// is acknowledged; the daemon rebuilds its state at start-up by replaying it. Rows are appended
// in transactions (adapters/group_committer.h batches many requests into one); each row gets a
// `seq`, assigned here: 1, 2, 3, ... in commit order, strictly increasing (a transaction takes a
// lock on the table that other writers wait for, reads max(seq) and numbers its rows after it).
// A row is keyed by (source, event_id): the journal never holds two rows with the same key.
// Dead letters are events that were valid JSON but could not be used; they are kept with the
// reason, never dropped. Nothing here updates or deletes a row.
//
// Errors are values: every libpqxx and std exception is caught in here. Codes:
//   unavailable   the server cannot be reached, the connection was lost, or the server is
//                 shutting down / out of resources / in a deadlock (retrying may help). The
//                 next call connects again.
//   invalid_input a time outside the years 0001-9999, or text the server rejects (a NUL byte;
//                 bytes that are not valid in the database's encoding);
//   conflict      (open) the database's schema is newer than this program;
//   internal      anything else (a visit callback's own error is returned as it is).
//
// Thread-safety: a Journal is one connection; use it from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/clock.h"
#include "geo/error.h"

namespace outage {

// The pg_advisory_xact_lock key every journal writer takes before numbering its rows
// ("outage" in ASCII, then 1; the migrations' lock is "outage" alone).
inline constexpr std::int64_t kJournalWriterLock = 0x6F7574616765'01;

// One accepted event as the journal stores it.
struct JournalRow {
  std::string source;    // the producer; with event_id, the row's key
  std::string event_id;  // unique per source
  std::string type;      // the wire name, e.g. "meter.power_off"
  Timestamp event_time;  // the event's `time`
  Timestamp received_at; // when the daemon received it
  std::string body;      // the event's JSON exactly as received (any UTF-8)
  std::int64_t seq = 0;  // set by append (0: not written); replay gives it
};

// An event that was valid JSON but could not be used. Empty strings where the event did not say.
struct DeadLetter {
  Timestamp received_at;
  std::string source, event_id, type, reason, body;
};

// What append did.
struct AppendOutcome {
  // Indexes into the appended rows, ascending, of the rows that were not written because the
  // journal (or an earlier row of the same call) already had their key. Their seq is 0.
  std::vector<std::size_t> duplicates;
  // The seqs of the written rows: first_seq, first_seq + 1, ..., last_seq, in row order.
  // Both 0 when no row was written.
  std::int64_t first_seq = 0, last_seq = 0;
};

class Journal {
 public:
  // Connects to `dsn` (a libpq connection string or URI; empty: libpq's defaults, the PG*
  // environment variables) and brings the schema up to date (PostgisStore::migrate, on a
  // connection of its own that is closed again). unavailable when the server cannot be reached;
  // conflict when its schema is newer than this program. Put `connect_timeout` in the DSN: a
  // host that does not answer otherwise holds a connection attempt for as long as TCP tries.
  static Result<Journal> open(const std::string& dsn);

  Journal(Journal&&) noexcept;
  Journal& operator=(Journal&&) noexcept;
  ~Journal();

  // The highest seq in the journal; 0 when it is empty.
  Result<std::int64_t> last_seq();

  // Appends `rows` and `dead` in one transaction, with one binary COPY each: either everything
  // is committed or nothing is. Sets rows[i].seq: last_seq() + 1, + 2, ... in order (at the time
  // of the transaction). The caller should not pass a key that the journal holds; if it does
  // (or repeats a key within `rows`), the COPY fails on the primary key, and append starts over
  // in a new transaction that inserts the rows one by one, skipping those whose key is taken
  // (INSERT ... ON CONFLICT DO NOTHING): they are listed in `duplicates`, with seq 0, and the
  // seqs of the others stay consecutive. An empty call does nothing and succeeds.
  //
  // On an error, rows[i].seq holds the seq under which the failed transaction tried to write the
  // row (0 if it did not get that far). When the connection is lost while the server commits,
  // the transaction may have committed nonetheless: committed() tells.
  Result<AppendOutcome> append(std::span<JournalRow> rows, std::span<const DeadLetter> dead);

  // After append(rows, ...) failed: whether its transaction committed all the same (the
  // connection was lost during the COMMIT). Looks up the first row with a nonzero seq under that
  // seq; true when the journal holds it there with the same key (then every row with a nonzero
  // seq is committed, under that seq, and the others were duplicates). false when no row has a
  // seq (the transaction never got to write), or when the row is not there. Meaningful while
  // this process is the journal's only writer and before it appends anything else. A call of
  // dead letters only cannot be checked: they may have been committed (false is returned).
  Result<bool> committed(std::span<const JournalRow> rows);

  // Calls visit(row) for each row with seq > after_seq, in seq order, reading the journal in
  // chunks of `chunk_rows` rows (each chunk a query of its own: rows committed meanwhile, with
  // higher seqs, are visited too). Stops at, and returns, the first error visit returns.
  Status replay(std::int64_t after_seq, const std::function<Status(const JournalRow&)>& visit,
                std::size_t chunk_rows = 10000);

  // Calls visit(source, event_id, event_time) for each row whose event_time >= since, in no
  // particular order, reading them through a cursor in chunks (the views are valid during the
  // call only). For the de-duplication index at start-up.
  Status for_each_key_since(
      Timestamp since, const std::function<void(std::string_view source, std::string_view id, Timestamp event_time)>&);

  // The last `limit` dead letters, most recent (last appended) first.
  Result<std::vector<DeadLetter>> recent_dead_letters(std::size_t limit);

 private:
  struct Impl;
  explicit Journal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
