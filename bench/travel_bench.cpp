// Benchmarks of road travel times (geo/road_graph.h, dispatch/road_travel.h). Prints medians; see
// docs/benchmarks.md.
//
//   build/outage-travel-bench [--osm FILE ...] [--points 600] [--runs 5] [--seed 7]
//
// For each OSM extract (default: the Harrisburg and Monaco extracts of the shared data):
// loading the road graph (GDAL read, junction split, CSR graph, components, snapping index) and
// its size; one pair on a fresh RoadTravel (snap both, one search, one answer); a points x points
// matrix through RoadTravel::times() cold (a fresh RoadTravel: every origin searched) and warm
// (the same RoadTravel again: every tree from the cache). The points are random points of the
// extract's bounding box kept when they lie within 200 m of a road, as tickets and crews would.
// Times are medians of wall time and of the thread's CPU time (on a shared machine the CPU time
// is the steadier figure).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <ctime>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "adapters/osm_roads.h"
#include "dispatch/road_travel.h"

using namespace outage;
using WallClock = std::chrono::steady_clock;

namespace {

double seconds_since(WallClock::time_point t) { return std::chrono::duration<double>(WallClock::now() - t).count(); }

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Medians of wall time and of this thread's CPU time (the machine may be shared).
struct Timing {
  double wall = 0, cpu = 0;
};

template <typename F>
Timing median_seconds(int runs, F&& f) {
  std::vector<double> walls, cpus;
  for (int i = 0; i < runs; ++i) {
    const double c = thread_cpu_seconds();
    auto t = WallClock::now();
    f();
    walls.push_back(seconds_since(t));
    cpus.push_back(thread_cpu_seconds() - c);
  }
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  return {walls[walls.size() / 2], cpus[cpus.size() / 2]};
}

void row(const std::string& what, const std::string& value, const std::string& cpu = "") {
  fmt::print("| {:<52} | {:>16} | {:>12} |\n", what, value, cpu);
}
void row(const std::string& what, Timing t) {
  row(what, fmt::format("{:.3f} ms", t.wall * 1e3), fmt::format("{:.3f} ms", t.cpu * 1e3));
}

// Random points near the roads: uniform in the nodes' bounding box (trimmed to the middle 90% of
// latitudes and longitudes, as long motorways reach far out), kept within 200 m of a road.
std::vector<Point> points_near_roads(const RoadGraph& g, std::size_t count, unsigned seed) {
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < g.node_count(); ++i) {
    xs.push_back(g.node(RoadNodeId(static_cast<std::uint32_t>(i))).position.x);
    ys.push_back(g.node(RoadNodeId(static_cast<std::uint32_t>(i))).position.y);
  }
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  auto at = [](const std::vector<double>& v, double q) { return v[static_cast<std::size_t>(q * (v.size() - 1))]; };
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> x(at(xs, 0.05), at(xs, 0.95)), y(at(ys, 0.05), at(ys, 0.95));
  std::vector<Point> out;
  for (int tries = 0; out.size() < count && tries < 1'000'000; ++tries) {
    Point p{x(rng), y(rng)};
    if (auto s = g.snap(p); s && s->distance_m <= 200) out.push_back(p);
  }
  return out;
}

void bench(const std::string& path, std::size_t points, int runs, unsigned seed) {
  fmt::print("\n{}\n\n", std::filesystem::path(path).filename().string());
  fmt::print("| {:<52} | {:>16} | {:>12} |\n|{:-<54}|{:->18}|{:->14}|\n", "measure", "value (wall)", "cpu", "", "", "");
  std::shared_ptr<const RoadGraph> graph;
  const Timing load = median_seconds(runs, [&] {
    auto g = read_osm_roads(path);
    if (!g) {
      fmt::print(stderr, "{}\n", g.error().message);
      std::exit(1);
    }
    graph = std::make_shared<const RoadGraph>(std::move(g).value());
  });
  row("load (GDAL read, split, graph, components, rtree)", load);
  row("road nodes / roads", fmt::format("{} / {}", graph->node_count(), graph->road_count()));
  row("directed arcs", fmt::format("{}", graph->arc_count()));
  row("largest strongly connected component: nodes", fmt::format("{}", graph->main_component_nodes()));
  row("open roads", fmt::format("{:.0f} km", graph->open_km()));

  CoordinateSystem wgs84;
  wgs84.kind = CoordinateSystem::Kind::wgs84;
  auto make = [&] {
    return std::make_unique<RoadTravel>(graph, MapPlacement::make(wgs84), StraightLineTravel{wgs84});
  };
  const std::vector<Point> pts = points_near_roads(*graph, points, seed);
  if (pts.size() < 2) return;

  // Single pair, cold: snap two points, search once, answer.
  std::size_t k = 0;
  const Timing pair = median_seconds(std::max(runs, 21), [&] {
    auto travel = make();
    (void)travel->time(pts[k % pts.size()], pts[(k + 1) % pts.size()]);
    k += 2;
  });
  row("one pair, cold (snap 2, 1 search)", pair);

  std::vector<std::optional<Duration>> out;
  std::size_t answered = 0;
  const Timing cold = median_seconds(runs, [&] {
    auto travel = make();
    travel->times(pts, pts, out);
  });
  for (const auto& t : out) answered += t.has_value();
  row(fmt::format("{} x {} matrix, cold ({} searches)", pts.size(), pts.size(), pts.size()), cold);
  auto travel = make();
  travel->times(pts, pts, out);
  const Timing warm = median_seconds(runs, [&] { travel->times(pts, pts, out); });
  row(fmt::format("{} x {} matrix, warm (trees cached)", pts.size(), pts.size()), warm);
  row("answered by roads", fmt::format("{} of {}", answered, out.size()));
  fmt::print("\n{}\n", travel->describe());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"outage-travel-bench: road travel time benchmarks"};
  std::vector<std::string> files = {OUTAGE_SHARED_DATA "/osm/harrisburg/harrisburg.osm.pbf",
                                    OUTAGE_SHARED_DATA "/osm/monaco/monaco.osm.pbf"};
  std::size_t points = 600;
  int runs = 5;
  unsigned seed = 7;
  app.add_option("--osm", files, "OSM extracts (.osm.pbf / .osm)");
  app.add_option("--points", points, "matrix side (crews + tickets)");
  app.add_option("--runs", runs, "runs per measure (the median is printed)");
  app.add_option("--seed", seed, "random seed for the points");
  CLI11_PARSE(app, argc, argv);
  for (const std::string& f : files) bench(f, points, runs, seed);
  return 0;
}
