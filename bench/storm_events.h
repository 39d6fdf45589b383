// Storm scenarios for the ingest benchmarks (bench/ingest_bench.cpp): meter.power_off events as
// an AMI head-end delivers them during a storm, over the IEEE 8500-node feeder or over the
// synthetic utility made of `copies` tiles of it (geo/synthetic_utility.h).
//
// The scenario is drawn once per tile (each tile is one distribution feeder):
//   - with probability `lockout_share` the feeder's head locks out: every meter of the feeder
//     sends a last gasp; with `lockout_gasps` = 2 or 3 the breaker first tripped and reclosed
//     (shots at t, t+2 s, t+17 s) and the meters gasp at each shot (distinct ids);
//   - otherwise 1..8 faults, each a blown fuse (30 %) or a failed service transformer (70 %),
//     one last gasp from each meter below it.
// Each last gasp is delivered with probability `delivery` (AMI loses some), is stamped at the
// shot's time plus up to 1.5 s, and arrives at the head-end 0.5-20 s later. Fault times are
// uniform over the storm window. Passes over all tiles repeat (new faults at new times: the
// storm goes on) until `events` last gasps are drawn; the stream is sorted by arrival and cut at
// `events`. Deterministic for a given seed.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "feeds/clock.h"
#include "geo/network_model.h"
#include "geo/topology.h"

namespace outage::bench {

struct StormOptions {
  std::size_t events = 1'000'000;
  int copies = 850;  // tiles; ids are prefixed "tN/" when tiled (copies > 1 or tiled = true)
  bool tiled = true;
  double lockout_share = 0.5;
  int lockout_gasps = 1;
  double delivery = 0.9;
  double window_minutes = 30;
  std::uint64_t seed = 20261123;
};

// One last gasp: which meter (tile and service point index within the base feeder), when it
// happened in the field and when the head-end delivered it (ms from the storm's start).
struct Gasp {
  std::int64_t arrival_ms;
  std::int64_t time_ms;
  std::uint32_t tile;
  std::uint32_t sp;  // index into the base model's service points
};

// The ground truth: injected faults by kind.
struct StormTruth {
  std::size_t lockouts = 0, fuses = 0, transformers = 0;
  std::size_t passes = 0;
  std::size_t dark_meters = 0;  // distinct meters with at least one delivered gasp
};

struct Storm {
  std::vector<Gasp> gasps;  // by arrival
  StormTruth truth;
};

// The base feeder's candidate fault places: the feeder head, its fuses, its service transformers,
// each with the service points below it.
struct FaultPlaces {
  std::vector<std::uint32_t> feeder;
  std::vector<std::vector<std::uint32_t>> fuses, transformers;
};

inline FaultPlaces fault_places(const NetworkModel& base) {
  Topology topology(base);
  FaultPlaces places;
  auto below = [&](ElementId e) {
    std::vector<std::uint32_t> out;
    BusId bus = topology.downstream_bus(e);
    if (!bus.valid()) return out;
    for (BusId b : topology.buses_below_list(bus))
      for (ServicePointId sp : topology.service_points_at(b)) out.push_back(sp.value());
    return out;
  };
  for (std::uint32_t i = 0; i < base.service_points().size(); ++i)
    if (topology.energized(base.service_points()[i].bus)) places.feeder.push_back(i);
  for (std::uint32_t i = 0; i < base.elements().size(); ++i) {
    const Element& e = base.element(ElementId(i));
    if (e.kind == ElementKind::fuse) {
      if (auto sps = below(ElementId(i)); !sps.empty()) places.fuses.push_back(std::move(sps));
    } else if (e.kind == ElementKind::transformer && e.kv2 > 0 && e.kv2 < 1) {
      if (auto sps = below(ElementId(i)); !sps.empty()) places.transformers.push_back(std::move(sps));
    }
  }
  return places;
}

inline Storm make_storm(const FaultPlaces& places, const StormOptions& o) {
  Storm storm;
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  const std::int64_t window = static_cast<std::int64_t>(o.window_minutes * 60'000);
  std::vector<std::uint8_t> seen;
  auto gasp = [&](std::uint32_t tile, std::uint32_t sp, std::int64_t t) {
    if (unit(rng) >= o.delivery) return;
    std::int64_t time = t + static_cast<std::int64_t>(unit(rng) * 1500);
    std::int64_t arrival = time + 500 + static_cast<std::int64_t>(unit(rng) * 19'500);
    storm.gasps.push_back({arrival, time, tile, sp});
  };
  const std::size_t per_tile = places.feeder.size();
  seen.assign(per_tile * static_cast<std::size_t>(o.copies), 0);
  // Draw a bit more than asked: the stream is cut by arrival time.
  while (storm.gasps.size() < o.events + o.events / 50) {
    ++storm.truth.passes;
    for (int tile = 0; tile < o.copies; ++tile) {
      std::int64_t t0 = static_cast<std::int64_t>(unit(rng) * static_cast<double>(window));
      if (unit(rng) < o.lockout_share) {
        ++storm.truth.lockouts;
        const std::array<std::int64_t, 3> shots{0, 2000, 17000};
        for (int k = 0; k < std::clamp(o.lockout_gasps, 1, 3); ++k)
          for (std::uint32_t sp : places.feeder) gasp(tile, sp, t0 + shots[k]);
        continue;
      }
      int faults = 1 + static_cast<int>(unit(rng) * 8);
      for (int f = 0; f < faults; ++f) {
        std::int64_t t = static_cast<std::int64_t>(unit(rng) * static_cast<double>(window));
        bool fuse = unit(rng) < 0.3 && !places.fuses.empty();
        const auto& list = fuse ? places.fuses : places.transformers;
        const auto& sps = list[static_cast<std::size_t>(unit(rng) * static_cast<double>(list.size()))];
        ++(fuse ? storm.truth.fuses : storm.truth.transformers);
        for (std::uint32_t sp : sps) gasp(tile, sp, t);
      }
    }
  }
  std::sort(storm.gasps.begin(), storm.gasps.end(),
            [](const Gasp& a, const Gasp& b) { return a.arrival_ms < b.arrival_ms; });
  if (storm.gasps.size() > o.events) storm.gasps.resize(o.events);
  for (const Gasp& g : storm.gasps) {
    std::uint8_t& s = seen[g.tile * per_tile + g.sp];
    storm.truth.dark_meters += !s;
    s = 1;
  }
  return storm;
}

// RFC 3339 with milliseconds and the +08:00 zone (the utility's local time), from UTC ms.
inline void append_rfc3339_local(std::string& out, Timestamp t) {
  using namespace std::chrono;
  auto local = t + hours(8);
  auto day = floor<days>(local);
  year_month_day ymd(day);
  auto ms = (local - day).count();
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+08:00", int(ymd.year()),
                 unsigned(ymd.month()), unsigned(ymd.day()), ms / 3'600'000, ms / 60'000 % 60, ms / 1000 % 60,
                 ms % 1000);
}

// One event's JSON text, as a head-end would post it.
inline void append_gasp_json(std::string& out, std::string_view source, std::string_view id, Timestamp time,
                             std::string_view meter_prefix, std::string_view meter) {
  out += R"({"id":")";
  out += id;
  out += R"(","type":"meter.power_off","time":")";
  append_rfc3339_local(out, time);
  out += R"(","source":")";
  out += source;
  out += R"(","meter":")";
  out += meter_prefix;
  out += meter;
  out += "\"}";
}

}  // namespace outage::bench
