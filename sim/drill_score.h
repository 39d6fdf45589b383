// DrillScore: how well the system did in a drill, from a DrillRecord.
//
//   - detection, at device level: a sustained truth fault is detected when an outage the system
//     predicted names the device that cleared it (at any stage as it grew; or, for a device
//     feeding a single premise, names that premise) and was detected
//     between the fault's start (a minute's grace) and its clearing (or the drill's end); or,
//     for a fault that struck as its section was switched back on after an earlier one at the
//     same device (it trips again at once: nobody saw the power), an outage that detected the
//     earlier fault and had not ended when this one began.
//     Recall: detected faults over sustained faults. Precision: over outages (one prediction
//     each, however many devices it named), those that named some fault's device in time,
//     leaving out the ones that ended momentary, customer-side (both right answers about no
//     fault) or merged into another. Delay: detection time less the fault's start, the median.
//   - dispatch: per sustained fault, the crew that found it: the share of those arrivals within
//     the limit of the ticket it came on (a fault nobody reached whose covering ticket's limit
//     passed counts as a miss), the median minutes from fault to arrival and to dispatch;
//     breaches over all repair tickets (a crew arrived after the limit, or none came and power
//     was not back by then either), and their floor: the fewest breaches any order and
//     assignment of the same visits could have had (sim/breach_bound.h); wasted truck rolls:
//     trips that found no fault. (A
//     record without crews' finds falls back to the first covering ticket a crew reached.)
//   - ETR: over calls answered while the power was still off and later restored: the mean
//     absolute error of the ETR given, and the share within 30 minutes (a call given no ETR counts
//     as outside).
//   - reliability (IEEE 1366, from the truth): SAIFI, SAIDI (minutes), CAIDI (minutes), MAIFI.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/drill_record.h"

namespace outage {

struct DetectionScore {
  double precision = 0;
  double recall = 0;
  std::optional<double> median_delay_s;  // none when nothing was detected
  int faults = 0;            // sustained truth faults
  int detected = 0;
  int predictions = 0;       // counted for precision
  int false_predictions = 0;
};

struct DispatchScore {
  double arrivals_within_limit = 0;
  std::optional<double> median_arrival_min;
  std::optional<double> median_dispatch_min;
  int faults_reached = 0;
  int faults_due = 0;        // sustained faults reached, or whose arrival limit passed
  int tickets = 0;           // repair tickets
  int breaches = 0;          // repair tickets whose arrival limit was breached
  // The fewest breaches any order and assignment of the same crew visits could have had, in
  // hindsight (sim/breach_bound.h); none when it could not be worked out.
  std::optional<int> breach_floor;
  int truck_rolls = 0;
  int wasted_truck_rolls = 0;
};

struct EtrScore {
  std::optional<double> mae_min;
  double within_30min = 0;
  int answers = 0;           // calls scored
  int without_etr = 0;
};

struct ReliabilityScore {
  double saifi = 0;
  double saidi = 0;
  double caidi = 0;
  double maifi = 0;
};

struct DrillScore {
  DetectionScore detection;
  DispatchScore dispatch;
  EtrScore etr;
  ReliabilityScore reliability;
  std::uint64_t customers_interrupted = 0;
  double customer_minutes = 0;
};

DrillScore score(const DrillRecord& record);

}  // namespace outage
