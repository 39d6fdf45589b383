// OutageEngine: from signals to outages. Correlates every event with the known outage records,
// rolls unexplained darkness up the topology to the device that best explains it, follows each
// outage through its life, and asks for meter pings where a prediction needs confirming.
//
// The rules (thresholds, trust, windows) are InferenceConfig's; in short:
//   - a dark service point (last gasp, dead ping, voltage loss, gateway alarm, no-power call)
//     inside an active record's scope attaches to the record and raises no outage;
//   - the others roll up the device tree (feeds/device_tree.h): the prediction is the highest
//     device whose dark share and evidence count pass its level's threshold, that no live
//     evidence below vetoes (an energized ping or a normal voltage from a service point that was
//     not dark), that has no quiet branch (five or more service points, under half its
//     threshold share dark: were it open, they would be dark too), and that is not a telemetered
//     device SCADA shows closed; a dark service point with no such device above it is a
//     single-premise outage, once power back beside it since its last word, if any, has been
//     checked by reading its meter;
//   - a SCADA open is an outage of its own at once (lock-out: confirmed; trip: confirmed unless
//     it recloses within the reclose window, then momentary; manual with no record: switching);
//     the device opens in the live topology, and predictions inside its island that began with
//     the opening merge into it (older ones are faults of their own below it, and stay);
//   - power back at `restore_share` of an outage's dark service points (a power-on from a point
//     whose loss went unreported counts too), or a SCADA close of its device, restores it
//     (momentary when within the settling window of its start); service points still dark
//     `nested_grace` later form a nested outage, back-dated to when they lost power, whose
//     customer-minutes count from the parent's restoration (none counted twice);
//   - a single-premise outage from calls alone whose meter answers a ping as energized is a
//     customer-side problem (state customer_side), not a network outage.
//
// Events are applied in journal order with apply(); advance() runs the timers (settling, reclose
// windows, live-evidence expiry, nested grace, record ends) and the roll-up. Time comes only from
// the `now` arguments (the daemon's clock, or a drill's virtual one); event times say when things
// happened in the field. The same events and `now`s give the same outages.
//
// Not thread-safe: one strand owns the engine. The model (and gateway registry) must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "feeds/event.h"
#include "feeds/event_resolver.h"
#include "feeds/gateway_registry.h"
#include "feeds/inference_config.h"
#include "feeds/outage.h"
#include "feeds/record_book.h"
#include "geo/topology.h"

namespace outage {

// A meter the engine wants read (the AMI head-end answers with a meter.ping event).
struct PingRequest {
  ServicePointId meter;
  OutageId outage;
  std::string_view reason;  // "confirm", "verify_restoration", "customer_side", "verify_repair"
};

// What the engine currently believes about one service point.
struct ServicePointStatus {
  bool dark = false;          // off-evidence in force
  bool dead = false;          // cut off in the live topology (an open device upstream)
  bool live = false;          // recent live evidence
  Timestamp out_since = kNoTime;
  OutageId outage;            // the active outage it is part of, if any
  RecordId record;            // the active record explaining it, if any
};

// Counters for /metrics and drills.
struct EngineCounters {
  std::uint64_t events_applied = 0;
  std::uint64_t explained_by_record = 0;
  std::uint64_t momentary_interruptions = 0;       // momentary outages
  std::uint64_t momentary_customer_interruptions = 0;  // customers in them (MAIFI numerator)
  std::uint64_t pings_requested = 0;
  std::uint64_t evidence_conflicts = 0;            // power reported inside a SCADA-open island
};

class OutageEngine {
 public:
  OutageEngine(const NetworkModel& model, InferenceConfig config, const GatewayRegistry* gateways = nullptr);
  ~OutageEngine();
  OutageEngine(const OutageEngine&) = delete;
  OutageEngine& operator=(const OutageEngine&) = delete;

  // Applies one event (already journaled at `seq`; 0 if not) at the engine clock `now`.
  // `area_service_points`: for a record with an `area`, the service points inside it (the store
  // finds them). Errors: not_found / invalid_input when the event names something the model does
  // not have (the ingest path dead-letters those before they reach here, so in the daemon this
  // is a bug), conflict for a record.cancel of an unknown record. Nothing changes on error.
  Status apply(const Event& event, Timestamp now, std::int64_t seq = 0,
               std::span<const ServicePointId> area_service_points = {});
  // The same, with what resolver().resolve(event) returned for it (the ingest path resolved it
  // already to dead-letter unknown names; resolving costs as much as applying).
  Status apply(const Event& event, const ResolvedEvent& resolved, Timestamp now, std::int64_t seq = 0,
               std::span<const ServicePointId> area_service_points = {});

  // Runs every timer due at or before `now`, then the roll-up. Call after each batch of
  // apply() and periodically (the daemon: every second).
  void advance(Timestamp now);

  // A crew or a dispatcher confirms an outage (as an outage.confirm event does): it becomes
  // confirmed and stays until power comes back, live evidence notwithstanding. not_found for an
  // unknown id, conflict when it is no longer active.
  Status confirm(OutageId id, ConfirmedBy by, Timestamp now);
  // A crew reports the repair of an outage done: the meters still dark in it are read (at most
  // ping_max_per_outage, whenever they were last read), so that power back whose reports were
  // lost ends it. Nothing for an outage that is not active.
  void verify_repair(OutageId id, Timestamp now);

  // Reading.
  const std::vector<Outage>& outages() const;
  const Outage* outage(OutageId id) const;
  std::vector<OutageId> active_outages() const;
  const RecordBook& records() const;
  const Topology& topology() const;
  const EventResolver& resolver() const;
  ServicePointStatus status_of(ServicePointId sp) const;
  const EngineCounters& counters() const;
  // The record, if any, marked late (noticed later than the commitments require).
  bool record_late(RecordId id) const;

  // Outages changed since the last call (created, grown, restored, ...), each once, in id order.
  std::vector<OutageId> take_changed();
  // Meter reads to ask for since the last call.
  std::vector<PingRequest> take_ping_requests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
