#include "geo/crs_inference.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace outage {

CoordinateSystem infer_coordinate_system(const NetworkModel& model) {
  bool any = false, in_lonlat = true;
  double minx = 0, maxx = 0, miny = 0, maxy = 0;
  for (const Bus& b : model.buses()) {
    if (!b.has_position) continue;
    if (!any) minx = maxx = b.position.x, miny = maxy = b.position.y;
    any = true;
    minx = std::min(minx, b.position.x), maxx = std::max(maxx, b.position.x);
    miny = std::min(miny, b.position.y), maxy = std::max(maxy, b.position.y);
    if (std::abs(b.position.x) > 180 || std::abs(b.position.y) > 90) in_lonlat = false;
  }
  if (!any) return {};
  // A distribution network spans a few kilometres to a few hundred: in degrees, under 5.
  if (maxx - minx > 5 || maxy - miny > 5) in_lonlat = false;

  std::vector<double> ratios;
  for (const Element& e : model.elements()) {
    if (!e.is_branch() || e.length_m <= 1) continue;
    const Bus& a = model.bus(e.bus1);
    const Bus& b = model.bus(e.bus2);
    if (!a.has_position || !b.has_position) continue;
    double d = std::hypot(a.position.x - b.position.x, a.position.y - b.position.y);
    if (d > 0) ratios.push_back(d / e.length_m);
  }
  double median = 0;
  if (!ratios.empty()) {
    std::nth_element(ratios.begin(), ratios.begin() + ratios.size() / 2, ratios.end());
    median = ratios[ratios.size() / 2];
  }
  if (in_lonlat && (ratios.empty() || (median > 1e-6 && median < 1e-4))) return {CoordinateSystem::Kind::wgs84, 0};
  CoordinateSystem local{CoordinateSystem::Kind::local, 0};
  if (std::abs(median / 3.28084 - 1) < 0.05) local.metres_per_unit = 0.3048;
  else if (std::abs(median - 1) < 0.05) local.metres_per_unit = 1;
  return local;
}

}  // namespace outage
