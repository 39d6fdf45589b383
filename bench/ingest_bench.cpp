// outage-ingest-bench: ingest and inference benchmarks of issue 3 (docs/benchmarks.md, "Issue 3").
//
//   build-bench/outage-ingest-bench inprocess [--copies 850] [--events 1000000] [--batch 1000] [--runs 5]
//   build-bench/outage-ingest-bench storm     [--copies 850] [--events 1000000] [--batch 1000]
//   build-bench/outage-ingest-bench http      --url http://127.0.0.1:PORT --token T --db DSN ...
//
// inprocess: a storm of meter.power_off events (bench/storm_events.h) as NDJSON bodies of
//   --batch events, over the synthetic utility (--copies tiles of the IEEE 8500-node feeder; 1:
//   the feeder itself). Two contenders on the same bytes, alternating within each run:
//     (a) simdjson ondemand alone: iterate_many over each body, every field's key and value read;
//     (b) the daemon's path without the network: EventDecoder::decode (one reused batch), the
//         ingest side's EventResolver::resolve_all, ControlRoom::apply of each event (the engine,
//         then the ticket desk) with what the ingest side resolved (as in the daemon), and
//         ControlRoom::advance after each body (--advance-every events: the engine, then the
//         desk's tickets and clocks) followed by taking the changed outages, tickets and pings
//         (the daemon's tick: advance, then publish), the clock at the body's arrival time.
//   A fresh control room each run (built outside the timed region). Prints the median rates, the ratio
//   b/a (wall clock and thread CPU time), and where (b)'s time goes.
// storm: one pass of (b) over the utility, with the slowest advance(), the storm's own arrival
//   rates (does processing keep up?), resident memory before and after, and the outages at the
//   end by level and state against the injected faults, and the tickets the desk made.
// http: see bench/http_ingest.cpp.
//
// The storm (bench/storm_events.h): half the feeders lock out, the others get 1-8 blown fuses or
// failed service transformers; 90 % of last gasps delivered, 0.5-20 s late; over --storm-minutes.
// Options of interest: --no-take-changed (advance() without take_changed(), as the journal replay
// does), --no-ingest-resolve, --pipeline-only (for profiling). With OUTAGE_BENCH_PERF_CTL and
// OUTAGE_BENCH_PERF_ACK naming perf's control and ack FIFOs, `perf record -D -1 --control
// fifo:CTL,ACK` profiles the timed pipeline only. Results: docs/benchmarks.md, "Issue 3".
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "adapters/filesystem_source.h"
#include "bench/storm_events.h"
#include "feeds/event_decoder.h"
#include "dispatch/control_room.h"
#include "feeds/outage_engine.h"
#include "geo/opendss_reader.h"
#include "geo/synthetic_utility.h"

using namespace outage;
using namespace outage::bench;
using SteadyClock = std::chrono::steady_clock;

int http_main(int argc, char** argv);  // bench/http_ingest.cpp

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

long status_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  std::size_t n = std::char_traits<char>::length(field);
  while (std::getline(status, line))
    if (line.compare(0, n, field) == 0) return std::stol(line.substr(n + 1));
  return -1;
}

// ---- the workload --------------------------------------------------------------------------

const Timestamp kStormStart = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23).time_since_epoch()) +
                              std::chrono::hours(0);  // 08:00 +08:00

struct Workload {
  std::vector<std::string> bodies;                 // NDJSON, --batch events each
  std::vector<simdjson::padded_string> padded;     // the same bytes, padded for simdjson
  std::vector<Timestamp> arrival;                  // per body: arrival of its last event (the engine clock)
  std::size_t events = 0, bytes = 0;
  Storm storm;
  std::int64_t peak_per_second = 0;                // most arrivals in one second of the storm
  double mean_per_second = 0;
};

