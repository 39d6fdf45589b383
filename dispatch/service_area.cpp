#include "dispatch/service_area.h"

#include <fmt/format.h>

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>

namespace outage {

namespace bg = boost::geometry;

std::string_view to_string(AreaClass area_class) {
  switch (area_class) {
    case AreaClass::urban: return "urban";
    case AreaClass::rural: return "rural";
    case AreaClass::remote: return "remote";
  }
  return "urban";
}

int default_arrival_limit_min(AreaClass area_class) {
  switch (area_class) {
    case AreaClass::urban: return 45;
    case AreaClass::rural: return 90;
    case AreaClass::remote: return 120;
  }
  return 45;
}

Duration default_restoration_after_arrival(AreaClass area_class) {
  return area_class == AreaClass::urban ? std::chrono::hours(3) : std::chrono::hours(4);
}

using BgPoint = bg::model::d2::point_xy<double>;
using BgPolygon = bg::model::polygon<BgPoint, false, false>;  // open rings; corrected to this orientation

Status check_boundary(const std::vector<Point>& polygon) {
  std::vector<Point> ring = polygon;
  if (ring.size() > 1 && ring.front() == ring.back()) ring.pop_back();  // closed as given
  if (ring.size() < 3) return invalid_input(fmt::format("expected at least 3 points, got {}", ring.size()));
  BgPolygon poly;
  for (const Point& q : ring) bg::append(poly.outer(), BgPoint(q.x, q.y));
  bg::correct(poly);
  std::string why;
  if (!bg::is_valid(poly, why)) {
    return invalid_input(fmt::format("the boundary does not close into one area ({})", why));
  }
  return {};
}

struct ServiceAreas::Shapes {
  std::vector<BgPolygon> polygons;  // one per area, empty for an area of fewer than 3 points
};

ServiceAreas::ServiceAreas(std::vector<ServiceArea> areas, ServiceArea fallback)
    : areas_(std::move(areas)), fallback_(std::move(fallback)), shapes_(std::make_unique<Shapes>()) {
  for (const ServiceArea& a : areas_) {
    BgPolygon poly;
    if (a.polygon.size() >= 3) {
      for (const Point& q : a.polygon) bg::append(poly.outer(), BgPoint(q.x, q.y));
      bg::correct(poly);
    }
    shapes_->polygons.push_back(std::move(poly));
  }
}

ServiceAreas::~ServiceAreas() = default;
ServiceAreas::ServiceAreas(ServiceAreas&&) noexcept = default;
ServiceAreas& ServiceAreas::operator=(ServiceAreas&&) noexcept = default;
ServiceAreas::ServiceAreas(const ServiceAreas& other) : ServiceAreas(other.areas_, other.fallback_) {}
ServiceAreas& ServiceAreas::operator=(const ServiceAreas& other) {
  if (this != &other) *this = ServiceAreas(other);
  return *this;
}

ServiceArea ServiceAreas::default_fallback() {
  return ServiceArea{"default", AreaClass::urban, std::chrono::minutes(45), {}};
}

const ServiceArea& ServiceAreas::at(Point p) const {
  for (std::size_t i = 0; i < areas_.size(); ++i) {
    const BgPolygon& poly = shapes_->polygons[i];
    if (!poly.outer().empty() && bg::covered_by(BgPoint(p.x, p.y), poly)) return areas_[i];
  }
  return fallback_;
}

}  // namespace outage
