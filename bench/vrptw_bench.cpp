// outage-vrptw-bench: the VRPTW solver on Solomon's 56 instances against the best-known
// solutions (../shared/data/solomon/bks.csv), with the budget and threads `outage solve-vrptw`
// uses by default. Prints one row per instance, then the summary: instances at the best-known
// vehicle count, the mean distance gap on those, per-family figures, seconds per instance.
// Results go to docs/benchmarks.md (Issue 6).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/cli_vrptw.h"
#include "dispatch/vrptw_routes.h"

#ifndef OUTAGE_SHARED_DATA
#define OUTAGE_SHARED_DATA ""
#endif

namespace {

struct Known {
  std::string name;
  int vehicles = 0;
  double distance = 0;
};

std::vector<Known> read_bks(const std::string& path) {
  std::vector<Known> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    Known k;
    std::string vehicles, distance;
    if (std::getline(row, k.name, ',') && std::getline(row, vehicles, ',') && std::getline(row, distance, ',')) {
      k.vehicles = std::stoi(vehicles);
      k.distance = std::stod(distance);
      out.push_back(k);
    }
  }
  return out;
}

std::string family(const std::string& name) {
  std::string letters;
  for (char c : name) {
    if (std::isalpha(static_cast<unsigned char>(c))) letters += c;
  }
  return letters + name[letters.size()];  // C1, C2, R1, R2, RC1, RC2
}

struct Tally {
  int instances = 0, at_bks = 0, fewer = 0;
  double gap_sum = 0, seconds_sum = 0, seconds_max = 0;
  void add(int vehicles, int bks_vehicles, double gap, double seconds) {
    ++instances;
    if (vehicles == bks_vehicles) {
      ++at_bks;
      gap_sum += gap;
    }
    if (vehicles < bks_vehicles) ++fewer;
    seconds_sum += seconds;
    seconds_max = std::max(seconds_max, seconds);
  }
  std::string row(const std::string& label) const {
    return fmt::format("| {:<6} | {:>3} / {:<3} | {:>8} | {:>6.3f} | {:>6.3f} |", label, at_bks, instances,
                       at_bks ? fmt::format("{:.2f}%", 100 * gap_sum / at_bks) : std::string("-"), seconds_sum / std::max(1, instances),
                       seconds_max);
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"outage-vrptw-bench: the VRPTW solver on Solomon's instances against the best-known solutions"};
  std::string data = std::getenv("OUTAGE_DATA") ? std::getenv("OUTAGE_DATA") : OUTAGE_SHARED_DATA;
  std::string only;
  outage::cli::VrptwRunOptions run;
  app.add_option("--data", data, "the shared data folder (default: $OUTAGE_DATA)");
  app.add_option("--only", only, "run the instances whose name starts with this (e.g. R2)");
  app.add_option("--time-limit", run.time_limit, "seconds of search per instance (default: the CLI's)");
  app.add_option("--seed", run.seed, "the first thread's seed (default: the CLI's)");
  app.add_option("--threads", run.threads, "parallel searches (default: the CLI's)");
  app.add_option("--fleet-share", run.search.fleet_share, "share of the budget spent on fewer vehicles");
  app.add_option("--fleet-stall", run.search.fleet_stall, "share of the vehicle phase without progress that ends it");
  app.add_option("--odd-stall", run.odd_thread_fleet_stall, "odd threads' fleet stall");
  app.add_option("--start-temperature", run.search.start_temperature, "simulated annealing's first temperature");
  app.add_option("--end-temperature", run.search.end_temperature, "simulated annealing's last temperature");
  CLI11_PARSE(app, argc, argv);

  const std::vector<Known> known = read_bks(data + "/solomon/bks.csv");
  if (known.empty()) {
    std::cerr << "error: no best-known solutions in " << data << "/solomon/bks.csv\n";
    return 3;
  }
  fmt::print("| instance | vehicles | BKS vehicles | distance | BKS distance | gap | seconds | steps |\n");
  fmt::print("|---|---|---|---|---|---|---|---|\n");
  Tally all;
  std::map<std::string, Tally> families;
  for (const Known& k : known) {
    if (k.name.rfind(only, 0) != 0) continue;
    auto instance = outage::cli::load_vrptw_instance(data + "/solomon/instances/" + k.name + ".txt");
    if (!instance) {
      std::cerr << "error: " << instance.error().message << "\n";
      return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    auto solution = outage::cli::solve_vrptw_in_threads(*instance, run);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!solution) {
      std::cerr << "error: " << k.name << ": " << solution.error().message << "\n";
      return 1;
    }
    auto cost = outage::evaluate_routes(*instance, solution->routes);
    if (!cost) {
      std::cerr << "error: " << k.name << ": the answer fails the check: " << cost.error().message << "\n";
      return 1;
    }
    double gap = (cost->distance - k.distance) / k.distance;
    if (std::abs(gap) < 5e-5) gap = 0;  // the best-known distances are rounded to 2 decimals
    fmt::print("| {} | {} | {} | {:.2f} | {:.2f} | {:+.2f}% | {:.3f} | {} |\n", k.name, cost->vehicles, k.vehicles, cost->distance,
               k.distance, 100 * gap, seconds, solution->iterations);
    std::fflush(stdout);
    all.add(cost->vehicles, k.vehicles, gap, seconds);
    families[family(k.name)].add(cost->vehicles, k.vehicles, gap, seconds);
  }
  fmt::print("\n| family | at BKS vehicles | mean gap there | mean s | max s |\n|---|---|---|---|---|\n");
  for (const auto& [name, tally] : families) fmt::print("{}\n", tally.row(name));
  fmt::print("{}\n", all.row("all"));
  fmt::print("\nat the best-known vehicle count: {} of {} (fewer: {}); mean distance gap there: {:.2f}%; seconds per instance: mean {:.3f}, max {:.3f}\n",
             all.at_bks, all.instances, all.fewer, all.at_bks ? 100 * all.gap_sum / all.at_bks : 0.0,
             all.seconds_sum / std::max(1, all.instances), all.seconds_max);
  return 0;
}
