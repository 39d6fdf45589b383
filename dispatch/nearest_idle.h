// The nearest-idle-crew dispatcher: the reference that every smarter planner must beat. Each open
// repair ticket without a crew (and not kept for one by a dispatcher), in the desk's serving
// order (emergencies, critical and important customers, then first come), gets the nearest crew
// with its skill that is available, on shift and bound to no ticket (nor given one here), by the
// travel times. Tickets and crews without positions (a model without
// coordinates, a crew that never reported one) are matched in order, with an ETA of half the
// area's arrival limit, and the reason says so.
//
// Pure: it reads the desk (its queue as of the last advance) and returns assignments; carrying
// them out (telling the crews, who then report en_route) is the caller's.
#pragma once

#include <string>
#include <vector>

#include "dispatch/assignment.h"
#include "dispatch/ticket_desk.h"
#include "dispatch/travel_time.h"

namespace outage {

std::vector<Assignment> assign_nearest_idle(const TicketDesk& desk, const TravelTimes& travel, Timestamp now);

}  // namespace outage
