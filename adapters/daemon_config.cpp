#include "adapters/daemon_config.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <toml++/toml.h>

#include "adapters/toml_reader.h"
#include "feeds/rfc3339.h"

namespace outage {
namespace {

namespace fs = std::filesystem;

std::optional<int> parse_digits(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}
}  // namespace

namespace {


std::string resolve(const fs::path& base, const std::string& path) {
  if (path.empty() || base.empty() || fs::path(path).is_absolute()) return path;
  return (base / path).lexically_normal().string();
}

void read_server(TomlReader& r, const toml::table& t, ServerConfig& out) {
  r.only_known(t, "server",
               {"listen", "io_threads", "max_body_bytes", "request_timeout_s", "idle_timeout_s", "max_connections"});
  std::string listen;
  if (r.string(t, "server", "listen", listen)) {
    if (auto a = parse_listen_address(listen))
      out.listen = *a;
    else
      r.error("server.listen", a.error().message);
  }
  r.integer(t, "server", "io_threads", out.io_threads, 1, 256);
  r.integer(t, "server", "max_body_bytes", out.max_body_bytes, 1024, std::int64_t{1} << 40);
  r.seconds(t, "server", "request_timeout_s", out.request_timeout_s);
  r.seconds(t, "server", "idle_timeout_s", out.idle_timeout_s);
  r.integer(t, "server", "max_connections", out.max_connections, 1, 1000000);
}

void read_clock(TomlReader& r, const toml::table& t, ClockConfig& out) {
  r.only_known(t, "clock", {"mode", "start"});
  std::string mode;
  if (r.string(t, "clock", "mode", mode)) {
    if (mode == "wall")
      out.mode = ClockMode::wall;
    else if (mode == "sim")
      out.mode = ClockMode::sim;
    else
      r.error("clock.mode", fmt::format("expected \"wall\" or \"sim\", got '{}'", mode));
  }
  if (r.time(t, "clock", "start", out.start) && out.mode != ClockMode::sim)
    r.error("clock.start", "only a simulated clock (mode = \"sim\") has a start time");
}

void read_tokens(TomlReader& r, const toml::array& a, std::vector<ApiToken>& out) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const toml::table& t = *a[i].as_table();
    std::string prefix = fmt::format("tokens[{}]", i);
    r.only_known(t, prefix, {"token", "role", "name"});
    ApiToken token;
    token.name = prefix;
    bool has_token = r.string(t, prefix, "token", token.token);
    if (!has_token && !t.contains("token")) r.error(prefix + ".token", "required");
    if (has_token && token.token.empty()) r.error(prefix + ".token", "must not be empty");
    if (has_token && token.token.find_first_of(" \t\r\n") != std::string::npos)
      r.error(prefix + ".token", "must not contain spaces or line breaks");
    std::string role;
    if (r.string(t, prefix, "role", role)) {
      if (auto parsed = role_from_string(role))
        token.role = *parsed;
      else
        r.error(prefix + ".role", fmt::format("expected producer, agent, dispatcher or admin, got '{}'", role));
    } else if (!t.contains("role")) {
      r.error(prefix + ".role", "required");
    }
    r.string(t, prefix, "name", token.name);
    for (std::size_t j = 0; j < out.size(); ++j)
      if (has_token && !token.token.empty() && out[j].token == token.token)
        r.error(prefix + ".token", fmt::format("the same token as tokens[{}]", j));
    out.push_back(std::move(token));
  }
}

void read_ingest(TomlReader& r, const toml::table& t, IngestConfig& out) {
  r.only_known(t, "ingest", {"max_future_s", "max_age_s", "max_queued_rows", "commit_retry_s"});
  r.seconds(t, "ingest", "max_future_s", out.max_future_s);
  r.seconds(t, "ingest", "max_age_s", out.max_age_s);
  r.integer(t, "ingest", "max_queued_rows", out.max_queued_rows, 1, std::int64_t{1} << 40);
  r.seconds(t, "ingest", "commit_retry_s", out.commit_retry_s);
}

