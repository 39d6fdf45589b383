#include "dispatch/fifo_dispatch.h"

#include <fmt/format.h>

#include <algorithm>

namespace outage {

std::vector<const Crew*> idle_crews(const TicketDesk& desk, Timestamp now) {
  std::vector<const Crew*> idle;
  for (const Crew* c : desk.crews().crews()) {
    if (c->status == CrewState::available && c->on_shift(now) && !desk.ticket_of_crew(c->id).valid()) idle.push_back(c);
  }
  return idle;
}

std::vector<Assignment> assign_fifo(const TicketDesk& desk, const TravelTimes& travel, Timestamp now) {
  std::vector<const Crew*> idle = idle_crews(desk, now);
  // Idle longest first (a crew that never reported has been idle since the start).
  std::stable_sort(idle.begin(), idle.end(), [](const Crew* a, const Crew* b) { return a->status_since < b->status_since; });
  std::vector<TicketId> waiting;
  for (TicketId id : desk.queue()) {
    const Ticket& t = *desk.ticket(id);
    if (t.kind == TicketKind::repair && t.crew.empty() && t.pinned_crew.empty() && !t.held) waiting.push_back(id);
  }
  std::sort(waiting.begin(), waiting.end(), [&](TicketId a, TicketId b) {
    return std::pair(desk.ticket(a)->accepted, a) < std::pair(desk.ticket(b)->accepted, b);
  });
  std::vector<Assignment> out;
  for (TicketId id : waiting) {
    if (idle.empty()) break;
    const Ticket& t = *desk.ticket(id);
    auto it = std::find_if(idle.begin(), idle.end(), [&](const Crew* c) { return c->profile.skills.has(skill_for(t)); });
    if (it == idle.end()) continue;
    const Crew& c = **it;
    Assignment a;
    a.ticket = id;
    a.crew = c.id;
    std::optional<Duration> trip;
    if (t.has_place_point && c.has_place()) trip = travel.time(c.place(), t.place_point);
    const ServiceArea& area = t.has_place_point ? desk.areas().at(t.place_point) : desk.areas().fallback();
    a.eta = now + (trip ? *trip : area.arrival_limit / 2);
    a.reason = trip ? fmt::format("first in, first out: the crew idle longest; {} min away ({})",
                                  std::chrono::duration_cast<std::chrono::minutes>(*trip).count(), travel.describe())
                    : "first in, first out: the crew idle longest (no travel time: the ticket or the crew has no position)";
    idle.erase(it);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace outage
