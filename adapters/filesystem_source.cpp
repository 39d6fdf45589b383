#include "adapters/filesystem_source.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <system_error>

#include "geo/network_model.h"

namespace outage {
namespace fs = std::filesystem;

std::optional<std::string> FilesystemSource::resolve(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) return path;
  fs::path p = fs::path(path).lexically_normal();
  fs::path current = p.is_absolute() ? p.root_path() : fs::path(".");
  for (const fs::path& part : p.relative_path()) {
    fs::path exact = current / part;
    if (part == "." || part == ".." || fs::exists(exact, ec)) {
      current = exact;
      continue;
    }
    std::string want = to_lower(part.string());
    bool found = false;
    for (const auto& entry : fs::directory_iterator(current, ec)) {
      if (to_lower(entry.path().filename().string()) == want) {
        current = entry.path();
        found = true;
        break;
      }
    }
    if (!found) return std::nullopt;
  }
  return current.string();
}

Result<std::string> FilesystemSource::read(const std::string& path) { return read_text_file(path); }

Result<std::string> read_text_file(const std::string& path) {
  auto resolved = FilesystemSource::resolve(path);
  if (!resolved) return not_found(fmt::format("no such file '{}'", path));
  std::ifstream in(*resolved, std::ios::binary);
  if (!in) return not_found(fmt::format("cannot open '{}'", *resolved));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace outage
