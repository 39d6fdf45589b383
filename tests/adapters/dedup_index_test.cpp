// DedupIndex: holds the most recent keys, forgets the oldest in whole generations, stays within
// its memory.
#include "adapters/dedup_index.h"

#include <gtest/gtest.h>

#include <string>

namespace outage {
namespace {

std::string id(int i) { return "event-" + std::to_string(i); }

TEST(DedupIndex, FindsEveryKeyItWasGivenAndNoOther) {
  DedupIndex index(100'000);
  for (int i = 0; i < 50'000; ++i) index.insert("ami", id(i));
  for (int i = 0; i < 50'000; ++i) ASSERT_TRUE(index.contains("ami", id(i))) << i;
  for (int i = 50'000; i < 100'000; ++i) ASSERT_FALSE(index.contains("ami", id(i))) << i;
  // The same id from another source is another key.
  EXPECT_FALSE(index.contains("scada", id(1)));
  EXPECT_EQ(index.size(), 50'000u);
}

TEST(DedupIndex, TellsApartKeysThatConcatenateAlike) {
  EXPECT_NE(DedupIndex::fingerprint("ab", "c"), DedupIndex::fingerprint("a", "bc"));
  EXPECT_NE(DedupIndex::fingerprint("", "abc"), DedupIndex::fingerprint("abc", ""));
  EXPECT_EQ(DedupIndex::fingerprint("ami", "e1"), DedupIndex::fingerprint("ami", "e1"));
}

TEST(DedupIndex, ForgetsTheOldestGenerationWhenFull) {
  // Capacity 8 in 4 generations: 2 keys a generation. Keys 0-7 fill all four; key 8 empties the
  // oldest generation (keys 0 and 1) to make room.
  DedupIndex index(8, 4);
  for (int i = 0; i < 8; ++i) index.insert("ami", id(i));
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(index.contains("ami", id(i))) << i;
  index.insert("ami", id(8));
  EXPECT_FALSE(index.contains("ami", id(0)));
  EXPECT_FALSE(index.contains("ami", id(1)));
  for (int i = 2; i <= 8; ++i) EXPECT_TRUE(index.contains("ami", id(i))) << i;
  EXPECT_EQ(index.size(), 7u);
}

TEST(DedupIndex, StaysWithinItsCapacityAndMemory) {
  DedupIndex index(1'000, 4);
  const std::size_t memory = index.memory_bytes();
  for (int i = 0; i < 100'000; ++i) {
    index.insert("ami", id(i));
    ASSERT_LE(index.size(), index.capacity());
  }
  EXPECT_EQ(index.memory_bytes(), memory);
  // The last generation's keys are all there: at least capacity - capacity / 4 of the newest.
  for (int i = 100'000 - 750; i < 100'000; ++i) EXPECT_TRUE(index.contains("ami", id(i))) << i;
}

}  // namespace
}  // namespace outage
