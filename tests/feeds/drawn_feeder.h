// A small feeder drawn by hand, for tests whose expectations come from reasoning on it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "geo/network_model.h"

namespace outage::testing {

// The drawn feeder: a source, a breaker mounted on L1, a recloser R on L2, fuses F and G, and
// four service transformers (low side 0.24 kV) with their meters.
//
//   src ─ b0 ─L1[BRK]─ b1 ─L2[R]─ b2 ─L3[F]─ b3 ─T1─ s1   m1..m4
//                      │          │
//                      │          ├─L4[G]─ b4 ─T2─ s2     m5..m8
//                      │          └─T4─ s4                m11..m26 (16)
//                      └─L5─ b5 ─T3─ s3                   m9, m10
//                             └─T5─ s5                   m27..m66 (40)
//
// Meters below: F 4, G 4, T4 16, R 24 (4+4+16), T3 2, T5 40, BRK and src 66. One customer a meter.
inline NetworkModel drawn_feeder() {
  NetworkModel m;
  auto bus = [&](const char* id) { return m.add_bus_or_get(id); };
  auto branch = [&](const char* id, ElementKind kind, const char* a, const char* b) {
    return m.add_element(id, kind, bus(a), bus(b)).value();
  };
  auto mounted = [&](const char* id, ElementKind kind, ElementId host) {
    ElementId e = m.add_element(id, kind, m.element(host).bus1, {}).value();
    m.element(e).host = host;
  };
  auto xfmr = [&](const char* id, const char* a, const char* b) {
    ElementId e = branch(id, ElementKind::transformer, a, b);
    m.element(e).kv = 12.47f;
    m.element(e).kv2 = 0.24f;
  };
  auto meters = [&](const char* at, int first, int last) {
    for (int i = first; i <= last; ++i) {
      std::string id = "m" + std::to_string(i);
      ServicePointId sp = m.add_service_point(id, bus(at)).value();
      (void)m.add_customer("c" + std::to_string(i), sp).value();
    }
  };
  ElementId src = m.add_element("src", ElementKind::source, bus("b0"), {}).value();
  m.element(src).kv = 12.47f;
  mounted("brk", ElementKind::breaker, branch("l1", ElementKind::line, "b0", "b1"));
  mounted("r", ElementKind::recloser, branch("l2", ElementKind::line, "b1", "b2"));
  mounted("f", ElementKind::fuse, branch("l3", ElementKind::line, "b2", "b3"));
  mounted("g", ElementKind::fuse, branch("l4", ElementKind::line, "b2", "b4"));
  branch("l5", ElementKind::line, "b1", "b5");
  xfmr("t1", "b3", "s1");
  xfmr("t2", "b4", "s2");
  xfmr("t3", "b5", "s3");
  xfmr("t4", "b2", "s4");
  xfmr("t5", "b5", "s5");
  meters("s1", 1, 4);
  meters("s2", 5, 8);
  meters("s3", 9, 10);
  meters("s4", 11, 26);
  meters("s5", 27, 66);
  return m;
}

// The drawn feeder in a local metric CRS; with `positions`, its buses on the x axis 1 km apart
// (bN at x = 1000 N; each transformer's low side sN at its bus), for travel times.
inline NetworkModel placed_drawn_feeder(bool positions = true) {
  NetworkModel m = drawn_feeder();
  m.crs.kind = CoordinateSystem::Kind::local;
  m.crs.metres_per_unit = 1;
  if (!positions) return m;
  // b0..b5 along the x axis, 1 km apart; each service transformer's low side (sN) at its bus.
  const std::vector<std::pair<const char*, double>> at = {{"b0", 0},    {"b1", 1000}, {"b2", 2000}, {"b3", 3000},
                                                          {"b4", 4000}, {"b5", 5000}, {"s1", 3000}, {"s2", 4000},
                                                          {"s3", 5000}, {"s4", 2000}, {"s5", 5000}};
  for (const auto& [id, x] : at) {
    Bus& b = m.bus(m.find_bus(id));
    b.position = Point{x, 0};
    b.has_position = true;
  }
  return m;
}

}  // namespace outage::testing
