// The crew planner on the drawn feeder placed on a line in metres (tests/feeds/drawn_feeder.h,
// placed_drawn_feeder: bus bN at (1000 * N, 0)); travel by straight line x1.4 at 30 km/h, so a
// kilometre takes 168 s. Repairs take the prior's 3 h (urban) until there is history, so any
// ticket queued behind a crew's current job breaches its 45-minute limit.
#include "dispatch/crew_planner.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

#include "dispatch/control_room.h"
#include "dispatch/fifo_dispatch.h"
#include "tests/feeds/drawn_feeder.h"
#include "tests/feeds/make_event.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23).time_since_epoch()) + 8h;
const Duration kSettle = InferenceConfig{}.settle;

CrewProfile profile(std::string id, double x, SkillSet skills = SkillSet::all()) {
  CrewProfile p;
  p.id = std::move(id);
  p.depot = Point{x, 0};
  p.has_depot = true;
  p.skills = skills;
  return p;
}

SkillSet only(Skill s) {
  SkillSet k;
  k.add(s);
  return k;
}

struct Room {
  NetworkModel model;
  ControlRoom room;
  int next = 0;
  explicit Room(std::function<void(NetworkModel&)> edit = {}, ServiceAreas areas = ServiceAreas())
      : model(make(std::move(edit))), room(model, InferenceConfig{}, nullptr, TicketRules{}, std::move(areas)) {
    room.set_dispatch_policy(DispatchPolicy::planner);
  }
  static NetworkModel make(std::function<void(NetworkModel&)> edit) {
    NetworkModel m = testing::placed_drawn_feeder(true);
    if (edit) edit(m);
    return m;
  }
  void crews(std::vector<CrewProfile> profiles) { ASSERT_TRUE(room.desk().set_crews(profiles).ok()); }
  void send(Timestamp t, EventPayload p) {
    ++next;
    ASSERT_TRUE(room.apply(testing::make_event("e" + std::to_string(next), t, std::move(p)), t, next).ok());
  }
  void status(const std::string& crew, CrewState state, TicketId ticket, Timestamp t) {
    CrewStatus s;
    s.crew = crew;
    s.status = state;
    if (ticket.valid()) s.ticket = std::to_string(ticket.value());
    send(t, s);
  }
  void gasps(std::initializer_list<int> meters, Timestamp t) {
    for (int m : meters) send(t, MeterPowerOff{"m" + std::to_string(m)});
  }
  void wire_down(int customer, Timestamp t) {
    CallReport c;
    c.customer = "c" + std::to_string(customer);
    c.symptom = Symptom::wire_down;
    send(t, c);
  }
  // Gasps at t, then the settling window passes: the outage is probable and has its ticket.
  TicketId outage(std::initializer_list<int> meters, Timestamp t, const char* device) {
    gasps(meters, t);
    room.advance(t + 1s);
    room.advance(t + 1s + kSettle + 1s);
    return ticket_at(device);
  }
  TicketId ticket_at(const char* device) const {
    for (const Ticket& t : room.desk().tickets()) {
      if (is_open(t.state) && t.device.valid() && model.element(t.device).id == device) return t.id;
    }
    std::string seen;
    for (const Ticket& t : room.desk().tickets()) seen += fmt::format(" [{} {} {}]", t.id.value(), to_string(t.state), t.device.valid() ? model.element(t.device).id : "-");
    ADD_FAILURE() << "no ticket at " << device << ":" << seen;
    return {};
  }
  TicketId hazard() const {
    for (const Ticket& t : room.desk().tickets()) {
      if (is_open(t.state) && t.emergency) return t.id;
    }
    ADD_FAILURE() << "no hazard ticket";
    return {};
  }
  const Ticket& ticket(TicketId id) const { return *room.desk().ticket(id); }
  // The crew's queue in the last plan, current job first.
  std::vector<TicketId> queue_of(const std::string& crew) const {
    std::vector<TicketId> out;
    for (const CrewRoute& r : room.last_plan().crews) {
      if (r.crew != crew) continue;
      for (const PlannedJob& j : r.jobs) out.push_back(j.ticket);
    }
    return out;
  }
};

// A crew on site at F's ticket: sent by the plan, then on site.
TicketId busy_at_f(Room& r, const std::string& crew, Timestamp t) {
  TicketId f = r.outage({1, 2, 3}, t, "f");
  EXPECT_EQ(r.ticket(f).crew, crew);
  r.status(crew, CrewState::en_route, f, t + 2min);
  r.status(crew, CrewState::on_site, f, t + 10min);
  r.room.advance(t + 10min + 1s);
  return f;
}

