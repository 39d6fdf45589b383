// Benchmarks of the network model (issue: foundation). Prints medians; see docs/benchmarks.md.
//
//   build/outage-bench [--db DSN] [--copies 850] [--runs 21] [--skip-utility]
//
// Measures: OpenDSS import of the IEEE 8500-node feeder; full energization (every feeder
// rebuilt); one switch operation (only its feeder rebuilt); a downstream-customers query; and a
// synthetic utility of ~1 million customers (the 8500-node feeder tiled): build time, resident
// memory, PostGIS save and load.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "adapters/filesystem_source.h"
#include "adapters/postgis_store.h"
#include "geo/opendss_reader.h"
#include "geo/synthetic_utility.h"
#include "geo/topology.h"

using namespace outage;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

template <typename F>
double median_seconds(int runs, F&& f) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    f();
    times.push_back(seconds_since(t));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

void row(const std::string& what, const std::string& value, const std::string& goal) {
  fmt::print("| {:<58} | {:>14} | {:>12} |\n", what, value, goal);
}

std::string ms(double s) { return fmt::format("{:.3f} ms", s * 1e3); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"outage-bench: network model benchmarks"};
  std::string dsn;
  bool has_db = false;
  int copies = 850, runs = 21;
  bool skip_utility = false;
  std::string data = OUTAGE_SHARED_DATA;
  app.add_option("--db", dsn, "PostGIS connection string for the save/load measurements");
  app.add_option("--copies", copies, "copies of the 8500-node feeder in the synthetic utility");
  app.add_option("--runs", runs, "repetitions for medians");
  app.add_option("--data", data, "shared data folder");
  app.add_flag("--skip-utility", skip_utility, "skip the synthetic utility");
  CLI11_PARSE(app, argc, argv);
  has_db = app.count("--db") > 0;

  const std::string feeder = data + "/feeders/ieee8500/Run_RecloserSiting.DSS";
  FilesystemSource files;
  auto first = read_opendss(files, feeder);
  if (!first) {
    fmt::print(stderr, "error: {}\n", first.error().message);
    return 2;
  }
  NetworkModel model = std::move(first).value();

  fmt::print("| {:<58} | {:>14} | {:>12} |\n|{:-<60}|{:-<16}|{:-<14}|\n", "measurement", "median", "goal", "", "", "");
  double import_s = median_seconds(runs, [&] {
    auto m = read_opendss(files, feeder);
    if (!m) std::abort();
  });
  row("import IEEE 8500 (OpenDSS files -> model, file cache warm)", ms(import_s), "< 150 ms");

  Topology topology(model);
  double build_topo_s = median_seconds(runs, [&] { Topology t(model); });
  row("topology construction (graph + feeders)", ms(build_topo_s), "");
  double energize_s = median_seconds(std::max(runs, 101), [&] { topology.rebuild_all(); });
  row("full energization (every feeder rebuilt)", ms(energize_s), "< 1 ms");

  ElementId fuse = model.find_element("fuse.ln6201670-1");
  double switch_s = median_seconds(std::max(runs, 101), [&] {
    topology.set_open(fuse, true);
    topology.set_open(fuse, false);
  }) / 2;
  row("one switch operation (its feeder rebuilt)", ms(switch_s), "");

  std::mt19937 rng(42);
  std::vector<BusId> probes(1 << 20);
  std::uniform_int_distribution<std::uint32_t> pick(0, static_cast<std::uint32_t>(model.buses().size() - 1));
  for (auto& b : probes) b = BusId(pick(rng));
  std::uint64_t sink = 0;
  double query_s = median_seconds(runs, [&] {
    for (BusId b : probes) sink += topology.customers_below(b);
  }) / static_cast<double>(probes.size());
  row("downstream customers of a random bus", fmt::format("{:.1f} ns", query_s * 1e9), "< 1 us");
  double below_s = median_seconds(runs, [&] {
    for (std::size_t i = 0; i + 1 < probes.size(); i += 2) sink += topology.is_below(probes[i], probes[i + 1]);
  }) / static_cast<double>(probes.size() / 2);
  row("is X below Y, random buses", fmt::format("{:.1f} ns", below_s * 1e9), "");

  if (has_db) {
    auto store = PostgisStore::connect(dsn);
    if (!store || !store->migrate()) {
      fmt::print(stderr, "error: cannot use the database\n");
      return 5;
    }
    double save_s = median_seconds(5, [&] {
      if (!store->save_model(model, "bench-8500")) std::abort();
    });
    row("PostGIS save of IEEE 8500", ms(save_s), "");
    double load_s = median_seconds(5, [&] {
      if (!store->load_model("bench-8500")) std::abort();
    });
    row("PostGIS load of IEEE 8500", ms(load_s), "");
  }

  if (!skip_utility) {
    long rss_before = resident_kib();
    auto t = Clock::now();
    NetworkModel utility = tile_model(model, copies);
    double tile_s = seconds_since(t);
    auto t2 = Clock::now();
    Topology utility_topology(utility);
    double topo_s = seconds_since(t2);
    long rss_after = resident_kib();
    row(fmt::format("synthetic utility: {} customers, {} buses, {} elements", utility.customers().size(),
                    utility.buses().size(), utility.elements().size()),
        "", "");
    row("  build: model", fmt::format("{:.2f} s", tile_s), "");
    row("  build: topology (graph, feeders, energization)", fmt::format("{:.2f} s", topo_s), "");
    row("  build: total", fmt::format("{:.2f} s", tile_s + topo_s), "< 5 s");
    row("  resident memory of model + topology", fmt::format("{:.0f} MiB", (rss_after - rss_before) / 1024.0),
        "< 1.5 GB");
    row("  resident memory of the process", fmt::format("{:.0f} MiB", rss_after / 1024.0), "");
    auto t3 = Clock::now();
    utility_topology.rebuild_all();
    row("  full energization", fmt::format("{:.1f} ms", seconds_since(t3) * 1e3), "");
    std::uniform_int_distribution<std::uint32_t> upick(0, static_cast<std::uint32_t>(utility.buses().size() - 1));
    for (auto& b : probes) b = BusId(upick(rng));
    double uquery = median_seconds(runs, [&] {
      for (BusId b : probes) sink += utility_topology.customers_below(b);
    }) / static_cast<double>(probes.size());
    row("  downstream customers of a random bus", fmt::format("{:.1f} ns", uquery * 1e9), "< 1 us");
    if (has_db) {
      auto store = PostgisStore::connect(dsn);
      if (!store) return 5;
      auto ts = Clock::now();
      if (Status s = store->save_model(utility, "bench-utility"); !s) {
        fmt::print(stderr, "error: {}\n", s.error().message);
        return 5;
      }
      row("  PostGIS save", fmt::format("{:.1f} s", seconds_since(ts)), "< 30 s");
      auto tl = Clock::now();
      auto loaded = store->load_model("bench-utility");
      if (!loaded) {
        fmt::print(stderr, "error: {}\n", loaded.error().message);
        return 5;
      }
      row("  PostGIS load", fmt::format("{:.1f} s", seconds_since(tl)), "< 30 s");
    }
  }
  if (sink == 42) fmt::print("\n");  // keeps the queries from being optimised away
  return 0;
}
