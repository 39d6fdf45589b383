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

Status add_baselines(DrillReport& report, const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                     const InProcessOptions& options, const DrillScore* system_nearest_idle) {
  {
    InProcessOptions o = options;
    o.policy = DispatchPolicy::nearest_idle;
    InProcessTarget target(model, gateways, std::move(o));
    DrillOptions d;
    d.meters = false;
    auto run = run_drill(scenario, model, gateways, target, d);
    if (!run) return run.error();
    report.baselines.emplace_back("calls_only", score(run->record));
  }
  if (system_nearest_idle != nullptr) {
    report.baselines.emplace_back("nearest_idle", *system_nearest_idle);
  } else {
    InProcessOptions o = options;
    o.policy = DispatchPolicy::nearest_idle;
    InProcessTarget target(model, gateways, std::move(o));
    auto run = run_drill(scenario, model, gateways, target);
    if (!run) return run.error();
    report.baselines.emplace_back("nearest_idle", score(run->record));
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
    const bool same = options.policy == DispatchPolicy::nearest_idle;
    if (Status s = add_baselines(report, scenario, model, gateways, options, same ? &report.system : nullptr); !s) return s.error();
  }
  return report;
}

}  // namespace outage
