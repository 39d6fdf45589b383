// Ticket: a work order (工单) with its committed clocks.
//
// Kinds (mission.md, "Tickets and complaints"): repair (故障报修), complaint (投诉: five types,
// channel 95598 or other), inquiry, suggestion (意见建议) and business requests (业扩报装, changes
// of use, metering, refunds). Repair tickets come from inferred fault outages (one per fault,
// never one per call: calls attach to it), from hazard calls (wire down, fire: an emergency
// ticket at once, outage or not), or from an agent.
//
// Clocks: accepted -> routed -> dispatched -> arrived -> restored -> closed. Two committed limits
// run from acceptance: routing (repair: to a crew within 5 minutes; the others to their team
// within 10), and, for repair tickets, the crew's arrival (45 / 90 / 120 minutes by the service
// area's class). Each limit is met, at risk (less than a share of it left), or breached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/crew_profile.h"
#include "dispatch/service_area.h"
#include "feeds/clock.h"
#include "feeds/event.h"
#include "feeds/outage.h"
#include "geo/network_model.h"
#include "geo/strong_id.h"

namespace outage {

struct TicketTag {};
using TicketId = StrongId<TicketTag>;  // dense: the n-th ticket opened

// TicketKind and ComplaintType are wire words (feeds/event.h: ticket.open).

enum class TicketState : std::uint8_t { accepted, routed, dispatched, arrived, restored, closed, cancelled, merged };
std::string_view to_string(TicketState s);
constexpr bool is_open(TicketState s) {
  return s != TicketState::closed && s != TicketState::cancelled && s != TicketState::merged;
}

// Where a ticket came from.
// assist: a second crew for a large outage whose first crew is in for a long repair.
enum class TicketOrigin : std::uint8_t { outage, hazard_call, agent, assist };
std::string_view to_string(TicketOrigin o);

// Who is behind it: critical and important customers (hospitals, mines, life support) come first.
enum class TicketPriority : std::uint8_t { critical, important, normal };
std::string_view to_string(TicketPriority p);

// One committed limit.
struct LimitClock {
  Timestamp due = kNoTime;   // kNoTime: no such limit for this ticket
  Timestamp met = kNoTime;   // when it was met
  bool at_risk = false;      // not met, and less than the at-risk share of the limit is left
  bool breached = false;     // not met by `due` (met late, or still not met after it)
};

// A call about a ticket: who to call back after restoration.
struct TicketCall {
  Timestamp time;
  std::int64_t seq = 0;  // journal position of the call
  CustomerId customer;
  ServicePointId service_point;
  Symptom symptom = Symptom::no_power;
  Channel channel = Channel::other;
  std::string contact;
};

struct Ticket {
  TicketId id;
  TicketKind kind = TicketKind::repair;
  ComplaintType complaint = ComplaintType::none;
  Channel channel = Channel::other;
  TicketOrigin origin = TicketOrigin::agent;
  TicketState state = TicketState::accepted;
  bool emergency = false;  // a hazard (wire down, fire): before everything else
  TicketPriority priority = TicketPriority::normal;

  OutageId outage;          // the fault it is about (repair tickets from outages and calls)
  ElementId device;         // the outage's device (invalid for a single premise or none)
  DeviceLevel level = DeviceLevel::service_point;
  CustomerId customer;      // the subject, when one customer is
  ServicePointId service_point;
  Point place_point;        // where, in model coordinates (for the area and the crew)
  bool has_place_point = false;
  std::string area;         // service area name
  std::string team;         // routed to

  // What the agent recorded (repair: symptom, place and contact are required).
  std::string symptom, place, extent, contact, note, cause_guess, subject_text;

  Timestamp accepted = kNoTime, routed = kNoTime, dispatched = kNoTime, arrived = kNoTime,
            restored = kNoTime, closed = kNoTime;
  LimitClock route;
  LimitClock arrival;

  std::string crew;             // the crew on it (assigned, or reporting on it), if any
  Timestamp assigned_eta = kNoTime;  // the dispatcher's predicted arrival when it assigned the crew
  std::string assignment;       // why that crew (the dispatcher's reason), "" when the crew took it itself
  // Queued behind a busy crew by the planner (not yet bound: re-planning may move it), with the
  // predicted arrival; "" when not queued.
  std::string planned_crew;
  Timestamp planned_eta = kNoTime;
  // A dispatcher's own choice of crew (POST /v1/tickets/{id}/assign): kept by every re-plan.
  std::string pinned_crew;
  bool crew_done = false;       // the crew reported the repair done
  // From when a done repair's power is awaited: the report, or the end of whatever other
  // outage above kept its section dark since (kNoTime while one does).
  Timestamp awaited_from = kNoTime;
  int rechecks = 0;             // times it went back to the queue after a repair reported done
  bool held = false;            // past the rechecks: for a dispatcher, not the dispatch policy
  std::uint32_t customers = 0;  // customers out (repair tickets from outages)
  std::vector<TicketCall> calls;
  TicketId merged_into;
  TicketId assisting;           // an assist: the ticket whose crew it helps
  std::string closing_note;     // why it ended: "restored", "customer_side", "disproved", ...
};

// The skill a repair needs: a service transformer's outage a transformer crew; a single
// premise (the meter, the service drop) a metering crew; a feeder, recloser or fuse outage and a
// hazard (wire down) a line crew.
Skill skill_for(const Ticket& t);

}  // namespace outage
