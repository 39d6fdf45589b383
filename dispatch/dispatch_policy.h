// DispatchPolicy: who assigns repair tickets to crews.
//
//   - manual: nobody but people (a dispatcher, or a crew taking a ticket by reporting en_route);
//   - nearest_idle: after every tick, each open repair ticket without a crew gets the nearest
//     available crew (dispatch/nearest_idle.h), the reference every planner must beat.
#pragma once

#include <optional>
#include <string_view>

namespace outage {

enum class DispatchPolicy : unsigned char { manual, nearest_idle };

constexpr std::string_view to_string(DispatchPolicy p) { return p == DispatchPolicy::manual ? "manual" : "nearest_idle"; }

constexpr std::optional<DispatchPolicy> dispatch_policy_from_string(std::string_view text) {
  if (text == "manual") return DispatchPolicy::manual;
  if (text == "nearest_idle") return DispatchPolicy::nearest_idle;
  return std::nullopt;
}

}  // namespace outage
