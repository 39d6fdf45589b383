#include "dispatch/crew_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <unordered_map>

namespace outage {

PlanCost& PlanCost::operator+=(const PlanCost& o) {
  hazard_minutes += o.hazard_minutes;
  priority_minutes += o.priority_minutes;
  breaches += o.breaches;
  customer_minutes += o.customer_minutes;
  service += o.service;
  return *this;
}

PlanCost PlanCost::operator-(const PlanCost& o) const {
  return {hazard_minutes - o.hazard_minutes, priority_minutes - o.priority_minutes, breaches - o.breaches,
          customer_minutes - o.customer_minutes, service - o.service};
}

int compare(const PlanCost& a, const PlanCost& b) {
  constexpr double kTolerance = 1e-6;
  for (auto [x, y] : {std::pair{a.hazard_minutes, b.hazard_minutes}, std::pair{a.priority_minutes, b.priority_minutes},
                      std::pair{a.service, b.service}}) {
    const double scale = std::max({1.0, std::abs(x), std::abs(y)});
    if (x < y - kTolerance * scale) return -1;
    if (x > y + kTolerance * scale) return 1;
  }
  return 0;
}

namespace {

constexpr double kMinute = 60'000.0;  // ms
constexpr double kInfeasible = std::numeric_limits<double>::infinity();

double minutes(Duration d) { return static_cast<double>(d.count()) / kMinute; }

enum class Tier : std::uint8_t { hazard, critical, important, normal };

struct Job {
  TicketId ticket;
  int point = -1;           // index into the places (travel matrix column), -1: no position
  Duration repair{};
  Duration fallback_trip{}; // half the area's limit, when a trip cannot be measured
  Timestamp due = kNoTime;
  Timestamp accepted = kNoTime;
  Tier tier = Tier::normal;
  double customers = 1;
  Skill skill = Skill::overhead_line;
  std::string_view area;
  int pinned = -1;          // vehicle it is pinned to
};

struct Vehicle {
  const Crew* crew = nullptr;
  int point = -1;           // where it starts (after its current job): a row of the matrix
  Timestamp free_at = kNoTime;
  Timestamp shift_end = kNoTime;  // kNoTime: none
  std::string_view area;
  bool idle = false;        // free now and bound to nothing: its first job is sent now
  TicketId current;         // its bound ticket, if any
  Timestamp current_eta = kNoTime, current_done = kNoTime;
  double free_variance = 0; // of free_at, in minutes squared: how sure the finish of its current job is
  std::size_t fixed = 0;    // leading jobs of its route that are pinned
};

class Solver {
 public:
  Solver(const TicketDesk& desk, const TravelTimes& travel, Timestamp now, const PlannerConfig& config, const Plan* previous)
      : desk_(desk), travel_(travel), now_(now), config_(config), previous_(previous) {}

  Plan run(const Clock* clock) {
    collect();
    measure();
    eligibility();
    const Timestamp started = clock ? clock->now() : kNoTime;
    construct();
    Plan plan;
    for (plan.passes = 0; plan.passes < config_.max_passes; ++plan.passes) {
      if (clock && clock->now() - started > config_.budget) break;
      if (evaluations_ >= config_.max_evaluations) break;
      const std::size_t moved = improve(clock, started);
      plan.moves += moved;
      if (moved == 0) break;
    }
    emit(plan);
    plan.evaluations = evaluations_;
    return plan;
  }

 private:
  // ---- the problem --------------------------------------------------------------------------

