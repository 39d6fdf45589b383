// AreaLookup: which service points of a stored model lie inside a GeoJSON polygon, asked of
// PostGIS (the scope of an outage record given as an `area`). A service point with no position
// of its own is placed at its bus.
//
// Thread-safe: one connection behind a mutex (areas are rare: records, not meter traffic).
// Errors: invalid_input when PostGIS rejects the polygon (its message names why), unavailable
// when the server cannot be reached (the next call reconnects).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

class AreaLookup {
 public:
  explicit AreaLookup(std::string dsn);
  ~AreaLookup();
  AreaLookup(const AreaLookup&) = delete;
  AreaLookup& operator=(const AreaLookup&) = delete;

  // The service points of `model` (stored under model.name) inside `geojson`, in model order.
  Result<std::vector<ServicePointId>> service_points_in(const NetworkModel& model, std::string_view geojson);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
