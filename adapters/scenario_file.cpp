#include "adapters/scenario_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/toml_reader.h"

namespace outage {

namespace {

namespace fs = std::filesystem;

void read_range(TomlReader& r, const toml::table& t, std::string_view prefix, std::string_view key, DurationRange& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  const std::string k = join_key(prefix, key);
  const toml::array* a = n->as_array();
  if (a == nullptr || a->size() != 2) {
    r.error(k, "expected two durations, [low, high] (e.g. [\"30s\", \"45s\"])");
    return;
  }
  toml::table pair;
  pair.insert("low", (*a)[0]);
  pair.insert("high", (*a)[1]);
  DurationRange v = out;
  if (r.duration(pair, k, "low", v.low) && r.duration(pair, k, "high", v.high)) out = v;
}

void read_lognormal(TomlReader& r, const toml::table& t, std::string_view prefix, std::string_view key, LogNormalDuration& out) {
  const toml::table* sub = r.table(t, prefix, key);
  if (sub == nullptr) return;
  const std::string k = join_key(prefix, key);
  r.only_known(*sub, k, {"median", "sigma"});
  r.duration(*sub, k, "median", out.median);
  r.real(*sub, k, "sigma", out.sigma);
}

void read_by_weather(TomlReader& r, const toml::table& t, std::string_view prefix, std::string_view key,
                     std::array<double, kWeatherCount>& out) {
  const toml::table* sub = r.table(t, prefix, key);
  if (sub == nullptr) return;
  const std::string k = join_key(prefix, key);
  r.only_known(*sub, k, {"calm", "wind", "storm", "typhoon"});
  for (int w = 0; w < kWeatherCount; ++w) r.real(*sub, k, to_string(static_cast<Weather>(w)), out[w]);
}

void read_faults(TomlReader& r, const toml::table& t, FaultPlan& out) {
  r.only_known(t, "faults", {"line_per_km_hour", "transformer_per_hour", "cable_factor", "cables", "momentary_share",
                             "reclose_after", "placed"});
  read_by_weather(r, t, "faults", "line_per_km_hour", out.line_per_km_hour);
  read_by_weather(r, t, "faults", "transformer_per_hour", out.transformer_per_hour);
  r.real(t, "faults", "cable_factor", out.cable_factor);
  r.strings(t, "faults", "cables", out.cables);
  r.real(t, "faults", "momentary_share", out.momentary_share);
  r.duration(t, "faults", "reclose_after", out.reclose_after);
  const toml::node* n = t.get("placed");
  if (n == nullptr) return;
  const toml::array* a = n->as_array();
  if (a == nullptr || (!a->empty() && !a->is_array_of_tables())) {
    r.error("faults.placed", "expected an array of tables ([[faults.placed]])");
    return;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::table& f = *(*a)[i].as_table();
    const std::string k = fmt::format("faults.placed[{}]", i);
    r.only_known(f, k, {"device", "at", "momentary"});
    PlacedFault p;
    if (!r.string(f, k, "device", p.device)) r.error(k + ".device", "required");
    if (!r.duration(f, k, "at", p.at)) r.error(k + ".at", "required (an offset from the start, e.g. \"1h20m\")");
    r.boolean(f, k, "momentary", p.momentary);
    out.placed.push_back(std::move(p));
  }
}

void read_records(TomlReader& r, const toml::array& a, std::vector<RecordPlan>& out) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const toml::table& t = *a[i].as_table();
    const std::string k = fmt::format("records[{}]", i);
    r.only_known(t, k, {"id", "kind", "reason", "devices", "customers", "start", "end", "notice"});
    RecordPlan p;
    r.string(t, k, "id", p.id);
    std::string kind = "planned";
    r.string(t, k, "kind", kind);
    if (kind == "planned") p.kind = RecordKind::planned;
    else if (kind == "temporary") p.kind = RecordKind::temporary;
    else if (kind == "load_shedding") p.kind = RecordKind::load_shedding;
    else r.error(k + ".kind", fmt::format("expected planned, temporary or load_shedding, got '{}'", kind));
    r.string(t, k, "reason", p.reason);
    r.strings(t, k, "devices", p.devices);
    r.strings(t, k, "customers", p.customers);
    if (!r.duration(t, k, "start", p.start)) r.error(k + ".start", "required (an offset from the drill's start)");
    if (!r.duration(t, k, "end", p.end)) r.error(k + ".end", "required (an offset from the drill's start)");
    p.notice = p.kind == RecordKind::temporary ? Duration(std::chrono::minutes(10)) : Duration(-std::chrono::hours(1));
    if (p.start + p.notice < Duration::zero() && p.kind != RecordKind::temporary && !t.contains("notice")) p.notice = -p.start;
    r.duration(t, k, "notice", p.notice);
    out.push_back(std::move(p));
  }
}