  void collect() {
    const ServiceAreas& areas = desk_.areas();
    std::unordered_map<std::string_view, int> vehicle_of;
    for (const Crew* c : desk_.crews().crews()) {
      if (c->status == CrewState::off_shift) continue;
      const Timestamp start = c->profile.next_on_shift(now_);
      if (start == kNoTime || start > now_ + config_.horizon) continue;
      Vehicle v;
      v.crew = c;
      v.area = c->profile.has_depot ? areas.at(c->profile.depot).name
               : c->has_position    ? areas.at(c->position).name
                                    : areas.fallback().name;
      v.shift_end = c->profile.shift_end(start);
      v.free_at = start;
      v.current = desk_.ticket_of_crew(c->id);
      v.idle = !v.current.valid() && c->status == CrewState::available && start == now_;
      if (c->has_place()) v.point = place(c->place());
      vehicle_of[c->id] = static_cast<int>(vehicles_.size());
      vehicles_.push_back(v);
    }
    // Current jobs: where each busy crew will be, and when it is free.
    for (Vehicle& v : vehicles_) {
      if (!v.current.valid()) {
        if (v.crew->status != CrewState::available && v.crew->status != CrewState::repaired) {
          // Busy on something the desk does not know: assume half an urban limit.
          v.free_at = std::max(v.free_at, now_ + areas.fallback().arrival_limit / 2);
        }
        continue;
      }
      const Ticket& t = *desk_.ticket(v.current);
      const Duration repair = repair_time(t);
      Timestamp eta;
      if (t.arrived != kNoTime) {
        eta = t.arrived;
      } else if (t.dispatched != kNoTime) {
        eta = desk_.crew_eta(t.id, now_);
      } else {
        eta = t.assigned_eta != kNoTime ? std::max(now_, t.assigned_eta) : now_ + area_of(t).arrival_limit / 2;
      }
      // On site: what is likely left given how long it has lasted (a repair that overruns is
      // likely a long one), unless the crew's own estimate still stands.
      const Duration left = t.arrived != kNoTime ? desk_.etr_model().remaining_repair(t.level, area_of(t).area_class, now_ - t.arrived)
                                                 : eta + repair - now_;
      Timestamp done = t.crew_done ? now_ : now_ + std::max<Duration>(std::chrono::minutes(5), left);
      // The spread of that: the crew's own word is closer than the model's.
      double spread = t.crew_done ? 0.0 : config_.repair_spread * minutes(done - now_);
      if (t.arrived == kNoTime && !t.crew_done) spread = std::hypot(spread, config_.travel_spread * minutes(eta - now_));
      if (v.crew->etr && *v.crew->etr > now_ && !t.crew_done) {
        done = *v.crew->etr;
        spread = config_.estimate_spread * minutes(done - now_);
      }
      v.free_variance = spread * spread;
      v.current_eta = eta;
      v.current_done = done;
      v.free_at = std::max(v.free_at, done);
      if (t.has_place_point) v.point = place(t.place_point);
    }
    // The tickets to place: open repairs without a crew.
    for (TicketId id : desk_.queue()) {
      const Ticket& t = *desk_.ticket(id);
      if (t.kind != TicketKind::repair || !t.crew.empty()) continue;  // (back in the queue after a repair that did not restore it, too)
      if (t.held && t.pinned_crew.empty()) continue;                  // for a dispatcher
      Job j;
      j.ticket = id;
      if (t.has_place_point) j.point = place(t.place_point);
      j.repair = repair_time(t);
      j.fallback_trip = area_of(t).arrival_limit / 2;
      j.due = t.arrival.due;
      j.accepted = t.accepted;
      j.tier = t.emergency                                 ? Tier::hazard
               : t.priority == TicketPriority::critical  ? Tier::critical
               : t.priority == TicketPriority::important ? Tier::important
                                                         : Tier::normal;
      j.customers = std::max<double>(1, t.customers);
      j.skill = skill_for(t);
      j.area = t.area;
      if (!t.pinned_crew.empty()) {
        auto it = vehicle_of.find(t.pinned_crew);
        j.pinned = it == vehicle_of.end() ? -2 : it->second;  // -2: its crew cannot work now
      }
      jobs_.push_back(j);
    }
    routes_.assign(vehicles_.size(), {});
    cost_.assign(vehicles_.size(), PlanCost{});
    where_.assign(jobs_.size(), -1);
  }

  const ServiceArea& area_of(const Ticket& t) const {
    return t.has_place_point ? desk_.areas().at(t.place_point) : desk_.areas().fallback();
  }

  Duration repair_time(const Ticket& t) const {
    return desk_.etr_model().repair_time(t.level, area_of(t).area_class).first;
  }

  int place(Point p) {
    points_.push_back(p);
    return static_cast<int>(points_.size() - 1);
  }

