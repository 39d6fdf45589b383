// LiveTarget: the drill's system under test as a running daemon (`outage serve --clock sim`):
// events go in over HTTP (POST /v1/events) and, when an MQTT broker is given, the meters' and
// gateways' over MQTT as the field's head-ends would send them; the daemon's clock is moved by
// POST /v1/clock on every tick; orders, ETRs and the final outages and tickets are read from
// the API (GET /v1/crews, /v1/tickets, /v1/status, /v1/outages). At `speed` the drill keeps to
// that many simulated seconds per wall second (1: real time, for trainees); 0 runs as fast as
// the daemon answers.
//
// Order and time as in-process. deliver() first moves the daemon's clock to the tick, so that
// it stamps what arrives with the tick's time; then sends the events, and returns once they are
// journaled (and so applied before any later request); advance() moves the clock again, to the
// same time, so the timers, roll-up, tickets and dispatcher run after the tick's events. Over
// HTTP the answer (202) comes after the journal commit; over MQTT the broker's PUBACK says
// nothing of the daemon, so after publishing the target waits until the daemon's ingest
// counters (GET /metrics: accepted, duplicates, rejected) have taken the batch. At connect it
// publishes one harmless event (a voltage sag of the model's first meter, source `sim-drill`)
// until the daemon takes it, so its subscription is known to stand. Refusals come back over HTTP
// with their reasons; over MQTT only as a count (the reasons are in outage.dead_letters). The
// drill must be the daemon's only producer while it runs.
//
// With `ping_topic`, after each clock move the target waits until every meter read the daemon
// has asked for (its outage_pings_requested_total) has come on that topic, so the field answers
// them from the same tick as in-process. Without it (or without MQTT) there are no ping answers:
// predictions and restorations the daemon would check by a read wait for other evidence.
//
// What can still differ from in-process: a timer due exactly at a tick runs at the first move,
// before that tick's events (in-process: after them); the daemon's own one-second ticker may
// evaluate between the MQTT and the HTTP part of a tick's events; active outages are sampled
// every 15 s (observe_every), not every tick. Outages detected and tickets accepted before the
// drill's start are left out of the end results.
//
// Not thread-safe: one drill drives it.
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
  // With `mqtt`: the daemon's [ping] mqtt_topic, to answer its meter reads as the head-end would;
  // "" (and always without `mqtt`): the live drill gets no ping answers.
  std::string ping_topic;
};

class LiveTarget final : public DrillTarget {
 public:
  // Checks the daemon's clock is simulated and sets it to `start`; with `mqtt`, connects to the
  // broker (subscribing to `ping_topic`) and waits until the daemon takes what is published.
  // invalid_input for a URL or broker address that is not HOST:PORT; unavailable when the daemon
  // or the broker cannot be reached, or the daemon takes nothing from the broker; conflict when
  // the daemon runs on the wall clock or its clock is already past `start`.
  static Result<std::unique_ptr<LiveTarget>> connect(const NetworkModel& model, const LiveOptions& options, Timestamp start);
  ~LiveTarget() override;

  Result<std::vector<std::string>> deliver(std::span<const Event> events, Timestamp now) override;
  Status advance(Timestamp now) override;
  std::vector<TargetOrder> orders() override;
  std::vector<std::string> ping_requests() override;
  Timestamp etr_for(std::string_view customer, Timestamp now) override;
  std::uint64_t customers_out() override;
  std::vector<ObservedOutage> outages() override;
  std::vector<ObservedOutage> active_outages() override;  // GET /v1/outages (active only)
  Duration observe_every(Duration tick) const override;    // the tick, and at least 15 s
  std::vector<TargetTicket> tickets() override;

  // The first failure of a call that has no error to return (orders, pings, ETRs, counts, the
  // final outages and tickets): their answers are empty from then on, and the next deliver() or
  // advance() returns it. Ok while there was none.
  Status failure() const;
  // The daemon's dispatch policy, as GET /v1/crews stated it at connect (nearest_idle when it did not say).
  DispatchPolicy dispatch_policy() const;

 private:
  struct Impl;
  explicit LiveTarget(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The live drill: the daemon, then (if asked) the baselines in-process with `baseline_options`.
Result<DrillReport> play_live(const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                              const LiveOptions& options, const InProcessOptions& baseline_options, bool baselines);

}  // namespace outage