Workload make_workload(const NetworkModel& base, const StormOptions& so, std::size_t batch, bool padded = true) {
  Workload w;
  FaultPlaces places = fault_places(base);
  w.storm = make_storm(places, so);
  std::vector<std::string> prefixes(static_cast<std::size_t>(so.copies));
  for (int c = 0; c < so.copies; ++c) prefixes[c] = so.tiled ? fmt::format("t{}/", c) : "";
  std::string id;
  std::string body;
  const auto& gasps = w.storm.gasps;
  for (std::size_t i = 0; i < gasps.size(); ++i) {
    const Gasp& g = gasps[i];
    id.clear();
    fmt::format_to(std::back_inserter(id), "lg{:010}", i);
    std::string source = fmt::format("hes-{}", g.tile % 4);
    append_gasp_json(body, source, id, kStormStart + std::chrono::milliseconds(g.time_ms), prefixes[g.tile],
                     base.service_points()[g.sp].id);
    body += '\n';
    if ((i + 1) % batch == 0 || i + 1 == gasps.size()) {
      w.bytes += body.size();
      w.arrival.push_back(kStormStart + std::chrono::milliseconds(g.arrival_ms));
      if (padded) w.padded.emplace_back(body);
      w.bodies.push_back(std::move(body));
      body.clear();
    }
  }
  w.events = gasps.size();
  std::int64_t second = -1, count = 0;
  for (const Gasp& g : gasps) {
    if (g.arrival_ms / 1000 != second) second = g.arrival_ms / 1000, count = 0;
    w.peak_per_second = std::max(w.peak_per_second, ++count);
  }
  if (!gasps.empty())
    w.mean_per_second = static_cast<double>(gasps.size()) / (static_cast<double>(gasps.back().arrival_ms) / 1000.0);
  return w;
}

// ---- (a) simdjson alone --------------------------------------------------------------------

simdjson::error_code touch(simdjson::ondemand::object object, std::size_t& bytes) {
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    bytes += field.key().raw()[0] == 'i' ? 1 : 0;
    std::string_view value;
    if (auto e = field.value().get_string().get(value)) return e;
    bytes += value.size();
  }
  return simdjson::SUCCESS;
}

std::size_t simdjson_ndjson(simdjson::ondemand::parser& parser, const simdjson::padded_string& body,
                            std::size_t& bytes) {
  std::size_t n = 0;
  simdjson::ondemand::document_stream stream;
  if (parser.iterate_many(body).get(stream)) return 0;
  for (auto doc_result : stream) {
    simdjson::ondemand::document_reference doc;
    simdjson::ondemand::object object;
    if (std::move(doc_result).get(doc) || doc.get_object().get(object) || touch(object, bytes)) return 0;
    ++n;
  }
  return n;
}

// perf record --control fifo:CTL,ACK -D -1: with OUTAGE_BENCH_PERF_CTL=CTL and
// OUTAGE_BENCH_PERF_ACK=ACK, the profile covers the timed pipeline only.
void perf_control(const char* command) {
  const char* ctl = std::getenv("OUTAGE_BENCH_PERF_CTL");
  const char* ack = std::getenv("OUTAGE_BENCH_PERF_ACK");
  if (!ctl || !*ctl) return;
  {
    std::ofstream out(ctl);
    out << command << '\n';
  }
  if (ack && *ack) {
    std::ifstream in(ack);
    std::string reply;
    std::getline(in, reply);
  }
}

// ---- (b) the pipeline ------------------------------------------------------------------------

struct PipelineOptions {
  std::size_t advance_every = 1000;  // events between advance() calls (rounded to whole bodies)
  bool ingest_resolve = true;        // resolve on the ingest side too, as the daemon does
  bool final_settle = false;         // after the stream: advance past the settling window
  // After each advance(), take_changed() and take_ping_requests(), as the daemon's tick does
  // (publish). false: as the daemon's journal replay does (advance() only, until the end).
  bool take_changed = true;
};

struct PipelineResult {
  double wall = 0, cpu = 0;
  double decode = 0, resolve = 0, apply = 0, advance = 0;  // wall seconds per phase
  double slowest_advance = 0;
  std::size_t slowest_advance_body = 0;
  std::size_t advances = 0;
  std::size_t changed = 0, pings = 0;  // taken after the advances
  std::size_t ticket_changes = 0;      // tickets made or changed, as the desk reported them
  std::size_t accepted = 0, rejected = 0, unresolved = 0, apply_errors = 0;
  std::string first_error;
};