void read_signals(TomlReader& r, const toml::table& t, SignalPlan& out) {
  r.only_known(t, "signals", {"last_gasp_wait", "last_gasp_delivery", "last_gasp_delay", "power_on_delivery", "power_on_delay", "power_on_wait",
                              "concentrator_share", "concentrator_period", "scada", "scada_delay", "fault_indicators",
                              "fci_delay", "gateways", "gateway_delivery", "gateway_delay", "ping_delivery", "ping_delay", "sags_per_meter_hour"});
  read_range(r, t, "signals", "last_gasp_wait", out.last_gasp_wait);
  r.real(t, "signals", "last_gasp_delivery", out.last_gasp_delivery);
  read_range(r, t, "signals", "last_gasp_delay", out.last_gasp_delay);
  r.real(t, "signals", "power_on_delivery", out.power_on_delivery);
  read_range(r, t, "signals", "power_on_delay", out.power_on_delay);
  read_range(r, t, "signals", "power_on_wait", out.power_on_wait);
  r.real(t, "signals", "concentrator_share", out.concentrator_share);
  r.duration(t, "signals", "concentrator_period", out.concentrator_period);
  r.strings(t, "signals", "scada", out.scada);
  r.duration(t, "signals", "scada_delay", out.scada_delay);
  r.strings(t, "signals", "fault_indicators", out.fault_indicators);
  r.duration(t, "signals", "fci_delay", out.fci_delay);
  r.string(t, "signals", "gateways", out.gateways);
  r.real(t, "signals", "gateway_delivery", out.gateway_delivery);
  read_range(r, t, "signals", "gateway_delay", out.gateway_delay);
  read_by_weather(r, t, "signals", "sags_per_meter_hour", out.sags_per_meter_hour);
  r.real(t, "signals", "ping_delivery", out.ping_delivery);
  read_range(r, t, "signals", "ping_delay", out.ping_delay);
}

void read_calls(TomlReader& r, const toml::table& t, CallPlan& out) {
  r.only_known(t, "calls", {"share", "delay", "record_share", "not_network_per_hour", "hazard_share", "hazard_delay"});
  r.real(t, "calls", "share", out.share);
  read_lognormal(r, t, "calls", "delay", out.delay);
  r.real(t, "calls", "record_share", out.record_share);
  r.real(t, "calls", "not_network_per_hour", out.not_network_per_hour);
  r.real(t, "calls", "hazard_share", out.hazard_share);
  read_lognormal(r, t, "calls", "hazard_delay", out.hazard_delay);
}

void read_crews(TomlReader& r, const toml::array& a, std::vector<CrewPlan>& out) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const toml::table& t = *a[i].as_table();
    const std::string k = fmt::format("crews[{}]", i);
    r.only_known(t, k, {"id", "depot"});
    CrewPlan p;
    if (!r.string(t, k, "id", p.id)) r.error(k + ".id", "required");
    const toml::node* d = t.get("depot");
    if (d == nullptr) {
      r.error(k + ".depot", "required: a bus id, or { x = ..., y = ... }");
    } else if (const auto* s = d->as_string()) {
      p.depot_bus = s->get();
    } else if (const toml::table* xy = d->as_table()) {
      r.only_known(*xy, k + ".depot", {"x", "y"});
      Point pt;
      if (r.real(*xy, k + ".depot", "x", pt.x) && r.real(*xy, k + ".depot", "y", pt.y)) p.depot = pt;
      else r.error(k + ".depot", "needs both x and y");
    } else {
      r.error(k + ".depot", fmt::format("expected a bus id or {{ x, y }}, got {}", type_name(*d)));
    }
    out.push_back(std::move(p));
  }
}

