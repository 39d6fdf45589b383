#include "geo/string_arena.h"

#include <cstring>

namespace outage {

std::string_view StringArena::store(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > kBlockSize / 4) {  // large strings get a block of their own
    auto block = std::make_unique<char[]>(text.size());
    std::memcpy(block.get(), text.data(), text.size());
    std::string_view view(block.get(), text.size());
    // Keep the current small block last so that small strings keep filling it.
    blocks_.insert(blocks_.begin(), std::move(block));
    return view;
  }
  if (used_in_last_ + text.size() > kBlockSize) {
    blocks_.push_back(std::make_unique<char[]>(kBlockSize));
    used_in_last_ = 0;
  }
  char* dst = blocks_.back().get() + used_in_last_;
  std::memcpy(dst, text.data(), text.size());
  used_in_last_ += text.size();
  return {dst, text.size()};
}

}  // namespace outage
