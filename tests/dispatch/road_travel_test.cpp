// RoadTravel: travel over a small street map at the equator, and the straight line where the
// roads cannot answer.
//
// The map (lon/lat in thousandths of a degree; at the equator 0.001 degree is u = 111.19508 m
// on the sphere of radius 6,371,008.8 m, along the equator and along a meridian alike):
//
//   A (0,0) ------ residential, two-way ------ B (2,0) ------ C (4,0)
//
// Residential streets at 25 km/h (6.944 m/s); the stretch between a point and its road at the
// default 15 km/h (4.167 m/s); the straight line x1.4 at 30 km/h (8.333 m/s).
#include "dispatch/road_travel.h"

#include <gtest/gtest.h>

#include <memory>

namespace outage {
namespace {

constexpr double kU = 111.19508023353292;
constexpr double kResidentialMps = 25 / 3.6;
constexpr double kAccessMps = 15 / 3.6;
constexpr double kStraightMps = 30 / 3.6;

Point at(double x_thousandths, double y_thousandths) { return Point{x_thousandths / 1000, y_thousandths / 1000}; }

std::shared_ptr<const RoadGraph> street() {
  auto g = std::make_shared<RoadGraph>();
  g->source = "street.osm";
  auto a = g->add_node(at(0, 0)), b = g->add_node(at(2, 0)), c = g->add_node(at(4, 0));
  EXPECT_TRUE(g->add_road(a, b, RoadClass::residential, RoadDirection::both).ok());
  EXPECT_TRUE(g->add_road(b, c, RoadClass::residential, RoadDirection::both).ok());
  RoadSpeeds s = RoadSpeeds::defaults();
  EXPECT_TRUE(s.set("residential", 25).ok());
  g->finish(s);
  return g;
}

CoordinateSystem wgs84() {
  CoordinateSystem c;
  c.kind = CoordinateSystem::Kind::wgs84;
  return c;
}

CoordinateSystem local(double metres_per_unit) {
  CoordinateSystem c;
  c.kind = CoordinateSystem::Kind::local;
  c.metres_per_unit = metres_per_unit;
  return c;
}

double seconds(std::optional<Duration> d) { return d ? d->count() / 1000.0 : -1; }

TEST(RoadTravel, DrivesTheRoadsAndWalksTheStretchToThem) {
  RoadTravel travel(street(), MapPlacement::make(wgs84()), StraightLineTravel{wgs84()});
  // P and Q are 0.1u (11.12 m) north of A-B, 1u apart along it: 1u on the road (16.01 s) and
  // 0.1u at each end at 15 km/h (2.67 s each): 21.35 s.
  EXPECT_NEAR(seconds(travel.time(at(0.5, 0.1), at(1.5, 0.1))), (kU + 0.2 * kU * kResidentialMps / kAccessMps) / kResidentialMps,
              0.002);
  EXPECT_EQ(travel.time(at(0.5, 0.1), at(0.5, 0.1)), Duration(0));
  EXPECT_EQ(travel.describe(), "roads (street.osm, 3 junctions)");
}

TEST(RoadTravel, PlacesALocalModelByItsAnchor) {
  // A model in metres whose origin is put on A: model (222.39, 0) is 2u east, on B.
  PlacementSpec spec;
  spec.map_anchor = at(0, 0);
  spec.model_anchor = {0, 0};
  RoadTravel travel(street(), MapPlacement::make(local(1.0), spec), StraightLineTravel{local(1.0)});
  EXPECT_NEAR(seconds(travel.time({0, 0}, {2 * kU, 0})), 2 * kU / kResidentialMps, 0.002);
  EXPECT_NE(travel.describe().find("model placed local (m)"), std::string::npos) << travel.describe();
}

TEST(RoadTravel, GoesByStraightLineForAPlaceFarFromAnyRoad) {
  RoadTravelOptions options;
  options.max_snap_m = 1000;
  RoadTravel travel(street(), MapPlacement::make(wgs84()), StraightLineTravel{wgs84(), 30, 1.4}, options);
  // F is 20u (2.2 km) north of A: too far from the road. From A to F the straight line is 20u,
  // x1.4 at 30 km/h: 2224 m x 1.4 / 8.333 m/s = 373.61 s.
  const Point far = at(0, 20);
  EXPECT_NEAR(seconds(travel.time(at(0, 0), far)), 20 * kU * 1.4 / kStraightMps, 0.002);
  EXPECT_NEAR(seconds(travel.time(far, at(0, 0))), 20 * kU * 1.4 / kStraightMps, 0.002);
  EXPECT_EQ(travel.describe(),
            "roads (street.osm, 3 junctions); 1 place off the roads (> 1000 m) by straight line x1.4 at 30 km/h");
  // A point 0.5u (56 m) off the road is still on it.
  EXPECT_TRUE(travel.snap(at(1, 0.5)).has_value());
  EXPECT_FALSE(travel.snap(far).has_value());
}

TEST(RoadTravel, HasNoTimesForASchematicModelAndSaysWhy) {
  RoadTravel travel(street(), MapPlacement::make(local(0)), StraightLineTravel{local(0)});
  EXPECT_FALSE(travel.on_roads());
  EXPECT_FALSE(travel.time({0, 0}, {100, 0}).has_value());
  EXPECT_EQ(travel.describe(), "no travel times: a schematic model has no distances and cannot be placed on the map");
}

TEST(RoadTravel, GoesByStraightLineForAModelThatIsNotOnTheMap) {
  // A model in feet without an anchor: not geo-referenced, so every pair is the straight line.
  RoadTravel travel(street(), MapPlacement::make(local(0.3048)), StraightLineTravel{local(0.3048), 30, 1.4});
  EXPECT_FALSE(travel.on_roads());
  // 1000 ft = 304.8 m, x1.4 = 426.72 m at 8.333 m/s = 51.206 s.
  EXPECT_NEAR(seconds(travel.time({0, 0}, {1000, 0})), 51.206, 0.001);
  EXPECT_EQ(travel.describe(), "straight line x1.4 at 30 km/h: a local model (local (ft)) needs an anchor to be placed on the map");
  RoadTravel no_graph(nullptr, MapPlacement::make(wgs84()), StraightLineTravel{wgs84()});
  EXPECT_EQ(no_graph.describe(), "straight line x1.4 at 30 km/h: no road graph");
}

TEST(RoadTravel, AnswersManyAtOnceAsItAnswersOneByOne) {
  RoadTravel many(street(), MapPlacement::make(wgs84()), StraightLineTravel{wgs84()});
  RoadTravel one(street(), MapPlacement::make(wgs84()), StraightLineTravel{wgs84()});
  const std::vector<Point> crews = {at(0, 0), at(3.9, -0.2), at(0, 30)};          // the last off the roads
  const std::vector<Point> tickets = {at(1, 0.1), at(4, 0), at(0, 0), at(50, 50)};  // so is the last
  std::vector<std::optional<Duration>> out;
  many.times(crews, tickets, out);
  ASSERT_EQ(out.size(), crews.size() * tickets.size());
  for (std::size_t i = 0; i < crews.size(); ++i)
    for (std::size_t j = 0; j < tickets.size(); ++j) {
      EXPECT_EQ(out[i * tickets.size() + j], one.time(crews[i], tickets[j])) << i << ", " << j;
      EXPECT_TRUE(out[i * tickets.size() + j].has_value());
    }
  // Two by hand. A to (1, 0.1): 1u along A-B (16.01 s) and 0.1u up to the point (2.67 s).
  EXPECT_NEAR(seconds(out[0 * tickets.size() + 0]), kU / kResidentialMps + 0.1 * kU / kAccessMps, 0.002);
  // (3.9, -0.2) to C, both on B-C: 0.2u down to the road (5.34 s), 0.1u along it (1.60 s).
  EXPECT_NEAR(seconds(out[1 * tickets.size() + 1]), 0.2 * kU / kAccessMps + 0.1 * kU / kResidentialMps, 0.002);
  // Off the roads, by straight line: A to (50, 50) is 70.7u x 1.4 at 30 km/h.
  EXPECT_NEAR(seconds(out[0 * tickets.size() + 3]), *StraightLineTravel{wgs84()}.distance_m(at(0, 0), at(50, 50)) * 1.4 / kStraightMps,
              0.002);
  // Again from the cache: the same answers, and no new search.
  const auto searches = many.counters().searches;
  EXPECT_EQ(searches, 2u);  // the two crews on the roads
  std::vector<std::optional<Duration>> again;
  many.times(crews, tickets, again);
  EXPECT_EQ(again, out);
  EXPECT_EQ(many.counters().searches, searches);
  EXPECT_EQ(many.counters().off_road_places, 2u);
}

TEST(RoadTravel, KeepsOnlyAsManyTreesAsAllowed) {
  RoadTravelOptions options;
  options.cache_origins = 2;
  RoadTravel travel(street(), MapPlacement::make(wgs84()), StraightLineTravel{wgs84()}, options);
  const std::vector<Point> origins = {at(0, 0), at(1, 0), at(2, 0)}, target = {at(4, 0)};
  std::vector<std::optional<Duration>> first, second;
  travel.times(origins, target, first);
  travel.times(origins, target, second);  // the first origin's tree was dropped for the third's
  EXPECT_EQ(first, second);
  EXPECT_EQ(travel.counters().searches, 6u);  // least recently used goes first: every row searches again
  EXPECT_NEAR(seconds(first[0]), 4 * kU / kResidentialMps, 0.002);
}

}  // namespace
}  // namespace outage
