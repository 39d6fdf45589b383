#include <utility>  // before Asio/Beast: Boost 1.74 misses it in C++20 mode

#include <CLI/CLI.hpp>

#include "adapters/cli_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"outage: outage and fault-repair dispatch for electric distribution utilities"};
  app.require_subcommand(1);
  int exit_code = 0;
  outage::cli::register_commands(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
