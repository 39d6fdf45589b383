#include "geo/topology.h"

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <utility>

namespace outage {

namespace {
constexpr float kSubstationKv = 30.0f;  // HV/MV split: heads of feeders are HV -> MV transformers
}

struct Topology::Graph {
  struct EdgeProp {
    std::uint32_t element;
  };
  using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, EdgeProp, boost::no_property,
                                                 std::uint32_t, std::uint32_t>;
  Csr csr;
};

Topology::Topology(const NetworkModel& model) : model_(model), graph_(std::make_unique<Graph>()) {
  const auto& buses = model.buses();
  const auto& elements = model.elements();
  std::size_t nb = buses.size(), ne = elements.size();

  // Graph: both directions of every branch.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  std::vector<Graph::EdgeProp> props;
  edges.reserve(2 * ne);
  props.reserve(2 * ne);
  for (std::uint32_t i = 0; i < ne; ++i) {
    const Element& e = elements[i];
    if (e.host.valid()) mounted_[e.host.value()].push_back(ElementId(i));
    if (!e.is_branch()) continue;
    edges.emplace_back(e.bus1.value(), e.bus2.value());
    props.push_back({i});
    edges.emplace_back(e.bus2.value(), e.bus1.value());
    props.push_back({i});
  }
  graph_->csr = Graph::Csr(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(), props.begin(), nb);

  // Service points and customers per bus.
  sp_offset_.assign(nb + 1, 0);
  customers_at_.assign(nb, 0);
  for (const ServicePoint& sp : model.service_points()) ++sp_offset_[sp.bus.value() + 1];
  for (std::size_t b = 0; b < nb; ++b) sp_offset_[b + 1] += sp_offset_[b];
  sp_list_.resize(model.service_points().size());
  {
    std::vector<std::uint32_t> fill(sp_offset_.begin(), sp_offset_.end() - 1);
    for (std::uint32_t i = 0; i < model.service_points().size(); ++i)
      sp_list_[fill[model.service_points()[i].bus.value()]++] = ServicePointId(i);
  }
  for (const Customer& c : model.customers()) ++customers_at_[model.service_point(c.service_point).bus.value()];

  // Feeders: one per source, one per HV/MV transformer.
  headed_.assign(ne, FeederId());
  for (std::uint32_t i = 0; i < ne; ++i) {
    const Element& e = elements[i];
    bool source = e.kind == ElementKind::source;
    bool substation = (e.kind == ElementKind::transformer || e.kind == ElementKind::regulator) && e.is_branch() &&
                      e.kv >= kSubstationKv && e.kv2 > 0 && e.kv2 < kSubstationKv;
    if (!source && !substation) continue;
    Feeder f;
    f.name = e.id;
    f.head_element = ElementId(i);
    f.head_bus = source ? e.bus1 : e.bus2;
    f.supply_bus = source ? BusId() : e.bus1;
    FeederId id(static_cast<std::uint32_t>(feeders_.size()));
    headed_[i] = id;
    if (!source) children_at_[e.bus1.value()].push_back(id);
    feeders_.push_back(std::move(f));
  }

  feeder_of_.assign(nb, FeederId());
  parent_edge_.assign(nb, ElementId());
  tin_.assign(nb, 0);
  tout_.assign(nb, 0);
  open_.assign(ne, 0);
  mounted_open_.assign(ne, 0);
  reset_to_normal();
}

Topology::~Topology() = default;

FeederId Topology::feeder_headed_by(ElementId e) const { return headed_[e.value()]; }

BusId Topology::other_end(ElementId id, BusId b) const {
  const Element& e = model_.element(id);
  return e.bus1 == b ? e.bus2 : e.bus1;
}

void Topology::reset_to_normal() {
  std::fill(mounted_open_.begin(), mounted_open_.end(), 0);
  const auto& elements = model_.elements();
  for (std::size_t i = 0; i < elements.size(); ++i) {
    open_[i] = elements[i].normally_open ? 1 : 0;
    if (open_[i] && elements[i].host.valid()) ++mounted_open_[elements[i].host.value()];
  }
  rebuild_all();
}

void Topology::rebuild_all() {
  std::vector<FeederId> all;
  all.reserve(feeders_.size());
  for (std::uint32_t i = 0; i < feeders_.size(); ++i) all.emplace_back(i);
  std::fill(feeder_of_.begin(), feeder_of_.end(), FeederId());
  for (Feeder& f : feeders_) f.order.clear();
  rebuild(std::move(all));
}

std::vector<FeederId> Topology::set_open(ElementId id, bool open) {
  const Element& e = model_.element(id);
  if ((open_[id.value()] != 0) == open) return {};
  open_[id.value()] = open ? 1 : 0;
  if (e.host.valid()) {
    if (open) ++mounted_open_[e.host.value()];
    else --mounted_open_[e.host.value()];
  }
  const Element& branch = e.host.valid() ? model_.element(e.host) : e;
  ElementId branch_id = e.host.valid() ? e.host : id;
  std::vector<FeederId> touched;
  if (headed_[branch_id.value()].valid()) {
    // A feeder head: trees do not change; its parent's counts and everyone's energized flags do.
    FeederId parent = branch.bus2.valid() ? feeder_of_[branch.bus1.value()] : FeederId();
    if (parent.valid()) touched.push_back(parent);
    refresh_hierarchy(touched);
    return touched;
  }
  if (branch.kind == ElementKind::source) {
    refresh_hierarchy({});
    return {};
  }
  for (BusId b : {branch.bus1, branch.bus2})
    if (b.valid() && feeder_of_[b.value()].valid()) touched.push_back(feeder_of_[b.value()]);
  // A closing edge into a dead area: nothing owns either end, so nothing to rebuild.
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (FeederId f : touched) {
    for (BusId b : feeders_[f.value()].order) feeder_of_[b.value()] = FeederId();
    feeders_[f.value()].order.clear();
  }
  rebuild(touched);
  return touched;
}

void Topology::rebuild(std::vector<FeederId> touched) {
  for (FeederId f : touched) grow(f);
  refresh_hierarchy(touched);
}

void Topology::grow(FeederId fid) {
  Feeder& f = feeders_[fid.value()];
  f.order.clear();
  f.loops.clear();
  BusId head = f.head_bus;
  if (feeder_of_[head.value()].valid()) {  // reached already through another path: a loop
    f.loops.push_back(f.head_element);
    return;
  }
  const auto& g = graph_->csr;
  using OutIt = boost::graph_traits<Graph::Csr>::out_edge_iterator;
  std::vector<std::pair<std::uint32_t, std::pair<OutIt, OutIt>>> stack;
  auto visit = [&](BusId b, ElementId via) {
    feeder_of_[b.value()] = fid;
    parent_edge_[b.value()] = via;
    tin_[b.value()] = static_cast<std::uint32_t>(f.order.size());
    f.order.push_back(b);
    stack.emplace_back(b.value(), boost::out_edges(static_cast<Graph::Csr::vertex_descriptor>(b.value()), g));
  };
  visit(head, f.head_element);
  while (!stack.empty()) {
    auto& [v, range] = stack.back();
    if (range.first == range.second) {
      tout_[v] = static_cast<std::uint32_t>(f.order.size());
      stack.pop_back();
      continue;
    }
    auto edge = *range.first++;
    std::uint32_t el = g[edge].element;
    ElementId eid(el);
    std::uint32_t w = static_cast<std::uint32_t>(boost::target(edge, g));
    std::uint32_t from = v;
    if (eid == parent_edge_[from] || !conducts(eid) || headed_[el].valid()) continue;
    FeederId owner = feeder_of_[w];
    if (!owner.valid()) {
      visit(BusId(w), eid);
      continue;
    }
    if (owner == fid) {
      // Already in this tree: a parallel unit of the same bank, the tree edge seen from below,
      // or a loop. Report each loop edge once (from the end visited later).
      ElementId pw = parent_edge_[w], pv = parent_edge_[from];
      bool parallel = (pw.valid() && other_end(pw, BusId(w)) == BusId(from)) ||
                      (pv.valid() && other_end(pv, BusId(from)) == BusId(w));
      if (!parallel && tin_[w] < tin_[from]) f.loops.push_back(eid);
      continue;
    }
    f.loops.push_back(eid);  // joins another feeder's tree: two feeders in parallel
  }
}

void Topology::refresh_hierarchy(const std::vector<FeederId>& touched) {
  std::size_t nf = feeders_.size();
  for (Feeder& f : feeders_) f.parent = f.supply_bus.valid() ? feeder_of_[f.supply_bus.value()] : FeederId();
  // Depths (guarding against cycles in a malformed hierarchy).
  std::vector<int> depth(nf, -1);
  for (std::size_t i = 0; i < nf; ++i) {
    int d = 0;
    FeederId cur(static_cast<std::uint32_t>(i));
    while (feeders_[cur.value()].parent.valid() && d <= static_cast<int>(nf)) {
      cur = feeders_[cur.value()].parent;
      ++d;
    }
    depth[i] = d;
  }
  // Prefix sums: the touched feeders and all their ancestors, deepest first.
  std::vector<char> need(nf, 0);
  for (FeederId f : touched) {
    FeederId cur = f;
    int guard = 0;
    while (cur.valid() && !need[cur.value()] && guard++ <= static_cast<int>(nf)) {
      need[cur.value()] = 1;
      cur = feeders_[cur.value()].parent;
    }
  }
  std::vector<std::uint32_t> todo;
  for (std::uint32_t i = 0; i < nf; ++i)
    if (need[i]) todo.push_back(i);
  std::sort(todo.begin(), todo.end(), [&](std::uint32_t a, std::uint32_t b) { return depth[a] > depth[b]; });
  for (std::uint32_t i : todo) compute_prefix(FeederId(i));
  // Energized flags, parents first.
  std::vector<std::uint32_t> by_depth(nf);
  for (std::uint32_t i = 0; i < nf; ++i) by_depth[i] = i;
  std::sort(by_depth.begin(), by_depth.end(), [&](std::uint32_t a, std::uint32_t b) { return depth[a] < depth[b]; });
  for (std::uint32_t i : by_depth) {
    Feeder& f = feeders_[i];
    bool reached = !f.order.empty() && feeder_of_[f.head_bus.value()] == FeederId(i);
    if (!f.supply_bus.valid())
      f.energized = reached && conducts(f.head_element);
    else
      f.energized = reached && f.parent.valid() && depth[i] <= static_cast<int>(nf) &&
                    feeders_[f.parent.value()].energized && conducts(f.head_element);
  }
}

void Topology::compute_prefix(FeederId fid) {
  Feeder& f = feeders_[fid.value()];
  std::size_t n = f.order.size();
  f.prefix_buses.assign(n + 1, 0);
  f.prefix_service_points.assign(n + 1, 0);
  f.prefix_customers.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t b = f.order[i].value();
    std::uint32_t nb = 1, nsp = sp_offset_[b + 1] - sp_offset_[b], nc = customers_at_[b];
    if (auto it = children_at_.find(b); it != children_at_.end()) {
      for (FeederId c : it->second) {
        const Feeder& child = feeders_[c.value()];
        if (c == fid || child.order.empty() || !conducts(child.head_element)) continue;
        if (child.prefix_buses.size() != child.order.size() + 1) continue;  // not summed yet
        nb += child.prefix_buses.back();
        nsp += child.prefix_service_points.back();
        nc += child.prefix_customers.back();
      }
    }
    f.prefix_buses[i + 1] = f.prefix_buses[i] + nb;
    f.prefix_service_points[i + 1] = f.prefix_service_points[i] + nsp;
    f.prefix_customers[i + 1] = f.prefix_customers[i] + nc;
  }
}

