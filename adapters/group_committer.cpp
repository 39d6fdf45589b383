#include "adapters/group_committer.h"

#include <algorithm>
#include <exception>
#include <fmt/format.h>
#include <unordered_set>
#include <utility>

namespace outage {

using SteadyClock = std::chrono::steady_clock;

namespace {

std::size_t weight(const CommitRequest& r) { return r.rows.size() + r.dead.size(); }

// The outcome of an append that committed although it reported an error: rows[i].seq as it left
// them (0: a duplicate).
AppendOutcome outcome_of(const std::vector<JournalRow>& rows) {
  AppendOutcome outcome;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].seq == 0) {
      outcome.duplicates.push_back(i);
      continue;
    }
    if (outcome.first_seq == 0) outcome.first_seq = rows[i].seq;
    outcome.last_seq = rows[i].seq;
  }
  return outcome;
}

bool any_seq(const std::vector<JournalRow>& rows) {
  return std::any_of(rows.begin(), rows.end(), [](const JournalRow& r) { return r.seq != 0; });
}

}  // namespace

// -----------------------------------------------------------------------------------------------

GroupCommitter::GroupCommitter(Journal journal, GroupCommitterOptions options)
    : options_(std::move(options)), journal_(std::move(journal)), index_(options_.dedup_keys) {}

Result<std::unique_ptr<GroupCommitter>> GroupCommitter::start(Journal journal, Timestamp now,
                                                              GroupCommitterOptions options) {
  std::unique_ptr<GroupCommitter> c(new GroupCommitter(std::move(journal), std::move(options)));
  Status loaded = c->journal_.for_each_key_since(
      now - c->options_.dedup_window, [&](std::string_view source, std::string_view id, Timestamp) {
        DedupIndex::Fingerprint key = DedupIndex::fingerprint(source, id);
        if (!c->index_.contains(key)) c->index_.insert(key);
      });
  if (!loaded) return loaded.error();
  c->stats_.indexed_keys = c->index_.size();
  c->thread_ = std::thread([p = c.get()] { p->run(); });
  return c;
}

GroupCommitter::~GroupCommitter() { stop(); }

bool GroupCommitter::submit(CommitRequest request, std::function<void(Result<CommitReceipt>)> done) {
  const std::size_t rows = weight(request);
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queued_rows_ + rows > options_.max_queued_rows) {
      ++stats_.rejected_requests;
      return false;
    }
    queued_rows_ += rows;
    queue_.push_back(Pending{std::move(request), std::move(done), SteadyClock::now()});
  }
  wake_.notify_one();
  return true;
}

void GroupCommitter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (std::this_thread::get_id() == thread_.get_id()) return;  // from a callback: cannot join itself
  std::lock_guard lock(stop_mutex_);
  if (thread_.joinable()) thread_.join();
}

GroupCommitterStats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  GroupCommitterStats s = stats_;
  s.queued_rows = queued_rows_;
  s.queued_requests = queue_.size();
  std::optional<SteadyClock::time_point> oldest = in_hand_since_;
  if (!oldest && !queue_.empty()) oldest = queue_.front().submitted;
  if (oldest) s.journal_lag = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - *oldest);
  return s;
}

// -----------------------------------------------------------------------------------------------
// The writer thread.

void GroupCommitter::run() {
  std::vector<Pending> batch;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) break;  // stopping, and everything is committed
      std::size_t rows = 0;
      while (!queue_.empty()) {
        const std::size_t n = weight(queue_.front().request);
        if (!batch.empty() && rows + n > options_.max_rows_per_transaction) break;
        rows += n;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_rows_ -= rows;
      in_hand_since_ = batch.front().submitted;
    }
    commit(batch);
    std::lock_guard lock(mutex_);
    in_hand_since_.reset();
  }
  resolve_unresolved();  // best effort: a batch of unknown outcome reaches on_committed if it committed
}

