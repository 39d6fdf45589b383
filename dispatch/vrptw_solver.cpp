#include "dispatch/vrptw_solver.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace outage {

namespace {

constexpr double kSlack = 1e-9;  // the tolerance evaluate_routes allows on windows and loads

// xoshiro256** seeded by splitmix64: small, fast, and the same sequence on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  int below(int n) { return static_cast<int>(uniform() * n); }                 // [0, n)

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// The instance as flat arrays, with the distance matrix and each customer's neighbours.
struct Data {
  int sites = 0;
  std::vector<double> d;  // sites x sites, instance.distance
  std::vector<double> ready, due, service, demand;
  double capacity = 0;
  double horizon = 0;
  std::vector<std::vector<int>> near;  // customers by distance from each customer

  explicit Data(const VrptwInstance& in) : sites(static_cast<int>(in.sites.size())) {
    d.resize(static_cast<std::size_t>(sites) * sites);
    for (int a = 0; a < sites; ++a) {
      for (int b = 0; b < sites; ++b) d[static_cast<std::size_t>(a) * sites + b] = in.distance(a, b);
    }
    for (const VrptwSite& s : in.sites) {
      ready.push_back(s.ready);
      due.push_back(s.due);
      service.push_back(s.service);
      demand.push_back(s.demand);
    }
    capacity = in.capacity;
    horizon = in.sites[0].due;
    near.resize(static_cast<std::size_t>(sites));
    for (int c = 1; c < sites; ++c) {
      auto& list = near[static_cast<std::size_t>(c)];
      for (int o = 1; o < sites; ++o) {
        if (o != c) list.push_back(o);
      }
      std::stable_sort(list.begin(), list.end(), [&](int a, int b) { return dist(c, a) < dist(c, b); });
    }
  }
  double dist(int a, int b) const { return d[static_cast<std::size_t>(a) * sites + b]; }
};

// One vehicle's route with its timing: node[0] and node.back() are the depot. begin[k] is the
// start of service at node k as evaluate_routes computes it (leaving the depot at 0, waiting
// when early); depart[k] = begin[k] + service; latest[k] is the latest start at node k that
// keeps the rest of the route within its windows and the horizon.
struct Route {
  std::vector<int> node{0, 0};
  std::vector<double> begin{0, 0}, depart{0, 0}, latest{0, 0};
  std::vector<double> leg{0};  // leg[k]: from node k to node k + 1
  double load = 0;
  double length = 0;

  int customers() const { return static_cast<int>(node.size()) - 2; }

  // Recomputes the timing of the whole route.
  void update(const Data& data) {
    const std::size_t n = node.size();
    begin.resize(n);
    depart.resize(n);
    latest.resize(n);
    leg.resize(n - 1);
    load = 0;
    length = 0;
    for (std::size_t k = 1; k + 1 < n; ++k) load += data.demand[static_cast<std::size_t>(node[k])];
    for (std::size_t k = 0; k + 1 < n; ++k) {
      leg[k] = data.dist(node[k], node[k + 1]);
      length += leg[k];
    }
    forward(data, 1, false);
    backward(data, n - 2, false);
  }

  // Puts customer u at position k (1 .. customers() + 1) and updates the timing from there
  // on: forward until a start of service comes out as before, backward likewise.
  void insert(const Data& data, std::size_t k, int u) {
    const double in = data.dist(node[k - 1], u), out = data.dist(u, node[k]);
    length += in + out - leg[k - 1];
    leg[k - 1] = in;
    leg.insert(leg.begin() + static_cast<std::ptrdiff_t>(k), out);
    load += data.demand[static_cast<std::size_t>(u)];
    node.insert(node.begin() + static_cast<std::ptrdiff_t>(k), u);
    begin.insert(begin.begin() + static_cast<std::ptrdiff_t>(k), 0.0);
    depart.insert(depart.begin() + static_cast<std::ptrdiff_t>(k), 0.0);
    latest.insert(latest.begin() + static_cast<std::ptrdiff_t>(k), 0.0);
    forward(data, k, true);
    backward(data, k, true);
  }

