// ServiceAreas: which area a place is in, by its polygon, whatever the ring's orientation.
#include "dispatch/service_area.h"

#include <gtest/gtest.h>

namespace outage {
namespace {

using namespace std::chrono_literals;

TEST(ServiceAreas, FindsTheAreaAroundAPointAndFallsBackOutside) {
  ServiceArea town{"town", AreaClass::urban, 45min, {{0, 0}, {10, 0}, {10, 10}, {0, 10}}};
  // Clockwise this time, and closed (first point repeated).
  ServiceArea hills{"hills", AreaClass::rural, 90min, {{20, 0}, {20, 10}, {30, 10}, {30, 0}, {20, 0}}};
  ServiceAreas areas({town, hills});
  EXPECT_EQ(areas.at({5, 5}).name, "town");
  EXPECT_EQ(areas.at({25, 5}).name, "hills");
  EXPECT_EQ(areas.at({25, 5}).arrival_limit, Duration(90min));
  EXPECT_EQ(areas.at({15, 5}).name, "default");
  EXPECT_EQ(areas.at({10, 5}).name, "town");  // on the boundary: inside
}

TEST(ServiceAreas, CommitmentsByClass) {
  EXPECT_EQ(default_arrival_limit_min(AreaClass::urban), 45);
  EXPECT_EQ(default_arrival_limit_min(AreaClass::rural), 90);
  EXPECT_EQ(default_arrival_limit_min(AreaClass::remote), 120);
  EXPECT_EQ(default_restoration_after_arrival(AreaClass::urban), Duration(3h));
  EXPECT_EQ(default_restoration_after_arrival(AreaClass::rural), Duration(4h));
}

}  // namespace
}  // namespace outage
