// The VRPTW solver: feasible answers on every Solomon family, the same answer for the same seed
// and iteration cap, the best-known vehicle count on an easy instance, customers no vehicle can
// serve refused by name, and a small instance whose optimum is worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dispatch/vrptw_instance.h"
#include "dispatch/vrptw_routes.h"
#include "dispatch/vrptw_solver.h"

namespace outage {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

VrptwInstance solomon(const std::string& name) {
  auto i = parse_solomon(read(std::string(OUTAGE_SHARED_DATA) + "/solomon/instances/" + name + ".txt"), name);
  EXPECT_TRUE(i) << i.error().message;
  return i ? *i : VrptwInstance{};
}

VrptwInstance parse(const std::string& text) {
  auto i = parse_solomon(text, "hand-made");
  EXPECT_TRUE(i) << i.error().message;
  return i ? *i : VrptwInstance{};
}

// A header for hand-made instances: `vehicles` vehicles of capacity 10, then the rows.
std::string instance_text(int vehicles, const std::string& rows) {
  return "HAND\n\nVEHICLE\nNUMBER     CAPACITY\n  " + std::to_string(vehicles) +
         "         10\n\nCUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n" + rows;
}

VrptwSolverOptions capped(long iterations, std::uint64_t seed = 1) {
  VrptwSolverOptions o;
  o.iterations = iterations;
  o.seed = seed;
  return o;
}

TEST(VrptwSolver, AnswersOnEveryFamilyPassTheRoutesCheck) {
  for (const char* name : {"C103", "C204", "R104", "R205", "RC103", "RC206"}) {
    const VrptwInstance instance = solomon(name);
    auto solution = solve_vrptw(instance, capped(1500));
    ASSERT_TRUE(solution) << name << ": " << solution.error().message;
    auto cost = evaluate_routes(instance, solution->routes);
    ASSERT_TRUE(cost) << name << ": " << cost.error().message;
    EXPECT_EQ(cost->vehicles, solution->cost.vehicles) << name;
    EXPECT_DOUBLE_EQ(cost->distance, solution->cost.distance) << name;
    EXPECT_EQ(cost->vehicles, static_cast<int>(solution->routes.size())) << name << ": no empty routes";
    EXPECT_LE(solution->iterations, 1500) << name;
  }
}

TEST(VrptwSolver, TheSameSeedAndCapGiveTheSameRoutes) {
  const VrptwInstance instance = solomon("R102");
  auto first = solve_vrptw(instance, capped(2000, 7));
  auto second = solve_vrptw(instance, capped(2000, 7));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(first->routes, second->routes);
  EXPECT_EQ(first->cost.distance, second->cost.distance);
}

TEST(VrptwSolver, ABudgetOnAClockThatStandsStillLeavesTheCapInCharge) {
  const VrptwInstance instance = solomon("RC105");
  ManualClock clock(Timestamp(Duration(1'000'000)));
  VrptwSolverOptions timed = capped(1000, 3);
  timed.clock = &clock;
  timed.budget = Duration(500);
  auto with_clock = solve_vrptw(instance, timed);
  auto without = solve_vrptw(instance, capped(1000, 3));
  ASSERT_TRUE(with_clock) << with_clock.error().message;
  ASSERT_TRUE(without) << without.error().message;
  EXPECT_EQ(with_clock->iterations, 1000);
  EXPECT_EQ(with_clock->routes, without->routes);
}

// A clock that moves on by a millisecond each time it is read.
class TickingClock final : public Clock {
 public:
  Timestamp now() const override { return now_ += Duration(1); }

