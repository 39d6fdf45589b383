// InProcessTarget: the system under test as the core library itself, a ControlRoom on the
// drill's virtual clock, exactly as the daemon runs it (but without the journal): events are
// applied in delivery order, advance() runs on every tick, and the dispatcher is the
// ControlRoom's. Deterministic: the same scenario and seed give the same report.
#pragma once

#include <memory>

#include "dispatch/control_room.h"
#include "dispatch/status_answer.h"
#include "sim/drill.h"

namespace outage {

struct InProcessOptions {
  InferenceConfig inference;
  TicketRules rules;
  ServiceAreas areas = ServiceAreas();
  DispatchPolicy policy = DispatchPolicy::planner;
  std::vector<CrewProfile> crews;           // the roster's profiles (sim/drill_runs.h: crew_profiles)
  PlannerConfig planner;                    // no budget clock: deterministic
  std::shared_ptr<const TravelTimes> travel;  // unset: the straight line in the model's coordinates
};

class InProcessTarget final : public DrillTarget {
 public:
  InProcessTarget(const NetworkModel& model, const GatewayRegistry* gateways, InProcessOptions options = {});

  Result<std::vector<std::string>> deliver(std::span<const Event> events, Timestamp now) override;
  Status advance(Timestamp now) override;
  std::vector<TargetOrder> orders() override;
  std::vector<std::string> ping_requests() override;
  Timestamp etr_for(std::string_view customer, Timestamp now) override;
  std::uint64_t customers_out() override;
  std::vector<ObservedOutage> outages() override;
  std::vector<ObservedOutage> active_outages() override;
  std::vector<TargetTicket> tickets() override;

  const ControlRoom& room() const { return room_; }

 private:
  const NetworkModel& model_;
  ControlRoom room_;
  std::int64_t seq_ = 0;
};

}  // namespace outage