void read_mqtt(TomlReader& r, const toml::table& t, MqttConfig& out) {
  r.only_known(t, "mqtt", {"enabled", "host", "port", "topics", "client_id", "qos", "connections"});
  r.boolean(t, "mqtt", "enabled", out.enabled);
  if (r.string(t, "mqtt", "host", out.host) && out.host.empty()) r.error("mqtt.host", "must not be empty");
  r.integer(t, "mqtt", "port", out.port, 1, 65535);
  if (r.strings(t, "mqtt", "topics", out.topics)) {
    for (std::size_t i = 0; i < out.topics.size(); ++i)
      if (out.topics[i].empty()) r.error(fmt::format("mqtt.topics[{}]", i), "must not be empty");
  }
  if (out.enabled && out.topics.empty()) r.error("mqtt.topics", "an enabled MQTT subscriber needs at least one topic");
  if (r.string(t, "mqtt", "client_id", out.client_id) && out.client_id.empty())
    r.error("mqtt.client_id", "must not be empty");
  r.integer(t, "mqtt", "qos", out.qos, 0, 2);
  r.integer(t, "mqtt", "connections", out.connections, 1, 64);
}

void read_ping(TomlReader& r, const toml::table& t, PingConfig& out) {
  r.only_known(t, "ping", {"mqtt_topic", "webhook_url", "meters_per_transformer"});
  r.string(t, "ping", "mqtt_topic", out.mqtt_topic);
  if (r.string(t, "ping", "webhook_url", out.webhook_url) && !out.webhook_url.empty() &&
      !out.webhook_url.starts_with("http://") && !out.webhook_url.starts_with("https://"))
    r.error("ping.webhook_url", fmt::format("expected an http:// or https:// URL, got '{}'", out.webhook_url));
  r.integer(t, "ping", "meters_per_transformer", out.meters_per_transformer, 1, 100);
}

void read_hotline(TomlReader& r, const toml::table& t, AnswerStyle& out) {
  r.only_known(t, "hotline", {"language", "utc_offset"});
  std::string language;
  if (r.string(t, "hotline", "language", language)) {
    if (language == "zh") out.language = Language::zh;
    else if (language == "en") out.language = Language::en;
    else r.error("hotline.language", fmt::format("expected zh or en, got '{}'", language));
  }
  std::string offset;
  if (r.string(t, "hotline", "utc_offset", offset)) {
    // "+HH:MM" or "-HH:MM", as in RFC 3339.
    auto digit = [&](std::size_t i) { return i < offset.size() && offset[i] >= '0' && offset[i] <= '9'; };
    if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-') || !digit(1) || !digit(2) || offset[3] != ':' ||
        !digit(4) || !digit(5)) {
      r.error("hotline.utc_offset", fmt::format("expected +HH:MM or -HH:MM, got '{}'", offset));
    } else {
      int hours = (offset[1] - '0') * 10 + (offset[2] - '0'), minutes = (offset[4] - '0') * 10 + (offset[5] - '0');
      if (hours > 14 || minutes > 59) {
        r.error("hotline.utc_offset", fmt::format("'{}' is not an offset from UTC", offset));
      } else {
        out.utc_offset_minutes = (offset[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
      }
    }
  }
}

void read_tickets(TomlReader& r, const toml::table& t, TicketRules& out) {
  r.only_known(t, "tickets", {"repair_route_limit_min", "other_route_limit_min", "at_risk_share", "routes", "recheck_after_min",
                              "max_rechecks", "assist_customers", "assist_after_min", "max_assists"});
  int repair = 5, other = 10, recheck = 10, assist_after = 60;
  if (r.integer(t, "tickets", "repair_route_limit_min", repair, 1, 24 * 60)) out.repair_route_limit = std::chrono::minutes(repair);
  if (r.integer(t, "tickets", "other_route_limit_min", other, 1, 7 * 24 * 60)) out.other_route_limit = std::chrono::minutes(other);
  if (r.integer(t, "tickets", "recheck_after_min", recheck, 1, 24 * 60)) out.recheck_after = std::chrono::minutes(recheck);
  (void)r.integer(t, "tickets", "max_rechecks", out.max_rechecks, 0, 100);
  (void)r.integer(t, "tickets", "assist_customers", out.assist_customers, 1, 100000000);
  if (r.integer(t, "tickets", "assist_after_min", assist_after, 1, 7 * 24 * 60)) out.assist_after = std::chrono::minutes(assist_after);
  (void)r.integer(t, "tickets", "max_assists", out.max_assists, 0, 100);
  if (const toml::node* n = t.get("at_risk_share")) {
    double share = 0;
    if (r.number(*n, "tickets.at_risk_share", share)) {
      if (share < 0 || share >= 1) r.error("tickets.at_risk_share", fmt::format("expected a share in [0, 1), got {}", share));
      else out.at_risk_share = share;
    }
  }
  if (const toml::node* n = t.get("routes")) {
    const toml::array* a = n->as_array();
    if (a == nullptr || !a->is_array_of_tables()) {
      r.error("tickets.routes", "expected an array of tables ([[tickets.routes]])");
      return;
    }
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::table& rt = *(*a)[i].as_table();
      std::string prefix = fmt::format("tickets.routes[{}]", i);
      r.only_known(rt, prefix, {"kind", "complaint", "team"});
      TicketRoute route;
      std::string kind, complaint;
      if (!r.string(rt, prefix, "kind", kind)) {
        if (!rt.contains("kind")) r.error(prefix + ".kind", "required");
      } else {
        bool found = false;
        for (int k = 0; k <= static_cast<int>(TicketKind::business); ++k) {
          if (to_string(static_cast<TicketKind>(k)) == kind) route.kind = static_cast<TicketKind>(k), found = true;
        }
        if (!found) r.error(prefix + ".kind", fmt::format("unknown ticket kind '{}' (repair, complaint, inquiry, suggestion, business)", kind));
      }
      if (r.string(rt, prefix, "complaint", complaint)) {
        bool found = false;
        for (int c = 1; c <= static_cast<int>(ComplaintType::grid_construction); ++c) {
          if (to_string(static_cast<ComplaintType>(c)) == complaint) route.complaint = static_cast<ComplaintType>(c), found = true;
        }
        if (!found) {
          r.error(prefix + ".complaint", fmt::format("unknown complaint type '{}' (service, business, outage, "
                                                     "power_quality, grid_construction)", complaint));
        }
      }
      if (!r.string(rt, prefix, "team", route.team) || route.team.empty()) r.error(prefix + ".team", "required, not empty");
      out.routes.push_back(std::move(route));
    }
  }
}

