#include "dispatch/road_travel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <list>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace outage {

namespace {

constexpr std::size_t kMaxOffRoadCounted = 100'000;

struct PointHash {
  std::size_t operator()(Point p) const noexcept {
    std::uint64_t x, y;
    std::memcpy(&x, &p.x, sizeof x);
    std::memcpy(&y, &p.y, sizeof y);
    return std::hash<std::uint64_t>{}(x * 0x9E3779B97F4A7C15ull ^ (y + 0x7F4A7C15ull + (x << 6) + (x >> 2)));
  }
};

// A snapped origin, as the key of its search tree.
struct OriginKey {
  std::uint32_t road;
  double offset_m;
  bool operator==(const OriginKey&) const = default;
};
struct OriginKeyHash {
  std::size_t operator()(const OriginKey& k) const noexcept {
    std::uint64_t o;
    std::memcpy(&o, &k.offset_m, sizeof o);
    return std::hash<std::uint64_t>{}(o * 0x9E3779B97F4A7C15ull ^ k.road);
  }
};

Duration from_seconds(double s) { return Duration(static_cast<Duration::rep>(s * 1000 + 0.5)); }  // s >= 0

std::string thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

struct RoadTravel::Cache {
  // A model point on the map: how it is reached on the roads, or nullopt when it is off them.
  std::unordered_map<Point, std::optional<RoadArrival>, PointHash> places;
  // Search trees, most recently used first.
  std::list<std::pair<OriginKey, TravelTree>> trees;
  std::unordered_map<OriginKey, std::list<std::pair<OriginKey, TravelTree>>::iterator, OriginKeyHash> tree_of;
  std::unordered_set<Point, PointHash> off_road;
  Counters counters;
};

RoadTravel::RoadTravel(std::shared_ptr<const RoadGraph> roads, Result<MapPlacement> placement, StraightLineTravel fallback,
                       RoadTravelOptions options)
    : roads_(std::move(roads)), fallback_(fallback), options_(options), cache_(std::make_unique<Cache>()) {
  if (placement) placement_ = std::move(placement).value();
  else no_roads_reason_ = placement.error().message;
  if (!roads_) no_roads_reason_ = "no road graph";
  else if (roads_->main_component_roads() == 0 && no_roads_reason_.empty())
    no_roads_reason_ = fmt::format("{} has no roads to drive", roads_->source);
  if (options_.cache_origins == 0) options_.cache_origins = 1;
}

RoadTravel::~RoadTravel() = default;

bool RoadTravel::on_roads() const { return no_roads_reason_.empty(); }

std::optional<RoadSnap> RoadTravel::snap(Point model) const {
  const RoadArrival* a = place(model);
  if (!a) return std::nullopt;
  return a->target;
}

const RoadArrival* RoadTravel::place(Point model) const {
  if (!on_roads()) return nullptr;
  Cache& c = *cache_;
  auto it = c.places.find(model);
  if (it == c.places.end()) {
    std::optional<RoadSnap> s = roads_->snap(placement_->to_map(model));
    std::optional<RoadArrival> a;
    if (s && s->distance_m <= options_.max_snap_m) a = roads_->arrival(*s);
    if (c.places.size() >= options_.cache_points) c.places.clear();
    it = c.places.emplace(model, a).first;
  }
  return it->second ? &*it->second : nullptr;
}

namespace {

// The tree searched from `origin`, from the cache or searched now.
const TravelTree& tree_for(const RoadGraph& roads, const RoadSnap& origin, std::size_t capacity,
                           std::list<std::pair<OriginKey, TravelTree>>& trees,
                           std::unordered_map<OriginKey, std::list<std::pair<OriginKey, TravelTree>>::iterator, OriginKeyHash>& tree_of,
                           std::size_t& searches, std::size_t& hits) {
  const OriginKey key{origin.road.value(), origin.offset_m};
  if (auto it = tree_of.find(key); it != tree_of.end()) {
    ++hits;
    trees.splice(trees.begin(), trees, it->second);
    return it->second->second;
  }
  ++searches;
  if (trees.size() >= capacity) {
    tree_of.erase(trees.back().first);
    trees.pop_back();
  }
  trees.emplace_front(key, roads.search(origin));
  tree_of.emplace(key, trees.begin());
  return trees.front().second;
}

}  // namespace

std::optional<Duration> RoadTravel::time(Point a, Point b) const {
  const Point one[] = {a}, other[] = {b};
  std::vector<std::optional<Duration>> out;
  times(one, other, out);
  return out.front();
}

void RoadTravel::times(std::span<const Point> from, std::span<const Point> to,
                       std::vector<std::optional<Duration>>& out) const {
  out.resize(from.size() * to.size());  // every element is written below
  if (!on_roads()) {
    for (std::size_t i = 0; i < from.size(); ++i)
      for (std::size_t j = 0; j < to.size(); ++j)
        out[i * to.size() + j] = from[i] == to[j] ? std::optional<Duration>(Duration(0)) : fallback_.time(from[i], to[j]);
    return;
  }
  Cache& c = *cache_;
  const double access_mps = options_.access_kmh > 0 ? options_.access_kmh / 3.6 : 0;
  auto access_s = [&](const RoadSnap& s) { return access_mps > 0 ? s.distance_m / access_mps : 0.0; };
  auto note_off_road = [&](Point p) {
    if (c.off_road.size() < kMaxOffRoadCounted) c.off_road.insert(p);
  };

  // The targets, placed once: copies, not pointers into the cache (placing an origin below may
  // clear it), and the two ways into each target packed tight for the inner loop.
  struct Entry {
    std::uint32_t via_from, via_to;
    double from_s, to_s;  // including the stretch from the road to the point
    std::uint32_t road;   // RoadId::invalid_value: off the roads
  };
  std::vector<RoadArrival> arrivals(to.size());
  std::vector<Entry> entries(to.size());
  std::vector<std::uint32_t> needed;  // the nodes the targets are entered by, ascending
  for (std::size_t j = 0; j < to.size(); ++j) {
    const RoadArrival* a = place(to[j]);
    if (!a) {
      entries[j] = Entry{0, 0, 0, 0, RoadId::invalid_value};
      note_off_road(to[j]);
      continue;
    }
    arrivals[j] = *a;
    const double arrive = access_s(a->target);
    entries[j] = Entry{a->via_from, a->via_to, a->from_s + arrive, a->to_s + arrive, a->target.road.value()};
    needed.push_back(a->via_from);
    needed.push_back(a->via_to);
  }
  // A tree is read at these nodes only, gathered in ascending order (a stream through memory,
  // not a random walk over a tree that has left the cache) into `at`; entries then index `at`.
  std::sort(needed.begin(), needed.end());
  needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
  for (Entry& e : entries) {
    if (e.road == RoadId::invalid_value) continue;
    e.via_from = static_cast<std::uint32_t>(std::lower_bound(needed.begin(), needed.end(), e.via_from) - needed.begin());
    e.via_to = static_cast<std::uint32_t>(std::lower_bound(needed.begin(), needed.end(), e.via_to) - needed.begin());
  }
  std::vector<float> at(needed.size());
  for (std::size_t i = 0; i < from.size(); ++i) {
    const Point a = from[i];
    std::optional<Duration>* row = out.data() + i * to.size();
    const RoadArrival* placed = place(a);
    if (!placed) {
      note_off_road(a);
      for (std::size_t j = 0; j < to.size(); ++j) row[j] = a == to[j] ? Duration(0) : fallback_.time(a, to[j]);
      continue;
    }
    const RoadSnap origin = placed->target;
    const TravelTree& tree = tree_for(*roads_, origin, options_.cache_origins, c.trees, c.tree_of,
                                      c.counters.searches, c.counters.tree_hits);
    const float* node = tree.node_seconds.data();
    for (std::size_t k = 0; k < needed.size(); ++k) at[k] = node[needed[k]];
    const double leave = access_s(origin);
    for (std::size_t j = 0; j < to.size(); ++j) {
      const Entry& e = entries[j];
      double drive;
      if (e.road == RoadId::invalid_value || a == to[j]) {
        row[j] = a == to[j] ? Duration(0) : fallback_.time(a, to[j]);
        continue;
      } else if (e.road == origin.road.value()) {  // both on one road: RoadGraph knows the way along it
        auto along = RoadGraph::seconds(tree, arrivals[j]);
        drive = along ? *along + access_s(arrivals[j].target) : std::numeric_limits<double>::infinity();
      } else {
        drive = std::min(at[e.via_from] + e.from_s, at[e.via_to] + e.to_s);
      }
      row[j] = drive < std::numeric_limits<double>::infinity() ? std::optional<Duration>(from_seconds(leave + drive))
                                                               : fallback_.time(a, to[j]);
    }
  }
}

std::string RoadTravel::describe() const {
  const std::string straight = fmt::format("straight line x{:.1f} at {:g} km/h", fallback_.detour, fallback_.speed_kmh);
  if (!on_roads()) {
    if (!fallback_.distance_m(Point{}, Point{1, 1})) return fmt::format("no travel times: {}", no_roads_reason_);
    return fmt::format("{}: {}", straight, no_roads_reason_);
  }
  std::string out = fmt::format("roads ({}, {} junctions", roads_->source, thousands(roads_->main_component_nodes()));
  if (!placement_->identity()) out += fmt::format("; model placed {}", placement_->describe());
  out += ")";
  const std::size_t off = cache_->off_road.size();
  if (off > 0)
    out += fmt::format("; {}{} place{} off the roads (> {:g} m) by {}", thousands(off), off >= kMaxOffRoadCounted ? "+" : "",
                       off == 1 ? "" : "s", options_.max_snap_m, straight);
  return out;
}

RoadTravel::Counters RoadTravel::counters() const {
  Counters k = cache_->counters;
  k.off_road_places = cache_->off_road.size();
  return k;
}

}  // namespace outage
