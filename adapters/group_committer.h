// GroupCommitter: makes accepted events durable in the journal (adapters/journal.h) before they
// are acknowledged, many requests per transaction (group commit).
//
// Producers (HTTP sessions, MQTT callbacks, ... on any thread) submit a request: the events
// that a message carried, and its dead letters. One writer thread, owned by the committer,
// takes every request queued (up to max_rows_per_transaction rows; a request is never split)
// and commits them in one Journal::append. While a transaction is under way, the next requests
// queue up, so the batch grows with the load: one transaction per request when the load is
// light, thousands of rows per transaction in a storm.
//
// De-duplication: a row whose (source, event_id) the journal holds, or that an earlier row of
// the same transaction has, is a duplicate: not written, and reported in its request's
// receipt. The committer keeps the keys of the committed rows in memory (adapters/dedup_index.h:
// the last dedup_keys keys, loaded at start from the journal's rows of the last dedup_window):
// a producer's retry is caught there without a round trip. A key it has forgotten or never
// loaded is still caught by the journal's primary key (Journal::append's row-by-row fallback).

// Failures: when the journal is unavailable, the writer retries with exponential backoff until
// the oldest request of the batch has waited retry_for; then it answers the batch's requests
// with the error (unavailable: the producer retries later, e.g. HTTP 503) and goes on with the
// next requests, each getting at least one attempt. If the connection was lost while the
// server committed, the writer first finds out whether the commit went through
// (Journal::committed) before writing anything else: if it did, the batch succeeded. If it
// cannot find out before giving up, the error says that the outcome is unknown, and the writer
// finds out before its next transaction: if the batch was committed after all, its rows then go
// to on_committed and into the de-duplication index (the producer's retry is reported as
// duplicates). Any other error (invalid_input: data the server refuses; internal) is not
// retried; a batch of several requests is then committed again one request per transaction,
// so that only the request at fault fails.
//
// Thread-safety: submit, stop and stats may be called from any thread. The callbacks (done,
// on_committed) run on the writer thread, one at a time; they must not block for long (every
// other request waits) and must not call stop() (which then only stops taking requests).
// The Journal is the writer thread's alone once the committer has started.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "adapters/dedup_index.h"
#include "adapters/journal.h"
#include "feeds/clock.h"
#include "geo/error.h"

namespace outage {

struct CommitRequest {
  std::vector<JournalRow> rows;  // seq is ignored (the journal assigns it)
  std::vector<DeadLetter> dead;
};

struct CommitReceipt {
  std::vector<std::size_t> duplicates;  // indexes into rows that were duplicates and not written, ascending
  // The seqs of the request's written rows, which are consecutive and in row order; 0 and 0
  // when none was written.
  std::int64_t first_seq = 0, last_seq = 0;
};

struct GroupCommitterOptions {
  // Rows per transaction, at most (a larger request gets a transaction of its own).
  std::size_t max_rows_per_transaction = 20'000;
  // submit refuses a request once the rows and dead letters waiting (not yet taken by the
  // writer) would pass this.
  std::size_t max_queued_rows = 200'000;
  // The de-duplication index: how many keys it keeps (the most recent; 16 bytes a key, twice
  // over for short probes: 64 MiB at the default), and how far back its keys are loaded from the
  // journal at start (the decoder's window for late events, or less).
  std::size_t dedup_keys = 2'000'000;
  Duration dedup_window = std::chrono::hours(24);
  // How long a request may wait for an unavailable journal before it is failed, and the
  // backoff between attempts (doubling from first_backoff up to max_backoff).
  std::chrono::milliseconds retry_for = std::chrono::seconds(5);
  std::chrono::milliseconds first_backoff = std::chrono::milliseconds(20);
  std::chrono::milliseconds max_backoff = std::chrono::seconds(1);
  // Called after each successful transaction with the rows it wrote, in seq order, before the
  // requests' done callbacks (the daemon feeds the core from here). Optional.
  std::function<void(std::span<const JournalRow>)> on_committed;
};

// For /metrics. Counters count since start.
struct GroupCommitterStats {
  std::uint64_t rows_committed = 0;       // journal rows written
  std::uint64_t duplicates = 0;           // rows reported as duplicates
  std::uint64_t dead_letters = 0;         // dead letters written
  std::uint64_t transactions = 0;         // successful Journal::append calls
  std::uint64_t failed_transactions = 0;  // Journal::append calls that failed (retries included)
  std::uint64_t failed_requests = 0;      // requests answered with an error
  std::uint64_t rejected_requests = 0;    // submit calls that returned false
  std::uint64_t callback_errors = 0;      // exceptions thrown by done or on_committed (caught)
  std::size_t queued_rows = 0;            // rows and dead letters waiting for the writer now
  std::size_t queued_requests = 0;
  std::size_t indexed_keys = 0;           // keys in the de-duplication index
  // Age of the oldest request not answered yet (queued or being committed); 0 when none.
  std::chrono::microseconds journal_lag{0};
  // Duration of the last successful Journal::append.
  std::chrono::microseconds last_commit_latency{0};
};

class GroupCommitter {
 public:
  // Loads the de-duplication index (the keys of the rows whose event_time >= now - dedup_window)
  // and starts the writer thread. `now`: the daemon's clock at start. The error of
  // Journal::for_each_key_since if the keys cannot be read.
  static Result<std::unique_ptr<GroupCommitter>> start(Journal journal, Timestamp now,
                                                       GroupCommitterOptions options = {});

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;
  ~GroupCommitter();  // stop()

