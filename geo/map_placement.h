// MapPlacement: where a model's coordinates lie on the map (WGS 84 lon/lat), so that its
// points can be put on a road network.
//
// A local model (projected units with a known size, CoordinateSystem::Kind::local with
// metres_per_unit > 0) is placed by an anchor: one model point and the lon/lat it goes to. A model
// point p then lies `(p - anchor) * metres_per_unit * scale` metres east (model +x) and north
// (model +y) of the anchor's lon/lat, turned counter-clockwise by `rotation_deg`, and converted to
// degrees at the anchor's latitude on a sphere of the Earth's mean radius (6,371,008.8 m):
//   lon = lon0 + east / (R cos lat0) * 180/pi,   lat = lat0 + north / R * 180/pi.
// This flat-Earth step is exact at the anchor and good to about 0.1% within 10 km of it: ample
// for putting an anonymised feeder onto a city's streets for demos and drills.
//
// A WGS 84 model is already on the map: without an anchor it is the identity. With one, its
// points are moved the same way (east/north metres from the model anchor, measured at the model
// anchor's latitude, then scaled, turned and laid down at the map anchor): this moves a feeder
// whose lon/lat are not true to place or scale (the IEEE 9500's) onto another city.
//
// A model without measurable coordinates (Kind::none, or local with metres_per_unit 0: a
// schematic drawing) cannot be placed: make() says so as an error value. So does a local model
// without an anchor, a scale that is not positive, or an anchor off the globe.
//
// A MapPlacement is an immutable value; every method is const and thread-safe.
#pragma once

#include <optional>
#include <string>

#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

// How to place a model, as configured (the daemon's config, a drill scenario).
struct PlacementSpec {
  std::optional<Point> map_anchor;  // lon/lat where model_anchor goes; none: the identity (WGS 84 only)
  Point model_anchor;               // in model coordinates
  double scale = 1.0;               // stretches model distances (2: the feeder covers twice the ground)
  double rotation_deg = 0.0;        // counter-clockwise, model +x towards north
};

class MapPlacement {
 public:
  // The placement of a model in `crs` by `spec`. invalid_input saying why when the model cannot
  // be placed: "a schematic model has no distances and cannot be placed on the map", "a local
  // model needs an anchor to be placed on the map", "scale must be positive", an anchor outside
  // lon -180..180 / lat -85..85.
  static Result<MapPlacement> make(const CoordinateSystem& crs, const PlacementSpec& spec = {});

  // The lon/lat of a model point.
  Point to_map(Point model) const;
  // The model point at a lon/lat (the inverse of to_map, up to rounding): a crew's GPS fix in
  // model coordinates.
  Point to_model(Point lonlat) const;

  bool identity() const { return identity_; }
  const CoordinateSystem& crs() const { return crs_; }
  const PlacementSpec& spec() const { return spec_; }
  // "as given (EPSG:4326)", or "local (ft) (0, 0) at 40.2732 N 76.8867 W, x1, 0 deg".
  std::string describe() const;

 private:
  MapPlacement() = default;

  CoordinateSystem crs_;
  PlacementSpec spec_;
  bool identity_ = true;
  // Model units -> metres east/north of the anchor, before turning: east = (x - ax) * ux, north =
  // (y - ay) * uy (for WGS 84 models ux and uy convert degrees at the model anchor's latitude).
  double ux_ = 1, uy_ = 1;
  double cos_ = 1, sin_ = 0;          // the rotation
  double deg_per_m_lon_ = 0, deg_per_m_lat_ = 0;  // at the map anchor
};

}  // namespace outage
