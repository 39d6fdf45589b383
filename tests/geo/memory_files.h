// SourceFiles held in memory, for reader tests. Paths match case-insensitively, as the
// filesystem adapter resolves them.
#pragma once

#include <map>
#include <string>

#include "geo/network_model.h"
#include "geo/source_files.h"

namespace outage::testing {

class MemoryFiles final : public SourceFiles {
 public:
  MemoryFiles& add(const std::string& path, std::string text) {
    files_[to_lower(path)] = std::move(text);
    return *this;
  }
  Result<std::string> read(const std::string& path) override {
    auto it = files_.find(to_lower(path));
    if (it == files_.end()) return not_found("no such file '" + path + "'");
    return it->second;
  }

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace outage::testing
