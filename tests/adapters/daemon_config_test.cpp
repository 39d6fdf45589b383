// The daemon's TOML configuration: defaults, every section, errors that name the key, overrides.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <toml++/toml.h>
#include <unistd.h>

#include "adapters/daemon_config.h"
#include "feeds/rfc3339.h"

namespace outage {
namespace {

namespace fs = std::filesystem;

DaemonConfig parse_ok(std::string_view text) {
  auto c = parse_daemon_config(text, "outage.toml");
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : DaemonConfig{};
}

// Overrides with one option given.
CliOverrides only(std::optional<std::string> CliOverrides::*option, std::string value) {
  CliOverrides o;
  o.*option = std::move(value);
  return o;
}

// The whole message of a configuration that must fail.
std::string parse_error(std::string_view text) {
  auto c = parse_daemon_config(text, "outage.toml");
  EXPECT_FALSE(c.ok()) << "expected an error for:\n" << text;
  if (c.ok()) return {};
  EXPECT_EQ(c.error().code, ErrorCode::invalid_input);
  return c.error().message;
}

TEST(DaemonConfig, AnEmptyFileGivesTheDefaults) {
  DaemonConfig c = parse_ok("");
  EXPECT_EQ(c.server.listen.host, "127.0.0.1");
  EXPECT_EQ(c.server.listen.port, 8080);
  EXPECT_EQ(c.server.listen.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(c.server.io_threads, 2);
  EXPECT_EQ(c.server.max_body_bytes, 16u << 20);
  EXPECT_EQ(c.server.max_connections, 512);
  EXPECT_EQ(c.clock.mode, ClockMode::wall);
  EXPECT_FALSE(c.clock.start.has_value());
  EXPECT_TRUE(c.tokens.empty());
  EXPECT_FALSE(c.mqtt.enabled);
  EXPECT_EQ(c.mqtt.qos, 1);
  EXPECT_EQ(c.mqtt.topics, std::vector<std::string>{"outage/events/#"});
  EXPECT_EQ(c.ping.meters_per_transformer, 2);
  EXPECT_TRUE(c.areas.empty());
  EXPECT_EQ(c.inference_toml, "");
  EXPECT_EQ(c.origin, "outage.toml");
}

TEST(DaemonConfig, TheShippedExampleStatesTheDefaults) {
  auto c = load_daemon_config(std::string(OUTAGE_SOURCE_DIR) + "/config/outage.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  DaemonConfig d = parse_ok("");
  EXPECT_EQ(c->server.listen.to_string(), d.server.listen.to_string());
  EXPECT_EQ(c->server.io_threads, d.server.io_threads);
  EXPECT_EQ(c->server.max_body_bytes, d.server.max_body_bytes);
  EXPECT_EQ(c->server.request_timeout_s, d.server.request_timeout_s);
  EXPECT_EQ(c->server.idle_timeout_s, d.server.idle_timeout_s);
  EXPECT_EQ(c->server.max_connections, d.server.max_connections);
  EXPECT_EQ(c->store.dsn, d.store.dsn);
  EXPECT_EQ(c->model.path, d.model.path);
  EXPECT_EQ(c->clock.mode, d.clock.mode);
  EXPECT_EQ(c->ingest.max_future_s, d.ingest.max_future_s);
  EXPECT_EQ(c->ingest.max_age_s, d.ingest.max_age_s);
  EXPECT_EQ(c->ingest.max_queued_rows, d.ingest.max_queued_rows);
  EXPECT_EQ(c->ingest.commit_retry_s, d.ingest.commit_retry_s);
  EXPECT_EQ(c->mqtt.enabled, d.mqtt.enabled);
  EXPECT_EQ(c->mqtt.host, d.mqtt.host);
  EXPECT_EQ(c->mqtt.port, d.mqtt.port);
  EXPECT_EQ(c->mqtt.topics, d.mqtt.topics);
  EXPECT_EQ(c->mqtt.client_id, d.mqtt.client_id);
  EXPECT_EQ(c->mqtt.qos, d.mqtt.qos);
  EXPECT_EQ(c->mqtt.connections, d.mqtt.connections);
  EXPECT_EQ(c->ping.mqtt_topic, d.ping.mqtt_topic);
  EXPECT_EQ(c->ping.webhook_url, d.ping.webhook_url);
  EXPECT_EQ(c->ping.meters_per_transformer, d.ping.meters_per_transformer);
  EXPECT_EQ(c->hotline.language, d.hotline.language);
  EXPECT_EQ(c->hotline.utc_offset_minutes, d.hotline.utc_offset_minutes);
  EXPECT_EQ(c->tickets.repair_route_limit, d.tickets.repair_route_limit);
  EXPECT_EQ(c->tickets.other_route_limit, d.tickets.other_route_limit);
  EXPECT_DOUBLE_EQ(c->tickets.at_risk_share, d.tickets.at_risk_share);
  EXPECT_TRUE(c->tickets.routes.empty());
  EXPECT_EQ(c->dispatch.policy, d.dispatch.policy);
}

TEST(DaemonConfig, EverySectionIsRead) {
  DaemonConfig c = parse_ok(R"(
[server]
listen = "[::1]:9090"
io_threads = 4
max_body_bytes = 1048576
request_timeout_s = 2.5
idle_timeout_s = 30
max_connections = 100

[store]
dsn = "host=/tmp port=5432 dbname=outage"

[model]
path = "/data/ieee8500/Master.dss"
name = "ieee8500"
customers = "/data/customers.csv"
gateways = "/data/gateways.csv"

[clock]
mode = "sim"
start = 2026-11-23T08:00:00+08:00

[[tokens]]
token = "t-producer"
role = "producer"
name = "ami-headend"

[[tokens]]
token = "t-agent"
role = "agent"

[ingest]
max_future_s = 60
max_age_s = 3600
max_queued_rows = 5000
commit_retry_s = 0.5

[mqtt]
enabled = true
host = "broker.local"
port = 8883
topics = ["ami/+/events", "iot/alarms"]
client_id = "outage-1"
qos = 2
connections = 4

[ping]
mqtt_topic = "ami/ping"
webhook_url = "https://headend.local/ping"
meters_per_transformer = 3

[[areas]]
name = "downtown"
class = "urban"
polygon = [[0, 0], [10, 0], [10, 10], [0, 10]]

[[areas]]
name = "hills"
class = "remote"
arrival_limit_min = 150
polygon = [[0.5, 0.5], [1.5, 0.5], [1, 2], [0.5, 0.5]]

[[areas]]
name = "farms"
class = "rural"
polygon = [[0, 0], [1, 0], [0, 1]]
)");
  EXPECT_EQ(c.server.listen.host, "::1");
  EXPECT_EQ(c.server.listen.port, 9090);
  EXPECT_EQ(c.server.listen.to_string(), "[::1]:9090");
  EXPECT_EQ(c.server.io_threads, 4);
  EXPECT_EQ(c.server.max_body_bytes, 1048576u);
  EXPECT_EQ(c.server.request_timeout_s, 2.5);
  EXPECT_EQ(c.server.idle_timeout_s, 30);
  EXPECT_EQ(c.server.max_connections, 100);
  HttpServerOptions o = http_server_options(c.server);
  EXPECT_EQ(o.address, "::1");
  EXPECT_EQ(o.port, 9090);
  EXPECT_EQ(o.request_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(o.max_connections, 100u);

  EXPECT_EQ(c.store.dsn, "host=/tmp port=5432 dbname=outage");
  EXPECT_EQ(c.model.path, "/data/ieee8500/Master.dss");
  EXPECT_EQ(c.model.name, "ieee8500");
  EXPECT_EQ(c.model.customers, "/data/customers.csv");
  EXPECT_EQ(c.model.gateways, "/data/gateways.csv");

  EXPECT_EQ(c.clock.mode, ClockMode::sim);
  ASSERT_TRUE(c.clock.start.has_value());
  EXPECT_EQ(format_rfc3339(*c.clock.start), "2026-11-23T00:00:00Z");

  ASSERT_EQ(c.tokens.size(), 2u);
  EXPECT_EQ(c.tokens[0].token, "t-producer");
  EXPECT_EQ(c.tokens[0].role, Role::producer);
  EXPECT_EQ(c.tokens[0].name, "ami-headend");
  EXPECT_EQ(c.tokens[1].role, Role::agent);
  EXPECT_EQ(c.tokens[1].name, "tokens[1]");  // named by its place when the file does not

  EXPECT_EQ(c.ingest.max_future_s, 60);
  EXPECT_EQ(c.ingest.max_age_s, 3600);
  EXPECT_EQ(c.ingest.max_queued_rows, 5000);
  EXPECT_EQ(c.ingest.commit_retry_s, 0.5);

  EXPECT_TRUE(c.mqtt.enabled);
  EXPECT_EQ(c.mqtt.host, "broker.local");
  EXPECT_EQ(c.mqtt.port, 8883);
  EXPECT_EQ(c.mqtt.topics, (std::vector<std::string>{"ami/+/events", "iot/alarms"}));
  EXPECT_EQ(c.mqtt.client_id, "outage-1");
  EXPECT_EQ(c.mqtt.qos, 2);
  EXPECT_EQ(c.mqtt.connections, 4);

  EXPECT_EQ(c.ping.mqtt_topic, "ami/ping");
  EXPECT_EQ(c.ping.webhook_url, "https://headend.local/ping");
  EXPECT_EQ(c.ping.meters_per_transformer, 3);

  ASSERT_EQ(c.areas.size(), 3u);
  EXPECT_EQ(c.areas[0].name, "downtown");
  EXPECT_EQ(c.areas[0].area_class, AreaClass::urban);
  EXPECT_EQ(c.areas[0].arrival_limit_min, 45);  // the urban default
  EXPECT_EQ(c.areas[0].polygon.size(), 4u);
  EXPECT_EQ(c.areas[0].polygon[2], (Point{10, 10}));
  EXPECT_EQ(c.areas[1].area_class, AreaClass::remote);
  EXPECT_EQ(c.areas[1].arrival_limit_min, 150);  // given
  EXPECT_EQ(c.areas[1].polygon[2], (Point{1, 2}));
  EXPECT_EQ(c.areas[2].arrival_limit_min, 90);  // the rural default
}

TEST(DaemonConfig, ErrorsNameTheFileTheKeyAndTheReason) {
  EXPECT_EQ(parse_error("[server]\nlisten = \"abc\"\n"), "outage.toml: server.listen: expected HOST:PORT, got 'abc'");
  EXPECT_EQ(parse_error("[server]\nlisten = \"host:99999\"\n"),
            "outage.toml: server.listen: expected HOST:PORT, got 'host:99999'");
  EXPECT_EQ(parse_error("[server]\nio_threads = \"two\"\n"),
            "outage.toml: server.io_threads: expected an integer from 1 to 256, got a string");
  EXPECT_EQ(parse_error("[server]\nio_threads = 0\n"),
            "outage.toml: server.io_threads: expected an integer from 1 to 256, got 0");
  EXPECT_EQ(parse_error("[server]\nrequest_timeout_s = -1\n"),
            "outage.toml: server.request_timeout_s: expected a number of seconds above 0, got -1");
  EXPECT_EQ(parse_error("[clock]\nmode = \"fast\"\n"), "outage.toml: clock.mode: expected \"wall\" or \"sim\", got 'fast'");
  EXPECT_EQ(parse_error("[clock]\nmode = \"sim\"\nstart = \"yesterday\"\n"),
            "outage.toml: clock.start: expected an RFC 3339 time with a zone (e.g. 2026-11-23T08:00:00+08:00), got "
            "'yesterday'");
  EXPECT_EQ(parse_error("[clock]\nmode = \"sim\"\nstart = 2026-11-23T08:00:00\n"),
            "outage.toml: clock.start: expected a time with a zone (e.g. 2026-11-23T08:00:00+08:00), got a local "
            "date-time");
  EXPECT_EQ(parse_error("[clock]\nstart = \"2026-11-23T08:00:00Z\"\n"),
            "outage.toml: clock.start: only a simulated clock (mode = \"sim\") has a start time");
  EXPECT_EQ(parse_error("[mqtt]\nqos = 3\n"), "outage.toml: mqtt.qos: expected an integer from 0 to 2, got 3");
  EXPECT_EQ(parse_error("[mqtt]\ntopics = [\"a\", 2]\n"), "outage.toml: mqtt.topics[1]: expected a string, got an integer");
  EXPECT_EQ(parse_error("[ping]\nwebhook_url = \"ftp://x\"\n"),
            "outage.toml: ping.webhook_url: expected an http:// or https:// URL, got 'ftp://x'");
  EXPECT_EQ(parse_error("server = 1\n"), "outage.toml: server: expected a table ([server]), got an integer");
  EXPECT_EQ(parse_error("[tokens]\ntoken = \"x\"\n"),
            "outage.toml: tokens: expected an array of tables ([[tokens]]), got a table");
}

TEST(DaemonConfig, UnknownKeysAreErrors) {
  EXPECT_EQ(parse_error("[server]\nlisten_on = \"127.0.0.1:1\"\n"),
            "outage.toml: server.listen_on: unknown key (known here: listen, io_threads, max_body_bytes, "
            "request_timeout_s, idle_timeout_s, max_connections)");
  EXPECT_EQ(parse_error("[srever]\nlisten = \"127.0.0.1:1\"\n"),
            "outage.toml: srever: unknown section (known: server, store, model, clock, tokens, ingest, mqtt, ping, "
            "areas, hotline, tickets, dispatch, crews, travel, inference)");
  EXPECT_EQ(parse_error("[[tokens]]\ntoken = \"x\"\nrole = \"agent\"\nrol = \"admin\"\n"),
            "outage.toml: tokens[0].rol: unknown key (known here: token, role, name)");
  EXPECT_EQ(parse_error("[model]\npath = \"a.dss\"\n[model.extra]\nx = 1\n"),
            "outage.toml: model.extra: unknown key (known here: path, name, customers, gateways)");
}

TEST(DaemonConfig, AllErrorsAreReportedAtOnceOneALine) {
  std::string message = parse_error("[server]\nlisten = \"abc\"\nio_threads = 0\n[mqtt]\nqos = 9\n");
  EXPECT_EQ(message,
            "outage.toml: server.listen: expected HOST:PORT, got 'abc'\n"
            "outage.toml: server.io_threads: expected an integer from 1 to 256, got 0\n"
            "outage.toml: mqtt.qos: expected an integer from 0 to 2, got 9");
}

TEST(DaemonConfig, SyntaxErrorsGiveTheLineAndColumn) {
  std::string message = parse_error("[server]\nlisten = \"127.0.0.1:80\n");
  EXPECT_EQ(message.rfind("outage.toml:2:", 0), 0u) << message;
}

TEST(DaemonConfig, TokensNeedATokenAndAKnownRoleAndAreUnique) {
  EXPECT_EQ(parse_error("[[tokens]]\nrole = \"agent\"\n"), "outage.toml: tokens[0].token: required");
  EXPECT_EQ(parse_error("[[tokens]]\ntoken = \"x\"\n"), "outage.toml: tokens[0].role: required");
  EXPECT_EQ(parse_error("[[tokens]]\ntoken = \"x\"\nrole = \"root\"\n"),
            "outage.toml: tokens[0].role: expected producer, agent, dispatcher or admin, got 'root'");
  EXPECT_EQ(parse_error("[[tokens]]\ntoken = \"\"\nrole = \"agent\"\n"), "outage.toml: tokens[0].token: must not be empty");
  EXPECT_EQ(parse_error("[[tokens]]\ntoken = \"a b\"\nrole = \"agent\"\n"),
            "outage.toml: tokens[0].token: must not contain spaces or line breaks");
  EXPECT_EQ(parse_error("[[tokens]]\ntoken = \"x\"\nrole = \"agent\"\n[[tokens]]\ntoken = \"x\"\nrole = \"admin\"\n"),
            "outage.toml: tokens[1].token: the same token as tokens[0]");
}

TEST(DaemonConfig, AreasNeedANameAClassAndAPolygon) {
  EXPECT_EQ(parse_error("[[areas]]\nname = \"a\"\nclass = \"suburban\"\npolygon = [[0,0],[1,0],[0,1]]\n"),
            "outage.toml: areas[0].class: expected urban, rural or remote, got 'suburban'");
  EXPECT_EQ(parse_error("[[areas]]\nname = \"a\"\nclass = \"urban\"\npolygon = [[0,0],[1,0],[0,0]]\n"),
            "outage.toml: areas[0].polygon: expected at least 3 points, got 2");
  EXPECT_EQ(parse_error("[[areas]]\nname = \"a\"\nclass = \"urban\"\npolygon = [[0,0],[1,0],[0,\"y\"]]\n"),
            "outage.toml: areas[0].polygon[2][1]: expected a number, got a string");
  EXPECT_EQ(parse_error("[[areas]]\nname = \"a\"\nclass = \"urban\"\npolygon = [[0,0],[1,0,2],[0,1]]\n"),
            "outage.toml: areas[0].polygon[1]: expected a point [x, y]");
  EXPECT_EQ(parse_error("[[areas]]\nclass = \"urban\"\npolygon = [[0,0],[1,0],[0,1]]\n"),
            "outage.toml: areas[0].name: required");
  EXPECT_EQ(parse_error("[[areas]]\nname = \"a\"\nclass = \"rural\"\n"), "outage.toml: areas[0].polygon: required");
  EXPECT_EQ(parse_error("[[areas]]\nname = \"a\"\nclass = \"rural\"\npolygon = [[0,0],[1,0],[0,1]]\n"
                        "[[areas]]\nname = \"a\"\nclass = \"rural\"\npolygon = [[0,0],[1,0],[0,1]]\n"),
            "outage.toml: areas[1].name: a second area called 'a'");
}

TEST(DaemonConfig, InferenceIsKeptAsTomlTextWhateverItsKeys) {
  DaemonConfig c = parse_ok(R"(
[inference]
settle_s = 90
anything_new = "allowed here"

[inference.thresholds]
transformer = { min_evidence = 3, min_share = 0.6 }
)");
  ASSERT_FALSE(c.inference_toml.empty());
  toml::table t = toml::parse(c.inference_toml);  // the other component parses it
  EXPECT_EQ(t["settle_s"].value<int>(), 90);
  EXPECT_EQ(t["anything_new"].value<std::string>(), "allowed here");
  EXPECT_EQ(t["thresholds"]["transformer"]["min_evidence"].value<int>(), 3);
  EXPECT_EQ(t["thresholds"]["transformer"]["min_share"].value<double>(), 0.6);
}

TEST(DaemonConfig, RelativePathsAreReadFromTheFilesFolder) {
  fs::path dir = fs::temp_directory_path() / ("outage-config-test-" + std::to_string(::getpid()));
  fs::create_directories(dir / "etc");
  fs::path file = dir / "etc" / "outage.toml";
  {
    std::ofstream out(file);
    out << "[model]\npath = \"../models/ieee13/IEEE13Nodeckt.dss\"\ncustomers = \"customers.csv\"\n"
           "gateways = \"/srv/gateways.csv\"\n";
  }
  auto c = load_daemon_config(file.string());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->model.path, (dir / "models" / "ieee13" / "IEEE13Nodeckt.dss").string());
  EXPECT_EQ(c->model.customers, (dir / "etc" / "customers.csv").string());
  EXPECT_EQ(c->model.gateways, "/srv/gateways.csv");  // absolute stays
  EXPECT_EQ(c->origin, file.string());

  // Errors name the file as it was given.
  {
    std::ofstream out(file);
    out << "[server]\nlisten = \"abc\"\n";
  }
  auto bad = load_daemon_config(file.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, file.string() + ": server.listen: expected HOST:PORT, got 'abc'");
  fs::remove_all(dir);

  auto missing = load_daemon_config((dir / "nope.toml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST(DaemonConfig, OverridesWinOverTheFile) {
  DaemonConfig c = parse_ok(R"(
[server]
listen = "127.0.0.1:8080"
[store]
dsn = "dbname=fromfile"
[model]
path = "/from/file.dss"
[clock]
mode = "wall"
[[tokens]]
token = "file-token"
role = "agent"
)");
  CliOverrides o;
  o.listen = "0.0.0.0:9000";
  o.db = "dbname=fromcli";
  o.model = "cli.dss";
  o.clock = "sim@2026-11-23T08:00:00+08:00";
  o.admin_token = "env-admin";
  ASSERT_TRUE(apply_overrides(c, o).ok());
  EXPECT_EQ(c.server.listen.to_string(), "0.0.0.0:9000");
  EXPECT_EQ(c.store.dsn, "dbname=fromcli");
  EXPECT_EQ(c.model.path, "cli.dss");
  EXPECT_EQ(c.clock.mode, ClockMode::sim);
  ASSERT_TRUE(c.clock.start.has_value());
  EXPECT_EQ(format_rfc3339(*c.clock.start), "2026-11-23T00:00:00Z");
  ASSERT_EQ(c.tokens.size(), 2u);
  EXPECT_EQ(c.tokens[1].token, "env-admin");
  EXPECT_EQ(c.tokens[1].role, Role::admin);
  EXPECT_EQ(c.tokens[1].name, "OUTAGE_ADMIN_TOKEN");
  AccessControl access(c.tokens);
  EXPECT_EQ(*access.authenticate("Bearer env-admin"), Role::admin);

  // Back to the wall clock: the simulated start goes with it.
  ASSERT_TRUE(apply_overrides(c, only(&CliOverrides::clock, "wall")).ok());
  EXPECT_EQ(c.clock.mode, ClockMode::wall);
  EXPECT_FALSE(c.clock.start.has_value());
  // Nothing given, nothing changed; the same admin token again is not added twice.
  ASSERT_TRUE(apply_overrides(c, only(&CliOverrides::admin_token, "env-admin")).ok());
  EXPECT_EQ(c.tokens.size(), 2u);
  EXPECT_EQ(c.store.dsn, "dbname=fromcli");
}

TEST(DaemonConfig, BadOverridesNameTheOption) {
  DaemonConfig c = parse_ok("[[tokens]]\ntoken = \"shared\"\nrole = \"agent\"\nname = \"hotline\"\n");
  auto fails = [&](CliOverrides o) {
    Status s = apply_overrides(c, o);
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error().message;
  };
  EXPECT_EQ(fails(only(&CliOverrides::listen, "nonsense")), "--listen: expected HOST:PORT, got 'nonsense'");
  EXPECT_EQ(fails(only(&CliOverrides::clock, "fast")), "--clock: expected wall, sim or sim@<RFC 3339 time>, got 'fast'");
  EXPECT_EQ(fails(only(&CliOverrides::clock, "sim@tomorrow")),
            "--clock: expected an RFC 3339 time with a zone after 'sim@', got 'tomorrow'");
  EXPECT_EQ(fails(only(&CliOverrides::admin_token, "")), "OUTAGE_ADMIN_TOKEN: set but empty");
  EXPECT_EQ(fails(only(&CliOverrides::admin_token, "shared")),
            "OUTAGE_ADMIN_TOKEN: the same token is configured as 'hotline' with role 'agent'");
}

TEST(DaemonConfig, ListenAddressesParse) {
  EXPECT_EQ(parse_listen_address("0.0.0.0:0")->port, 0);
  EXPECT_EQ(parse_listen_address("localhost:8080")->host, "localhost");
  EXPECT_EQ(parse_listen_address("[::]:80")->host, "::");
  for (std::string_view bad : {"8080", ":8080", "host:", "host:http", "::1:80", "[::1]", "host:-1", "a b:80"})
    EXPECT_FALSE(parse_listen_address(bad).ok()) << bad;
}

TEST(DaemonConfig, ReadsTheHotlinesLanguageAndTimeZone) {
  auto c = parse_daemon_config("[hotline]\nlanguage = \"en\"\nutc_offset = \"-05:30\"\n", "outage.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->hotline.language, Language::en);
  EXPECT_EQ(c->hotline.utc_offset_minutes, -(5 * 60 + 30));
  auto defaults = parse_daemon_config("", "outage.toml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->hotline.language, Language::zh);
  EXPECT_EQ(defaults->hotline.utc_offset_minutes, 480);
  EXPECT_EQ(parse_daemon_config("[hotline]\nlanguage = \"fr\"\n", "outage.toml").error().message,
            "outage.toml: hotline.language: expected zh or en, got 'fr'");
  EXPECT_EQ(parse_daemon_config("[hotline]\nutc_offset = \"8\"\n", "outage.toml").error().message,
            "outage.toml: hotline.utc_offset: expected +HH:MM or -HH:MM, got '8'");
}

TEST(DaemonConfig, ReadsTicketLimitsAndRoutes) {
  auto c = parse_daemon_config(
      "[tickets]\nrepair_route_limit_min = 3\nat_risk_share = 0.25\n"
      "[[tickets.routes]]\nkind = \"complaint\"\ncomplaint = \"outage\"\nteam = \"outage desk\"\n",
      "outage.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->tickets.repair_route_limit, Duration(std::chrono::minutes(3)));
  EXPECT_EQ(c->tickets.other_route_limit, Duration(std::chrono::minutes(10)));
  EXPECT_DOUBLE_EQ(c->tickets.at_risk_share, 0.25);
  ASSERT_EQ(c->tickets.routes.size(), 1u);
  EXPECT_EQ(c->tickets.routes[0].kind, TicketKind::complaint);
  EXPECT_EQ(c->tickets.routes[0].complaint, ComplaintType::outage);
  EXPECT_EQ(c->tickets.routes[0].team, "outage desk");
  EXPECT_EQ(parse_daemon_config("[[tickets.routes]]\nkind = \"praise\"\nteam = \"x\"\n", "outage.toml").error().message,
            "outage.toml: tickets.routes[0].kind: unknown ticket kind 'praise' (repair, complaint, inquiry, suggestion, "
            "business)");
  EXPECT_EQ(parse_daemon_config("[tickets]\nat_risk_share = 1.5\n", "outage.toml").error().message,
            "outage.toml: tickets.at_risk_share: expected a share in [0, 1), got 1.5");
}

TEST(DaemonConfig, ReadsWhenARepairIsRecheckedAndWhenItGetsAnAssist) {
  const TicketRules d;
  EXPECT_EQ(d.recheck_after, Duration(std::chrono::minutes(10)));
  EXPECT_EQ(d.assist_customers, 50u);
  EXPECT_EQ(d.assist_after, Duration(std::chrono::minutes(60)));
  EXPECT_EQ(d.max_assists, 1);
  EXPECT_EQ(d.max_rechecks, 2);
  DaemonConfig c = parse_ok("[tickets]\nrecheck_after_min = 20\nmax_rechecks = 5\nassist_customers = 200\nassist_after_min = 90\nmax_assists = 0\n");
  EXPECT_EQ(c.tickets.recheck_after, Duration(std::chrono::minutes(20)));
  EXPECT_EQ(c.tickets.max_rechecks, 5);
  EXPECT_EQ(parse_error("[tickets]\nmax_rechecks = -1\n"), "outage.toml: tickets.max_rechecks: expected an integer from 0 to 100, got -1");
  EXPECT_EQ(c.tickets.assist_customers, 200u);
  EXPECT_EQ(c.tickets.assist_after, Duration(std::chrono::minutes(90)));
  EXPECT_EQ(c.tickets.max_assists, 0);
  EXPECT_EQ(parse_error("[tickets]\nassist_customers = 0\n"), "outage.toml: tickets.assist_customers: expected an integer from 1 to 100000000, got 0");
}

TEST(DaemonConfig, TheDispatchPolicyIsThePlannerUnlessAnotherIsAsked) {
  EXPECT_EQ(parse_ok("").dispatch.policy, DispatchPolicy::planner);
  EXPECT_EQ(parse_ok("[dispatch]\npolicy = \"manual\"\n").dispatch.policy, DispatchPolicy::manual);
  EXPECT_EQ(parse_ok("[dispatch]\npolicy = \"nearest_idle\"\n").dispatch.policy, DispatchPolicy::nearest_idle);
  EXPECT_EQ(parse_ok("[dispatch]\npolicy = \"fifo\"\n").dispatch.policy, DispatchPolicy::fifo);
  DaemonConfig c = parse_ok("[dispatch]\nbudget = \"80ms\"\nmax_passes = 4\nstay_in_area = false\nreplan_every = \"2m\"\n");
  EXPECT_EQ(c.dispatch.planner.budget, std::chrono::milliseconds(80));
  EXPECT_EQ(c.dispatch.planner.max_passes, 4);
  EXPECT_FALSE(c.dispatch.planner.stay_in_area);
  EXPECT_EQ(c.dispatch.replan_every, std::chrono::minutes(2));
  EXPECT_DOUBLE_EQ(parse_ok("").dispatch.planner.breach_customer_minutes, 18'000.0) << "300 customer-hours";
  EXPECT_DOUBLE_EQ(parse_ok("[dispatch]\nbreach_customer_hours = 200\n").dispatch.planner.breach_customer_minutes, 12'000.0);
  EXPECT_EQ(parse_error("[dispatch]\nbreach_customer_hours = 0\n"),
            "outage.toml: dispatch.breach_customer_hours: expected an integer from 1 to 100000000, got 0");
  EXPECT_EQ(parse_error("[dispatch]\npolicy = \"cleverest\"\n"),
            "outage.toml: dispatch.policy: expected \"planner\", \"nearest_idle\", \"fifo\" or \"manual\", got 'cleverest'");
  EXPECT_EQ(parse_error("[dispatch]\npolicy = 1\n"), "outage.toml: dispatch.policy: expected a string, got an integer");
  EXPECT_EQ(parse_error("[dispatch]\nplanner = \"manual\"\n"),
            "outage.toml: dispatch.planner: unknown key (known here: policy, budget, max_passes, stay_in_area, replan_every, breach_customer_hours)");
}

TEST(DaemonConfig, CrewsHaveDepotsSkillsShiftsAndVehicles) {
  DaemonConfig c = parse_ok(
      "[[crews]]\nid = \"north-1\"\ndepot = [100.5, 200]\nskills = [\"cable\", \"metering\"]\nvehicle = \"cable van\"\n"
      "daily = [\"07:00-19:00\"]\nshifts = [{ start = 2026-11-24T19:00:00+08:00, end = 2026-11-25T01:00:00+08:00 }]\n"
      "[[crews]]\nid = \"south-1\"\ndepot_bus = \"m1009705\"\n");
  ASSERT_EQ(c.crews.size(), 2u);
  const CrewProfile& n = c.crews[0].profile;
  EXPECT_EQ(n.id, "north-1");
  EXPECT_TRUE(n.has_depot);
  EXPECT_EQ(n.depot, (Point{100.5, 200}));
  EXPECT_EQ(n.skills.to_string(), "cable,metering");
  EXPECT_EQ(n.vehicle, "cable van");
  ASSERT_EQ(n.daily.size(), 1u);
  EXPECT_EQ(n.daily[0].start_min, 7 * 60);
  ASSERT_EQ(n.dated.size(), 1u);
  EXPECT_EQ(n.dated[0].end - n.dated[0].start, std::chrono::hours(6));
  EXPECT_EQ(n.utc_offset_min, 480);  // the hotline's local time
  EXPECT_EQ(c.crews[1].depot_bus, "m1009705");
  EXPECT_EQ(c.crews[1].profile.skills, SkillSet::all());
}

TEST(DaemonConfig, BadCrewsAreRefusedWithTheReason) {
  EXPECT_EQ(parse_error("[[crews]]\nid = \"a\"\n"),
            "outage.toml: crews[0].depot: a crew needs a depot: depot = [x, y] or depot_bus = \"<bus>\"");
  EXPECT_EQ(parse_error("[[crews]]\nid = \"a\"\ndepot = [0, 0]\n"
                        "shifts = [{ start = 2026-11-24T19:00:00+08:00, end = 2026-11-24T07:00:00+08:00 }]\n"),
            "outage.toml: crews[0].shifts[0]: the shift ends before it starts");
  EXPECT_EQ(parse_error("[[crews]]\nid = \"a\"\ndepot = [0, 0]\nskills = [\"welding\"]\n"),
            "outage.toml: crews[0].skills: expected overhead_line, cable, transformer or metering, got 'welding'");
  EXPECT_EQ(parse_error("[[crews]]\nid = \"a\"\ndepot = [0, 0]\ndaily = [\"07:00-07:00\"]\n"),
            "outage.toml: crews[0].daily[0]: '07:00-07:00' has no length (start and end are the same time)");
  EXPECT_EQ(parse_error("[[crews]]\nid = \"a\"\ndepot = [0, 0]\n[[crews]]\nid = \"a\"\ndepot = [0, 0]\n"),
            "outage.toml: crews[1].id: a second crew called 'a'");
}

TEST(DaemonConfig, AnAreaThatDoesNotCloseIsRefused) {
  // A bow tie: its boundary crosses itself at (5, 5), so it encloses no one area.
  const std::string error =
      parse_error("[[areas]]\nname = \"bow\"\nclass = \"urban\"\npolygon = [[0, 0], [10, 10], [10, 0], [0, 10]]\n");
  EXPECT_NE(error.find("areas[0].polygon: the boundary does not close into one area"), std::string::npos) << error;
}

TEST(DaemonConfig, TravelGoesByRoadsWithAPlacement) {
  DaemonConfig c = parse_ok(
      "[travel]\nspeed_kmh = 40\ndetour = 1.3\nroads = \"osm/harrisburg.osm.pbf\"\nmax_snap_m = 500\n"
      "[travel.placement]\nmap_anchor = [-76.88, 40.27]\nmodel_anchor = [1660000, 12270000]\nscale = 0.8\n"
      "[travel.speeds]\nresidential = 20\n");
  EXPECT_EQ(c.travel.speed_kmh, 40);
  EXPECT_EQ(c.travel.roads, "osm/harrisburg.osm.pbf");  // relative to the file's folder (none here)
  ASSERT_TRUE(c.travel.placement.map_anchor);
  EXPECT_EQ(c.travel.placement.map_anchor->x, -76.88);
  EXPECT_EQ(c.travel.placement.scale, 0.8);
  ASSERT_EQ(c.travel.speeds.size(), 1u);
  EXPECT_EQ(c.travel.speeds[0].first, "residential");
  EXPECT_EQ(parse_error("[travel]\ndetour = 0.5\n"),
            "outage.toml: travel.detour: must be at least 1 (roads are never shorter than the straight line)");
}

}  // namespace
}  // namespace outage