std::size_t Topology::energized_bus_count() const {
  std::size_t n = 0;
  for (const Feeder& f : feeders_)
    if (f.energized) n += f.order.size();
  return n;
}

bool Topology::is_below(BusId x, BusId y) const {
  FeederId fy = feeder_of_[y.value()];
  if (!fy.valid()) return false;
  std::size_t guard = 0;
  while (true) {
    FeederId fx = feeder_of_[x.value()];
    if (!fx.valid()) return false;
    if (fx == fy) break;
    const Feeder& f = feeders_[fx.value()];
    if (!f.parent.valid() || !conducts(f.head_element) || ++guard > feeders_.size()) return false;
    x = f.supply_bus;
  }
  return tin_[y.value()] <= tin_[x.value()] && tin_[x.value()] < tout_[y.value()];
}

std::uint32_t Topology::buses_below(BusId b) const {
  FeederId f = feeder_of_[b.value()];
  if (!f.valid()) return 0;
  const auto& p = feeders_[f.value()].prefix_buses;
  return p[tout_[b.value()]] - p[tin_[b.value()]];
}

std::uint32_t Topology::service_points_below(BusId b) const {
  FeederId f = feeder_of_[b.value()];
  if (!f.valid()) return 0;
  const auto& p = feeders_[f.value()].prefix_service_points;
  return p[tout_[b.value()]] - p[tin_[b.value()]];
}

