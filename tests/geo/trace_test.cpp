#include "geo/trace.h"

#include <gtest/gtest.h>

#include "tests/geo/feeders.h"

namespace outage {
namespace {

TEST(Trace, ResolvesBareOpenDssNamesCaseInsensitively) {
  NetworkModel m = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  auto line = resolve_subject(m, "LN6201670-1");
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(m.element(line->element).id, "line.ln6201670-1") << "a fused line wins over its fuse";
  auto fuse = resolve_subject(m, "Fuse.LN6201670-1");
  ASSERT_TRUE(fuse.ok());
  EXPECT_EQ(m.element(fuse->element).kind, ElementKind::fuse);
  auto bus = resolve_subject(m, "M1009763");
  ASSERT_TRUE(bus.ok());
  EXPECT_EQ(bus->kind, Subject::Kind::bus);
  auto load = resolve_subject(m, "Load.138236B0");
  ASSERT_TRUE(load.ok());
  EXPECT_EQ(load->kind, Subject::Kind::service_point);
  auto none = resolve_subject(m, "no-such-thing");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
}

TEST(Trace, ListsTheFuseFirstForALineItProtects) {
  NetworkModel m = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  Topology t(m);
  auto r = trace(t, {"ln6201670-1", {}, {}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_FALSE(r->upstream.empty());
  EXPECT_EQ(r->upstream.front(), "fuse.ln6201670-1");
  EXPECT_EQ(r->upstream.back(), "relay.subbreaker");
  EXPECT_TRUE(r->energized);
  EXPECT_FALSE(r->operated);
}

TEST(Trace, OpeningAFuseDeEnergizesWhatItsLineFeeds) {
  NetworkModel m = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  Topology t(m);
  BusId below = t.downstream_bus(m.find_element("fuse.ln6201670-1"));
  std::uint32_t expected_customers = t.customers_below(below);
  std::uint32_t expected_buses = t.buses_below(below);
  auto r = trace(t, {"ln6201670-1", {"Fuse.LN6201670-1"}, {}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->deenergized_buses.size(), expected_buses);
  EXPECT_EQ(r->deenergized_customers, expected_customers);
  EXPECT_TRUE(std::is_sorted(r->deenergized_buses.begin(), r->deenergized_buses.end()));
  EXPECT_FALSE(r->energized);
  ASSERT_EQ(r->upstream.size(), 2u) << "the open fuse still protects its line";
  EXPECT_EQ(r->upstream.front(), "fuse.ln6201670-1");
  EXPECT_EQ(r->feeder, "transformer.hvmv_sub") << "the line sits on the substation's feeder, fed end";
}

TEST(Trace, RefusesToOperateABusOrAnUnknownSwitch) {
  NetworkModel m = testing::read_feeder("ieee13/IEEE13Nodeckt.dss");
  Topology t(m);
  auto bus = trace(t, {"671", {"692"}, {}});
  ASSERT_FALSE(bus.ok());
  EXPECT_EQ(bus.error().code, ErrorCode::invalid_input);
  EXPECT_NE(bus.error().message.find("--open: '692' is a bus"), std::string::npos) << bus.error().message;
  auto unknown = trace(t, {"671", {}, {"sw99"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace outage