 private:
  // Starts of service from position `from` on, as evaluate_routes computes them; with `early`,
  // stops past `from` once a value comes out unchanged (the rest then is too).
  void forward(const Data& data, std::size_t from, bool early) {
    const std::size_t n = node.size();
    begin[0] = depart[0] = 0;
    for (std::size_t k = from; k < n; ++k) {
      const int c = node[k];
      const double arrive = depart[k - 1] + leg[k - 1];
      if (k + 1 == n) {
        begin[k] = depart[k] = arrive;
        break;
      }
      const double b = std::max(arrive, data.ready[static_cast<std::size_t>(c)]);
      if (early && k > from && b == begin[k]) break;
      begin[k] = b;
      depart[k] = b + data.service[static_cast<std::size_t>(c)];
    }
  }

  // Latest starts from position `from` down to the depot, likewise.
  void backward(const Data& data, std::size_t from, bool early) {
    const std::size_t n = node.size();
    latest[n - 1] = data.horizon;
    for (std::size_t k = from + 1; k-- > 0;) {
      const int c = node[k];
      const double l = std::min(data.due[static_cast<std::size_t>(c)],
                                latest[k + 1] - leg[k] - data.service[static_cast<std::size_t>(c)]);
      if (early && k < from && l == latest[k]) break;
      latest[k] = l;
    }
  }
};

struct Solution {
  std::vector<Route> routes;  // no empty route between steps
  std::vector<int> route_of;  // by customer; -1 when absent
  std::vector<int> absent;    // customers on no route

  double distance() const {
    double total = 0;
    for (const Route& r : routes) total += r.length;
    return total;
  }
  int vehicles() const { return static_cast<int>(routes.size()); }
  std::vector<std::vector<int>> plain() const {
    std::vector<std::vector<int>> out;
    for (const Route& r : routes) out.emplace_back(r.node.begin() + 1, r.node.end() - 1);
    return out;
  }
};

// Ruin-and-recreate parameters (SISR's values for the removal sizes and blinks).
constexpr double kMeanRemoved = 10;     // customers removed per step on average (c-bar)
constexpr double kMaxString = 10;       // L_max: longest string
constexpr double kBlinkRate = 0.01;     // chance of skipping an insertion position
constexpr double kVehicleCost = 1e5;    // a vehicle outweighs any distance

class Search {
 public:
  Search(const VrptwInstance& instance, const VrptwSolverOptions& options)
      : instance_(instance), data_(instance), options_(options), rng_(options.seed), absence_(static_cast<std::size_t>(data_.sites), 0) {}

  Result<VrptwSolution> run() {
    if (options_.clock != nullptr && options_.budget.count() > 0) {
      start_ = options_.clock->now();
      timed_ = true;
    }
    Solution cur;
    cur.route_of.assign(static_cast<std::size_t>(data_.sites), -1);
    for (int c = 1; c < data_.sites; ++c) cur.absent.push_back(c);
    recreate(cur, true);
    Solution best = cur;
    long it = 0;
    const long fleet_steps = static_cast<long>(options_.fleet_share * static_cast<double>(options_.iterations));
    minimise_vehicles(best, it, fleet_steps);
    minimise_distance(best, it);
    VrptwSolution out;
    out.routes = best.plain();
    out.iterations = it;
    auto cost = evaluate_routes(instance_, out.routes);
    if (!cost) return internal_error(fmt::format("the solver's answer fails the check: {}", cost.error().message));
    out.cost = *cost;
    return out;
  }

 private:
  // The share of the budget gone, from 0 (0 without a clock).
  double elapsed() const {
    if (!timed_) return 0;
    return std::chrono::duration<double>(options_.clock->now() - start_).count() / std::chrono::duration<double>(options_.budget).count();
  }

  // The share of a phase gone, by steps [from, to) or by the budget [time_from, time_to),
  // whichever has gone further.
  double progress(long it, long from, long to, double time_from, double time_to) const {
    double p = to > from ? static_cast<double>(it - from) / static_cast<double>(to - from) : 1.0;
    if (timed_) p = std::max(p, time_to > time_from ? (elapsed() - time_from) / (time_to - time_from) : 1.0);
    return std::max(0.0, p);
  }

