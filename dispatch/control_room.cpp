#include "dispatch/control_room.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "dispatch/fifo_dispatch.h"

namespace outage {

ControlRoom::ControlRoom(const NetworkModel& model, InferenceConfig inference, const GatewayRegistry* gateways,
                         TicketRules rules, ServiceAreas areas, EtrModel etr)
    : model_(model),
      engine_(model, std::move(inference), gateways),
      desk_(model, std::move(rules), std::move(areas), std::move(etr)),
      travel_(std::make_shared<StraightLineTimes>(desk_.travel())) {}

void ControlRoom::set_planner(PlannerConfig config, const Clock* budget_clock, Duration replan_every) {
  planner_ = config;
  budget_clock_ = budget_clock;
  replan_every_ = replan_every;
  planned_at_ = kNoTime;
}

Status ControlRoom::apply(const Event& event, Timestamp now, std::int64_t seq,
                          std::span<const ServicePointId> area_service_points) {
  auto resolved = engine_.resolver().resolve(event);
  if (!resolved) return resolved.error();
  return apply(event, *resolved, now, seq, area_service_points);
}

namespace {

// A ticket named on the wire (its number); invalid when the text is not one.
TicketId ticket_id(std::string_view text) {
  std::uint32_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && p == text.data() + text.size() ? TicketId(n) : TicketId();
}

}  // namespace

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
    if (Status s = desk_.crew_status(*c, event.time, now); !s) return s;
    if (c->status == CrewState::repaired) {
      // Done: read the meters still dark, in case their power-on reports are lost.
      const Ticket* t = desk_.ticket(ticket_id(c->ticket));
      if (t && t->outage.valid()) engine_.verify_repair(t->outage, now);
    }
    return {};
  } else if (const CrewPosition* c = event.get<CrewPosition>()) {
    desk_.crew_position(*c, event.time);
  } else if (const OutageEtr* e = event.get<OutageEtr>()) {
    return desk_.override_etr(engine_, OutageId(resolved.outage), e->etr);
  } else if (const TicketAssign* a = event.get<TicketAssign>()) {
    const TicketId id = ticket_id(a->ticket);
    if (!id.valid()) return not_found(fmt::format("field 'ticket': unknown ticket '{}'", a->ticket));
    return desk_.pin(id, a->crew, a->reason.empty() ? fmt::format("a dispatcher's choice ({})", event.source) : a->reason, now);
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
  desk_.advance(engine_, now);
  assignments_.clear();
  assign_pinned(now);
  std::vector<Assignment> made;
  switch (policy_) {
    case DispatchPolicy::manual: break;
    case DispatchPolicy::fifo: made = assign_fifo(desk_, *travel_, now); break;
    case DispatchPolicy::nearest_idle: made = assign_nearest_idle(desk_, *travel_, now); break;
    case DispatchPolicy::planner: replan(now); break;
  }
  for (Assignment& a : made) {
    if (desk_.assign(a.ticket, a.crew, a.eta, a.reason, now)) assignments_.push_back(std::move(a));
  }
  for (OutageId id : changed) {
    if (id.value() >= changed_flag_.size()) changed_flag_.resize(id.value() + 1, 0);
    if (!changed_flag_[id.value()]) {
      changed_flag_[id.value()] = 1;
      changed_.push_back(id);
    }
  }
}

void ControlRoom::assign_pinned(Timestamp now) {
  for (const Crew* c : idle_crews(desk_, now)) {
    for (TicketId id : desk_.queue()) {
      const Ticket& t = *desk_.ticket(id);
      if (t.pinned_crew != c->id || !t.crew.empty()) continue;
      std::optional<Duration> trip;
      if (t.has_place_point && c->has_place()) trip = travel_->time(c->place(), t.place_point);
      const ServiceArea& area = t.has_place_point ? desk_.areas().at(t.place_point) : desk_.areas().fallback();
      Assignment a{id, c->id, now + (trip ? *trip : area.arrival_limit / 2), t.assignment};
      if (desk_.assign(a.ticket, a.crew, a.eta, a.reason, now)) assignments_.push_back(std::move(a));
      break;
    }
  }
}

void ControlRoom::replan(Timestamp now) {
  // What the plan depends on, besides the clock: the open repairs and their crews, the crews.
  std::uint64_t state = 1469598103934665603ULL;
  auto mix = [&state](std::uint64_t v) { state = (state ^ v) * 1099511628211ULL; };
  std::size_t waiting = 0;
  for (TicketId id : desk_.queue()) {
    const Ticket& t = *desk_.ticket(id);
    if (t.kind != TicketKind::repair) continue;
    mix(id.value());
    mix(static_cast<std::uint64_t>(t.state));
    mix(std::hash<std::string>{}(t.crew));
    mix(std::hash<std::string>{}(t.pinned_crew));
    mix(t.customers);
    mix(t.emergency);
    if (t.crew.empty()) ++waiting;
  }
  for (const Crew* c : desk_.crews().crews()) {
    mix(static_cast<std::uint64_t>(c->status));
    mix(std::hash<std::string>{}(c->ticket));
    mix(c->on_shift(now));  // a shift starting or ending
  }
  if (waiting == 0) {
    plan_ = Plan{};
    planned_state_ = state;
    return;
  }
  if (state == planned_state_ && planned_at_ != kNoTime && now - planned_at_ < replan_every_) return;
  plan_ = plan_crews(desk_, *travel_, now, planner_, budget_clock_, &plan_);
  planned_at_ = now;
  planned_state_ = state;
  for (const Assignment& a : plan_.assignments) {
    if (desk_.assign(a.ticket, a.crew, a.eta, a.reason, now)) assignments_.push_back(a);
  }
  // The planner only queues what the desk accepts (open, crew-less, skilled, on shift): a refusal
  // here would be a planner bug, and the ticket simply stays unqueued until the next plan.
  for (const Assignment& a : plan_.queued) (void)desk_.plan(a.ticket, a.crew, a.eta, a.reason, now);
  for (TicketId id : plan_.unplanned) (void)desk_.plan(id, "", kNoTime, "", now);
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
