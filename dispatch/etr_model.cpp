#include "dispatch/etr_model.h"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

namespace outage {
namespace {

constexpr double kZ90 = 1.2815515655446004;  // the standard normal's 90th percentile

Duration scaled(Duration d, double factor) {
  return Duration(static_cast<Duration::rep>(std::llround(static_cast<double>(d.count()) * factor)));
}

// The q-quantile of sorted durations (nearest rank).
Duration quantile(const std::vector<Duration>& sorted, double q) {
  std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

EtrModel::EtrModel(EtrConfig config) : config_(config) {}

void EtrModel::learn(DeviceLevel level, Duration on_site) {
  if (on_site < Duration::zero()) return;
  auto& v = learned_[static_cast<int>(level)];
  v.insert(std::upper_bound(v.begin(), v.end(), on_site), on_site);
}

std::pair<Duration, Duration> EtrModel::repair_time(DeviceLevel level, AreaClass area_class) const {
  const auto& v = learned_[static_cast<int>(level)];
  if (v.size() >= std::max<std::size_t>(config_.min_history, 1)) return {quantile(v, 0.5), quantile(v, 0.9)};
  // The commitment's average as the mean of a log-normal: median = mean * exp(-sigma^2 / 2).
  const double s = config_.repair_sigma;
  Duration mean = default_restoration_after_arrival(area_class);
  Duration median = scaled(mean, std::exp(-s * s / 2));
  return {median, scaled(median, std::exp(kZ90 * s))};
}

Duration EtrModel::remaining_repair(DeviceLevel level, AreaClass area_class, Duration elapsed) const {
  elapsed = std::max(elapsed, Duration::zero());
  const auto& v = learned_[static_cast<int>(level)];
  const bool learned = v.size() >= std::max<std::size_t>(config_.min_history, 1);
  if (learned) {
    // The learned repairs that lasted longer: the median of what they had left.
    auto longer = std::upper_bound(v.begin(), v.end(), elapsed);
    if (longer != v.end()) {
      const std::vector<Duration> rest(longer, v.end());
      return quantile(rest, 0.5) - elapsed;
    }
  }
  // Log-normal: S(x) = Q((ln x - mu) / s). The rest's median x solves S(x) = S(elapsed) / 2.
  const auto [p50, p90] = repair_time(level, area_class);
  auto in_minutes = [](Duration d) { return std::chrono::duration<double, std::ratio<60>>(d).count(); };
  const double median_min = std::max(1e-3, in_minutes(p50));
  // The spread: the learned p90 over p50, or the prior's.
  const double s = learned ? std::max(0.1, std::log(std::max(1.0, in_minutes(p90) / median_min)) / kZ90) : config_.repair_sigma;
  const double t = in_minutes(elapsed);
  if (t <= 0) return p50;
  const boost::math::normal_distribution<double> normal;
  const double z = std::min((std::log(t) - std::log(median_min)) / s, 30.0);
  const double q = boost::math::quantile(boost::math::complement(normal, boost::math::cdf(boost::math::complement(normal, z)) / 2));
  const double x = median_min * std::exp(s * q);
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::ratio<60>>(std::max(0.0, x - t)));
}

Etr EtrModel::not_before(Etr e, Timestamp now) const {
  if (e.p50 < now) e.p50 = now + config_.bump;
  if (e.p90 < e.p50) e.p90 = e.p50;
  return e;
}

Etr EtrModel::record(Timestamp end, Timestamp now) const { return not_before({end, end, 0.9, "record"}, now); }

Etr EtrModel::fault(const FaultSituation& f, Timestamp now) const {
  if (f.dispatcher_override) return not_before({*f.dispatcher_override, *f.dispatcher_override, 0.9, "dispatcher"}, now);
  if (f.crew_estimate) {
    // The crew has seen it; its estimate slips a quarter of what is left at worst.
    Timestamp p50 = *f.crew_estimate;
    Duration left = p50 > now ? p50 - now : Duration::zero();
    return not_before({p50, p50 + std::max<Duration>(scaled(left, 0.25), std::chrono::minutes(15)), 0.8, "crew"}, now);
  }
  auto [repair50, repair90] = repair_time(f.level, f.area_class);
  const bool learned = history(f.level) >= std::max<std::size_t>(config_.min_history, 1);
  const double trust = learned ? 0.2 : 0.0;
  if (f.arrived != kNoTime) {
    // What is likely left of it, given how long it has lasted: a repair that overruns is likely
    // a long one, not one "30 minutes from done" again and again.
    const Duration elapsed = std::max(Duration::zero(), now - f.arrived);
    const Timestamp p50 = elapsed == Duration::zero() ? f.arrived + repair50 : now + remaining_repair(f.level, f.area_class, elapsed);
    return not_before({p50, std::max(f.arrived + repair90, p50 + (repair90 - repair50)), 0.5 + trust, "on_site"}, now);
  }
  const Duration travel50 = f.arrival_limit / 2, travel90 = f.arrival_limit;
  if (f.dispatched != kNoTime && f.trip && f.trip_from != kNoTime) {
    // From where the crew was last seen; the trip's p90 half as long again (traffic, the last mile).
    const Timestamp from = std::max(f.trip_from, f.dispatched);
    return not_before({from + *f.trip + repair50, from + *f.trip * 3 / 2 + repair90, 0.5 + trust, "en_route"}, now);
  }
  if (f.dispatched != kNoTime) {
    return not_before({f.dispatched + travel50 + repair50, f.dispatched + travel90 + repair90, 0.4 + trust, "en_route"}, now);
  }
  if (f.planned_arrival != kNoTime) {
    // The planner's arrival, its p90 a trip's worth later (the present repairs run over).
    return not_before({f.planned_arrival + repair50, f.planned_arrival + (travel90 - travel50) + repair90, 0.35 + trust, "planned"}, now);
  }
  // Queued: the first crew free, then the backlog ahead of it (each job: travel + repair).
  const Timestamp free = std::max(now, f.crew_free_at == kNoTime ? now : f.crew_free_at);
  const double ahead = std::max(0.0, f.queued_ahead_per_crew);
  const Duration backlog50 = scaled(travel50 + repair50, ahead), backlog90 = scaled(travel90 + repair90, ahead);
  return not_before({free + backlog50 + travel50 + repair50, free + backlog90 + travel90 + repair90, 0.25 + trust, "queued"},
                    now);
}

}  // namespace outage
