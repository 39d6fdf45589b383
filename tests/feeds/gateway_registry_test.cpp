// GatewayRegistry: the smart community / smart park gateways CSV, read against the IEEE 13 feeder.
#include "feeds/gateway_registry.h"

#include <gtest/gtest.h>

#include "tests/geo/feeders.h"

namespace outage {
namespace {

// IEEE 13 (IEEE13Nodeckt.dss): transformer XFM1 feeds bus 634 (4.16 kV -> 0.48 kV), where load
// 634 hangs; loads 671 and 692 are meters on buses 671 and 692.
NetworkModel ieee13() { return testing::read_feeder("ieee13/IEEE13Nodeckt.dss"); }

TEST(GatewayRegistry, ReadsGatewaysWatchingATransformerARoomOrMeters) {
  NetworkModel m = ieee13();
  auto r = GatewayRegistry::parse(
      "gateway,site,kind,x,y,transformer,room,meters\n"
      "GW-1,Sunrise Garden,community,1.5,2.5,Transformer.XFM1,,\n"
      "gw-2,Tech Park,park,,,,671,\n"
      "gw-3,\"Lakeside, phase 2\",,,,,,671;692\n",
      "gateways.csv", m);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  const Gateway* g1 = r->find("gw-1");  // ids are case-insensitive
  ASSERT_NE(g1, nullptr);
  EXPECT_EQ(g1->site, "Sunrise Garden");
  EXPECT_EQ(g1->transformer, m.find_element("transformer.xfm1"));
  ASSERT_TRUE(g1->position.has_value());
  EXPECT_EQ(*g1->position, (Point{1.5, 2.5}));
  EXPECT_EQ(r->find("GW-2")->room, m.find_bus("671"));
  EXPECT_EQ(r->find("gw-2")->kind, "park");
  EXPECT_EQ(r->find("gw-3")->kind, "community");  // empty kind defaults
  EXPECT_EQ(r->find("gw-3")->site, "Lakeside, phase 2");
  EXPECT_EQ(r->find("gw-3")->meters,
            (std::vector<ServicePointId>{m.find_service_point("671"), m.find_service_point("692")}));
  EXPECT_EQ(r->find("gw-9"), nullptr);
}

TEST(GatewayRegistry, RefusesRowsNamingTheLineAndTheField) {
  NetworkModel m = ieee13();
  auto error = [&](const std::string& text) {
    auto r = GatewayRegistry::parse(text, "gw.csv", m);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  EXPECT_EQ(error("gateway,transformer\ng1,transformer.nope\n"), "gw.csv:2: field 'transformer': unknown transformer 'transformer.nope'");
  EXPECT_EQ(error("gateway,transformer\ng1,line.650632\n"), "gw.csv:2: field 'transformer': unknown transformer 'line.650632'");
  EXPECT_EQ(error("gateway,room\ng1,nowhere\n"), "gw.csv:2: field 'room': unknown bus 'nowhere'");
  EXPECT_EQ(error("gateway,meters\ng1,671;m9\n"), "gw.csv:2: field 'meters': unknown meter 'm9'");
  EXPECT_EQ(error("gateway,room,meters\ng1,671,692\n"),
            "gw.csv:2: gateway 'g1': must watch exactly one of a transformer, a room or meters");
  EXPECT_EQ(error("gateway,room\ng1,671\nG1,692\n"), "gw.csv:3: gateway 'g1': duplicate id");
  EXPECT_EQ(error("gateway,room,x,y\ng1,671,abc,1\n"), "gw.csv:2: fields 'x','y': expected two numbers, got 'abc','1'");
  EXPECT_EQ(error("gateway,colour\n"), "gw.csv:1: unknown column 'colour'");
  EXPECT_EQ(error("site,room\n"), "gw.csv:1: missing column 'gateway'");
  EXPECT_EQ(error(""), "gw.csv: empty file (expected a header line)");
}

}  // namespace
}  // namespace outage
