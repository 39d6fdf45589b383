// TravelTime: how long a crew takes from one place to another, in the model's coordinates.
//
// TravelTimes is the planner's view of travel, whatever its source: a road graph
// (dispatch/road_travel.h) or the straight line. StraightLineTravel is the fallback where there
// is no road graph: the straight-line distance (great-circle for WGS 84, scaled by the units of a
// local model) times a detour factor, at a typical speed. A model without usable coordinates (no
// CRS, or a schematic drawing) has no travel times: nullopt, and the caller says so.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "feeds/clock.h"
#include "geo/network_model.h"

namespace outage {

class TravelTimes {
 public:
  virtual ~TravelTimes() = default;
  // How long from a to b (model coordinates); nullopt when it cannot be measured.
  virtual std::optional<Duration> time(Point a, Point b) const = 0;
  // Many at once, row-major: out[i * to.size() + j] = time(from[i], to[j]). Implementations
  // share the work that repeats (a road graph searches once per origin, and caches).
  virtual void times(std::span<const Point> from, std::span<const Point> to,
                     std::vector<std::optional<Duration>>& out) const;
  // What the times are, for the reasons the planner gives: "roads (harrisburg.osm.pbf)",
  // "straight line x1.4 at 30 km/h".
  virtual std::string describe() const = 0;
};

struct StraightLineTravel {
  CoordinateSystem crs;
  double speed_kmh = 30;   // a repair truck across town, lights off
  double detour = 1.4;     // roads are longer than the straight line (typical urban detour index)

  // Metres between a and b, or nullopt when the coordinates cannot be measured.
  std::optional<double> distance_m(Point a, Point b) const;
  std::optional<Duration> time(Point a, Point b) const;
};

// StraightLineTravel as TravelTimes.
class StraightLineTimes final : public TravelTimes {
 public:
  explicit StraightLineTimes(StraightLineTravel travel) : travel_(travel) {}
  std::optional<Duration> time(Point a, Point b) const override { return travel_.time(a, b); }
  std::string describe() const override;
  const StraightLineTravel& travel() const { return travel_; }

 private:
  StraightLineTravel travel_;
};

}  // namespace outage
