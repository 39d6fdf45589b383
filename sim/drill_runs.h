// Drill runs: a scenario played against the system and against the baselines, into one report.
//
//   - the system: in-process (the core library, InProcessTarget) or any DrillTarget (live);
//   - calls_only: the same engine without meter and gateway feeds (what an OMS without AMI sees:
//     calls, SCADA, fault indicators, crews);
//   - nearest_idle: the system with the nearest-idle-crew dispatcher, the reference for planners
//     (the same run as the system's while that is the system's dispatcher).
// Baselines always run in-process, on the same scenario and seed.
#pragma once

#include "sim/drill.h"
#include "sim/drill_report.h"
#include "sim/in_process_target.h"

namespace outage {

// The report of one run (no baselines yet).
DrillReport make_report(const Scenario& scenario, const NetworkModel& model, const DrillResult& result, std::string mode,
                        DispatchPolicy dispatcher);

// Runs the baselines in-process and adds them to `report`.
Status add_baselines(DrillReport& report, const Scenario& scenario, const NetworkModel& model,
                     const GatewayRegistry* gateways, const InProcessOptions& options, const DrillScore* system_nearest_idle);

// The whole in-process drill: the system, then (if asked) the baselines.
Result<DrillReport> play_in_process(const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                                    const InProcessOptions& options, bool baselines);

}  // namespace outage
