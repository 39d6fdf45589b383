// Benchmark of the event decoder against simdjson alone (feeds/event_decoder.h). Prints medians.
//
//   build/outage-decode-bench [--events 1000000] [--batch N] [--runs 5] [--threaded-baseline]
//
// Generates N meter.power_off events, as NDJSON and as a JSON array (one body, or bodies of --batch
// events), the same bytes for both contenders, and measures per format:
//   (a) simdjson ondemand alone: iterate_many over the NDJSON (iterate for the array), reading
//       every field's key and string value -- the floor any decoder built on it pays;
//   (b) EventDecoder::decode: the same bytes to validated Events (copy into its padded buffer,
//       RFC 3339 times, checks, the batch of DecodedEvents), returning a fresh batch;
//   (c) the same into one DecodedBatch reused run after run (no fresh memory to fault in);
// and the ratios b/a, c/a of their event rates, by the wall clock and by the thread's CPU time
// (the steadier figure on a shared machine). All single-threaded. The decoder is reused across
// runs, as the daemon does; a fresh batch is freed outside the timed region.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "feeds/event_decoder.h"
#include "feeds/rfc3339.h"

using namespace outage;
using SteadyClock = std::chrono::steady_clock;

namespace {

// The calling thread's CPU time: unlike the wall clock, blind to the other processes sharing the
// cores (page faults taken by this thread still count).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall-clock and CPU seconds of the runs of one contender.
struct Timings {
  std::vector<double> wall, cpu;