PipelineResult run_pipeline(const Workload& w, ControlRoom& room, EventDecoder& decoder, DecodedBatch& batch,
                            const PipelineOptions& po) {
  PipelineResult r;
  std::vector<ResolvedEvent> resolved;
  std::vector<std::uint8_t> resolved_ok;
  std::int64_t seq = 0;
  std::size_t since_advance = 0;
  perf_control("enable");
  const double c0 = thread_cpu_seconds();
  const auto t0 = SteadyClock::now();
  for (std::size_t b = 0; b < w.bodies.size(); ++b) {
    const Timestamp now = w.arrival[b];
    auto t = SteadyClock::now();
    if (Status s = decoder.decode(w.bodies[b], BodyFormat::ndjson, now, batch); !s) {
      if (r.first_error.empty()) r.first_error = s.error().message;
      continue;
    }
    auto t1 = SteadyClock::now();
    r.decode += std::chrono::duration<double>(t1 - t).count();
    r.accepted += batch.events.size();
    r.rejected += batch.rejected.size();
    if (!batch.rejected.empty() && r.first_error.empty()) r.first_error = batch.rejected.front().error;
    resolved.clear();
    resolved_ok.clear();
    if (po.ingest_resolve) {
      for (auto& found : room.engine().resolver().resolve_all(batch.events)) {
        if (!found) {
          ++r.unresolved;
          if (r.first_error.empty()) r.first_error = found.error().message;
          resolved.emplace_back();
          resolved_ok.push_back(0);
          continue;
        }
        resolved.push_back(std::move(found).value());
        resolved_ok.push_back(1);
      }
    }
    auto t2 = SteadyClock::now();
    r.resolve += std::chrono::duration<double>(t2 - t1).count();
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
      const DecodedEvent& d = batch.events[i];
      if (po.ingest_resolve && !resolved_ok[i]) continue;  // dead-lettered in the daemon: never applied
      // As the daemon does: the engine takes what the ingest side resolved.
      Status s = po.ingest_resolve ? room.apply(d.event, resolved[i], now, ++seq) : room.apply(d.event, now, ++seq);
      if (!s) {
        ++r.apply_errors;
        if (r.first_error.empty()) r.first_error = s.error().message;
      }
    }
    auto t3 = SteadyClock::now();
    r.apply += std::chrono::duration<double>(t3 - t2).count();
    since_advance += batch.events.size();
    if (since_advance >= po.advance_every || b + 1 == w.bodies.size()) {
      since_advance = 0;
      room.advance(now);
      if (po.take_changed) {
        r.changed += room.take_changed_outages().size();
        r.pings += room.engine().take_ping_requests().size();
        r.ticket_changes += room.desk().take_changed().size();
      }
      double a = seconds_since(t3);
      r.advance += a;
      ++r.advances;
      if (a > r.slowest_advance) r.slowest_advance = a, r.slowest_advance_body = b;
    }
  }
  r.wall = seconds_since(t0);
  r.cpu = thread_cpu_seconds() - c0;
  perf_control("disable");
  if (po.final_settle && !w.arrival.empty()) {
    // Past the settling window: predictions become probable.
    room.advance(w.arrival.back() + InferenceConfig{}.settle + std::chrono::seconds(1));
  }
  return r;
}

struct Loaded {
  NetworkModel base;
  std::unique_ptr<NetworkModel> utility;  // null when copies == 1
  const NetworkModel& model() const { return utility ? *utility : base; }
};

Result<Loaded> load(const std::string& feeder, int copies) {
  FilesystemSource files;
  auto base = read_opendss(files, feeder);
  if (!base) return base.error();
  Loaded l{std::move(base).value(), nullptr};
  if (copies > 1) l.utility = std::make_unique<NetworkModel>(tile_model(l.base, copies));
  return l;
}

std::string feeder_path(const std::string& data) { return data + "/feeders/ieee8500/Run_RecloserSiting.DSS"; }

void add_common(CLI::App* cmd, std::string& data, StormOptions& so, std::size_t& batch) {
  cmd->add_option("--data", data, "shared data folder")->capture_default_str();
  cmd->add_option("--copies", so.copies, "tiles of the IEEE 8500 feeder (1: the feeder itself)")->capture_default_str();
  cmd->add_option("--events,-n", so.events, "last gasps in the storm")->capture_default_str();
  cmd->add_option("--batch", batch, "events per NDJSON body")->capture_default_str();
  cmd->add_option("--seed", so.seed, "scenario seed")->capture_default_str();
  cmd->add_option("--lockout-share", so.lockout_share, "share of feeders that lock out")->capture_default_str();
  cmd->add_option("--lockout-gasps", so.lockout_gasps, "last gasps per meter of a locked-out feeder (1-3: reclose shots)")
      ->capture_default_str();
  cmd->add_option("--storm-minutes", so.window_minutes, "storm window in minutes (faults start within it)")->capture_default_str();
}

// ---- inprocess -------------------------------------------------------------------------------

