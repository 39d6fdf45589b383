// StringArena: owns the text of every id and name in a model, so that the model's records can
// hold std::string_view (16 bytes) instead of std::string. Views stay valid for the arena's
// lifetime, including after the arena is moved (text lives in heap blocks that never move).
//
// Not thread-safe for writes; concurrent reads of returned views are fine.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace outage {

class StringArena {
 public:
  StringArena() = default;
  StringArena(StringArena&&) noexcept = default;
  StringArena& operator=(StringArena&&) noexcept = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // Copies `text` into the arena and returns a view of the copy.
  std::string_view store(std::string_view text);


 private:
  static constexpr std::size_t kBlockSize = 1 << 16;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t used_in_last_ = kBlockSize;
};

}  // namespace outage
