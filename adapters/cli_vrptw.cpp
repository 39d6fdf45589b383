#include "adapters/cli_vrptw.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "dispatch/vrptw_routes.h"

#ifndef OUTAGE_SHARED_DATA
#define OUTAGE_SHARED_DATA ""
#endif

namespace outage::cli {

namespace {

// The solver's budget clock: steady (never jumps), so only differences between its readings
// mean anything.
class WallClock final : public Clock {
 public:
  Timestamp now() const override {
    return Timestamp(std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch()));
  }
};

struct VrptwArgs {
  std::string instance;
  bool json = false;
  VrptwRunOptions run;
};

int fail(const Error& e) {
  std::cerr << "error: " << e.message << "\n";
  return exit_code(e.code);
}

int run_vrptw_command(const VrptwArgs& args) {
  auto instance = load_vrptw_instance(args.instance);
  if (!instance) return fail(instance.error());
  auto solution = solve_vrptw_in_threads(*instance, args.run);
  if (!solution) return fail(solution.error());
  auto cost = evaluate_routes(*instance, solution->routes);
  if (!cost) return fail(internal_error(fmt::format("{}: the answer fails the check: {}", instance->name, cost.error().message)));
  if (args.json) {
    std::cout << vrptw_json(*solution) << "\n";
    return 0;
  }
  std::cout << fmt::format("{}: {} customers, {} vehicles, distance {:.2f}\n", instance->name, instance->customers(), cost->vehicles,
                           cost->distance);
  for (std::size_t r = 0; r < solution->routes.size(); ++r) {
    std::cout << fmt::format("  route {:>2}: {}\n", r + 1, fmt::join(solution->routes[r], " "));
  }
  return 0;
}

}  // namespace

Result<VrptwInstance> load_vrptw_instance(const std::string& path) {
  std::string file = path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec) && path.find('/') == std::string::npos) {
    const char* env = std::getenv("OUTAGE_DATA");
    const std::string data = env != nullptr && *env ? env : OUTAGE_SHARED_DATA;
    file = data + "/solomon/instances/" + path + ".txt";
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return not_found(path == file ? fmt::format("cannot open '{}'", path) : fmt::format("cannot open '{}' (nor '{}')", path, file));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_solomon(buf.str(), file);
}

Result<VrptwSolution> solve_vrptw_in_threads(const VrptwInstance& instance, const VrptwRunOptions& options) {
  const int threads = std::max(1, options.threads);
  WallClock clock;
  std::vector<std::optional<Result<VrptwSolution>>> results(static_cast<std::size_t>(threads));
  auto work = [&](int i) {
    VrptwSolverOptions o = options.search;
    o.seed = options.seed * 1000 + static_cast<std::uint64_t>(i);
    o.iterations = 1'000'000'000'000L;
    if (i % 2 == 1) o.fleet_stall = options.odd_thread_fleet_stall;
    o.clock = &clock;
    o.budget = Duration(static_cast<long>(std::llround(options.time_limit * 1000)));
    if (o.budget.count() <= 0) o.budget = Duration(1);
    results[static_cast<std::size_t>(i)] = solve_vrptw(instance, o);
  };
  std::vector<std::thread> pool;
  std::vector<int> inline_runs{0};
  for (int i = 1; i < threads; ++i) {
    try {
      pool.emplace_back(work, i);
    } catch (const std::system_error&) {
      inline_runs.push_back(i);  // no thread to be had: run it here, after the others
    }
  }
  for (int i : inline_runs) work(i);
  for (auto& t : pool) t.join();
  std::optional<Result<VrptwSolution>> best;
  for (auto& r : results) {
    if (!best || (!best->ok() && r->ok()) || (r->ok() && better_vrptw_cost(r->value().cost, best->value().cost))) best = std::move(*r);
  }
  return std::move(*best);
}

std::string vrptw_json(const VrptwSolution& solution) {
  std::string out = fmt::format("{{\"vehicles\": {}, \"distance\": {:.2f}, \"routes\": [", solution.cost.vehicles, solution.cost.distance);
  for (std::size_t r = 0; r < solution.routes.size(); ++r) {
    out += fmt::format("{}[{}]", r ? ", " : "", fmt::join(solution.routes[r], ", "));
  }
  return out + "]}";
}

void register_vrptw_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<VrptwArgs>();
  auto* cmd = app.add_subcommand("solve-vrptw", "solve a Solomon VRPTW instance: fewest vehicles, then shortest distance");
  cmd->add_option("instance", args->instance, "the instance file, or a name like C101 in $OUTAGE_DATA/solomon/instances")->required();
  cmd->add_flag("--json", args->json, "print {\"vehicles\": N, \"distance\": D, \"routes\": [[...], ...]}");
  cmd->add_option("--time-limit", args->run.time_limit, "seconds of search (default 0.75)")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->run.seed, "the first thread's seed; the others follow it (default 1)");
  cmd->add_option("--threads", args->run.threads, "independent searches run in parallel, the best kept (default 2)")->check(CLI::Range(1, 64));
  cmd->callback([args, &exit_code] { exit_code = run_vrptw_command(*args); });
}

}  // namespace outage::cli
