// CrewPlanner: who goes where next. Re-plans every open repair ticket across the crews, as routes
// (each crew's queue of jobs), and sends the free crews to the first job of theirs.
//
// Order of concern, compared in this order (a lexicographic cost, PlanCost below):
//   1. hazards (wire down, fire): the minutes until a crew reaches each;
//   2. critical and important customers (hospitals, mines, life support): the minutes until a
//      crew reaches their outage, a critical one counting ten times an important one;
//   3. the service: breaches of the committed arrival limits (45 / 90 / 120 min by area), then
//      customer-minutes, weighed at a heavy but finite rate (`breach_customer_minutes`: a
//      breach weighs 300 customer-hours by default), so that a breach is avoided at any
//      ordinary cost, but 500 customers are not left out two more hours to spare one premise's.
//      - Each breach counts as its chance. Times are not sure (a trip runs slow, a repair runs
//        long): the arrival is taken as normal about its prediction, with a spread that grows
//        along a route (PlannerConfig's spreads). So a plan keeps a margin where it matters, and
//        a ticket behind a crew still at a repair is likelier late than one an idle crew
//        reaches as soon.
//      - Customer-minutes: the customers out times the minutes until their restoration (arrival
//        + the expected on-site repair time, dispatch/etr_model.h; for a crew on site, what is
//        likely left of it). A ticket past its limit counts one customer more for each minute
//        it is late, so that the smallest outage is not left for ever.

// Rules it never breaks: a crew only takes work it has the skill for (dispatch/crew_profile.h:
// skill_for), only while on shift (it must arrive before its shift ends; a crew whose shift
// starts later can be planned from then); a crew's current ticket (assigned, en route, on site)
// stays its first job, so a crew on site is never moved; a dispatcher's pinned ticket (TicketDesk::
// pin) stays with its crew, first after the current job. With `stay_in_area`, a crew works in
// the service area of its depot, unless the ticket's area has no crew that could take it.
//
// Method: the previous plan's queues where they still hold, cheapest insertion of the new tickets
// in order of concern, then local search (relocating each ticket to
// its best place in any route) until no move improves the cost, the pass limit, or the time
// budget. Each assignment carries its reason and predicted arrival. A ticket predicted to breach
// its limit (or already at risk) raises an alert with the options: the best other crew of its
// area and the best crew of a neighbouring area, each with its arrival.
//
// Pure: it reads the desk and the travel times; a clock, when given, only bounds the search.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dispatch/assignment.h"
#include "dispatch/ticket_desk.h"
#include "dispatch/travel_time.h"

namespace outage {

struct PlannerConfig {
  Duration budget = std::chrono::milliseconds(150);  // local search, when a clock is given
  int max_passes = 30;                               // local search passes over every ticket
  // Route evaluations per re-plan (each costs a route's length): bounds the search
  // deterministically where no clock is given (drills, tests) and on a storm's largest queues.
  std::size_t max_evaluations = 100'000;
  bool stay_in_area = true;
  Duration horizon = std::chrono::hours(24);         // crews whose shift starts later are left out
  // How unsure the times are, as standard deviations: a trip's share of its minutes, a repair's
  // share of its expected length (a log-normal spread of 0.6), a crew's own estimate's share of
  // what it says is left, and a crew's turnout in minutes. A breach counts as its chance.
  double travel_spread = 0.25;
  double repair_spread = 0.66;
  double estimate_spread = 0.3;
  double turnout_spread_min = 1.5;
  // What one breach of an arrival limit weighs against customer-minutes.
  double breach_customer_minutes = 18'000;
};

// The plan's cost, tier by tier (see above); smaller is better, compared lexicographically:
// hazards, then priority customers, then the service (breaches weighed with customer-minutes).
struct PlanCost {
  double hazard_minutes = 0;
  double priority_minutes = 0;
  double breaches = 0;          // expected: the sum of each limit's chance of a breach
  double customer_minutes = 0;
  // What the third tier compares: the breaches, each weighing PlannerConfig's
  // breach_customer_minutes, plus the customer-minutes.
  double service = 0;

  PlanCost& operator+=(const PlanCost& o);
  PlanCost operator-(const PlanCost& o) const;
  // Negative: a is better; with a tolerance so that rounding never decides.
  friend int compare(const PlanCost& a, const PlanCost& b);
};

struct PlannedJob {
  TicketId ticket;
  Timestamp eta = kNoTime;   // predicted arrival
  Timestamp done = kNoTime;  // predicted end of the repair
  bool fixed = false;        // the crew's current ticket or a pinned one
};

struct CrewRoute {
  std::string crew;
  std::vector<PlannedJob> jobs;  // in order; the current ticket first when it has one
};

struct AlertOption {
  std::string crew;
  std::string area;          // the crew's home area
  Timestamp eta = kNoTime;   // its arrival were it sent next
  bool neighbouring = false; // from another area
};

struct PlanAlert {
  TicketId ticket;
  Timestamp due = kNoTime;
  Timestamp eta = kNoTime;  // as planned (kNoTime: no crew can take it)
  std::string message;
  std::vector<AlertOption> options;
};

struct Plan {
  std::vector<Assignment> assignments;  // free crews to send now
  std::vector<Assignment> queued;       // tickets waiting in a busy crew's queue (not bound)
  std::vector<CrewRoute> crews;
  std::vector<PlanAlert> alerts;
  std::vector<TicketId> unplanned;      // no crew can take them
  PlanCost cost;
  int passes = 0;
  std::size_t moves = 0;        // improving moves the local search made
  std::size_t evaluations = 0;  // routes costed
};

// `previous`: the last plan, whose queues seed this one (tickets still waiting keep their place
// unless the search finds better); without it every ticket is inserted afresh.
Plan plan_crews(const TicketDesk& desk, const TravelTimes& travel, Timestamp now, const PlannerConfig& config = {},
                const Clock* budget_clock = nullptr, const Plan* previous = nullptr);

}  // namespace outage
