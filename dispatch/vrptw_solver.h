// VrptwSolver: routes for a VrptwInstance (hard time windows and capacity), fewest vehicles
// first, then the shortest total distance: the planner run in a static mode against Solomon's
// instances and their best-known solutions.
//
// The search (after Christiaens & Vanden Berghe 2020, "Slack Induction by String Removals"):
//   1. construction: every customer inserted at its cheapest feasible place, a new route opened
//      when there is none;
//   2. fewer vehicles: a route is taken out and its customers made "absent"; ruin-and-recreate
//      steps (strings of neighbouring customers removed, then reinserted one by one at their
//      cheapest feasible place) try to take them back, accepted when fewer customers are absent
//      or the absent ones have been absent less often (each absent customer's counter grows
//      every step, so the hard ones come first); when none is absent the next route goes;
//   3. shorter routes: the same ruin-and-recreate under simulated annealing on the distance,
//      with a new vehicle priced far above any distance.
// An insertion is checked in O(1) from each route's earliest departures (forward) and latest
// starts (backward), with the travel times and the tolerance `evaluate_routes` uses; every
// answer is checked by `evaluate_routes` before it is kept as the best.
//
// Pure: no I/O, no threads, no wall clock. Time comes in through a Clock and a budget; the
// iteration cap and the seed make a run without a clock (or on a ManualClock) deterministic.
// Thread-safety: solve_vrptw shares nothing between calls; run seeds in parallel at the edge.
#pragma once

#include <cstdint>
#include <vector>

#include "dispatch/vrptw_instance.h"
#include "dispatch/vrptw_routes.h"
#include "feeds/clock.h"
#include "geo/error.h"

namespace outage {

struct VrptwSolverOptions {
  std::uint64_t seed = 1;
  long iterations = 1'000'000;   // ruin-and-recreate steps, both phases together
  const Clock* clock = nullptr;  // with budget > 0: stop once clock->now() reaches start + budget
  Duration budget{0};            // 0: the iteration cap alone
  double fleet_share = 0.5;      // share of the steps (and of the budget) spent on fewer vehicles
  double fleet_stall = 1.0;      // share of that phase without fewer absent customers that ends it
  double start_temperature = 50;  // simulated annealing on the distance, cooling geometrically
  double end_temperature = 1;
};

struct VrptwSolution {
  std::vector<std::vector<int>> routes;  // customer numbers in visiting order, no empty route
  VrptwCost cost;                        // as evaluate_routes measures it
  long iterations = 0;                   // ruin-and-recreate steps done
};

// Routes serving every customer within its window and the capacity. invalid_input naming the
// customer when one cannot be served by any vehicle (its demand over the capacity, its window
// closed before a vehicle can reach it, or no way back to the depot by the horizon); when the
// best answer found needs more vehicles than the instance's fleet, invalid_input saying so.
Result<VrptwSolution> solve_vrptw(const VrptwInstance& instance, const VrptwSolverOptions& options);

// Whether (vehicles, distance) `a` is better than `b`: fewer vehicles, then a shorter distance.
bool better_vrptw_cost(const VrptwCost& a, const VrptwCost& b);

}  // namespace outage