  // Step 2: fewer vehicles. `best` stays a complete solution with the fewest vehicles found.
  void minimise_vehicles(Solution& best, long& it, long steps) {
    double total_demand = 0;
    for (int c = 1; c < data_.sites; ++c) total_demand += data_.demand[static_cast<std::size_t>(c)];
    const int bound = std::max(1, static_cast<int>(std::ceil(total_demand / data_.capacity - 1e-9)));
    if (best.vehicles() <= bound) return;
    Solution cur = best;
    drop_route(cur);
    std::size_t fewest_absent = cur.absent.size();
    double last_progress = 0;  // when fewer customers were last absent
    Solution cand;
    const long from = it;
    while (it < options_.iterations) {
      const double p = progress(it, from, from + steps, 0, options_.fleet_share);
      if (p >= 1.0 || p - last_progress > options_.fleet_stall) break;
      ++it;
      cand = cur;
      ruin(cand);
      recreate(cand, false);
      if (cand.absent.size() < cur.absent.size() || absence_sum(cand) < absence_sum(cur)) std::swap(cur, cand);
      if (cur.absent.size() < fewest_absent) {
        fewest_absent = cur.absent.size();
        last_progress = p;
      }
      if (cur.absent.empty()) {
        if (keep_if_valid(cur, best) && best.vehicles() <= bound) return;
        drop_route(cur);
        fewest_absent = cur.absent.size();
      }
      for (int c : cur.absent) ++absence_[static_cast<std::size_t>(c)];
    }
  }

  // Step 3: shorter routes by simulated annealing from `best`.
  void minimise_distance(Solution& best, long& it) {
    Solution cur = best, cand;
    double cur_cost = cost(cur);
    const long from = it;
    const double time_from = elapsed();
    while (it < options_.iterations) {
      const double p = progress(it, from, options_.iterations, time_from, 1.0);
      if (p >= 1.0) break;
      ++it;
      const double temperature = options_.start_temperature * std::pow(options_.end_temperature / options_.start_temperature, p);
      cand = cur;
      ruin(cand);
      recreate(cand, true);
      const double cand_cost = cost(cand);
      if (cand_cost < cur_cost - temperature * std::log(1.0 - rng_.uniform())) {
        std::swap(cur, cand);
        cur_cost = cand_cost;
        if (cur_cost < cost(best) - 1e-9) keep_if_valid(cur, best);
      }
    }
  }

  static double cost(const Solution& s) { return kVehicleCost * s.vehicles() + s.distance(); }

  // Copies `s` into `best` when it is complete and passes evaluate_routes.
  bool keep_if_valid(const Solution& s, Solution& best) {
    if (!s.absent.empty()) return false;
    if (!evaluate_routes(instance_, s.plain())) return false;
    best = s;
    return true;
  }

  long absence_sum(const Solution& s) const {
    long sum = 0;
    for (int c : s.absent) sum += absence_[static_cast<std::size_t>(c)];
    return sum;
  }

  // Takes a random route out; its customers become absent.
  void drop_route(Solution& s) {
    const int r = rng_.below(s.vehicles());
    for (std::size_t k = 1; k + 1 < s.routes[static_cast<std::size_t>(r)].node.size(); ++k) {
      const int c = s.routes[static_cast<std::size_t>(r)].node[k];
      s.absent.push_back(c);
    }
    erase_route(s, r);
  }

  void erase_route(Solution& s, int r) {
    s.routes.erase(s.routes.begin() + r);
    renumber(s);
  }

  static void renumber(Solution& s) {
    std::fill(s.route_of.begin(), s.route_of.end(), -1);
    for (std::size_t r = 0; r < s.routes.size(); ++r) {
      const auto& node = s.routes[r].node;
      for (std::size_t k = 1; k + 1 < node.size(); ++k) s.route_of[static_cast<std::size_t>(node[k])] = static_cast<int>(r);
    }
  }

