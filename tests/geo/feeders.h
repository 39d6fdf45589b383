// Paths of the real IEEE test feeders in ../shared/data (never copied into the repository).
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "adapters/filesystem_source.h"
#include "geo/opendss_reader.h"
#include "geo/topology.h"

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

// Meters (service point ids) below a device in the feeder's normal state, in model order.
inline std::vector<std::string> meters_below(const NetworkModel& model, const std::string& device) {
  Topology topology(model);
  std::vector<std::string> out;
  for (BusId b : topology.buses_below_list(topology.downstream_bus(model.find_element(device)))) {
    for (ServicePointId sp : topology.service_points_at(b)) out.emplace_back(model.service_point(sp).id);
  }
  return out;
}

// The fuse with the most meters below it (the first in model order of equals), and its meters.
inline std::pair<std::string, std::vector<std::string>> busiest_fuse(const NetworkModel& model) {
  std::pair<std::string, std::vector<std::string>> best;
  for (const Element& e : model.elements()) {
    if (e.kind != ElementKind::fuse) continue;
    auto m = meters_below(model, std::string(e.id));
    if (m.size() > best.second.size()) best = {std::string(e.id), std::move(m)};
  }
  return best;
}

// The busiest fuse and the next busiest whose meters are all elsewhere (two laterals); the
// second is empty when there is none.
inline std::pair<std::string, std::string> two_separate_fuses(const NetworkModel& model) {
  std::vector<std::pair<std::size_t, std::string>> fuses;
  for (const Element& e : model.elements()) {
    if (e.kind == ElementKind::fuse) fuses.emplace_back(meters_below(model, std::string(e.id)).size(), std::string(e.id));
  }
  std::sort(fuses.rbegin(), fuses.rend());
  if (fuses.empty()) return {};
  std::string a = fuses[0].second;
  auto below_a = meters_below(model, a);
  for (std::size_t i = 1; i < fuses.size(); ++i) {
    auto m = meters_below(model, fuses[i].second);
    bool disjoint = std::none_of(m.begin(), m.end(), [&](const std::string& x) {
      return std::find(below_a.begin(), below_a.end(), x) != below_a.end();
    });
    if (disjoint && !m.empty()) return {a, fuses[i].second};
  }
  return {a, ""};
}

}  // namespace outage::testing
