#include "dispatch/ticket_desk.h"

#include "dispatch/travel_time.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace outage {

std::string TicketRules::default_team(TicketKind kind) {
  switch (kind) {
    case TicketKind::repair: return "repair crews";
    case TicketKind::complaint: return "complaint office";
    case TicketKind::inquiry: return "customer service";
    case TicketKind::suggestion: return "responsible department";
    case TicketKind::business: return "business office";
  }
  return "customer service";
}

namespace {

constexpr Duration kPendingCallLife = std::chrono::hours(6);  // a call no outage claims is let go

std::uint8_t rank_of(CustomerClass c) {
  if (c == CustomerClass::critical) return 0;
  if (c == CustomerClass::important) return 1;
  return 2;
}

}  // namespace

struct TicketDesk::Impl {
  const NetworkModel& model;
  TicketRules rules;
  ServiceAreas areas;
  EtrModel etr_model;
  CrewRoster roster;

  std::vector<Ticket> tickets;
  std::unordered_map<std::uint32_t, TicketId> by_outage;      // outage id -> its repair ticket
  std::unordered_map<std::string, TicketId> crew_ticket;       // crew -> the ticket it is on
  std::unordered_map<std::uint32_t, Timestamp> etr_overrides;  // outage id -> dispatcher's ETR
  std::vector<TicketCall> pending;                             // calls waiting for their outage's ticket
  std::vector<TicketId> unbound;  // open repair tickets about a place with no outage (yet)
  std::vector<TicketId> open;     // open tickets (compacted in advance)
  std::vector<std::uint32_t> queue_position;  // per ticket: place among repairs waiting for a crew
  std::vector<TicketId> ranked;   // open tickets in serving order (as of the last advance)
  std::uint32_t waiting = 0;      // repairs waiting for a crew (as of the last advance)
  StraightLineTravel travel;  // until road travel times come: the model's coordinates
  std::vector<std::uint8_t> sp_rank;  // per service point: 0 critical, 1 important, 2 other
  std::vector<CustomerId> sp_customer;  // per service point: its first customer
  std::vector<std::uint8_t> changed_flag;
  std::vector<TicketId> changed;

