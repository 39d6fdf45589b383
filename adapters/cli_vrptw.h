// `outage solve-vrptw INSTANCE [--json] [--time-limit SECONDS] [--seed N] [--threads N]`: solves
// a Solomon VRPTW instance (a path, or a bare name like C101 looked up in
// $OUTAGE_DATA/solomon/instances) and prints its routes, checked by evaluate_routes first.
// With --json: exactly {"vehicles": N, "distance": D, "routes": [[customer numbers], ...]},
// the distance rounded to 2 decimals.
//
// The threads live here, at the edge: each runs solve_vrptw (dispatch/vrptw_solver.h) with its
// own seed on the wall clock, and the best answer (fewest vehicles, then distance) wins.
// The benchmark (bench/vrptw_bench.cpp) calls the same functions with the same defaults.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "dispatch/vrptw_instance.h"
#include "dispatch/vrptw_solver.h"

namespace outage::cli {

struct VrptwRunOptions {
  double time_limit = 0.75;  // seconds of search per run, all threads together in parallel
  std::uint64_t seed = 1;    // thread i runs seed * 1000 + i
  int threads = 2;
  VrptwSolverOptions search;  // fleet share and temperatures (seed, cap, clock and budget are set per run)
  // Odd threads give up on fewer vehicles after this share of that phase without progress and
  // spend the rest on distance; even threads keep search.fleet_stall. 1: all threads alike.
  double odd_thread_fleet_stall = 0.25;
};

// The instance at `path`, or, when `path` names no file and has no '/', the file
// <data>/solomon/instances/<path>.txt (data: $OUTAGE_DATA, else the build's shared data).
// not_found when neither exists; invalid_input from parse_solomon.
Result<VrptwInstance> load_vrptw_instance(const std::string& path);

// The best of `threads` seeded runs of solve_vrptw, each stopped by the wall clock after
// time_limit seconds (a portfolio: odd threads lean to distance, even ones to fewer vehicles);
// the first error when every run fails.
Result<VrptwSolution> solve_vrptw_in_threads(const VrptwInstance& instance, const VrptwRunOptions& options);

// {"vehicles": N, "distance": D, "routes": [[...], ...]}, D rounded to 2 decimals.
std::string vrptw_json(const VrptwSolution& solution);

void register_vrptw_command(CLI::App& app, int& exit_code);

}  // namespace outage::cli
