#include "geo/topology.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/geo/feeders.h"

namespace outage {
namespace {

// Builds small models by hand for the drawings below.
struct Builder {
  NetworkModel m;
  BusId bus(const std::string& id) { return m.add_bus_or_get(id); }
  ElementId branch(const std::string& id, ElementKind kind, const std::string& a, const std::string& b,
                   bool open = false) {
    ElementId e = m.add_element(id, kind, bus(a), bus(b)).value();
    m.element(e).normally_open = open;
    return e;
  }
  ElementId source(const std::string& id, const std::string& at, float kv = 12.47f) {
    ElementId e = m.add_element(id, ElementKind::source, bus(at), {}).value();
    m.element(e).kv = kv;
    return e;
  }
  ElementId mounted(const std::string& id, ElementKind kind, ElementId host) {
    ElementId e = m.add_element(id, kind, m.element(host).bus1, {}).value();
    m.element(e).host = host;
    return e;
  }
  void customers(const std::string& at, int n) {
    ServicePointId sp = m.add_service_point("m-" + at, bus(at)).value();
    for (int i = 0; i < n; ++i) (void)m.add_customer("c-" + at + "-" + std::to_string(i), sp).value();
  }
};

// Two feeders joined by a normally-open tie:
//
//   srcA ─ a0 ─L1─ a1 ─L2[fuse F2]─ a2 ─L3─ a3
//                  │
//                  L4 ─ a4 ──TIE (open)── b4
//                                          │
//   srcB ─ b0 ─L5─ b1 ─L6─ b2 ─L7─ b3 ─L8──┘
//
// One customer at every lettered bus but a0/b0, two at a3.
struct TwoFeeders : ::testing::Test {
  Builder b;
  ElementId srcA, srcB, l1, l2, f2, l4, tie, l5;
  void SetUp() override {
    srcA = b.source("srcA", "a0");
    srcB = b.source("srcB", "b0");
    l1 = b.branch("L1", ElementKind::line, "a0", "a1");
    l2 = b.branch("L2", ElementKind::line, "a1", "a2");
    f2 = b.mounted("F2", ElementKind::fuse, l2);
    b.branch("L3", ElementKind::line, "a2", "a3");
    l4 = b.branch("L4", ElementKind::line, "a1", "a4");
    tie = b.branch("TIE", ElementKind::switch_, "a4", "b4", true);
    l5 = b.branch("L5", ElementKind::line, "b0", "b1");
    b.branch("L6", ElementKind::line, "b1", "b2");
    b.branch("L7", ElementKind::line, "b2", "b3");
    b.branch("L8", ElementKind::line, "b3", "b4");
    for (const char* at : {"a1", "a2", "a4", "b1", "b2", "b3", "b4"}) b.customers(at, 1);
    b.customers("a3", 2);
  }
  BusId bus(const char* id) { return b.m.find_bus(id); }
};

TEST_F(TwoFeeders, EnergizesEveryBusFromItsOwnSource) {
  Topology t(b.m);
  EXPECT_EQ(t.feeder_count(), 2u);
  EXPECT_EQ(t.energized_bus_count(), b.m.buses().size());
  EXPECT_EQ(t.source_of(bus("a3")), srcA);
  EXPECT_EQ(t.source_of(bus("b4")), srcB) << "the tie is open, so b4 is fed around through b3";
  EXPECT_TRUE(t.loops().empty());
  EXPECT_TRUE(t.islands().empty());
}

TEST_F(TwoFeeders, AnswersIsBelowAndCustomersBelow) {
  Topology t(b.m);
  EXPECT_TRUE(t.is_below(bus("a3"), bus("a1")));
  EXPECT_TRUE(t.is_below(bus("a1"), bus("a1")));
  EXPECT_FALSE(t.is_below(bus("a1"), bus("a3")));
  EXPECT_FALSE(t.is_below(bus("a4"), bus("a2"))) << "siblings";
  EXPECT_FALSE(t.is_below(bus("b3"), bus("a1"))) << "other feeder";
  EXPECT_EQ(t.customers_below(bus("a1")), 5u) << "a1, a2, a3 (two), a4";
  EXPECT_EQ(t.customers_below(bus("a2")), 3u);
  EXPECT_EQ(t.buses_below(bus("a0")), 5u);
  EXPECT_EQ(t.service_points_below(bus("b1")), 4u);
}

TEST_F(TwoFeeders, ListsTheFuseUpstreamOfWhatItProtects) {
  Topology t(b.m);
  EXPECT_EQ(t.upstream_protective(bus("a3")), std::vector<ElementId>{f2});
  EXPECT_EQ(t.upstream_protective(l2), std::vector<ElementId>{f2}) << "a fused line lists its fuse";
  EXPECT_TRUE(t.upstream_protective(f2).empty()) << "a device does not list itself";
  EXPECT_TRUE(t.upstream_protective(bus("a4")).empty());
  EXPECT_EQ(t.downstream_bus(f2), bus("a2"));
}

TEST_F(TwoFeeders, OpeningAFuseDeEnergizesBelowItAndRebuildsOnlyItsFeeder) {
  Topology t(b.m);
  auto rebuilt = t.set_open(f2, true);
  ASSERT_EQ(rebuilt.size(), 1u);
  EXPECT_EQ(rebuilt[0], t.feeder_of(bus("a1")));
  EXPECT_FALSE(t.energized(bus("a2")));
  EXPECT_FALSE(t.energized(bus("a3")));
  EXPECT_TRUE(t.energized(bus("a4")));
  EXPECT_EQ(t.customers_below(bus("a1")), 2u) << "a1 and a4 remain";
  auto islands = t.islands();
  ASSERT_EQ(islands.size(), 1u);
  EXPECT_EQ(islands[0].size(), 2u);
  t.set_open(f2, false);
  EXPECT_TRUE(t.energized(bus("a3")));
  EXPECT_EQ(t.customers_below(bus("a1")), 5u);
}

TEST_F(TwoFeeders, ReportsTheOpenTieWithTheFeedersItJoins) {
  Topology t(b.m);
  auto open = t.open_switches();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].element, tie);
  EXPECT_EQ(open[0].feeder1, t.feeder_of(bus("a4")));
  EXPECT_EQ(open[0].feeder2, t.feeder_of(bus("b4")));
  EXPECT_NE(open[0].feeder1, open[0].feeder2);
}

