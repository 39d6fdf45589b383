// SourceFiles: how importers in the pure core read the files a model is made of.
//
// geo/ does no I/O of its own: an importer is handed a SourceFiles. The daemon and the CLI pass
// adapters/FilesystemSource (which resolves each path component case-insensitively, as on the
// Windows machines OpenDSS models were written on); tests pass an in-memory map.
#pragma once

#include <string>

#include "geo/error.h"

namespace outage {

class SourceFiles {
 public:
  virtual ~SourceFiles() = default;
  // Returns the whole file, or not_found naming the path. `path` is as written in the model,
  // already joined to the folder it is relative to ('/'-separated, may contain "..").
  virtual Result<std::string> read(const std::string& path) = 0;
};

}  // namespace outage