std::uint32_t Topology::customers_below(BusId b) const {
  FeederId f = feeder_of_[b.value()];
  if (!f.valid()) return 0;
  const auto& p = feeders_[f.value()].prefix_customers;
  return p[tout_[b.value()]] - p[tin_[b.value()]];
}

ElementId Topology::parent_element(BusId b) const {
  return feeder_of_[b.value()].valid() ? parent_edge_[b.value()] : ElementId();
}

BusId Topology::parent_bus(BusId b) const {
  ElementId e = parent_element(b);
  if (!e.valid() || !model_.element(e).bus2.valid()) return {};
  return other_end(e, b);
}

BusId Topology::downstream_bus(ElementId id) const {
  const Element& e = model_.element(id);
  if (e.host.valid()) return downstream_bus(e.host);
  if (e.kind == ElementKind::source) return feeder_of_[e.bus1.value()].valid() ? e.bus1 : BusId();
  if (!e.bus2.valid()) return {};
  for (BusId b : {e.bus2, e.bus1}) {
    if (!feeder_of_[b.value()].valid()) continue;
    ElementId pe = parent_edge_[b.value()];
    if (pe == id) return b;
    BusId other = b == e.bus1 ? e.bus2 : e.bus1;
    // A parallel unit of a bank: same two buses as the tree edge.
    if (pe.valid() && conducts(id) && model_.element(pe).bus2.valid() && other_end(pe, b) == other &&
        feeder_of_[other.value()].valid())
      return b;
  }
  return {};
}

