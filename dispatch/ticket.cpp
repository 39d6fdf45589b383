#include "dispatch/ticket.h"

namespace outage {

std::string_view to_string(TicketState s) {
  switch (s) {
    case TicketState::accepted: return "accepted";
    case TicketState::routed: return "routed";
    case TicketState::dispatched: return "dispatched";
    case TicketState::arrived: return "arrived";
    case TicketState::restored: return "restored";
    case TicketState::closed: return "closed";
    case TicketState::cancelled: return "cancelled";
    case TicketState::merged: return "merged";
  }
  return "accepted";
}

std::string_view to_string(TicketOrigin o) {
  switch (o) {
    case TicketOrigin::outage: return "outage";
    case TicketOrigin::hazard_call: return "hazard_call";
    case TicketOrigin::agent: return "agent";
    case TicketOrigin::assist: return "assist";
  }
  return "agent";
}

std::string_view to_string(TicketPriority p) {
  switch (p) {
    case TicketPriority::critical: return "critical";
    case TicketPriority::important: return "important";
    case TicketPriority::normal: return "normal";
  }
  return "normal";
}

Skill skill_for(const Ticket& t) {
  if (t.emergency) return Skill::overhead_line;
  if (t.outage.valid() || t.device.valid()) {
    switch (t.level) {
      case DeviceLevel::transformer: return Skill::transformer;
      case DeviceLevel::service_point: return Skill::metering;
      default: return Skill::overhead_line;
    }
  }
  // An agent's ticket about one customer with no outage behind it: the premise.
  if (t.customer.valid() || t.service_point.valid()) return Skill::metering;
  return Skill::overhead_line;
}

}  // namespace outage