TEST(CrewPlanner, AHazardPreemptsAQueuedOrdinaryTicket) {
  Room r;
  r.crews({profile("a", 0)});
  const TicketId f = busy_at_f(r, "a", kT0);
  // G blows (4 residential customers at b4): it waits in a's queue.
  const TicketId g = r.outage({5, 6, 7}, kT0 + 20min, "g");
  EXPECT_EQ(r.ticket(g).planned_crew, "a");
  EXPECT_EQ(r.queue_of("a"), (std::vector<TicketId>{f, g}));
  // Then a wire down at m40 (s5, b5): a hazard goes before G, although G came first.
  r.wire_down(40, kT0 + 30min);
  r.room.advance(kT0 + 30min + 1s);
  const TicketId h = r.hazard();
  EXPECT_EQ(r.queue_of("a"), (std::vector<TicketId>{f, h, g}));
  EXPECT_LT(r.ticket(h).planned_eta, r.ticket(g).planned_eta);
  // When a is free, it is sent to the hazard.
  r.status("a", CrewState::repaired, f, kT0 + 60min);
  r.status("a", CrewState::available, TicketId(), kT0 + 60min);
  r.room.advance(kT0 + 60min + 1s);
  EXPECT_EQ(r.ticket(h).crew, "a");
  EXPECT_TRUE(r.ticket(g).crew.empty());
}

TEST(CrewPlanner, ATicketQueuedBehindABusyCrewIsToldThePlannedArrivalPlusTheRepair) {
  // One crew, on site at F; G waits in its queue. The hotline's ETR for G is the plan's arrival
  // of that crew at G, plus the repair: not the backlog's guess.
  Room r;
  r.crews({profile("a", 0)});
  busy_at_f(r, "a", kT0);
  const TicketId g = r.outage({5, 6, 7}, kT0 + 20min, "g");
  ASSERT_EQ(r.ticket(g).planned_crew, "a");
  const Timestamp arrival = r.ticket(g).planned_eta;
  ASSERT_NE(arrival, kNoTime);
  const Etr e = r.room.desk().etr(r.room.engine(), r.ticket(g).outage, kT0 + 21min);
  EXPECT_EQ(e.basis, "planned");
  const auto [p50, p90] = r.room.desk().etr_model().repair_time(DeviceLevel::fuse, AreaClass::urban);
  EXPECT_EQ(e.p50, arrival + p50);
  EXPECT_GE(e.p90, arrival + p90);
}

TEST(CrewPlanner, ACrewLongPastItsExpectedRepairIsNotWaitedForWhenAnIdleCrewCanMakeTheLimit) {
  // a has been at fuse F (b3) since 10 min; b is idle at x = 12 km. Fuse G (b4) blows at 4 h:
  // a is 1 km from it, b 8 km (22.4 min: within 45). The prior's median repair is 150.35 min
  // (etr_model_test): a, 230 min in, has overrun it, and what is likely left is the median
  // of the rest, about 74 min (not "any minute now"): G would wait past its limit. b goes.
  Room r;
  r.crews({profile("a", 3000), profile("b", 12000)});
  busy_at_f(r, "a", kT0);
  const TicketId g = r.outage({5, 6, 7, 8}, kT0 + 4h, "g");
  EXPECT_EQ(r.ticket(g).crew, "b");

  // The same, but a says it is five minutes from done (its own estimate stands): G waits for a
  // (3 min away once free: sooner than b's 22).
  Room w;
  w.crews({profile("a", 3000), profile("b", 12000)});
  const TicketId f = busy_at_f(w, "a", kT0);
  CrewStatus five;
  five.crew = "a";
  five.status = CrewState::on_site;
  five.ticket = std::to_string(f.value());
  five.etr = kT0 + 4h + 5min;
  w.send(kT0 + 4h, five);
  const TicketId wg = w.outage({5, 6, 7, 8}, kT0 + 4h, "g");
  EXPECT_TRUE(w.ticket(wg).crew.empty());
  EXPECT_EQ(w.ticket(wg).planned_crew, "a");
}

// T3's two meters (b5) serve 32 customers here (30 more at m9); they lost power at kT0 and
// have waited past their limit for a crew. Fuse F's 4 blow at 55 min. The only crew, a, comes
// on shift at 60 min at b5 (T3; F is 2 km off). F first saves F's limit (T3's is lost either
// way) and keeps T3's 32 out some 156 minutes more (F's 150-minute repair and the trip); T3
// first costs F's breach and F's 4 customers as long. Net, F first costs about 4,400
// customer-minutes more (and a few minutes of lateness) for one breach less.
void more_at_t3(NetworkModel& m) {
  const ServicePointId sp = m.customer(m.find_customer("c9")).service_point;
  for (int i = 0; i < 30; ++i) (void)m.add_customer("t3-" + std::to_string(i), sp).value();
}