std::vector<BusId> Topology::buses_below_list(BusId b) const {
  std::vector<BusId> out;
  FeederId fid = feeder_of_[b.value()];
  if (!fid.valid()) return out;
  std::vector<std::pair<FeederId, std::pair<std::uint32_t, std::uint32_t>>> ranges = {
      {fid, {tin_[b.value()], tout_[b.value()]}}};
  while (!ranges.empty()) {
    auto [f, range] = ranges.back();
    ranges.pop_back();
    const Feeder& feeder = feeders_[f.value()];
    for (std::uint32_t i = range.first; i < range.second; ++i) {
      BusId x = feeder.order[i];
      out.push_back(x);
      if (auto it = children_at_.find(x.value()); it != children_at_.end())
        for (FeederId c : it->second) {
          const Feeder& child = feeders_[c.value()];
          if (c != f && !child.order.empty() && conducts(child.head_element) &&
              feeder_of_[child.head_bus.value()] == c)
            ranges.push_back({c, {0, static_cast<std::uint32_t>(child.order.size())}});
        }
    }
  }
  return out;
}

std::vector<ServicePointId> Topology::service_points_at(BusId b) const {
  return {sp_list_.begin() + sp_offset_[b.value()], sp_list_.begin() + sp_offset_[b.value() + 1]};
}

std::vector<ElementId> Topology::mounted_on(ElementId branch) const {
  auto it = mounted_.find(branch.value());
  return it == mounted_.end() ? std::vector<ElementId>{} : it->second;
}

