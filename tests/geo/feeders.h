// Paths of the real IEEE test feeders in ../shared/data (never copied into the repository).
#pragma once

#include <string>

#include "adapters/filesystem_source.h"
#include "geo/opendss_reader.h"

namespace outage::testing {

inline std::string feeder_path(const std::string& relative) {
  return std::string(OUTAGE_SHARED_DATA) + "/feeders/" + relative;
}

// Reads a feeder or fails the calling test with the reader's message.
inline NetworkModel read_feeder(const std::string& relative, const OpenDssOptions& options = {}) {
  FilesystemSource files;
  auto model = read_opendss(files, feeder_path(relative), options);
  if (!model) throw std::runtime_error(model.error().message);
  return std::move(model).value();
}

}  // namespace outage::testing