void t3_and_f(Room& r, PlannerConfig config) {
  r.room.set_planner(config);
  CrewProfile a = profile("a", 5000);
  a.dated.push_back({kT0 + 60min, kT0 + 10h});
  r.crews({a});
  r.outage({9, 10}, kT0, "t3");
  r.outage({1, 2, 3, 4}, kT0 + 55min, "f");
  r.room.advance(kT0 + 60min);
}

TEST(CrewPlanner, ABreachWeighsThreeHundredCustomerHoursNotEveryCustomerMinute) {
  // By default a breach weighs 18,000 customer-minutes: F first, T5 after.
  Room saves(more_at_t3);
  t3_and_f(saves, PlannerConfig{});
  EXPECT_EQ(saves.ticket(saves.ticket_at("f")).crew, "a");
  // A utility that weighs a breach at 1,000 customer-minutes has the 32 customers back first.
  PlannerConfig light;
  light.breach_customer_minutes = 1000;
  Room serves(more_at_t3);
  t3_and_f(serves, light);
  EXPECT_EQ(serves.ticket(serves.ticket_at("t3")).crew, "a");
  EXPECT_TRUE(serves.ticket(serves.ticket_at("f")).crew.empty());
}

TEST(CrewPlanner, AHospitalIsServedBeforeALargerResidentialOutageWhenBothWouldBreach) {
  // c9, behind T3 (b5: 2 customers), is a hospital; fuse G serves 4 residential customers.
  Room r([](NetworkModel& m) { m.customer(m.find_customer("c9")).customer_class = CustomerClass::critical; });
  r.crews({profile("a", 0)});
  const TicketId f = busy_at_f(r, "a", kT0);
  const TicketId g = r.outage({5, 6, 7}, kT0 + 20min, "g");
  const TicketId t3 = r.outage({9, 10}, kT0 + 21min, "t3");
  ASSERT_EQ(r.ticket(t3).priority, TicketPriority::critical);
  // Both wait behind a 3-hour repair, so both breach whichever goes first; customer-minutes alone
  // would take G's 4 customers first (and G is no farther from F than b5 is). Critical customers
  // come first.
  EXPECT_EQ(r.queue_of("a"), (std::vector<TicketId>{f, t3, g}));
  EXPECT_LT(r.ticket(t3).planned_eta, r.ticket(g).planned_eta);
  EXPECT_GT(r.ticket(g).planned_eta, r.ticket(g).arrival.due);
  EXPECT_GT(r.ticket(t3).planned_eta, r.ticket(t3).arrival.due);
}

TEST(CrewPlanner, WithoutPrioritiesTheLargerOutageGoesFirst) {
  // The same two outages, all residential: customer-minutes decide (4 customers before 2).
  Room r;
  r.crews({profile("a", 0)});
  const TicketId f = busy_at_f(r, "a", kT0);
  const TicketId g = r.outage({5, 6, 7}, kT0 + 20min, "g");
  const TicketId t3 = r.outage({9, 10}, kT0 + 21min, "t3");
  EXPECT_EQ(r.queue_of("a"), (std::vector<TicketId>{f, g, t3}));
}

TEST(CrewPlanner, AManualAssignmentSurvivesReplanning) {
  Room r;
  r.crews({profile("near", 3000), profile("far", 0)});
  const TicketId f = r.outage({1, 2, 3}, kT0, "f");  // at b3, x = 3000
  // The plan sends the crew at the fuse; the dispatcher wants the other one.
  EXPECT_EQ(r.ticket(f).crew, "near");
  ASSERT_TRUE(r.room.desk().pin(f, "far", "dispatcher: far knows this fuse", kT0 + 2min).ok());
  EXPECT_EQ(r.ticket(f).pinned_crew, "far");
  for (int k = 0; k < 5; ++k) r.room.advance(kT0 + 3min + k * 2min);
  EXPECT_EQ(r.ticket(f).crew, "far");
  EXPECT_EQ(r.room.desk().ticket_of_crew("far"), f);
  EXPECT_FALSE(r.room.desk().ticket_of_crew("near").valid());
  EXPECT_EQ(r.ticket(f).assignment, "dispatcher: far knows this fuse");
}