TEST_F(TwoFeeders, ClosingTheTieWithBothSourcesOnReportsALoop) {
  Topology t(b.m);
  t.set_open(tie, false);
  auto loops = t.loops();
  ASSERT_EQ(loops.size(), 1u);
  EXPECT_EQ(t.energized_bus_count(), b.m.buses().size());
}

TEST_F(TwoFeeders, TransferringLoadThroughTheTieReEnergizesTheOtherFeeder) {
  Topology t(b.m);
  t.set_open(l5, true);
  EXPECT_FALSE(t.energized(bus("b1")));
  t.set_open(tie, false);
  for (const char* id : {"b1", "b2", "b3", "b4"}) {
    EXPECT_TRUE(t.energized(bus(id))) << id;
    EXPECT_EQ(t.source_of(bus(id)), srcA) << id;
  }
  EXPECT_TRUE(t.is_below(bus("b1"), bus("a4")));
  EXPECT_EQ(t.customers_below(bus("a1")), 9u) << "5 of its own + 4 transferred";
  EXPECT_TRUE(t.loops().empty());
  t.reset_to_normal();
  EXPECT_EQ(t.source_of(bus("b1")), srcB);
}

TEST(Topology, ParallelUnitsOfABankAreNotALoop) {
  // src ─ s ─R_A─ r ─L─ x      (R_A, R_B, R_C: three single-phase regulators, same two buses)
  //           ─R_B─
  //           ─R_C─
  Builder b;
  b.source("src", "s");
  ElementId ra = b.branch("R_A", ElementKind::regulator, "s", "r");
  ElementId rb = b.branch("R_B", ElementKind::regulator, "s", "r");
  b.branch("R_C", ElementKind::regulator, "s", "r");
  b.branch("L", ElementKind::line, "r", "x");
  b.customers("x", 1);
  Topology t(b.m);
  EXPECT_TRUE(t.loops().empty());
  EXPECT_EQ(t.downstream_bus(ra), b.m.find_bus("r"));
  EXPECT_EQ(t.downstream_bus(rb), b.m.find_bus("r")) << "a parallel unit feeds the same bus";
}

