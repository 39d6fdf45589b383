#include "geo/synthetic_utility.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <limits>

namespace outage {

NetworkModel tile_model(const NetworkModel& base, int copies) {
  NetworkModel out;
  out.name = fmt::format("{}x{}", base.name, copies);
  out.crs = base.crs.kind == CoordinateSystem::Kind::wgs84 ? CoordinateSystem{CoordinateSystem::Kind::local, 0}
                                                           : base.crs;
  out.reserve(base.buses().size() * copies, base.elements().size() * copies, base.service_points().size() * copies,
              base.customers().size() * copies);
  double minx = std::numeric_limits<double>::max(), miny = minx, maxx = -minx, maxy = -minx;
  for (const Bus& b : base.buses()) {
    if (!b.has_position) continue;
    minx = std::min(minx, b.position.x);
    maxx = std::max(maxx, b.position.x);
    miny = std::min(miny, b.position.y);
    maxy = std::max(maxy, b.position.y);
  }
  double width = maxx > minx ? (maxx - minx) * 1.1 : 1, height = maxy > miny ? (maxy - miny) * 1.1 : 1;
  int columns = std::max(1, static_cast<int>(std::ceil(std::sqrt(copies))));
  std::string id;
  for (int c = 0; c < copies; ++c) {
    std::string prefix = fmt::format("t{}/", c);
    double dx = (c % columns) * width, dy = (c / columns) * height;
    auto prefixed = [&](std::string_view s) {
      id.assign(prefix);
      id.append(s);
      return std::string_view(id);
    };
    std::uint32_t bus0 = static_cast<std::uint32_t>(out.buses().size());
    std::uint32_t el0 = static_cast<std::uint32_t>(out.elements().size());
    std::uint32_t sp0 = static_cast<std::uint32_t>(out.service_points().size());
    for (const Bus& b : base.buses()) {
      Bus& nb = out.bus(out.append_bus(prefixed(b.id)));
      nb.kv = b.kv;
      nb.has_position = b.has_position;
      if (b.has_position) nb.position = {b.position.x + dx, b.position.y + dy};
    }
    auto shift = [&](BusId b) { return b.valid() ? BusId(b.value() + bus0) : BusId(); };
    for (std::uint32_t i = 0; i < base.elements().size(); ++i) {
      const Element& e = base.element(ElementId(i));
      ElementId ne = out.append_element(prefixed(e.id), e.kind, shift(e.bus1), shift(e.bus2));
      Element& n = out.element(ne);
      n.phases = e.phases;
      n.normally_open = e.normally_open;
      n.host = e.host.valid() ? ElementId(e.host.value() + el0) : ElementId();
      n.length_m = e.length_m;
      n.kv = e.kv;
      n.kv2 = e.kv2;
      if (auto* v = base.intermediate_vertices(ElementId(i))) {
        std::vector<Point> moved(*v);
        for (Point& p : moved) p = {p.x + dx, p.y + dy};
        out.set_geometry(ne, std::move(moved));
      }
    }
    for (const ServicePoint& sp : base.service_points()) {
      ServicePoint& n = out.service_point(out.append_service_point(prefixed(sp.id), shift(sp.bus)));
      n.phases = sp.phases;
      n.kw = sp.kw;
      n.has_position = sp.has_position;
      if (sp.has_position) n.position = {sp.position.x + dx, sp.position.y + dy};
    }
    for (const Customer& cu : base.customers()) {
      Customer& n = out.customer(out.append_customer(prefixed(cu.id), ServicePointId(cu.service_point.value() + sp0)));
      n.customer_class = cu.customer_class;
      n.account = out.store(cu.account);
      n.name = out.store(cu.name);
      n.phone = out.store(cu.phone);
      n.address = out.store(cu.address);
    }
  }
  // Ids are unique by construction (a unique base id behind a unique prefix).
  if (Status s = out.finish_bulk(); !s) std::abort();
  return out;
}

}  // namespace outage
