// ControlRoom: the outage engine (what is out, and why) and the ticket desk (who goes, and when
// the power returns) fed from one event stream on one strand, with one clock. The daemon and
// the drill simulator both run exactly this: apply() each journaled event in journal order,
// advance() on every tick.
#pragma once

#include <span>
#include <vector>

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

  // Who assigns crews (manual by default). The assignments made by the last advance().
  void set_dispatch_policy(DispatchPolicy policy) { policy_ = policy; }
  DispatchPolicy dispatch_policy() const { return policy_; }
  const std::vector<Assignment>& last_assignments() const { return assignments_; }

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
  std::unordered_map<std::string, TicketId> opened_;
  DispatchPolicy policy_ = DispatchPolicy::manual;
  std::vector<Assignment> assignments_;  // source + '\n' + event id -> ticket
};

}  // namespace outage
