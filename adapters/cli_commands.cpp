#include "adapters/cli_commands.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>

#include "adapters/cli_drill.h"
#include "adapters/cli_hotline.h"
#include "adapters/cli_vrptw.h"
#include "adapters/daemon.h"
#include "adapters/daemon_config.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "adapters/gis_io.h"
#include "adapters/model_files.h"
#include "adapters/postgis_store.h"
#include "geo/topology.h"
#include "geo/trace.h"

namespace outage::cli {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int fail(const Error& e) {
  std::cerr << "error: " << e.message << "\n";
  return exit_code(e.code);
}

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t start = 0;
    while (start <= v.size()) {
      std::size_t end = v.find(',', start);
      if (end == std::string::npos) end = v.size();
      if (end > start) out.push_back(v.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

struct ModelArgs {
  std::string path;
  ModelFileOptions options;
  void add_to(CLI::App* cmd) {
    cmd->add_option("MODEL", path, "network model: OpenDSS master (.dss), GeoPackage (.gpkg) or GeoJSON")->required();
    cmd->add_option("--customers", options.customers_csv, "customers CSV (docs/formats.md)");
    cmd->add_option("--buscoords", options.buscoords, "an extra OpenDSS BusCoords file");
    cmd->add_option("--crs", options.crs, "coordinate system: 'EPSG:4326', 'local (ft)', 'local (m)', 'schematic'");
  }
};

Json summary_json(const NetworkModel& m, const Topology& t) {
  Json j;
  j["model"] = m.name;
  j["crs"] = m.crs.describe();
  int open_switches = 0;
  for (const Element& e : m.elements())
    if (e.kind == ElementKind::switch_ && e.normally_open) ++open_switches;
  Json counts;
  counts["buses"] = m.buses().size();
  counts["elements"] = m.elements().size();
  for (int k = 0; k < kElementKindCount; ++k) {
    auto kind = static_cast<ElementKind>(k);
    counts[std::string(to_string(kind)) + (kind == ElementKind::switch_ ? "es" : "s")] = m.count(kind);
  }
  counts["normally_open_switches"] = open_switches;
  counts["service_points"] = m.service_points().size();
  counts["customers"] = m.customers().size();
  j["counts"] = counts;
  std::map<std::string, int> classes;
  for (const Customer& c : m.customers()) ++classes[std::string(to_string(c.customer_class))];
  j["customers_by_class"] = classes;
  Json feeders = Json::array();
  for (std::uint32_t i = 0; i < t.feeder_count(); ++i) {
    const Feeder& f = t.feeder(FeederId(i));
    feeders.push_back({{"name", f.name},
                       {"head_bus", m.bus(f.head_bus).id},
                       {"energized", f.energized},
                       {"buses", f.order.size()},
                       {"customers", f.prefix_customers.empty() ? 0u : f.prefix_customers.back()}});
  }
  j["feeders"] = feeders;
  j["energized_buses"] = t.energized_bus_count();
  Json loops = Json::array();
  for (ElementId e : t.loops()) loops.push_back(m.element(e).id);
  j["loops"] = loops;
  auto islands = t.islands();
  std::size_t island_buses = 0;
  for (const auto& i : islands) island_buses += i.size();
  j["islands"] = {{"count", islands.size()}, {"buses", island_buses}};
  Json skipped = Json::object(), ignored = Json::object();
  for (const auto& [what, n] : m.report.skipped) skipped[what] = n;
  for (const auto& [what, n] : m.report.ignored) ignored[what] = n;
  j["skipped"] = skipped;
  j["ignored"] = ignored;
  j["warnings"] = m.report.warnings;
  j["files_read"] = m.report.files_read;
  return j;
}

void print_summary(const Json& j) {
  const Json& c = j["counts"];
  fmt::print("model {}  ({} files read, coordinates {})\n", j["model"].get<std::string>(), j["files_read"].get<int>(),
             j["crs"].get<std::string>());
  fmt::print("  buses {:>8}   sources {:>5}   breakers {:>4}   reclosers {:>4}   fuses {:>5}\n", c["buses"].get<int>(),
             c["sources"].get<int>(), c["breakers"].get<int>(), c["reclosers"].get<int>(), c["fuses"].get<int>());
  fmt::print("  lines {:>8}   switches {:>4} ({} normally open)   transformers {:>5}   regulators {:>3}   reactors {}\n",
             c["lines"].get<int>(), c["switches"].get<int>(), c["normally_open_switches"].get<int>(),
             c["transformers"].get<int>(), c["regulators"].get<int>(), c["reactors"].get<int>());
  fmt::print("  service points {:>6}   customers {:>6}:", c["service_points"].get<int>(), c["customers"].get<int>());
  for (auto& [k, v] : j["customers_by_class"].items()) fmt::print(" {} {}", k, v.get<int>());
  fmt::print("\n  feeders {}:", j["feeders"].size());
  for (const auto& f : j["feeders"])
    fmt::print(" {} ({} buses, {} customers{})", f["name"].get<std::string>(), f["buses"].get<int>(),
               f["customers"].get<int>(), f["energized"].get<bool>() ? "" : ", dead");
  fmt::print("\n  energized buses {}   loops {}   islands {} ({} buses)\n", j["energized_buses"].get<int>(),
             j["loops"].size(), j["islands"]["count"].get<int>(), j["islands"]["buses"].get<int>());
  auto list = [](const Json& o) {
    std::string s;
    for (auto& [k, v] : o.items()) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", k, v.get<int>());
    return s.empty() ? std::string("none") : s;
  };
  fmt::print("  skipped (not modelled): {}\n", list(j["skipped"]));
  fmt::print("  ignored: {}\n", list(j["ignored"]));
  for (const auto& w : j["warnings"]) fmt::print("  warning: {}\n", w.get<std::string>());
}

std::string dsn_or_env(const std::optional<std::string>& db) {
  if (db) return *db;
  if (const char* env = std::getenv("OUTAGE_DB")) return env;
  return {};
}

int run_import(ModelArgs& args, const std::optional<std::string>& db, const std::optional<std::string>& name,
               bool json) {
  auto t0 = Clock::now();
  auto model = open_model_file(args.path, args.options);
  if (!model) return fail(model.error());
  double parse_ms = ms_since(t0);
  if (name) model->name = *name;
  auto t1 = Clock::now();
  Topology topology(*model);
  double topo_ms = ms_since(t1);
  Json j = summary_json(*model, topology);
  j["timings_ms"] = {{"read", parse_ms}, {"topology", topo_ms}};
  std::string dsn = dsn_or_env(db);
  if (!db && !std::getenv("OUTAGE_DB")) {
    j["saved"] = false;
  } else {
    auto t2 = Clock::now();
    auto store = PostgisStore::connect(dsn);
    if (!store) return fail(store.error());
    if (Status s = store->migrate(); !s) return fail(s.error());
    if (Status s = store->save_model(*model, model->name); !s) return fail(s.error());
    j["saved"] = true;
    j["timings_ms"]["save"] = ms_since(t2);
  }
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  print_summary(j);
  const Json& t = j["timings_ms"];
  fmt::print("  read in {:.1f} ms, topology built in {:.2f} ms", t["read"].get<double>(), t["topology"].get<double>());
  if (j["saved"].get<bool>())
    fmt::print(", saved to PostGIS as model '{}' in {:.0f} ms\n", model->name, t["save"].get<double>());
  else
    fmt::print("\n  not saved: give --db DSN (or set OUTAGE_DB) to write it to PostGIS\n");
  return 0;
}

int run_trace(ModelArgs& args, const TraceRequest& request, bool json, bool meters) {
  auto model = open_model_file(args.path, args.options);
  if (!model) return fail(model.error());
  Topology topology(*model);
  auto r = trace(topology, request);
  if (!r) return fail(r.error());
  if (meters) {
    // The meters fed through the device now, one a line (for scripts).
    ElementId e = model->find_element(r->device);
    BusId below = e.valid() ? topology.downstream_bus(e) : model->find_bus(r->device);
    if (below.valid()) {
      for (BusId b : topology.buses_below_list(below)) {
        for (ServicePointId sp : topology.service_points_at(b)) fmt::print("{}\n", model->service_point(sp).id);
      }
    }
    return 0;
  }
  if (json) {
    Json j;
    j["device"] = r->device;
    j["kind"] = r->kind;
    j["feeder"] = r->feeder;
    j["source"] = r->source;
    j["energized"] = r->energized;
    j["upstream"] = r->upstream;
    j["downstream"] = {{"buses", r->downstream_buses},
                       {"service_points", r->downstream_service_points},
                       {"customers", r->downstream_customers}};
    if (r->operated) {
      j["deenergized"] = {{"buses", r->deenergized_buses}, {"customers", r->deenergized_customers}};
      j["reenergized"] = {{"buses", r->reenergized_buses}};
    }
    j["loops"] = r->loops;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  fmt::print("{} {} on feeder {} (source {}), {}\n", r->kind, r->device, r->feeder.empty() ? "-" : r->feeder,
             r->source.empty() ? "-" : r->source, r->energized ? "energized" : "DE-ENERGIZED");
  fmt::print("  upstream protection (nearest first): {}\n",
             r->upstream.empty() ? std::string("none") : fmt::format("{}", fmt::join(r->upstream, " -> ")));
  if (!r->energized && r->downstream_buses == 0 && r->kind != "service_point")
    fmt::print("  downstream: nothing is fed through it now\n");
  else
    fmt::print("  downstream: {} buses, {} service points, {} customers\n", r->downstream_buses,
               r->downstream_service_points, r->downstream_customers);
  if (r->operated) {
    fmt::print("  after the switching: {} buses de-energized ({} customers)", r->deenergized_buses.size(),
               r->deenergized_customers);
    if (!r->deenergized_buses.empty() && r->deenergized_buses.size() <= 40)
      fmt::print(": {}", fmt::join(r->deenergized_buses, " "));
    fmt::print("\n");
    if (!r->reenergized_buses.empty())
      fmt::print("  re-energized: {} buses\n", r->reenergized_buses.size());
  }
  if (!r->loops.empty()) fmt::print("  loops closed by: {}\n", fmt::join(r->loops, " "));
  return 0;
}

int run_export(ModelArgs& args, const std::string& out) {
  auto model = open_model_file(args.path, args.options);
  if (!model) return fail(model.error());
  if (Status s = write_gis(*model, out); !s) return fail(s.error());
  std::string written = out;
  if (to_lower(std::filesystem::path(out).extension().string()) == ".geojson")
    written = (std::filesystem::path(out).parent_path() / std::filesystem::path(out).stem()).string() +
              ".{buses,elements,service_points,customers,model}.geojson";
  fmt::print("wrote {} ({} buses, {} elements, {} service points, {} customers)\n", written, model->buses().size(),
             model->elements().size(), model->service_points().size(), model->customers().size());
  return 0;
}

}  // namespace

struct ServeArgs {
  std::optional<std::string> config, model, db, listen, clock;
};

int run_serve(const ServeArgs& args) {
  // SIGTERM and SIGINT are taken by sigwait below: block them before any thread starts, so that
  // every thread the daemon makes inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  DaemonConfig config;
  if (args.config) {
    auto loaded = load_daemon_config(*args.config);
    if (!loaded) return fail(loaded.error());
    config = std::move(loaded).value();
  }
  CliOverrides overrides;
  overrides.model = args.model;
  overrides.db = args.db;
  overrides.listen = args.listen;
  overrides.clock = args.clock;
  if (const char* token = std::getenv("OUTAGE_ADMIN_TOKEN"); token && *token) overrides.admin_token = token;
  if (Status s = apply_overrides(config, overrides); !s) return fail(s.error());
  if (config.store.dsn.empty()) {
    if (const char* env = std::getenv("OUTAGE_DB")) config.store.dsn = env;
  }
  auto daemon = Daemon::start(std::move(config));
  if (!daemon) return fail(daemon.error());
  fmt::print("outage serve: listening on http://{}\n", (*daemon)->endpoint().to_string());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("event=signal signal={}", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  (*daemon)->stop();
  return 0;
}

void register_commands(CLI::App& app, int& exit_code) {
  {
    auto* cmd = app.add_subcommand("serve", "run the daemon: ingest feeds, infer outages, answer the API");
    auto args = std::make_shared<ServeArgs>();
    cmd->add_option("--config", args->config, "configuration file (TOML; see config/outage.toml)");
    cmd->add_option("--model", args->model, "network model file; imported into the store if it is not there");
    cmd->add_option("--db", args->db, "PostGIS connection string (default: store.dsn, then $OUTAGE_DB)");
    cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (default: server.listen)");
    cmd->add_option("--clock", args->clock, "wall, or sim (time moved only by POST /v1/clock)");
    cmd->callback([=, &exit_code] { exit_code = run_serve(*args); });
  }
  {
    auto* cmd = app.add_subcommand("import", "read a network model, check it, and save it to PostGIS");
    auto args = std::make_shared<ModelArgs>();
    auto db = std::make_shared<std::optional<std::string>>();
    auto name = std::make_shared<std::optional<std::string>>();
    auto json = std::make_shared<bool>(false);
    args->add_to(cmd);
    cmd->add_option("--db", *db, "PostGIS connection string (default: $OUTAGE_DB; none: check only)");
    cmd->add_option("--name", *name, "model name in the store (default: the circuit's name)");
    cmd->add_flag("--json", *json, "print one JSON object");
    cmd->callback([=, &exit_code] { exit_code = run_import(*args, *db, *name, *json); });
  }
  {
    auto* cmd = app.add_subcommand("trace", "trace an element or bus: upstream protection, downstream customers");
    auto args = std::make_shared<ModelArgs>();
    auto request = std::make_shared<TraceRequest>();
    auto open = std::make_shared<std::vector<std::string>>();
    auto close = std::make_shared<std::vector<std::string>>();
    auto json = std::make_shared<bool>(false);
    auto meters = std::make_shared<bool>(false);
    args->add_to(cmd);
    cmd->add_option("--device", request->device, "element, bus or meter name (case-insensitive)")->required();
    cmd->add_flag("--meters", *meters, "print only the meters fed through it, one a line");
    cmd->add_option("--open", *open, "switches to open first, comma-separated");
    cmd->add_option("--close", *close, "switches to close then, comma-separated");
    cmd->add_flag("--json", *json, "print one JSON object");
    cmd->callback([=, &exit_code] {
      request->open = split_commas(*open);
      request->close = split_commas(*close);
      exit_code = run_trace(*args, *request, *json, *meters);
    });
  }
  {
    auto* cmd = app.add_subcommand("export", "write a network model as GeoPackage (.gpkg) or GeoJSON for QGIS");
    auto args = std::make_shared<ModelArgs>();
    auto out = std::make_shared<std::string>();
    args->add_to(cmd);
    cmd->add_option("OUT", *out, "output file (.gpkg or .geojson)")->required();
    cmd->callback([=, &exit_code] { exit_code = run_export(*args, *out); });
  }
  register_hotline_commands(app, exit_code);
  register_drill_command(app, exit_code);
  register_vrptw_command(app, exit_code);
}

}  // namespace outage::cli
