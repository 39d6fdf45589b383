// The real IEEE test feeders in ../shared/data/feeders. Expected counts come from the files
// (../shared/data/README.md tabulates them; re-checked with grep over the files each master
// redirects to, e.g. `grep -ic '^new line' ieee8500/Lines.dss ieee8500/Triplex_Lines.DSS`).
#include <gtest/gtest.h>

#include "geo/topology.h"
#include "tests/geo/feeders.h"

namespace outage {
namespace {

using testing::read_feeder;

int line_objects(const NetworkModel& m) { return m.count(ElementKind::line) + m.count(ElementKind::switch_); }
int transformer_objects(const NetworkModel& m) {
  return m.count(ElementKind::transformer) + m.count(ElementKind::regulator);
}
int normally_open_switches(const NetworkModel& m) {
  int n = 0;
  for (const Element& e : m.elements()) n += e.kind == ElementKind::switch_ && e.normally_open;
  return n;
}
int positioned_buses(const NetworkModel& m) {
  int n = 0;
  for (const Bus& b : m.buses()) n += b.has_position;
  return n;
}

TEST(Ieee13, CountsMatchTheFile) {
  NetworkModel m = read_feeder("ieee13/IEEE13Nodeckt.dss");
  EXPECT_EQ(m.buses().size(), 16u) << "16 buses, each with an XY in IEEE13Node_BusXY.csv";
  EXPECT_EQ(positioned_buses(m), 16);
  EXPECT_EQ(line_objects(m), 12);
  EXPECT_EQ(m.count(ElementKind::switch_), 1) << "671692 is the only switch=y line";
  EXPECT_EQ(transformer_objects(m), 5);
  EXPECT_EQ(m.count(ElementKind::regulator), 3) << "Reg1..Reg3 are named by RegControls";
  EXPECT_EQ(m.service_points().size(), 15u);
  EXPECT_EQ(m.count(ElementKind::source), 1);
  EXPECT_EQ(m.crs.describe(), "schematic") << "diagram coordinates bear no relation to line lengths";
}

TEST(Ieee34, CountsMatchTheFile) {
  NetworkModel m = read_feeder("ieee34/Run_IEEE34Mod1.dss");
  EXPECT_EQ(line_objects(m), 32);
  EXPECT_EQ(m.count(ElementKind::switch_), 0);
  EXPECT_EQ(m.service_points().size(), 68u);
  EXPECT_EQ(transformer_objects(m), 8);
  EXPECT_EQ(m.count(ElementKind::regulator), 6) << "two banks of three single-phase regulators";
  EXPECT_EQ(positioned_buses(m), static_cast<int>(m.buses().size())) << "Mod1 has an XY for every bus";
}

TEST(Ieee123, CountsMatchTheFile) {
  NetworkModel m = read_feeder("ieee123/IEEE123Switches.dss");
  EXPECT_EQ(line_objects(m), 126);
  EXPECT_EQ(m.count(ElementKind::switch_), 8) << "Sw1..Sw8";
  EXPECT_EQ(normally_open_switches(m), 2) << "Sw7 and Sw8 are opened by `open Line.SwN terminal=2`";
  EXPECT_EQ(m.service_points().size(), 91u);
  EXPECT_EQ(transformer_objects(m), 8);
  EXPECT_EQ(m.count(ElementKind::regulator), 7) << "7 RegControls; XFM1 is a plain transformer";
}

TEST(Ieee123, RunScriptBringsCoordinatesInFeet) {
  NetworkModel m = read_feeder("ieee123/Run_IEEE123Bus.DSS");
  EXPECT_EQ(positioned_buses(m), 130) << "130 of 132: the dummy 300_OPEN and 94_OPEN have no XY";
  EXPECT_EQ(m.buses().size(), 132u);
  EXPECT_EQ(m.crs.describe(), "local (ft)") << "coordinate distance = length in kft x 1000";
}

TEST(Ieee8500, CountsMatchTheFiles) {
  NetworkModel m = read_feeder("ieee8500/Run_RecloserSiting.DSS");
  EXPECT_EQ(line_objects(m), 3703) << "2526 in Lines.dss + 1177 triplex";
  EXPECT_EQ(m.count(ElementKind::switch_), 43);
  EXPECT_EQ(normally_open_switches(m), 5) << "five switches with enabled=False";
  EXPECT_EQ(m.service_points().size(), 1177u);
  EXPECT_EQ(transformer_objects(m), 1190);
  EXPECT_EQ(m.count(ElementKind::regulator), 12) << "four three-phase banks, 12 RegControls";
  EXPECT_EQ(m.count(ElementKind::fuse), 30) << "Fuses.DSS";
  EXPECT_EQ(m.count(ElementKind::breaker), 1) << "Relay.SubBreaker";
  EXPECT_EQ(positioned_buses(m), static_cast<int>(m.buses().size()));
  EXPECT_EQ(m.crs.describe(), "local (ft)");
}

TEST(Ieee9500, CountsMatchTheFile) {
  NetworkModel m = read_feeder("ieee9500/ieee9500_base.dss");
  EXPECT_EQ(line_objects(m), 4018);
  EXPECT_EQ(m.count(ElementKind::switch_), 109);
  EXPECT_EQ(normally_open_switches(m), 11) << "11 `open Line.X` commands";
  EXPECT_EQ(m.service_points().size(), 1275u);
  EXPECT_EQ(transformer_objects(m), 1304);
  EXPECT_EQ(m.crs.describe(), "EPSG:4326");
  EXPECT_EQ(positioned_buses(m), static_cast<int>(m.buses().size()));
}

TEST(Ieee9500, HasThreeFeedersBelowItsSubstations) {
  NetworkModel m = read_feeder("ieee9500/ieee9500_base.dss");
  Topology t(m);
  int distribution = 0;
  for (std::uint32_t i = 0; i < t.feeder_count(); ++i) {
    const Feeder& f = t.feeder(FeederId(i));
    if (f.supply_bus.valid()) {
      ++distribution;
      EXPECT_TRUE(f.energized) << f.name;
      EXPECT_GT(f.prefix_customers.back(), 100u) << f.name;
    }
  }
  EXPECT_EQ(distribution, 3) << "hvmv69_11sub1..3 step 69 kV down to 12.47 kV";
}

TEST(Ieee8500, EveryLoadReachesTheSource) {
  NetworkModel m = read_feeder("ieee8500/Run_RecloserSiting.DSS");
  Topology t(m);
  ElementId source = m.find_element("vsource.source");
  ASSERT_TRUE(source.valid());
  BusId source_bus = m.element(source).bus1;
  for (const ServicePoint& sp : m.service_points()) {
    ASSERT_TRUE(t.energized(sp.bus)) << sp.id;
    EXPECT_EQ(t.source_of(sp.bus), source) << sp.id;
    EXPECT_TRUE(t.is_below(sp.bus, source_bus)) << sp.id;
  }
  EXPECT_EQ(t.customers_below(source_bus), m.customers().size());
  EXPECT_TRUE(t.loops().empty());
  EXPECT_TRUE(t.islands().empty());
}

TEST(Ieee8500, UpstreamChainOfALoadBelowAFuseNamesThatFuse) {
  NetworkModel m = read_feeder("ieee8500/Run_RecloserSiting.DSS");
  Topology t(m);
  ElementId breaker = m.find_element("relay.subbreaker");
  int loads_checked = 0, fuses_with_loads = 0;
  for (std::uint32_t i = 0; i < m.elements().size(); ++i) {
    const Element& fuse = m.element(ElementId(i));
    if (fuse.kind != ElementKind::fuse) continue;
    BusId below = t.downstream_bus(ElementId(i));
    ASSERT_TRUE(below.valid()) << fuse.id;
    bool any = false;
    for (const ServicePoint& sp : m.service_points()) {
      if (!t.is_below(sp.bus, below)) continue;
      auto chain = t.upstream_protective(sp.bus);
      ASSERT_FALSE(chain.empty());
      EXPECT_NE(std::find(chain.begin(), chain.end(), ElementId(i)), chain.end()) << sp.id << " below " << fuse.id;
      EXPECT_EQ(chain.back(), breaker) << "the substation relay is the last device before the source";
      any = true;
      ++loads_checked;
    }
    fuses_with_loads += any;
  }
  EXPECT_GT(fuses_with_loads, 20);
  EXPECT_GT(loads_checked, 50);
}

}  // namespace
}  // namespace outage