  // One search per place to the jobs' places (TravelTimes shares what repeats).
  void measure() {
    std::vector<Point> targets;
    column_.assign(points_.size(), -1);
    for (const Job& j : jobs_) {
      if (j.point < 0) continue;
      column_[static_cast<std::size_t>(j.point)] = static_cast<int>(targets.size());
      targets.push_back(points_[static_cast<std::size_t>(j.point)]);
    }
    std::vector<std::optional<Duration>> out;
    travel_.times(points_, targets, out);
    width_ = targets.size();
    seconds_.resize(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) seconds_[i] = out[i] ? static_cast<float>(out[i]->count() / 1000.0) : -1.0F;
  }

  Duration trip(int from, const Job& to) const {
    if (from < 0 || to.point < 0) return to.fallback_trip;
    const float s = seconds_[static_cast<std::size_t>(from) * width_ + static_cast<std::size_t>(column_[static_cast<std::size_t>(to.point)])];
    if (s < 0) return to.fallback_trip;
    return Duration(static_cast<Duration::rep>(s * 1000.0F));
  }

  void eligibility() {
    // Areas with a crew on hand for each skill: elsewhere a crew from any area may go.
    std::unordered_map<std::string_view, SkillSet> staffed;
    for (const Vehicle& v : vehicles_) {
      SkillSet& s = staffed[v.area];
      for (int k = 0; k < 4; ++k) {
        if (v.crew->profile.skills.has(static_cast<Skill>(k))) s.add(static_cast<Skill>(k));
      }
    }
    allowed_.assign(jobs_.size() * vehicles_.size(), 0);
    for (std::size_t j = 0; j < jobs_.size(); ++j) {
      const Job& job = jobs_[j];
      auto it = staffed.find(job.area);
      const bool area_staffed = it != staffed.end() && it->second.has(job.skill);
      for (std::size_t v = 0; v < vehicles_.size(); ++v) {
        const Vehicle& veh = vehicles_[v];
        bool ok = veh.crew->profile.skills.has(job.skill);
        if (ok && config_.stay_in_area && area_staffed && veh.area != job.area) ok = false;
        if (job.pinned >= 0) ok = static_cast<int>(v) == job.pinned;
        if (job.pinned == -2) ok = false;
        allowed_[j * vehicles_.size() + v] = ok;
      }
    }
  }

  bool allowed(std::size_t j, std::size_t v) const { return allowed_[j * vehicles_.size() + v] != 0; }

  // ---- costs --------------------------------------------------------------------------------

  // `spread`: the standard deviation of the arrival, in minutes. The breach counts as its
  // chance (the arrival taken as normal about `eta`), so that a plan keeps a margin where the
  // times are unsure: a ticket behind a crew still at a repair is likelier late than one an idle
  // crew can reach with the same minutes to spare.
  PlanCost job_cost(const Job& j, Timestamp eta, Timestamp done, double spread) const {
    PlanCost c;
    const double wait = minutes(eta - now_);
    switch (j.tier) {
      case Tier::hazard: c.hazard_minutes = wait; break;
      case Tier::critical: c.priority_minutes = 10 * wait; break;
      case Tier::important: c.priority_minutes = wait; break;
      case Tier::normal: break;
    }
    if (j.due != kNoTime) {
      const double spare = minutes(j.due - eta);
      const double chance = spread > 0 ? 0.5 * std::erfc(spare / (spread * std::numbers::sqrt2)) : spare < 0 ? 1.0 : 0.0;
      c.breaches = chance;
      c.customer_minutes = std::max(0.0, -spare);  // past its limit, a ticket weighs a customer more
    }
    c.customer_minutes += j.customers * minutes(done - now_);
    c.service = c.breaches * config_.breach_customer_minutes + c.customer_minutes;
    return c;
  }

  // The cost of vehicle v doing `route` in order; hazard_minutes infinite when it cannot (a
  // job after its shift ends).
  PlanCost route_cost(std::size_t v, const std::vector<int>& route) const {
    ++evaluations_;
    const Vehicle& veh = vehicles_[v];
    PlanCost total;
    Timestamp t = veh.free_at;
    int at = veh.point;
    double variance = veh.free_variance;
    for (int ji : route) {
      const Job& j = jobs_[static_cast<std::size_t>(ji)];
      const Duration d = trip(at, j);
      const Timestamp eta = t + d;
      if (veh.shift_end != kNoTime && eta > veh.shift_end) return PlanCost{kInfeasible, 0, 0, 0, 0};
      const Timestamp done = eta + j.repair;
      const double travel = config_.travel_spread * minutes(d);
      variance += travel * travel + config_.turnout_spread_min * config_.turnout_spread_min;
      total += job_cost(j, eta, done, std::sqrt(variance));
      const double repair = config_.repair_spread * minutes(j.repair);
      variance += repair * repair;
      t = done;
      if (j.point >= 0) at = j.point;
    }
    return total;
  }