TEST(CrewPlanner, ATicketPinnedToABusyCrewWaitsForIt) {
  Room r;
  r.crews({profile("a", 3000), profile("b", 6000)});
  const TicketId f = busy_at_f(r, "a", kT0);  // a stands at F
  const TicketId g = r.outage({5, 6, 7}, kT0 + 20min, "g");
  EXPECT_EQ(r.ticket(g).crew, "b");  // b is idle; a is on site for hours
  ASSERT_TRUE(r.room.desk().pin(g, "a", "dispatcher", kT0 + 21min).ok());
  for (int k = 0; k < 3; ++k) r.room.advance(kT0 + 22min + k * 1min);
  // b was released and is not sent back; g waits for a, first after a's current job.
  EXPECT_FALSE(r.room.desk().ticket_of_crew("b").valid());
  EXPECT_TRUE(r.ticket(g).crew.empty());
  EXPECT_EQ(r.queue_of("a"), (std::vector<TicketId>{f, g}));
  r.status("a", CrewState::available, TicketId(), kT0 + 40min);
  r.room.advance(kT0 + 40min + 1s);
  EXPECT_EQ(r.ticket(g).crew, "a");
}

TEST(CrewPlanner, ACrewOnSiteIsNeverMoved) {
  Room r;
  r.crews({profile("a", 0)});
  const TicketId f = busy_at_f(r, "a", kT0);
  // A hazard right beside it (m5 is at b4, 1 km away): it waits for the repair at F.
  r.wire_down(5, kT0 + 15min);
  for (int k = 0; k < 3; ++k) r.room.advance(kT0 + 15min + 1s + k * 1min);
  const TicketId h = r.hazard();
  EXPECT_EQ(r.room.desk().ticket_of_crew("a"), f);
  EXPECT_EQ(r.ticket(f).crew, "a");
  EXPECT_EQ(r.queue_of("a"), (std::vector<TicketId>{f, h}));
  EXPECT_TRUE(r.ticket(h).crew.empty());
  // And a dispatcher cannot take F from it either.
  r.crews({profile("a", 0), profile("b", 3000)});
  Status s = r.room.desk().pin(f, "b", "dispatcher", kT0 + 20min);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("on site"), std::string::npos) << s.error().message;
}

TEST(CrewPlanner, NeverAssignsAJobACrewLacksTheSkillFor) {
  Room r;
  // The transformer crew stands at b5; the line crew at b0.
  r.crews({profile("xfmr", 5000, only(Skill::transformer)), profile("line", 0, only(Skill::overhead_line))});
  // Fuse G (b4 side): a line job. The transformer crew is nearer but cannot do it.
  const TicketId g = r.outage({5, 6, 7}, kT0, "g");
  EXPECT_EQ(r.ticket(g).crew, "line");
  // T3 (b5): a transformer job, for the transformer crew.
  const TicketId t3 = r.outage({9, 10}, kT0 + 5min, "t3");
  EXPECT_EQ(r.ticket(t3).crew, "xfmr");
  // The desk refuses the same mistake from a person.
  Status s = r.room.desk().pin(g, "xfmr", "dispatcher", kT0 + 6min);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("lacks the skill 'overhead_line'"), std::string::npos) << s.error().message;
}

TEST(CrewPlanner, AJobNoCrewCanTakeRaisesAnAlert) {
  Room r;
  r.crews({profile("cable", 0, only(Skill::cable))});
  const TicketId g = r.outage({5, 6, 7}, kT0, "g");
  EXPECT_TRUE(r.ticket(g).crew.empty());
  const Plan& plan = r.room.last_plan();
  ASSERT_EQ(plan.unplanned.size(), 1u);
  EXPECT_EQ(plan.unplanned[0], g);
  ASSERT_FALSE(plan.alerts.empty());
  EXPECT_NE(plan.alerts[0].message.find("no crew on shift can take it (it needs overhead_line"), std::string::npos)
      << plan.alerts[0].message;
}

TEST(CrewPlanner, ACrewOffShiftGetsNoWorkAndOneWhoseShiftEndsFirstIsNotSent) {
  Room r;
  CrewProfile gone = profile("gone", 3000);
  gone.dated.push_back({kT0 - 10h, kT0 - 1h});  // last night's call-out
  CrewProfile ending = profile("ending", 2000);
  ending.dated.push_back({kT0 - 2h, kT0 + 62s + 5min});  // ends before it could reach G (2 km: 336 s)
  CrewProfile day = profile("day", 0);
  r.crews({gone, ending, day});
  const TicketId g = r.outage({5, 6, 7}, kT0, "g");  // b4
  EXPECT_EQ(r.ticket(g).crew, "day");
  Status s = r.room.desk().pin(g, "gone", "dispatcher", kT0 + 2min);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("off shift"), std::string::npos);
}