void read_dispatch(TomlReader& r, const toml::table& t, DispatchConfig& out) {
  r.only_known(t, "dispatch", {"policy", "budget", "max_passes", "stay_in_area", "replan_every", "breach_customer_hours"});
  std::string policy;
  if (r.string(t, "dispatch", "policy", policy)) {
    if (auto p = dispatch_policy_from_string(policy))
      out.policy = *p;
    else
      r.error("dispatch.policy", fmt::format("expected \"planner\", \"nearest_idle\", \"fifo\" or \"manual\", got '{}'", policy));
  }
  if (r.duration(t, "dispatch", "budget", out.planner.budget) && out.planner.budget <= Duration(0)) {
    r.error("dispatch.budget", "must be positive");
  }
  r.integer(t, "dispatch", "max_passes", out.planner.max_passes, 0, 1000);
  r.boolean(t, "dispatch", "stay_in_area", out.planner.stay_in_area);
  int breach_hours = 300;
  if (r.integer(t, "dispatch", "breach_customer_hours", breach_hours, 1, 100'000'000)) out.planner.breach_customer_minutes = 60.0 * breach_hours;
  if (r.duration(t, "dispatch", "replan_every", out.replan_every) && out.replan_every <= Duration(0)) {
    r.error("dispatch.replan_every", "must be positive");
  }
}

bool read_point(TomlReader& r, const toml::table& t, const std::string& prefix, std::string_view key, Point& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return false;
  const toml::array* xy = n->as_array();
  const std::string k = fmt::format("{}.{}", prefix, key);
  if (xy == nullptr || xy->size() != 2) {
    r.error(k, "expected a point [x, y]");
    return false;
  }
  return r.number((*xy)[0], k + "[0]", out.x) && r.number((*xy)[1], k + "[1]", out.y);
}

void read_travel(TomlReader& r, const toml::table& t, TravelConfig& out) {
  r.only_known(t, "travel", {"speed_kmh", "detour", "roads", "max_snap_m", "placement", "speeds"});
  if (r.real(t, "travel", "speed_kmh", out.speed_kmh) && out.speed_kmh <= 0) r.error("travel.speed_kmh", "must be positive");
  if (r.real(t, "travel", "detour", out.detour) && out.detour < 1) r.error("travel.detour", "must be at least 1 (roads are never shorter than the straight line)");
  r.string(t, "travel", "roads", out.roads);
  if (r.real(t, "travel", "max_snap_m", out.max_snap_m) && out.max_snap_m <= 0) r.error("travel.max_snap_m", "must be positive");
  if (const auto* p = r.table(t, "travel", "placement")) {
    r.only_known(*p, "travel.placement", {"map_anchor", "model_anchor", "scale", "rotation_deg"});
    Point anchor;
    if (read_point(r, *p, "travel.placement", "map_anchor", anchor)) out.placement.map_anchor = anchor;
    read_point(r, *p, "travel.placement", "model_anchor", out.placement.model_anchor);
    if (r.real(*p, "travel.placement", "scale", out.placement.scale) && out.placement.scale <= 0) {
      r.error("travel.placement.scale", "must be positive");
    }
    r.real(*p, "travel.placement", "rotation_deg", out.placement.rotation_deg);
  }
  if (const auto* s = r.table(t, "travel", "speeds")) {
    for (const auto& [key, node] : *s) {
      double kmh = 0;
      if (r.real(*s, "travel.speeds", key.str(), kmh)) out.speeds.emplace_back(std::string(key.str()), kmh);
    }
  }
}

