// TicketDesk: the tickets (work orders) and their committed clocks.
//
//   - One repair ticket per inferred fault outage, made when the outage outlives its settling
//     window (probable) or is confirmed: momentary interruptions never make one. When outages
//     merge as a prediction rolls up, their tickets merge too; a disproved prediction cancels
//     its ticket, a customer-side one closes it. Calls attach to the ticket of the outage that
//     explains them (kept aside until it has one), so two hundred calls about one fault are one
//     ticket with two hundred callers to call back. A call inside a planned, temporary,
//     load-shedding or disconnection record makes no ticket.
//   - Hazard calls (wire down, fire) make an emergency ticket at once, outage or not (or mark the
//     outage's ticket an emergency).
//   - Agents open tickets of every kind (repair, complaint, inquiry, suggestion, business); each
//     kind routes to a team by the rules (first match, else the kind's default team). Other
//     kinds reach their team at once; a repair ticket is routed when a crew takes it.
//   - Clocks per ticket: accepted, routed, dispatched (crew en route), arrived (on site),
//     restored, closed; limits: routing (repair 5 min, others 10 min) and, for repair, arrival
//     (the service area's 45 / 90 / 120 min), each at risk or breached as the clock runs.
//   - Priority: an emergency first, then tickets with critical customers out, then important
//     ones (hospitals, mines, life support), then by acceptance time.
//   - ETR per outage (dispatch/etr_model.h), from the ticket's crew, the crews' reports and the
//     queue; a dispatcher's override wins.
//
// Everything it knows comes from the journaled events and the engine, with the engine's clock:
// replaying the journal rebuilds the same tickets with the same ids. Pure and single-threaded:
// it lives on the core strand with the engine.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dispatch/crew_roster.h"
#include "dispatch/etr_model.h"
#include "dispatch/service_area.h"
#include "dispatch/ticket.h"
#include "dispatch/travel_time.h"
#include "feeds/event_resolver.h"
#include "feeds/outage_engine.h"

namespace outage {

struct TicketRoute {
  TicketKind kind = TicketKind::repair;
  ComplaintType complaint = ComplaintType::none;  // none: any
  std::string team;
};

struct TicketRules {
  std::vector<TicketRoute> routes;  // first match; else default_team(kind)
  Duration repair_route_limit = std::chrono::minutes(5);
  Duration other_route_limit = std::chrono::minutes(10);
  double at_risk_share = 0.2;  // at risk once less than this share of a limit is left
  // A repair reported done whose outage is still out this long after goes back to the queue
  // for another crew (the fault was elsewhere, or there was a second one).
  Duration recheck_after = std::chrono::minutes(10);
  // ... at most this many times: then no dispatcher sends another crew by itself (crews found
  // nothing there, or nothing they could mend); the ticket is held for a person to look at, until
  // one assigns it or its power comes back.
  int max_rechecks = 2;
  // A large outage (at least `assist_customers` out) whose crew on site expects to be at it more
  // than `assist_after` longer gets an assist ticket for another crew: in a storm a feeder's
  // outage often hides more than one fault. At most `max_assists` in a ticket's life, one
  // waiting for its crew at a time. An assist carries no arrival limit (the ticket it helps has
  // met its own) and ends with the repair of its crew or with the ticket it helps.
  std::uint32_t assist_customers = 50;
  Duration assist_after = std::chrono::minutes(60);
  int max_assists = 1;
  static std::string default_team(TicketKind kind);
};

// What to do after a restoration: meters to read (still dark, or never heard from since) and
// the callers to call back.
struct FollowUp {
  std::vector<ServicePointId> verify;
  std::vector<TicketCall> call_back;
};

class TicketDesk {
 public:
  TicketDesk(const NetworkModel& model, TicketRules rules = {}, ServiceAreas areas = ServiceAreas(),
             EtrModel etr = EtrModel());
  ~TicketDesk();
  TicketDesk(const TicketDesk&) = delete;
  TicketDesk& operator=(const TicketDesk&) = delete;

  // Follows the engine: call after each advance() with what take_changed() returned.
  void outages_changed(const OutageEngine& engine, std::span<const OutageId> changed, Timestamp now);

