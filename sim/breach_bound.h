// BreachBound: the fewest arrival-limit breaches that any order and assignment of a drill's
// crew visits could have had, in hindsight: how much of a dispatcher's score its dispatching
// could still have changed, and how much the storm decided.
//
// The visits are the drill's own: each ticket a crew reached is a job released when the ticket
// was accepted (plus the quickest reaction, as no order leaves sooner), due at its arrival
// limit, that keeps a crew for as long as that crew was on site. Everything else is relaxed in
// the dispatcher's favour, so that the figure is a floor: every crew is free at the start
// wherever the work is, travel takes no time, shifts and skills are ignored, a late job needs
// no crew at all, and a ticket no crew reached costs nothing (another crew's repair might have
// brought its power back in time).
//
// The floor is then the number of jobs minus the most that m crews can start within their
// windows, solved exactly as a time-indexed integer program on a one-minute grid (GLPK):
// start s in [ceil(release), ceil(due)], holding a crew over minutes [s, s + floor(work) - 1),
// which the real visit covers whatever its seconds. When the solver runs out of time the
// linear relaxation's optimum still bounds it, and the result says it is not exact.
//
// Pure: no I/O; the solver's time limit is its only reading of a clock.
#pragma once

#include <span>
#include <vector>

#include "feeds/clock.h"
#include "geo/error.h"
#include "sim/drill_record.h"

namespace outage {

struct BoundJob {
  Timestamp release = kNoTime;
  Timestamp due = kNoTime;
  Duration work{};
};

struct BreachBound {
  int jobs = 0;      // visits that count (tickets reached by a crew)
  int at_least = 0;  // breaches no order or assignment of them could avoid
  bool exact = true; // false: the solver stopped at its time limit (the floor holds, maybe lower than the best)
};

// The visits of a drill, one per ticket with an arrival limit that a crew reached (its first
// trip there: on site from arrival to done, or to the drill's end). `reaction`: the least time
// from an order to a crew's departure.
std::vector<BoundJob> crew_visits(const DrillRecord& record, Duration reaction);

// The floor for `jobs` on `crews` crews (0 crews: every job breaches).
Result<BreachBound> breach_bound(std::span<const BoundJob> jobs, int crews,
                                 Duration time_limit = std::chrono::seconds(60));

}  // namespace outage
