// The `outage` command line: each subcommand parses its arguments and calls the library.
// Reports are readable by default; `--json` prints one JSON object for programs.
// Exit codes follow ErrorCode (geo/error.h): 0 ok, 2 invalid input, 3 not found, 5 unavailable.
#pragma once

#include <CLI/CLI.hpp>

namespace outage::cli {

// Registers every subcommand on `app`; the chosen one stores its exit code in `exit_code`.
void register_commands(CLI::App& app, int& exit_code);

}  // namespace outage::cli
