#include "dispatch/nearest_idle.h"

#include <fmt/format.h>

#include <algorithm>

namespace outage {

std::vector<Assignment> assign_nearest_idle(const TicketDesk& desk, const StraightLineTravel& travel, Timestamp now) {
  std::vector<const Crew*> idle;
  for (const Crew* c : desk.crews().crews()) {
    if (c->status == CrewState::available && !desk.ticket_of_crew(c->id).valid()) idle.push_back(c);
  }
  std::vector<Assignment> out;
  for (TicketId id : desk.queue()) {
    if (idle.empty()) break;
    const Ticket& t = *desk.ticket(id);
    if (t.kind != TicketKind::repair || !t.crew.empty()) continue;
    const ServiceArea& area = t.has_place_point ? desk.areas().at(t.place_point) : desk.areas().fallback();
    // The nearest idle crew with a measurable trip; ties and unmeasurable trips in roster order.
    std::size_t best = idle.size();
    std::optional<Duration> best_time;
    for (std::size_t i = 0; i < idle.size(); ++i) {
      std::optional<Duration> time;
      if (t.has_place_point && idle[i]->has_position) time = travel.time(idle[i]->position, t.place_point);
      if (time && (!best_time || *time < *best_time)) best = i, best_time = time;
    }
    Assignment a;
    a.ticket = id;
    if (best_time) {
      a.crew = idle[best]->id;
      a.eta = now + *best_time;
      a.reason = fmt::format("nearest idle crew: {:.1f} km, {} min by straight line x {:.1f}",
                             *travel.distance_m(idle[best]->position, t.place_point) / 1000,
                             std::chrono::duration_cast<std::chrono::minutes>(*best_time).count(), travel.detour);
    } else {
      best = 0;  // no travel times here: the first idle crew in the roster
      a.crew = idle[best]->id;
      a.eta = now + area.arrival_limit / 2;
      a.reason = "first idle crew (no travel times: the ticket or the crews have no position)";
    }
    idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(best));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace outage
