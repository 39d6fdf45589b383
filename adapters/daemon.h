// Daemon: `outage serve`, the composition of the adapters around the core.
//
//   HTTP (Beast) ─ decode (feeds/) ─ resolve ─ GroupCommitter ─ PostGIS journal
//                                                 │ committed, in journal order
//                                                 ▼
//                                core strand: OutageEngine (one thread; the only writer)
//
// Start-up: connect to the store and migrate; load the network model by name, importing it
// from the model file first if the store does not have it; read the gateway registry; replay
// the journal through a fresh engine (each event at the time it was received, so the outages
// come back as they were); then take requests. /readyz answers 200 from then on.
//
// An event is acknowledged (HTTP 202) only after the journal transaction holding it commits;
// events naming unknown meters, devices or gateways are answered as rejected and kept in the
// dead-letter table with the reason. The core applies committed events in journal order.
//
// Stop (SIGTERM): stop accepting connections, let requests in flight finish (their commits
// included) within the grace period, commit what is queued, let the core apply it, exit.
//
// Time: the wall clock, or with `clock.mode = "sim"` a simulated clock that only
// POST /v1/clock moves (forward only).
#pragma once

#include <chrono>
#include <memory>

#include "adapters/daemon_config.h"
#include "adapters/http_server.h"
#include "geo/error.h"

namespace outage {

class Daemon {
 public:
  // Starts everything; returns once the daemon is ready (journal replayed, listening).
  static Result<std::unique_ptr<Daemon>> start(DaemonConfig config);
  ~Daemon();  // stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  Endpoint endpoint() const;
  // Orderly stop (idempotent): in-flight requests get `grace` to finish.
  void stop(std::chrono::seconds grace = std::chrono::seconds(10));

  struct Impl;

 private:
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