 private:
  mutable Timestamp now_{Duration(0)};
};

TEST(VrptwSolver, TheBudgetStopsTheSearchBeforeTheCap) {
  const VrptwInstance instance = solomon("R201");
  TickingClock clock;
  VrptwSolverOptions o = capped(1'000'000);
  o.clock = &clock;
  o.budget = Duration(200);  // about 200 readings of the clock, at most one per step and phase
  auto solution = solve_vrptw(instance, o);
  ASSERT_TRUE(solution) << solution.error().message;
  EXPECT_GT(solution->iterations, 0);
  EXPECT_LE(solution->iterations, 200);
  EXPECT_TRUE(evaluate_routes(instance, solution->routes));
}

TEST(VrptwSolver, ReachesTheBestKnownVehicleCountOnC101) {
  // bks.csv: C101,10,828.94 (proven optimal, so no answer can be shorter).
  const VrptwInstance instance = solomon("C101");
  auto solution = solve_vrptw(instance, capped(4000));
  ASSERT_TRUE(solution) << solution.error().message;
  EXPECT_EQ(solution->cost.vehicles, 10);
  EXPECT_GE(solution->cost.distance, 828.94 - 0.005);
}

TEST(VrptwSolver, ReachesTheBestKnownVehicleCountOnC201) {
  // bks.csv: C201,3,591.56 (proven optimal).
  const VrptwInstance instance = solomon("C201");
  auto solution = solve_vrptw(instance, capped(4000));
  ASSERT_TRUE(solution) << solution.error().message;
  EXPECT_EQ(solution->cost.vehicles, 3);
  EXPECT_GE(solution->cost.distance, 591.56 - 0.005);
}

// Four customers of demand 5 on the axes, capacity 10, so at least two vehicles with two
// customers each:
//
//        y
//     4  (0,20)  window [0, 25]
//     3  (0,10)  window [30, 40]
//     D  (0,0) ---- 1 (10,0) window [0, 10] ---- 2 (20,0) window [0, 100]      x
//
// Pairings: {1,2} and {3,4} cost 40 + 40 = 80 (out and back along each axis); {1,3} and {2,4}
// cost (10 + 14.14 + 10) + (20 + 28.28 + 20) = 102.43; {1,4} and {2,3} cost 2 x (10 + 22.36 +
// 20) = 104.72. So the optimum is 2 vehicles and 80. The windows fix the order: 2 before 1
// reaches 1 at 30, after its window closes at 10, so [1, 2]; 3 before 4 waits at 3 until 30 and
// reaches 4 at 40, after 25, while [4, 3] reaches 4 at 20 and 3 at 30.
TEST(VrptwSolver, FindsTheOptimumOfASmallInstanceWorkedOutByHand) {
  const VrptwInstance instance = parse(instance_text(4,
                                                     "    0      0         0          0          0       100          0\n"
                                                     "    1     10         0          5          0        10          0\n"
                                                     "    2     20         0          5          0       100          0\n"
                                                     "    3      0        10          5         30        40          0\n"
                                                     "    4      0        20          5          0        25          0\n"));
  auto solution = solve_vrptw(instance, capped(500));
  ASSERT_TRUE(solution) << solution.error().message;
  EXPECT_EQ(solution->cost.vehicles, 2);
  EXPECT_NEAR(solution->cost.distance, 80, 1e-9);
  std::vector<std::vector<int>> routes = solution->routes;
  std::sort(routes.begin(), routes.end());
  EXPECT_EQ(routes, (std::vector<std::vector<int>>{{1, 2}, {4, 3}}));
}

TEST(VrptwSolver, RefusesACustomerHeavierThanAVehicleCarries) {
  const VrptwInstance instance = parse(instance_text(2,
                                                     "    0      0         0          0          0       100          0\n"
                                                     "    1     10         0          5          0       100          0\n"
                                                     "    2      0        10         11          0       100          0\n"));
  auto solution = solve_vrptw(instance, capped(100));
  ASSERT_FALSE(solution);
  EXPECT_EQ(solution.error().code, ErrorCode::invalid_input);
  EXPECT_NE(solution.error().message.find("customer 2"), std::string::npos) << solution.error().message;
}

TEST(VrptwSolver, RefusesACustomerWhoseWindowClosesBeforeAVehicleCanArrive) {
  // Customer 1 is 30 away from the depot and its window closes at 20.
  const VrptwInstance instance = parse(instance_text(2,
                                                     "    0      0         0          0          0       100          0\n"
                                                     "    1     30         0          5          0        20          0\n"
                                                     "    2      0        10          5          0       100          0\n"));
  auto solution = solve_vrptw(instance, capped(100));
  ASSERT_FALSE(solution);
  EXPECT_EQ(solution.error().code, ErrorCode::invalid_input);
  EXPECT_NE(solution.error().message.find("customer 1"), std::string::npos) << solution.error().message;
}

TEST(VrptwSolver, RefusesACustomerAfterWhomNoVehicleIsBackByTheHorizon) {
  // Customer 2 opens at 80, 10 from the depot, with 15 of service: back at 105, horizon 100.
  const VrptwInstance instance = parse(instance_text(2,
                                                     "    0      0         0          0          0       100          0\n"
                                                     "    1     10         0          5          0       100          0\n"
                                                     "    2      0        10          5         80        90         15\n"));
  auto solution = solve_vrptw(instance, capped(100));
  ASSERT_FALSE(solution);
  EXPECT_NE(solution.error().message.find("customer 2"), std::string::npos) << solution.error().message;
}

TEST(VrptwSolver, SaysSoWhenTheFleetIsTooSmall) {
  // Three customers of demand 5 at capacity 10 need two vehicles; the fleet has one.
  const VrptwInstance instance = parse(instance_text(1,
                                                     "    0      0         0          0          0       100          0\n"
                                                     "    1     10         0          5          0       100          0\n"
                                                     "    2      0        10          5          0       100          0\n"
                                                     "    3     10        10          5          0       100          0\n"));
  auto solution = solve_vrptw(instance, capped(200));
  ASSERT_FALSE(solution);
  EXPECT_EQ(solution.error().code, ErrorCode::invalid_input);
  EXPECT_NE(solution.error().message.find("fleet"), std::string::npos) << solution.error().message;
}

}  // namespace
}  // namespace outage
