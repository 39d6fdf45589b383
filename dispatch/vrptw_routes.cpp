#include "dispatch/vrptw_routes.h"

#include <fmt/format.h>

namespace outage {

namespace {

constexpr double kSlack = 1e-9;  // arithmetic noise on sums of square roots

}  // namespace

Result<VrptwCost> evaluate_routes(const VrptwInstance& instance, const std::vector<std::vector<int>>& routes) {
  std::vector<int> seen(instance.sites.size(), -1);
  VrptwCost cost;
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const std::vector<int>& route = routes[r];
    if (route.empty()) continue;
    ++cost.vehicles;
    double time = 0, load = 0;
    int at = 0;
    for (int c : route) {
      if (c < 1 || c > instance.customers()) return invalid_input(fmt::format("route {}: no customer {}", r, c));
      if (seen[static_cast<std::size_t>(c)] >= 0) {
        return invalid_input(fmt::format("route {}: customer {} is on route {} already", r, c, seen[static_cast<std::size_t>(c)]));
      }
      seen[static_cast<std::size_t>(c)] = static_cast<int>(r);
      const VrptwSite& s = instance.sites[static_cast<std::size_t>(c)];
      const double leg = instance.distance(at, c);
      cost.distance += leg;
      time = std::max(time + leg, s.ready);
      if (time > s.due + kSlack) {
        return invalid_input(fmt::format("route {}: customer {} is reached at {:.2f}, after its window closes at {:g}", r, c, time, s.due));
      }
      time += s.service;
      load += s.demand;
      if (load > instance.capacity + kSlack) {
        return invalid_input(fmt::format("route {}: the load reaches {:g} at customer {}, over the capacity {:g}", r, load, c, instance.capacity));
      }
      at = c;
    }
    const double back = instance.distance(at, 0);
    cost.distance += back;
    if (time + back > instance.sites[0].due + kSlack) {
      return invalid_input(fmt::format("route {}: back at the depot at {:.2f}, after the horizon {:g}", r, time + back, instance.sites[0].due));
    }
  }
  for (int c = 1; c <= instance.customers(); ++c) {
    if (seen[static_cast<std::size_t>(c)] < 0) return invalid_input(fmt::format("customer {} is on no route", c));
  }
  return cost;
}

}  // namespace outage
