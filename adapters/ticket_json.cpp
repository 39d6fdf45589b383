#include "adapters/ticket_json.h"

#include "feeds/rfc3339.h"

namespace outage {

using Json = nlohmann::json;

namespace {

Json time_or_null(Timestamp t) { return t == kNoTime ? Json(nullptr) : Json(format_rfc3339(t)); }

Json limit_json(const LimitClock& c) {
  if (c.due == kNoTime) return nullptr;
  return {{"due", format_rfc3339(c.due)}, {"met", time_or_null(c.met)}, {"at_risk", c.at_risk}, {"breached", c.breached}};
}

Json etr_json(const Etr& e) {
  if (!e.known()) return nullptr;
  return {{"p50", format_rfc3339(e.p50)},
          {"p90", format_rfc3339(e.p90)},
          {"confidence", e.confidence},
          {"basis", std::string(e.basis)}};
}

}  // namespace

Json ticket_json(const ControlRoom& room, const Ticket& t, bool detail, Timestamp now) {
  const NetworkModel& model = room.model();
  Json j = {
      {"id", t.id.value()},
      {"kind", std::string(to_string(t.kind))},
      {"complaint", t.complaint == ComplaintType::none ? Json(nullptr) : Json(std::string(to_string(t.complaint)))},
      {"channel", std::string(to_string(t.channel))},
      {"origin", std::string(to_string(t.origin))},
      {"state", std::string(to_string(t.state))},
      {"emergency", t.emergency},
      {"priority", std::string(to_string(t.priority))},
      {"outage", t.outage.valid() ? Json(t.outage.value()) : Json(nullptr)},
      {"device", t.device.valid() ? Json(std::string(model.element(t.device).id)) : Json(nullptr)},
      {"customer", t.customer.valid() ? Json(std::string(model.customer(t.customer).id)) : Json(nullptr)},
      {"meter", t.service_point.valid() ? Json(std::string(model.service_point(t.service_point).id)) : Json(nullptr)},
      {"area", t.area},
      {"team", t.team},
      {"symptom", t.symptom},
      {"place", t.place},
      {"extent", t.extent},
      {"contact", t.contact},
      {"note", t.note},
      {"cause_guess", t.cause_guess},
      {"customers_out", t.customers},
      {"crew", t.crew.empty() ? Json(nullptr) : Json(t.crew)},
      {"assignment", t.assignment.empty() ? Json(nullptr)
                                          : Json({{"eta", time_or_null(t.assigned_eta)}, {"reason", t.assignment}})},
      {"planned", t.planned_crew.empty() || !t.crew.empty()
                      ? Json(nullptr)
                      : Json({{"crew", t.planned_crew}, {"eta", time_or_null(t.planned_eta)}})},
      {"pinned_crew", t.pinned_crew.empty() ? Json(nullptr) : Json(t.pinned_crew)},
      {"skill", t.kind == TicketKind::repair ? Json(std::string(to_string(skill_for(t)))) : Json(nullptr)},
      {"position", t.has_place_point ? Json({{"x", t.place_point.x}, {"y", t.place_point.y}}) : Json(nullptr)},
      {"calls", t.calls.size()},
      {"clocks",
       {{"accepted", time_or_null(t.accepted)},
        {"routed", time_or_null(t.routed)},
        {"dispatched", time_or_null(t.dispatched)},
        {"arrived", time_or_null(t.arrived)},
        {"restored", time_or_null(t.restored)},
        {"closed", time_or_null(t.closed)}}},
      {"limits", {{"route", limit_json(t.route)}, {"arrival", limit_json(t.arrival)}}},
      {"etr", t.outage.valid() && is_open(t.state) ? etr_json(room.desk().etr(room.engine(), t.outage, now)) : Json(nullptr)},
      {"merged_into", t.merged_into.valid() ? Json(t.merged_into.value()) : Json(nullptr)},
      {"assisting", t.assisting.valid() ? Json(t.assisting.value()) : Json(nullptr)},
      {"rechecks", t.rechecks},
      {"held", t.held},
      {"closing_note", t.closing_note},
  };
  if (detail) {
    Json calls = Json::array();
    for (const TicketCall& c : t.calls) {
      calls.push_back({{"time", format_rfc3339(c.time)},
                       {"customer", c.customer.valid() ? Json(std::string(model.customer(c.customer).id)) : Json(nullptr)},
                       {"symptom", std::string(to_string(c.symptom))},
                       {"channel", std::string(to_string(c.channel))},
                       {"contact", c.contact}});
    }
    j["call_list"] = std::move(calls);
    FollowUp f = room.desk().follow_up(room.engine(), t.id);
    Json verify = Json::array(), call_back = Json::array();
    for (ServicePointId sp : f.verify) verify.push_back(std::string(model.service_point(sp).id));
    for (const TicketCall& c : f.call_back) {
      call_back.push_back({{"customer", c.customer.valid() ? Json(std::string(model.customer(c.customer).id)) : Json(nullptr)},
                           {"contact", c.contact}});
    }
    j["follow_up"] = {{"verify_meters", std::move(verify)}, {"call_back", std::move(call_back)}};
  }
  return j;
}

Json crews_json(const ControlRoom& room, Timestamp now) {
  Json out = Json::array();
  const TicketDesk& desk = room.desk();
  std::unordered_map<std::string_view, const CrewRoute*> routes;
  for (const CrewRoute& r : room.last_plan().crews) routes[r.crew] = &r;
  for (const Crew* c : desk.crews().crews()) {
    // Its queue in the last plan (the planner policy): tickets in order, with predicted arrivals.
    Json queue = Json::array();
    if (auto it = routes.find(c->id); it != routes.end()) {
      for (const PlannedJob& j : it->second->jobs) {
        queue.push_back({{"ticket", j.ticket.value()}, {"eta", time_or_null(j.eta)}, {"done", time_or_null(j.done)}, {"fixed", j.fixed}});
      }
    }
    // The open ticket the crew is bound to: given by the dispatcher (eta, reason) or taken by its own report.
    Json assignment = nullptr;
    if (const TicketId id = desk.ticket_of_crew(c->id); id.valid()) {
      const Ticket& t = *desk.ticket(id);
      assignment = {{"ticket", id.value()}, {"eta", time_or_null(t.assigned_eta)}, {"reason", t.assignment}};
    }
    out.push_back({{"id", c->id},
                   {"status", std::string(to_string(c->status))},
                   {"since", time_or_null(c->status_since)},
                   {"ticket", c->ticket.empty() ? Json(nullptr) : Json(c->ticket)},
                   {"position", c->has_position ? Json({{"x", c->position.x}, {"y", c->position.y}}) : Json(nullptr)},
                   {"position_at", time_or_null(c->position_at)},
                   {"etr", c->etr ? Json(format_rfc3339(*c->etr)) : Json(nullptr)},
                   {"assignment", std::move(assignment)},
                   {"skills", c->profile.skills.to_string()},
                   {"vehicle", c->profile.vehicle},
                   {"depot", c->profile.has_depot ? Json({{"x", c->profile.depot.x}, {"y", c->profile.depot.y}, {"name", c->profile.depot_name}}) : Json(nullptr)},
                   {"on_shift", c->on_shift(now)},
                   {"shift_end", time_or_null(c->profile.shift_end(now))},
                   {"queue", std::move(queue)}});
  }
  return out;
}

Json plan_alerts_json(const ControlRoom& room) {
  Json out = Json::array();
  for (const PlanAlert& a : room.last_plan().alerts) {
    Json options = Json::array();
    for (const AlertOption& o : a.options) {
      options.push_back({{"crew", o.crew}, {"area", o.area}, {"eta", time_or_null(o.eta)}, {"neighbouring", o.neighbouring}});
    }
    out.push_back({{"ticket", a.ticket.value()},
                   {"due", time_or_null(a.due)},
                   {"eta", time_or_null(a.eta)},
                   {"message", a.message},
                   {"options", std::move(options)}});
  }
  return out;
}

Json status_json(const NetworkModel& model, const StatusAnswer& a, ServicePointId sp, CustomerId customer) {
  Json crew = nullptr;
  if (!a.crew.empty()) crew = {{"id", a.crew}, {"status", a.crew_status}, {"eta", time_or_null(a.crew_eta)}};
  return {{"customer", customer.valid() ? Json(std::string(model.customer(customer).id)) : Json(nullptr)},
          {"meter", std::string(model.service_point(sp).id)},
          {"power", std::string(to_string(a.power))},
          {"cause", std::string(to_string(a.cause))},
          {"outage", a.outage.valid() ? Json(a.outage.value()) : Json(nullptr)},
          {"record", a.record_name.empty() ? Json(nullptr) : Json(a.record_name)},
          {"reason", a.reason.empty() ? Json(nullptr) : Json(a.reason)},
          {"since", time_or_null(a.since)},
          {"etr", a.etr.known() ? Json({{"p50", format_rfc3339(a.etr.p50)},
                                        {"p90", format_rfc3339(a.etr.p90)},
                                        {"confidence", a.etr.confidence},
                                        {"basis", std::string(a.etr.basis)}})
                                : Json(nullptr)},
          {"crew", crew},
          {"ticket", a.ticket.valid() ? Json(a.ticket.value()) : Json(nullptr)},
          {"customers_out", a.customers_out},
          {"message", a.message}};
}

}  // namespace outage
