// Drill: plays a scenario against a system under test on a virtual clock and records what
// happened beside what the system made of it (sim/drill_record.h).
//
// Every tick: the field's and the crews' due actions run (faults, signals, repairs), the events
// that reach the system by then are delivered, the system's clock moves to the tick, the crews
// read their orders, and the meters answer the pings the system asked for. Each call is
// followed by the hotline's ETR for the caller, to score it against when power came back.
//
// The system is a DrillTarget: in-process (sim/in_process_target.h: the core library itself,
// deterministic) or live (adapters/live_target.h: a running daemon over HTTP and MQTT, its
// clock moved by POST /v1/clock).
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "feeds/event.h"
#include "feeds/gateway_registry.h"
#include "sim/crew_fleet.h"
#include "sim/drill_record.h"
#include "sim/scenario.h"

namespace outage {

// A crew's standing order as the system states it: the ticket's device or meter (ids of the
// model), and where the crew is to go.
struct TargetOrder {
  std::string crew;
  std::string ticket;
  std::string device;
  std::string meter;
  std::optional<Point> place;
};

// A repair ticket as the system shows it at the end.
struct TargetTicket {
  ObservedTicket ticket;  // `faults` is the drill's to fill
  std::string device;
  std::string meter;
  Timestamp closed = kNoTime;
};

class DrillTarget {
 public:
  virtual ~DrillTarget() = default;
  // Hands the system events that reached it by `now` (event.time may be earlier). The reasons
  // of the events it refused (a drill's events are all valid: any is worth a look); an error
  // when the system could not be reached.
  virtual Result<std::vector<std::string>> deliver(std::span<const Event> events, Timestamp now) = 0;
  // Moves the system's clock to `now` (its timers, roll-up, tickets and dispatcher run).
  virtual Status advance(Timestamp now) = 0;
  // The crews' standing orders: each crew bound to an open repair ticket.
  virtual std::vector<TargetOrder> orders() = 0;
  // Meters the system asked to read since the last call.
  virtual std::vector<std::string> ping_requests() = 0;
  // The ETR the hotline gives a customer now; kNoTime when it gives none.
  virtual Timestamp etr_for(std::string_view customer, Timestamp now) = 0;
  // Customers out as the system counts them now.
  virtual std::uint64_t customers_out() = 0;
  // The system's outages, every one it made (at the end: for their final states).
  virtual std::vector<ObservedOutage> outages() = 0;
  // Its active outages now. The drill samples them to see each device an outage names as it
  // grows (a prediction at a fuse that rolls up to the breaker was a prediction at the fuse).
  virtual std::vector<ObservedOutage> active_outages() {
    std::vector<ObservedOutage> all = outages();
    std::erase_if(all, [](const ObservedOutage& o) { return o.state != "unconfirmed" && o.state != "probable" && o.state != "confirmed"; });
    return all;
  }
  // How often reading the active outages is worth it (a live daemon: not every tick).
  virtual Duration observe_every(Duration tick) const { return tick; }
  virtual std::vector<TargetTicket> tickets() = 0;
};

// The meters' and gateways' signals (meter.*, iot.alarm): what a head-end sends (over MQTT in a
// live drill), and what the calls-only baseline withholds.
bool from_meters(const Event& e);

struct DrillOptions {
  bool meters = true;  // false: withhold meter and gateway messages (the calls-only baseline)
  // Called once a simulated minute with the virtual time (a live drill paces itself here).
  std::function<void(Timestamp)> on_minute;
};

struct DrillResult {
  DrillRecord record;
  std::array<std::uint64_t, kEventTypeCount> events{};  // delivered, by type
  std::uint64_t rejected = 0;                           // events the system refused
  std::string first_rejection;
};

// The scenario must have passed check(scenario, model).
Result<DrillResult> run_drill(const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                              DrillTarget& target, const DrillOptions& options = {});

}  // namespace outage
