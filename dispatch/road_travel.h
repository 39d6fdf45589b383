// RoadTravel: travel times over the streets (a RoadGraph read from OpenStreetMap), for a model
// placed on the map, with the straight line where the roads cannot answer.
//
// A model point goes onto the map by the MapPlacement, then onto the nearest road
// (RoadGraph::snap). The time from a to b is the drive between their snapped points plus the two
// stretches between each point and its road, taken at `access_kmh` (a driveway, a yard, a field
// edge). The straight line (StraightLineTravel: distance x detour at its speed, in the model's
// own coordinates) answers instead, for the pair, when
//   - either point is more than `max_snap_m` from any road (off the extract, across a river the
//     extract does not bridge): "3 places off the roads";
//   - the model cannot be placed (schematic, no CRS, a local model without an anchor), or there
//     is no road graph: every pair, and describe() gives the reason;
//   - the roads cannot connect the two (cannot happen for snapped points, which all lie in one
//     strongly connected component, but is handled the same way).
// A schematic model has no straight line either: its times are nullopt, as StraightLineTravel's.
// The same point to itself is 0.
//
// Caching, for re-planning often: each distinct model point is placed and snapped once, and each
// distinct snapped origin is searched once (one Dijkstra to every node); the trees of the last
// `cache_origins` origins are kept (least recently used goes first; a tree is 4 bytes per road
// node: Harrisburg's 4,580 nodes make 18 kB, so the default 1,024 trees stay under 20 MB).
// times() places every column once, searches (or finds) one tree per row and answers the row
// from it with two look-ups per column.
//
// Not thread-safe: time() and times() fill the caches (they are const to the caller, who sees
// the same answers either way); call them from one strand. The RoadGraph is shared and read-only.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dispatch/travel_time.h"
#include "geo/error.h"
#include "geo/map_placement.h"
#include "geo/road_graph.h"

namespace outage {

struct RoadTravelOptions {
  double max_snap_m = 1000;          // a point farther than this from every road goes by straight line
  double access_kmh = 15;            // the stretch between a point and its road
  std::size_t cache_origins = 1024;  // search trees kept
  std::size_t cache_points = 65536;  // placed-and-snapped points kept (all dropped when full)
};

class RoadTravel final : public TravelTimes {
 public:
  // `roads` may be null (no road graph configured). `placement` is the model's placement, or the
  // error that says why it cannot be placed (MapPlacement::make's answer, passed as is).
  // `fallback` carries the model's CRS and the straight line's speed and detour.
  RoadTravel(std::shared_ptr<const RoadGraph> roads, Result<MapPlacement> placement, StraightLineTravel fallback,
             RoadTravelOptions options = {});
  ~RoadTravel() override;
  RoadTravel(const RoadTravel&) = delete;
  RoadTravel& operator=(const RoadTravel&) = delete;

  std::optional<Duration> time(Point a, Point b) const override;
  void times(std::span<const Point> from, std::span<const Point> to,
             std::vector<std::optional<Duration>>& out) const override;
  // "roads (harrisburg.osm.pbf, 9,214 junctions); 3 places off the roads (> 1000 m) by
  // straight line x1.4 at 30 km/h", or "straight line x1.4 at 30 km/h: <why there are no roads>",
  // or "no travel times: a schematic model has no distances and cannot be placed on the map".
  std::string describe() const override;

  // Whether the roads answer at all (a graph and a placement).
  bool on_roads() const;
  // Where a model point lies on the roads; nullopt when it is off the roads (or there are none).
  std::optional<RoadSnap> snap(Point model) const;

  struct Counters {
    std::size_t searches = 0;        // Dijkstra runs
    std::size_t tree_hits = 0;       // origins answered from a kept tree
    std::size_t off_road_places = 0; // distinct points that went by straight line (up to 100,000)
  };
  Counters counters() const;

 private:
  struct Cache;
  const RoadArrival* place(Point model) const;  // in the cache; nullptr when off the roads
  std::shared_ptr<const RoadGraph> roads_;
  std::optional<MapPlacement> placement_;
  std::string no_roads_reason_;  // when roads_ or placement_ is missing
  StraightLineTravel fallback_;
  RoadTravelOptions options_;
  std::unique_ptr<Cache> cache_;
};

}  // namespace outage
