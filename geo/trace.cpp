#include "geo/trace.h"

#include <algorithm>
#include <fmt/format.h>

namespace outage {
namespace {

constexpr std::string_view kClassPrefixes[] = {"line.", "transformer.", "fuse.", "recloser.",
                                               "relay.", "reactor.",    "vsource."};

}  // namespace

Result<Subject> resolve_subject(const NetworkModel& model, std::string_view name) {
  Subject s;
  if (ElementId e = model.find_element(name); e.valid()) {
    s.kind = Subject::Kind::element;
    s.element = e;
    return s;
  }
  for (std::string_view prefix : kClassPrefixes) {
    if (ElementId e = model.find_element(std::string(prefix) + std::string(name)); e.valid()) {
      s.kind = Subject::Kind::element;
      s.element = e;
      return s;
    }
  }
  std::string lower = to_lower(name);
  std::string_view meter = lower;
  if (meter.starts_with("load.")) meter.remove_prefix(5);
  if (ServicePointId sp = model.find_service_point(meter); sp.valid()) {
    // A bus of the same name wins over a load, unless the load was asked for by class.
    if (BusId b = model.find_bus(lower); !b.valid() || lower.starts_with("load.")) {
      s.kind = Subject::Kind::service_point;
      s.service_point = sp;
      s.bus = model.service_point(sp).bus;
      return s;
    }
  }
  if (BusId b = model.find_bus(lower); b.valid()) {
    s.kind = Subject::Kind::bus;
    s.bus = b;
    return s;
  }
  return not_found(fmt::format("no element, bus or meter named '{}'", name));
}

Result<ElementId> resolve_operable(const NetworkModel& model, std::string_view name) {
  auto s = resolve_subject(model, name);
  if (!s) return s.error();
  if (s->kind != Subject::Kind::element)
    return invalid_input(fmt::format("'{}' is a {}, not a switch or branch", name,
                                     s->kind == Subject::Kind::bus ? "bus" : "meter"));
  return s->element;
}

Result<TraceReport> trace(Topology& topology, const TraceRequest& request) {
  const NetworkModel& model = topology.model();
  auto subject = resolve_subject(model, request.device);
  if (!subject) return subject.error();
  std::vector<std::pair<ElementId, bool>> operations;
  for (const auto& name : request.open) {
    auto e = resolve_operable(model, name);
    if (!e) return Error{e.error().code, fmt::format("--open: {}", e.error().message)};
    operations.emplace_back(*e, true);
  }
  for (const auto& name : request.close) {
    auto e = resolve_operable(model, name);
    if (!e) return Error{e.error().code, fmt::format("--close: {}", e.error().message)};
    operations.emplace_back(*e, false);
  }

  TraceReport r;
  std::vector<char> before;
  if (!operations.empty()) {
    r.operated = true;
    before.resize(model.buses().size());
    for (std::uint32_t b = 0; b < before.size(); ++b) before[b] = topology.energized(BusId(b));
    for (auto [e, open] : operations) topology.set_open(e, open);
    for (std::uint32_t b = 0; b < before.size(); ++b) {
      bool now = topology.energized(BusId(b));
      if (before[b] && !now) {
        r.deenergized_buses.emplace_back(model.bus(BusId(b)).id);
        r.deenergized_customers += topology.customers_at(BusId(b));
      } else if (!before[b] && now) {
        r.reenergized_buses.emplace_back(model.bus(BusId(b)).id);
      }
    }
    std::sort(r.deenergized_buses.begin(), r.deenergized_buses.end());
    std::sort(r.reenergized_buses.begin(), r.reenergized_buses.end());
  }

  BusId at;
  std::vector<ElementId> upstream;
  switch (subject->kind) {
    case Subject::Kind::element: {
      const Element& e = model.element(subject->element);
      r.device = std::string(e.id);
      r.kind = std::string(to_string(e.kind));
      at = topology.downstream_bus(subject->element);
      upstream = topology.upstream_protective(subject->element);
      if (!at.valid()) {  // opened or dead: say where it sits, from the end that is fed
        const Element& where = e.host.valid() ? model.element(e.host) : e;
        for (BusId b : {where.bus1, where.bus2})
          if (b.valid() && topology.feeder_of(b).valid()) {
            FeederId f = topology.feeder_of(b);
            r.feeder = std::string(topology.feeder(f).name);
            if (ElementId s = topology.source_of(b); s.valid()) r.source = std::string(model.element(s).id);
            break;
          }
      }
      break;
    }
    case Subject::Kind::bus:
      r.device = std::string(model.bus(subject->bus).id);
      r.kind = "bus";
      at = subject->bus;
      upstream = topology.upstream_protective(at);
      break;
    case Subject::Kind::service_point:
      r.device = std::string(model.service_point(subject->service_point).id);
      r.kind = "service_point";
      at = subject->bus;
      upstream = topology.upstream_protective(at);
      break;
  }
  for (ElementId e : upstream) r.upstream.emplace_back(model.element(e).id);
  if (at.valid()) {
    r.energized = topology.energized(at);
    FeederId f = topology.feeder_of(at);
    if (f.valid()) r.feeder = std::string(topology.feeder(f).name);
    if (ElementId s = topology.source_of(at); s.valid()) r.source = std::string(model.element(s).id);
    if (subject->kind == Subject::Kind::service_point) {
      r.downstream_buses = 0;
      r.downstream_service_points = 1;
      r.downstream_customers = static_cast<std::uint32_t>(std::count_if(
          model.customers().begin(), model.customers().end(),
          [&](const Customer& c) { return c.service_point == subject->service_point; }));
    } else {
      r.downstream_buses = topology.buses_below(at);
      r.downstream_service_points = topology.service_points_below(at);
      r.downstream_customers = topology.customers_below(at);
    }
  }
  for (ElementId e : topology.loops()) r.loops.emplace_back(model.element(e).id);
  return r;
}

}  // namespace outage
