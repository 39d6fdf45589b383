#include "sim/fault_plan.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "geo/topology.h"
#include "sim/sim_random.h"

namespace outage {

double line_km(const NetworkModel& model, ElementId line) {
  const Element& e = model.element(line);
  if (e.length_m > 0) return e.length_m / 1000.0;
  if (model.crs.kind == CoordinateSystem::Kind::local && model.crs.metres_per_unit > 0) {
    std::vector<Point> g = model.geometry(line);
    double units = 0;
    for (std::size_t i = 1; i < g.size(); ++i) units += std::hypot(g[i].x - g[i - 1].x, g[i].y - g[i - 1].y);
    if (units > 0) return units * model.crs.metres_per_unit / 1000.0;
  }
  return 0.1;
}

std::vector<PlannedFault> plan_faults(const Scenario& s, const NetworkModel& model) {
  std::unordered_set<std::uint32_t> cables;
  for (const std::string& id : s.faults.cables) cables.insert(model.find_element(id).value());

  // Lines in a zone that supplies substations (the subtransmission between a source and its HV/MV
  // transformers, such as the 69 kV lines joining the IEEE 9500's three substations) are not
  // drawn: repair crews do not work on them, and with no protection of theirs in the model a fault
  // there would open the source and take every feeder out at once. Faults placed by hand may
  // still go there.
  Topology topology(model);
  std::vector<char> supplies_substation(topology.feeder_count(), 0);
  for (std::uint32_t f = 0; f < topology.feeder_count(); ++f) {
    const FeederId parent = topology.feeder(FeederId(f)).parent;
    if (parent.valid()) supplies_substation[parent.value()] = 1;
  }
  auto subtransmission = [&](const Element& line) {
    const FeederId f = topology.feeder_of(line.bus1);
    return f.valid() && supplies_substation[f.value()] != 0;
  };

  // Each element's weight per level: km (times the cable factor) for lines, 1 for transformers.
  struct Candidate {
    ElementId id;
    FaultKind kind;
    double weight;
  };
  std::vector<Candidate> candidates;
  for (std::uint32_t i = 0; i < model.elements().size(); ++i) {
    const Element& e = model.elements()[i];
    if (e.kind == ElementKind::line && e.is_branch()) {
      if (subtransmission(e)) continue;
      const bool cable = cables.contains(i);
      candidates.push_back({ElementId(i), cable ? FaultKind::cable : FaultKind::overhead_line,
                            line_km(model, ElementId(i)) * (cable ? s.faults.cable_factor : 1.0)});
    } else if (e.kind == ElementKind::transformer) {
      candidates.push_back({ElementId(i), FaultKind::transformer, 1.0});
    }
  }

  SimRandom rng(s.seed, Stream::faults, 0);
  std::vector<PlannedFault> out;
  auto add = [&](ElementId where, FaultKind kind, Duration at, bool momentary) {
    SimRandom r(s.seed, Stream::repair, where.value(), static_cast<std::uint64_t>(at.count()));
    out.push_back({where, kind, at, momentary, r.lognormal(s.repair.by_kind[static_cast<int>(kind)])});
  };

  // One Poisson process per weather spell.
  const std::vector<WeatherSpell> spells = s.spells();
  for (std::size_t i = 0; i < spells.size(); ++i) {
    const Duration from = spells[i].from;
    const Duration to = i + 1 < spells.size() ? spells[i + 1].from : s.duration;
    if (to <= from) continue;
    const int w = static_cast<int>(spells[i].level);
    std::vector<double> cumulative;
    cumulative.reserve(candidates.size());
    double total = 0;
    for (const Candidate& c : candidates) {
      total += c.weight * (c.kind == FaultKind::transformer ? s.faults.transformer_per_hour[w] : s.faults.line_per_km_hour[w]);
      cumulative.push_back(total);
    }
    const double hours = std::chrono::duration<double, std::ratio<3600>>(to - from).count();
    const std::uint64_t n = rng.poisson(total * hours);
    for (std::uint64_t k = 0; k < n; ++k) {
      const Duration at = from + Duration(static_cast<Duration::rep>(rng.uniform() * static_cast<double>((to - from).count())));
      const double pick = rng.uniform() * total;
      std::size_t c = static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin());
      c = std::min(c, candidates.size() - 1);
      const bool momentary = candidates[c].kind != FaultKind::transformer && rng.chance(s.faults.momentary_share);
      add(candidates[c].id, candidates[c].kind, at, momentary);
    }
  }
  for (const PlacedFault& p : s.faults.placed) {
    ElementId e = model.find_element(p.device);
    const FaultKind kind = model.element(e).kind == ElementKind::transformer ? FaultKind::transformer
                           : cables.contains(e.value())                      ? FaultKind::cable
                                                                             : FaultKind::overhead_line;
    add(e, kind, p.at, p.momentary && kind != FaultKind::transformer);
  }
  std::stable_sort(out.begin(), out.end(), [](const PlannedFault& a, const PlannedFault& b) { return a.at < b.at; });
  return out;
}

}  // namespace outage