  // ---- construction and local search ---------------------------------------------------------

  void construct() {
    // Pinned jobs first, each at the front of its crew's queue in order of acceptance.
    std::vector<std::size_t> order(jobs_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const Job &x = jobs_[a], &y = jobs_[b];
      if ((x.pinned >= 0) != (y.pinned >= 0)) return x.pinned >= 0;
      if (x.tier != y.tier) return x.tier < y.tier;
      if (x.due != y.due) return x.due < y.due;
      return x.accepted < y.accepted;
    });
    for (std::size_t j : order) {
      const Job& job = jobs_[j];
      if (job.pinned < 0) continue;
      auto v = static_cast<std::size_t>(job.pinned);
      routes_[v].push_back(static_cast<int>(j));
      vehicles_[v].fixed = routes_[v].size();
      where_[j] = job.pinned;
    }
    // The previous plan's queues, where they still hold, then each new ticket where it costs least.
    if (previous_ != nullptr) {
      std::unordered_map<std::uint32_t, std::size_t> job_of;
      for (std::size_t j = 0; j < jobs_.size(); ++j) job_of[jobs_[j].ticket.value()] = j;
      std::unordered_map<std::string_view, std::size_t> vehicle_of;
      for (std::size_t v = 0; v < vehicles_.size(); ++v) vehicle_of[vehicles_[v].crew->id] = v;
      for (const CrewRoute& r : previous_->crews) {
        auto vi = vehicle_of.find(r.crew);
        if (vi == vehicle_of.end()) continue;
        const std::size_t v = vi->second;
        for (const PlannedJob& pj : r.jobs) {
          auto ji = job_of.find(pj.ticket.value());
          if (ji == job_of.end() || where_[ji->second] >= 0 || !allowed(ji->second, v)) continue;
          routes_[v].push_back(static_cast<int>(ji->second));
          if (std::isinf(route_cost(v, routes_[v]).hazard_minutes)) {
            routes_[v].pop_back();
            continue;
          }
          where_[ji->second] = static_cast<int>(v);
        }
      }
    }
    for (std::size_t j : order) {
      if (where_[j] < 0) insert_best(j);
    }
    for (std::size_t v = 0; v < vehicles_.size(); ++v) cost_[v] = route_cost(v, routes_[v]);
  }

  // Puts job j where it costs least; false when no crew can take it.
  bool insert_best(std::size_t j) {
    int best_v = -1;
    std::size_t best_pos = 0;
    PlanCost best_delta;
    std::vector<int> trial;
    for (std::size_t v = 0; v < vehicles_.size(); ++v) {
      if (!allowed(j, v)) continue;
      const PlanCost base = route_cost(v, routes_[v]);
      for (std::size_t pos = vehicles_[v].fixed; pos <= routes_[v].size(); ++pos) {
        trial = routes_[v];
        trial.insert(trial.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<int>(j));
        const PlanCost c = route_cost(v, trial);
        if (std::isinf(c.hazard_minutes)) continue;
        const PlanCost delta = c - base;
        if (best_v < 0 || compare(delta, best_delta) < 0) best_v = static_cast<int>(v), best_pos = pos, best_delta = delta;
      }
    }
    if (best_v < 0) return false;
    auto& r = routes_[static_cast<std::size_t>(best_v)];
    r.insert(r.begin() + static_cast<std::ptrdiff_t>(best_pos), static_cast<int>(j));
    where_[j] = best_v;
    cost_[static_cast<std::size_t>(best_v)] = route_cost(static_cast<std::size_t>(best_v), r);
    return true;
  }

