// EtrModel: when will the power come back? An estimate of restoration with its p50 and p90.
//
//   - planned and temporary work: the record's end; load shedding: its block's end (a record too);
//   - a fault: when the first suitable crew is free + its travel + the on-site repair time for the
//     device's level + the backlog of repairs queued ahead of it in a storm; or, when the planner
//     has a crew in mind for it, that crew's predicted arrival + the repair. On site, what is
//     likely left of a repair that has lasted so long (remaining_repair), from now. Repair times are
//     learned from closed tickets (arrival to restoration, per device level); before there is
//     enough history, the service commitments' averages stand in (restoration within 3 hours of
//     arrival in urban areas, 4 in rural ones) as the mean of a log-normal spread. Travel is half
//     the area's committed arrival limit (p50) or all of it (p90); for a crew en route that has
//     reported a position, the trip from there (FaultSituation::trip);
//   - a crew's own estimate wins over the model's; a dispatcher's override wins over both;
//   - while power is still off, an estimate never lies in the past: one that has passed moves
//     `bump` past now.
//
// Pure: times come in as arguments.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "dispatch/service_area.h"
#include "feeds/clock.h"
#include "feeds/inference_config.h"

namespace outage {

struct Etr {
  Timestamp p50 = kNoTime;
  Timestamp p90 = kNoTime;
  double confidence = 0;     // 0..1: how far to trust it
  std::string_view basis;    // "record", "dispatcher", "crew", "on_site", "en_route", "queued"
  bool known() const { return p50 != kNoTime; }
};

struct EtrConfig {
  double repair_sigma = 0.6;        // log-normal spread of repair times before there is history
  std::size_t min_history = 5;      // closed repairs at a level before their times are used
  Duration bump = std::chrono::minutes(30);
};

// What the model knows about one fault when it estimates.
struct FaultSituation {
  DeviceLevel level = DeviceLevel::service_point;
  AreaClass area_class = AreaClass::urban;
  Duration arrival_limit = std::chrono::minutes(45);
  // The crew on it, if any: dispatched (en route) and arrived (on site) times.
  Timestamp dispatched = kNoTime;
  Timestamp arrived = kNoTime;
  // En route with a known position: the trip left from there (`trip_from`, when the crew was
  // last seen) to the place, by the travel model. Unset: half the arrival limit from dispatch.
  Timestamp trip_from = kNoTime;
  std::optional<Duration> trip;
  // No crew on it yet: when the first crew is free (kNoTime: now), and the repairs queued ahead
  // of it per crew on shift (0 when crews outnumber the queue).
  Timestamp crew_free_at = kNoTime;
  double queued_ahead_per_crew = 0;
  // No crew on the way yet, but the planner's predicted arrival of the crew it has in mind
  // (queued behind that crew's present work, or assigned and not yet left): it knows the real
  // queue, each crew's place and what its present repair has left, better than the backlog.
  Timestamp planned_arrival = kNoTime;
  std::optional<Timestamp> crew_estimate;
  std::optional<Timestamp> dispatcher_override;
};

class EtrModel {
 public:
  explicit EtrModel(EtrConfig config = {});

  // Learns an on-site repair (arrival to restoration) at a device level.
  void learn(DeviceLevel level, Duration on_site);

  // The on-site repair time at a level in an area class: p50 and p90.
  std::pair<Duration, Duration> repair_time(DeviceLevel level, AreaClass area_class) const;
  // What is likely left of a repair that has lasted `elapsed` so far: the median of the rest,
  // given that it is not done yet. A repair that overruns is likely a long one, so this grows
  // back as the hours pass instead of sinking to nothing. From the learned repairs longer than
  // `elapsed` while there are some; else from a log-normal with the level's median and spread
  // (the learned p50 and p90, or the prior's).
  Duration remaining_repair(DeviceLevel level, AreaClass area_class, Duration elapsed) const;
  std::size_t history(DeviceLevel level) const { return learned_[static_cast<int>(level)].size(); }

  Etr fault(const FaultSituation& f, Timestamp now) const;
  // A record's end (planned, temporary, load shedding), never in the past while it lasts.
  Etr record(Timestamp end, Timestamp now) const;

  const EtrConfig& config() const { return config_; }

 private:
  Etr not_before(Etr e, Timestamp now) const;
  EtrConfig config_;
  std::array<std::vector<Duration>, 5> learned_;  // per DeviceLevel, sorted
};

}  // namespace outage
