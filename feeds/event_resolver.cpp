#include "feeds/event_resolver.h"

#include "feeds/outage.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <limits>

namespace outage {

std::string phone_digits(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

EventResolver::EventResolver(const NetworkModel& model, const GatewayRegistry* gateways)
    : model_(model), gateways_(gateways) {
  for (std::uint32_t i = 0; i < model.customers().size(); ++i) {
    std::string digits = phone_digits(model.customers()[i].phone);
    if (!digits.empty()) by_phone_.emplace(std::move(digits), i);
  }
  for (std::uint32_t i = 0; i < model.service_points().size(); ++i) {
    const ServicePoint& sp = model.service_points()[i];
    if (sp.has_position) {
      positions_.emplace_back(sp.position, i);
    } else if (model.bus(sp.bus).has_position) {
      positions_.emplace_back(model.bus(sp.bus).position, i);
    }
  }
  std::sort(positions_.begin(), positions_.end(), [](const auto& a, const auto& b) { return a.first.x < b.first.x; });
}

std::vector<CustomerId> EventResolver::customers_by_phone(std::string_view phone) const {
  std::vector<CustomerId> out;
  std::string digits = phone_digits(phone);
  if (digits.empty()) return out;
  auto [lo, hi] = by_phone_.equal_range(digits);
  for (auto it = lo; it != hi; ++it) out.push_back(CustomerId(it->second));
  std::sort(out.begin(), out.end());
  return out;
}

ServicePointId EventResolver::nearest_service_point(Point p) const {
  if (positions_.empty()) return {};
  // Scan outwards from p.x in the x-sorted list, stopping once |dx| exceeds the best distance.
  auto start = std::lower_bound(positions_.begin(), positions_.end(), p.x,
                                [](const auto& a, double x) { return a.first.x < x; });
  double best = std::numeric_limits<double>::infinity();
  std::uint32_t best_id = 0;
  auto consider = [&](const std::pair<Point, std::uint32_t>& c) {
    double d = std::hypot(c.first.x - p.x, c.first.y - p.y);
    if (d < best || (d == best && c.second < best_id)) best = d, best_id = c.second;
  };
  for (auto it = start; it != positions_.end() && it->first.x - p.x <= best; ++it) consider(*it);
  for (auto it = start; it != positions_.begin();) {
    --it;
    if (p.x - it->first.x > best) break;
    consider(*it);
  }
  return ServicePointId(best_id);
}

namespace {

Error unknown(std::string_view field, std::string_view what, std::string_view name) {
  return not_found(fmt::format("field '{}': unknown {} '{}'", field, what, name));
}

// An outage id as the API shows it (a number).
Result<std::uint32_t> outage_id(const std::string& text) {
  std::uint32_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id == StrongId<OutageTag>::invalid_value) {
    return invalid_input(fmt::format("field 'outage': expected an outage id (a number), got '{}'", text));
  }
  return id;
}

}  // namespace

namespace {

// The meter an event is resolved by, if any.
std::string_view meter_of(const Event& event) {
  if (auto* e = event.get<MeterPowerOff>()) return e->meter;
  if (auto* e = event.get<MeterPowerOn>()) return e->meter;
  if (auto* e = event.get<MeterPing>()) return e->meter;
  if (auto* e = event.get<MeterVoltage>()) return e->meter;
  if (auto* e = event.get<CallReport>(); e && e->customer.empty()) return e->meter;
  return {};
}

}  // namespace

std::vector<Result<ResolvedEvent>> EventResolver::resolve_all(std::span<const DecodedEvent> events) const {
  // A lookup is three dependent loads from a model of millions of meters (the index slot, the
  // record, its id text), each a likely cache miss: run three steps of prefetching ahead.
  constexpr std::size_t kAhead = 6;
  std::vector<Result<ResolvedEvent>> out;
  out.reserve(events.size());
  std::size_t n = events.size();
  // A model whose meters fit in the caches gains nothing from prefetching, and pays for it.
  constexpr std::size_t kCachedMeters = 1 << 16;
  if (model_.service_points().size() <= kCachedMeters) {
    for (const DecodedEvent& d : events) out.push_back(resolve(d.event));
    return out;
  }
  for (std::size_t i = 0; i < n + 3 * kAhead; ++i) {
    for (int step = 0; step < 3; ++step) {
      std::size_t j = i - static_cast<std::size_t>(step) * kAhead;
      if (i >= static_cast<std::size_t>(step) * kAhead && j < n) {
        if (std::string_view m = meter_of(events[j].event); !m.empty()) model_.prefetch_service_point(m, step);
      }
    }
    if (i >= 3 * kAhead) out.push_back(resolve(events[i - 3 * kAhead].event));
  }
  return out;
}

Status EventResolver::subject(const std::string& customer, const std::string& meter, const std::string& phone,
                              const std::optional<Position>& position, ResolvedEvent& r) const {
  if (!customer.empty()) {
    r.customer = model_.find_customer(customer);
    if (!r.customer.valid()) return unknown("customer", "customer", customer);
    r.service_point = model_.customer(r.customer).service_point;
  } else if (!meter.empty()) {
    r.service_point = model_.find_service_point(meter);
    if (!r.service_point.valid()) return unknown("meter", "meter", meter);
  } else if (!phone.empty()) {
    auto found = customers_by_phone(phone);
    if (found.empty()) return unknown("phone", "phone number", phone);
    r.customer = found.front();
    r.service_point = model_.customer(r.customer).service_point;
  } else if (position) {
    r.service_point = nearest_service_point(Point{position->x, position->y});
    r.located = r.service_point.valid();
  } else {
    r.located = false;
  }
  return {};
}

Result<ResolvedEvent> EventResolver::resolve(const Event& event) const {
  ResolvedEvent r;
  auto meter = [&](const std::string& id) -> Status {
    r.service_point = model_.find_service_point(id);
    if (!r.service_point.valid()) return unknown("meter", "meter", id);
    return {};
  };
  auto device = [&](const std::string& id, bool switchable) -> Status {
    r.device = model_.find_element(id);
    if (!r.device.valid()) return unknown("device", "device", id);
    if (switchable && !is_switchable(model_.element(r.device).kind) && model_.element(r.device).kind != ElementKind::source) {
      return invalid_input(fmt::format("field 'device': '{}' is a {}, not a switching device", id,
                                       to_string(model_.element(r.device).kind)));
    }
    return {};
  };
  Status s;
  if (auto* e = event.get<MeterPowerOff>()) s = meter(e->meter);
  else if (auto* e = event.get<MeterPowerOn>()) s = meter(e->meter);
  else if (auto* e = event.get<MeterPing>()) s = meter(e->meter);
  else if (auto* e = event.get<MeterVoltage>()) s = meter(e->meter);
  else if (auto* e = event.get<ScadaSwitch>()) s = device(e->device, true);
  else if (auto* e = event.get<FciFault>()) s = device(e->device, false);
  else if (auto* e = event.get<RelayDistance>()) s = device(e->device, false);
  else if (auto* e = event.get<IotAlarm>()) {
    r.gateway = gateways_ ? gateways_->find(e->gateway) : nullptr;
    if (!r.gateway) return unknown("gateway", "gateway", e->gateway);
    for (const std::string& m : e->meters) {
      ServicePointId sp = model_.find_service_point(m);
      if (!sp.valid()) return unknown("meters", "meter", m);
      r.service_points.push_back(sp);
    }
  } else if (auto* e = event.get<CallReport>()) {
    s = subject(e->customer, e->meter, e->phone, e->position, r);  // an address alone: the store places it
  } else if (auto* e = event.get<OutageConfirm>()) {
    auto id = outage_id(e->outage);
    if (!id) return id.error();
    r.outage = *id;
  } else if (auto* e = event.get<OutageEtr>()) {
    auto id = outage_id(e->outage);
    if (!id) return id.error();
    r.outage = *id;
  } else if (auto* e = event.get<TicketOpen>()) {
    // The subject, as for a call; none is fine (a suggestion, a business request).
    s = subject(e->customer, e->meter, e->phone, e->position, r);
  } else if (auto* e = event.get<OutageRecord>()) {
    for (const std::string& d : e->devices) {
      ElementId id = model_.find_element(d);
      if (!id.valid()) return unknown("devices", "device", d);
      r.devices.push_back(id);
    }
    for (const std::string& c : e->customers) {
      CustomerId id = model_.find_customer(c);
      if (!id.valid()) return unknown("customers", "customer", c);
      r.customers.push_back(id);
    }
  }
  if (!s) return s.error();
  return r;
}

}  // namespace outage
