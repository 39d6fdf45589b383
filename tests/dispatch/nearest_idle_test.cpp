// The nearest-idle-crew dispatcher on the drawn feeder (tests/feeds/drawn_feeder.h), its buses
// placed on a line in metres: bus bN at (1000 * N, 0).
#include "dispatch/nearest_idle.h"

#include <gtest/gtest.h>

#include "dispatch/control_room.h"
#include "tests/feeds/drawn_feeder.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23).time_since_epoch()) + 8h;

NetworkModel placed_feeder(bool positions) {
  NetworkModel m = testing::drawn_feeder();
  m.crs.kind = CoordinateSystem::Kind::local;
  m.crs.metres_per_unit = 1;
  if (!positions) return m;
  // b0..b5 along the x axis, 1 km apart; each service transformer's low side (sN) at its bus.
  const std::vector<std::pair<const char*, double>> at = {{"b0", 0},    {"b1", 1000}, {"b2", 2000}, {"b3", 3000},
                                                          {"b4", 4000}, {"b5", 5000}, {"s1", 3000}, {"s2", 4000},
                                                          {"s3", 5000}, {"s4", 2000}, {"s5", 5000}};
  for (const auto& [id, x] : at) {
    Bus& b = m.bus(m.find_bus(id));
    b.position = Point{x, 0};
    b.has_position = true;
  }
  return m;
}

struct Room {
  NetworkModel model;
  ControlRoom room;
  int next = 0;
  explicit Room(bool positions) : model(placed_feeder(positions)), room(model, InferenceConfig{}) {}
  void send(Timestamp t, EventPayload p) {
    Event e;
    e.source = "test";
    e.id = "e" + std::to_string(++next);
    e.time = t;
    e.payload = std::move(p);
    ASSERT_TRUE(room.apply(e, t, next).ok());
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
  StraightLineTravel travel() const { return StraightLineTravel{model.crs, 30, 1.4}; }
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
  EXPECT_NE(assigned[0].reason.find("nearest idle crew: 2.0 km"), std::string::npos) << assigned[0].reason;
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

}  // namespace
}  // namespace outage