void read_crews(TomlReader& r, const toml::array& a, std::vector<CrewConfig>& out) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string prefix = fmt::format("crews[{}]", i);
    const toml::table* t = a[i].as_table();
    if (t == nullptr) {
      r.error(prefix, "expected a table");
      continue;
    }
    r.only_known(*t, prefix, {"id", "depot", "depot_bus", "skills", "vehicle", "daily", "shifts"});
    CrewConfig c;
    if (!r.string(*t, prefix, "id", c.profile.id) && !t->contains("id")) r.error(prefix + ".id", "required");
    for (const CrewConfig& other : out) {
      if (!c.profile.id.empty() && other.profile.id == c.profile.id) r.error(prefix + ".id", fmt::format("a second crew called '{}'", c.profile.id));
    }
    if (const toml::node* n = t->get("depot")) {
      const toml::array* xy = n->as_array();
      Point p;
      if (xy == nullptr || xy->size() != 2) {
        r.error(prefix + ".depot", "expected a point [x, y] in the model's coordinates");
      } else if (r.number((*xy)[0], prefix + ".depot[0]", p.x) && r.number((*xy)[1], prefix + ".depot[1]", p.y)) {
        c.profile.depot = p;
        c.profile.has_depot = true;
      }
    }
    r.string(*t, prefix, "depot_bus", c.depot_bus);
    if (!t->contains("depot") && !t->contains("depot_bus")) {
      r.error(prefix + ".depot", "a crew needs a depot: depot = [x, y] or depot_bus = \"<bus>\"");
    }
    std::vector<std::string> skills;
    if (r.strings(*t, prefix, "skills", skills)) {
      c.profile.skills = SkillSet();
      for (const std::string& s : skills) {
        if (auto k = skill_from_string(s)) c.profile.skills.add(*k);
        else r.error(prefix + ".skills", fmt::format("expected overhead_line, cable, transformer or metering, got '{}'", s));
      }
      if (skills.empty()) r.error(prefix + ".skills", "a crew needs at least one skill");
    }
    r.string(*t, prefix, "vehicle", c.profile.vehicle);
    std::vector<std::string> daily;
    if (r.strings(*t, prefix, "daily", daily)) {
      for (std::size_t k = 0; k < daily.size(); ++k) {
        auto d = parse_daily_shift(daily[k]);
        if (d) c.profile.daily.push_back(*d);
        else r.error(fmt::format("{}.daily[{}]", prefix, k), d.error().message);
      }
    }
    if (const toml::node* n = t->get("shifts")) {
      const toml::array* shifts = n->as_array();
      if (shifts == nullptr) {
        r.error(prefix + ".shifts", "expected an array of {start, end} tables");
      } else {
        for (std::size_t k = 0; k < shifts->size(); ++k) {
          const std::string key = fmt::format("{}.shifts[{}]", prefix, k);
          const toml::table* st = (*shifts)[k].as_table();
          if (st == nullptr) {
            r.error(key, "expected a table {start, end}");
            continue;
          }
          r.only_known(*st, key, {"start", "end"});
          DatedShift d;
          for (auto [name, slot] : {std::pair{"start", &d.start}, std::pair{"end", &d.end}}) {
            std::optional<Timestamp> at;
            if (r.time(*st, key, name, at)) *slot = *at;
            else if (!st->contains(name)) r.error(fmt::format("{}.{}", key, name), "required: a time with its zone");
          }
          if (d.start != kNoTime && d.end != kNoTime && d.end <= d.start) r.error(key, "the shift ends before it starts");
          c.profile.dated.push_back(d);
        }
      }
    }
    out.push_back(std::move(c));
  }
}