void read_repair(TomlReader& r, const toml::table& t, RepairPlan& out) {
  r.only_known(t, "repair", {"overhead_line", "cable", "transformer", "patrol", "assess", "estimate_sigma", "reaction"});
  for (int k = 0; k < kFaultKindCount; ++k) read_lognormal(r, t, "repair", to_string(static_cast<FaultKind>(k)), out.by_kind[k]);
  r.duration(t, "repair", "patrol", out.patrol);
  r.duration(t, "repair", "assess", out.assess);
  r.real(t, "repair", "estimate_sigma", out.estimate_sigma);
  read_range(r, t, "repair", "reaction", out.reaction);
}

void read_travel(TomlReader& r, const toml::table& t, TravelPlan& out) {
  r.only_known(t, "travel", {"speed_kmh", "detour", "noise_sigma", "position_every", "without_positions"});
  r.real(t, "travel", "speed_kmh", out.speed_kmh);
  r.real(t, "travel", "detour", out.detour);
  r.real(t, "travel", "noise_sigma", out.noise_sigma);
  r.duration(t, "travel", "position_every", out.position_every);
  read_lognormal(r, t, "travel", "without_positions", out.without_positions);
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return invalid_input(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line, e.source().begin.column, e.description()));
  }
  TomlReader r(origin);
  Scenario s;
  r.only_known(root, "", {"name", "description", "model", "customers", "seed", "start", "duration", "run_out", "tick",
                          "weather", "faults", "records", "signals", "calls", "crews", "repair", "travel"});
  r.string(root, "", "name", s.name);
  r.string(root, "", "description", s.description);
  if (!r.string(root, "", "model", s.model)) r.error("model", "required: the network model's file");
  r.string(root, "", "customers", s.customers);
  r.integer(root, "", "seed", s.seed, 0, std::numeric_limits<std::int64_t>::max());
  std::optional<Timestamp> start;
  if (r.time(root, "", "start", start) && start) s.start = *start;
  else if (!root.contains("start")) r.error("start", "required: an RFC 3339 time with a zone");
  if (!r.duration(root, "", "duration", s.duration) && !root.contains("duration")) r.error("duration", "required (e.g. \"6h\")");
  r.duration(root, "", "run_out", s.run_out);
  r.duration(root, "", "tick", s.tick);
  if (const toml::node* w = root.get("weather")) {
    const toml::array* a = w->as_array();
    if (a == nullptr || (!a->empty() && !a->is_array_of_tables())) {
      r.error("weather", "expected an array of { from, level } tables");
    } else {
      for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::table& t = *(*a)[i].as_table();
        const std::string k = fmt::format("weather[{}]", i);
        r.only_known(t, k, {"from", "level"});
        WeatherSpell spell;
        if (!r.duration(t, k, "from", spell.from)) r.error(k + ".from", "required");
        std::string level;
        if (r.string(t, k, "level", level)) {
          if (auto l = weather_from_string(level)) spell.level = *l;
          else r.error(k + ".level", fmt::format("expected calm, wind, storm or typhoon, got '{}'", level));
        } else {
          r.error(k + ".level", "required");
        }
        s.weather.push_back(spell);
      }
    }
  }
  if (const toml::table* t = r.table(root, "", "faults")) read_faults(r, *t, s.faults);
  if (const toml::array* a = r.table_array(root, "records")) read_records(r, *a, s.records);
  if (const toml::table* t = r.table(root, "", "signals")) read_signals(r, *t, s.signals);
  if (const toml::table* t = r.table(root, "", "calls")) read_calls(r, *t, s.calls);
  if (const toml::array* a = r.table_array(root, "crews")) read_crews(r, *a, s.crews);
  if (const toml::table* t = r.table(root, "", "repair")) read_repair(r, *t, s.repair);
  if (const toml::table* t = r.table(root, "", "travel")) read_travel(r, *t, s.travel);
  if (r.failed()) return invalid_input(r.message());
  if (Status st = check(s); !st) return invalid_input(fmt::format("{}: {}", origin, st.error().message));
  return s;
}

Result<Scenario> load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(fmt::format("cannot open scenario '{}'", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_scenario(buf.str(), path);
}

std::string resolve_scenario_path(const std::string& path, const std::string& scenario_file, const std::string& data_dir) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  const fs::path beside = fs::path(scenario_file).parent_path() / path;
  if (std::error_code ec; fs::exists(beside, ec)) return beside.lexically_normal().string();
  if (!data_dir.empty()) return (fs::path(data_dir) / path).lexically_normal().string();
  return path;
}

}  // namespace outage
