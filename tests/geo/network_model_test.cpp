#include "geo/network_model.h"

#include <gtest/gtest.h>

#include "geo/synthetic_utility.h"
#include "geo/topology.h"
#include "tests/geo/feeders.h"

namespace outage {
namespace {

TEST(NetworkModel, FindsIdsWhateverTheirCase) {
  NetworkModel m;
  BusId b = m.add_bus_or_get("Bus_A");
  EXPECT_EQ(m.bus(b).id, "bus_a");
  EXPECT_EQ(m.find_bus("BUS_a"), b);
  EXPECT_EQ(m.add_bus_or_get("bus_A"), b) << "the same bus, not a new one";
  ElementId e = m.add_element("Line.X", ElementKind::line, b, m.add_bus_or_get("b")).value();
  EXPECT_EQ(m.find_element("line.x"), e);
  EXPECT_FALSE(m.find_element("line.y").valid());
}

TEST(NetworkModel, RefusesDuplicatesAndDanglingReferences) {
  NetworkModel m;
  BusId a = m.add_bus_or_get("a");
  ASSERT_TRUE(m.add_element("l1", ElementKind::line, a, m.add_bus_or_get("b")).ok());
  auto dup = m.add_element("L1", ElementKind::line, a, a);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message, "duplicate element id 'l1'");
  EXPECT_FALSE(m.add_element("l2", ElementKind::line, BusId(99), a).ok());
  EXPECT_FALSE(m.add_service_point("m1", BusId()).ok());
  auto sp = m.add_service_point("m1", a);
  ASSERT_TRUE(sp.ok());
  EXPECT_FALSE(m.add_service_point("M1", a).ok());
  ASSERT_TRUE(m.add_customer("c1", *sp).ok());
  EXPECT_FALSE(m.add_customer("c1", *sp).ok());
  EXPECT_FALSE(m.add_customer("c2", ServicePointId(7)).ok());
}

TEST(NetworkModel, BulkLoadingIndexesEveryRecordAtTheEnd) {
  NetworkModel m;
  const int n = 5000;  // enough for home slots near the end of the table, whose probes wrap
  for (int i = 0; i < n; ++i) m.append_bus("Bus" + std::to_string(i));
  for (int i = 0; i < n; ++i) m.append_element("e" + std::to_string(i), ElementKind::line, BusId(i), BusId((i + 1) % n));
  EXPECT_FALSE(m.find_bus("bus1").valid()) << "not indexed before finish_bulk";
  ASSERT_TRUE(m.finish_bulk().ok());
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(m.find_bus("BUS" + std::to_string(i)), BusId(i)) << i;
    ASSERT_EQ(m.find_element("e" + std::to_string(i)), ElementId(i)) << i;
  }
  EXPECT_FALSE(m.find_bus("bus" + std::to_string(n)).valid());
  // The index keeps working for ordinary additions afterwards.
  BusId extra = m.add_bus_or_get("extra");
  EXPECT_EQ(m.find_bus("extra"), extra);
  EXPECT_EQ(m.add_bus_or_get("bus17"), BusId(17));
}

TEST(NetworkModel, BulkLoadingNamesTheFirstDuplicate) {
  NetworkModel m;
  m.append_bus("a");
  m.append_bus("b");
  m.append_bus("A");
  auto s = m.finish_bulk();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "duplicate bus id 'a'");
}

TEST(SyntheticUtility, TilesAFeederIntoIndependentFeeders) {
  NetworkModel base = testing::read_feeder("ieee13/IEEE13Nodeckt.dss");
  NetworkModel utility = tile_model(base, 3);
  EXPECT_EQ(utility.buses().size(), 3 * base.buses().size());
  EXPECT_EQ(utility.elements().size(), 3 * base.elements().size());
  EXPECT_EQ(utility.customers().size(), 3 * base.customers().size());
  Topology t(utility);
  Topology tb(base);
  EXPECT_EQ(t.feeder_count(), 3 * tb.feeder_count());
  EXPECT_EQ(t.energized_bus_count(), utility.buses().size());
  for (int c = 0; c < 3; ++c) {
    BusId source_bus = utility.find_bus("t" + std::to_string(c) + "/sourcebus");
    ASSERT_TRUE(source_bus.valid());
    EXPECT_EQ(t.customers_below(source_bus), base.customers().size()) << "copy " << c;
  }
  ElementId sw = utility.find_element("t1/line.671692");
  ASSERT_TRUE(sw.valid());
  t.set_open(sw, true);
  EXPECT_EQ(t.energized_bus_count(), utility.buses().size() - 2) << "only copy 1's 692 and 675";
}

}  // namespace
}  // namespace outage