  // One pass: each placed, unpinned job moves to its best place if that improves the plan.
  std::size_t improve(const Clock* clock, Timestamp started) {
    std::size_t moved = 0;
    std::vector<int> without, trial;
    for (std::size_t j = 0; j < jobs_.size(); ++j) {
      if (where_[j] < 0 || jobs_[j].pinned >= 0) continue;
      if (clock && (j & 15) == 0 && clock->now() - started > config_.budget) break;
      if (evaluations_ >= config_.max_evaluations) break;
      const auto from = static_cast<std::size_t>(where_[j]);
      without = routes_[from];
      const auto at = std::find(without.begin(), without.end(), static_cast<int>(j));
      const auto old_pos = static_cast<std::size_t>(at - without.begin());
      without.erase(at);
      const PlanCost removed = route_cost(from, without);
      const PlanCost gain = cost_[from] - removed;  // what j costs where it is
      int best_v = -1;
      std::size_t best_pos = 0;
      PlanCost best_delta = gain;  // moving must cost less than staying
      PlanCost best_cost;
      for (std::size_t v = 0; v < vehicles_.size(); ++v) {
        if (!allowed(j, v)) continue;
        const std::vector<int>& base = v == from ? without : routes_[v];
        const PlanCost base_cost = v == from ? removed : cost_[v];
        for (std::size_t pos = vehicles_[v].fixed; pos <= base.size(); ++pos) {
          if (v == from && pos == old_pos) continue;
          trial = base;
          trial.insert(trial.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<int>(j));
          const PlanCost c = route_cost(v, trial);
          if (std::isinf(c.hazard_minutes)) continue;
          const PlanCost delta = c - base_cost;
          if (compare(delta, best_delta) < 0) best_v = static_cast<int>(v), best_pos = pos, best_delta = delta, best_cost = c;
        }
      }
      if (best_v < 0) continue;
      const auto to = static_cast<std::size_t>(best_v);
      routes_[from] = without;
      cost_[from] = removed;
      routes_[to].insert(routes_[to].begin() + static_cast<std::ptrdiff_t>(best_pos), static_cast<int>(j));
      cost_[to] = best_cost;
      where_[j] = best_v;
      ++moved;
    }
    return moved;
  }

  // ---- the answer ---------------------------------------------------------------------------

  std::string why(const Job& j, Timestamp eta) const {
    switch (j.tier) {
      case Tier::hazard: return "a hazard: first";
      case Tier::critical: return "critical customers out";
      case Tier::important: return "important customers out";
      case Tier::normal: break;
    }
    if (j.due == kNoTime) return "no arrival limit";
    if (eta <= j.due) return fmt::format("within its limit ({} min to spare)", static_cast<long>(minutes(j.due - eta)));
    return fmt::format("{} min past its limit: no crew can be sooner without a costlier breach", static_cast<long>(minutes(eta - j.due)));
  }

  void emit(Plan& plan) {
    const double at_risk_share = desk_.rules().at_risk_share;
    for (std::size_t v = 0; v < vehicles_.size(); ++v) {
      const Vehicle& veh = vehicles_[v];
      CrewRoute cp;
      cp.crew = veh.crew->id;
      if (veh.current.valid()) cp.jobs.push_back({veh.current, veh.current_eta, veh.current_done, true});
      Timestamp t = veh.free_at;
      int at = veh.point;
      for (std::size_t k = 0; k < routes_[v].size(); ++k) {
        const Job& j = jobs_[static_cast<std::size_t>(routes_[v][k])];
        const Duration d = trip(at, j);
        const Timestamp eta = t + d, done = eta + j.repair;
        cp.jobs.push_back({j.ticket, eta, done, k < veh.fixed});
        Assignment a;
        a.ticket = j.ticket;
        a.crew = veh.crew->id;
        a.eta = eta;
        const std::string pinned = j.pinned >= 0 ? "kept for this crew by a dispatcher; " : "";
        if (k == 0 && veh.idle) {
          a.reason = fmt::format("{}planned: {} min away ({}); {}", pinned, static_cast<long>(minutes(d)), travel_.describe(), why(j, eta));
          plan.assignments.push_back(std::move(a));
        } else {
          a.reason = fmt::format("{}queued {} for crew {} (free {}); {}", pinned, k + (veh.current.valid() ? 2 : 1),
                                 veh.crew->id, k == 0 ? "after its current job" : "after the jobs before it", why(j, eta));
          plan.queued.push_back(std::move(a));
        }
        // At risk: predicted late, or with less than the at-risk share of its limit to spare.
        const Ticket& tk = *desk_.ticket(j.ticket);
        if (j.due != kNoTime && (eta > j.due || (tk.arrival.at_risk && tk.arrival.met == kNoTime) ||
                                 j.due - eta < std::chrono::duration_cast<Duration>((j.due - tk.accepted) * at_risk_share))) {
          plan.alerts.push_back(alert(static_cast<std::size_t>(routes_[v][k]), eta, veh.crew->id));
        }
        t = done;
        if (j.point >= 0) at = j.point;
      }
      plan.cost += cost_[v];
      plan.crews.push_back(std::move(cp));
    }
    for (std::size_t j = 0; j < jobs_.size(); ++j) {
      if (where_[j] >= 0) continue;
      plan.unplanned.push_back(jobs_[j].ticket);
      plan.alerts.push_back(alert(j, kNoTime, ""));
    }
  }

