#include "adapters/dedup_index.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>

namespace outage {

DedupIndex::DedupIndex(std::size_t capacity, int generations) {
  std::size_t n = static_cast<std::size_t>(std::max(generations, 2));
  per_table_ = std::max<std::size_t>(capacity / n, 1);
  // Load at most one half: short probe chains, and a miss (the common case) ends early.
  std::size_t slots = std::bit_ceil(2 * per_table_);
  tables_.resize(n);
  for (Table& t : tables_) t.slots.assign(slots, Fingerprint{});
}

DedupIndex::Fingerprint DedupIndex::fingerprint(std::string_view source, std::string_view event_id) {
  XXH64_hash_t seed = XXH3_64bits(source.data(), source.size());
  XXH128_hash_t h = XXH3_128bits_withSeed(event_id.data(), event_id.size(), seed);
  return {h.low64, h.high64};
}

DedupIndex::Fingerprint DedupIndex::stored(Fingerprint key) {
  if (key == Fingerprint{}) key.low = 1;
  return key;
}

bool DedupIndex::in(const Table& t, const Fingerprint& key) {
  const std::size_t mask = t.slots.size() - 1;
  for (std::size_t i = key.low & mask;; i = (i + 1) & mask) {
    const Fingerprint& s = t.slots[i];
    if (s == key) return true;
    if (s == Fingerprint{}) return false;
  }
}

bool DedupIndex::contains(const Fingerprint& key) const {
  const Fingerprint k = stored(key);
  // Newest first: a retry usually follows its original closely.
  for (std::size_t j = 0; j < tables_.size(); ++j) {
    const Table& t = tables_[(newest_ + tables_.size() - j) % tables_.size()];
    if (t.size > 0 && in(t, k)) return true;
  }
  return false;
}

void DedupIndex::insert(const Fingerprint& key) {
  if (tables_[newest_].size == per_table_) {
    newest_ = (newest_ + 1) % tables_.size();
    Table& t = tables_[newest_];  // the oldest: forgotten
    std::fill(t.slots.begin(), t.slots.end(), Fingerprint{});
    t.size = 0;
  }
  Table& t = tables_[newest_];
  const Fingerprint k = stored(key);
  const std::size_t mask = t.slots.size() - 1;
  std::size_t i = k.low & mask;
  while (t.slots[i] != Fingerprint{}) {
    if (t.slots[i] == k) return;
    i = (i + 1) & mask;
  }
  t.slots[i] = k;
  ++t.size;
}

std::size_t DedupIndex::size() const {
  std::size_t n = 0;
  for (const Table& t : tables_) n += t.size;
  return n;
}

std::size_t DedupIndex::memory_bytes() const {
  return tables_.size() * tables_.front().slots.size() * sizeof(Fingerprint);
}

}  // namespace outage
