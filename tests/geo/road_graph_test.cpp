// RoadGraph: travel times on small hand-built street maps, with the answers reasoned out here.
//
// The maps sit at the equator, where lengths are easy: along the equator and along a meridian a
// thousandth of a degree is exactly u = 6,371,008.8 m x pi / 180 / 1000 = 111.19508 m on the
// sphere the graph measures with (and a few thousandths of a degree north of the equator the
// east-west error is below a billionth of the length). Speeds are set in each test: residential 25 km/h (6.944 m/s),
// primary 60 km/h (16.667 m/s).
#include "geo/road_graph.h"

#include <gtest/gtest.h>

#include <cmath>

namespace outage {
namespace {

constexpr double kU = 111.19508023353292;  // metres in 0.001 degree at the equator
constexpr double kResidentialMps = 25 / 3.6;
constexpr double kPrimaryMps = 60 / 3.6;

RoadSpeeds speeds() {
  RoadSpeeds s = RoadSpeeds::defaults();
  EXPECT_TRUE(s.set("residential", 25).ok());
  EXPECT_TRUE(s.set("primary", 60).ok());
  return s;
}

Point at(double x_thousandths, double y_thousandths) { return Point{x_thousandths / 1000, y_thousandths / 1000}; }

RoadSnap snap_at(const RoadGraph& g, Point p) {
  auto s = g.snap(p);
  EXPECT_TRUE(s.has_value());
  return s.value_or(RoadSnap{});
}

void add(RoadGraph& g, RoadNodeId a, RoadNodeId b, RoadClass c, RoadDirection d = RoadDirection::both) {
  ASSERT_TRUE(g.add_road(a, b, c, d).ok());
}

TEST(RoadGraph, MeasuresRoadsAlongTheirShapeOnTheSphere) {
  RoadGraph g;
  auto a = g.add_node(at(0, 0)), b = g.add_node(at(2, 0));
  // A dog-leg through (0, 1) and (2, 1): u north, 2u east, u south = 4u.
  const Point shape[] = {at(0, 0), at(0, 1), at(2, 1), at(2, 0)};
  auto r = g.add_road(a, b, RoadClass::residential, RoadDirection::both, shape);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(g.road(*r).length_m, 4 * kU, 1e-6);
  g.finish(speeds());
  EXPECT_NEAR(g.road_seconds(*r), 4 * kU / kResidentialMps, 1e-6);
}

//   C (0,1) ===== primary ====== D (2,1)
//   ||                             ||
//   primary                      primary
//   ||                             ||
//   A (0,0) ---- residential ---- B (2,0)
TEST(RoadGraph, TakesTheFasterRoadOverTheShorterOne) {
  RoadGraph g;
  auto a = g.add_node(at(0, 0)), b = g.add_node(at(2, 0)), c = g.add_node(at(0, 1)), d = g.add_node(at(2, 1));
  add(g, a, b, RoadClass::residential);
  add(g, a, c, RoadClass::primary);
  add(g, c, d, RoadClass::primary);
  add(g, d, b, RoadClass::primary);
  g.finish(speeds());
  // Straight A-B: 2u = 222.39 m at 25 km/h = 32.02 s. Round by C and D: u + 2u + u = 4u =
  // 444.78 m at 60 km/h = 26.69 s. Twice as long, and faster.
  auto t = g.seconds(snap_at(g, at(0, 0)), snap_at(g, at(2, 0)));
  ASSERT_TRUE(t.has_value());
  EXPECT_NEAR(*t, 4 * kU / kPrimaryMps, 1e-3);
  EXPECT_LT(*t, 2 * kU / kResidentialMps);
}

//   D (0,1) ----------- C (1,1)
//   |                   |
//   A (0,0) ---->>----- B (1,0)      A-B is one-way from A to B; the rest two-way, residential.
TEST(RoadGraph, DrivesRoundTheBlockAgainstAOneWayStreet) {
  RoadGraph g;
  auto a = g.add_node(at(0, 0)), b = g.add_node(at(1, 0)), c = g.add_node(at(1, 1)), d = g.add_node(at(0, 1));
  add(g, a, b, RoadClass::residential, RoadDirection::forward);
  add(g, b, c, RoadClass::residential);
  add(g, c, d, RoadClass::residential);
  add(g, d, a, RoadClass::residential);
  g.finish(speeds());
  // With the one-way: A to B is u (16.01 s); B to A goes B-C-D-A, 3u (48.04 s).
  EXPECT_NEAR(*g.seconds(snap_at(g, at(0, 0)), snap_at(g, at(1, 0))), kU / kResidentialMps, 1e-3);
  EXPECT_NEAR(*g.seconds(snap_at(g, at(1, 0)), snap_at(g, at(0, 0))), 3 * kU / kResidentialMps, 1e-3);
  // Along the one-way itself: from 3/4 of the way to 1/4 of the way is a quarter to B, the
  // block (3u), a quarter from A: 3.5u (56.04 s); the other way it is half a block (8.01 s).
  RoadSnap late = snap_at(g, at(0.75, 0)), early = snap_at(g, at(0.25, 0));
  EXPECT_NEAR(*g.seconds(late, early), 3.5 * kU / kResidentialMps, 1e-3);
  EXPECT_NEAR(*g.seconds(early, late), 0.5 * kU / kResidentialMps, 1e-3);
}

//   P (0.5, 0.1)          a point 0.1u north of the road A-B, half a unit from A
//   :
//   A (0,0) ------------- B (2,0)
//                         |
//                         C (2,1)
TEST(RoadGraph, SnapsOntoTheMiddleOfARoadAndCountsThePartialLengths) {
  RoadGraph g;
  auto a = g.add_node(at(0, 0)), b = g.add_node(at(2, 0)), c = g.add_node(at(2, 1));
  add(g, a, b, RoadClass::residential);
  add(g, b, c, RoadClass::residential);
  g.finish(speeds());
  RoadSnap p = snap_at(g, at(0.5, 0.1));
  // The nearest point of the network is (0.5, 0) on A-B: 0.1u = 11.12 m away, 0.5u = 55.60 m
  // along A-B.
  EXPECT_NEAR(p.distance_m, 0.1 * kU, 1e-3);
  EXPECT_NEAR(p.offset_m, 0.5 * kU, 1e-3);
  EXPECT_NEAR(p.on_road.x, 0.0005, 1e-9);
  EXPECT_NEAR(p.on_road.y, 0.0, 1e-9);
  // To C: the rest of A-B (1.5u) and B-C (u) = 2.5u, 40.03 s; not back by A (0.5u more).
  EXPECT_NEAR(*g.seconds(p, snap_at(g, at(2, 1))), 2.5 * kU / kResidentialMps, 1e-3);
  // From C back to P the same 2.5u; and between two points on A-B only the piece between them.
  EXPECT_NEAR(*g.seconds(snap_at(g, at(2, 1)), p), 2.5 * kU / kResidentialMps, 1e-3);
  EXPECT_NEAR(*g.seconds(p, snap_at(g, at(1.5, -0.2))), 1.0 * kU / kResidentialMps, 1e-3);
}

//   A (0,0) ---- B (2,0)                    E (10,0) ---- F (11,0)
//   main network (two-way)                  a scrap, joined to nothing
TEST(RoadGraph, NeverSnapsOntoAnIsolatedScrap) {
  RoadGraph g;
  auto a = g.add_node(at(0, 0)), b = g.add_node(at(2, 0)), c = g.add_node(at(2, 1));
  auto e = g.add_node(at(10, 0)), f = g.add_node(at(11, 0));
  add(g, a, b, RoadClass::residential);
  add(g, b, c, RoadClass::residential);
  auto scrap = g.add_road(e, f, RoadClass::residential, RoadDirection::both);
  ASSERT_TRUE(scrap.ok());
  g.finish(speeds());
  EXPECT_EQ(g.main_component_nodes(), 3u);
  EXPECT_EQ(g.main_component_roads(), 2u);
  // A point on the scrap's middle snaps to the main network's nearest point, B: 8.5u = 945 m
  // away, far enough for a caller to refuse it.
  RoadSnap s = snap_at(g, at(10.5, 0));
  EXPECT_NE(s.road, *scrap);
  EXPECT_NEAR(s.on_road.x, 0.002, 1e-12);
  EXPECT_NEAR(s.distance_m, 8.5 * kU, 1e-3);
}

TEST(RoadGraph, AnswersNothingForAPlaceItCannotReach) {
  RoadGraph g;
  auto a = g.add_node(at(0, 0)), b = g.add_node(at(2, 0));
  auto e = g.add_node(at(10, 0)), f = g.add_node(at(11, 0));
  add(g, a, b, RoadClass::residential);
  auto scrap = g.add_road(e, f, RoadClass::residential, RoadDirection::both);
  ASSERT_TRUE(scrap.ok());
  g.finish(speeds());
  // Snap cannot land on the scrap, but a snap made by hand can name it: no road leads there.
  RoadSnap on_scrap{*scrap, 0.5 * kU, at(10.5, 0), 0};
  EXPECT_FALSE(g.seconds(snap_at(g, at(1, 0)), on_scrap).has_value());
}

TEST(RoadGraph, LeavesClosedClassesUndriven) {
  RoadGraph g;
  auto a = g.add_node(at(0, 0)), b = g.add_node(at(2, 0)), c = g.add_node(at(0, 1)), d = g.add_node(at(2, 1));
  add(g, a, b, RoadClass::track);  // the short way, closed below
  add(g, a, c, RoadClass::primary);
  add(g, c, d, RoadClass::primary);
  add(g, d, b, RoadClass::primary);
  RoadSpeeds s = speeds();
  ASSERT_TRUE(s.set("track", 0).ok());
  g.finish(s);
  // A point on the track's middle snaps to the primary round about instead (u away: the track
  // is not snapped to), and A to B goes round: 4u at 60 km/h.
  RoadSnap mid = snap_at(g, at(1, 0));
  EXPECT_NEAR(mid.distance_m, kU, 1e-3);
  EXPECT_NEAR(*g.seconds(snap_at(g, at(0, 0)), snap_at(g, at(2, 0))), 4 * kU / kPrimaryMps, 1e-3);
}

TEST(RoadSpeeds, RefusesUnknownClassesAndImpossibleSpeeds) {
  RoadSpeeds s = RoadSpeeds::defaults();
  Status unknown = s.set("footway", 5);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("footway"), std::string::npos);
  EXPECT_FALSE(s.set("primary", -1).ok());
  EXPECT_FALSE(s.set("primary", 900).ok());
  EXPECT_TRUE(s.set("Primary_Link", 35).ok());
  EXPECT_EQ(s[RoadClass::primary_link], 35);
}

TEST(RoadGraph, AnswersNothingBeforeItIsFinished) {
  RoadGraph g;
  g.add_node(at(0, 0));
  g.add_node(at(1, 0));
  ASSERT_TRUE(g.add_road(RoadNodeId(0), RoadNodeId(1), RoadClass::residential, RoadDirection::both).ok());
  EXPECT_FALSE(g.snap(at(0.5, 0)).has_value());
  EXPECT_FALSE(g.add_road(RoadNodeId(0), RoadNodeId(7), RoadClass::residential, RoadDirection::both).ok());
}

}  // namespace
}  // namespace outage
