#include "sim/drill_score.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include "sim/breach_bound.h"

namespace outage {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr Duration kDetectionGrace = seconds(60);  // a detection this early still counts
constexpr Duration kEtrTolerance = minutes(30);

double in_seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }
double in_minutes(Duration d) { return static_cast<double>(d.count()) / 60000.0; }

// The median, the mean of the two middle values for an even count; none for no values.
std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  if (n % 2 == 1) return values[n / 2];
  return (values[n / 2 - 1] + values[n / 2]) / 2;
}

double share(int part, int whole, double when_none) {
  return whole == 0 ? when_none : static_cast<double>(part) / static_cast<double>(whole);
}

// Outages that ended as a right answer about no fault (momentary, customer-side) or folded into
// another outage: they are neither right nor wrong predictions.
bool counted_for_precision(const ObservedOutage& o) {
  const std::string_view s = o.state;
  return s != "momentary" && s != "customer_side" && s != "merged";
}

// Whether `o` names the device that cleared `f` and was detected in the fault's window: from a
// minute before its start to its clearing (or, when it was not cleared, the drill's end; when
// the drill has no end either, open).
bool matches(const ObservedOutage& o, const TruthFault& f, Timestamp drill_end) {
  // The same device; or the one premise a device feeds (a transformer with one customer): the
  // same customers, and nothing tells the two apart.
  const bool same = o.device.empty() ? !o.meter.empty() && o.meter == f.premise : o.device == f.device;
  if (!same || o.detected_at == kNoTime) return false;
  const Timestamp from = f.start == kNoTime ? kNoTime : f.start - kDetectionGrace;
  const Timestamp to = f.cleared != kNoTime ? f.cleared : drill_end != kNoTime ? drill_end : Timestamp::max();
  return o.detected_at >= from && o.detected_at <= to;
}

// Whether `o` detects `f` though made before it: it detected the fault `f` came right after at
// the same device (a section switched back on onto a second fault trips again at once: its
// customers never see the power, and the outage the system had rightly goes on), and it had
// not ended when `f` began.
bool carries_on(const ObservedOutage& o, const TruthFault& f, std::span<const TruthFault* const> faults, Timestamp drill_end) {
  if (f.start == kNoTime || o.state == "merged") return false;
  const bool ended = o.state != "unconfirmed" && o.state != "probable" && o.state != "confirmed";
  if (ended && (o.restored_at == kNoTime || o.restored_at < f.start)) return false;
  return std::any_of(faults.begin(), faults.end(), [&](const TruthFault* g) {
    return g != &f && g->device == f.device && g->cleared != kNoTime && g->cleared <= f.start &&
           f.start - g->cleared <= kDetectionGrace && matches(o, *g, drill_end);
  });
}

// Minutes (or seconds) from the fault's start, never negative: a detection in the grace minute,
// or a ticket that reached the place before the fault, counts as no delay.
Duration since(Timestamp t, Timestamp start) {
  if (start == kNoTime || t <= start) return Duration::zero();
  return t - start;
}

DetectionScore score_detection(const DrillRecord& r, const std::vector<const TruthFault*>& sustained) {
  DetectionScore d;
  d.faults = static_cast<int>(sustained.size());
  std::vector<double> delays;
  for (const TruthFault* f : sustained) {
    Timestamp earliest = kNoTime;
    for (const ObservedOutage& o : r.outages) {
      if (!matches(o, *f, r.end) && !carries_on(o, *f, sustained, r.end)) continue;
      if (earliest == kNoTime || o.detected_at < earliest) earliest = o.detected_at;
    }
    if (earliest == kNoTime) continue;
    ++d.detected;
    delays.push_back(in_seconds(since(earliest, f->start)));
  }
  // One prediction per outage, however many devices it named as it grew (a fuse's outage that
  // rolled up to the breaker): right when any of them named a fault's device in time.
  std::vector<std::pair<std::string_view, bool>> outcome;  // outage id -> right, in first-seen order
  for (const ObservedOutage& o : r.outages) {
    if (!counted_for_precision(o)) continue;
    const bool right = std::any_of(sustained.begin(), sustained.end(), [&](const TruthFault* f) { return matches(o, *f, r.end); });
    auto it = std::find_if(outcome.begin(), outcome.end(), [&](const auto& p) { return !o.id.empty() && p.first == o.id; });
    if (it == outcome.end()) outcome.emplace_back(o.id, right);
    else it->second = it->second || right;
  }
  for (const auto& [id, right] : outcome) {
    ++d.predictions;
    if (!right) ++d.false_predictions;
  }
  // No predictions at all: perfect when there was nothing to predict, otherwise 0 (an engine
  // that says nothing must not score well on either axis).
  d.precision = d.predictions == 0 ? (sustained.empty() ? 1.0 : 0.0)
                                   : share(d.predictions - d.false_predictions, d.predictions, 1.0);
  d.recall = share(d.detected, d.faults, 1.0);
  d.median_delay_s = median(std::move(delays));
  return d;
}

bool covers(const ObservedTicket& t, const TruthFault& f) {
  return std::find(t.faults.begin(), t.faults.end(), f.id) != t.faults.end();
}

bool arrived_within(const ObservedTicket& t) { return t.arrival_due == kNoTime || t.arrived <= t.arrival_due; }

