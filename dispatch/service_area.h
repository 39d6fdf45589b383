// ServiceAreas: the utility's service areas, each a polygon in the model's coordinates with its
// class and its committed arrival limit (State Grid commitments: 45 min urban, 90 min rural,
// 120 min remote), so that a ticket's arrival clock follows the place it is about.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/clock.h"
#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

enum class AreaClass : std::uint8_t { urban, rural, remote };
std::string_view to_string(AreaClass area_class);
int default_arrival_limit_min(AreaClass area_class);  // 45, 90, 120
// Restoration within this long of arrival, on average (commitments: 3 h urban, 4 h rural and remote).
Duration default_restoration_after_arrival(AreaClass area_class);

struct ServiceArea {
  std::string name;
  AreaClass area_class = AreaClass::urban;
  Duration arrival_limit = std::chrono::minutes(45);
  std::vector<Point> polygon;  // closed or not; at least 3 points
};

// A boundary that closes into one area: at least 3 distinct points, not crossing itself, not of
// zero area (Boost.Geometry's validity). invalid_input with the reason otherwise.
Status check_boundary(const std::vector<Point>& polygon);

class ServiceAreas {
 public:
  // `fallback`: for places inside no area (and for models without positions).
  explicit ServiceAreas(std::vector<ServiceArea> areas = {}, ServiceArea fallback = default_fallback());
  ~ServiceAreas();
  ServiceAreas(ServiceAreas&&) noexcept;
  ServiceAreas& operator=(ServiceAreas&&) noexcept;
  ServiceAreas(const ServiceAreas& other);  // rebuilds the shapes
  ServiceAreas& operator=(const ServiceAreas& other);

  // The area containing p (the first listed when areas overlap), else the fallback.
  const ServiceArea& at(Point p) const;
  const ServiceArea& fallback() const { return fallback_; }
  const std::vector<ServiceArea>& areas() const { return areas_; }

  static ServiceArea default_fallback();  // "default", urban, 45 min

 private:
  struct Shapes;  // the polygons, ready for point queries
  std::vector<ServiceArea> areas_;
  ServiceArea fallback_;
  std::unique_ptr<Shapes> shapes_;
};

}  // namespace outage