  Impl(const NetworkModel& m, TicketRules r, ServiceAreas a, EtrModel e)
      : model(m), rules(std::move(r)), areas(std::move(a)), etr_model(std::move(e)), travel{m.crs} {
    sp_rank.assign(model.service_points().size(), 2);
    sp_customer.assign(model.service_points().size(), CustomerId());
    for (std::uint32_t i = 0; i < model.customers().size(); ++i) {
      const Customer& c = model.customers()[i];
      std::uint8_t& rank = sp_rank[c.service_point.value()];
      rank = std::min(rank, rank_of(c.customer_class));
      if (!sp_customer[c.service_point.value()].valid()) sp_customer[c.service_point.value()] = CustomerId(i);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  void touch(TicketId id) {
    if (id.value() >= changed_flag.size()) changed_flag.resize(tickets.size(), 0);
    if (!changed_flag[id.value()]) {
      changed_flag[id.value()] = 1;
      changed.push_back(id);
    }
  }

  std::string team_for(TicketKind kind, ComplaintType complaint) const {
    for (const TicketRoute& r : rules.routes) {
      if (r.kind == kind && (r.complaint == ComplaintType::none || r.complaint == complaint)) return r.team;
    }
    return TicketRules::default_team(kind);
  }

  Ticket& create(TicketKind kind, ComplaintType complaint, TicketOrigin origin, Timestamp now) {
    Ticket t;
    t.id = TicketId(static_cast<std::uint32_t>(tickets.size()));
    t.kind = kind;
    t.complaint = complaint;
    t.origin = origin;
    t.accepted = now;
    t.team = team_for(kind, complaint);
    const Duration limit = kind == TicketKind::repair ? rules.repair_route_limit : rules.other_route_limit;
    t.route.due = now + limit;
    if (kind != TicketKind::repair) {
      // The rules hand it to its team at once.
      t.routed = now;
      t.route.met = now;
      t.state = TicketState::routed;
    }
    tickets.push_back(std::move(t));
    queue_position.push_back(0);
    open.push_back(tickets.back().id);
    touch(tickets.back().id);
    set_place(tickets.back(), Point{}, false);
    return tickets.back();
  }

  // Where the ticket is: its service area, and for a repair the arrival limit that follows.
  void set_place(Ticket& t, Point p, bool known) {
    t.place_point = p;
    t.has_place_point = known;
    const ServiceArea& area = known ? areas.at(p) : areas.fallback();
    t.area = area.name;
    if (t.kind == TicketKind::repair) t.arrival.due = t.accepted + area.arrival_limit;
  }

  std::optional<Point> position_of(ServicePointId sp) const {
    if (!sp.valid()) return std::nullopt;
    const ServicePoint& s = model.service_point(sp);
    if (s.has_position) return s.position;
    if (model.bus(s.bus).has_position) return model.bus(s.bus).position;
    return std::nullopt;
  }

  std::optional<Point> position_of(const Outage& o) const {
    if (o.bus.valid() && model.bus(o.bus).has_position) return model.bus(o.bus).position;
    return position_of(o.service_point);
  }

  const ServiceArea& area_of(const Ticket& t) const { return t.has_place_point ? areas.at(t.place_point) : areas.fallback(); }

  // The most demanding customers an outage has out.
  TicketPriority priority_of(const OutageEngine& engine, const Outage& o) const {
    std::uint8_t best = 2;
    auto see = [&](ServicePointId sp) { best = std::min(best, sp_rank[sp.value()]); };
    if (o.device.valid()) {
      const Topology& topo = engine.topology();
      BusId bus = topo.downstream_bus(o.device);
      if (bus.valid()) {
        for (BusId b : topo.buses_below_list(bus)) {
          for (ServicePointId sp : topo.service_points_at(b)) {
            see(sp);
            if (best == 0) return TicketPriority::critical;
          }
        }
      }
      for (ServicePointId sp : o.island) see(sp);
    } else if (o.service_point.valid()) {
      see(o.service_point);
    }
    for (ServicePointId sp : o.dark) see(sp);
    return static_cast<TicketPriority>(best);
  }

  OutageId surviving(const OutageEngine& engine, OutageId id) const {
    for (int hops = 0; hops < 64; ++hops) {
      const Outage* o = engine.outage(id);
      if (!o || o->state != OutageState::merged || !o->merged_into.valid()) return id;
      id = o->merged_into;
    }
    return id;
  }

  TicketId ticket_of(OutageId id) const {
    auto it = by_outage.find(id.value());
    return it == by_outage.end() ? TicketId() : it->second;
  }

  void attach(Ticket& t, const TicketCall& call) {
    t.calls.push_back(call);
    if (call.service_point.valid()) {
      t.priority = std::min(t.priority, static_cast<TicketPriority>(sp_rank[call.service_point.value()]));
    }
    touch(t.id);
  }

  void bind(Ticket& t, const OutageEngine& engine, const Outage& o) {
    t.outage = o.id;
    t.device = o.device;
    t.level = o.level;
    t.customers = o.customers_out;
    t.priority = std::min(t.priority, priority_of(engine, o));
    if (!t.has_place_point) {
      if (auto p = position_of(o)) set_place(t, *p, true);
    }
    by_outage[o.id.value()] = t.id;
    touch(t.id);
  }

  void finish(Ticket& t, TicketState state, Timestamp now, std::string note) {
    t.state = state;
    t.closed = now;
    t.closing_note = std::move(note);
    t.route.at_risk = t.arrival.at_risk = false;
    touch(t.id);
  }

  // ---- following the engine ---------------------------------------------------------------

  static bool wants_ticket(const Outage& o) {
    return is_active(o.state) && o.state != OutageState::unconfirmed && o.cause == OutageCause::fault;
  }

  void create_for_outage(const OutageEngine& engine, const Outage& o, Timestamp now) {
    // A repair ticket already opened about a place inside it (an agent's, a hazard's) becomes its
    // ticket, though a crew may be at work on it already: the same fault, seen later by the meters.
    std::erase_if(unbound, [&](TicketId id) { return !is_open(tickets[id.value()].state); });
    for (auto it = unbound.begin(); it != unbound.end(); ++it) {
      Ticket& t = tickets[it->value()];
      if (!t.service_point.valid()) continue;
      if (surviving(engine, engine.status_of(t.service_point).outage) == o.id) {
        unbound.erase(it);
        bind(t, engine, o);
        return;
      }
    }
    // Accepted when the outage became probable (or was confirmed), not when the desk noticed: a
    // journal replay, which advances only as events come, makes the same clocks as the live run.
    Timestamp accepted = o.probable_at != kNoTime ? o.probable_at : o.confirmed_at;
    if (accepted == kNoTime || accepted > now) accepted = now;
    Ticket& t = create(TicketKind::repair, ComplaintType::none, TicketOrigin::outage, accepted);
    t.service_point = o.service_point;
    if (o.service_point.valid()) t.customer = sp_customer[o.service_point.value()];
    t.symptom = "no power";
    t.place = o.device.valid() ? std::string(model.element(o.device).id)
                               : (o.service_point.valid() ? std::string(model.service_point(o.service_point).id) : "");
    t.extent = fmt::format("{} customers", o.customers_out);
    bind(t, engine, o);
  }

  void merge_ticket(Ticket& from, Ticket& into, Timestamp now) {
    for (const TicketCall& c : from.calls) into.calls.push_back(c);
    into.emergency = into.emergency || from.emergency;
    into.priority = std::min(into.priority, from.priority);
    if (into.crew.empty() && !from.crew.empty()) {
      into.crew = from.crew;
      crew_ticket[from.crew] = into.id;
      if (into.routed == kNoTime) into.routed = from.routed, into.route.met = from.route.met;
      if (into.dispatched == kNoTime) into.dispatched = from.dispatched;
      if (into.arrived == kNoTime) into.arrived = from.arrived, into.arrival.met = from.arrival.met;
      into.state = std::max(into.state, from.state);
    }
    from.merged_into = into.id;
    finish(from, TicketState::merged, now, fmt::format("merged into ticket {}", into.id.value()));
    touch(into.id);
  }

  void restored(Ticket& t, Timestamp at, Timestamp now) {
    if (t.restored == kNoTime) t.restored = at;
    if (t.arrived != kNoTime && t.restored >= t.arrived) etr_model.learn(t.level, t.restored - t.arrived);
    t.state = TicketState::restored;
    touch(t.id);
    // Closed once no crew is still working on it (at the restoration itself when none is).
    if (t.crew.empty() || t.crew_done) finish(t, TicketState::closed, std::min(now, t.restored), "restored");
  }

  void outages_changed(const OutageEngine& engine, std::span<const OutageId> ids, Timestamp now) {
    for (OutageId id : ids) {
      const Outage* o = engine.outage(id);
      if (!o) continue;
      TicketId tid = ticket_of(id);
      if (!tid.valid()) {
        if (wants_ticket(*o)) create_for_outage(engine, *o, now);
        continue;
      }
      Ticket& t = tickets[tid.value()];
      if (!is_open(t.state)) continue;
      switch (o->state) {
        case OutageState::merged: {
          OutageId into = surviving(engine, id);
          by_outage.erase(id.value());
          TicketId other = ticket_of(into);
          const Outage* survivor = engine.outage(into);
          if (!other.valid()) {
            if (survivor) bind(t, engine, *survivor);
          } else if (other != tid) {
            merge_ticket(t, tickets[other.value()], now);
          }
          break;
        }
        case OutageState::restored: restored(t, o->restored_at, now); break;
        case OutageState::momentary: finish(t, TicketState::cancelled, now, "momentary interruption"); break;
        case OutageState::customer_side: finish(t, TicketState::closed, now, "customer side: the meter is live"); break;
        case OutageState::revised: finish(t, TicketState::cancelled, now, "disproved by live evidence"); break;
        default:
          if (t.device != o->device || t.level != o->level) {
            t.priority = std::min(t.priority, priority_of(engine, *o));
            t.device = o->device;
            t.level = o->level;
            if (o->device.valid() && t.origin == TicketOrigin::outage) t.place = std::string(model.element(o->device).id);
            touch(t.id);
          }
          if (t.customers != o->customers_out) {
            t.customers = o->customers_out;
            if (t.origin == TicketOrigin::outage) t.extent = fmt::format("{} customers", o->customers_out);
            touch(t.id);
          }
      }
    }
    // Calls waiting for their outage's ticket.
    std::erase_if(pending, [&](const TicketCall& c) {
      if (now - c.time > kPendingCallLife) return true;
      ServicePointStatus s = engine.status_of(c.service_point);
      if (s.record.valid()) return true;  // explained by a record after all
      TicketId tid = s.outage.valid() ? ticket_of(surviving(engine, s.outage)) : TicketId();
      if (!tid.valid()) return false;
      attach(tickets[tid.value()], c);
      return true;
    });
  }

  void call(const OutageEngine& engine, const CallReport& c, const ResolvedEvent& r, Timestamp time,
            std::int64_t seq, Timestamp now) {
    TicketCall tc{time, seq, r.customer, r.service_point, c.symptom, c.channel, c.contact};
    ServicePointStatus status;
    if (r.service_point.valid()) status = engine.status_of(r.service_point);
    OutageId outage = status.outage.valid() ? surviving(engine, status.outage) : OutageId();
    if (is_hazard(c.symptom)) {
      TicketId tid = outage.valid() ? ticket_of(outage) : TicketId();
      if (tid.valid() && is_open(tickets[tid.value()].state)) {
        Ticket& t = tickets[tid.value()];
        t.emergency = true;
        attach(t, tc);
        return;
      }
      // An emergency at once, outage or not.
      Ticket& t = create(TicketKind::repair, ComplaintType::none, TicketOrigin::hazard_call, now);
      t.emergency = true;
      t.channel = c.channel;
      t.customer = r.customer;
      t.service_point = r.service_point;
      t.symptom = std::string(to_string(c.symptom));
      t.place = !c.address.empty() ? c.address
                                   : (r.customer.valid() ? std::string(model.customer(r.customer).address) : "");
      t.contact = c.contact;
      t.note = c.note;
      if (auto p = position_of(r.service_point)) set_place(t, *p, true);
      else if (c.position) set_place(t, Point{c.position->x, c.position->y}, true);
      attach(t, tc);
      if (outage.valid()) {
        if (const Outage* o = engine.outage(outage)) bind(t, engine, *o);
      } else if (r.service_point.valid()) {
        unbound.push_back(t.id);
      }
      return;
    }
    if (!r.service_point.valid() || status.record.valid()) return;  // unplaced, or explained by a record
    if (c.symptom != Symptom::no_power && c.symptom != Symptom::partial_power) return;
    TicketId tid = outage.valid() ? ticket_of(outage) : TicketId();
    if (tid.valid() && is_open(tickets[tid.value()].state)) {
      attach(tickets[tid.value()], tc);
    } else {
      pending.push_back(tc);
    }
  }

  Result<TicketId> open_ticket(const TicketOpen& req, const ResolvedEvent& r, Timestamp now, const OutageEngine* engine) {
    if (Status s = check(req); !s) return s.error();
    if (req.kind == TicketKind::repair && engine && r.service_point.valid()) {
      // One ticket per fault: a repair about a place whose outage has a ticket joins it.
      ServicePointStatus status = engine->status_of(r.service_point);
      OutageId outage = status.outage.valid() ? surviving(*engine, status.outage) : OutageId();
      TicketId tid = outage.valid() ? ticket_of(outage) : TicketId();
      if (tid.valid() && is_open(tickets[tid.value()].state)) {
        attach(tickets[tid.value()], TicketCall{now, 0, r.customer, r.service_point, req.symptom.value_or(Symptom::no_power),
                                                req.channel, req.contact});
        return tid;
      }
    }
    Ticket& t = create(req.kind, req.complaint, TicketOrigin::agent, now);
    t.channel = req.channel;
    t.customer = r.customer;
    t.service_point = r.service_point;
    if (req.symptom) t.symptom = std::string(to_string(*req.symptom));
    t.emergency = req.symptom && is_hazard(*req.symptom);
    t.place = !req.place.empty() ? req.place : req.address;
    t.extent = req.extent;
    t.contact = req.contact;
    t.note = req.note;
    t.cause_guess = req.cause_guess;
    if (r.service_point.valid()) t.priority = static_cast<TicketPriority>(sp_rank[r.service_point.value()]);
    if (auto p = position_of(r.service_point)) set_place(t, *p, true);
    else if (req.position) set_place(t, Point{req.position->x, req.position->y}, true);
    if (t.kind == TicketKind::repair) {
      if (engine && r.service_point.valid()) {
        OutageId outage = engine->status_of(r.service_point).outage;
        if (outage.valid()) {
          if (const Outage* o = engine->outage(surviving(*engine, outage))) {
            bind(t, *engine, *o);
            return t.id;
          }
        }
      }
      if (r.service_point.valid()) unbound.push_back(t.id);
    }
    return t.id;
  }

  static Status check(const TicketOpen& req) {
    if (req.kind == TicketKind::repair) {
      if (!req.symptom) return invalid_input("field 'symptom': required for a repair ticket");
      if (req.place.empty() && req.address.empty() && !req.position && req.customer.empty() && req.meter.empty()) {
        return invalid_input("field 'place': required for a repair ticket (or an address, position, customer or meter)");
      }
      if (req.contact.empty()) return invalid_input("field 'contact': required for a repair ticket");
    }
    if (req.kind == TicketKind::complaint && req.complaint == ComplaintType::none) {
      return invalid_input(
          "field 'complaint': required for a complaint (service, business, outage, power_quality, grid_construction)");
    }
    if (req.kind != TicketKind::complaint && req.complaint != ComplaintType::none) {
      return invalid_input("field 'complaint': only for a complaint ticket");
    }
    return {};
  }

  // A crew that exists, is on shift and has the skill the ticket needs.
  static Status can_take(const Crew* c, std::string_view crew, const Ticket& t, Timestamp now) {
    if (c == nullptr) return invalid_input(fmt::format("field 'crew': unknown crew '{}'", crew));
    if (!c->on_shift(now)) return invalid_input(fmt::format("field 'crew': crew '{}' is off shift", crew));
    const Skill need = skill_for(t);
    if (!c->profile.skills.has(need)) {
      return invalid_input(fmt::format("field 'crew': crew '{}' lacks the skill '{}' ticket {} needs (it has {})", crew,
                                       to_string(need), t.id.value(), c->profile.skills.to_string()));
    }
    return {};
  }

  void route(Ticket& t, Timestamp now) {
    if (t.routed != kNoTime) return;
    t.routed = now;
    t.route.met = now;
    t.route.breached = now > t.route.due;
    t.route.at_risk = false;
    t.state = std::max(t.state, TicketState::routed);
  }

  Status open_repair(TicketId id) const {
    if (!id.valid() || id.value() >= tickets.size()) return not_found(fmt::format("field 'ticket': unknown ticket {}", id.valid() ? id.value() : -1));
    const Ticket& t = tickets[id.value()];
    if (t.kind != TicketKind::repair || !is_open(t.state)) {
      return invalid_input(fmt::format("field 'ticket': ticket {} is not an open repair ticket", id.value()));
    }
    return {};
  }

  Status check_pin(TicketId id, std::string_view crew, Timestamp now) const {
    if (Status s = open_repair(id); !s) return s;
    const Ticket& t = tickets[id.value()];
    if (crew.empty()) return {};
    const Crew* c = roster.find(crew);
    if (Status s = can_take(c, crew, t, now); !s) return s;
    if (t.arrived != kNoTime && !t.crew.empty() && t.crew != c->id) {
      return invalid_input(fmt::format("field 'ticket': crew '{}' is on site at ticket {}; it is not moved", t.crew, id.value()));
    }
    return {};
  }

  Status pin(TicketId id, std::string_view crew, std::string reason, Timestamp now) {
    if (Status s = check_pin(id, crew, now); !s) return s;
    Ticket& t = tickets[id.value()];
    if (crew.empty()) {  // back to the dispatcher's policy
      t.pinned_crew.clear();
      touch(t.id);
      return {};
    }
    const Crew* c = roster.find(crew);
    if (!t.crew.empty() && t.crew != c->id) {
      // Taken from the crew it had, which has not reached it: that crew is free again.
      crew_ticket.erase(t.crew);
      t.crew.clear();
      t.state = std::min(t.state, TicketState::routed);
    }
    t.pinned_crew = c->id;
    t.held = false;  // a person has looked
    t.assignment = std::move(reason);
    t.planned_crew.clear();
    t.planned_eta = kNoTime;
    route(t, now);
    touch(t.id);
    return {};
  }

  Status plan(TicketId id, std::string_view crew, Timestamp eta, std::string reason, Timestamp now) {
    if (Status s = open_repair(id); !s) return s;
    Ticket& t = tickets[id.value()];
    if (!t.crew.empty()) return invalid_input(fmt::format("field 'ticket': ticket {} has crew '{}' already", id.value(), t.crew));
    if (crew.empty()) {
      if (!t.planned_crew.empty()) touch(t.id);
      t.planned_crew.clear();
      t.planned_eta = kNoTime;
      return {};
    }
    const Crew* c = roster.find(crew);
    if (Status s = can_take(c, crew, t, now); !s) return s;
    if (t.planned_crew != crew || t.planned_eta != eta || t.assignment != reason) touch(t.id);
    t.planned_crew = c->id;
    t.planned_eta = eta;
    t.assignment = std::move(reason);
    route(t, now);
    return {};
  }

  Status assign(TicketId id, std::string_view crew, Timestamp eta, std::string reason, Timestamp now) {
    if (!id.valid() || id.value() >= tickets.size()) return not_found(fmt::format("field 'ticket': unknown ticket {}", id.valid() ? id.value() : -1));
    Ticket& t = tickets[id.value()];
    if (t.kind != TicketKind::repair || !is_open(t.state)) {
      return invalid_input(fmt::format("field 'ticket': ticket {} is not an open repair ticket", id.value()));
    }
    if (!t.crew.empty()) return invalid_input(fmt::format("field 'ticket': ticket {} has crew '{}' already", id.value(), t.crew));
    if (!t.pinned_crew.empty() && t.pinned_crew != crew) {
      return invalid_input(fmt::format("field 'crew': ticket {} is kept for crew '{}' by a dispatcher", id.value(), t.pinned_crew));
    }
    const Crew* c = roster.find(crew);
    if (Status s = can_take(c, crew, t, now); !s) return s;
    if (auto it = crew_ticket.find(c->id); it != crew_ticket.end() && is_open(tickets[it->second.value()].state)) {
      return invalid_input(fmt::format("field 'crew': crew '{}' is on ticket {}", crew, it->second.value()));
    }
    t.planned_crew.clear();
    t.planned_eta = kNoTime;
    t.crew = c->id;
    t.crew_done = false;
    t.assigned_eta = eta;
    t.assignment = std::move(reason);
    crew_ticket[c->id] = t.id;
    route(t, now);
    touch(t.id);
    return {};
  }

  Status crew_status(const CrewStatus& s, Timestamp time, Timestamp now) {
    TicketId tid;
    if (!s.ticket.empty()) {
      std::uint32_t n = 0;
      auto [p, ec] = std::from_chars(s.ticket.data(), s.ticket.data() + s.ticket.size(), n);
      if (ec != std::errc() || p != s.ticket.data() + s.ticket.size() || n >= tickets.size()) {
        return not_found(fmt::format("field 'ticket': unknown ticket '{}'", s.ticket));
      }
      tid = TicketId(n);
      while (tickets[tid.value()].state == TicketState::merged && tickets[tid.value()].merged_into.valid()) {
        tid = tickets[tid.value()].merged_into;
      }
    }
    roster.report(s, time);
    if (!tid.valid()) {
      auto it = crew_ticket.find(s.crew);
      if (it != crew_ticket.end()) tid = it->second;
    }
    if (!tid.valid()) return {};
    Ticket& t = tickets[tid.value()];
    if (!is_open(t.state)) return {};
    auto take = [&] {
      if (!t.crew.empty() && t.crew != s.crew) crew_ticket.erase(t.crew);
      if (t.pinned_crew != s.crew) t.pinned_crew.clear();  // the crew on it is what counts
      t.planned_crew.clear();
      t.planned_eta = kNoTime;
      t.crew = s.crew;
      t.crew_done = false;
      crew_ticket[s.crew] = t.id;
      if (t.routed == kNoTime) {
        t.routed = time;
        t.route.met = time;
        t.route.breached = time > t.route.due;
      }
    };
    switch (s.status) {
      case CrewState::en_route:
        take();
        if (t.dispatched == kNoTime) t.dispatched = time;
        t.state = std::max(t.state, TicketState::dispatched);
        break;
      case CrewState::on_site:
        take();
        if (t.dispatched == kNoTime) t.dispatched = time;
        if (t.arrived == kNoTime) {
          t.arrived = time;
          t.arrival.met = time;
          t.arrival.breached = t.arrival.due != kNoTime && time > t.arrival.due;
          t.arrival.at_risk = false;
        }
        t.state = std::max(t.state, TicketState::arrived);
        break;
      case CrewState::repaired:
        if (t.crew == s.crew) t.crew_done = true, t.awaited_from = time;
        if (!t.outage.valid()) restored(t, time, now);  // nothing else will say power is back
        else if (t.state == TicketState::restored) finish(t, TicketState::closed, now, "restored");
        break;
      case CrewState::available:
      case CrewState::off_shift:
        if (t.crew == s.crew) {
          crew_ticket.erase(s.crew);
          if (t.state == TicketState::restored) {
            finish(t, TicketState::closed, now, "restored");
          } else if (!t.crew_done) {
            t.crew.clear();  // called off before the repair: back in the queue
          }
        }
        break;
    }
    touch(t.id);
    return {};
  }

  // Whether the ticket's outage lies inside another active outage (below an open device, or
  // below another prediction): its section cannot have power before that one is over.
  bool waits_on_another(const OutageEngine& engine, const Ticket& t) const {
    // Its own assist's crew still at work on it counts too.
    for (TicketId id : open) {
      const Ticket& a = tickets[id.value()];
      if (a.assisting == t.id && is_open(a.state) && a.arrived != kNoTime && !a.crew_done) return true;
    }
    const Outage* o = engine.outage(t.outage);
    if (!o || !o->bus.valid()) return false;
    const Topology& topology = engine.topology();
    if (!topology.energized(o->bus)) return true;
    for (OutageId id : engine.active_outages()) {
      const Outage* p = engine.outage(id);
      if (id != o->id && p->bus.valid() && p->bus != o->bus && topology.is_below(o->bus, p->bus)) return true;
    }
    return false;
  }

  std::vector<int> assists_of;  // per ticket: the assists it has had

  // Ends the assists whose ticket is over, and opens one where a large outage's crew is in for
  // a long repair (TicketRules::assist_customers).
  void assists(Timestamp now) {
    assists_of.resize(tickets.size(), 0);
    const std::vector<TicketId> snapshot = open;
    for (TicketId id : snapshot) {
      const Ticket& t = tickets[id.value()];
      if (t.origin == TicketOrigin::assist) {
        const Ticket& helped = tickets[t.assisting.value()];
        if (!is_open(helped.state) || helped.state == TicketState::restored) {
          finish(tickets[id.value()], TicketState::closed, now, fmt::format("ticket {} is over", helped.id.value()));
        }
        continue;
      }
      if (t.kind != TicketKind::repair || t.state != TicketState::arrived || t.crew_done || t.customers < rules.assist_customers) continue;
      const Crew* c = roster.find(t.crew);
      if (!c || !c->etr || *c->etr <= now + rules.assist_after) continue;
      if (assists_of[id.value()] >= rules.max_assists) continue;
      bool one_waiting = false;
      for (TicketId other : open) {
        const Ticket& a = tickets[other.value()];
        one_waiting = one_waiting || (a.assisting == t.id && is_open(a.state) && a.arrived == kNoTime);
      }
      if (one_waiting) continue;
      ++assists_of[id.value()];
      open_assist(id, now);
    }
    std::erase_if(open, [&](TicketId id) { return !is_open(tickets[id.value()].state); });
  }

  void open_assist(TicketId helped_id, Timestamp now) {
    Ticket& a = create(TicketKind::repair, ComplaintType::none, TicketOrigin::assist, now);
    const Ticket& helped = tickets[helped_id.value()];  // after create: the vector may have moved
    a.assisting = helped.id;
    a.device = helped.device;
    a.level = helped.level;
    a.service_point = helped.service_point;
    a.customer = helped.customer;
    a.priority = helped.priority;
    a.customers = helped.customers;
    a.symptom = helped.symptom;
    a.place = helped.place;
    a.extent = fmt::format("assist ticket {}: {} customers, its crew in for a long repair", helped.id.value(), helped.customers);
    set_place(a, helped.place_point, helped.has_place_point);
    a.arrival.due = kNoTime;  // the ticket it helps made (or missed) the promise
    touch(a.id);
  }

  void advance(const OutageEngine& engine, Timestamp now) {
    std::erase_if(open, [&](TicketId id) { return !is_open(tickets[id.value()].state); });
    for (TicketId id : open) {
      Ticket& t = tickets[id.value()];
      auto run = [&](LimitClock& c) {
        if (c.due == kNoTime || c.met != kNoTime) return;
        const bool breached = now > c.due;
        const Duration whole = c.due - t.accepted;
        const bool at_risk = !breached && c.due - now < std::chrono::duration_cast<Duration>(whole * rules.at_risk_share);
        if (breached != c.breached || at_risk != c.at_risk) {
          c.breached = breached;
          c.at_risk = at_risk;
          touch(id);
        }
      };
      run(t.route);
      if (t.kind == TicketKind::repair) run(t.arrival);
      if (t.crew_done && t.outage.valid() && waits_on_another(engine, t)) {
        t.awaited_from = kNoTime;  // its power cannot be back yet: the wait starts once it can
      } else if (t.crew_done && t.outage.valid() && t.awaited_from == kNoTime) {
        t.awaited_from = now;
      } else if (t.crew_done && t.outage.valid() && now - t.awaited_from >= rules.recheck_after) {
        // Done, but the power is still off, and nothing above explains it: the next crew goes,
        // unless crews have been back too often: then a person looks first.
        if (auto it = crew_ticket.find(t.crew); it != crew_ticket.end() && it->second == t.id) crew_ticket.erase(it);
        t.crew.clear();
        t.crew_done = false;
        t.assigned_eta = kNoTime;
        if (++t.rechecks > rules.max_rechecks) {
          t.held = true;
          t.assignment = fmt::format("held for a dispatcher: reported done {} times and still out", t.rechecks);
        } else {
          t.assignment.clear();
        }
        touch(id);
      }
    }
    assists(now);
    ranked = open;
    std::sort(ranked.begin(), ranked.end(), [&](TicketId a, TicketId b) {
      const Ticket& x = tickets[a.value()];
      const Ticket& y = tickets[b.value()];
      if (x.emergency != y.emergency) return x.emergency;
      if (x.priority != y.priority) return x.priority < y.priority;
      if (x.accepted != y.accepted) return x.accepted < y.accepted;
      return a < b;
    });
    waiting = 0;
    for (TicketId id : ranked) {
      const Ticket& t = tickets[id.value()];
      if (t.kind == TicketKind::repair && t.crew.empty()) queue_position[id.value()] = waiting++;
    }
  }

  // When the first crew is free for another repair (now if one is available or none is known).
  Timestamp first_crew_free(Timestamp now) const {
    if (roster.crews().empty() || roster.available() > 0) return now;
    auto [repair50, repair90] = etr_model.repair_time(DeviceLevel::transformer, areas.fallback().area_class);
    (void)repair90;
    const Duration travel50 = areas.fallback().arrival_limit / 2;
    Timestamp best = kNoTime;
    for (const Crew* c : roster.crews()) {
      Timestamp free = now;
      if (c->status == CrewState::off_shift) continue;
      if (c->status == CrewState::on_site) free = c->status_since + repair50;
      if (c->status == CrewState::en_route) free = c->status_since + travel50 + repair50;
      free = std::max(free, now);
      if (best == kNoTime || free < best) best = free;
    }
    return best == kNoTime ? now : best;
  }

  Etr etr(const OutageEngine& engine, OutageId id, Timestamp now) const {
    id = surviving(engine, id);
    const Outage* o = engine.outage(id);
    if (!o || !is_active(o->state)) return {};
    FaultSituation f;
    f.level = o->level;
    TicketId tid = ticket_of(id);
    const ServiceArea* area = &areas.fallback();
    if (tid.valid()) area = &area_of(tickets[tid.value()]);
    else if (auto p = position_of(*o)) area = &areas.at(*p);
    f.area_class = area->area_class;
    f.arrival_limit = area->arrival_limit;
    if (auto it = etr_overrides.find(id.value()); it != etr_overrides.end()) f.dispatcher_override = it->second;
    const std::size_t crews = std::max<std::size_t>(roster.on_shift(), 1);
    if (tid.valid()) {
      const Ticket& t = tickets[tid.value()];
      f.dispatched = t.dispatched;
      f.arrived = t.arrived;
      if (!t.crew.empty()) {
        if (const Crew* c = roster.find(t.crew)) {
          f.crew_estimate = c->etr;
          if (t.arrived == kNoTime && c->has_position && t.has_place_point) {
            f.trip = travel.time(c->position, t.place_point);
            f.trip_from = c->position_at;
          }
        }
        if (t.dispatched == kNoTime) f.planned_arrival = t.assigned_eta;  // bound, not yet on its way
      } else {
        f.crew_free_at = first_crew_free(now);
        f.queued_ahead_per_crew = static_cast<double>(queue_position[tid.value()]) / static_cast<double>(crews);
        if (!t.planned_crew.empty()) f.planned_arrival = t.planned_eta;
      }
    } else {
      // No ticket yet: behind every repair waiting now.
      f.crew_free_at = first_crew_free(now);
      f.queued_ahead_per_crew = static_cast<double>(waiting) / static_cast<double>(crews);
    }
    return etr_model.fault(f, now);
  }

  FollowUp follow_up(const OutageEngine& engine, TicketId id) const {
    FollowUp out;
    if (!id.valid() || id.value() >= tickets.size()) return out;
    const Ticket& t = tickets[id.value()];
    if (const Outage* o = engine.outage(t.outage)) {
      for (ServicePointId sp : o->dark) {
        if (engine.status_of(sp).dark) out.verify.push_back(sp);
      }
      std::sort(out.verify.begin(), out.verify.end());
      out.verify.erase(std::unique(out.verify.begin(), out.verify.end()), out.verify.end());
    }
    // Each caller once (the first call with a way to reach them).
    for (const TicketCall& c : t.calls) {
      bool seen = std::any_of(out.call_back.begin(), out.call_back.end(), [&](const TicketCall& k) {
        return (c.customer.valid() && k.customer == c.customer) || (!c.contact.empty() && k.contact == c.contact);
      });
      if (!seen && (c.customer.valid() || !c.contact.empty())) out.call_back.push_back(c);
    }
    return out;
  }
};

TicketDesk::TicketDesk(const NetworkModel& model, TicketRules rules, ServiceAreas areas, EtrModel etr)
    : impl_(std::make_unique<Impl>(model, std::move(rules), std::move(areas), std::move(etr))) {}
TicketDesk::~TicketDesk() = default;

void TicketDesk::outages_changed(const OutageEngine& engine, std::span<const OutageId> changed, Timestamp now) {
  impl_->outages_changed(engine, changed, now);
}

void TicketDesk::call(const OutageEngine& engine, const CallReport& call, const ResolvedEvent& resolved, Timestamp time,
                      std::int64_t seq, Timestamp now) {
  impl_->call(engine, call, resolved, time, seq, now);
}

Result<TicketId> TicketDesk::open(const OutageEngine& engine, const TicketOpen& request, const ResolvedEvent& resolved,
                                  Timestamp now) {
  return impl_->open_ticket(request, resolved, now, &engine);
}

Status TicketDesk::check(const TicketOpen& request) { return Impl::check(request); }

Status TicketDesk::assign(TicketId id, std::string_view crew, Timestamp eta, std::string reason, Timestamp now) {
  return impl_->assign(id, crew, eta, std::move(reason), now);
}

Status TicketDesk::pin(TicketId id, std::string_view crew, std::string reason, Timestamp now) {
  return impl_->pin(id, crew, std::move(reason), now);
}

Status TicketDesk::check_pin(TicketId id, std::string_view crew, Timestamp now) const {
  return impl_->check_pin(id, crew, now);
}

Status TicketDesk::plan(TicketId id, std::string_view crew, Timestamp eta, std::string reason, Timestamp now) {
  return impl_->plan(id, crew, eta, std::move(reason), now);
}

Status TicketDesk::set_crews(std::span<const CrewProfile> profiles) { return impl_->roster.configure(profiles); }

TicketId TicketDesk::ticket_of_crew(std::string_view crew) const {
  auto it = impl_->crew_ticket.find(std::string(crew));
  if (it == impl_->crew_ticket.end() || !is_open(impl_->tickets[it->second.value()].state)) return {};
  return it->second;
}

const StraightLineTravel& TicketDesk::travel() const { return impl_->travel; }

const TicketRules& TicketDesk::rules() const { return impl_->rules; }

Status TicketDesk::crew_status(const CrewStatus& status, Timestamp time, Timestamp now) {
  return impl_->crew_status(status, time, now);
}

void TicketDesk::crew_position(const CrewPosition& position, Timestamp time) {
  impl_->roster.report(position, Point{position.position.x, position.position.y}, time);
}

Status TicketDesk::override_etr(const OutageEngine& engine, OutageId outage, Timestamp etr) {
  if (!engine.outage(outage)) return not_found(fmt::format("field 'outage': unknown outage {}", outage.value()));
  impl_->etr_overrides[impl_->surviving(engine, outage).value()] = etr;
  if (TicketId t = impl_->ticket_of(impl_->surviving(engine, outage)); t.valid()) impl_->touch(t);
  return {};
}

void TicketDesk::advance(const OutageEngine& engine, Timestamp now) { impl_->advance(engine, now); }

const std::vector<Ticket>& TicketDesk::tickets() const { return impl_->tickets; }

const Ticket* TicketDesk::ticket(TicketId id) const {
  if (!id.valid() || id.value() >= impl_->tickets.size()) return nullptr;
  return &impl_->tickets[id.value()];
}

TicketId TicketDesk::ticket_of(OutageId outage) const { return impl_->ticket_of(outage); }

std::vector<TicketId> TicketDesk::queue() const {
  std::vector<TicketId> out;
  for (TicketId id : impl_->ranked) {
    if (is_open(impl_->tickets[id.value()].state)) out.push_back(id);
  }
  return out;
}

Etr TicketDesk::etr(const OutageEngine& engine, OutageId outage, Timestamp now) const {
  return impl_->etr(engine, outage, now);
}

Timestamp TicketDesk::crew_eta(TicketId id, Timestamp now) const {
  const Ticket* t = ticket(id);
  if (!t || t->crew.empty()) return kNoTime;
  if (t->arrived != kNoTime) return t->arrived;
  if (t->dispatched == kNoTime) return kNoTime;
  if (const Crew* c = impl_->roster.find(t->crew); c && c->has_position && t->has_place_point) {
    if (auto trip = impl_->travel.time(c->position, t->place_point)) return std::max(now, std::max(c->position_at, t->dispatched) + *trip);
  }
  return std::max(now, t->dispatched + impl_->area_of(*t).arrival_limit / 2);
}

FollowUp TicketDesk::follow_up(const OutageEngine& engine, TicketId id) const { return impl_->follow_up(engine, id); }

const CrewRoster& TicketDesk::crews() const { return impl_->roster; }
const EtrModel& TicketDesk::etr_model() const { return impl_->etr_model; }
const ServiceAreas& TicketDesk::areas() const { return impl_->areas; }

std::vector<TicketId> TicketDesk::take_changed() {
  std::vector<TicketId> out;
  out.swap(impl_->changed);
  for (TicketId id : out) impl_->changed_flag[id.value()] = 0;
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace outage
