// The command line's views of a running daemon: `outage status` (the hotline's card),
// `outage outages` and `outage tickets` (tables). They talk to the daemon's HTTP API.
#pragma once

#include <CLI/CLI.hpp>

namespace outage::cli {

// Registers status, outages and tickets on `app`; the chosen one stores its exit code in `exit_code`.
void register_hotline_commands(CLI::App& app, int& exit_code);

}  // namespace outage::cli
