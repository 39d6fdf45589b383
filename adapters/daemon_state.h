// DaemonState: small facts the daemon keeps between runs in `outage.daemon_state` (the simulated
// clock's time, so that a restarted drill resumes where it was).
//
// Thread-safe: one connection behind a mutex. Errors: unavailable when the server cannot be
// reached (the next call reconnects), internal otherwise.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "geo/error.h"

namespace outage {

class DaemonState {
 public:
  explicit DaemonState(std::string dsn);
  ~DaemonState();
  DaemonState(const DaemonState&) = delete;
  DaemonState& operator=(const DaemonState&) = delete;

  // The value stored under `key`, nullopt when there is none.
  Result<std::optional<std::string>> get(std::string_view key);
  // Stores `value` under `key` (committed when this returns ok).
  Status put(std::string_view key, std::string_view value);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
