#include "sim/breach_bound.h"

#include <fmt/format.h>
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace outage {
namespace {

double minutes_since(Timestamp t, Timestamp origin) {
  return std::chrono::duration<double, std::ratio<60>>(t - origin).count();
}

// A job on the grid: it may start at minutes [lo, hi] and then holds a crew for `hold` minutes.
struct GridJob {
  long lo = 0, hi = 0, hold = 0;
  int column = 0;  // GLPK's column of X(lo); X(s) is column + (s - lo)
};

struct ProblemDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};

}  // namespace

std::vector<BoundJob> crew_visits(const DrillRecord& record, Duration reaction) {
  std::vector<BoundJob> out;
  for (const ObservedTicket& t : record.tickets) {
    if (t.arrival_due == kNoTime || t.accepted == kNoTime) continue;
    const CrewTrip* first = nullptr;
    for (const CrewTrip& trip : record.trips) {
      if (trip.ticket == t.id && trip.arrived != kNoTime && (first == nullptr || trip.arrived < first->arrived)) first = &trip;
    }
    if (first == nullptr) continue;
    const Timestamp left = first->done != kNoTime ? first->done : record.end;
    out.push_back(BoundJob{t.accepted + reaction, t.arrival_due, std::max(Duration::zero(), left - first->arrived)});
  }
  return out;
}

Result<BreachBound> breach_bound(std::span<const BoundJob> jobs, int crews, Duration time_limit) {
  BreachBound bound;
  bound.jobs = static_cast<int>(jobs.size());
  if (crews < 0) return invalid_input("crews: must be 0 or more");
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].release == kNoTime || jobs[i].due == kNoTime) return invalid_input(fmt::format("jobs[{}]: a release and a due time are required", i));
    if (jobs[i].work < Duration::zero()) return invalid_input(fmt::format("jobs[{}].work: must not be negative", i));
  }
  if (jobs.empty()) return bound;
  if (crews == 0) {
    bound.at_least = bound.jobs;
    return bound;
  }

  // On the grid, in minutes from the earliest release. A job whose limit passed before it could
  // leave is late whatever happens; one that holds a crew for no whole minute is on time.
  Timestamp origin = jobs.front().release;
  for (const BoundJob& j : jobs) origin = std::min(origin, j.release);
  std::vector<GridJob> grid;
  int late = 0, columns = 0;
  for (const BoundJob& j : jobs) {
    GridJob g;
    g.lo = static_cast<long>(std::ceil(minutes_since(j.release, origin) - 1e-9));
    g.hi = static_cast<long>(std::ceil(minutes_since(j.due, origin) - 1e-9));
    g.hold = std::max(0L, static_cast<long>(std::floor(std::chrono::duration<double, std::ratio<60>>(j.work).count() + 1e-9)) - 1);
    if (g.hi < g.lo) {
      ++late;
      continue;
    }
    if (g.hold == 0) continue;
    g.column = columns + 1;
    columns += static_cast<int>(g.hi - g.lo + 1);
    grid.push_back(g);
  }
  if (grid.empty()) {
    bound.at_least = late;
    return bound;
  }

  // X(j, s) = 1 when job j has started by minute s: non-decreasing in s, X(j, hi) = on time.
  // Minute k holds job j for X(j, min(k, hi)) - X(j, k - hold) (0 before lo); at most `crews`.
  glp_term_out(GLP_OFF);
  std::unique_ptr<glp_prob, ProblemDeleter> lp(glp_create_prob());
  glp_set_obj_dir(lp.get(), GLP_MAX);
  glp_add_cols(lp.get(), columns);
  for (int c = 1; c <= columns; ++c) glp_set_col_kind(lp.get(), c, GLP_BV);
  for (const GridJob& g : grid) glp_set_obj_coef(lp.get(), g.column + static_cast<int>(g.hi - g.lo), 1.0);

  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0.0};
  int rows = 0;
  auto entry = [&](int row, int column, double value) {
    ia.push_back(row);
    ja.push_back(column);
    ar.push_back(value);
  };
  for (const GridJob& g : grid) {
    for (long s = g.lo + 1; s <= g.hi; ++s) {
      const int row = ++rows;
      entry(row, g.column + static_cast<int>(s - 1 - g.lo), 1.0);
      entry(row, g.column + static_cast<int>(s - g.lo), -1.0);
    }
  }
  std::vector<int> capacity_rows;
  long first = grid.front().lo, last = grid.front().hi + grid.front().hold;
  for (const GridJob& g : grid) first = std::min(first, g.lo), last = std::max(last, g.hi + g.hold);
  std::vector<const GridJob*> active;
  for (long k = first; k < last; ++k) {
    active.clear();
    for (const GridJob& g : grid) {
      if (g.lo <= k && k < g.hi + g.hold) active.push_back(&g);
    }
    if (static_cast<int>(active.size()) <= crews) continue;  // cannot bind
    const int row = ++rows;
    capacity_rows.push_back(row);
    for (const GridJob* g : active) {
      entry(row, g->column + static_cast<int>(std::min(k, g->hi) - g->lo), 1.0);
      const long before = k - g->hold;
      if (before >= g->lo) entry(row, g->column + static_cast<int>(before - g->lo), -1.0);
    }
  }
  if (rows > 0) {
    glp_add_rows(lp.get(), rows);
    for (int r = 1; r <= rows; ++r) glp_set_row_bnds(lp.get(), r, GLP_UP, 0.0, 0.0);
    for (int r : capacity_rows) glp_set_row_bnds(lp.get(), r, GLP_UP, 0.0, static_cast<double>(crews));
    glp_load_matrix(lp.get(), static_cast<int>(ia.size() - 1), ia.data(), ja.data(), ar.data());
  }

  glp_smcp simplex;
  glp_init_smcp(&simplex);
  simplex.msg_lev = GLP_MSG_OFF;
  if (glp_simplex(lp.get(), &simplex) != 0 || glp_get_status(lp.get()) != GLP_OPT) {
    return internal_error("breach bound: the linear relaxation did not solve");
  }
  const double relaxed = glp_get_obj_val(lp.get());
  glp_iocp mip;
  glp_init_iocp(&mip);
  mip.msg_lev = GLP_MSG_OFF;
  mip.tm_lim = static_cast<int>(std::min<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(time_limit).count(), 1 << 30));
  const int ret = glp_intopt(lp.get(), &mip);
  int on_time = 0;
  if (ret == 0 && glp_mip_status(lp.get()) == GLP_OPT) {
    on_time = static_cast<int>(std::lround(glp_mip_obj_val(lp.get())));
  } else {
    on_time = static_cast<int>(std::floor(relaxed + 1e-6));
    bound.exact = false;
  }
  bound.at_least = late + (static_cast<int>(grid.size()) - on_time);
  return bound;
}

}  // namespace outage