void read_areas(TomlReader& r, const toml::array& a, std::vector<AreaConfig>& out) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const toml::table& t = *a[i].as_table();
    std::string prefix = fmt::format("areas[{}]", i);
    r.only_known(t, prefix, {"name", "class", "arrival_limit_min", "polygon"});
    AreaConfig area;
    if (r.string(t, prefix, "name", area.name)) {
      if (area.name.empty()) r.error(prefix + ".name", "must not be empty");
      for (const AreaConfig& other : out)
        if (!area.name.empty() && other.name == area.name)
          r.error(prefix + ".name", fmt::format("a second area called '{}'", area.name));
    } else if (!t.contains("name")) {
      r.error(prefix + ".name", "required");
    }
    std::string cls;
    if (r.string(t, prefix, "class", cls)) {
      if (cls == "urban")
        area.area_class = AreaClass::urban;
      else if (cls == "rural")
        area.area_class = AreaClass::rural;
      else if (cls == "remote")
        area.area_class = AreaClass::remote;
      else
        r.error(prefix + ".class", fmt::format("expected urban, rural or remote, got '{}'", cls));
    } else if (!t.contains("class")) {
      r.error(prefix + ".class", "required");
    }
    area.arrival_limit_min = default_arrival_limit_min(area.area_class);
    r.integer(t, prefix, "arrival_limit_min", area.arrival_limit_min, 1, 7 * 24 * 60);
    if (const toml::node* n = t.get("polygon")) {
      const toml::array* points = n->as_array();
      if (points == nullptr) {
        r.error(prefix + ".polygon", fmt::format("expected an array of [x, y] points, got {}", type_name(*n)));
      } else {
        for (std::size_t j = 0; j < points->size(); ++j) {
          std::string key = fmt::format("{}.polygon[{}]", prefix, j);
          const toml::array* xy = (*points)[j].as_array();
          if (xy == nullptr || xy->size() != 2) {
            r.error(key, "expected a point [x, y]");
            continue;
          }
          Point p;
          if (r.number((*xy)[0], key + "[0]", p.x) && r.number((*xy)[1], key + "[1]", p.y)) area.polygon.push_back(p);
        }
        if (area.polygon.size() == points->size()) {
          if (Status s = check_boundary(area.polygon); !s) r.error(prefix + ".polygon", s.error().message);
        }
      }
    } else {
      r.error(prefix + ".polygon", "required");
    }
    out.push_back(std::move(area));
  }
}

}  // namespace

std::string ListenAddress::to_string() const { return Endpoint{host, port}.to_string(); }

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto bad = [&] { return invalid_input(fmt::format("expected HOST:PORT, got '{}'", text)); };
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();  // an IPv6 address needs brackets
  }
  auto n = parse_digits(port);
  if (!n || *n < 0 || *n > 65535 || host.find_first_of(" \t/") != std::string_view::npos) return bad();
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(*n)};
}

HttpServerOptions http_server_options(const ServerConfig& server) {
  HttpServerOptions o;
  o.address = server.listen.host;
  o.port = server.listen.port;
  o.io_threads = server.io_threads;
  o.max_body_bytes = server.max_body_bytes;
  o.request_timeout = std::chrono::milliseconds(std::llround(server.request_timeout_s * 1000));
  o.idle_timeout = std::chrono::milliseconds(std::llround(server.idle_timeout_s * 1000));
  o.max_connections = static_cast<std::size_t>(server.max_connections);
  return o;
}

std::string_view to_string(ClockMode mode) { return mode == ClockMode::sim ? "sim" : "wall"; }

