// Drill runs: a scenario played against the system and against the baselines, into one report.
//
//   - the system: in-process (the core library, InProcessTarget) or any DrillTarget (live);
//   - calls_only: the same engine without meter and gateway feeds (what an OMS without AMI sees:
//     calls, SCADA, fault indicators, crews);
//   - nearest_idle and fifo: the system with the nearest-idle-crew and the first-in first-out
//     dispatchers, the references for the planner (the same run as the system's while that is
//     the system's dispatcher).
// Baselines always run in-process, on the same scenario and seed.
#pragma once

#include "sim/drill.h"
#include "sim/drill_report.h"
#include "sim/in_process_target.h"

namespace outage {

// The report of one run (no baselines yet).
DrillReport make_report(const Scenario& scenario, const NetworkModel& model, const DrillResult& result, std::string mode,
                        DispatchPolicy dispatcher);

// The roster the system is given for a scenario's crews: each at its depot, with its skills and
// shifts.
std::vector<CrewProfile> crew_profiles(const Scenario& scenario, const NetworkModel& model);

// Runs the baselines in-process and adds them to `report`. `system` is the system's own score
// and `system_policy` its dispatcher: a baseline with that dispatcher is the same run.
Status add_baselines(DrillReport& report, const Scenario& scenario, const NetworkModel& model,
                     const GatewayRegistry* gateways, const InProcessOptions& options, const DrillScore* system,
                     std::optional<DispatchPolicy> system_policy);

// The whole in-process drill: the system, then (if asked) the baselines.
Result<DrillReport> play_in_process(const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                                    const InProcessOptions& options, bool baselines);

}  // namespace outage
