// Scenario files: a drill scenario in TOML (docs/formats.md, "Drill scenarios"), read into a
// sim/scenario.h Scenario. Unknown keys, wrong types and bad values are refused together, each
// named by its key; check() (sim/scenario.h) then validates the schedule and, against the
// model, the names.
#pragma once

#include <string>
#include <string_view>

#include "geo/error.h"
#include "sim/scenario.h"

namespace outage {

Result<Scenario> parse_scenario(std::string_view text, std::string_view origin);
Result<Scenario> load_scenario(const std::string& path);

// Where the scenario's model (or its gateway registry, or its customers file) is: an absolute
// path as is; else relative to the scenario file's folder if it exists there, else to the
// shared data folder.
std::string resolve_scenario_path(const std::string& path, const std::string& scenario_file, const std::string& data_dir);

}  // namespace outage
