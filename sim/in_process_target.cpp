#include "sim/in_process_target.h"

#include <fmt/format.h>

namespace outage {

InProcessTarget::InProcessTarget(const NetworkModel& model, const GatewayRegistry* gateways, InProcessOptions options)
    : model_(model),
      room_(model, std::move(options.inference), gateways, std::move(options.rules), std::move(options.areas)) {
  room_.set_dispatch_policy(options.policy);
  room_.set_planner(options.planner);
  if (options.travel) room_.set_travel_times(options.travel);
  // The scenario's check() has vetted the crews; a refusal here would leave the roster to the
  // crews' own reports, as before profiles.
  (void)room_.desk().set_crews(options.crews);
}

Result<std::vector<std::string>> InProcessTarget::deliver(std::span<const Event> events, Timestamp now) {
  std::vector<std::string> refused;
  for (const Event& e : events) {
    if (Status s = room_.apply(e, now, ++seq_); !s) {
      refused.push_back(fmt::format("{} {}/{}: {}", to_string(e.type()), e.source, e.id, s.error().message));
    }
  }
  return refused;
}

Status InProcessTarget::advance(Timestamp now) {
  room_.advance(now);
  (void)room_.take_changed_outages();
  (void)room_.desk().take_changed();
  return {};
}

std::vector<TargetOrder> InProcessTarget::orders() {
  std::vector<TargetOrder> out;
  const TicketDesk& desk = room_.desk();
  for (const Crew* c : desk.crews().crews()) {
    const TicketId id = desk.ticket_of_crew(c->id);
    if (!id.valid()) continue;
    const Ticket& t = *desk.ticket(id);
    if (t.crew_done) continue;
    TargetOrder o;
    o.crew = c->id;
    o.ticket = fmt::format("{}", id.value());
    if (t.device.valid()) o.device = std::string(model_.element(t.device).id);
    if (t.service_point.valid()) o.meter = std::string(model_.service_point(t.service_point).id);
    if (t.has_place_point) o.place = t.place_point;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<std::string> InProcessTarget::ping_requests() {
  std::vector<std::string> out;
  for (const PingRequest& p : room_.engine().take_ping_requests()) out.emplace_back(model_.service_point(p.meter).id);
  return out;
}

Timestamp InProcessTarget::etr_for(std::string_view customer, Timestamp now) {
  const CustomerId c = model_.find_customer(customer);
  if (!c.valid()) return kNoTime;
  const StatusAnswer a = answer_status(room_, model_.customer(c).service_point, now);
  return a.power == PowerState::on ? kNoTime : a.etr.p50;
}

std::uint64_t InProcessTarget::customers_out() {
  std::uint64_t n = 0;
  for (OutageId id : room_.engine().active_outages()) n += room_.engine().outage(id)->customers_out;
  return n;
}

namespace {

ObservedOutage observed(const NetworkModel& model, const Outage& o) {
  ObservedOutage x;
  x.id = fmt::format("{}", o.id.value());
  if (o.device.valid()) x.device = std::string(model.element(o.device).id);
  if (o.service_point.valid()) x.meter = std::string(model.service_point(o.service_point).id);
  x.level = o.level;
  x.state = std::string(to_string(o.state));
  x.start = o.start;
  x.detected_at = o.detected_at;
  x.restored_at = o.restored_at;
  return x;
}

}  // namespace

std::vector<ObservedOutage> InProcessTarget::active_outages() {
  std::vector<ObservedOutage> out;
  for (OutageId id : room_.engine().active_outages()) out.push_back(observed(model_, *room_.engine().outage(id)));
  return out;
}

std::vector<ObservedOutage> InProcessTarget::outages() {
  std::vector<ObservedOutage> out;
  for (const Outage& o : room_.engine().outages()) out.push_back(observed(model_, o));
  return out;
}

std::vector<TargetTicket> InProcessTarget::tickets() {
  std::vector<TargetTicket> out;
  for (const Ticket& t : room_.desk().tickets()) {
    if (t.kind != TicketKind::repair || t.state == TicketState::merged) continue;
    TargetTicket x;
    x.ticket.id = fmt::format("{}", t.id.value());
    x.ticket.emergency = t.emergency;
    x.ticket.accepted = t.accepted;
    x.ticket.routed = t.routed;
    x.ticket.dispatched = t.dispatched;
    x.ticket.arrived = t.arrived;
    x.ticket.arrival_due = t.arrival.due;
    x.ticket.restored = t.restored;
    if (t.device.valid()) x.device = std::string(model_.element(t.device).id);
    if (t.service_point.valid()) x.meter = std::string(model_.service_point(t.service_point).id);
    x.closed = t.closed;
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace outage
