// DedupIndex: the keys (source, event_id) of the events most recently journaled, so that the
// group committer spots a producer's retry without asking the database.
//
// Bounded: it holds at most `capacity` keys, in `generations` open-addressing tables filled one
// after the other. When the newest table is full, the oldest is emptied (one memset, a few
// milliseconds at the default size) and becomes the newest: the oldest keys are forgotten
// together, and nothing is ever rehashed, walked or freed key by key, so inserting never pauses
// the writer for long. A forgotten key is a miss, which the journal's primary key still catches
// (a slower commit, never a lost or doubled event).
//
// A key is kept as its 128-bit XXH3 fingerprint (the id hashed with the source's 64-bit hash as
// the seed): 16 bytes a key whatever the ids' length. Two different keys are taken for one
// only if their fingerprints collide, about n^2 / 2^129 for n keys (1e-25 at the default size).
//
// Not thread-safe: the committer's writer thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace outage {

class DedupIndex {
 public:
  struct Fingerprint {
    std::uint64_t low = 0, high = 0;
    bool operator==(const Fingerprint&) const = default;
  };

  // `capacity`: keys held at most (at least `generations`); `generations`: 2 or more (how much
  // is forgotten at once: a 1/generations share of the capacity).
  explicit DedupIndex(std::size_t capacity = 2'000'000, int generations = 4);

  static Fingerprint fingerprint(std::string_view source, std::string_view event_id);

  bool contains(const Fingerprint& key) const;
  // Adds a key that is not there yet (a key already there would only take a second slot).
  void insert(const Fingerprint& key);

  bool contains(std::string_view source, std::string_view event_id) const {
    return contains(fingerprint(source, event_id));
  }
  void insert(std::string_view source, std::string_view event_id) { insert(fingerprint(source, event_id)); }

  std::size_t size() const;  // keys held now
  std::size_t capacity() const { return per_table_ * tables_.size(); }
  std::size_t memory_bytes() const;

 private:
  struct Table {
    std::vector<Fingerprint> slots;  // {0, 0}: empty
    std::size_t size = 0;
  };
  static Fingerprint stored(Fingerprint key);  // never {0, 0}
  static bool in(const Table& t, const Fingerprint& key);

  std::size_t per_table_;
  std::vector<Table> tables_;
  std::size_t newest_ = 0;
};

}  // namespace outage
