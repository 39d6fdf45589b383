// IdIndex: maps string ids to dense record numbers (0 .. 2^32-2) in 8 bytes a slot.
//
// The model has millions of ids (a million-customer utility: ~10 M buses, elements, meters and
// customers); a node-based std::unordered_map costs ~50 bytes an entry, this costs ~12-16. The
// index does not own the strings: each lookup gets a `key_of(record)` function that returns the
// id of a record (a view into the model's arena). Open addressing, linear probing; each slot
// keeps 32 bits of the hash beside the record number, so growing never needs the keys and most
// probes compare no strings. Records are never removed. Not thread-safe for writes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace outage {

class IdIndex {
 public:
  static constexpr std::uint32_t npos = 0xFFFFFFFFu;

  // The record whose id is `key`, or npos.
  template <typename KeyOf>
  std::uint32_t find(std::string_view key, KeyOf&& key_of) const {
    if (slots_.empty()) return npos;
    std::uint32_t h = hash(key);
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      std::uint64_t s = slots_[i];
      if (s == 0) return npos;
      std::uint32_t record = static_cast<std::uint32_t>(s) - 1;
      if (static_cast<std::uint32_t>(s >> 32) == h && key_of(record) == key) return record;
    }
  }

  // For lookups in bulk, which are bound by memory latency: prefetch_slot() starts loading the
  // slot a later find(key) reads first; guess() then reads it (cheaply, once loaded) and returns
  // the record a matching hash points to, without comparing keys, so that the caller can
  // prefetch the record too. npos when the home slot holds another hash.
  void prefetch_slot(std::string_view key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash(key) & (slots_.size() - 1)]);
  }
  std::uint32_t guess(std::string_view key) const {
    if (slots_.empty()) return npos;
    std::uint32_t h = hash(key);
    std::uint64_t s = slots_[h & (slots_.size() - 1)];
    if (s == 0 || static_cast<std::uint32_t>(s >> 32) != h) return npos;
    return static_cast<std::uint32_t>(s) - 1;
  }

  // Adds `key` -> `record` unless `key` is there already. Returns the record `key` maps to
  // now and whether it was added. `key_of` is never called with `record` itself, so the caller
  // may append the record to its table after a successful insert.
  template <typename KeyOf>
  std::pair<std::uint32_t, bool> insert(std::string_view key, std::uint32_t record, KeyOf&& key_of) {
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    std::uint32_t h = hash(key);
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      std::uint64_t s = slots_[i];
      if (s == 0) {
        slots_[i] = (static_cast<std::uint64_t>(h) << 32) | (static_cast<std::uint64_t>(record) + 1);
        ++size_;
        return {record, true};
      }
      std::uint32_t existing = static_cast<std::uint32_t>(s) - 1;
      if (static_cast<std::uint32_t>(s >> 32) == h && key_of(existing) == key) return {existing, false};
    }
  }

  // Replaces the contents with records 0 .. n-1, keyed by key_of(r). Much faster than n
  // inserts for millions of records: slots are filled in order of their position (a radix sort
  // of the hashes), so memory is written sequentially instead of at random. Returns npos, or
  // the first record whose key repeats an earlier record's key (the index is then incomplete).
  template <typename KeyOf>
  std::uint32_t build(std::uint32_t n, KeyOf&& key_of) {
    slots_.clear();
    size_ = 0;
    std::size_t capacity = 16;
    while (capacity < 2 * static_cast<std::size_t>(n)) capacity <<= 1;  // load <= 1/2
    slots_.assign(capacity, 0);
    int bits = 0;
    while ((std::size_t{1} << bits) < capacity) ++bits;
    std::uint32_t mask = static_cast<std::uint32_t>(capacity - 1);
    // Sort (hash, record) by home slot, then by the rest of the hash, as one 32-bit key.
    auto sort_key = [&](std::uint64_t item) {
      std::uint32_t h = static_cast<std::uint32_t>(item >> 32);
      return bits >= 32 ? h : ((h & mask) << (32 - bits)) | (h >> bits);
    };
    std::vector<std::uint64_t> items(n), scratch(n);
    for (std::uint32_t r = 0; r < n; ++r) items[r] = (static_cast<std::uint64_t>(hash(key_of(r))) << 32) | r;
    for (int shift = 0; shift < 32; shift += 11) {  // LSD radix sort, 11-bit digits
      std::vector<std::uint32_t> count(2049, 0);
      for (std::uint64_t it : items) ++count[((sort_key(it) >> shift) & 2047) + 1];
      for (int d = 0; d < 2048; ++d) count[d + 1] += count[d];
      for (std::uint64_t it : items) scratch[count[(sort_key(it) >> shift) & 2047]++] = it;
      items.swap(scratch);
    }
    std::uint32_t duplicate = npos;
    std::size_t next = 0;  // first free slot at or after the previous item's
    std::vector<std::uint64_t> wrapped;
    for (std::size_t k = 0; k < items.size(); ++k) {
      std::uint64_t it = items[k];
      std::uint32_t h = static_cast<std::uint32_t>(it >> 32);
      std::uint32_t r = static_cast<std::uint32_t>(it);
      // Equal hashes are adjacent: compare keys only then.
      for (std::size_t j = k; j > 0 && static_cast<std::uint32_t>(items[j - 1] >> 32) == h; --j)
        if (std::uint32_t other = static_cast<std::uint32_t>(items[j - 1]); key_of(other) == key_of(r)) {
          std::uint32_t later = std::max(other, r);
          if (duplicate == npos || later < duplicate) duplicate = later;
        }
      std::size_t pos = std::max<std::size_t>(h & mask, next);
      if (pos >= capacity) {  // ran off the end: place at the start, as probing wraps
        wrapped.push_back(it);
        continue;
      }
      slots_[pos] = (static_cast<std::uint64_t>(h) << 32) | (static_cast<std::uint64_t>(r) + 1);
      next = pos + 1;
      ++size_;
    }
    for (std::uint64_t it : wrapped) {
      std::size_t i = static_cast<std::uint32_t>(it >> 32) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = (it & 0xFFFFFFFF00000000ull) | ((it & 0xFFFFFFFFull) + 1);
      ++size_;
    }
    return duplicate;
  }

  std::size_t size() const { return size_; }

 private:
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;

  static std::uint32_t hash(std::string_view key) {
    std::uint64_t h = std::hash<std::string_view>{}(key);
    return static_cast<std::uint32_t>(h ^ (h >> 32));
  }

  void rehash(std::size_t capacity) {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(capacity, 0);
    std::size_t mask = capacity - 1;
    for (std::uint64_t s : old) {
      if (s == 0) continue;
      std::size_t i = static_cast<std::uint32_t>(s >> 32) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
};

}  // namespace outage
