// RoadGraph: the streets a crew drives, as a directed graph in WGS 84 (x = longitude,
// y = latitude), and the shortest travel times over it.
//
// Nodes are junctions (and the ends of roads); a road runs between two nodes along a polyline
// (its shape) and has a length in metres and a class (OSM's `highway` value). A two-way road is
// driven both ways; a one-way road only in its direction (a road given as `backward` only is
// driven from `to` to `from`). Time on a road is its length over its class's speed (RoadSpeeds);
// a class whose speed is 0 is closed: it is neither driven nor snapped to.
//
// Snapping puts any point onto the nearest point of the nearest open road, measured on the
// ground (an equirectangular projection at the graph's middle latitude: under 1% off across a
// city-sized extract). Only roads of the largest strongly connected component are snapped to,
// so that a point never lands on an isolated scrap (a parking aisle cut off by the extract's
// edge, a one-way stub) from which nothing is reachable; every snapped point therefore reaches
// every other. The snap says how far the point is from the road, so that callers can refuse a
// point that is far from any road (dispatch/road_travel.h does).
//
// Travel between two snapped points counts the part of the road from each point to the road's
// end it leaves or enters by (a point in the middle of a 200 m road is 100 m from either end),
// honours one-way roads on those partial pieces too, and takes the direct way along one road
// when both points lie on it. search() runs Boost.Graph's Dijkstra once from an origin to every
// node (a TravelTree); seconds() then answers any target from that tree in O(1), so callers
// search once per origin and cache the trees.
//
// Building: add_node / add_road, then finish(speeds) once (it builds the CSR graph, the time
// weights, the components and the snapping index). Before finish() the graph answers nothing
// (snap() gives nullopt, search() an empty tree). Not thread-safe while building; after finish()
// every const method may run concurrently.
#pragma once

#include <array>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geo/error.h"
#include "geo/network_model.h"
#include "geo/strong_id.h"

namespace outage {

struct RoadNodeTag {};
struct RoadTag {};
using RoadNodeId = StrongId<RoadNodeTag>;
using RoadId = StrongId<RoadTag>;

// The drivable values of OSM's `highway` key. Anything else (footway, cycleway, steps, path,
// pedestrian, bridleway, construction, proposed, ...) is not a road for a crew truck.
enum class RoadClass : std::uint8_t {
  motorway,
  motorway_link,
  trunk,
  trunk_link,
  primary,
  primary_link,
  secondary,
  secondary_link,
  tertiary,
  tertiary_link,
  unclassified,
  residential,
  living_street,
  service,
  track,
};
inline constexpr int kRoadClassCount = 15;

std::string_view to_string(RoadClass c);                              // the OSM value: "primary_link"
std::optional<RoadClass> road_class_from_string(std::string_view text);  // case-insensitive; nullopt if not drivable

// Travel speed by road class, km/h. The defaults are typical driving speeds of a service truck
// (below the posted limits: junctions, lights, traffic), close to common routing-engine car
// profiles:
//   motorway 90, motorway_link 45, trunk 80, trunk_link 40, primary 60, primary_link 30,
//   secondary 50, secondary_link 25, tertiary 40, tertiary_link 20, unclassified 30,
//   residential 25, living_street 10, service 15, track 10.
// A speed of 0 closes the class (e.g. track = 0 keeps crews off farm tracks).
struct RoadSpeeds {
  std::array<double, kRoadClassCount> kmh{};

  static RoadSpeeds defaults();
  double operator[](RoadClass c) const { return kmh[static_cast<int>(c)]; }
  double& operator[](RoadClass c) { return kmh[static_cast<int>(c)]; }
  // Sets one class by its OSM name. invalid_input naming the class for an unknown class, or
  // naming the value for a speed that is negative, not finite or above 200 km/h.
  Status set(std::string_view road_class, double speed_kmh);
  // "motorway 90, motorway_link 45, ..." (km/h), for describe() texts and logs.
  std::string describe() const;
};

// Which ways a road may be driven, relative to its from -> to order.
enum class RoadDirection : std::uint8_t { both, forward, backward };

struct RoadNode {
  Point position;  // lon/lat
};

struct Road {
  RoadNodeId from;
  RoadNodeId to;
  RoadClass road_class = RoadClass::residential;
  RoadDirection direction = RoadDirection::both;
  double length_m = 0;          // along the shape, on the sphere
  std::uint32_t shape_begin = 0;  // the shape's points in RoadGraph::shape_points(), from ... to
  std::uint32_t shape_end = 0;
};

// Where a point lies on the road network.
struct RoadSnap {
  RoadId road;
  double offset_m = 0;    // along the road from its `from` node, 0 .. length_m
  Point on_road;          // lon/lat of the nearest point of the road
  double distance_m = 0;  // from the point to on_road, on the ground
};

// How a snapped target is entered: through either end of its road, with the seconds from that
// end to the point (infinity where the road's direction forbids it), and what a trip along the
// road itself needs. RoadGraph::arrival() computes it once per target, so that answering many
// trees costs two look-ups a tree.
struct RoadArrival {
  RoadSnap target;
  std::uint32_t via_from = 0, via_to = 0;  // the road's end nodes
  double from_s = 0, to_s = 0;             // seconds from each end to the point
  double seconds_per_m = 0;                // along the road (infinity when closed)
  bool forward = false, backward = false;  // the road's directions
};

// The result of one search: travel seconds from an origin to every node (infinity where the node
// cannot be reached). Produced by RoadGraph::search(); read with RoadGraph::seconds().
struct TravelTree {
  RoadSnap origin;
  std::vector<float> node_seconds;
};

class RoadGraph {
 public:
  RoadGraph();
  ~RoadGraph();
  RoadGraph(RoadGraph&&) noexcept;
  RoadGraph& operator=(RoadGraph&&) noexcept;
  RoadGraph(const RoadGraph&) = delete;
  RoadGraph& operator=(const RoadGraph&) = delete;

