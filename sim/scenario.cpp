#include "sim/scenario.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

namespace outage {

namespace {

constexpr std::array<std::string_view, kWeatherCount> kWeatherNames = {"calm", "wind", "storm", "typhoon"};

std::string minutes_text(Duration d) {
  return fmt::format("{:g} min", std::chrono::duration<double, std::ratio<60>>(d).count());
}

Status field_error(std::string_view field, std::string_view reason) {
  return invalid_input(fmt::format("field '{}': {}", field, reason));
}

Status share(std::string_view field, double v) {
  if (!std::isfinite(v) || v < 0 || v > 1) return field_error(field, fmt::format("a share from 0 to 1, got {}", v));
  return {};
}

Status non_negative(std::string_view field, double v) {
  if (!std::isfinite(v) || v < 0) return field_error(field, fmt::format("must not be negative, got {}", v));
  return {};
}

Status range(std::string_view field, const DurationRange& r) {
  if (r.low < Duration::zero()) return field_error(field, "must not be negative");
  if (r.high < r.low) return field_error(field, fmt::format("ends ({}) before it starts ({})", minutes_text(r.high), minutes_text(r.low)));
  return {};
}

Status lognormal(std::string_view field, const LogNormalDuration& d) {
  if (d.median <= Duration::zero()) return field_error(field, "the median must be above 0");
  if (!std::isfinite(d.sigma) || d.sigma < 0) return field_error(field, fmt::format("sigma must not be negative, got {}", d.sigma));
  return {};
}

}  // namespace

std::string_view to_string(Weather w) { return kWeatherNames[static_cast<int>(w)]; }

std::optional<Weather> weather_from_string(std::string_view text) {
  for (int i = 0; i < kWeatherCount; ++i) {
    if (kWeatherNames[i] == text) return static_cast<Weather>(i);
  }
  return std::nullopt;
}

std::string_view to_string(FaultKind k) {
  switch (k) {
    case FaultKind::overhead_line: return "overhead_line";
    case FaultKind::cable: return "cable";
    case FaultKind::transformer: return "transformer";
  }
  return "?";
}

Weather Scenario::weather_at(Duration offset) const {
  Weather w = Weather::calm;
  for (const WeatherSpell& s : weather) {
    if (s.from <= offset) w = s.level;
  }
  return w;
}

std::vector<WeatherSpell> Scenario::spells() const {
  std::vector<WeatherSpell> out = weather;
  if (out.empty() || out.front().from > Duration::zero()) out.insert(out.begin(), WeatherSpell{Duration::zero(), Weather::calm});
  return out;
}

Status check(const Scenario& s) {
  if (s.model.empty()) return field_error("model", "a network model is required");
  if (s.start == kNoTime) return field_error("start", "a start time is required");
  if (s.duration <= Duration::zero()) return field_error("duration", "must be above 0");
  if (s.run_out < Duration::zero()) return field_error("run_out", "must be 0 or more");
  if (s.tick <= Duration::zero() || s.tick > std::chrono::minutes(5)) {
    return field_error("tick", fmt::format("from 1 ms to 5 min, got {}", minutes_text(s.tick)));
  }
  for (std::size_t i = 0; i < s.weather.size(); ++i) {
    const auto field = fmt::format("weather[{}].from", i);
    if (s.weather[i].from < Duration::zero() || s.weather[i].from >= s.duration) {
      return field_error(field, fmt::format("{} is outside the drill (0 to {})", minutes_text(s.weather[i].from), minutes_text(s.duration)));
    }
    if (i > 0 && s.weather[i].from <= s.weather[i - 1].from) return field_error(field, "spells must be in order of time");
  }
  for (int w = 0; w < kWeatherCount; ++w) {
    const auto level = to_string(static_cast<Weather>(w));
    if (Status st = non_negative(fmt::format("faults.line_per_km_hour.{}", level), s.faults.line_per_km_hour[w]); !st) return st;
    if (Status st = non_negative(fmt::format("faults.transformer_per_hour.{}", level), s.faults.transformer_per_hour[w]); !st) return st;
  }
  if (Status st = non_negative("faults.cable_factor", s.faults.cable_factor); !st) return st;
  if (Status st = share("faults.momentary_share", s.faults.momentary_share); !st) return st;
  if (s.faults.reclose_after <= Duration::zero() || s.faults.reclose_after > std::chrono::seconds(30)) {
    return field_error("faults.reclose_after", "from above 0 to 30 s (a reclosing, not an outage)");
  }
  for (std::size_t i = 0; i < s.faults.placed.size(); ++i) {
    const PlacedFault& f = s.faults.placed[i];
    if (f.at < Duration::zero() || f.at >= s.duration) {
      return field_error(fmt::format("faults.placed[{}].at", i), fmt::format("{} is outside the drill (0 to {})", minutes_text(f.at), minutes_text(s.duration)));
    }
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    const RecordPlan& r = s.records[i];
    const auto at = [&](std::string_view f) { return fmt::format("records[{}].{}", i, f); };
    if (r.id.empty()) return field_error(at("id"), "a record needs an id");
    if (!names.insert(r.id).second) return field_error(at("id"), fmt::format("'{}' is used twice", r.id));
    if (r.kind == RecordKind::disconnection) return field_error(at("kind"), "planned, temporary or load_shedding");
    if (r.devices.empty() && r.customers.empty()) return field_error(at("devices"), "a record needs devices or customers");
    if (r.end <= r.start) return field_error(at("end"), fmt::format("ends ({}) before it starts ({})", minutes_text(r.end), minutes_text(r.start)));
    if (r.start < Duration::zero() || r.start >= s.duration) {
      return field_error(at("start"), fmt::format("{} is outside the drill (0 to {})", minutes_text(r.start), minutes_text(s.duration)));
    }
    if (r.start + r.notice < Duration::zero()) {
      return field_error(at("notice"), "the notice would come before the drill starts; start the drill earlier");
    }
    if (r.kind == RecordKind::temporary && r.notice < Duration::zero()) {
      return field_error(at("notice"), "temporary work is reported once it has started (0 or later)");
    }
  }
  const SignalPlan& g = s.signals;
  if (Status st = range("signals.last_gasp_wait", g.last_gasp_wait); !st) return st;
  if (Status st = range("signals.last_gasp_delay", g.last_gasp_delay); !st) return st;
  if (Status st = range("signals.power_on_delay", g.power_on_delay); !st) return st;
  if (Status st = range("signals.gateway_delay", g.gateway_delay); !st) return st;
  if (Status st = range("signals.ping_delay", g.ping_delay); !st) return st;
  for (int w = 0; w < kWeatherCount; ++w) {
    if (Status st = non_negative(fmt::format("signals.sags_per_meter_hour.{}", to_string(static_cast<Weather>(w))), g.sags_per_meter_hour[w]); !st) return st;
  }
  if (Status st = share("signals.last_gasp_delivery", g.last_gasp_delivery); !st) return st;
  if (Status st = share("signals.power_on_delivery", g.power_on_delivery); !st) return st;
  if (Status st = share("signals.concentrator_share", g.concentrator_share); !st) return st;
  if (Status st = share("signals.gateway_delivery", g.gateway_delivery); !st) return st;
  if (Status st = share("signals.ping_delivery", g.ping_delivery); !st) return st;
  if (g.concentrator_period <= Duration::zero()) return field_error("signals.concentrator_period", "must be above 0");
  if (g.scada_delay < Duration::zero()) return field_error("signals.scada_delay", "must not be negative");
  if (g.fci_delay < Duration::zero()) return field_error("signals.fci_delay", "must not be negative");
  if (Status st = share("calls.share", s.calls.share); !st) return st;
  if (Status st = share("calls.record_share", s.calls.record_share); !st) return st;
  if (Status st = share("calls.hazard_share", s.calls.hazard_share); !st) return st;
  if (Status st = non_negative("calls.not_network_per_hour", s.calls.not_network_per_hour); !st) return st;
  if (Status st = lognormal("calls.delay", s.calls.delay); !st) return st;
  if (Status st = lognormal("calls.hazard_delay", s.calls.hazard_delay); !st) return st;
  names.clear();
  for (std::size_t i = 0; i < s.crews.size(); ++i) {
    const CrewPlan& c = s.crews[i];
    if (c.id.empty()) return field_error(fmt::format("crews[{}].id", i), "a crew needs an id");
    if (!names.insert(c.id).second) return field_error(fmt::format("crews[{}].id", i), fmt::format("'{}' is used twice", c.id));
    if (c.depot_bus.empty() && !c.depot) return field_error(fmt::format("crews[{}].depot", i), "a crew needs a depot (a bus, or x and y)");
  }
  for (int k = 0; k < kFaultKindCount; ++k) {
    if (Status st = lognormal(fmt::format("repair.{}", to_string(static_cast<FaultKind>(k))), s.repair.by_kind[k]); !st) return st;
  }
  if (s.repair.patrol <= Duration::zero()) return field_error("repair.patrol", "must be above 0");
  if (s.repair.assess < Duration::zero()) return field_error("repair.assess", "must not be negative");
  if (Status st = non_negative("repair.estimate_sigma", s.repair.estimate_sigma); !st) return st;
  if (Status st = range("repair.reaction", s.repair.reaction); !st) return st;
  if (!std::isfinite(s.travel.speed_kmh) || s.travel.speed_kmh <= 0) return field_error("travel.speed_kmh", "must be above 0");
  if (!std::isfinite(s.travel.detour) || s.travel.detour < 1) return field_error("travel.detour", "must be 1 or more");
  if (Status st = non_negative("travel.noise_sigma", s.travel.noise_sigma); !st) return st;
  if (s.travel.position_every <= Duration::zero()) return field_error("travel.position_every", "must be above 0");
  if (Status st = lognormal("travel.without_positions", s.travel.without_positions); !st) return st;
  return {};
}

Status check(const Scenario& s, const NetworkModel& model) {
  if (Status st = check(s); !st) return st;
  auto faultable = [&](std::string_view id, std::string_view field) -> Status {
    ElementId e = model.find_element(id);
    if (!e.valid()) return field_error(field, fmt::format("no device '{}' in model '{}'", id, model.name));
    ElementKind k = model.element(e).kind;
    if (k != ElementKind::line && k != ElementKind::transformer) {
      return field_error(field, fmt::format("'{}' is a {}: faults are placed on lines and transformers", id, to_string(k)));
    }
    return {};
  };
  for (std::size_t i = 0; i < s.faults.placed.size(); ++i) {
    if (Status st = faultable(s.faults.placed[i].device, fmt::format("faults.placed[{}].device", i)); !st) return st;
  }
  for (std::size_t i = 0; i < s.faults.cables.size(); ++i) {
    const auto field = fmt::format("faults.cables[{}]", i);
    ElementId e = model.find_element(s.faults.cables[i]);
    if (!e.valid() || model.element(e).kind != ElementKind::line) {
      return field_error(field, fmt::format("no line section '{}' in model '{}'", s.faults.cables[i], model.name));
    }
  }
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    const RecordPlan& r = s.records[i];
    for (std::size_t j = 0; j < r.devices.size(); ++j) {
      if (!model.find_element(r.devices[j]).valid()) {
        return field_error(fmt::format("records[{}].devices[{}]", i, j), fmt::format("no device '{}' in model '{}'", r.devices[j], model.name));
      }
    }
    for (std::size_t j = 0; j < r.customers.size(); ++j) {
      if (!model.find_customer(r.customers[j]).valid()) {
        return field_error(fmt::format("records[{}].customers[{}]", i, j), fmt::format("no customer '{}' in model '{}'", r.customers[j], model.name));
      }
    }
  }
  for (std::size_t i = 0; i < s.signals.scada.size(); ++i) {
    const std::string& d = s.signals.scada[i];
    if (element_kind_from_string(d) || model.find_element(d).valid()) continue;
    return field_error(fmt::format("signals.scada[{}]", i), fmt::format("'{}' is neither an element kind nor a device of model '{}'", d, model.name));
  }
  for (std::size_t i = 0; i < s.signals.fault_indicators.size(); ++i) {
    const std::string& d = s.signals.fault_indicators[i];
    if (!model.find_element(d).valid()) {
      return field_error(fmt::format("signals.fault_indicators[{}]", i), fmt::format("no device '{}' in model '{}'", d, model.name));
    }
  }
  for (std::size_t i = 0; i < s.crews.size(); ++i) {
    const CrewPlan& c = s.crews[i];
    if (c.depot) continue;
    BusId b = model.find_bus(c.depot_bus);
    if (!b.valid()) return field_error(fmt::format("crews[{}].depot", i), fmt::format("no bus '{}' in model '{}'", c.depot_bus, model.name));
    if (!model.bus(b).has_position && model.crs.kind != CoordinateSystem::Kind::none) {
      return field_error(fmt::format("crews[{}].depot", i), fmt::format("bus '{}' has no position; give x and y", c.depot_bus));
    }
  }
  return {};
}

std::optional<Point> depot_position(const CrewPlan& crew, const NetworkModel& model) {
  if (crew.depot) return crew.depot;
  if (BusId b = model.find_bus(crew.depot_bus); b.valid() && model.bus(b).has_position) return model.bus(b).position;
  return std::nullopt;
}

}  // namespace outage
