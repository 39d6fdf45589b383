// The nearest-idle-crew dispatcher on the drawn feeder placed on a line in metres
// (tests/feeds/drawn_feeder.h, placed_drawn_feeder: bus bN at (1000 * N, 0)).
#include "dispatch/nearest_idle.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "dispatch/control_room.h"
#include "tests/feeds/drawn_feeder.h"
#include "tests/feeds/make_event.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23).time_since_epoch()) + 8h;

struct Room {
  NetworkModel model;
  ControlRoom room;
  int next = 0;
  explicit Room(bool positions) : model(testing::placed_drawn_feeder(positions)), room(model, InferenceConfig{}) {}
  void send(Timestamp t, EventPayload p) {
    ++next;
    ASSERT_TRUE(room.apply(testing::make_event("e" + std::to_string(next), t, std::move(p)), t, next).ok());
  }
  void crew(const std::string& id, double x, CrewState state = CrewState::available) {
    send(kT0, CrewPosition{id, Position{x, 0, false}});
    CrewStatus s;
    s.crew = id;
    s.status = state;
    send(kT0, s);
  }
  void wire_down(int customer, Timestamp t) {
    CallReport c;
    c.customer = "c" + std::to_string(customer);
    c.symptom = Symptom::wire_down;
    send(t, c);
  }
  StraightLineTimes travel() const { return StraightLineTimes(StraightLineTravel{model.crs, 30, 1.4}); }
};

TEST(NearestIdle, EachTicketInServingOrderGetsTheNearestIdleCrew) {
  Room r(true);
  r.crew("west", 0);
  r.crew("east", 5000);
  r.crew("busy", 3000, CrewState::on_site);  // nearest to m1, but on another job
  // A wire down at m1 (s1, x = 3000) then at m27 (s5, x = 5000): both emergencies, first come first.
  r.wire_down(1, kT0);
  r.wire_down(27, kT0 + 1min);
  r.room.advance(kT0 + 2min);
  auto assigned = assign_nearest_idle(r.room.desk(), r.travel(), kT0 + 2min);
  ASSERT_EQ(assigned.size(), 2u);
  // m1 at 3 km: east (2 km away) beats west (3 km). m27 then gets west, the one left (5 km).
  EXPECT_EQ(assigned[0].crew, "east");
  EXPECT_EQ(assigned[1].crew, "west");
  // 2,000 m x 1.4 at 30 km/h = 336 s; 5,000 m x 1.4 = 840 s.
  EXPECT_EQ(assigned[0].eta, kT0 + 2min + 336s);
  EXPECT_EQ(assigned[1].eta, kT0 + 2min + 840s);
  EXPECT_NE(assigned[0].reason.find("nearest idle crew: 5 min away (straight line x1.4 at 30 km/h)"), std::string::npos) << assigned[0].reason;
}

TEST(NearestIdle, MoreTicketsThanCrewsLeavesTheRestWaiting) {
  Room r(true);
  r.crew("only", 0);
  r.wire_down(1, kT0);
  r.wire_down(27, kT0 + 1min);
  r.room.advance(kT0 + 2min);
  auto assigned = assign_nearest_idle(r.room.desk(), r.travel(), kT0 + 2min);
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].crew, "only");
  EXPECT_EQ(r.room.desk().ticket(assigned[0].ticket)->accepted, kT0);  // the first in the queue
}

TEST(NearestIdle, WithoutPositionsCrewsAreTakenInOrderAndTheReasonSaysSo) {
  Room r(false);
  r.crew("a", 0);
  r.crew("b", 0);
  r.wire_down(1, kT0);
  r.room.advance(kT0 + 1min);
  auto assigned = assign_nearest_idle(r.room.desk(), r.travel(), kT0 + 1min);
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].crew, "a");
  EXPECT_EQ(assigned[0].eta, kT0 + 1min + Duration(45min) / 2);
  EXPECT_NE(assigned[0].reason.find("no travel times"), std::string::npos);
}

TEST(NearestIdle, TheControlRoomAssignsAtEachTickWhenItsPolicySaysSo) {
  Room r(true);
  r.room.set_dispatch_policy(DispatchPolicy::nearest_idle);
  r.crew("west", 0);
  r.crew("east", 5000);
  r.wire_down(1, kT0);  // m1 at x = 3000: east is 2 km away, west 3 km
  r.room.advance(kT0 + 1min);
  ASSERT_EQ(r.room.last_assignments().size(), 1u);
  const Ticket& t = *r.room.desk().ticket(r.room.last_assignments()[0].ticket);
  // Routed to east at the tick: the routing clock is met, the crew bound, the reason kept.
  EXPECT_EQ(t.crew, "east");
  EXPECT_EQ(t.state, TicketState::routed);
  EXPECT_EQ(t.routed, kT0 + 1min);
  EXPECT_EQ(t.route.met, kT0 + 1min);
  EXPECT_EQ(t.assigned_eta, kT0 + 1min + 336s);  // 2,000 m x 1.4 at 30 km/h
  EXPECT_NE(t.assignment.find("nearest idle"), std::string::npos);
  EXPECT_EQ(r.room.desk().ticket_of_crew("east"), t.id);
  // A second hazard at m27 (x = 5000): east is bound, so west goes although east is nearer.
  r.wire_down(27, kT0 + 2min);
  r.room.advance(kT0 + 3min);
  ASSERT_EQ(r.room.last_assignments().size(), 1u);
  EXPECT_EQ(r.room.last_assignments()[0].crew, "west");
}