void GroupCommitter::commit(std::span<Pending> batch) {
  // Where each row to write comes from, to answer each request (and to give the rows back).
  struct Slot {
    std::size_t request, row;
  };
  std::vector<JournalRow> rows;
  std::vector<Slot> slots;
  std::vector<DeadLetter> dead;
  std::vector<std::size_t> dead_begin;  // dead[dead_begin[k] .. dead_begin[k + 1]) are request k's
  std::vector<CommitReceipt> receipts(batch.size());
  // The keys of the rows to write; into index_ once they are committed.
  struct KeyHash {
    std::size_t operator()(const DedupIndex::Fingerprint& k) const { return static_cast<std::size_t>(k.low); }
  };
  std::unordered_set<DedupIndex::Fingerprint, KeyHash> batch_keys;
  std::size_t duplicates = 0, total_rows = 0;
  for (const Pending& p : batch) total_rows += p.request.rows.size();
  rows.reserve(total_rows);
  slots.reserve(total_rows);
  batch_keys.reserve(total_rows);

  resolve_unresolved();  // an earlier batch's rows count for de-duplication if they committed
  for (std::size_t k = 0; k < batch.size(); ++k) {
    CommitRequest& request = batch[k].request;
    for (std::size_t i = 0; i < request.rows.size(); ++i) {
      JournalRow& row = request.rows[i];
      const DedupIndex::Fingerprint key = DedupIndex::fingerprint(row.source, row.event_id);
      if (index_.contains(key) || !batch_keys.insert(key).second) {
        receipts[k].duplicates.push_back(i);
        ++duplicates;
        continue;
      }
      rows.push_back(std::move(row));
      slots.push_back({k, i});
    }
    dead_begin.push_back(dead.size());
    std::move(request.dead.begin(), request.dead.end(), std::back_inserter(dead));
  }
  dead_begin.push_back(dead.size());

  bool outcome_unknown = false;
  Result<AppendOutcome> result = append_with_retry(rows, dead, batch.front().submitted, outcome_unknown);
  if (!result) {
    if (result.error().code != ErrorCode::unavailable && batch.size() > 1) {
      // Data the server refuses (or a bug): give the rows back and try each request alone, so
      // that only the one at fault fails.
      for (std::size_t j = 0; j < rows.size(); ++j) batch[slots[j].request].request.rows[slots[j].row] = std::move(rows[j]);
      for (std::size_t k = 0; k < batch.size(); ++k)
        std::move(dead.begin() + dead_begin[k], dead.begin() + dead_begin[k + 1], batch[k].request.dead.begin());
      for (std::size_t k = 0; k < batch.size(); ++k) commit(batch.subspan(k, 1));
      return;
    }
    Error error = result.error();
    if (outcome_unknown) {
      error.message +=
          "; the connection was lost during the commit and the outcome is unknown: if it committed, its rows go to "
          "on_committed once the database answers again, and a resubmission is reported as duplicates";
      unresolved_ = Unresolved{std::move(rows), dead.size()};
    }
    for (Pending& p : batch) answer(p, error);
    return;
  }

  const AppendOutcome& outcome = *result;
  for (std::size_t j : outcome.duplicates) receipts[slots[j].request].duplicates.push_back(slots[j].row);
  duplicates += outcome.duplicates.size();
  for (std::size_t j = 0; j < rows.size(); ++j) {
    if (rows[j].seq == 0) continue;
    CommitReceipt& r = receipts[slots[j].request];
    if (r.first_seq == 0) r.first_seq = rows[j].seq;
    r.last_seq = rows[j].seq;
  }
  for (CommitReceipt& r : receipts) std::sort(r.duplicates.begin(), r.duplicates.end());
  if (!outcome.duplicates.empty())
    rows.erase(std::remove_if(rows.begin(), rows.end(), [](const JournalRow& r) { return r.seq == 0; }), rows.end());
  {
    std::lock_guard lock(mutex_);
    stats_.duplicates += duplicates;
  }
  for (const DedupIndex::Fingerprint& key : batch_keys) index_.insert(key);  // written, or the journal had them
  committed_rows(rows, dead.size(), /*indexed=*/true);
  for (std::size_t k = 0; k < batch.size(); ++k) answer(batch[k], std::move(receipts[k]));
}