  // SISR's ruin: strings of consecutive customers removed from routes near a random customer.
  void ruin(Solution& s) {
    if (s.routes.empty()) return;
    int routed = 0;
    for (const Route& r : s.routes) routed += r.customers();
    if (routed == 0) return;
    const double mean_size = static_cast<double>(routed) / static_cast<double>(s.routes.size());
    const double l_max = std::min(kMaxString, mean_size);
    const double k_max = 4 * kMeanRemoved / (1 + l_max) - 1;
    const int strings = static_cast<int>(rng_.uniform() * k_max) + 1;
    int seed = 0;
    do seed = 1 + rng_.below(data_.sites - 1);
    while (s.route_of[static_cast<std::size_t>(seed)] < 0);
    ruined_.clear();
    int done = 0;
    auto visit = [&](int c) {
      const int r = s.route_of[static_cast<std::size_t>(c)];
      if (r < 0 || std::find(ruined_.begin(), ruined_.end(), r) != ruined_.end()) return;
      ruined_.push_back(r);
      remove_string(s, r, c, l_max);
      ++done;
    };
    visit(seed);
    for (int c : data_.near[static_cast<std::size_t>(seed)]) {
      if (done >= strings) break;
      visit(c);
    }
    // Drop the routes left empty, from the highest index down.
    bool emptied = false;
    for (int r = s.vehicles(); r-- > 0;) {
      if (s.routes[static_cast<std::size_t>(r)].customers() == 0) {
        s.routes.erase(s.routes.begin() + r);
        emptied = true;
      }
    }
    if (emptied) renumber(s);
  }

  // Removes a string (or a split string) of route r that contains customer c.
  void remove_string(Solution& s, int r, int c, double l_max) {
    Route& route = s.routes[static_cast<std::size_t>(r)];
    const int size = route.customers();
    const int cap = std::min<int>(size, static_cast<int>(l_max));
    const int len = static_cast<int>(rng_.uniform() * cap) + 1;
    int pos = 1;
    while (route.node[static_cast<std::size_t>(pos)] != c) ++pos;
    int kept = 0;
    if (len < size && rng_.uniform() < 0.5) {
      kept = 1;
      while (len + kept < size && rng_.uniform() < 0.5) ++kept;
    }
    const int span = len + kept;
    // The span [first, first + span) of customer positions (1-based) contains pos.
    const int lo = std::max(1, pos - span + 1);
    const int hi = std::min(pos, size - span + 1);
    const int first = lo + rng_.below(hi - lo + 1);
    const int keep_from = kept > 0 ? first + rng_.below(len + 1) : -1;  // kept ones: [keep_from, keep_from + kept)
    int w = 1;
    for (int k = 1; k <= size; ++k) {
      const int cust = route.node[static_cast<std::size_t>(k)];
      const bool in_span = k >= first && k < first + span;
      const bool kept_here = kept > 0 && k >= keep_from && k < keep_from + kept;
      if (in_span && !kept_here) {
        s.absent.push_back(cust);
        s.route_of[static_cast<std::size_t>(cust)] = -1;
      } else {
        route.node[static_cast<std::size_t>(w++)] = cust;
      }
    }
    route.node[static_cast<std::size_t>(w++)] = 0;
    route.node.resize(static_cast<std::size_t>(w));
    route.update(data_);
  }