int run_inprocess(const std::string& data, StormOptions so, std::size_t batch, int runs, PipelineOptions po,
                  bool pipeline_only) {
  so.tiled = so.copies > 1;
  auto loaded = load(feeder_path(data), so.copies);
  if (!loaded) {
    fmt::print(stderr, "error: {}\n", loaded.error().message);
    return 2;
  }
  const NetworkModel& model = loaded->model();
  Workload w = make_workload(loaded->base, so, batch);
  fmt::print("{}: {} service points; storm of {} meter.power_off ({} distinct meters, {} passes) in {} NDJSON bodies "
             "of {}, {:.1f} MB; advance every {} events; median of {} runs\n",
             model.name, model.service_points().size(), w.events, w.storm.truth.dark_meters, w.storm.truth.passes,
             w.bodies.size(), batch, w.bytes / 1e6, po.advance_every, runs);

  DecodeLimits limits;
  limits.max_events = std::max<std::size_t>(batch, limits.max_events);
  EventDecoder decoder(limits);
  DecodedBatch reused;
  simdjson::ondemand::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
  parser.threaded = false;  // one core each, as the decoder
#endif
  std::vector<double> a_wall, a_cpu, b_wall, b_cpu;
  std::vector<PipelineResult> results;
  int status = 0;
  for (int run = 0; run < runs; ++run) {
    if (!pipeline_only) {
      std::size_t bytes = 0, n = 0;
      double c = thread_cpu_seconds();
      auto t = SteadyClock::now();
      for (const auto& body : w.padded) n += simdjson_ndjson(parser, body, bytes);
      a_wall.push_back(seconds_since(t));
      a_cpu.push_back(thread_cpu_seconds() - c);
      if (n != w.events || bytes == 0) {
        fmt::print(stderr, "simdjson read {} of {} events\n", n, w.events);
        status = 1;
      }
    }
    auto room = std::make_unique<ControlRoom>(model, InferenceConfig{});
    PipelineResult r = run_pipeline(w, *room, decoder, reused, po);
    if (r.accepted != w.events || r.unresolved || r.apply_errors) {
      fmt::print(stderr, "pipeline: {} of {} accepted, {} unresolved, {} apply errors; first: {}\n", r.accepted,
                 w.events, r.unresolved, r.apply_errors, r.first_error);
      status = 1;
    }
    b_wall.push_back(r.wall);
    b_cpu.push_back(r.cpu);
    fmt::print("run {}: simdjson {:.3f} s, pipeline {:.3f} s (decode {:.3f}, resolve {:.3f}, apply {:.3f}, advance {:.3f} "
               "in {} calls, slowest {:.1f} ms); {} active outages, {} outages made, {} changes, {} pings taken\n",
               run + 1, a_wall.empty() ? 0.0 : a_wall.back(), r.wall, r.decode, r.resolve, r.apply, r.advance,
               r.advances, r.slowest_advance * 1e3, room->engine().active_outages().size(), room->engine().outages().size(),
               r.changed, r.pings);
    results.push_back(r);
    room.reset();  // freed outside the timed region
  }
  auto rate = [&](const std::vector<double>& s) { return static_cast<double>(w.events) / median(s); };
  auto phase = [&](double PipelineResult::*p) {
    std::vector<double> v;
    for (const auto& r : results) v.push_back(r.*p);
    return median(v);
  };
  fmt::print("\n| {:<52} | {:>16} | {:>16} |\n", "in-process, median of runs", "wall clock", "thread CPU");
  fmt::print("|{:-<54}|{:->18}|{:->18}|\n", "", "", "");
  if (!pipeline_only) {
    fmt::print("| {:<52} | {:>12.2f} M/s | {:>12.2f} M/s |\n", "(a) simdjson ondemand alone, events/s", rate(a_wall) / 1e6,
               rate(a_cpu) / 1e6);
  }
  fmt::print("| {:<52} | {:>12.2f} M/s | {:>12.2f} M/s |\n", "(b) decode + resolve + apply + advance, events/s",
             rate(b_wall) / 1e6, rate(b_cpu) / 1e6);
  if (!pipeline_only) {
    fmt::print("| {:<52} | {:>16.3f} | {:>16.3f} |\n", "ratio b/a (goal >= 0.25)", rate(b_wall) / rate(a_wall),
               rate(b_cpu) / rate(a_cpu));
  }
  const double total = phase(&PipelineResult::wall);
  fmt::print("| {:<52} | {:>16} | {:>16} |\n", "phases of (b), wall clock", "seconds, share", "phase alone");
  for (auto [name, p] : {std::pair{"  decode (EventDecoder::decode)", &PipelineResult::decode},
                         std::pair{"  resolve (ingest side, EventResolver::resolve)", &PipelineResult::resolve},
                         std::pair{"  apply (OutageEngine::apply)", &PipelineResult::apply},
                         std::pair{po.take_changed ? "  advance (+ take_changed, take_ping_requests)"
                                           : "  advance (OutageEngine::advance, no take_changed)",
                                   &PipelineResult::advance}}) {
    double s = phase(p);
    fmt::print("| {:<52} | {:>9.3f} s {:>3.0f}% | {:>12.2f} M/s |\n", name, s, 100 * s / total,
               static_cast<double>(w.events) / s / 1e6);
  }
  fmt::print("| {:<52} | {:>13.1f} ms | {:>16} |\n", "  slowest advance()", phase(&PipelineResult::slowest_advance) * 1e3,
             "");
  return status;
}