Result<AppendOutcome> GroupCommitter::append_with_retry(std::vector<JournalRow>& rows, const std::vector<DeadLetter>& dead,
                                                        SteadyClock::time_point oldest, bool& outcome_unknown) {
  if (rows.empty() && dead.empty()) return AppendOutcome{};
  const SteadyClock::time_point deadline = oldest + options_.retry_for;
  std::chrono::milliseconds backoff = options_.first_backoff;
  outcome_unknown = false;
  for (;;) {
    std::optional<Error> error;
    if (!resolve_unresolved())
      error = unavailable("journal: cannot reach the database to learn whether an earlier transaction committed");
    // After a lost connection, find out whether the last attempt committed before trying again.
    auto check_last_attempt = [&]() -> std::optional<Result<AppendOutcome>> {
      Result<bool> c = journal_.committed(rows);
      if (!c) {
        if (!error) error = c.error();
        return std::nullopt;
      }
      outcome_unknown = false;
      if (!*c) return std::nullopt;
      std::lock_guard lock(mutex_);
      ++stats_.transactions;
      return Result<AppendOutcome>(outcome_of(rows));
    };
    if (!error && outcome_unknown)
      if (auto done = check_last_attempt()) return std::move(*done);
    if (!error && !outcome_unknown) {
      const SteadyClock::time_point started = SteadyClock::now();
      Result<AppendOutcome> r = journal_.append(rows, dead);
      const auto took = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started);
      {
        std::lock_guard lock(mutex_);
        if (r.ok()) {
          ++stats_.transactions;
          stats_.last_commit_latency = took;
        } else {
          ++stats_.failed_transactions;
        }
      }
      if (r.ok() || r.error().code != ErrorCode::unavailable) return r;
      error = r.error();
      outcome_unknown = any_seq(rows);
      if (outcome_unknown)
        if (auto done = check_last_attempt()) return std::move(*done);
    }
    if (SteadyClock::now() + backoff > deadline) return *error;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(2 * backoff, options_.max_backoff);
  }
}

bool GroupCommitter::resolve_unresolved() {
  if (!unresolved_) return true;
  Result<bool> c = journal_.committed(unresolved_->rows);
  if (!c) return false;
  if (*c) {
    std::vector<JournalRow>& rows = unresolved_->rows;
    rows.erase(std::remove_if(rows.begin(), rows.end(), [](const JournalRow& r) { return r.seq == 0; }), rows.end());
    {
      std::lock_guard lock(mutex_);
      ++stats_.transactions;
    }
    committed_rows(rows, unresolved_->dead_letters, /*indexed=*/false);
  }
  unresolved_.reset();
  return true;
}

void GroupCommitter::committed_rows(std::vector<JournalRow>& rows, std::size_t dead_letters, bool indexed) {
  if (!indexed) {
    for (const JournalRow& r : rows) {
      DedupIndex::Fingerprint key = DedupIndex::fingerprint(r.source, r.event_id);
      if (!index_.contains(key)) index_.insert(key);
    }
  }
  {
    std::lock_guard lock(mutex_);
    stats_.rows_committed += rows.size();
    stats_.dead_letters += dead_letters;
    stats_.indexed_keys = index_.size();
  }
  if (options_.on_committed && !rows.empty()) {
    try {
      options_.on_committed(std::span<const JournalRow>(rows));
    } catch (...) {
      std::lock_guard lock(mutex_);
      ++stats_.callback_errors;
    }
  }
}

void GroupCommitter::answer(Pending& p, Result<CommitReceipt> result) {
  if (!result.ok()) {
    std::lock_guard lock(mutex_);
    ++stats_.failed_requests;
  }
  try {
    if (p.done) p.done(std::move(result));
  } catch (...) {
    std::lock_guard lock(mutex_);
    ++stats_.callback_errors;
  }
}

}  // namespace outage