Result<DaemonConfig> parse_daemon_config(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return invalid_input(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line, e.source().begin.column,
                                     e.description()));
  }
  DaemonConfig config;
  config.origin = std::string(origin);
  TomlReader r(origin);
  for (auto&& [key, node] : root) {
    static constexpr std::string_view kSections[] = {"server", "store",   "model",   "clock",    "tokens",
                                                     "ingest", "mqtt",    "ping",    "areas",    "hotline",
                                                     "tickets", "dispatch", "inference", "crews", "travel"};
    bool known = false;
    for (auto s : kSections) known = known || s == key.str();
    if (!known)
      r.error(key.str(), "unknown section (known: server, store, model, clock, tokens, ingest, mqtt, ping, areas, "
                         "hotline, tickets, dispatch, crews, travel, inference)");
  }
  if (const auto* t = r.table(root, "", "server")) read_server(r, *t, config.server);
  if (const auto* t = r.table(root, "", "store")) {
    r.only_known(*t, "store", {"dsn"});
    r.string(*t, "store", "dsn", config.store.dsn);
  }
  if (const auto* t = r.table(root, "", "model")) {
    r.only_known(*t, "model", {"path", "name", "customers", "gateways"});
    r.string(*t, "model", "path", config.model.path);
    r.string(*t, "model", "name", config.model.name);
    r.string(*t, "model", "customers", config.model.customers);
    r.string(*t, "model", "gateways", config.model.gateways);
  }
  if (const auto* t = r.table(root, "", "clock")) read_clock(r, *t, config.clock);
  if (const auto* a = r.table_array(root, "tokens")) read_tokens(r, *a, config.tokens);
  if (const auto* t = r.table(root, "", "ingest")) read_ingest(r, *t, config.ingest);
  if (const auto* t = r.table(root, "", "mqtt")) read_mqtt(r, *t, config.mqtt);
  if (const auto* t = r.table(root, "", "ping")) read_ping(r, *t, config.ping);
  if (const auto* a = r.table_array(root, "areas")) read_areas(r, *a, config.areas);
  if (const auto* t = r.table(root, "", "hotline")) read_hotline(r, *t, config.hotline);
  if (const auto* t = r.table(root, "", "tickets")) read_tickets(r, *t, config.tickets);
  if (const auto* t = r.table(root, "", "dispatch")) read_dispatch(r, *t, config.dispatch);
  if (const auto* a = r.table_array(root, "crews")) read_crews(r, *a, config.crews);
  if (const auto* t = r.table(root, "", "travel")) read_travel(r, *t, config.travel);
  // Daily shifts are in the utility's local time, the hotline's.
  for (CrewConfig& c : config.crews) c.profile.utc_offset_min = config.hotline.utc_offset_minutes;
  if (const auto* t = r.table(root, "", "inference")) {
    std::ostringstream text_out;
    text_out << *t;
    config.inference_toml = text_out.str();
  }
  if (r.failed()) return invalid_input(r.message());

  fs::path base = fs::path(std::string(origin)).parent_path();
  config.model.path = resolve(base, config.model.path);
  config.model.customers = resolve(base, config.model.customers);
  config.model.gateways = resolve(base, config.model.gateways);
  config.travel.roads = resolve(base, config.travel.roads);
  return config;
}

Result<DaemonConfig> load_daemon_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(fmt::format("{}: cannot read the configuration file", path));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return not_found(fmt::format("{}: cannot read the configuration file", path));
  return parse_daemon_config(text.str(), path);
}

Status apply_overrides(DaemonConfig& config, const CliOverrides& overrides) {
  if (overrides.model) config.model.path = *overrides.model;
  if (overrides.db) config.store.dsn = *overrides.db;
  if (overrides.listen) {
    auto a = parse_listen_address(*overrides.listen);
    if (!a) return invalid_input("--listen: " + a.error().message);
    config.server.listen = *a;
  }
  if (overrides.clock) {
    const std::string& c = *overrides.clock;
    if (c == "wall") {
      config.clock = ClockConfig{ClockMode::wall, std::nullopt};
    } else if (c == "sim") {
      config.clock.mode = ClockMode::sim;
    } else if (c.starts_with("sim@")) {
      auto start = parse_rfc3339(std::string_view(c).substr(4));
      if (!start) return invalid_input(fmt::format("--clock: expected an RFC 3339 time with a zone after 'sim@', got '{}'", c.substr(4)));
      config.clock = ClockConfig{ClockMode::sim, start};
    } else {
      return invalid_input(fmt::format("--clock: expected wall, sim or sim@<RFC 3339 time>, got '{}'", c));
    }
  }
  if (overrides.admin_token) {
    const std::string& token = *overrides.admin_token;
    if (token.empty()) return invalid_input("OUTAGE_ADMIN_TOKEN: set but empty");
    if (token.find_first_of(" \t\r\n") != std::string::npos)
      return invalid_input("OUTAGE_ADMIN_TOKEN: must not contain spaces or line breaks");
    bool present = false;
    for (const ApiToken& t : config.tokens) {
      if (t.token != token) continue;
      if (t.role != Role::admin)
        return invalid_input(fmt::format("OUTAGE_ADMIN_TOKEN: the same token is configured as '{}' with role '{}'",
                                         t.name, to_string(t.role)));
      present = true;
    }
    if (!present) config.tokens.push_back(ApiToken{token, Role::admin, "OUTAGE_ADMIN_TOKEN"});
  }
  return Status{};
}

}  // namespace outage