// ---- storm -----------------------------------------------------------------------------------

int run_storm(const std::string& data, StormOptions so, std::size_t batch, PipelineOptions po) {
  so.tiled = so.copies > 1;
  const long rss0 = status_kib("VmRSS:");
  auto t = SteadyClock::now();
  auto loaded = load(feeder_path(data), so.copies);
  if (!loaded) {
    fmt::print(stderr, "error: {}\n", loaded.error().message);
    return 2;
  }
  const NetworkModel& model = loaded->model();
  const double build_model = seconds_since(t);
  const long rss_model = status_kib("VmRSS:");
  t = SteadyClock::now();
  auto room = std::make_unique<ControlRoom>(model, InferenceConfig{});
  OutageEngine* engine = &room->engine();
  const double build_engine = seconds_since(t);
  const long rss_engine = status_kib("VmRSS:");
  Workload w = make_workload(loaded->base, so, batch, false);
  DecodeLimits limits;
  limits.max_events = std::max<std::size_t>(batch, limits.max_events);
  EventDecoder decoder(limits);
  DecodedBatch reused;
  const long rss_before = status_kib("VmRSS:");
  const long hwm_before = status_kib("VmHWM:");
  po.final_settle = true;
  PipelineResult r = run_pipeline(w, *room, decoder, reused, po);
  const long rss_after = status_kib("VmRSS:");
  const long hwm_after = status_kib("VmHWM:");
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);

  std::map<std::string, std::size_t> by_level, by_state;
  std::array<std::size_t, kDeviceLevelCount> level_count{};
  std::uint64_t customers_out = 0;
  std::size_t evidence = 0;
  auto active = engine->active_outages();
  for (OutageId id : active) {
    const Outage& o = *engine->outage(id);
    ++level_count[static_cast<int>(o.level)];
    ++by_state[std::string(to_string(o.state))];
    customers_out += o.customers_out;
    evidence += o.evidence.size();
  }
  std::map<std::string, std::size_t> ended;
  for (const Outage& o : engine->outages())
    if (!is_active(o.state)) ++ended[std::string(to_string(o.state))];

  const double storm_s = w.storm.gasps.empty() ? 0 : static_cast<double>(w.storm.gasps.back().arrival_ms) / 1000;
  auto mib = [](long kib) { return fmt::format("{:.0f} MiB", kib / 1024.0); };
  fmt::print("{}: {} service points, {} customers; model built in {:.2f} s, engine in {:.2f} s\n", model.name,
             model.service_points().size(), model.customers().size(), build_model, build_engine);
  fmt::print("storm: {} last gasps from {} distinct meters over {:.0f} s ({} passes over the tiles); injected: {} "
             "feeder lock-outs, {} fuses, {} service transformers\n",
             w.events, w.storm.truth.dark_meters, storm_s, w.storm.truth.passes, w.storm.truth.lockouts,
             w.storm.truth.fuses, w.storm.truth.transformers);
  if (r.accepted != w.events || r.unresolved || r.apply_errors)
    fmt::print(stderr, "pipeline: {} of {} accepted, {} unresolved, {} apply errors; first: {}\n", r.accepted, w.events,
               r.unresolved, r.apply_errors, r.first_error);
  fmt::print("\n| {:<56} | {:>20} |\n", "storm over the synthetic utility", "");
  fmt::print("|{:-<58}|{:->22}|\n", "", "");
  auto row = [](const std::string& k, const std::string& v) { fmt::print("| {:<56} | {:>20} |\n", k, v); };
  row("events processed (decode + resolve + apply + advance)", fmt::format("{}", r.accepted));
  row("processing time (wall)", fmt::format("{:.2f} s", r.wall));
  row("processing rate", fmt::format("{:.0f} events/s", static_cast<double>(w.events) / r.wall));
  row("storm arrival rate: mean / busiest second", fmt::format("{:.0f} / {} ev/s", w.mean_per_second, w.peak_per_second));
  row("  time: decode / resolve / apply / advance",
      fmt::format("{:.2f}/{:.2f}/{:.2f}/{:.2f} s", r.decode, r.resolve, r.apply, r.advance));
  row(fmt::format("advance() calls (every {} events)", po.advance_every), fmt::format("{}", r.advances));
  row("slowest advance()", fmt::format("{:.1f} ms (body {})", r.slowest_advance * 1e3, r.slowest_advance_body));
  row("mean advance()", fmt::format("{:.2f} ms", r.advances ? r.advance / static_cast<double>(r.advances) * 1e3 : 0.0));
  row("resident: at start", mib(rss0));
  row("resident: model built", mib(rss_model));
  row("resident: engine built", mib(rss_engine));
  row(fmt::format("resident: before the storm (+{:.0f} MB of bodies)", w.bytes / 1e6), mib(rss_before));
  row("resident: after the storm", mib(rss_after));
  row("  growth during the storm", mib(rss_after - rss_before));
  row("peak resident (VmHWM) before / after the storm", fmt::format("{} / {}", mib(hwm_before), mib(hwm_after)));
  row("peak resident (getrusage ru_maxrss)", mib(ru.ru_maxrss));
  row("active outages at the end", fmt::format("{}", active.size()));
  for (int l = kDeviceLevelCount - 1; l >= 0; --l)
    row(fmt::format("  at level {}", to_string(static_cast<DeviceLevel>(l))), fmt::format("{}", level_count[l]));
  for (const auto& [s, n] : by_state) row(fmt::format("  state {}", s), fmt::format("{}", n));
  row("  customers out", fmt::format("{}", customers_out));
  row("  evidence entries held", fmt::format("{}", evidence));
  std::string ended_text;
  for (const auto& [s, n] : ended) ended_text += fmt::format("{} {} ", n, s);
  row("ended outages (merged into others, ...)", ended_text.empty() ? "0" : ended_text);
  std::size_t open_tickets = 0, merged_tickets = 0;
  for (const Ticket& t : room->desk().tickets()) {
    open_tickets += is_open(t.state);
    merged_tickets += t.state == TicketState::merged;
  }
  row("repair tickets made / open / merged", fmt::format("{} / {} / {}", room->desk().tickets().size(), open_tickets,
                                                          merged_tickets));
  return r.accepted == w.events && !r.unresolved && !r.apply_errors ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "http") return http_main(argc - 1, argv + 1);
  CLI::App app{"outage-ingest-bench: ingest and inference (issue 3)"};
  app.require_subcommand(1);
  std::string data = OUTAGE_SHARED_DATA;
  StormOptions so;
  std::size_t batch = 1000;
  int runs = 5;
  PipelineOptions po;
  bool pipeline_only = false, no_ingest_resolve = false, no_take_changed = false;
  auto* in = app.add_subcommand("inprocess", "decode + correlate + infer against simdjson alone");
  add_common(in, data, so, batch);
  in->add_option("--runs", runs, "runs (the median is printed)")->capture_default_str();
  in->add_option("--advance-every", po.advance_every, "events between advance() calls")->capture_default_str();
  in->add_flag("--pipeline-only", pipeline_only, "skip simdjson (for profiling the pipeline)");
  in->add_flag("--no-ingest-resolve", no_ingest_resolve, "skip the ingest side's resolve (the engine's own stays)");
  in->add_flag("--no-take-changed", no_take_changed,
               "never call take_changed()/take_ping_requests() (as the journal replay does), not after each advance");
  auto* st = app.add_subcommand("storm", "a storm of last gasps over the synthetic utility: keeping up, memory");
  add_common(st, data, so, batch);
  st->add_option("--advance-every", po.advance_every, "events between advance() calls")->capture_default_str();
  app.add_subcommand("http", "durable HTTP ingest against COPY (see bench/http_ingest.cpp; its own options)");
  CLI11_PARSE(app, argc, argv);
  po.ingest_resolve = !no_ingest_resolve;
  po.take_changed = !no_take_changed;
  if (batch == 0 || so.events == 0 || so.copies < 1 || runs < 1) {
    fmt::print(stderr, "--batch, --events, --copies and --runs must be positive\n");
    return 2;
  }
  if (in->parsed()) return run_inprocess(data, so, batch, runs, po, pipeline_only);
  return run_storm(data, so, batch, po);
}
