// StraightLineTravel: distances by the model's coordinate system, times by speed and detour.
#include "dispatch/travel_time.h"

#include <gtest/gtest.h>

namespace outage {
namespace {

CoordinateSystem local(double metres_per_unit) {
  CoordinateSystem c;
  c.kind = CoordinateSystem::Kind::local;
  c.metres_per_unit = metres_per_unit;
  return c;
}

TEST(StraightLineTravel, MeasuresLocalCoordinatesInTheirUnits) {
  StraightLineTravel metres{local(1.0)};
  EXPECT_DOUBLE_EQ(*metres.distance_m({0, 0}, {3000, 4000}), 5000.0);
  StraightLineTravel feet{local(0.3048)};
  EXPECT_DOUBLE_EQ(*feet.distance_m({0, 0}, {1000, 0}), 304.8);
}

TEST(StraightLineTravel, MeasuresWgs84OnTheSphere) {
  CoordinateSystem wgs;
  wgs.kind = CoordinateSystem::Kind::wgs84;
  StraightLineTravel t{wgs};
  // One degree of latitude: 2 pi R / 360 = 111,195 m for R = 6,371,008.8 m.
  EXPECT_NEAR(*t.distance_m({116.0, 39.0}, {116.0, 40.0}), 111195.0, 1.0);
  // One degree of longitude at 60 degrees north is half that.
  EXPECT_NEAR(*t.distance_m({10.0, 60.0}, {11.0, 60.0}), 111195.0 / 2, 200.0);
}

TEST(StraightLineTravel, TimesAreDistanceTimesDetourOverSpeed) {
  StraightLineTravel t{local(1.0), 30, 1.4};
  // 3,000 m x 1.4 = 4,200 m at 30 km/h (8.333 m/s): 504 s.
  EXPECT_EQ(*t.time({0, 0}, {3000, 0}), Duration(504'000));
}

TEST(StraightLineTravel, HasNoTimesWithoutMeasurableCoordinates) {
  EXPECT_FALSE(StraightLineTravel{CoordinateSystem{}}.time({0, 0}, {1, 1}));
  EXPECT_FALSE(StraightLineTravel{local(0)}.time({0, 0}, {1, 1}));  // schematic
}

}  // namespace
}  // namespace outage
