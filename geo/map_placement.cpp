#include "geo/map_placement.h"

#include <fmt/format.h>

#include <cmath>

namespace outage {

namespace {
constexpr double kEarthRadiusM = 6'371'008.8;
constexpr double kRad = M_PI / 180.0;
}  // namespace

Result<MapPlacement> MapPlacement::make(const CoordinateSystem& crs, const PlacementSpec& spec) {
  using Kind = CoordinateSystem::Kind;
  if (crs.kind == Kind::none)
    return invalid_input("the model has no coordinate system and cannot be placed on the map");
  if (crs.kind == Kind::local && !(crs.metres_per_unit > 0))
    return invalid_input("a schematic model has no distances and cannot be placed on the map");
  if (!(spec.scale > 0) || !std::isfinite(spec.scale))
    return invalid_input(fmt::format("placement: scale must be positive, not {}", spec.scale));
  if (!std::isfinite(spec.rotation_deg))
    return invalid_input("placement: rotation must be a number of degrees");
  if (spec.map_anchor) {
    const Point a = *spec.map_anchor;
    if (!(a.x >= -180 && a.x <= 180 && a.y >= -85 && a.y <= 85))
      return invalid_input(fmt::format("placement: anchor ({}, {}) is not a lon/lat (lon -180..180, lat -85..85)", a.x, a.y));
  }
  if (crs.kind == Kind::wgs84 && spec.map_anchor) {
    const Point m = spec.model_anchor;
    if (!(m.x >= -180 && m.x <= 180 && m.y >= -85 && m.y <= 85))
      return invalid_input(fmt::format("placement: model anchor ({}, {}) is not a lon/lat", m.x, m.y));
  }
  if (crs.kind == Kind::local && !spec.map_anchor)
    return invalid_input(fmt::format("a local model ({}) needs an anchor to be placed on the map", crs.describe()));

  MapPlacement p;
  p.crs_ = crs;
  p.spec_ = spec;
  p.identity_ = !spec.map_anchor;
  if (p.identity_) return p;
  if (crs.kind == Kind::local) {
    p.ux_ = p.uy_ = crs.metres_per_unit;
  } else {
    p.uy_ = kEarthRadiusM * kRad;
    p.ux_ = p.uy_ * std::cos(spec.model_anchor.y * kRad);
  }
  p.ux_ *= spec.scale;
  p.uy_ *= spec.scale;
  p.cos_ = std::cos(spec.rotation_deg * kRad);
  p.sin_ = std::sin(spec.rotation_deg * kRad);
  p.deg_per_m_lat_ = 1.0 / (kEarthRadiusM * kRad);
  p.deg_per_m_lon_ = 1.0 / (kEarthRadiusM * kRad * std::cos(spec.map_anchor->y * kRad));
  return p;
}

Point MapPlacement::to_map(Point model) const {
  if (identity_) return model;
  const double e0 = (model.x - spec_.model_anchor.x) * ux_;
  const double n0 = (model.y - spec_.model_anchor.y) * uy_;
  const double east = e0 * cos_ - n0 * sin_;
  const double north = e0 * sin_ + n0 * cos_;
  return Point{spec_.map_anchor->x + east * deg_per_m_lon_, spec_.map_anchor->y + north * deg_per_m_lat_};
}

Point MapPlacement::to_model(Point lonlat) const {
  if (identity_) return lonlat;
  const double east = (lonlat.x - spec_.map_anchor->x) / deg_per_m_lon_;
  const double north = (lonlat.y - spec_.map_anchor->y) / deg_per_m_lat_;
  const double e0 = east * cos_ + north * sin_;
  const double n0 = -east * sin_ + north * cos_;
  return Point{spec_.model_anchor.x + e0 / ux_, spec_.model_anchor.y + n0 / uy_};
}

std::string MapPlacement::describe() const {
  if (identity_) return fmt::format("as given ({})", crs_.describe());
  const Point a = *spec_.map_anchor;
  return fmt::format("{} ({:g}, {:g}) at {:.5f} {} {:.5f} {}, x{:g}, {:g} deg", crs_.describe(), spec_.model_anchor.x,
                     spec_.model_anchor.y, std::abs(a.y), a.y >= 0 ? 'N' : 'S', std::abs(a.x), a.x >= 0 ? 'E' : 'W',
                     spec_.scale, spec_.rotation_deg);
}

}  // namespace outage
