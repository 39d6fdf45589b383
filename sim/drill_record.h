// DrillRecord: what happened in a drill (the ground truth the simulator made) beside what the
// system under test made of it, in plain values, so that the scoring (sim/drill_score.h) can be
// checked on hand-made records as well as on real drills.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "feeds/clock.h"
#include "feeds/inference_config.h"
#include "sim/scenario.h"

namespace outage {

// A fault as it happened. The protective device that cleared it is `device` (for a momentary
// fault, the recloser or breaker that tripped and reclosed).
struct TruthFault {
  int id = 0;
  std::string location;  // the line section or transformer that failed
  FaultKind kind = FaultKind::overhead_line;
  std::string device;    // the device that operated
  std::string premise;   // its only meter, when it feeds just one (an outage there is that premise's)
  DeviceLevel level = DeviceLevel::breaker;
  bool momentary = false;
  Timestamp start = kNoTime;
  Timestamp cleared = kNoTime;  // repaired and re-energized (reclosed); kNoTime: not by the end
  std::uint32_t customers = 0;  // customers its device cut off when it opened
  Duration repair{};            // the repair it needs once a crew is on it
  // The crew that found it (its trip's departure and arrival), and its ticket's arrival limit;
  // kNoTime when no crew found it.
  Timestamp dispatched = kNoTime;
  Timestamp reached = kNoTime;
  Timestamp reached_due = kNoTime;
};

// An outage the system predicted or was told of, as it stood at the end.
struct ObservedOutage {
  std::string id;
  std::string device;    // "" for a single premise
  std::string meter;     // the premise's meter, for a single premise
  DeviceLevel level = DeviceLevel::service_point;
  std::string state;     // the engine's word: probable, restored, momentary, customer_side, merged, revised, ...
  Timestamp start = kNoTime;
  Timestamp detected_at = kNoTime;
  Timestamp restored_at = kNoTime;
};

// A repair ticket, with the truth faults in its device's zone while it was open.
struct ObservedTicket {
  std::string id;
  bool emergency = false;
  Timestamp accepted = kNoTime, routed = kNoTime, dispatched = kNoTime, arrived = kNoTime;
  Timestamp arrival_due = kNoTime;
  Timestamp restored = kNoTime;  // power back at its outage (whoever brought it back)
  std::vector<int> faults;  // TruthFault ids
};

// A crew's trip to a ticket: what it found there.
struct CrewTrip {
  std::string crew;
  std::string ticket;
  Timestamp ordered = kNoTime, departed = kNoTime, arrived = kNoTime, done = kNoTime;
  int faults_found = 0;  // 0: a wasted truck roll
  std::vector<int> faults;  // the TruthFault ids it found
};

// What a caller was told: the ETR at the time of the call, against when the power came back.
struct EtrSample {
  Timestamp asked = kNoTime;
  Timestamp etr = kNoTime;       // kNoTime: the system gave none
  Timestamp restored = kNoTime;  // kNoTime: still out at the end of the drill
};

// Customers out at a moment, in truth and as the system counted them.
struct OutSample {
  Timestamp at = kNoTime;
  std::uint64_t truth = 0;
  std::uint64_t system = 0;
};

// IEEE 1366 counts over the drill (from the truth): sustained interruptions last over 5 minutes.
struct InterruptionCounts {
  std::uint64_t customers_served = 0;
  std::uint64_t customer_interruptions = 0;  // sustained, one per customer per interruption
  double customer_minutes = 0;               // of sustained interruptions
  std::uint64_t momentary_interruptions = 0; // customers in interruptions of 5 minutes or less
};

struct DrillRecord {
  Timestamp start = kNoTime;
  Timestamp end = kNoTime;
  int crews = 0;         // the scenario's crews
  Duration reaction{};   // the least time from a crew's order to its departure
  std::vector<TruthFault> faults;
  std::vector<ObservedOutage> outages;
  std::vector<ObservedTicket> tickets;
  std::vector<CrewTrip> trips;
  std::vector<EtrSample> etr;
  std::vector<OutSample> out;
  InterruptionCounts interruptions;
};

}  // namespace outage
