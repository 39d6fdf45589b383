#include "dispatch/control_room.h"

#include <algorithm>

namespace outage {

ControlRoom::ControlRoom(const NetworkModel& model, InferenceConfig inference, const GatewayRegistry* gateways,
                         TicketRules rules, ServiceAreas areas, EtrModel etr)
    : model_(model),
      engine_(model, std::move(inference), gateways), desk_(model, std::move(rules), std::move(areas), std::move(etr)) {}

Status ControlRoom::apply(const Event& event, Timestamp now, std::int64_t seq,
                          std::span<const ServicePointId> area_service_points) {
  auto resolved = engine_.resolver().resolve(event);
  if (!resolved) return resolved.error();
  return apply(event, *resolved, now, seq, area_service_points);
}

Status ControlRoom::apply(const Event& event, const ResolvedEvent& resolved, Timestamp now, std::int64_t seq,
                          std::span<const ServicePointId> area_service_points) {
  if (const TicketOpen* t = event.get<TicketOpen>()) {
    // The engine takes no evidence from a ticket; the desk checks it first.
    if (Status s = TicketDesk::check(*t); !s) return s;
  }
  if (Status s = engine_.apply(event, resolved, now, seq, area_service_points); !s) return s;
  if (const CallReport* c = event.get<CallReport>()) {
    desk_.call(engine_, *c, resolved, event.time, seq, now);
  } else if (const CrewStatus* c = event.get<CrewStatus>()) {
    return desk_.crew_status(*c, event.time, now);
  } else if (const CrewPosition* c = event.get<CrewPosition>()) {
    desk_.crew_position(*c, event.time);
  } else if (const OutageEtr* e = event.get<OutageEtr>()) {
    return desk_.override_etr(engine_, OutageId(resolved.outage), e->etr);
  } else if (const TicketOpen* t = event.get<TicketOpen>()) {
    auto id = desk_.open(engine_, *t, resolved, now);
    if (!id) return id.error();
    opened_[event.source + '\n' + event.id] = *id;
  }
  return {};
}

void ControlRoom::advance(Timestamp now) {
  engine_.advance(now);
  std::vector<OutageId> changed = engine_.take_changed();
  desk_.outages_changed(engine_, changed, now);
  desk_.advance(now);
  assignments_.clear();
  if (policy_ == DispatchPolicy::nearest_idle) {
    for (Assignment& a : assign_nearest_idle(desk_, desk_.travel(), now)) {
      if (desk_.assign(a.ticket, a.crew, a.eta, a.reason, now)) assignments_.push_back(std::move(a));
    }
  }
  for (OutageId id : changed) {
    if (id.value() >= changed_flag_.size()) changed_flag_.resize(id.value() + 1, 0);
    if (!changed_flag_[id.value()]) {
      changed_flag_[id.value()] = 1;
      changed_.push_back(id);
    }
  }
}

TicketId ControlRoom::ticket_opened_by(std::string_view source, std::string_view event_id) const {
  auto it = opened_.find(std::string(source) + '\n' + std::string(event_id));
  return it == opened_.end() ? TicketId() : it->second;
}

std::vector<OutageId> ControlRoom::take_changed_outages() {
  std::vector<OutageId> out;
  out.swap(changed_);
  for (OutageId id : out) changed_flag_[id.value()] = 0;
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace outage
