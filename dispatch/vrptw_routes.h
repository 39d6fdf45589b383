// VRPTW routes: checking and measuring a solution to a VrptwInstance, the way anyone can check
// `outage solve-vrptw`'s answer: each route leaves the depot at 0, visits its customers in
// order (waiting when early, serving within each window), and returns by the horizon; its load
// stays within the capacity; every customer is on exactly one route. Empty routes are ignored.
#pragma once

#include <vector>

#include "dispatch/vrptw_instance.h"

namespace outage {

struct VrptwCost {
  int vehicles = 0;     // routes that visit someone
  double distance = 0;  // total, full precision
};

// invalid_input naming the route (from 0) and the customer: an unknown number, a customer twice
// or never, a capacity exceeded, a window missed, the depot reached after the horizon.
Result<VrptwCost> evaluate_routes(const VrptwInstance& instance, const std::vector<std::vector<int>>& routes);

}  // namespace outage
