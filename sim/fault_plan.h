// FaultPlan: the faults a drill will have, drawn once from the scenario's rates and weather
// before it starts (so every baseline faces the same ones), plus the faults placed by hand.
//
// Each line section faults at its rate per km (underground cable at the cable factor of it) and
// each transformer at its own, under the weather of the moment: a Poisson process per weather
// spell, the faulted element drawn in proportion to its rate. A line fault is momentary (cleared
// by the next reclosing) at the scenario's share; a transformer fault never is. Each fault draws
// its repair time (log-normal by kind) at once. Lines above a substation (in a zone that supplies
// HV/MV transformers, i.e. subtransmission) are left out of the draw; placed faults may go anywhere.
#pragma once

#include <vector>

#include "geo/network_model.h"
#include "sim/scenario.h"

namespace outage {

struct PlannedFault {
  ElementId location;
  FaultKind kind = FaultKind::overhead_line;
  Duration at{};  // offset from the drill's start
  bool momentary = false;
  Duration repair{};
};

// In order of time. The scenario must have passed check(scenario, model).
std::vector<PlannedFault> plan_faults(const Scenario& scenario, const NetworkModel& model);

// A line section's length in km: its own, else its drawn length, else 0.1 km.
double line_km(const NetworkModel& model, ElementId line);

}  // namespace outage
