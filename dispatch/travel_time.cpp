#include "dispatch/travel_time.h"

#include <fmt/format.h>

#include <cmath>

namespace outage {

std::optional<double> StraightLineTravel::distance_m(Point a, Point b) const {
  switch (crs.kind) {
    case CoordinateSystem::Kind::wgs84: {
      // Haversine on a sphere of the Earth's mean radius.
      constexpr double kEarthRadiusM = 6'371'008.8;
      constexpr double kRad = M_PI / 180.0;
      const double dlat = (b.y - a.y) * kRad, dlon = (b.x - a.x) * kRad;
      const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                       std::cos(a.y * kRad) * std::cos(b.y * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
      return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
    }
    case CoordinateSystem::Kind::local:
      if (crs.metres_per_unit <= 0) return std::nullopt;  // schematic: distances mean nothing
      return std::hypot(b.x - a.x, b.y - a.y) * crs.metres_per_unit;
    case CoordinateSystem::Kind::none: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Duration> StraightLineTravel::time(Point a, Point b) const {
  auto d = distance_m(a, b);
  if (!d || speed_kmh <= 0) return std::nullopt;
  const double seconds = *d * detour / (speed_kmh / 3.6);
  return Duration(static_cast<Duration::rep>(std::llround(seconds * 1000)));
}

}  // namespace outage

namespace outage {

void TravelTimes::times(std::span<const Point> from, std::span<const Point> to,
                        std::vector<std::optional<Duration>>& out) const {
  out.clear();
  out.reserve(from.size() * to.size());
  for (Point a : from)
    for (Point b : to) out.push_back(time(a, b));
}

std::string StraightLineTimes::describe() const {
  return fmt::format("straight line x{:.1f} at {:g} km/h", travel_.detour, travel_.speed_kmh);
}

}  // namespace outage
