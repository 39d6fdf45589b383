// The breach floor: hand-made jobs whose best schedule is worked out beside each test, and the
// visits read off a drill's record.
#include "sim/breach_bound.h"

#include <gtest/gtest.h>

namespace outage {
namespace {

using namespace std::chrono_literals;

const Timestamp kStart = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 7 / 15)) + 6h;

Timestamp at(std::chrono::minutes m) { return kStart + m; }

BoundJob job(std::chrono::minutes release, std::chrono::minutes due, std::chrono::minutes work) {
  return BoundJob{at(release), at(due), work};
}

int floor_of(const std::vector<BoundJob>& jobs, int crews) {
  auto b = breach_bound(jobs, crews);
  EXPECT_TRUE(b) << b.error().message;
  if (!b) return -1;
  EXPECT_TRUE(b->exact);
  EXPECT_EQ(b->jobs, static_cast<int>(jobs.size()));
  return b->at_least;
}

TEST(BreachBound, OneCrewStartsOnlyOneHourLongJobWithinAFortyFiveMinuteLimit) {
  // Three tickets at once, each due in 45 minutes and an hour's work: the crew's second start
  // is an hour in at the earliest. Two breach whatever the order.
  EXPECT_EQ(floor_of({job(0min, 45min, 60min), job(0min, 45min, 60min), job(0min, 45min, 60min)}, 1), 2);
  // Two crews: one breach.
  EXPECT_EQ(floor_of({job(0min, 45min, 60min), job(0min, 45min, 60min), job(0min, 45min, 60min)}, 2), 1);
}

TEST(BreachBound, FindsTheOrderThatSavesEveryone) {
  // One crew, three tickets at once due at 45 min: 50, 10 and 20 minutes of work. Taken as
  // they come, the 50-minute one first, the other two start at 50 and 60: two breaches. The
  // short ones first start at 0 and 10, the long one at 30: none.
  EXPECT_EQ(floor_of({job(0min, 45min, 50min), job(0min, 45min, 10min), job(0min, 45min, 20min)}, 1), 0);
  // The earliest limit first: one due in 100 min and one due at 20 min, 30 minutes each.
  EXPECT_EQ(floor_of({job(0min, 100min, 30min), job(0min, 20min, 30min)}, 1), 0);
  // Two crews, three 50-minute jobs and a 10-minute one, all due at 45 min: the short job then
  // a long one on one crew (starts 0 and 10), a long one on the other; the third long job
  // cannot start before 50: one breach.
  EXPECT_EQ(floor_of({job(0min, 45min, 50min), job(0min, 45min, 50min), job(0min, 45min, 50min), job(0min, 45min, 10min)}, 2), 1);
}

TEST(BreachBound, AJobDueBeforeItIsReleasedBreachesAndNoCrewMeansEveryJobBreaches) {
  EXPECT_EQ(floor_of({job(30min, 20min, 60min), job(0min, 45min, 60min)}, 3), 1);
  EXPECT_EQ(floor_of({job(0min, 45min, 60min), job(0min, 45min, 60min)}, 0), 2);
}

TEST(BreachBound, LaterTicketsGetTheCrewsBackWhenTheirWindowsComeAfterTheWork) {
  // One crew; a job at 0 (due 45, 60 min of work), another released at 70 (due 115): the crew
  // is back at 60. No breach. Released at 10 instead (due 55), the second waits until 60: one.
  EXPECT_EQ(floor_of({job(0min, 45min, 60min), job(70min, 115min, 60min)}, 1), 0);
  EXPECT_EQ(floor_of({job(0min, 45min, 60min), job(10min, 55min, 60min)}, 1), 1);
}

TEST(BreachBound, RefusesAJobWithoutItsTimesOrWithNegativeWork) {
  auto no_due = breach_bound(std::vector<BoundJob>{BoundJob{at(0min), kNoTime, 10min}}, 1);
  ASSERT_FALSE(no_due);
  EXPECT_NE(no_due.error().message.find("jobs[0]"), std::string::npos);
  auto negative = breach_bound(std::vector<BoundJob>{job(0min, 45min, -5min)}, 1);
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().message.find("jobs[0].work"), std::string::npos);
}

TEST(BreachBound, TheVisitsAreTheTicketsACrewReachedOnSiteFromArrivalToDone) {
  DrillRecord r;
  r.start = kStart;
  r.end = at(600min);
  auto ticket = [](std::string id, Timestamp accepted, Timestamp due, Timestamp restored) {
    ObservedTicket t;
    t.id = std::move(id);
    t.accepted = accepted;
    t.arrival_due = due;
    t.restored = restored;
    return t;
  };
  r.tickets = {ticket("1", at(0min), at(45min), kNoTime), ticket("2", at(5min), at(50min), at(30min)),
               ticket("3", at(10min), kNoTime, kNoTime), ticket("4", at(20min), at(65min), kNoTime)};
  auto trip = [](std::string crew, std::string ticket, Timestamp arrived, Timestamp done) {
    CrewTrip c;
    c.crew = std::move(crew);
    c.ticket = std::move(ticket);
    c.arrived = arrived;
    c.done = done;
    return c;
  };
  // Ticket 1: reached twice (a recheck later): the first visit counts, 40 min on site.
  // Ticket 2: power back before its limit with nobody there: no visit. Ticket 3: no limit (an
  // assist). Ticket 4: on site at the drill's end: 600 - 500 = 100 min.
  r.trips = {trip("a", "1", at(20min), at(60min)), trip("b", "1", at(300min), at(320min)),
             trip("c", "3", at(30min), at(90min)), trip("a", "4", at(500min), kNoTime)};
  const std::vector<BoundJob> v = crew_visits(r, 1min);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].release, at(1min));
  EXPECT_EQ(v[0].due, at(45min));
  EXPECT_EQ(v[0].work, 40min);
  EXPECT_EQ(v[1].release, at(21min));
  EXPECT_EQ(v[1].work, 100min);
}

}  // namespace
}  // namespace outage
