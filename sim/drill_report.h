// DrillReport: a drill's scores for people and programs: JSON (docs/formats.md, "Drill
// reports"), a readable table, and an SVG plot of customers out over time (truth against what
// the system counted).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "feeds/event.h"
#include "sim/drill_score.h"

namespace outage {

struct DrillReport {
  std::string scenario;
  std::string model;
  std::uint64_t seed = 0;
  Timestamp start = kNoTime;
  Timestamp end = kNoTime;
  std::string mode;        // "in-process" or "live"
  std::string dispatcher;  // the system's dispatch policy
  std::array<std::uint64_t, kEventTypeCount> events{};  // sent to the system, by type
  std::uint64_t rejected = 0;   // of those, refused by the system (a drill's events are valid: worth a look)
  std::string first_rejection;
  int faults = 0;           // truth faults, momentary included
  int momentary_faults = 0;
  DrillScore system;
  std::vector<std::pair<std::string, DrillScore>> baselines;  // "calls_only", "nearest_idle"
  std::vector<OutSample> out;  // the system's run, one sample a minute
};

nlohmann::json report_json(const DrillReport& report);
std::string report_table(const DrillReport& report);
std::string report_svg(const DrillReport& report);

}  // namespace outage
