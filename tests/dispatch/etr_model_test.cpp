// EtrModel: the commitments' averages before there is history, learnt quantiles after, the
// order of precedence (dispatcher, crew, model), and never an estimate in the past.
#include "dispatch/etr_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace outage {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23).time_since_epoch()) + 8h;

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

TEST(EtrModel, BeforeHistoryRepairsTakeTheCommitmentsAverage) {
  EtrModel m;  // sigma 0.6
  // Urban: mean 3 h. A log-normal with that mean has median 3 h * exp(-0.6^2 / 2) and
  // p90 = median * exp(1.2816 * 0.6).
  auto [p50, p90] = m.repair_time(DeviceLevel::fuse, AreaClass::urban);
  EXPECT_NEAR(seconds(p50), 10800 * std::exp(-0.18), 1.0);
  EXPECT_NEAR(seconds(p90), 10800 * std::exp(-0.18) * std::exp(1.2815516 * 0.6), 1.0);
  // Rural: mean 4 h.
  auto [r50, r90] = m.repair_time(DeviceLevel::fuse, AreaClass::rural);
  EXPECT_NEAR(seconds(r50), 14400 * std::exp(-0.18), 1.0);
  EXPECT_GT(r90, r50);
}

TEST(EtrModel, LearntRepairTimesTakeOverOnceThereAreEnough) {
  EtrModel m(EtrConfig{0.6, 5, 30min});
  for (int minutes : {40, 50, 60, 70}) m.learn(DeviceLevel::transformer, std::chrono::minutes(minutes));
  // Four are not enough: still the commitment.
  EXPECT_NEAR(seconds(m.repair_time(DeviceLevel::transformer, AreaClass::urban).first), 10800 * std::exp(-0.18), 1.0);
  m.learn(DeviceLevel::transformer, 80min);
  // 40, 50, 60, 70, 80: the median (nearest rank 3 of 5) is 60, the 90th (rank 5) 80.
  auto [p50, p90] = m.repair_time(DeviceLevel::transformer, AreaClass::urban);
  EXPECT_EQ(p50, Duration(60min));
  EXPECT_EQ(p90, Duration(80min));
  // Learnt per level: fuses still have none.
  EXPECT_EQ(m.history(DeviceLevel::fuse), 0u);
}

TEST(EtrModel, OnSiteTheEstimateRunsFromTheArrival) {
  EtrModel m;
  FaultSituation f;
  f.level = DeviceLevel::fuse;
  f.arrived = kT0;
  auto [p50, p90] = m.repair_time(DeviceLevel::fuse, AreaClass::urban);
  Etr e = m.fault(f, kT0 + 10min);
  EXPECT_EQ(e.basis, "on_site");
  EXPECT_EQ(e.p50, kT0 + p50);
  EXPECT_EQ(e.p90, kT0 + p90);
}

TEST(EtrModel, QueuedRepairsWaitForTheBacklog) {
  EtrModel m;
  FaultSituation alone, third;
  alone.level = third.level = DeviceLevel::fuse;
  third.queued_ahead_per_crew = 2;  // two jobs ahead of it for each crew
  Etr a = m.fault(alone, kT0), b = m.fault(third, kT0);
  auto [p50, p90] = m.repair_time(DeviceLevel::fuse, AreaClass::urban);
  // Alone: travel (half the 45-minute limit) + repair. Third: two more jobs of the same length.
  EXPECT_EQ(a.p50, kT0 + Duration(45min) / 2 + p50);
  EXPECT_EQ(b.p50, kT0 + 3 * (Duration(45min) / 2 + p50));
  EXPECT_EQ(a.p90, kT0 + Duration(45min) + p90);
}

TEST(EtrModel, ADispatcherOverridesTheCrewAndTheCrewOverridesTheModel) {
  EtrModel m;
  FaultSituation f;
  f.arrived = kT0;
  f.crew_estimate = kT0 + 1h;
  EXPECT_EQ(m.fault(f, kT0 + 10min).p50, kT0 + 1h);
  EXPECT_EQ(m.fault(f, kT0 + 10min).basis, "crew");
  f.dispatcher_override = kT0 + 3h;
  EXPECT_EQ(m.fault(f, kT0 + 10min).p50, kT0 + 3h);
  EXPECT_EQ(m.fault(f, kT0 + 10min).basis, "dispatcher");
}

TEST(EtrModel, AnEstimateThatHasPassedMovesPastNow) {
  EtrModel m(EtrConfig{0.6, 5, 30min});
  FaultSituation f;
  f.crew_estimate = kT0 + 1h;
  // Two hours later the power is still off: the estimate is now + 30 min, never in the past.
  Etr e = m.fault(f, kT0 + 2h);
  EXPECT_EQ(e.p50, kT0 + 2h + 30min);
  EXPECT_GE(e.p90, e.p50);
  EXPECT_EQ(m.record(kT0 + 1h, kT0 + 2h).p50, kT0 + 2h + 30min);
  EXPECT_EQ(m.record(kT0 + 3h, kT0 + 2h).p50, kT0 + 3h);
}

}  // namespace
}  // namespace outage