  // SISR's recreate: the absent customers in a random order of four (random, largest demand,
  // farthest from the depot, closest), each at its cheapest feasible place, skipping places at
  // the blink rate. With open_routes a customer with no place gets a new route; without, it
  // stays absent.
  void recreate(Solution& s, bool open_routes) {
    std::vector<int>& todo = s.absent;
    const double pick = rng_.uniform() * 11;
    if (pick < 4) {
      for (std::size_t i = todo.size(); i > 1; --i) std::swap(todo[i - 1], todo[static_cast<std::size_t>(rng_.below(static_cast<int>(i)))]);
    } else if (pick < 8) {
      std::sort(todo.begin(), todo.end(), [&](int a, int b) {
        return data_.demand[static_cast<std::size_t>(a)] > data_.demand[static_cast<std::size_t>(b)] ||
               (data_.demand[static_cast<std::size_t>(a)] == data_.demand[static_cast<std::size_t>(b)] && a < b);
      });
    } else if (pick < 10) {
      std::sort(todo.begin(), todo.end(), [&](int a, int b) { return data_.dist(0, a) > data_.dist(0, b) || (data_.dist(0, a) == data_.dist(0, b) && a < b); });
    } else {
      std::sort(todo.begin(), todo.end(), [&](int a, int b) { return data_.dist(0, a) < data_.dist(0, b) || (data_.dist(0, a) == data_.dist(0, b) && a < b); });
    }
    left_.clear();
    for (int u : todo) {
      int best_route = -1, best_pos = -1;
      double best_delta = std::numeric_limits<double>::infinity();
      const double du = data_.demand[static_cast<std::size_t>(u)];
      const double ready_u = data_.ready[static_cast<std::size_t>(u)];
      const double due_u = data_.due[static_cast<std::size_t>(u)] + kSlack;
      const double service_u = data_.service[static_cast<std::size_t>(u)];
      const double* du_row = &data_.d[static_cast<std::size_t>(u) * data_.sites];
      for (std::size_t r = 0; r < s.routes.size(); ++r) {
        const Route& route = s.routes[r];
        if (route.load + du > data_.capacity + kSlack) continue;
        const std::size_t n = route.node.size();
        for (std::size_t k = 0; k + 1 < n; ++k) {
          const int p = route.node[k], q = route.node[k + 1];
          const double arrive = route.depart[k] + du_row[p];
          if (arrive > due_u) break;  // later places are later still (triangle inequality)
          const double delta = du_row[p] + du_row[q] - route.leg[k];
          if (delta >= best_delta) continue;
          const double begin_u = std::max(arrive, ready_u);
          double begin_q = begin_u + service_u + du_row[q];
          if (q != 0) begin_q = std::max(begin_q, data_.ready[static_cast<std::size_t>(q)]);
          if (begin_q > route.latest[k + 1] + kSlack) continue;
          if (rng_.uniform() < kBlinkRate) continue;
          best_delta = delta;
          best_route = static_cast<int>(r);
          best_pos = static_cast<int>(k) + 1;
        }
      }
      if (best_route < 0) {
        if (!open_routes) {
          left_.push_back(u);
          continue;
        }
        s.routes.emplace_back();
        best_route = s.vehicles() - 1;
        best_pos = 1;
      }
      Route& route = s.routes[static_cast<std::size_t>(best_route)];
      route.insert(data_, static_cast<std::size_t>(best_pos), u);
      s.route_of[static_cast<std::size_t>(u)] = best_route;
    }
    todo.swap(left_);
  }

  const VrptwInstance& instance_;
  Data data_;
  VrptwSolverOptions options_;
  Random rng_;
  std::vector<long> absence_;
  std::vector<int> ruined_, left_;
  bool timed_ = false;
  Timestamp start_{};
};

}  // namespace

bool better_vrptw_cost(const VrptwCost& a, const VrptwCost& b) {
  if (a.vehicles != b.vehicles) return a.vehicles < b.vehicles;
  return a.distance < b.distance;
}

Result<VrptwSolution> solve_vrptw(const VrptwInstance& instance, const VrptwSolverOptions& options) {
  if (instance.sites.size() < 2) return invalid_input(fmt::format("{}: no customers", instance.name));
  const VrptwSite& depot = instance.sites[0];
  for (int c = 1; c <= instance.customers(); ++c) {
    const VrptwSite& s = instance.sites[static_cast<std::size_t>(c)];
    if (s.demand > instance.capacity + kSlack) {
      return invalid_input(fmt::format("customer {}: its demand {:g} is over the vehicles' capacity {:g}", c, s.demand, instance.capacity));
    }
    // The route depot -> c -> depot, timed as evaluate_routes times it.
    const double out = instance.distance(0, c);
    const double begin = std::max(out, s.ready);
    if (begin > s.due + kSlack) {
      return invalid_input(fmt::format("customer {}: its window closes at {:g}, before a vehicle from the depot can arrive ({:.2f})", c, s.due, out));
    }
    const double back = begin + s.service + instance.distance(c, 0);
    if (back > depot.due + kSlack) {
      return invalid_input(fmt::format("customer {}: a vehicle serving it is back at the depot at {:.2f}, after the horizon {:g}", c, back, depot.due));
    }
  }
  Search search(instance, options);
  auto solution = search.run();
  if (!solution) return solution;
  if (solution->cost.vehicles > instance.vehicles) {
    return invalid_input(fmt::format("{}: the best answer found needs {} vehicles, the fleet has {}", instance.name, solution->cost.vehicles, instance.vehicles));
  }
  return solution;
}

}  // namespace outage
