// LiveTarget: the drill's system under test as a running daemon (`outage serve --clock sim`):
// events go in over HTTP (POST /v1/events) and, when an MQTT broker is given, the meters' and
// gateways' over MQTT as the field's head-ends would send them; the daemon's clock is moved by
// POST /v1/clock on every tick; orders, ETRs and the final outages and tickets are read from
// the API (GET /v1/crews, /v1/tickets, /v1/status, /v1/outages). At `speed` the drill keeps to
// that many simulated seconds per wall second (1: real time, for trainees); 0 runs as fast as
// the daemon answers.
#pragma once

#include <memory>
#include <string>

#include "sim/drill.h"
#include "sim/drill_report.h"
#include "sim/in_process_target.h"

namespace outage {

struct LiveOptions {
  std::string url;    // http://HOST:PORT of the daemon
  std::string token;  // a token with the admin role (POST /v1/clock) and post_events
  double speed = 0;   // simulated seconds per wall second; 0: as fast as possible
  std::string mqtt;   // HOST:PORT of the broker the daemon subscribes to; "" sends everything over HTTP
  std::string mqtt_topic = "outage/events/drill";
};

class LiveTarget final : public DrillTarget {
 public:
  // unavailable when the daemon cannot be reached; conflict when it runs on the wall clock.
  static Result<std::unique_ptr<LiveTarget>> connect(const NetworkModel& model, const LiveOptions& options, Timestamp start);
  ~LiveTarget() override;

  Result<std::vector<std::string>> deliver(std::span<const Event> events, Timestamp now) override;
  Status advance(Timestamp now) override;
  std::vector<TargetOrder> orders() override;
  std::vector<std::string> ping_requests() override;
  Timestamp etr_for(std::string_view customer, Timestamp now) override;
  std::uint64_t customers_out() override;
  std::vector<ObservedOutage> outages() override;
  std::vector<TargetTicket> tickets() override;

 private:
  struct Impl;
  explicit LiveTarget(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The live drill: the daemon, then (if asked) the baselines in-process with `baseline_options`.
Result<DrillReport> play_live(const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                              const LiveOptions& options, const InProcessOptions& baseline_options, bool baselines);

}  // namespace outage
