#include "dispatch/nearest_idle.h"

#include <fmt/format.h>

#include <algorithm>

#include "dispatch/fifo_dispatch.h"

namespace outage {

std::vector<Assignment> assign_nearest_idle(const TicketDesk& desk, const TravelTimes& travel, Timestamp now) {
  std::vector<const Crew*> idle = idle_crews(desk, now);
  std::vector<Assignment> out;
  for (TicketId id : desk.queue()) {
    if (idle.empty()) break;
    const Ticket& t = *desk.ticket(id);
    if (t.kind != TicketKind::repair || !t.crew.empty() || !t.pinned_crew.empty() || t.held) continue;
    const Skill need = skill_for(t);
    const ServiceArea& area = t.has_place_point ? desk.areas().at(t.place_point) : desk.areas().fallback();
    // The nearest idle crew with the skill and a measurable trip; ties and unmeasurable trips in
    // roster order.
    std::size_t best = idle.size(), first_able = idle.size();
    std::optional<Duration> best_time;
    for (std::size_t i = 0; i < idle.size(); ++i) {
      if (!idle[i]->profile.skills.has(need)) continue;
      if (first_able == idle.size()) first_able = i;
      std::optional<Duration> time;
      if (t.has_place_point && idle[i]->has_place()) time = travel.time(idle[i]->place(), t.place_point);
      if (time && (!best_time || *time < *best_time)) best = i, best_time = time;
    }
    if (first_able == idle.size()) continue;  // no idle crew has the skill
    Assignment a;
    a.ticket = id;
    if (best_time) {
      a.crew = idle[best]->id;
      a.eta = now + *best_time;
      a.reason = fmt::format("nearest idle crew: {} min away ({})",
                             std::chrono::duration_cast<std::chrono::minutes>(*best_time).count(), travel.describe());
    } else {
      best = first_able;  // no travel times here: the first idle crew in the roster
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
