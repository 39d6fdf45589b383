// The fault plan on IEEE 9500: three substations fed over 69 kV lines from one source.
#include "sim/fault_plan.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/geo/feeders.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

NetworkModel& ieee9500() {
  static NetworkModel model = testing::read_feeder("ieee9500/ieee9500_base.dss");
  return model;
}

// A storm that faults a few hundred line sections: every kind of line gets its chance.
Scenario heavy_storm() {
  Scenario s;
  s.name = "heavy storm";
  s.seed = 5;
  s.start = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 7 / 15));
  s.duration = 10h;
  s.weather = {{0h, Weather::storm}};
  s.faults.line_per_km_hour = {0, 0, 0.2, 0};
  s.faults.momentary_share = 0;
  return s;
}

bool on_the_69kv(const std::string& id) { return id.starts_with("line.hvmv69"); }

TEST(FaultPlan, TheLinesBetweenSubstationsAreNotDrawnButTheFeedersLinesAre) {
  const NetworkModel& model = ieee9500();
  const std::vector<PlannedFault> faults = plan_faults(heavy_storm(), model);
  ASSERT_GT(faults.size(), 300u);  // 200 km for 10 h at 0.2 per km-hour
  std::set<std::string> where;
  for (const PlannedFault& f : faults) {
    const std::string id(model.element(f.location).id);
    EXPECT_FALSE(on_the_69kv(id)) << id << " lies between the source and the substations";
    where.insert(id);
  }
  EXPECT_GT(where.size(), 200u);
}

TEST(FaultPlan, AFaultPlacedByHandMayStillGoBetweenSubstations) {
  Scenario s = heavy_storm();
  s.faults.line_per_km_hour = {};
  s.faults.placed = {{"line.hvmv69s1s2-5", 1h, false}};
  const std::vector<PlannedFault> faults = plan_faults(s, ieee9500());
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(ieee9500().element(faults[0].location).id, "line.hvmv69s1s2-5");
  EXPECT_EQ(faults[0].at, 1h);
}

}  // namespace
}  // namespace outage
