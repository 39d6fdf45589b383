#include <utility>  // before Asio/Beast: Boost 1.74 misses it in C++20 mode

#include "adapters/cli_drill.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "adapters/daemon_config.h"
#include "adapters/inference_toml.h"
#include "adapters/live_target.h"
#include "adapters/model_files.h"
#include "adapters/scenario_file.h"
#include "sim/drill_runs.h"

#ifndef OUTAGE_SHARED_DATA
#define OUTAGE_SHARED_DATA ""
#endif

namespace outage::cli {

namespace {

struct DrillArgs {
  std::string scenario;
  std::optional<std::string> live, token, mqtt, mqtt_topic, ping_topic, report, plot, config, data;
  std::optional<double> speed;
  std::optional<std::uint64_t> seed;
  bool no_baselines = false;
  std::optional<std::string> policy;
};

int fail(const Error& e) {
  std::cerr << "error: " << e.message << "\n";
  return exit_code(e.code);
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(fmt::format("cannot open '{}'", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return unavailable(fmt::format("cannot write '{}'", path));
  return {};
}

int run_drill_command(const DrillArgs& args) {
  auto scenario = load_scenario(args.scenario);
  if (!scenario) return fail(scenario.error());
  if (args.seed) scenario->seed = *args.seed;
  std::string data = args.data.value_or("");
  if (data.empty()) {
    const char* env = std::getenv("OUTAGE_DATA");
    data = env != nullptr && *env ? env : OUTAGE_SHARED_DATA;
  }
  ModelFileOptions files;
  if (!scenario->customers.empty()) files.customers_csv = resolve_scenario_path(scenario->customers, args.scenario, data);
  const std::string model_path = resolve_scenario_path(scenario->model, args.scenario, data);
  auto model = open_model_file(model_path, files);
  if (!model) return fail(model.error());
  if (Status s = check(*scenario, *model); !s) return fail(Error{s.error().code, fmt::format("{}: {}", args.scenario, s.error().message)});

  GatewayRegistry gateways;
  if (!scenario->signals.gateways.empty()) {
    const std::string path = resolve_scenario_path(scenario->signals.gateways, args.scenario, data);
    auto text = read_text(path);
    if (!text) return fail(text.error());
    auto registry = GatewayRegistry::parse(*text, path, *model);
    if (!registry) return fail(registry.error());
    gateways = std::move(registry).value();
  }

  InProcessOptions options;
  options.crews = crew_profiles(*scenario, *model);
  if (args.policy) {
    auto p = dispatch_policy_from_string(*args.policy);
    if (!p) return fail(invalid_input(fmt::format("--policy: '{}' is not manual, fifo, nearest_idle or planner", *args.policy)));
    options.policy = *p;
  }
  if (args.config) {
    auto config = load_daemon_config(*args.config);
    if (!config) return fail(config.error());
    auto inference = parse_inference_config(config->inference_toml, *args.config);
    if (!inference) return fail(inference.error());
    options.inference = std::move(inference).value();
    options.rules = config->tickets;
    std::vector<ServiceArea> areas;
    for (const AreaConfig& a : config->areas) areas.push_back({a.name, a.area_class, std::chrono::minutes(a.arrival_limit_min), a.polygon});
    options.areas = ServiceAreas(std::move(areas));
  }

  const auto wall = std::chrono::steady_clock::now();
  Result<DrillReport> report = invalid_input("no drill ran");
  if (args.live) {
    LiveOptions live;
    live.url = *args.live;
    if (args.token) live.token = *args.token;
    else if (const char* env = std::getenv("OUTAGE_TOKEN"); env && *env) live.token = env;
    live.speed = args.speed.value_or(0);
    if (args.mqtt) live.mqtt = *args.mqtt;
    if (args.mqtt_topic) live.mqtt_topic = *args.mqtt_topic;
    if (args.ping_topic) live.ping_topic = *args.ping_topic;
    report = play_live(*scenario, *model, gateways.size() ? &gateways : nullptr, live, options, !args.no_baselines);
  } else {
    if (args.speed || args.mqtt || args.ping_topic) return fail(invalid_input("--speed, --mqtt and --ping-topic go with --live"));
    report = play_in_process(*scenario, *model, gateways.size() ? &gateways : nullptr, options, !args.no_baselines);
  }
  if (!report) return fail(report.error());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();

  std::cout << report_table(*report);
  std::cout << fmt::format("played in {:.1f} s of wall time\n", seconds);
  if (args.report) {
    if (Status s = write_text(*args.report, report_json(*report).dump(2) + "\n"); !s) return fail(s.error());
  }
  if (args.plot) {
    if (Status s = write_text(*args.plot, report_svg(*report)); !s) return fail(s.error());
  }
  return 0;
}

}  // namespace

void register_drill_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DrillArgs>();
  auto* cmd = app.add_subcommand("drill", "play a drill scenario and score the system against its ground truth");
  cmd->add_option("scenario", args->scenario, "the scenario file (TOML; see sim/scenarios/)")->required();
  cmd->add_option("--live", args->live, "play against the daemon at this URL (started with --clock sim) instead of in-process");
  cmd->add_option("--token", args->token, "for --live: a token with the admin role (default: $OUTAGE_TOKEN)");
  cmd->add_option("--speed", args->speed, "for --live: simulated seconds per wall second (1: real time; default: as fast as possible)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--mqtt", args->mqtt, "for --live: HOST:PORT of the daemon's MQTT broker: meters and gateways publish there");
  cmd->add_option("--mqtt-topic", args->mqtt_topic, "for --mqtt: the topic to publish on (default outage/events/drill)");
  cmd->add_option("--ping-topic", args->ping_topic, "for --mqtt: the daemon's [ping] mqtt_topic, to answer its meter reads");
  cmd->add_option("--seed", args->seed, "override the scenario's seed");
  cmd->add_option("--report", args->report, "write the JSON report to this file");
  cmd->add_option("--plot", args->plot, "write an SVG plot of customers out over time to this file");
  cmd->add_option("--config", args->config, "take inference, ticket and area settings from this daemon configuration");
  cmd->add_option("--data", args->data, "the shared data folder scenario paths are relative to (default: $OUTAGE_DATA)");
  cmd->add_flag("--no-baselines", args->no_baselines, "skip the calls-only, nearest-idle and FIFO baselines");
  cmd->add_option("--policy", args->policy, "in-process: the system's dispatcher (planner, nearest_idle, fifo, manual; default planner)");
  cmd->callback([args, &exit_code] { exit_code = run_drill_command(*args); });
}

}  // namespace outage::cli
