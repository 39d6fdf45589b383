// The first-in first-out dispatcher, a baseline: the oldest open repair ticket without a crew
// gets the crew that has been idle longest, then the next ticket the next crew, regardless of
// hazards, customers or distance (a crew without the ticket's skill is passed over). Predicted
// arrivals by the travel times, or half the area's limit where a trip cannot be measured.
//
// Pure: it reads the desk and returns assignments, as dispatch/nearest_idle.h does.
#pragma once

#include <vector>

#include "dispatch/assignment.h"
#include "dispatch/ticket_desk.h"
#include "dispatch/travel_time.h"

namespace outage {

std::vector<Assignment> assign_fifo(const TicketDesk& desk, const TravelTimes& travel, Timestamp now);

// The crews free to take a ticket now: available, on shift, bound to none. Shared by the
// baselines.
std::vector<const Crew*> idle_crews(const TicketDesk& desk, Timestamp now);

}  // namespace outage
