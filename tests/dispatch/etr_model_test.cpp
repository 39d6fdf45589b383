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

TEST(EtrModel, WhatIsLeftOfARepairThatOverrunsGrowsBackInsteadOfSinkingToNothing) {
  EtrModel m;  // the prior: log-normal, median m = 180 min * exp(-0.18) (150.35 min), sigma 0.6
  const double median = 10800 * std::exp(-0.18);
  EXPECT_NEAR(seconds(m.remaining_repair(DeviceLevel::fuse, AreaClass::urban, 0min)), median, 1.0);
  // At the median, half the repairs are done: of the rest, half last past x with
  // Q((ln x - ln m) / 0.6) = 0.25, so x = m * exp(0.6 * 0.67449): 0.49884 m left.
  const Duration at_median = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(median));
  EXPECT_NEAR(seconds(m.remaining_repair(DeviceLevel::fuse, AreaClass::urban, at_median)), 0.49884 * median, 2.0);
  // At three times the median (z = ln 3 / 0.6 = 1.8310, Q(z) = 0.033549): x solves
  // Q = 0.016774, that is z' = 2.12545, x = m * exp(0.6 * 2.12545) = 3.57968 m: 0.57968 m left,
  // more than at the median.
  EXPECT_NEAR(seconds(m.remaining_repair(DeviceLevel::fuse, AreaClass::urban, 3 * at_median)), 0.57968 * median, 2.0);
}

TEST(EtrModel, WhatIsLeftComesFromTheLearntRepairsThatLastedLonger) {
  EtrModel m(EtrConfig{0.6, 5, 30min});
  for (int minutes : {40, 50, 60, 70, 80, 120, 200}) m.learn(DeviceLevel::transformer, std::chrono::minutes(minutes));
  // 65 minutes in: of those longer (70, 80, 120, 200) the median by nearest rank is the 2nd,
  // 80: 15 minutes left.
  EXPECT_EQ(m.remaining_repair(DeviceLevel::transformer, AreaClass::urban, 65min), Duration(15min));
  // 150 minutes in: only 200 lasted longer: 50 minutes.
  EXPECT_EQ(m.remaining_repair(DeviceLevel::transformer, AreaClass::urban, 150min), Duration(50min));
  // Past every learnt one, the log-normal of the learnt median (70) and p90 (200) still answers.
  EXPECT_GT(m.remaining_repair(DeviceLevel::transformer, AreaClass::urban, 300min), Duration(30min));
}

TEST(EtrModel, OnSiteTheEstimateRunsFromTheArrivalAndAnOverrunIsLikelyALongRepair) {
  EtrModel m;  // the prior: log-normal, median 150.35 min, sigma 0.6
  FaultSituation f;
  f.level = DeviceLevel::fuse;
  f.arrived = kT0;
  auto [p50, p90] = m.repair_time(DeviceLevel::fuse, AreaClass::urban);
  Etr e = m.fault(f, kT0);
  EXPECT_EQ(e.basis, "on_site");
  EXPECT_EQ(e.p50, kT0 + p50);
  EXPECT_EQ(e.p90, kT0 + p90);
  // Three times the median on (451 min), still off: not "half an hour from now" but what is
  // left of such a repair, 0.57968 of the median (EtrModel.WhatIsLeft...): 87.2 minutes.
  const Timestamp late = kT0 + 3 * p50;
  e = m.fault(f, late);
  const double left_min = std::chrono::duration<double, std::ratio<60>>(e.p50 - late).count();
  EXPECT_NEAR(left_min, 0.57968 * 150.35, 0.1);
  EXPECT_GE(e.p90, e.p50);
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