TEST(Topology, ASubstationTransformerStartsAFeederBelowTheSource) {
  //   src(115 kV) ─ hv ─T(115/12.47)─ mv ─L─ x
  Builder b;
  b.source("src", "hv", 115);
  ElementId tr = b.branch("T", ElementKind::transformer, "hv", "mv");
  b.m.element(tr).kv = 115;
  b.m.element(tr).kv2 = 12.47f;
  b.branch("L", ElementKind::line, "mv", "x");
  b.customers("x", 3);
  Topology t(b.m);
  ASSERT_EQ(t.feeder_count(), 2u);
  FeederId sub = t.feeder_headed_by(tr);
  ASSERT_TRUE(sub.valid());
  EXPECT_EQ(t.feeder_of(b.m.find_bus("x")), sub);
  EXPECT_EQ(t.customers_below(b.m.find_bus("hv")), 3u) << "child feeders count towards their supply bus";
  EXPECT_TRUE(t.is_below(b.m.find_bus("x"), b.m.find_bus("hv")));
  auto rebuilt = t.set_open(tr, true);
  EXPECT_EQ(rebuilt, std::vector<FeederId>{t.feeder_of(b.m.find_bus("hv"))}) << "only the parent's sums change";
  EXPECT_FALSE(t.energized(b.m.find_bus("x")));
  EXPECT_EQ(t.customers_below(b.m.find_bus("hv")), 0u);
}

TEST(Topology, AClosedLoopInsideAFeederIsReportedNotFatal) {
  //   src ─ s ─L1─ a ─L2─ b
  //            └──L3──────┘
  Builder b;
  b.source("src", "s");
  b.branch("L1", ElementKind::line, "s", "a");
  b.branch("L2", ElementKind::line, "a", "b");
  ElementId l3 = b.branch("L3", ElementKind::line, "s", "b");
  Topology t(b.m);
  // The depth-first walk takes L1 then L2 to b, so L3 is the edge that closes the loop.
  EXPECT_EQ(t.loops(), std::vector<ElementId>{l3});
  EXPECT_EQ(t.energized_bus_count(), 3u);
}

TEST(Ieee13, OpeningSwitch671To692DeEnergizesExactlyTheBusesBelowIt) {
  NetworkModel m = testing::read_feeder("ieee13/IEEE13Nodeckt.dss");
  Topology t(m);
  ElementId sw = m.find_element("line.671692");
  ASSERT_TRUE(sw.valid());
  ASSERT_EQ(t.downstream_bus(sw), m.find_bus("692"));
  t.set_open(sw, true);
  std::vector<std::string> dead;
  for (const Bus& bus : m.buses())
    if (!t.energized(m.find_bus(bus.id))) dead.emplace_back(bus.id);
  std::sort(dead.begin(), dead.end());
  // In IEEE13Nodeckt.dss the only line leaving 692 is 692675 (to 675), which ends there.
  EXPECT_EQ(dead, (std::vector<std::string>{"675", "692"}));
}

TEST(Ieee123, TieSwitchesSw7AndSw8AreFoundNormallyOpen) {
  NetworkModel m = testing::read_feeder("ieee123/IEEE123Switches.dss");
  Topology t(m);
  std::vector<std::string> open;
  for (const TieSwitch& s : t.open_switches()) open.emplace_back(m.element(s.element).id);
  std::sort(open.begin(), open.end());
  EXPECT_EQ(open, (std::vector<std::string>{"line.sw7", "line.sw8"}));
  EXPECT_TRUE(t.loops().empty());
  EXPECT_EQ(t.energized_bus_count(), m.buses().size());
}

TEST(Ieee123, ClosingSw7AfterOpeningSw5ReEnergizesTheSectionBelowSw5) {
  // Sw5 (97-197) feeds 197 -> 101 -> ... -> 108 -> 300 (L108); Sw7 ties 151 to 300. With Sw5
  // open everything below 197 is dark; closing Sw7 feeds that whole section back from 151.
  NetworkModel m = testing::read_feeder("ieee123/IEEE123Switches.dss");
  Topology t(m);
  ElementId sw5 = m.find_element("line.sw5"), sw7 = m.find_element("line.sw7");
  BusId b197 = m.find_bus("197"), b300 = m.find_bus("300");
  auto below = t.buses_below_list(b197);
  ASSERT_NE(std::find(below.begin(), below.end(), b300), below.end());
  t.set_open(sw5, true);
  for (BusId x : below) EXPECT_FALSE(t.energized(x)) << m.bus(x).id;
  EXPECT_EQ(t.energized_bus_count(), m.buses().size() - below.size());
  t.set_open(sw7, false);
  for (BusId x : below) EXPECT_TRUE(t.energized(x)) << m.bus(x).id;
  EXPECT_EQ(t.parent_element(b300), sw7);
  EXPECT_TRUE(t.is_below(b197, m.find_bus("151")));
  EXPECT_TRUE(t.loops().empty());
}

}  // namespace
}  // namespace outage
