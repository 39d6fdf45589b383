#include "geo/network_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>

namespace outage {
namespace {

constexpr std::array<std::string_view, kElementKindCount> kKindNames = {
    "source", "breaker", "recloser", "fuse", "sectionalizer",
    "switch", "line",    "transformer", "regulator", "reactor"};

constexpr std::array<std::string_view, 5> kClassNames = {"residential", "commercial", "industrial",
                                                          "important", "critical"};

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// `id` in lower case: the view itself when it has no capitals, else a copy kept in `buffer`.
std::string_view lowered(std::string_view id, std::string& buffer) {
  if (!has_upper(id)) return id;
  buffer = to_lower(id);
  return buffer;
}

template <typename Table>
std::uint32_t find_in(const IdIndex& index, const Table& table, std::string_view id) {
  std::string buffer;
  std::uint32_t i = index.find(lowered(id, buffer), [&](std::uint32_t r) { return table[r].id; });
  return i == IdIndex::npos ? BusId::invalid_value : i;
}

}  // namespace

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view to_string(ElementKind kind) { return kKindNames[static_cast<int>(kind)]; }

std::optional<ElementKind> element_kind_from_string(std::string_view text) {
  std::string lower = to_lower(text);
  for (int i = 0; i < kElementKindCount; ++i)
    if (kKindNames[i] == lower) return static_cast<ElementKind>(i);
  return std::nullopt;
}

std::string_view to_string(CustomerClass c) { return kClassNames[static_cast<int>(c)]; }

std::optional<CustomerClass> customer_class_from_string(std::string_view text) {
  std::string lower = to_lower(text);
  for (std::size_t i = 0; i < kClassNames.size(); ++i)
    if (kClassNames[i] == lower) return static_cast<CustomerClass>(i);
  return std::nullopt;
}

CustomerClass customer_class_for_load_kw(double kw) {
  if (kw < 100) return CustomerClass::residential;
  if (kw < 500) return CustomerClass::commercial;
  return CustomerClass::industrial;
}

std::string phases_to_string(Phases p) {
  std::string out;
  if (p & kPhaseA) out += 'A';
  if (p & kPhaseB) out += 'B';
  if (p & kPhaseC) out += 'C';
  return out;
}

std::optional<Phases> phases_from_string(std::string_view text) {
  Phases p = 0;
  for (char c : text) {
    switch (c) {
      case 'A': case 'a': p |= kPhaseA; break;
      case 'B': case 'b': p |= kPhaseB; break;
      case 'C': case 'c': p |= kPhaseC; break;
      default: return std::nullopt;
    }
  }
  return p;
}

std::string CoordinateSystem::describe() const {
  switch (kind) {
    case Kind::none: return "none";
    case Kind::wgs84: return "EPSG:4326";
    case Kind::local:
      if (metres_per_unit == 0) return "schematic";
      if (std::abs(metres_per_unit - 0.3048) < 1e-9) return "local (ft)";
      if (metres_per_unit == 1) return "local (m)";
      return fmt::format("local ({} m)", metres_per_unit);
  }
  return "none";
}

std::optional<CoordinateSystem> CoordinateSystem::parse(std::string_view original) {
  std::string lower = to_lower(original);
  std::string_view text = lower;
  if (text == "none") return CoordinateSystem{};
  if (text == "epsg:4326" || text == "wgs84" || text == "wgs 84") return CoordinateSystem{Kind::wgs84, 0};
  if (text == "schematic") return CoordinateSystem{Kind::local, 0};
  if (text == "local (ft)") return CoordinateSystem{Kind::local, 0.3048};
  if (text == "local (m)") return CoordinateSystem{Kind::local, 1};
  if (text.starts_with("local (") && text.ends_with(" m)")) {
    std::string number(text.substr(7, text.size() - 10));
    char* end = nullptr;
    double v = std::strtod(number.c_str(), &end);
    if (end != number.c_str() && *end == '\0' && v > 0) return CoordinateSystem{Kind::local, v};
  }
  return std::nullopt;
}

void ImportReport::count_skipped(std::string_view what, int n) {
  for (auto& [name, count] : skipped)
    if (name == what) { count += n; return; }
  skipped.emplace_back(std::string(what), n);
}

void ImportReport::count_ignored(std::string_view what, int n) {
  for (auto& [name, count] : ignored)
    if (name == what) { count += n; return; }
  ignored.emplace_back(std::string(what), n);
}

void NetworkModel::reserve(std::size_t buses, std::size_t elements, std::size_t service_points,
                           std::size_t customers) {
  buses_.reserve(buses);
  elements_.reserve(elements);
  service_points_.reserve(service_points);
  customers_.reserve(customers);
}

BusId NetworkModel::add_bus_or_get(std::string_view id) {
  std::string buffer;
  std::string_view lower = lowered(id, buffer);
  auto index = static_cast<std::uint32_t>(buses_.size());
  auto [found, added] = bus_index_.insert(lower, index, [this](std::uint32_t r) { return buses_[r].id; });
  if (!added) return BusId(found);
  Bus bus;
  bus.id = arena_.store(lower);
  buses_.push_back(bus);
  // The slot was keyed by `lower`, which may be a temporary: the index keeps only its hash and
  // compares through buses_[r].id, which now holds the arena's copy.
  return BusId(index);
}

Result<ElementId> NetworkModel::add_element(std::string_view id, ElementKind kind, BusId bus1, BusId bus2) {
  std::string buffer;
  std::string_view lower = lowered(id, buffer);
  if (lower.empty()) return invalid_input("element without an id");
  if (!bus1.valid() || bus1.value() >= buses_.size())
    return invalid_input(fmt::format("element '{}' has no bus", lower));
  if (bus2.valid() && bus2.value() >= buses_.size())
    return invalid_input(fmt::format("element '{}' refers to an unknown bus", lower));
  auto index = static_cast<std::uint32_t>(elements_.size());
  if (!element_index_.insert(lower, index, [this](std::uint32_t r) { return elements_[r].id; }).second)
    return invalid_input(fmt::format("duplicate element id '{}'", lower));
  Element e;
  e.id = arena_.store(lower);
  e.kind = kind;
  e.bus1 = bus1;
  e.bus2 = bus2;
  elements_.push_back(e);
  return ElementId(index);
}

Result<ServicePointId> NetworkModel::add_service_point(std::string_view id, BusId bus) {
  std::string buffer;
  std::string_view lower = lowered(id, buffer);
  if (lower.empty()) return invalid_input("service point without an id");
  if (!bus.valid() || bus.value() >= buses_.size())
    return invalid_input(fmt::format("service point '{}' has no bus", lower));
  auto index = static_cast<std::uint32_t>(service_points_.size());
  if (!service_point_index_.insert(lower, index, [this](std::uint32_t r) { return service_points_[r].id; }).second)
    return invalid_input(fmt::format("duplicate service point (meter) id '{}'", lower));
  ServicePoint sp;
  sp.id = arena_.store(lower);
  sp.bus = bus;
  service_points_.push_back(sp);
  return ServicePointId(index);
}

Result<CustomerId> NetworkModel::add_customer(std::string_view id, ServicePointId sp) {
  std::string buffer;
  std::string_view lower = lowered(id, buffer);
  if (lower.empty()) return invalid_input("customer without an id");
  if (!sp.valid() || sp.value() >= service_points_.size())
    return invalid_input(fmt::format("customer '{}' has no service point", lower));
  auto index = static_cast<std::uint32_t>(customers_.size());
  if (!customer_index_.insert(lower, index, [this](std::uint32_t r) { return customers_[r].id; }).second)
    return invalid_input(fmt::format("duplicate customer id '{}'", lower));
  Customer c;
  c.id = arena_.store(lower);
  c.service_point = sp;
  customers_.push_back(c);
  return CustomerId(index);
}

BusId NetworkModel::append_bus(std::string_view id) {
  std::string buffer;
  Bus bus;
  bus.id = arena_.store(lowered(id, buffer));
  buses_.push_back(bus);
  return BusId(static_cast<std::uint32_t>(buses_.size() - 1));
}

ElementId NetworkModel::append_element(std::string_view id, ElementKind kind, BusId bus1, BusId bus2) {
  std::string buffer;
  Element e;
  e.id = arena_.store(lowered(id, buffer));
  e.kind = kind;
  e.bus1 = bus1;
  e.bus2 = bus2;
  elements_.push_back(e);
  return ElementId(static_cast<std::uint32_t>(elements_.size() - 1));
}

ServicePointId NetworkModel::append_service_point(std::string_view id, BusId bus) {
  std::string buffer;
  ServicePoint sp;
  sp.id = arena_.store(lowered(id, buffer));
  sp.bus = bus;
  service_points_.push_back(sp);
  return ServicePointId(static_cast<std::uint32_t>(service_points_.size() - 1));
}

CustomerId NetworkModel::append_customer(std::string_view id, ServicePointId sp) {
  std::string buffer;
  Customer c;
  c.id = arena_.store(lowered(id, buffer));
  c.service_point = sp;
  customers_.push_back(c);
  return CustomerId(static_cast<std::uint32_t>(customers_.size() - 1));
}

Status NetworkModel::finish_bulk() {
  auto check = [](std::uint32_t duplicate, const char* what, auto& table) -> Status {
    if (duplicate == IdIndex::npos) return {};
    return invalid_input(fmt::format("duplicate {} id '{}'", what, table[duplicate].id));
  };
  auto n = [](const auto& table) { return static_cast<std::uint32_t>(table.size()); };
  if (Status s = check(bus_index_.build(n(buses_), [this](std::uint32_t r) { return buses_[r].id; }), "bus", buses_); !s)
    return s;
  if (Status s = check(element_index_.build(n(elements_), [this](std::uint32_t r) { return elements_[r].id; }),
                       "element", elements_);
      !s)
    return s;
  if (Status s = check(service_point_index_.build(n(service_points_),
                                                  [this](std::uint32_t r) { return service_points_[r].id; }),
                       "service point (meter)", service_points_);
      !s)
    return s;
  return check(customer_index_.build(n(customers_), [this](std::uint32_t r) { return customers_[r].id; }),
               "customer", customers_);
}

void NetworkModel::set_geometry(ElementId e, std::vector<Point> vertices) {
  if (vertices.empty())
    vertices_.erase(e.value());
  else
    vertices_[e.value()] = std::move(vertices);
}

BusId NetworkModel::find_bus(std::string_view id) const { return BusId(find_in(bus_index_, buses_, id)); }
ElementId NetworkModel::find_element(std::string_view id) const {
  return ElementId(find_in(element_index_, elements_, id));
}
ServicePointId NetworkModel::find_service_point(std::string_view id) const {
  return ServicePointId(find_in(service_point_index_, service_points_, id));
}
void NetworkModel::prefetch_service_point(std::string_view id, int step) const {
  if (has_upper(id)) return;  // looked up lower-cased: not worth a copy here
  if (step == 0) return service_point_index_.prefetch_slot(id);
  std::uint32_t r = service_point_index_.guess(id);
  if (r == IdIndex::npos || r >= service_points_.size()) return;
  if (step == 1) __builtin_prefetch(&service_points_[r]);
  else __builtin_prefetch(service_points_[r].id.data());
}
CustomerId NetworkModel::find_customer(std::string_view id) const {
  return CustomerId(find_in(customer_index_, customers_, id));
}

const std::vector<Point>* NetworkModel::intermediate_vertices(ElementId e) const {
  auto it = vertices_.find(e.value());
  return it == vertices_.end() ? nullptr : &it->second;
}

std::vector<Point> NetworkModel::geometry(ElementId id) const {
  std::vector<Point> out;
  const Element& e = element(id);
  const Element& where = e.host.valid() ? element(e.host) : e;
  if (where.bus1.valid() && bus(where.bus1).has_position) out.push_back(bus(where.bus1).position);
  if (auto* mid = intermediate_vertices(e.host.valid() ? e.host : id)) out.insert(out.end(), mid->begin(), mid->end());
  if (where.bus2.valid() && bus(where.bus2).has_position) out.push_back(bus(where.bus2).position);
  return out;
}

int NetworkModel::count(ElementKind kind) const {
  return static_cast<int>(
      std::count_if(elements_.begin(), elements_.end(), [kind](const Element& e) { return e.kind == kind; }));
}

}  // namespace outage