TEST(CrewPlanner, ATicketAtRiskRaisesAnAlertWithACrewFromTheNeighbouringArea) {
  // West of x = 2500 is one area, east of it another; both urban, 45 minutes.
  ServiceArea west{"west", AreaClass::urban, 45min, {{-500, -500}, {2500, -500}, {2500, 500}, {-500, 500}}};
  ServiceArea east{"east", AreaClass::urban, 45min, {{2500, -500}, {6000, -500}, {6000, 500}, {2500, 500}}};
  Room r({}, ServiceAreas({west, east}));
  r.crews({profile("a", 3000), profile("w", 0)});
  const TicketId f = busy_at_f(r, "a", kT0);  // a, of the east, on site at F (b3)
  // G (b4) is in the east: the east's own crew is busy for hours, the west's stays home.
  const TicketId g = r.outage({5, 6, 7}, kT0 + 20min, "g");
  EXPECT_EQ(r.ticket(g).planned_crew, "a");
  EXPECT_FALSE(r.room.desk().ticket_of_crew("w").valid());
  const Plan& plan = r.room.last_plan();
  auto alert = std::find_if(plan.alerts.begin(), plan.alerts.end(), [&](const PlanAlert& a) { return a.ticket == g; });
  ASSERT_NE(alert, plan.alerts.end());
  EXPECT_NE(alert->message.find("after its limit"), std::string::npos) << alert->message;
  ASSERT_EQ(alert->options.size(), 1u);
  EXPECT_EQ(alert->options[0].crew, "w");
  EXPECT_TRUE(alert->options[0].neighbouring);
  // w from x = 0 to G at x = 4000: 4 km x 1.4 at 30 km/h = 672 s.
  // Planned at the tick that made G's ticket (the settling window after the gasps).
  EXPECT_EQ(alert->options[0].eta, kT0 + 20min + 1s + kSettle + 1s + 672s);
  (void)f;
}

TEST(CrewPlanner, AnAreaWithoutACrewBorrowsOne) {
  ServiceArea west{"west", AreaClass::urban, 45min, {{-500, -500}, {2500, -500}, {2500, 500}, {-500, 500}}};
  ServiceArea east{"east", AreaClass::urban, 45min, {{2500, -500}, {6000, -500}, {6000, 500}, {2500, 500}}};
  Room r({}, ServiceAreas({west, east}));
  r.crews({profile("w", 0)});
  const TicketId g = r.outage({5, 6, 7}, kT0, "g");  // in the east, which has no crew
  EXPECT_EQ(r.ticket(g).crew, "w");
}

TEST(FifoDispatch, TheOldestTicketGetsTheCrewIdleLongestWhateverItIs) {
  Room r;
  r.room.set_dispatch_policy(DispatchPolicy::fifo);
  CrewProfile a = profile("a", 0);
  a.dated.push_back({kT0 + 5min, kT0 + 10h});  // on shift from kT0 + 5 min
  r.crews({a});
  // G's ticket first (ordinary, once its settling window has passed), then a hazard; when the
  // crew comes on shift, first in, first out sends it to G.
  const TicketId g = r.outage({5, 6, 7}, kT0, "g");
  r.wire_down(40, kT0 + 2min);
  r.room.advance(kT0 + 2min + 1s);
  EXPECT_TRUE(r.ticket(g).crew.empty());
  r.room.advance(kT0 + 5min);
  EXPECT_EQ(r.ticket(g).crew, "a");
  EXPECT_TRUE(r.ticket(r.hazard()).crew.empty());
}

TEST(CrewPlanner, TheSameCrewComingOnShiftGoesToTheHazardFirst) {
  Room r;
  CrewProfile a = profile("a", 0);
  a.dated.push_back({kT0 + 5min, kT0 + 10h});
  r.crews({a});
  const TicketId g = r.outage({5, 6, 7}, kT0, "g");
  r.wire_down(40, kT0 + 2min);
  r.room.advance(kT0 + 2min + 1s);
  r.room.advance(kT0 + 5min);
  EXPECT_EQ(r.ticket(r.hazard()).crew, "a");
  EXPECT_EQ(r.ticket(g).planned_crew, "a");
}

}  // namespace
}  // namespace outage
