// DaemonConfig: what `outage serve` reads from its TOML file (config/outage.toml is the shipped,
// commented example; docs/operations.md, "Configuration", documents every key).
//
// Rules of the format, stated once here:
// - Every key is optional and has the default written below, except where a table of an array
//   ([[tokens]], [[areas]]) says a key is required.
// - An unknown section or key is an error (a typo must not pass silently), except inside
//   [inference], which is kept as TOML text for the inference engine to read (inference_toml).
// - Every error names the file, the key and the reason:
//   "outage.toml: server.listen: expected HOST:PORT, got 'abc'". All errors are reported at once,
//   one a line.
// - Relative paths ([model] path, customers, gateways) are resolved against the folder of the
//   configuration file.
// - Durations are seconds (integer or decimal); times are RFC 3339 with a zone, as a TOML
//   offset date-time or a string.
//
// The command line wins over the file (apply_overrides), and OUTAGE_ADMIN_TOKEN adds an admin
// token (read by the caller, so the functions here never touch the environment).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/access_control.h"
#include "adapters/http_server.h"
#include "dispatch/dispatch_policy.h"
#include "dispatch/crew_planner.h"
#include "dispatch/crew_profile.h"
#include "dispatch/service_area.h"
#include "geo/map_placement.h"
#include "dispatch/status_answer.h"
#include "dispatch/ticket_desk.h"
#include "feeds/clock.h"
#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

// "HOST:PORT" or "[IPv6]:PORT"; port 0 asks for an ephemeral port.
struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string to_string() const;
};
// Fails with invalid_input "expected HOST:PORT, got '<text>'".
Result<ListenAddress> parse_listen_address(std::string_view text);

struct ServerConfig {
  ListenAddress listen;                       // listen = "127.0.0.1:8080"
  int io_threads = 2;                         // 1..256
  std::uint64_t max_body_bytes = 16u << 20;   // 16 MiB; larger bodies are answered 413
  double request_timeout_s = 30;              // a request must arrive within this (slow clients)
  double idle_timeout_s = 60;                 // a silent keep-alive connection is closed after this
  int max_connections = 512;                  // beyond: 503 with Retry-After
};
HttpServerOptions http_server_options(const ServerConfig& server);

struct StoreConfig {
  std::string dsn;  // libpq connection string; "" = none given (the caller may use $OUTAGE_DB)
};

struct ModelConfig {
  std::string path;       // network model file (.dss, .gpkg, .geojson), resolved
  std::string name;       // model name in the store; "" = the model's own name
  std::string customers;  // customers CSV (docs/formats.md), resolved; "" = none
  std::string gateways;   // IoT gateways CSV, resolved; "" = none
};

enum class ClockMode { wall, sim };
std::string_view to_string(ClockMode mode);

struct ClockConfig {
  ClockMode mode = ClockMode::wall;
  std::optional<Timestamp> start;  // sim only: the simulated time at start (else: the wall time then)
};

struct IngestConfig {
  double max_future_s = 300;       // events stamped further ahead than this are rejected
  double max_age_s = 7 * 86400;    // events older than this are rejected
  std::int64_t max_queued_rows = 100000;  // journal rows waiting for commit before ingest answers 503
  double commit_retry_s = 1;       // how long a commit keeps retrying a database that is down before the producers get 503
};

struct MqttConfig {
  bool enabled = false;
  std::string host = "127.0.0.1";
  int port = 1883;                                      // 1..65535
  std::vector<std::string> topics = {"outage/events/#"};
  std::string client_id = "outage";
  int qos = 1;                                          // 0..2; acknowledged after the journal commit
  int connections = 1;                                  // parallel subscriber connections, 1..64
};

// Outbound on-demand meter reads, to confirm or refute an inferred outage.
struct PingConfig {
  std::string mqtt_topic;   // publish read requests here; "" = not over MQTT
  std::string webhook_url;  // POST read requests here (http:// or https://); "" = no webhook
  int meters_per_transformer = 2;  // meters pinged below each suspect transformer, 1..100
};

