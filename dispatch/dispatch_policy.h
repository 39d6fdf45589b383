// DispatchPolicy: who assigns repair tickets to crews.
//
//   - manual: nobody but people (a dispatcher's pin, or a crew taking a ticket by reporting
//     en_route);
//   - fifo: first in, first out: the oldest ticket without a crew gets the crew idle longest
//     (dispatch/fifo_dispatch.h), a baseline;
//   - nearest_idle: each open repair ticket without a crew, in the desk's serving order, gets the
//     nearest available crew (dispatch/nearest_idle.h), the reference every planner must beat;
//   - planner: re-plans every open ticket across the crews' queues (dispatch/crew_planner.h).
//
// Every policy keeps a dispatcher's pinned tickets for their crews and sends a crew only to work
// it has the skill for, while it is on shift.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace outage {

enum class DispatchPolicy : unsigned char { manual, fifo, nearest_idle, planner };

inline constexpr std::array<std::string_view, 4> kDispatchPolicyNames = {"manual", "fifo", "nearest_idle", "planner"};

constexpr std::string_view to_string(DispatchPolicy p) { return kDispatchPolicyNames[static_cast<std::size_t>(p)]; }

constexpr std::optional<DispatchPolicy> dispatch_policy_from_string(std::string_view text) {
  for (std::size_t i = 0; i < kDispatchPolicyNames.size(); ++i) {
    if (kDispatchPolicyNames[i] == text) return static_cast<DispatchPolicy>(i);
  }
  return std::nullopt;
}

}  // namespace outage