  std::string source;  // where the roads came from, for messages: "harrisburg.osm.pbf"

  // Builders (before finish()).
  RoadNodeId add_node(Point lonlat);
  // A road from `from` to `to` along `shape` (lon/lat; it should start at from's position and end
  // at to's; the ends are taken from the nodes whatever the shape says, and an empty shape means
  // the straight line). Its length is measured along the shape on the sphere. invalid_input for
  // a node that does not exist or a road from a node to itself with no length.
  Result<RoadId> add_road(RoadNodeId from, RoadNodeId to, RoadClass road_class, RoadDirection direction,
                          std::span<const Point> shape = {});
  // Builds the search graph with these speeds, the components and the snapping index. May be
  // called again to change the speeds.
  void finish(const RoadSpeeds& speeds = RoadSpeeds::defaults());

  // Tables.
  std::size_t node_count() const { return nodes_.size(); }
  std::size_t road_count() const { return roads_.size(); }
  const RoadNode& node(RoadNodeId id) const { return nodes_[id.value()]; }
  const Road& road(RoadId id) const { return roads_[id.value()]; }
  std::span<const Point> shape(RoadId id) const;
  const RoadSpeeds& speeds() const { return speeds_; }
  // After finish(): directed arcs in the search graph, nodes and roads of the largest strongly
  // connected component (the ones snapped to), and the total length of open roads in km.
  std::size_t arc_count() const;
  std::size_t main_component_nodes() const;
  std::size_t main_component_roads() const;
  double open_km() const;
  // Seconds to drive a whole road at its class's speed (infinity if the class is closed).
  double road_seconds(RoadId id) const;

  // The nearest point of the nearest snappable road to `lonlat`, or nullopt when there is none
  // (no roads, or before finish()).
  std::optional<RoadSnap> snap(Point lonlat) const;

  // One-to-all search from a snapped origin (Dijkstra). Empty tree before finish().
  TravelTree search(const RoadSnap& origin) const;
  // Seconds from the tree's origin to a snapped target, or nullopt when it cannot be reached.
  std::optional<double> seconds(const TravelTree& tree, const RoadSnap& target) const;
  // The same through a precomputed arrival (inline: the inner loop of a travel matrix).
  RoadArrival arrival(const RoadSnap& target) const;
  static std::optional<double> seconds(const TravelTree& tree, const RoadArrival& arrival);
  // Conveniences over search() + seconds().
  std::optional<double> seconds(const RoadSnap& from, const RoadSnap& to) const;
  std::vector<std::optional<double>> seconds(const RoadSnap& from, std::span<const RoadSnap> to) const;

 private:
  struct Index;  // the CSR graph, the weights and the rtree, built by finish()

  std::vector<RoadNode> nodes_;
  std::vector<Road> roads_;
  std::vector<Point> shape_points_;
  std::vector<double> shape_offsets_m_;  // per shape point: metres from its road's start
  RoadSpeeds speeds_ = RoadSpeeds::defaults();
  std::unique_ptr<Index> index_;
};

inline std::optional<double> RoadGraph::seconds(const TravelTree& tree, const RoadArrival& a) {
  if (tree.node_seconds.empty()) return std::nullopt;
  double best = std::min(tree.node_seconds[a.via_from] + a.from_s, tree.node_seconds[a.via_to] + a.to_s);
  if (tree.origin.road == a.target.road) {  // both on one road: straight along it, if allowed
    const double along = a.target.offset_m - tree.origin.offset_m;
    if (along >= 0 && a.forward) best = std::min(best, along * a.seconds_per_m);
    if (along <= 0 && a.backward) best = std::min(best, -along * a.seconds_per_m);
  }
  if (!(best < std::numeric_limits<double>::infinity())) return std::nullopt;
  return best;
}

// Metres between two lon/lat points on a sphere of the Earth's mean radius (6,371,008.8 m).
double great_circle_m(Point a, Point b);

}  // namespace outage
