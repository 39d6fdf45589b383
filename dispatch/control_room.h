// ControlRoom: the outage engine (what is out, and why) and the ticket desk (who goes, and when
// the power returns) fed from one event stream on one strand, with one clock. The daemon and
// the drill simulator both run exactly this: apply() each journaled event in journal order,
// advance() on every tick.
#pragma once

#include <span>
#include <vector>

#include <memory>

#include "dispatch/crew_planner.h"
#include "dispatch/dispatch_policy.h"
#include "dispatch/nearest_idle.h"
#include "dispatch/ticket_desk.h"
#include "feeds/outage_engine.h"

namespace outage {

class ControlRoom {
 public:
  ControlRoom(const NetworkModel& model, InferenceConfig inference, const GatewayRegistry* gateways = nullptr,
              TicketRules rules = {}, ServiceAreas areas = ServiceAreas(), EtrModel etr = EtrModel());

  // Applies one event (journaled at `seq`) at the clock's `now`: to the engine, then to the
  // desk (calls, crews, tickets, ETR overrides). The error of whichever refused it; the engine's
  // state is then unchanged (the desk's too, but for a crew's report naming an unknown ticket,
  // which still updates the crew).
  Status apply(const Event& event, const ResolvedEvent& resolved, Timestamp now, std::int64_t seq = 0,
               std::span<const ServicePointId> area_service_points = {});
  // The same, resolving the event itself.
  Status apply(const Event& event, Timestamp now, std::int64_t seq = 0,
               std::span<const ServicePointId> area_service_points = {});

  // Runs the engine's timers and roll-up, then the desk's tickets and clocks, then the
  // dispatcher (by the policy) over the tickets still without a crew.
  void advance(Timestamp now);

  // Who assigns crews (manual by default). The assignments made by the last advance(): a
  // dispatcher's pinned tickets bound to their crews as they come free, then the policy's.
  void set_dispatch_policy(DispatchPolicy policy) { policy_ = policy; }
  DispatchPolicy dispatch_policy() const { return policy_; }
  const std::vector<Assignment>& last_assignments() const { return assignments_; }

  // The planner's settings; `budget_clock` (the daemon's wall clock) bounds its search, without
  // one only the pass limit does (drills and tests: deterministic). It re-plans on every advance
  // that changed a ticket or a crew, and at least every `replan_every`.
  void set_planner(PlannerConfig config, const Clock* budget_clock = nullptr, Duration replan_every = std::chrono::minutes(5));
  // The last plan (the planner policy only): crews' queues, alerts, unplanned tickets.
  const Plan& last_plan() const { return plan_; }
  // Travel times for every policy (the straight line in the model's coordinates until set).
  void set_travel_times(std::shared_ptr<const TravelTimes> travel) { travel_ = std::move(travel); }
  const TravelTimes& travel_times() const { return *travel_; }

  const NetworkModel& model() const { return model_; }
  OutageEngine& engine() { return engine_; }
  const OutageEngine& engine() const { return engine_; }
  TicketDesk& desk() { return desk_; }
  const TicketDesk& desk() const { return desk_; }

  // The ticket a ticket.open event made or joined, by the event's (source, id); invalid when
  // none did.
  TicketId ticket_opened_by(std::string_view source, std::string_view event_id) const;

  // Outages changed since the last call (advance() takes the engine's own list), in id order.
  std::vector<OutageId> take_changed_outages();

 private:
  const NetworkModel& model_;
  OutageEngine engine_;
  TicketDesk desk_;
  std::vector<OutageId> changed_;
  std::vector<std::uint8_t> changed_flag_;
  std::unordered_map<std::string, TicketId> opened_;  // source + '\n' + event id -> ticket
  DispatchPolicy policy_ = DispatchPolicy::manual;
  std::vector<Assignment> assignments_;
  std::shared_ptr<const TravelTimes> travel_;
  PlannerConfig planner_;
  const Clock* budget_clock_ = nullptr;
  Duration replan_every_ = std::chrono::minutes(5);
  Plan plan_;
  Timestamp planned_at_ = kNoTime;
  std::uint64_t planned_state_ = 0;  // a fingerprint of the tickets and crews the plan saw

  void assign_pinned(Timestamp now);
  void replan(Timestamp now);
};

}  // namespace outage
