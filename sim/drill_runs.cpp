#include "sim/drill_runs.h"

namespace outage {

DrillReport make_report(const Scenario& scenario, const NetworkModel& model, const DrillResult& result, std::string mode,
                        DispatchPolicy dispatcher) {
  DrillReport r;
  r.scenario = scenario.name;
  r.model = model.name;
  r.seed = scenario.seed;
  r.start = result.record.start;
  r.end = result.record.end;
  r.mode = std::move(mode);
  r.dispatcher = std::string(to_string(dispatcher));
  r.events = result.events;
  r.rejected = result.rejected;
  r.first_rejection = result.first_rejection;
  for (const TruthFault& f : result.record.faults) {
    ++r.faults;
    if (f.momentary) ++r.momentary_faults;
  }
  r.system = score(result.record);
  r.out = result.record.out;
  return r;
}

std::vector<CrewProfile> crew_profiles(const Scenario& scenario, const NetworkModel& model) {
  std::vector<CrewProfile> out;
  for (const CrewPlan& c : scenario.crews) {
    CrewProfile p;
    p.id = c.id;
    p.depot_name = c.depot_bus;
    if (auto depot = depot_position(c, model)) {
      p.depot = *depot;
      p.has_depot = true;
    }
    out.push_back(std::move(p));
  }
  return out;
}

Status add_baselines(DrillReport& report, const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                     const InProcessOptions& options, const DrillScore* system, std::optional<DispatchPolicy> system_policy) {
  {
    InProcessOptions o = options;
    InProcessTarget target(model, gateways, std::move(o));
    DrillOptions d;
    d.meters = false;
    auto run = run_drill(scenario, model, gateways, target, d);
    if (!run) return run.error();
    report.baselines.emplace_back("calls_only", score(run->record));
  }
  for (DispatchPolicy p : {DispatchPolicy::nearest_idle, DispatchPolicy::fifo}) {
    if (system != nullptr && system_policy == p) {
      report.baselines.emplace_back(std::string(to_string(p)), *system);
      continue;
    }
    InProcessOptions o = options;
    o.policy = p;
    InProcessTarget target(model, gateways, std::move(o));
    auto run = run_drill(scenario, model, gateways, target);
    if (!run) return run.error();
    report.baselines.emplace_back(std::string(to_string(p)), score(run->record));
  }
  return {};
}

Result<DrillReport> play_in_process(const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                                    const InProcessOptions& options, bool baselines) {
  InProcessTarget target(model, gateways, options);
  auto run = run_drill(scenario, model, gateways, target);
  if (!run) return run.error();
  DrillReport report = make_report(scenario, model, *run, "in-process", options.policy);
  if (baselines) {
    if (Status s = add_baselines(report, scenario, model, gateways, options, &report.system, options.policy); !s) return s.error();
  }
  return report;
}

}  // namespace outage
