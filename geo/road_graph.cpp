#include "geo/road_graph.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/two_bit_color_map.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

namespace outage {

namespace {

constexpr double kEarthRadiusM = 6'371'008.8;
constexpr double kRad = M_PI / 180.0;
constexpr double kAtNodeM = 1e-3;  // a snap this close to a road's end is at its node

constexpr std::array<std::string_view, kRoadClassCount> kClassNames = {
    "motorway",  "motorway_link", "trunk",        "trunk_link",    "primary",
    "primary_link", "secondary",  "secondary_link", "tertiary",    "tertiary_link",
    "unclassified", "residential", "living_street", "service",     "track",
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

double great_circle_m(Point a, Point b) {
  const double dlat = (b.y - a.y) * kRad, dlon = (b.x - a.x) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.y * kRad) * std::cos(b.y * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

std::string_view to_string(RoadClass c) { return kClassNames[static_cast<int>(c)]; }

std::optional<RoadClass> road_class_from_string(std::string_view text) {
  const std::string t = lower(text);
  for (int i = 0; i < kRoadClassCount; ++i)
    if (kClassNames[i] == t) return static_cast<RoadClass>(i);
  return std::nullopt;
}

RoadSpeeds RoadSpeeds::defaults() {
  RoadSpeeds s;
  s[RoadClass::motorway] = 90;
  s[RoadClass::motorway_link] = 45;
  s[RoadClass::trunk] = 80;
  s[RoadClass::trunk_link] = 40;
  s[RoadClass::primary] = 60;
  s[RoadClass::primary_link] = 30;
  s[RoadClass::secondary] = 50;
  s[RoadClass::secondary_link] = 25;
  s[RoadClass::tertiary] = 40;
  s[RoadClass::tertiary_link] = 20;
  s[RoadClass::unclassified] = 30;
  s[RoadClass::residential] = 25;
  s[RoadClass::living_street] = 10;
  s[RoadClass::service] = 15;
  s[RoadClass::track] = 10;
  return s;
}

Status RoadSpeeds::set(std::string_view road_class, double speed_kmh) {
  auto c = road_class_from_string(road_class);
  if (!c) return invalid_input(fmt::format("road speeds: '{}' is not a drivable road class (use one of {})", road_class,
                                           fmt::join(kClassNames, ", ")));
  if (!std::isfinite(speed_kmh) || speed_kmh < 0 || speed_kmh > 200)
    return invalid_input(fmt::format("road speeds: {} = {} km/h is not a speed (0 to 200; 0 closes the class)",
                                     road_class, speed_kmh));
  (*this)[*c] = speed_kmh;
  return {};
}

std::string RoadSpeeds::describe() const {
  std::string out;
  for (int i = 0; i < kRoadClassCount; ++i) {
    if (i) out += ", ";
    out += fmt::format("{} {:g}", kClassNames[i], kmh[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The search graph and the snapping index.

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

struct RoadGraph::Index {
  struct Arc {
    float seconds = 0;
  };
  using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, Arc, boost::no_property,
                                                   std::uint32_t, std::uint32_t>;
  using PlanePoint = bg::model::point<double, 2, bg::cs::cartesian>;
  using Segment = bg::model::segment<PlanePoint>;
  using Entry = std::pair<Segment, std::uint32_t>;  // a segment and its first shape point

  Graph graph;
  std::vector<double> road_seconds;            // per road; infinity when closed
  std::vector<std::uint32_t> component;        // per node
  std::uint32_t main_component = 0;
  std::size_t main_nodes = 0;
  std::size_t main_roads = 0;
  double open_km = 0;
  std::vector<RoadId> road_of_point;           // per shape point: its road
  bgi::rtree<Entry, bgi::rstar<16>> rtree;
  // Equirectangular projection at the middle latitude: metres east and north of (lon0, lat0).
  double lon0 = 0, lat0 = 0, kx = 0, ky = 0;

  PlanePoint plane(Point p) const { return PlanePoint((p.x - lon0) * kx, (p.y - lat0) * ky); }
  Point lonlat(double x, double y) const { return Point{lon0 + x / kx, lat0 + y / ky}; }
};

RoadGraph::RoadGraph() = default;
RoadGraph::~RoadGraph() = default;
RoadGraph::RoadGraph(RoadGraph&&) noexcept = default;
RoadGraph& RoadGraph::operator=(RoadGraph&&) noexcept = default;

RoadNodeId RoadGraph::add_node(Point lonlat) {
  nodes_.push_back(RoadNode{lonlat});
  return RoadNodeId(static_cast<RoadNodeId::value_type>(nodes_.size() - 1));
}

Result<RoadId> RoadGraph::add_road(RoadNodeId from, RoadNodeId to, RoadClass road_class, RoadDirection direction,
                                   std::span<const Point> shape) {
  if (!from.valid() || from.value() >= nodes_.size() || !to.valid() || to.value() >= nodes_.size())
    return invalid_input(fmt::format("{}: road between unknown nodes {} and {}", source, from.value(), to.value()));
  Road r;
  r.from = from;
  r.to = to;
  r.road_class = road_class;
  r.direction = direction;
  r.shape_begin = static_cast<std::uint32_t>(shape_points_.size());
  const std::size_t inner_begin = shape.size() >= 2 ? 1 : 0;
  const std::size_t inner_end = shape.size() >= 2 ? shape.size() - 1 : 0;
  std::vector<Point> points;
  points.reserve(inner_end - inner_begin + 2);
  points.push_back(nodes_[from.value()].position);
  for (std::size_t i = inner_begin; i < inner_end; ++i)
    if (!(shape[i] == points.back())) points.push_back(shape[i]);
  if (!(nodes_[to.value()].position == points.back()) || points.size() == 1) points.push_back(nodes_[to.value()].position);
  double length = 0;
  std::vector<double> offsets{0.0};
  for (std::size_t i = 1; i < points.size(); ++i) {
    length += great_circle_m(points[i - 1], points[i]);
    offsets.push_back(length);
  }
  if (from == to && length <= 0)
    return invalid_input(fmt::format("{}: road from node {} to itself has no length", source, from.value()));
  r.length_m = length;
  shape_points_.insert(shape_points_.end(), points.begin(), points.end());
  shape_offsets_m_.insert(shape_offsets_m_.end(), offsets.begin(), offsets.end());
  r.shape_end = static_cast<std::uint32_t>(shape_points_.size());
  roads_.push_back(r);
  return RoadId(static_cast<RoadId::value_type>(roads_.size() - 1));
}

std::span<const Point> RoadGraph::shape(RoadId id) const {
  const Road& r = roads_[id.value()];
  return std::span<const Point>(shape_points_).subspan(r.shape_begin, r.shape_end - r.shape_begin);
}

void RoadGraph::finish(const RoadSpeeds& speeds) {
  speeds_ = speeds;
  auto index = std::make_unique<Index>();
  const double inf = std::numeric_limits<double>::infinity();

  // Arcs, with their time weights.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
  std::vector<Index::Arc> weights;
  arcs.reserve(roads_.size() * 2);
  weights.reserve(roads_.size() * 2);
  index->road_seconds.assign(roads_.size(), inf);
  for (std::size_t i = 0; i < roads_.size(); ++i) {
    const Road& r = roads_[i];
    const double kmh = speeds_[r.road_class];
    if (!(kmh > 0)) continue;
    const double s = r.length_m / (kmh / 3.6);
    index->road_seconds[i] = s;
    index->open_km += r.length_m / 1000;
    if (r.direction != RoadDirection::backward) {
      arcs.emplace_back(r.from.value(), r.to.value());
      weights.push_back({static_cast<float>(s)});
    }
    if (r.direction != RoadDirection::forward) {
      arcs.emplace_back(r.to.value(), r.from.value());
      weights.push_back({static_cast<float>(s)});
    }
  }
  const auto n = static_cast<std::uint32_t>(nodes_.size());
  index->graph = Index::Graph(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), weights.begin(), n);

  // The largest strongly connected component, by nodes.
  index->component.assign(n, 0);
  if (n > 0) {
    const std::size_t count = boost::strong_components(
        index->graph, boost::make_iterator_property_map(index->component.begin(), boost::get(boost::vertex_index, index->graph)));
    std::vector<std::size_t> sizes(count, 0);
    for (std::uint32_t c : index->component) ++sizes[c];
    index->main_component = static_cast<std::uint32_t>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
    index->main_nodes = sizes[index->main_component];
  }

  // The projection, at the middle of the nodes' latitudes.
  if (n > 0) {
    auto [lo, hi] = std::minmax_element(nodes_.begin(), nodes_.end(),
                                        [](const RoadNode& a, const RoadNode& b) { return a.position.y < b.position.y; });
    index->lat0 = (lo->position.y + hi->position.y) / 2;
    index->lon0 = nodes_.front().position.x;
  }
  index->ky = kEarthRadiusM * kRad;
  index->kx = index->ky * std::cos(index->lat0 * kRad);

  // The snapping index: every segment of every open road inside the main component.
  index->road_of_point.assign(shape_points_.size(), RoadId());
  std::vector<Index::Entry> entries;
  for (std::size_t i = 0; i < roads_.size(); ++i) {
    const Road& r = roads_[i];
    for (std::uint32_t p = r.shape_begin; p < r.shape_end; ++p) index->road_of_point[p] = RoadId(static_cast<std::uint32_t>(i));
    if (index->road_seconds[i] == inf) continue;
    if (index->component[r.from.value()] != index->main_component || index->component[r.to.value()] != index->main_component)
      continue;
    ++index->main_roads;
    for (std::uint32_t p = r.shape_begin; p + 1 < r.shape_end; ++p)
      entries.emplace_back(Index::Segment(index->plane(shape_points_[p]), index->plane(shape_points_[p + 1])), p);
  }
  index->rtree = bgi::rtree<Index::Entry, bgi::rstar<16>>(entries.begin(), entries.end());
  index_ = std::move(index);
}

std::size_t RoadGraph::arc_count() const { return index_ ? boost::num_edges(index_->graph) : 0; }
std::size_t RoadGraph::main_component_nodes() const { return index_ ? index_->main_nodes : 0; }
std::size_t RoadGraph::main_component_roads() const { return index_ ? index_->main_roads : 0; }
double RoadGraph::open_km() const { return index_ ? index_->open_km : 0; }

double RoadGraph::road_seconds(RoadId id) const {
  if (index_) return index_->road_seconds[id.value()];
  const double kmh = speeds_[roads_[id.value()].road_class];
  return kmh > 0 ? roads_[id.value()].length_m / (kmh / 3.6) : std::numeric_limits<double>::infinity();
}

std::optional<RoadSnap> RoadGraph::snap(Point lonlat) const {
  if (!index_ || index_->rtree.empty()) return std::nullopt;
  const Index& ix = *index_;
  const Index::PlanePoint q = ix.plane(lonlat);
  std::optional<RoadSnap> best;
  for (auto it = ix.rtree.qbegin(bgi::nearest(q, 1)); it != ix.rtree.qend(); ++it) {
    const std::uint32_t p = it->second;
    const double ax = bg::get<0, 0>(it->first), ay = bg::get<0, 1>(it->first);
    const double bx = bg::get<1, 0>(it->first), by = bg::get<1, 1>(it->first);
    const double dx = bx - ax, dy = by - ay;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((bg::get<0>(q) - ax) * dx + (bg::get<1>(q) - ay) * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    RoadSnap s;
    s.road = ix.road_of_point[p];
    const Road& r = roads_[s.road.value()];
    // The ends of the segment are the shape's own points (exact, not round-tripped through the
    // projection); in between, the projection's inverse.
    if (t == 0) s.on_road = shape_points_[p];
    else if (t == 1) s.on_road = shape_points_[p + 1];
    else s.on_road = ix.lonlat(ax + t * dx, ay + t * dy);
    s.offset_m = shape_offsets_m_[p] + t * (shape_offsets_m_[p + 1] - shape_offsets_m_[p]);
    s.offset_m = std::clamp(s.offset_m, 0.0, r.length_m);
    s.distance_m = great_circle_m(lonlat, s.on_road);
    best = s;
  }
  return best;
}

TravelTree RoadGraph::search(const RoadSnap& origin) const {
  TravelTree tree;
  tree.origin = origin;
  if (!index_ || !origin.road.valid()) return tree;
  const Index& ix = *index_;
  const double inf = std::numeric_limits<double>::infinity();
  const std::size_t n = nodes_.size();
  // The tree's own vector is the distance map: seconds as float (a step of 0.25 ms at an hour).
  std::vector<float>& dist = tree.node_seconds;
  dist.assign(n, std::numeric_limits<float>::infinity());

  // Seeds: the ends of the origin's road that can be driven to from the point.
  const Road& r = roads_[origin.road.value()];
  const double total = ix.road_seconds[origin.road.value()];
  const double before = r.length_m > 0 ? total * origin.offset_m / r.length_m : 0;  // from `from` to the point
  const double after = total - before;
  auto seed = [&](RoadNodeId node, double s) { dist[node.value()] = std::min(dist[node.value()], static_cast<float>(s)); };
  if (origin.offset_m <= kAtNodeM) seed(r.from, 0);
  if (r.length_m - origin.offset_m <= kAtNodeM) seed(r.to, 0);
  if (total != inf) {
    if (r.direction != RoadDirection::backward) seed(r.to, after);
    if (r.direction != RoadDirection::forward) seed(r.from, before);
  }
  std::vector<std::uint32_t> sources;
  for (RoadNodeId node : {r.from, r.to})
    if (dist[node.value()] < std::numeric_limits<float>::infinity() && std::find(sources.begin(), sources.end(), node.value()) == sources.end())
      sources.push_back(node.value());

  if (!sources.empty()) {
    auto vertex_index = boost::get(boost::vertex_index, ix.graph);
    auto distance = boost::make_iterator_property_map(dist.begin(), vertex_index);
    boost::two_bit_color_map<decltype(vertex_index)> color(n, vertex_index);
    // The _no_init form takes the seeds' own distances (the partial roads), not zero.
    boost::dijkstra_shortest_paths_no_init(
        ix.graph, sources.begin(), sources.end(), boost::dummy_property_map(), distance,
        boost::get(&Index::Arc::seconds, ix.graph), vertex_index, std::less<float>(), std::plus<float>(), 0.0f,
        boost::default_dijkstra_visitor(), color);
  }
  return tree;
}

RoadArrival RoadGraph::arrival(const RoadSnap& target) const {
  const double inf = std::numeric_limits<double>::infinity();
  RoadArrival a;
  a.target = target;
  a.from_s = a.to_s = a.seconds_per_m = inf;
  if (!index_ || !target.road.valid()) return a;
  const Road& r = roads_[target.road.value()];
  const double total = index_->road_seconds[target.road.value()];
  a.via_from = r.from.value();
  a.via_to = r.to.value();
  if (target.offset_m <= kAtNodeM) a.from_s = 0;                // the point is the `from` node
  if (r.length_m - target.offset_m <= kAtNodeM) a.to_s = 0;     // the point is the `to` node
  if (total == inf) return a;
  a.seconds_per_m = r.length_m > 0 ? total / r.length_m : 0;
  a.forward = r.direction != RoadDirection::backward;
  a.backward = r.direction != RoadDirection::forward;
  if (a.forward) a.from_s = std::min(a.from_s, target.offset_m * a.seconds_per_m);              // enters at `from`
  if (a.backward) a.to_s = std::min(a.to_s, (r.length_m - target.offset_m) * a.seconds_per_m);  // enters at `to`
  return a;
}

std::optional<double> RoadGraph::seconds(const TravelTree& tree, const RoadSnap& target) const {
  if (!index_ || !target.road.valid() || !tree.origin.road.valid() || tree.node_seconds.size() != nodes_.size())
    return std::nullopt;
  return seconds(tree, arrival(target));
}

std::optional<double> RoadGraph::seconds(const RoadSnap& from, const RoadSnap& to) const {
  return seconds(search(from), to);
}

std::vector<std::optional<double>> RoadGraph::seconds(const RoadSnap& from, std::span<const RoadSnap> to) const {
  TravelTree tree = search(from);
  std::vector<std::optional<double>> out;
  out.reserve(to.size());
  for (const RoadSnap& t : to) out.push_back(seconds(tree, t));
  return out;
}

}  // namespace outage