  // Times f() as one run.
  template <typename F>
  auto time(F&& f) {
    wall.push_back(0);
    cpu.push_back(0);
    return add(std::forward<F>(f));
  }
  // Times f() as part of the current run.
  template <typename F>
  auto add(F&& f) {
    const auto t = SteadyClock::now();
    const double c = thread_cpu_seconds();
    auto result = f();
    cpu.back() += thread_cpu_seconds() - c;
    wall.back() += std::chrono::duration<double>(SteadyClock::now() - t).count();
    return result;
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string event_text(std::size_t i) {
  return fmt::format(
      R"({{"id":"e{}","type":"meter.power_off","time":"2026-11-23T08:15:00+08:00","source":"ami","meter":"m{}"}})", i,
      1000 + i % 100000);
}

// Reads every field of one event object; returns the bytes of its values (so nothing is
// optimised away), or an error.
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

// (a) for NDJSON: the number of events read.
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

// (a) for the JSON array.
std::size_t simdjson_array(simdjson::ondemand::parser& parser, const simdjson::padded_string& body,
                           std::size_t& bytes) {
  std::size_t n = 0;
  simdjson::ondemand::document doc;
  simdjson::ondemand::array array;
  if (parser.iterate(body).get(doc) || doc.get_array().get(array)) return 0;
  for (auto element_result : array) {
    simdjson::ondemand::value element;
    simdjson::ondemand::object object;
    if (std::move(element_result).get(element) || element.get_object().get(object) || touch(object, bytes)) return 0;
    ++n;
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"outage event decoder benchmark"};
  std::size_t events = 1'000'000;
  int runs = 5;
  std::size_t batch = 0;
  bool threaded_baseline = false;
  app.add_option("--events,-n", events, "events per body")->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "events per body (default: all in one)");
  app.add_option("--runs", runs, "runs per measurement (the median is printed)")->check(CLI::PositiveNumber);
  app.add_flag("--threaded-baseline", threaded_baseline,
               "let simdjson's iterate_many use its stage 1 thread in (a) (the decoder has none)");
  CLI11_PARSE(app, argc, argv);

  if (batch == 0 || batch > events) batch = events;

  // The events cut into bodies of `batch` events, in both formats.
  std::vector<std::string> ndjson, array;
  std::size_t ndjson_bytes = 0, array_bytes = 0;
  for (std::size_t first = 0; first < events; first += batch) {
    std::string lines, elements = "[";
    for (std::size_t i = first; i < std::min(events, first + batch); ++i) {
      const std::string e = event_text(i);
      lines += e;
      lines += '\n';
      if (i != first) elements += ',';
      elements += e;
    }
    elements += ']';
    ndjson_bytes += lines.size();
    array_bytes += elements.size();
    ndjson.push_back(std::move(lines));
    array.push_back(std::move(elements));
  }
  std::vector<simdjson::padded_string> padded_ndjson, padded_array;
  for (const std::string& body : ndjson) padded_ndjson.emplace_back(body);
  for (const std::string& body : array) padded_array.emplace_back(body);
  const Timestamp now = *parse_rfc3339("2026-11-23T08:16:00+08:00");

  DecodeLimits limits;
  limits.max_events = batch;
  EventDecoder decoder(limits);
  simdjson::ondemand::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
  // One core each: the decoder is single-threaded (the pure core runs no threads), so simdjson's
  // iterate_many must not run stage 1 of the next batch on a second thread either.
  parser.threaded = threaded_baseline;
#endif

  fmt::print("{} meter.power_off events in {} bodies of {}; NDJSON {:.1f} MB, array {:.1f} MB; median of {} runs\n",
             events, ndjson.size(), batch, ndjson_bytes / 1e6, array_bytes / 1e6, runs);
  fmt::print("million events/s by the wall clock, and [by the thread's CPU time]\n");
  fmt::print("{:<7} {:>16} {:>16} {:>11} {:>16} {:>11}\n", "format", "(a) simdjson", "(b) decode", "b/a",
             "(c) reused", "c/a");

  struct Format {
    const char* name;
    BodyFormat format;
    const std::vector<std::string>* bodies;
    const std::vector<simdjson::padded_string>* padded;
    std::size_t (*baseline)(simdjson::ondemand::parser&, const simdjson::padded_string&, std::size_t&);
  };
  const Format formats[] = {{"ndjson", BodyFormat::ndjson, &ndjson, &padded_ndjson, simdjson_ndjson},
                            {"array", BodyFormat::json, &array, &padded_array, simdjson_array}};
  int status = 0;
  for (const Format& f : formats) {
    Timings a, b, c;
    std::size_t bytes = 0;
    DecodedBatch reused;
    // Every body decoded, all its events accepted: else a message and a failing exit status.
    auto check = [&](bool ok, std::size_t accepted, const std::string& error, const char* how) {
      if (ok && accepted == events) return;
      fmt::print(stderr, "EventDecoder ({}, {}): {} of {} accepted {}\n", f.name, how, accepted, events, error);
      status = 1;
    };
    for (int r = 0; r < runs; ++r) {
      const std::size_t n = a.time([&] {
        std::size_t read = 0;
        for (const simdjson::padded_string& body : *f.padded) read += f.baseline(parser, body, bytes);
        return read;
      });
      if (n != events) {
        fmt::print(stderr, "simdjson read {} of {} events ({})\n", n, events, f.name);
        status = 1;
      }
      {
        // Each batch freed (untimed) before the next body, as the daemon's ingest does.
        std::size_t accepted = 0;
        std::string error;
        b.wall.push_back(0);
        b.cpu.push_back(0);
        for (const std::string& body : *f.bodies) {
          auto decoded = b.add([&] { return decoder.decode(body, f.format, now); });
          if (decoded) accepted += decoded->events.size();
          else error = decoded.error().message;
        }
        check(error.empty(), accepted, error, "fresh");
      }
      std::size_t accepted = 0;
      std::string error;
      c.time([&] {
        for (const std::string& body : *f.bodies) {
          if (Status st = decoder.decode(body, f.format, now, reused); !st) error = st.error().message;
          accepted += reused.events.size();
        }
        return 0;
      });
      check(error.empty(), accepted, error, "reused");
    }
    auto rate = [&](const std::vector<double>& seconds) { return events / median(seconds) / 1e6; };
    auto cell = [&](const Timings& t) { return fmt::format("{:.2f} [{:.2f}]", rate(t.wall), rate(t.cpu)); };
    auto ratio = [&](const Timings& t) {
      return fmt::format("{:.2f} [{:.2f}]", rate(t.wall) / rate(a.wall), rate(t.cpu) / rate(a.cpu));
    };
    fmt::print("{:<7} {:>16} {:>16} {:>11} {:>16} {:>11}\n", f.name, cell(a), cell(b), ratio(b), cell(c), ratio(c));
    if (bytes == 0) status = 1;
  }
  return status;
}