template <typename F>
void Topology::for_each_upstream(BusId start, ElementId skip, F&& visit) const {
  BusId cur = start;
  std::size_t guard = 0, limit = model_.buses().size() + 1;
  while (cur.valid() && feeder_of_[cur.value()].valid() && guard++ < limit) {
    ElementId pe = parent_edge_[cur.value()];
    if (!pe.valid()) return;
    const Element& e = model_.element(pe);
    if (pe != skip) visit(pe);
    if (auto it = mounted_.find(pe.value()); it != mounted_.end())
      for (ElementId d : it->second)
        if (d != skip) visit(d);
    if (e.kind == ElementKind::source) return;
    cur = other_end(pe, cur);
  }
}

std::vector<ElementId> Topology::upstream_protective(BusId b) const {
  std::vector<ElementId> out;
  for_each_upstream(b, ElementId(), [&](ElementId e) {
    if (is_protective(model_.element(e).kind)) out.push_back(e);
  });
  return out;
}

std::vector<ElementId> Topology::upstream_protective(ElementId id) const {
  std::vector<ElementId> out;
  const Element& e = model_.element(id);
  BusId start = downstream_bus(id);
  if (!start.valid()) {
    // Not in the tree (opened, or dead): its own protection first, then from the end that is fed.
    ElementId branch = e.host.valid() ? e.host : id;
    const Element& where = model_.element(branch);
    if (branch != id && is_protective(where.kind)) out.push_back(branch);
    for (ElementId d : mounted_on(branch))
      if (d != id && is_protective(model_.element(d).kind)) out.push_back(d);
    for (BusId b : {where.bus1, where.bus2})
      if (b.valid() && feeder_of_[b.value()].valid()) { start = b; break; }
    if (!start.valid()) return out;
  }
  for_each_upstream(start, id, [&](ElementId x) {
    if (is_protective(model_.element(x).kind)) out.push_back(x);
  });
  return out;
}

ElementId Topology::source_of(BusId b) const {
  FeederId f = feeder_of_[b.value()];
  std::size_t guard = 0;
  while (f.valid() && guard++ <= feeders_.size()) {
    const Feeder& feeder = feeders_[f.value()];
    if (!feeder.supply_bus.valid()) return feeder.head_element;
    f = feeder.parent;
  }
  return {};
}

std::vector<ElementId> Topology::loops() const {
  std::vector<ElementId> out;
  for (const Feeder& f : feeders_) out.insert(out.end(), f.loops.begin(), f.loops.end());
  return out;
}

std::vector<std::vector<BusId>> Topology::islands() const {
  std::vector<std::vector<BusId>> out;
  const auto& g = graph_->csr;
  std::vector<char> seen(feeder_of_.size(), 0);
  for (std::uint32_t b = 0; b < feeder_of_.size(); ++b) {
    if (seen[b] || energized(BusId(b))) continue;
    std::vector<BusId> group;
    std::vector<std::uint32_t> queue = {b};
    seen[b] = 1;
    while (!queue.empty()) {
      std::uint32_t v = queue.back();
      queue.pop_back();
      group.emplace_back(v);
      for (auto [it, end] = boost::out_edges(static_cast<Graph::Csr::vertex_descriptor>(v), g); it != end; ++it) {
        std::uint32_t w = static_cast<std::uint32_t>(boost::target(*it, g));
        if (seen[w] || energized(BusId(w)) || !conducts(ElementId(g[*it].element))) continue;
        seen[w] = 1;
        queue.push_back(w);
      }
    }
    out.push_back(std::move(group));
  }
  return out;
}

std::vector<TieSwitch> Topology::open_switches() const {
  std::vector<TieSwitch> out;
  const auto& elements = model_.elements();
  for (std::uint32_t i = 0; i < elements.size(); ++i) {
    const Element& e = elements[i];
    if (!is_switchable(e.kind) || !is_open(ElementId(i))) continue;
    const Element& where = e.host.valid() ? model_.element(e.host) : e;
    if (!where.bus2.valid()) continue;
    out.push_back({ElementId(i), feeder_of_[where.bus1.value()], feeder_of_[where.bus2.value()]});
  }
  return out;
}

}  // namespace outage
