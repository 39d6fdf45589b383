// `outage drill SCENARIO [--live URL] [--speed X] [--seed N] [--report FILE] [--plot FILE]`:
// plays a drill scenario (docs/formats.md, "Drill scenarios") in-process or against a running
// daemon, prints the score table and writes the JSON report and the plot.
#pragma once

#include <CLI/CLI.hpp>

namespace outage::cli {

void register_drill_command(CLI::App& app, int& exit_code);

}  // namespace outage::cli