  // The options for a ticket at risk: the best other crew of its area and the best crew of
  // another area, were each sent to it next (after its current and pinned jobs).
  PlanAlert alert(std::size_t ji, Timestamp eta, std::string_view planned_crew) const {
    const Job& j = jobs_[ji];
    PlanAlert a;
    a.ticket = j.ticket;
    a.due = j.due;
    a.eta = eta;
    std::optional<AlertOption> same, other;
    for (std::size_t v = 0; v < vehicles_.size(); ++v) {
      const Vehicle& veh = vehicles_[v];
      if (veh.crew->id == planned_crew || !veh.crew->profile.skills.has(j.skill)) continue;
      Timestamp t = veh.free_at;
      int at = veh.point;
      for (std::size_t k = 0; k < veh.fixed; ++k) {
        const Job& p = jobs_[static_cast<std::size_t>(routes_[v][k])];
        t += trip(at, p) + p.repair;
        if (p.point >= 0) at = p.point;
      }
      const Timestamp e = t + trip(at, j);
      if (veh.shift_end != kNoTime && e > veh.shift_end) continue;
      const bool neighbouring = veh.area != j.area;
      std::optional<AlertOption>& slot = neighbouring ? other : same;
      if (!slot || e < slot->eta) slot = AlertOption{veh.crew->id, std::string(veh.area), e, neighbouring};
    }
    if (same) a.options.push_back(*same);
    if (other) a.options.push_back(*other);
    if (eta == kNoTime) {
      a.message = fmt::format("ticket {}: no crew on shift can take it (it needs {}{})", j.ticket.value(), to_string(j.skill),
                              config_.stay_in_area ? ", in its area" : "");
    } else if (j.due != kNoTime && eta > j.due) {
      a.message = fmt::format("ticket {}: crew {} arrives {} min after its limit", j.ticket.value(), planned_crew,
                              static_cast<long>(minutes(eta - j.due)));
    } else {
      a.message = fmt::format("ticket {}: at risk, crew {} arrives {} min before its limit", j.ticket.value(), planned_crew,
                              static_cast<long>(minutes(j.due - eta)));
    }
    return a;
  }

  const TicketDesk& desk_;
  const TravelTimes& travel_;
  Timestamp now_;
  PlannerConfig config_;
  const Plan* previous_;

  std::vector<Vehicle> vehicles_;
  std::vector<Job> jobs_;
  std::vector<Point> points_;
  std::vector<int> column_;     // per place: its column in the matrix (-1: not a job's place)
  std::vector<float> seconds_;  // places x job places, -1 where unmeasured
  std::size_t width_ = 0;
  std::vector<std::uint8_t> allowed_;
  std::vector<std::vector<int>> routes_;
  std::vector<PlanCost> cost_;
  std::vector<int> where_;  // per job: its vehicle, -1 when unplaced
  mutable std::size_t evaluations_ = 0;
};

}  // namespace

Plan plan_crews(const TicketDesk& desk, const TravelTimes& travel, Timestamp now, const PlannerConfig& config,
                const Clock* budget_clock, const Plan* previous) {
  return Solver(desk, travel, now, config, previous).run(budget_clock);
}

}  // namespace outage