  // After the engine applied a call.report (`resolved` is what the resolver found for it).
  void call(const OutageEngine& engine, const CallReport& call, const ResolvedEvent& resolved, Timestamp time,
            std::int64_t seq, Timestamp now);

  // A ticket an agent opens (ticket.open): invalid_input naming the field when check() fails.
  // A repair about a place whose outage has a ticket already joins that ticket (its id is
  // returned); one about a place with a predicted outage but no ticket yet becomes its ticket.
  Result<TicketId> open(const OutageEngine& engine, const TicketOpen& request, const ResolvedEvent& resolved,
                        Timestamp now);
  // A repair ticket needs its symptom, a place (place, address, position, customer or meter)
  // and a contact; a complaint its type (and only a complaint has one).
  static Status check(const TicketOpen& request);

  // A dispatcher's order (the nearest-idle dispatcher, later the planner, or a person): `crew`
  // is to take ticket `id`. The ticket is routed (its routing clock met) and bound to the crew,
  // whose own reports (en_route, on_site) follow. not_found for an unknown ticket;
  // invalid_input when it is not an open repair ticket, already has a crew, or the crew is
  // unknown, off shift or bound to another ticket.
  Status assign(TicketId id, std::string_view crew, Timestamp eta, std::string reason, Timestamp now);
  // A dispatcher's own choice (POST /v1/tickets/{id}/assign, journaled as ticket.assign): the
  // ticket is kept for `crew` by every re-plan. Bound at once when the crew is free, else it waits
  // first in that crew's queue; a crew it had that has not reached it is released. An empty
  // `crew` hands the ticket back to the policy. Refused: unknown tickets (not_found), tickets
  // not open, crews unknown, off shift or without the skill, and a ticket with another crew on
  // site (invalid_input).
  Status pin(TicketId id, std::string_view crew, std::string reason, Timestamp now);
  // What pin() would refuse, without pinning.
  Status check_pin(TicketId id, std::string_view crew, Timestamp now) const;
  // The planner queues a ticket behind a busy crew: routed (its clock met), not bound; re-planning
  // may move it. An empty `crew` takes it out of any queue. Refused as assign() is.
  Status plan(TicketId id, std::string_view crew, Timestamp eta, std::string reason, Timestamp now);
  // The crews' depots, skills and shifts (dispatch/crew_profile.h); refused as a whole naming the
  // first bad profile.
  Status set_crews(std::span<const CrewProfile> profiles);

  // A crew's report. not_found when it names a ticket that does not exist.
  Status crew_status(const CrewStatus& status, Timestamp time, Timestamp now);
  void crew_position(const CrewPosition& position, Timestamp time);

  // A dispatcher's ETR for an outage (outage.etr). not_found for an unknown outage.
  Status override_etr(const OutageEngine& engine, OutageId outage, Timestamp etr);

  // Runs the clocks to `now` (at risk, breached) and re-ranks the queue. A ticket whose crew
  // reported the repair done while the power stays off goes back in the queue after
  // `recheck_after`, unless another active outage above it is what keeps it dark.
  void advance(const OutageEngine& engine, Timestamp now);

  // Reading.
  const std::vector<Ticket>& tickets() const;
  const Ticket* ticket(TicketId id) const;
  TicketId ticket_of(OutageId outage) const;  // the repair ticket of an outage, if any
  // Open tickets in the order they are to be served.
  std::vector<TicketId> queue() const;
  Etr etr(const OutageEngine& engine, OutageId outage, Timestamp now) const;
  // When the ticket's crew is (or was) on site: its arrival once there; en route, from where it
  // was last seen by straight-line travel (or half the area's arrival limit from dispatch when
  // positions are unknown), never before now. kNoTime without a dispatched crew.
  Timestamp crew_eta(TicketId ticket, Timestamp now) const;
  FollowUp follow_up(const OutageEngine& engine, TicketId id) const;
  const CrewRoster& crews() const;
  // The open ticket a crew is bound to (assigned or reporting on), invalid when none.
  TicketId ticket_of_crew(std::string_view crew) const;
  const StraightLineTravel& travel() const;
  const EtrModel& etr_model() const;
  const ServiceAreas& areas() const;
  const TicketRules& rules() const;
  // Tickets changed since the last call, each once, in id order.
  std::vector<TicketId> take_changed();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
