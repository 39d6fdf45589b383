// Field: the network as it really is during a drill (which service points have power, which
// faults are active), and every signal the field sends about it, with the real world's
// imperfections:
//
//   - a meter sends its last gasp only once the voltage has been gone for its wait (30-45 s),
//     so a reclosing never makes one; the mesh loses a share of them and delays the rest, and
//     meters behind a data concentrator are delivered in its batches, late; power-on messages
//     likewise;
//   - smart community and park gateways (the gateway registry) raise iot.alarm voltage_loss when
//     any meter they watch goes dark, and restored when all have power;
//   - SCADA reports only the devices that have it (breaker lock-out, recloser trip and reclose,
//     closing after repair); fault indicators on the path from the source to the fault flag it;
//   - a share of the customers out call (log-normal delays), fewer inside planned work; some
//     call about their own breaker; a share of overhead-line faults bring a wire-down call;
//   - meters answer the system's pings when the mesh lets them.
//
// A fault opens the protective device above it: the lowest device of the DeviceTree above the
// failed element (a momentary fault: the lowest recloser or breaker, which recloses). A fault in a
// section that is already dead does nothing until the section is switched back on; then a lasting
// one trips its device at once, and a passing one is gone. Records
// (planned, temporary, load shedding) cut off the service points below their devices.
//
// Everything random is drawn from streams keyed by the thing it is about (sim/sim_random.h).
// Events go out through the `send` callback at the time they reach the system.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "feeds/device_tree.h"
#include "feeds/event.h"
#include "feeds/gateway_registry.h"
#include "geo/topology.h"
#include "sim/agenda.h"
#include "sim/drill_record.h"
#include "sim/fault_plan.h"
#include "sim/scenario.h"
#include "sim/sim_random.h"

namespace outage {

class Field {
 public:
  using Send = std::function<void(Event)>;  // called at delivery time (event.time may be earlier)

  Field(const NetworkModel& model, const Scenario& scenario, const GatewayRegistry* gateways, Agenda& agenda, Send send);

  // Puts the scenario on the agenda: the faults, the records (and their notices), the calls
  // about customers' own breakers.
  void schedule(std::span<const PlannedFault> faults);

  // The fault a crew at a ticket whose zone is `zone` finds, among the active permanent faults
  // no crew has yet: the one at the zone's own device; else the nearest above it (the zone is
  // inside a larger dark area); else the biggest below it that no other open device hides. One
  // such fault per visit, last; before it, the damage on the same section that struck while it
  // was dead (it never shows: repaired before the section is switched back on). They are then
  // the crew's.
  std::vector<int> claim_faults(NodeIndex zone);
  // The fault at `section`'s own device only (the section a crew just switched back on tripped
  // again, onto damage that struck while it was dead): nothing above or below it.
  std::vector<int> claim_faults_at(NodeIndex section);
  NodeIndex node_of_fault(int fault) const { return faults_[static_cast<std::size_t>(fault)].node; }
  // A crew finished the repair of these faults at t: their devices close.
  void repair(std::span<const int> faults, Timestamp t);
  // The repair time of a fault.
  Duration repair_time(int fault) const { return faults_[static_cast<std::size_t>(fault)].truth.repair; }
  std::uint32_t customers_of_fault(int fault) const { return faults_[static_cast<std::size_t>(fault)].truth.customers; }

  // The system asked to read a meter.
  void ping(std::string_view meter, Timestamp t);

  // The zone of a ticket: its device's node, or its service point's.
  NodeIndex zone_of(ElementId device, ServicePointId sp) const;
  // Truth faults whose device shares a path to the source with the zone and that were active
  // at some time in [from, to].
  std::vector<int> faults_in_zone(NodeIndex zone, Timestamp from, Timestamp to) const;

  const DeviceTree& tree() const { return tree_; }
  bool dark(ServicePointId sp) const { return dark_[sp.value()] > 0; }
  std::uint64_t customers_out() const { return customers_out_; }
  // Whether every lasting fault that has struck is repaired (none waits in a dead section).
  bool settled() const;

  // Called when a service point gets power back (for ETR samples).
  void on_restored(std::function<void(ServicePointId, Timestamp)> f) { on_restored_ = std::move(f); }

  // The truth so far; interruption counts close the dark periods still open at `end`.
  std::vector<TruthFault> truth() const;
  InterruptionCounts interruptions(Timestamp end) const;

 private:
  struct Interruption {
    std::vector<ServicePointId> points;  // when not a node range
    std::uint32_t lo = 0, hi = 0;        // else: by_pre_[lo, hi)
    bool record = false;
    bool open = false;
  };
  struct FaultState {
    TruthFault truth;
    NodeIndex node = kNoNode;  // the device that operates
    NodeIndex site = kNoNode;  // the node the failed element hangs below
    int interruption = -1;
    bool claimed = false;
    bool deferred = false;  // struck a dead section: starts when it is live again
  };

  int open(Interruption in, Timestamp t);
  void close(int interruption, Timestamp t);
  template <typename F>
  void for_points(const Interruption& in, F&& f) const;
  void went_dark(ServicePointId sp, Timestamp t, bool record);
  void went_lit(ServicePointId sp, Timestamp t);
  void fault_starts(int fault, Timestamp t);
  void scada(ElementId device, SwitchState state, SwitchCause cause, Timestamp t);
  void call(CustomerId customer, Symptom symptom, std::string note, Timestamp t);
  void send_record(const RecordPlan& r, Timestamp t);
  Timestamp delivered(ServicePointId sp, Timestamp t, DurationRange delay, SimRandom& r) const;
  Event event(std::string_view source, Timestamp t, EventPayload payload);
  NodeIndex protective_node(NodeIndex n, bool momentary) const;
  // Whether no power reaches node n now: an open fault at or above it, or every service point
  // below it dark (a record).
  bool dead(NodeIndex n) const;

  const NetworkModel& model_;
  const Scenario& scenario_;
  const GatewayRegistry* gateways_;
  Agenda& agenda_;
  Send send_;
  Topology topology_;
  DeviceTree tree_;
  std::vector<ServicePointId> by_pre_;   // energized service points in preorder of their node
  std::vector<std::uint32_t> pre_key_;   // their node's preorder number
  std::vector<std::vector<CustomerId>> customers_of_;
  std::vector<std::uint32_t> dark_;      // active interruptions over each service point
  std::vector<std::uint32_t> epoch_;     // changes of power at each service point
  std::vector<std::uint32_t> periods_;   // dark periods so far
  std::vector<Timestamp> dark_since_;
  std::vector<std::uint8_t> record_dark_;
  std::vector<std::uint8_t> telemetered_;
  std::vector<std::pair<ElementId, BusId>> indicators_;  // fault indicators and the bus below them
  std::vector<std::vector<std::uint32_t>> gateways_of_;  // per service point
  std::vector<std::uint32_t> gateway_dark_;
  std::vector<std::uint32_t> gateway_epoch_;
  std::vector<Interruption> interruptions_;
  std::vector<FaultState> faults_;
  std::uint64_t customers_out_ = 0;
  std::uint64_t next_event_ = 0;
  InterruptionCounts counts_;
  std::function<void(ServicePointId, Timestamp)> on_restored_;
};

}  // namespace outage