TEST(NearestIdle, ManualPolicyAssignsNobody) {
  Room r(true);
  r.crew("west", 0);
  r.wire_down(1, kT0);
  r.room.advance(kT0 + 1min);
  EXPECT_TRUE(r.room.last_assignments().empty());
  EXPECT_FALSE(r.room.desk().ticket_of_crew("west").valid());
}

TEST(NearestIdle, AnAssignmentIsRefusedForABoundCrewAnUnknownCrewOrATakenTicket) {
  Room r(true);
  r.crew("west", 0);
  r.crew("east", 5000);
  r.wire_down(1, kT0);
  r.wire_down(27, kT0);
  r.room.advance(kT0 + 1min);
  TicketDesk& desk = r.room.desk();
  const TicketId first = desk.queue()[0], second = desk.queue()[1];
  ASSERT_TRUE(desk.assign(first, "west", kNoTime, "by hand", kT0 + 1min));
  Status taken = desk.assign(first, "east", kNoTime, "by hand", kT0 + 1min);
  ASSERT_FALSE(taken);
  EXPECT_NE(taken.error().message.find("has crew 'west' already"), std::string::npos) << taken.error().message;
  Status bound = desk.assign(second, "west", kNoTime, "by hand", kT0 + 1min);
  ASSERT_FALSE(bound);
  EXPECT_NE(bound.error().message.find("field 'crew': crew 'west' is on ticket"), std::string::npos) << bound.error().message;
  Status unknown = desk.assign(second, "nobody", kNoTime, "by hand", kT0 + 1min);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown crew 'nobody'"), std::string::npos);
  EXPECT_EQ(desk.assign(TicketId(999), "east", kNoTime, "", kT0).error().code, ErrorCode::not_found);
}

// F's four meters gasp; past the settling window the only crew is sent to F's ticket.
TicketId send_the_crew_to_f(Room& r) {
  r.room.set_dispatch_policy(DispatchPolicy::nearest_idle);
  r.crew("only", 0);
  for (int i = 1; i <= 4; ++i) r.send(kT0, MeterPowerOff{"m" + std::to_string(i)});
  r.room.advance(kT0 + 1s);
  r.room.advance(kT0 + 2min);
  return r.room.desk().ticket_of_crew("only");
}

// The crew reaches the ticket and reports the repair done (at 30 min); then it is free.
void report_done(Room& r, TicketId id, Timestamp at = kT0 + 30min) {
  for (CrewState st : {CrewState::en_route, CrewState::on_site, CrewState::repaired}) {
    CrewStatus s;
    s.crew = "only";
    s.status = st;
    s.ticket = std::to_string(id.value());
    r.send(at, s);
  }
  CrewStatus free;
  free.crew = "only";
  r.send(at, free);
}

TEST(NearestIdle, ARepairReportedDoneWhileThePowerStaysOffGoesBackToTheQueue) {
  // Fuse F's four meters (m1..m4) gasp: an outage, a ticket, and the only crew sent to it. The
  // crew reports the repair done, but no meter comes back: after recheck_after (10 min) the
  // ticket waits for a crew again, and the dispatcher sends the crew back.
  Room r(true);
  const TicketId id = send_the_crew_to_f(r);  // past the settling window: a repair ticket, assigned
  ASSERT_TRUE(id.valid());
  report_done(r, id);
  r.room.advance(kT0 + 31min);
  EXPECT_TRUE(r.room.desk().ticket(id)->crew_done);
  EXPECT_FALSE(r.room.desk().ticket_of_crew("only").valid());  // free, but the ticket is not re-sent yet
  r.room.advance(kT0 + 40min + 1s);
  // Ten minutes after the crew's report the power is still off: queued again, and the crew goes back.
  EXPECT_FALSE(r.room.desk().ticket(id)->crew_done);
  EXPECT_EQ(r.room.desk().ticket_of_crew("only"), id);
  ASSERT_EQ(r.room.last_assignments().size(), 1u);
  EXPECT_EQ(r.room.last_assignments()[0].ticket, id);
}

}  // namespace
}  // namespace outage