  // Queues `request`; never blocks (beyond a short lock). Returns false, and drops the request
  // without calling `done`, when the queue is full (max_queued_rows; the caller answers 503 with
  // Retry-After) or the committer is stopping. Otherwise `done` is called exactly once, from the
  // writer thread: after the request's rows and dead letters are committed, with its receipt, or
  // with the error, and then nothing of the request was committed (but see "the outcome is
  // unknown" above). A request without rows or dead letters is answered at once, in turn.
  bool submit(CommitRequest request, std::function<void(Result<CommitReceipt>)> done);

  // Stops taking requests (submit returns false from now on), commits everything queued (with
  // the usual retries), and joins the writer. Idempotent.
  void stop();

  GroupCommitterStats stats() const;

 private:
  struct Pending {
    CommitRequest request;
    std::function<void(Result<CommitReceipt>)> done;
    std::chrono::steady_clock::time_point submitted;
  };
  // A batch whose transaction may have committed (connection lost during COMMIT) and that the
  // writer could not check yet: its rows, with the seqs they were written under.
  struct Unresolved {
    std::vector<JournalRow> rows;
    std::size_t dead_letters = 0;
  };

  GroupCommitter(Journal journal, GroupCommitterOptions options);

  void run();                                   // the writer thread
  void commit(std::span<Pending> batch);        // one transaction (or one per request on a data error)
  Result<AppendOutcome> append_with_retry(std::vector<JournalRow>& rows, const std::vector<DeadLetter>& dead,
                                          std::chrono::steady_clock::time_point oldest, bool& outcome_unknown);
  bool resolve_unresolved();                    // true when nothing is left unresolved
  // After a commit: index the rows' keys (unless `indexed`), stats, on_committed.
  void committed_rows(std::vector<JournalRow>& rows, std::size_t dead_letters, bool indexed);
  void answer(Pending& p, Result<CommitReceipt> result);

  const GroupCommitterOptions options_;
  Journal journal_;  // the writer thread's

  // The writer thread's own state.
  DedupIndex index_;
  std::optional<Unresolved> unresolved_;

  mutable std::mutex mutex_;  // guards the queue and the stats below
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  std::size_t queued_rows_ = 0;
  bool stopping_ = false;
  std::optional<std::chrono::steady_clock::time_point> in_hand_since_;  // the batch being committed
  GroupCommitterStats stats_;

  std::mutex stop_mutex_;
  std::thread thread_;
};

}  // namespace outage
