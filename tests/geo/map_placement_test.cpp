// MapPlacement: a local feeder laid onto the map by an anchor, a scale and a turn.
//
// The numbers below work on a sphere of radius R = 6,371,008.8 m, where a degree of latitude is
// R x pi / 180 = 111,195.08 m everywhere, and a degree of longitude at latitude 40.27 is that
// times cos(40.27 deg) = 0.7630069: 84,842.61 m.
#include "geo/map_placement.h"

#include <gtest/gtest.h>

namespace outage {
namespace {

CoordinateSystem feet() {
  CoordinateSystem c;
  c.kind = CoordinateSystem::Kind::local;
  c.metres_per_unit = 0.3048;
  return c;
}

constexpr Point kHarrisburg{-76.80, 40.27};
constexpr Point kModelAnchor{1000, 2000};  // model feet

PlacementSpec anchored(double scale = 1, double rotation_deg = 0) {
  PlacementSpec s;
  s.map_anchor = kHarrisburg;
  s.model_anchor = kModelAnchor;
  s.scale = scale;
  s.rotation_deg = rotation_deg;
  return s;
}

TEST(MapPlacement, PutsTheAnchorOnItsLonLat) {
  auto p = MapPlacement::make(feet(), anchored());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->to_map(kModelAnchor), kHarrisburg);
}

TEST(MapPlacement, TurnsModelFeetEastIntoLongitudeAtTheAnchorsLatitude) {
  auto p = MapPlacement::make(feet(), anchored());
  ASSERT_TRUE(p.ok());
  // 1000 ft = 304.8 m east; at 40.27 N a degree of longitude is 84,842.61 m, so the point moves
  // 304.8 / 84,842.61 = 0.00359253 degree east, and not at all north.
  Point east = p->to_map({kModelAnchor.x + 1000, kModelAnchor.y});
  EXPECT_NEAR(east.x - kHarrisburg.x, 0.0035925344, 1e-9);
  EXPECT_NEAR(east.y, kHarrisburg.y, 1e-12);
  // 1000 ft north: 304.8 / 111,195.08 = 0.00274113 degree of latitude.
  Point north = p->to_map({kModelAnchor.x, kModelAnchor.y + 1000});
  EXPECT_NEAR(north.y - kHarrisburg.y, 0.0027411285, 1e-9);
  EXPECT_NEAR(north.x, kHarrisburg.x, 1e-12);
}

TEST(MapPlacement, ScalesAndTurnsAboutTheAnchor) {
  // Scale 2: 1000 ft north covers 609.6 m, 609.6 / 111,195.08 = 0.00548226 degree.
  auto doubled = MapPlacement::make(feet(), anchored(2));
  ASSERT_TRUE(doubled.ok());
  EXPECT_NEAR(doubled->to_map({kModelAnchor.x, kModelAnchor.y + 1000}).y - kHarrisburg.y, 0.0054822569, 1e-9);
  // Turned 90 degrees counter-clockwise: the model's east points north, its north points west.
  auto turned = MapPlacement::make(feet(), anchored(1, 90));
  ASSERT_TRUE(turned.ok());
  Point was_east = turned->to_map({kModelAnchor.x + 1000, kModelAnchor.y});
  EXPECT_NEAR(was_east.y - kHarrisburg.y, 0.0027411285, 1e-9);
  EXPECT_NEAR(was_east.x, kHarrisburg.x, 1e-9);
  Point was_north = turned->to_map({kModelAnchor.x, kModelAnchor.y + 1000});
  EXPECT_NEAR(was_north.x - kHarrisburg.x, -0.0035925344, 1e-9);
  EXPECT_NEAR(was_north.y, kHarrisburg.y, 1e-9);
}

TEST(MapPlacement, FindsTheModelPointOfALonLat) {
  auto p = MapPlacement::make(feet(), anchored(1.5, 30));
  ASSERT_TRUE(p.ok());
  const Point model{4321, -1234};
  Point back = p->to_model(p->to_map(model));
  EXPECT_NEAR(back.x, model.x, 1e-6);
  EXPECT_NEAR(back.y, model.y, 1e-6);
}

TEST(MapPlacement, LeavesAWgs84ModelWhereItIsUnlessAnchored) {
  CoordinateSystem wgs84;
  wgs84.kind = CoordinateSystem::Kind::wgs84;
  auto as_given = MapPlacement::make(wgs84);
  ASSERT_TRUE(as_given.ok());
  EXPECT_TRUE(as_given->identity());
  EXPECT_EQ(as_given->to_map({-119.28, 46.28}), (Point{-119.28, 46.28}));
  // Anchored: moved so that the model anchor lands on the map anchor.
  PlacementSpec s;
  s.model_anchor = {-119.28, 46.28};
  s.map_anchor = kHarrisburg;
  auto moved = MapPlacement::make(wgs84, s);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->to_map({-119.28, 46.28}), kHarrisburg);
  // 0.001 degree north of the model anchor is 111.195 m at any latitude: 0.001 degree north of
  // the map anchor too.
  EXPECT_NEAR(moved->to_map({-119.28, 46.281}).y - kHarrisburg.y, 0.001, 1e-9);
}

TEST(MapPlacement, CannotPlaceASchematicModel) {
  CoordinateSystem schematic;
  schematic.kind = CoordinateSystem::Kind::local;
  schematic.metres_per_unit = 0;
  auto p = MapPlacement::make(schematic, anchored());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::invalid_input);
  EXPECT_NE(p.error().message.find("schematic"), std::string::npos) << p.error().message;
  EXPECT_FALSE(MapPlacement::make(CoordinateSystem{}, anchored()).ok());
}

TEST(MapPlacement, NeedsAnAnchorForALocalModel) {
  auto p = MapPlacement::make(feet(), PlacementSpec{});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("anchor"), std::string::npos) << p.error().message;
  EXPECT_FALSE(MapPlacement::make(feet(), anchored(0)).ok());
  PlacementSpec off_globe = anchored();
  off_globe.map_anchor = Point{40.27, -276.8};
  EXPECT_FALSE(MapPlacement::make(feet(), off_globe).ok());
}

}  // namespace
}  // namespace outage
