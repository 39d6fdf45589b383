// Solomon VRPTW instances and the routes checker: the planner's external reference.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dispatch/vrptw_instance.h"
#include "dispatch/vrptw_routes.h"

namespace outage {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A depot at (0, 0) open until 100, and three customers on the axes.
const char* kTiny =
    "TINY\n\nVEHICLE\nNUMBER     CAPACITY\n  2         10\n\nCUSTOMER\n"
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n \n"
    "    0      0         0          0          0       100          0\n"
    "    1      3         4          5          0        10          1\n"
    "    2      6         8          5         20        30          1\n"
    "    3      0        10          4          0        50          2\n";

VrptwInstance tiny() {
  auto i = parse_solomon(kTiny, "tiny");
  EXPECT_TRUE(i) << i.error().message;
  return *i;
}

TEST(Vrptw, ReadsASolomonInstanceAsTheFileGivesIt) {
  auto i = parse_solomon(read(std::string(OUTAGE_SHARED_DATA) + "/solomon/instances/C101.txt"), "C101.txt");
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->name, "C101");
  EXPECT_EQ(i->vehicles, 25);
  EXPECT_DOUBLE_EQ(i->capacity, 200);
  ASSERT_EQ(i->customers(), 100);
  // The depot's row, and customer 1's: "1 45 68 10 912 967 90" (CRLF line ends in the file).
  EXPECT_DOUBLE_EQ(i->sites[0].x, 40);
  EXPECT_DOUBLE_EQ(i->sites[0].due, 1236);
  EXPECT_DOUBLE_EQ(i->sites[1].x, 45);
  EXPECT_DOUBLE_EQ(i->sites[1].y, 68);
  EXPECT_DOUBLE_EQ(i->sites[1].demand, 10);
  EXPECT_DOUBLE_EQ(i->sites[1].ready, 912);
  EXPECT_DOUBLE_EQ(i->sites[1].due, 967);
  EXPECT_DOUBLE_EQ(i->sites[1].service, 90);
}

TEST(Vrptw, EverySolomonInstanceReads) {
  for (const char* name : {"C101", "C208", "R101", "R211", "RC101", "RC208"}) {
    auto i = parse_solomon(read(std::string(OUTAGE_SHARED_DATA) + "/solomon/instances/" + name + ".txt"), name);
    ASSERT_TRUE(i) << i.error().message;
    EXPECT_EQ(i->customers(), 100) << name;
  }
}

TEST(Vrptw, AFeasibleSolutionIsMeasuredLegByLeg) {
  const VrptwInstance i = tiny();
  // Route 0: 0 -> 1 (5, served 5-6) -> 2 (5 more, at 11, waits to 20, served to 21) -> 0 (10).
  // Route 1: 0 -> 3 (10) -> 0 (10). Distance 5 + 5 + 10 + 10 + 10 = 40.
  auto cost = evaluate_routes(i, {{1, 2}, {}, {3}});
  ASSERT_TRUE(cost) << cost.error().message;
  EXPECT_EQ(cost->vehicles, 2);
  EXPECT_NEAR(cost->distance, 40.0, 1e-9);
}

TEST(Vrptw, AnInfeasibleSolutionIsRefusedWithTheRouteAndTheCustomer) {
  const VrptwInstance i = tiny();
  // 0 -> 2 (10) -> 1: reached at 20 + 1 + 5 = 26, after its window closes at 10.
  auto late = evaluate_routes(i, {{2, 1}, {3}});
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("route 0: customer 1 is reached at 26.00"), std::string::npos) << late.error().message;
  // 5 + 5 + 4 = 14 over the capacity 10.
  auto heavy = evaluate_routes(i, {{1, 3, 2}});
  ASSERT_FALSE(heavy);
  EXPECT_NE(heavy.error().message.find("over the capacity 10"), std::string::npos) << heavy.error().message;
  auto twice = evaluate_routes(i, {{1, 2}, {3, 1}});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("customer 1 is on route 0 already"), std::string::npos);
  auto missing = evaluate_routes(i, {{1, 2}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("customer 3 is on no route"), std::string::npos);
  EXPECT_FALSE(evaluate_routes(i, {{1, 2}, {3, 7}}));
}

TEST(Vrptw, BadFilesAreRefusedWithTheLine) {
  auto no_fleet = parse_solomon("X\n\nCUSTOMER\n", "x.txt");
  ASSERT_FALSE(no_fleet);
  EXPECT_NE(no_fleet.error().message.find("x.txt:3: expected the VEHICLE block"), std::string::npos) << no_fleet.error().message;
  std::string text = kTiny;
  auto word = parse_solomon(text.replace(text.find("20        30"), 2, "xx"), "tiny");
  ASSERT_FALSE(word);
  EXPECT_NE(word.error().message.find("field 5 is not a number: 'xx'"), std::string::npos) << word.error().message;
  std::string window = kTiny;
  auto closed = parse_solomon(window.replace(window.find("20        30"), 12, "40        30"), "tiny");
  ASSERT_FALSE(closed);
  EXPECT_NE(closed.error().message.find("closes (30) before it opens (40)"), std::string::npos) << closed.error().message;
  EXPECT_FALSE(parse_solomon("X\n\nVEHICLE\nNUMBER CAPACITY\n 2 10\n", "short"));
}

}  // namespace
}  // namespace outage