namespace outage {
namespace {

TEST(NearestIdle, AfterTwoReturnsATicketReportedDoneAndStillOutIsHeldForADispatcher) {
  // The crew reports fuse F's repair done three times (at 30, 50 and 70 min) and no meter ever
  // comes back. The first two times the ticket goes back to the queue and the crew is sent
  // again (max_rechecks, 2); the third, it is held: nobody is sent until a dispatcher assigns it.
  Room r(true);
  const TicketId id = send_the_crew_to_f(r);
  ASSERT_TRUE(id.valid());
  for (int round = 0; round < 2; ++round) {
    report_done(r, id, kT0 + 30min + round * 20min);
    r.room.advance(kT0 + 40min + round * 20min + 1s);
    EXPECT_EQ(r.room.desk().ticket_of_crew("only"), id) << "sent again, round " << round + 1;
    EXPECT_EQ(r.room.desk().ticket(id)->rechecks, round + 1);
    EXPECT_FALSE(r.room.desk().ticket(id)->held);
  }
  report_done(r, id, kT0 + 70min);
  r.room.advance(kT0 + 80min + 1s);
  r.room.advance(kT0 + 90min);
  const Ticket& held = *r.room.desk().ticket(id);
  EXPECT_TRUE(held.held);
  EXPECT_EQ(held.rechecks, 3);
  EXPECT_TRUE(is_open(held.state)) << "the power is still off: it stays open";
  EXPECT_FALSE(r.room.desk().ticket_of_crew("only").valid()) << "the idle crew is not sent back by itself";
  EXPECT_NE(held.assignment.find("held for a dispatcher"), std::string::npos) << held.assignment;
  // A dispatcher sends the crew: the hold is over.
  ASSERT_TRUE(r.room.desk().pin(id, "only", "dispatcher: look along the lateral", kT0 + 91min).ok());
  r.room.advance(kT0 + 91min + 1s);
  EXPECT_FALSE(r.room.desk().ticket(id)->held);
  EXPECT_EQ(r.room.desk().ticket_of_crew("only"), id);
}

TEST(NearestIdle, ARepairReportedDoneHasTheMetersStillDarkRead) {
  Room r(true);
  const TicketId id = send_the_crew_to_f(r);
  ASSERT_TRUE(id.valid());
  (void)r.room.engine().take_ping_requests();
  report_done(r, id);
  // Their power-on reports may be lost: the four meters are read, whenever they were last.
  std::vector<std::string> read;
  for (const PingRequest& p : r.room.engine().take_ping_requests()) {
    if (p.reason == "verify_repair") read.emplace_back(r.model.service_point(p.meter).id);
  }
  std::sort(read.begin(), read.end());
  EXPECT_EQ(read, (std::vector<std::string>{"m1", "m2", "m3", "m4"}));
}

TEST(NearestIdle, ARepairDoneBelowAnotherOutageWaitsForItInsteadOfGoingBackToTheQueue) {
  // As in ARepairReportedDoneWhileThePowerStaysOffGoesBackToTheQueue, but the breaker above F
  // locks out (SCADA) before the crew is done: F's section cannot have power until the
  // breaker's outage is over, so F's ticket is not sent again ten minutes on.
  Room r(true);
  const TicketId f = send_the_crew_to_f(r);
  ASSERT_TRUE(f.valid());
  r.send(kT0 + 20min, ScadaSwitch{"brk", SwitchState::open, SwitchCause::lockout});
  r.room.advance(kT0 + 20min);
  report_done(r, f);
  r.room.advance(kT0 + 40min + 1s);
  EXPECT_TRUE(r.room.desk().ticket(f)->crew_done) << "waits on the breaker's outage";
  EXPECT_NE(r.room.desk().ticket_of_crew("only"), f);
  // The breaker closes at 60 min; F's meters stay dark. Their reports get their ten minutes
  // from then, not from the crew's report: at 65 min the ticket still waits, at 70 it is back in
  // the queue (the crew, meanwhile sent to the breaker's ticket, is not free for it).
  r.send(kT0 + 60min, ScadaSwitch{"brk", SwitchState::closed, SwitchCause::manual});
  r.room.advance(kT0 + 60min);
  r.room.advance(kT0 + 65min);
  EXPECT_TRUE(r.room.desk().ticket(f)->crew_done);
  r.room.advance(kT0 + 70min + 1s);
  EXPECT_FALSE(r.room.desk().ticket(f)->crew_done);
  EXPECT_TRUE(r.room.desk().ticket(f)->crew.empty());
  const std::vector<TicketId> queue = r.room.desk().queue();
  EXPECT_NE(std::find(queue.begin(), queue.end(), f), queue.end());
}

}  // namespace
}  // namespace outage
