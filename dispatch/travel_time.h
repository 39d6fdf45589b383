// TravelTime: how long a crew takes from one place to another, in the model's coordinates.
//
// StraightLineTravel is the fallback the planner uses where there is no road graph: the
// straight-line distance (great-circle for WGS 84, scaled by the units of a local model)
// times a detour factor, at a typical speed. A model without usable coordinates (no CRS, or a
// schematic drawing) has no travel times: nullopt, and the caller says so.
#pragma once

#include <optional>

#include "feeds/clock.h"
#include "geo/network_model.h"

namespace outage {

struct StraightLineTravel {
  CoordinateSystem crs;
  double speed_kmh = 30;   // a repair truck across town, lights off
  double detour = 1.4;     // roads are longer than the straight line (typical urban detour index)

  // Metres between a and b, or nullopt when the coordinates cannot be measured.
  std::optional<double> distance_m(Point a, Point b) const;
  std::optional<Duration> time(Point a, Point b) const;
};

}  // namespace outage