// Who assigns repair tickets to crews (dispatch/dispatch_policy.h), and the planner's limits.
struct DispatchConfig {
  DispatchPolicy policy = DispatchPolicy::planner;  // policy = "planner" | "nearest_idle" | "fifo" | "manual"
  PlannerConfig planner;                            // budget ("150ms"), max_passes, stay_in_area
  Duration replan_every = std::chrono::minutes(5);  // re-plan at least this often
};

// How crews' travel times are measured ([travel]): the straight line (speed, detour), or the roads
// of an OpenStreetMap extract with the model placed on the map (geo/map_placement.h).
struct TravelConfig {
  double speed_kmh = 30;
  double detour = 1.4;
  std::string roads;             // an .osm.pbf or .osm file ("" = no roads: the straight line)
  double max_snap_m = 1000;      // places farther from every road go by straight line
  PlacementSpec placement;       // [travel.placement]: map_anchor = [lon, lat], model_anchor = [x, y], scale, rotation_deg
  std::vector<std::pair<std::string, double>> speeds;  // [travel.speeds]: OSM class = km/h
};

// A crew of the roster ([[crews]]): its profile, its depot given as a bus of the model when
// `depot_bus` is set (resolved when the model is loaded).
struct CrewConfig {
  CrewProfile profile;
  std::string depot_bus;
};

// A service area and its committed arrival limit.
struct AreaConfig {
  std::string name;                  // required, unique
  AreaClass area_class = AreaClass::urban;  // `class`, required
  int arrival_limit_min = 45;        // default by class
  std::vector<Point> polygon;        // required: [[x, y], ...], at least 3 points, model coordinates
};

struct DaemonConfig {
  ServerConfig server;
  StoreConfig store;
  ModelConfig model;
  ClockConfig clock;
  std::vector<ApiToken> tokens;  // [[tokens]]: token, role, name (token and role required)
  IngestConfig ingest;
  MqttConfig mqtt;
  PingConfig ping;
  std::vector<AreaConfig> areas;  // [[areas]]
  AnswerStyle hotline;            // [hotline]: language ("zh" or "en"), utc_offset ("+08:00")
  TicketRules tickets;            // [tickets]: limits, at-risk share, [[tickets.routes]]
  DispatchConfig dispatch;        // [dispatch]: policy and the planner's limits
  TravelConfig travel;            // [travel]
  std::vector<CrewConfig> crews;  // [[crews]]: id, depot or depot_bus, skills, vehicle, daily, shifts
  // The [inference] table as a TOML document, its keys at the top level ("" when absent).
  // Another component parses it; its errors should name keys as "inference.<key>".
  std::string inference_toml;
  std::string origin;  // the file it came from, for messages
};

// Reads and checks the file. Fails with invalid_input (errors as described at the top) or
// not_found when the file cannot be read.
Result<DaemonConfig> load_daemon_config(const std::string& path);

// The same for text; `origin` names it in messages, and relative paths are resolved against
// origin's folder (none when origin has no folder part).
Result<DaemonConfig> parse_daemon_config(std::string_view text, std::string_view origin);

// What the command line and the environment may change.
struct CliOverrides {
  std::optional<std::string> model;        // --model PATH: model.path (as given, relative to the cwd)
  std::optional<std::string> db;           // --db DSN: store.dsn
  std::optional<std::string> listen;       // --listen HOST:PORT: server.listen
  std::optional<std::string> clock;        // --clock wall | sim | sim@<RFC 3339 time>
  std::optional<std::string> admin_token;  // $OUTAGE_ADMIN_TOKEN: adds an admin token
};

// Applies the overrides; they win over the file. Fails with invalid_input naming the option
// ("--listen: expected HOST:PORT, got 'x'"); the config may then be partly changed.
Status apply_overrides(DaemonConfig& config, const CliOverrides& overrides);

}  // namespace outage