DispatchScore score_dispatch(const DrillRecord& r, const std::vector<const TruthFault*>& sustained) {
  DispatchScore d;
  int within = 0;
  std::vector<double> arrivals, dispatches;
  for (const TruthFault* f : sustained) {
    if (f->reached != kNoTime) {
      // The crew that found it: its arrival against its ticket's limit.
      ++d.faults_reached;
      ++d.faults_due;
      if (f->reached_due == kNoTime || f->reached <= f->reached_due) ++within;
      arrivals.push_back(in_minutes(since(f->reached, f->start)));
      if (f->dispatched != kNoTime) dispatches.push_back(in_minutes(since(f->dispatched, f->start)));
      continue;
    }
    const ObservedTicket* first = nullptr;  // the first covering ticket a crew reached
    Timestamp dispatched = kNoTime;
    bool limit_passed = false;  // some covering ticket's arrival limit fell within the drill
    for (const ObservedTicket& t : r.tickets) {
      if (!covers(t, *f) || (t.accepted != kNoTime && f->start != kNoTime && t.accepted < f->start - kDetectionGrace)) continue;
      if (t.arrived != kNoTime &&
          (first == nullptr || t.arrived < first->arrived || (t.arrived == first->arrived && arrived_within(t)))) {
        first = &t;
      }
      if (t.dispatched != kNoTime && (dispatched == kNoTime || t.dispatched < dispatched)) dispatched = t.dispatched;
      if (t.arrival_due != kNoTime && t.arrival_due <= r.end) limit_passed = true;
    }
    if (first != nullptr) {
      ++d.faults_reached;
      ++d.faults_due;
      if (arrived_within(*first)) ++within;
      arrivals.push_back(in_minutes(since(first->arrived, f->start)));
    } else if (limit_passed) {
      ++d.faults_due;  // nobody came in time: a miss
    }
    if (dispatched != kNoTime) dispatches.push_back(in_minutes(since(dispatched, f->start)));
  }
  d.arrivals_within_limit = share(within, d.faults_due, 1.0);
  d.median_arrival_min = median(std::move(arrivals));
  d.median_dispatch_min = median(std::move(dispatches));

  d.tickets = static_cast<int>(r.tickets.size());
  for (const ObservedTicket& t : r.tickets) {
    if (t.arrival_due == kNoTime) continue;
    // Late: a crew arrived after the limit, or none came and the power was not back by then
    // (power back first, by another crew's repair upstream, say, needs nobody there).
    const bool late = t.arrived != kNoTime    ? t.arrived > t.arrival_due
                      : t.restored != kNoTime ? t.restored > t.arrival_due
                                              : t.arrival_due <= r.end;
    if (late) ++d.breaches;
  }
  if (r.crews > 0) {
    if (auto floor = breach_bound(crew_visits(r, r.reaction), r.crews, std::chrono::seconds(20))) d.breach_floor = floor->at_least;
  }
  d.truck_rolls = static_cast<int>(r.trips.size());
  d.wasted_truck_rolls = static_cast<int>(
      std::count_if(r.trips.begin(), r.trips.end(), [](const CrewTrip& c) { return c.arrived != kNoTime && c.faults_found == 0; }));
  return d;
}

EtrScore score_etr(const DrillRecord& r) {
  EtrScore e;
  int close = 0;
  std::vector<double> errors;
  for (const EtrSample& s : r.etr) {
    if (s.restored == kNoTime) continue;  // still out at the end: nothing to hold the ETR against
    ++e.answers;
    if (s.etr == kNoTime) {
      ++e.without_etr;
      continue;
    }
    const Duration error = s.etr > s.restored ? s.etr - s.restored : s.restored - s.etr;
    errors.push_back(in_minutes(error));
    if (error <= kEtrTolerance) ++close;
  }
  if (!errors.empty()) {
    double sum = 0;
    for (double x : errors) sum += x;
    e.mae_min = sum / static_cast<double>(errors.size());
  }
  // No call to score: nothing was wrong, as for recall with no faults.
  e.within_30min = share(close, e.answers, 1.0);
  return e;
}

ReliabilityScore score_reliability(const InterruptionCounts& c) {
  ReliabilityScore s;
  if (c.customers_served == 0) return s;  // no customers: no indices
  const double n = static_cast<double>(c.customers_served);
  s.saifi = static_cast<double>(c.customer_interruptions) / n;
  s.saidi = c.customer_minutes / n;
  s.caidi = c.customer_interruptions == 0 ? 0.0 : c.customer_minutes / static_cast<double>(c.customer_interruptions);
  s.maifi = static_cast<double>(c.momentary_interruptions) / n;
  return s;
}

}  // namespace

DrillScore score(const DrillRecord& record) {
  std::vector<const TruthFault*> sustained;
  for (const TruthFault& f : record.faults) {
    if (!f.momentary) sustained.push_back(&f);
  }
  DrillScore s;
  s.detection = score_detection(record, sustained);
  s.dispatch = score_dispatch(record, sustained);
  s.etr = score_etr(record);
  s.reliability = score_reliability(record.interruptions);
  s.customers_interrupted = record.interruptions.customer_interruptions;
  s.customer_minutes = record.interruptions.customer_minutes;
  return s;
}

}  // namespace outage
