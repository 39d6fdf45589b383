// FilesystemSource: SourceFiles over the local file system, resolving every path component
// case-insensitively when the exact spelling does not exist (models written on Windows say
// `Compile (master.dss)` for Master.dss).
#pragma once

#include <optional>
#include <string>

#include "geo/source_files.h"

namespace outage {

class FilesystemSource final : public SourceFiles {
 public:
  Result<std::string> read(const std::string& path) override;
  // The path as it exists on disk, or nullopt.
  static std::optional<std::string> resolve(const std::string& path);
};

// Reads a whole file (exact or case-insensitive path); not_found naming it on failure.
Result<std::string> read_text_file(const std::string& path);

}  // namespace outage
