#include "feeds/outage_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <queue>
#include <set>
#include <unordered_set>

#include "feeds/device_tree.h"

namespace outage {

std::string_view to_string(OutageState s) {
  switch (s) {
    case OutageState::unconfirmed: return "unconfirmed";
    case OutageState::probable: return "probable";
    case OutageState::confirmed: return "confirmed";
    case OutageState::restored: return "restored";
    case OutageState::momentary: return "momentary";
    case OutageState::customer_side: return "customer_side";
    case OutageState::merged: return "merged";
    case OutageState::revised: return "revised";
  }
  return "unconfirmed";
}

std::string_view to_string(ConfirmedBy c) {
  switch (c) {
    case ConfirmedBy::none: return "";
    case ConfirmedBy::scada: return "scada";
    case ConfirmedBy::crew: return "crew";
    case ConfirmedBy::dispatcher: return "dispatcher";
  }
  return "";
}

std::string_view to_string(OutageCause c) { return c == OutageCause::fault ? "fault" : "switching"; }

std::string_view to_string(EvidenceKind k) {
  switch (k) {
    case EvidenceKind::last_gasp: return "last_gasp";
    case EvidenceKind::power_on: return "power_on";
    case EvidenceKind::ping_dead: return "ping_dead";
    case EvidenceKind::ping_live: return "ping_live";
    case EvidenceKind::voltage_loss: return "voltage_loss";
    case EvidenceKind::voltage_normal: return "voltage_normal";
    case EvidenceKind::iot_alarm: return "iot_alarm";
    case EvidenceKind::iot_restored: return "iot_restored";
    case EvidenceKind::call: return "call";
    case EvidenceKind::hazard_call: return "hazard_call";
    case EvidenceKind::scada_open: return "scada_open";
    case EvidenceKind::scada_close: return "scada_close";
    case EvidenceKind::fci: return "fci";
    case EvidenceKind::relay_distance: return "relay_distance";
    case EvidenceKind::crew: return "crew";
    case EvidenceKind::dispatcher: return "dispatcher";
  }
  return "";
}

namespace {

enum class TimerKind : std::uint8_t { settle, reclose, live_expiry, nested_due, record_end, reread };

struct Timer {
  Timestamp at;
  std::uint64_t order;  // insertion order: ties fire first-in first-out, so runs are deterministic
  TimerKind kind;
  std::uint32_t index;
  bool operator>(const Timer& o) const { return at != o.at ? at > o.at : order > o.order; }
};

struct SpState {
  Timestamp off_time = kNoTime;   // when the current dark spell began (field time)
  Timestamp out_since = kNoTime;  // when it lost power, kept across a parent's restoration
  Timestamp live_until = kNoTime; // engine clock until which its live evidence vetoes
  Timestamp nested_due = kNoTime; // held after a restoration until then
  Timestamp released_at = kNoTime; // when the outage it was part of gave it back, still dark
  Evidence first;                 // the first off-evidence of the spell
  float weight = 0;
  std::uint16_t signals = 0;
  bool dark = false;
  bool calls_only = false;  // every off-signal of the spell is a call
  bool counted = false;     // in the device counters
  bool live = false;        // in the live counters
  bool held = false;        // dark after a restoration, waiting for the nested grace
  bool silent = false;      // released from a hold with nothing said since: it can join a
                            // device's nested outage, not make a single premise of its own
  Timestamp last_off = kNoTime;  // field time of its latest off-evidence
  EvidenceKind last_off_kind = EvidenceKind::last_gasp;
  bool pinged = false;
  Timestamp pinged_at = kNoTime;
  Timestamp reverified_for = kNoTime;  // the power-back time its last re-verifying ping answered
  std::uint8_t rereads = 0;  // reads asked again of this dark spell, nothing having answered
  bool reread_due = false;   // a reread timer is set
  OutageId outage;          // the active outage it is part of
  OutageId nested_parent;   // the restored outage it stayed dark after
  RecordId record;          // the record explaining its darkness
};

}  // namespace

// A branch of at least this many service points whose dark share is under this fraction of
// its parent device's threshold share keeps the parent from being predicted.
constexpr std::uint32_t kQuietBranchPoints = 5;
constexpr double kQuietBranchShare = 0.5;

// How far apart the field clocks of meters and SCADA may be (darkness reported this much before
// a device opened may still be its doing).
constexpr Duration kClockSkew = std::chrono::seconds(10);

struct OutageEngine::Impl {
  const NetworkModel& model;
  InferenceConfig config;
  const GatewayRegistry* gateways;
  EventResolver resolver;
  Topology topology;
  DeviceTree tree;
  RecordBook records;
  EngineCounters counters;

  std::vector<SpState> sps;
  std::vector<std::uint16_t> sp_customers;
  std::vector<Outage> outages;
  std::vector<OutageId> active;  // active outages (unordered; compacted lazily)
  // Active predicted outages (not cut off by an open device) by the preorder number of their
  // node, so that those at or below a node are one range (predicted_below).
  static constexpr std::uint32_t kUnplaced = UINT32_MAX;
  std::set<std::pair<std::uint32_t, std::uint32_t>> placed;  // (preorder, outage)
  std::vector<std::uint32_t> placed_at;                       // per outage: its preorder, or kUnplaced

  // Per device-tree node.
  std::vector<std::uint32_t> off_count;
  std::vector<float> off_weight;
  std::vector<std::uint32_t> live_count;
  std::vector<std::uint8_t> qualified;   // cached qualification at the last evaluation
  std::vector<std::uint8_t> dirty_flag;
  std::vector<NodeIndex> dirty;
  std::vector<OutageId> node_outage;     // the predicted outage at a node
  std::vector<std::vector<NodeIndex>> children;

  std::vector<std::uint8_t> telemetered;     // per element
  // Per element: field time power last came back at a service point below it (a dark point
  // turning lit), for the device nodes from a service point up to its first protective device.
  // By element, not node: the tree is rebuilt on every switching.
  std::vector<Timestamp> lit_at;
  std::vector<std::uint8_t> sp_queued;
  std::vector<ServicePointId> affected;      // dark service points to roll up again
  std::vector<std::pair<ElementId, Timestamp>> fci_flags;  // flagged indicators not yet placed

  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers;
  std::uint64_t timer_order = 0;

  std::vector<std::uint8_t> changed_flag;
  std::vector<OutageId> changed;
  std::vector<std::uint8_t> refresh_flag;  // per outage: in `refresh`
  std::vector<OutageId> refresh;           // touched since the last evaluation
  std::vector<PingRequest> pings;
  Timestamp now = kNoTime;
  // The engine time of the latest input: an event applied, or a timer that ran. A prediction is
  // detected then, not whenever advance() gets to it, so that a journal replay (which advances
  // only as events come) detects at the same times as the live run (advanced every second).
  Timestamp input_at = kNoTime;

  Impl(const NetworkModel& m, InferenceConfig c, const GatewayRegistry* g)
      : model(m), config(std::move(c)), gateways(g), resolver(m, g), topology(m), tree(m) {
    sps.resize(model.service_points().size());
    sp_customers.assign(model.service_points().size(), 0);
    for (const Customer& cu : model.customers()) ++sp_customers[cu.service_point.value()];
    sp_queued.assign(sps.size(), 0);
    telemetered.assign(model.elements().size(), 0);
    lit_at.assign(model.elements().size(), kNoTime);
    for (const std::string& id : config.telemetered) {
      ElementId e = model.find_element(id);
      if (e.valid()) telemetered[e.value()] = 1;
    }
    rebuild_tree();
  }

  // ---- small helpers -------------------------------------------------------------------

  // When what the engine is acting on happened, in engine time (see input_at).
  Timestamp input_time() const { return input_at == kNoTime ? now : std::min(now, input_at); }

  void schedule(Timestamp at, TimerKind kind, std::uint32_t index) { timers.push({at, timer_order++, kind, index}); }

  void touch(OutageId id) {
    if (id.value() >= changed_flag.size()) changed_flag.resize(outages.size(), 0);
    if (!changed_flag[id.value()]) {
      changed_flag[id.value()] = 1;
      changed.push_back(id);
    }
    if (id.value() >= refresh_flag.size()) refresh_flag.resize(outages.size(), 0);
    if (!refresh_flag[id.value()]) {
      refresh_flag[id.value()] = 1;
      refresh.push_back(id);
    }
    outages[id.value()].updated_at = now;
    place(id);
  }

  // Keeps `placed` true to the outage's state, device and open flag (every change touches it).
  void place(OutageId id) {
    if (id.value() >= placed_at.size()) placed_at.resize(outages.size(), kUnplaced);
    const Outage& o = outages[id.value()];
    std::uint32_t key = kUnplaced;
    if (is_active(o.state) && !o.device_open) {
      NodeIndex n = o.device.valid() ? tree.node_of_element(o.device) : tree.node_of(o.service_point);
      if (n != kNoNode) key = tree.node(n).pre;
    }
    std::uint32_t& at = placed_at[id.value()];
    if (key == at) return;
    if (at != kUnplaced) placed.erase({at, id.value()});
    if (key != kUnplaced) placed.insert({key, id.value()});
    at = key;
  }

  Outage& get(OutageId id) { return outages[id.value()]; }

  double trust(EvidenceKind k) const {
    switch (k) {
      case EvidenceKind::last_gasp: return config.trust.last_gasp;
      case EvidenceKind::iot_alarm: return config.trust.iot_alarm;
      case EvidenceKind::ping_dead: return config.trust.ping_dead;
      case EvidenceKind::voltage_loss: return config.trust.voltage_loss;
      case EvidenceKind::call: return config.trust.call;
      default: return 1.0;
    }
  }

  NodeIndex outage_node(const Outage& o) const {
    return o.device.valid() ? tree.node_of_element(o.device) : kNoNode;
  }

  void mark_dirty(NodeIndex n) {
    if (!dirty_flag[n]) {
      dirty_flag[n] = 1;
      dirty.push_back(n);
    }
  }

  void queue_affected(ServicePointId sp) {
    if (!sp_queued[sp.value()]) {
      sp_queued[sp.value()] = 1;
      affected.push_back(sp);
    }
  }

  // Adds (sign +1) or removes (-1) a dark service point from the counters of every node above it.
  void count(ServicePointId sp, int sign) {
    SpState& s = sps[sp.value()];
    NodeIndex n = tree.node_of(sp);
    if (sign > 0) {
      if (s.counted || n == kNoNode) return;
      s.counted = true;
    } else {
      if (!s.counted) return;
      s.counted = false;
    }
    for (; n != kNoNode; n = tree.node(n).parent) {
      off_count[n] += sign;
      off_weight[n] += static_cast<float>(sign) * s.weight;
      mark_dirty(n);
    }
  }

  void count_live(ServicePointId sp, int sign) {
    SpState& s = sps[sp.value()];
    NodeIndex n = tree.node_of(sp);
    if (sign > 0) {
      if (s.live) return;
      s.live = true;
    } else {
      if (!s.live) return;
      s.live = false;
    }
    if (n == kNoNode) return;
    for (; n != kNoNode; n = tree.node(n).parent) {
      live_count[n] += sign;
      mark_dirty(n);
    }
  }

  // Whether the service point's darkness should be in the counters now.
  bool should_count(const SpState& s) const {
    if (!s.dark || s.held || s.record.valid()) return false;
    if (s.outage.valid() && outages[s.outage.value()].device_open) return false;
    return true;
  }

  void rebuild_tree() {
    tree.build(topology);
    std::size_t n = tree.size();
    children.assign(n, {});
    for (NodeIndex c = 0; c < n; ++c) {
      if (tree.node(c).parent != kNoNode) children[tree.node(c).parent].push_back(c);
    }

    off_count.assign(n, 0);
    off_weight.assign(n, 0);
    live_count.assign(n, 0);
    qualified.assign(n, 0);
    dirty_flag.assign(n, 0);
    dirty.clear();
    node_outage.assign(n, OutageId());
    placed.clear();
    placed_at.assign(outages.size(), kUnplaced);
    for (OutageId id : active) place(id);
    for (OutageId id : active) {
      const Outage& o = outages[id.value()];
      if (!is_active(o.state) || o.device_open || !o.device.valid()) continue;
      NodeIndex node = tree.node_of_element(o.device);
      if (node != kNoNode) {
        node_outage[node] = id;
        qualified[node] = 1;
      }
    }
    for (std::uint32_t i = 0; i < sps.size(); ++i) {
      SpState& s = sps[i];
      bool was_live = s.live;
      s.counted = false;
      s.live = false;
      if (should_count(s)) {
        count(ServicePointId(i), +1);
        queue_affected(ServicePointId(i));
      }
      if (was_live) count_live(ServicePointId(i), +1);
    }
    for (NodeIndex node = 0; node < n; ++node) mark_dirty(node);
  }

  // ---- qualification -----------------------------------------------------------------

  bool telemetered_closed(NodeIndex n) const {
    ElementId e = tree.node(n).element;
    return telemetered[e.value()] && !topology.is_open(e);
  }

  bool qualifies(NodeIndex n) const {
    const DeviceNode& node = tree.node(n);
    OutageId existing = node_outage[n];
    if (existing.valid()) {
      // An outage stays at its device until enough of its dark service points report power back;
      // live evidence below disproves a prediction, not what a crew or dispatcher confirmed.
      const Outage& o = outages[existing.value()];
      bool back = o.returned >= config.restore_share * std::max<std::uint32_t>(o.dark_peak, 1);
      if (o.state == OutageState::confirmed) return !back;
      if (node.suppressed || live_count[n] > 0 || telemetered_closed(n)) return false;
      return off_count[n] > 0 && !back;
    }
    if (node.suppressed || live_count[n] > 0 || telemetered_closed(n)) return false;
    const LevelThreshold& t = config.threshold(node.level);
    if (off_count[n] < static_cast<std::uint32_t>(std::max(t.min_evidence, 1))) return false;
    double share = node.service_points ? off_weight[n] / node.service_points : 0.0;
    if (share + 1e-9 < t.min_share) return false;
    // Above two feeder heads or more (a substation's bus, a transmission source): the loss of
    // several feeders is each feeder's own until SCADA or a person says it is the supply's.
    if (std::count_if(children[n].begin(), children[n].end(), [&](NodeIndex c) { return tree.node(c).level == DeviceLevel::breaker; }) >= 2) {
      return false;
    }
    // A branch below that is mostly quiet says the device still feeds it: the darkness is in
    // the other branches (one big feeder out is not its substation out). Were the device open,
    // that branch would report like the rest.
    return !has_quiet_branch(n, kQuietBranchShare * t.min_share);
  }

  // Whether a branch below n, of at least kQuietBranchPoints service points, has a dark share
  // under `share`: a child of n, or one below the child that feeds most of n (a chain of devices
  // over the same points), and so on down. O(children along that chain).
  bool has_quiet_branch(NodeIndex n, double share) const {
    const std::uint32_t points = tree.node(n).service_points;
    for (NodeIndex c : children[n]) {
      const DeviceNode& child = tree.node(c);
      if (child.service_points < kQuietBranchPoints) continue;
      if (off_weight[c] / child.service_points < share) return true;
      if (child.service_points * 2 > points && has_quiet_branch(c, share)) return true;
    }
    return false;
  }

  // Whether node a explains more than node b below it: it feeds more service points, or as many
  // and it is a protective device where b is not (a fuse over its one transformer: the fuse is
  // what a crew checks). Of two protective devices feeding the same points, the lower one,
  // nearer the fault and the first to operate, is kept.
  bool explains_more(NodeIndex a, NodeIndex b) const {
    const DeviceNode& na = tree.node(a);
    const DeviceNode& nb = tree.node(b);
    if (na.service_points != nb.service_points) return na.service_points > nb.service_points;
    return is_protective(model.element(na.element).kind) && !is_protective(model.element(nb.element).kind);
  }

  // The highest qualifying node above a service point, or kNoNode.
  NodeIndex top_of(ServicePointId sp) const {
    NodeIndex best = kNoNode;
    for (NodeIndex n = tree.node_of(sp); n != kNoNode; n = tree.node(n).parent) {
      if (qualified[n] && (best == kNoNode || explains_more(n, best))) best = n;
    }
    return best;
  }

  bool has_qualified_ancestor(NodeIndex n) const {
    for (NodeIndex a = tree.node(n).parent; a != kNoNode; a = tree.node(a).parent) {
      if (qualified[a] && explains_more(a, n)) return true;
    }
    return false;
  }

  // ---- outage bookkeeping --------------------------------------------------------------

  OutageId new_outage(DeviceLevel level, ElementId device, ServicePointId premise, BusId bus) {
    Outage o;
    o.id = OutageId(static_cast<std::uint32_t>(outages.size()));
    o.level = level;
    o.device = device;
    o.service_point = premise;
    o.bus = bus;
    const Timestamp detected = input_time();
    o.detected_at = detected;
    o.start = detected;
    o.counted_from = detected;
    o.updated_at = now;
    outages.push_back(std::move(o));
    changed_flag.push_back(0);
    active.push_back(outages.back().id);
    touch(outages.back().id);
    return outages.back().id;
  }

  void set_start(Outage& o, Timestamp t) {
    if (t != kNoTime && t < o.start) o.start = t;
    if (!o.parent.valid()) o.counted_from = o.start;
  }

  void attach(ServicePointId sp, OutageId id) {
    SpState& s = sps[sp.value()];
    Outage& o = get(id);
    if (s.outage == id) return;
    if (s.outage.valid()) detach(sp);
    s.outage = id;
    o.dark.push_back(sp);
    o.dark_peak = std::max<std::uint32_t>(o.dark_peak, static_cast<std::uint32_t>(o.dark.size()) - o.returned);
    o.evidence.push_back(s.first);
    set_start(o, s.out_since);
    if (s.nested_parent.valid() && !o.parent.valid() && s.nested_parent != id) {
      // Nested: its customers were counted in the parent until it gave them back.
      o.parent = s.nested_parent;
      o.counted_from = s.released_at;
    }
    touch(id);
  }

  void detach(ServicePointId sp) {
    SpState& s = sps[sp.value()];
    if (!s.outage.valid()) return;
    Outage& o = get(s.outage);
    auto it = std::find(o.dark.begin(), o.dark.end(), sp);
    if (it != o.dark.end()) {
      *it = o.dark.back();
      o.dark.pop_back();
    }
    touch(o.id);
    s.outage = OutageId();
  }

  void finish(Outage& o, OutageState state, Timestamp at) {
    o.state = state;
    o.restored_at = at;
    if (o.device.valid()) {
      NodeIndex n = tree.node_of_element(o.device);
      if (n != kNoNode && node_outage[n] == o.id) node_outage[n] = OutageId();
    }
    if (state == OutageState::momentary) {
      ++counters.momentary_interruptions;
      counters.momentary_customer_interruptions += o.customers_affected;
    }
    touch(o.id);
  }

  // Moves everything of `from` into `into`; `from` ends as merged.
  void merge(OutageId from_id, OutageId into_id) {
    if (from_id == into_id) return;
    Outage& from = get(from_id);
    Outage& into = get(into_id);
    for (ServicePointId sp : from.dark) {
      sps[sp.value()].outage = into_id;
      into.dark.push_back(sp);
    }
    into.dark_peak += from.dark_peak;
    into.returned += from.returned;
    if (from.returned_at != kNoTime && (into.returned_at == kNoTime || from.returned_at > into.returned_at)) {
      into.returned_at = from.returned_at;
    }
    into.evidence.insert(into.evidence.end(), from.evidence.begin(), from.evidence.end());
    into.fault_indicators.insert(into.fault_indicators.end(), from.fault_indicators.begin(), from.fault_indicators.end());
    set_start(into, from.start);
    if (from.parent.valid() && !into.parent.valid()) {
      into.parent = from.parent;
      into.counted_from = from.counted_from;
    }
    into.pinged = into.pinged || from.pinged;
    from.dark.clear();
    from.merged_into = into_id;
    finish(from, OutageState::merged, input_time());
    from.restored_at = kNoTime;
    touch(into_id);
  }

  // Active predicted outages at or below node n (single premises included), oldest first.
  std::vector<OutageId> predicted_below(NodeIndex n) const {
    std::vector<OutageId> out;
    const DeviceNode& node = tree.node(n);
    for (auto it = placed.lower_bound({node.pre, 0}); it != placed.end() && it->first < node.pre_end; ++it) {
      out.push_back(OutageId(it->second));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Makes the outage at node n (the top of its branch), growing the oldest prediction below it
  // into it so that an outage keeps its id as it rolls up.
  OutageId outage_at(NodeIndex n) {
    if (node_outage[n].valid()) return node_outage[n];
    const DeviceNode& node = tree.node(n);
    std::vector<OutageId> below = predicted_below(n);
    OutageId id;
    if (below.empty()) {
      id = new_outage(node.level, node.element, ServicePointId(), node.bus);
    } else {
      id = below.front();
      Outage& o = get(id);
      if (o.device.valid()) {
        NodeIndex old = tree.node_of_element(o.device);
        if (old != kNoNode && node_outage[old] == id) node_outage[old] = OutageId();
      }
      o.level = node.level;
      o.device = node.element;
      o.service_point = ServicePointId();
      o.bus = node.bus;
      o.pinged = false;
      for (std::size_t i = 1; i < below.size(); ++i) merge(below[i], id);
    }
    node_outage[n] = id;
    // Fault indicators that flagged before the outage was known, below its device, are its evidence.
    for (auto it = fci_flags.begin(); it != fci_flags.end();) {
      BusId at = topology.downstream_bus(it->first);
      if (!at.valid()) at = model.element(it->first).bus1;
      if (topology.is_below(at, node.bus) && it->second >= get(id).start - config.settle) {
        get(id).fault_indicators.push_back(it->first);
        get(id).evidence.push_back({it->second, 0, it->first.value(), EvidenceKind::fci});
        it = fci_flags.erase(it);
      } else {
        ++it;
      }
    }
    // A prediction just above that explains no more than this one gives way to it.
    for (NodeIndex a = node.parent; a != kNoNode && !explains_more(a, n); a = tree.node(a).parent) {
      if (node_outage[a].valid()) merge(node_outage[a], id);
    }
    Outage& o = get(id);
    o.customers_out = node.customers;
    o.customers_affected = std::max(o.customers_affected, node.customers);
    schedule(o.detected_at + config.settle, TimerKind::settle, id.value());
    touch(id);
    return id;
  }

  // Dissolves a predicted outage whose device no longer qualifies: restored when its dark
  // service points came back, revised when live evidence disproved it.
  void dissolve(OutageId id, NodeIndex n) {
    Outage& o = get(id);
    node_outage[n] = OutageId();
    mark_dirty(n);  // looked at again as a device without an outage: darkness since may qualify it
    // Power back at enough of its dark points restores it; so does power back at any of them
    // once it has outlived its settling window: a restoration in progress (power-on reports
    // trickle in over a minute, some never come), not a prediction disproved.
    bool restored = o.returned >= config.restore_share * std::max<std::uint32_t>(o.dark_peak, 1) ||
                    (o.returned > 0 && o.state != OutageState::unconfirmed);
    if (restored) {
      // Power came back when the reports that tipped it say, not when the engine noticed.
      restore(o, o.returned_at != kNoTime ? std::min(o.returned_at, now) : input_time());
    } else {
      std::vector<ServicePointId> dark = o.dark;
      for (ServicePointId sp : dark) {
        sps[sp.value()].outage = OutageId();
        queue_affected(sp);
      }
      o.dark.clear();
      finish(o, OutageState::revised, kNoTime);
    }
  }

  // A dark service point that power should have reached waits, uncounted, until `due` for its
  // power-on report (lost, or late) before it can be an outage again (the nested grace).
  void hold_for_grace(ServicePointId sp, OutageId parent, Timestamp released, Timestamp due) {
    SpState& s = sps[sp.value()];
    s.held = true;
    s.nested_parent = parent;
    s.released_at = released;
    s.nested_due = due;
    schedule(due, TimerKind::nested_due, sp.value());
  }

  // A service point that leaves an older prediction while the open device above it that the
  // prediction kept it from (take_island) is still open: that device's outage takes it in, as
  // it would have at the opening, instead of leaving it dead in no outage's keeping. False when
  // no open device is keeping a place for it.
  bool join_open_device(ServicePointId sp) {
    if (topology.energized(model.service_point(sp).bus)) return false;
    for (OutageId id : active) {
      Outage& o = outages[id.value()];
      if (!is_active(o.state) || !o.device_open) continue;
      auto it = std::find(o.behind.begin(), o.behind.end(), sp);
      if (it == o.behind.end()) continue;
      o.behind.erase(it);
      SpState& s = sps[sp.value()];
      s.outage = id;
      if (s.dark) {
        count(sp, -1);
        o.dark.push_back(sp);
        o.evidence.push_back(s.first);
      }
      o.island.push_back(sp);
      o.customers_out += sp_customers[sp.value()];
      o.customers_affected = std::max(o.customers_affected, o.customers_out);
      touch(id);
      return true;
    }
    return false;
  }

  // Ends an outage with power back: its service points still dark wait for the nested grace.
  void restore(Outage& o, Timestamp at) {
    bool momentary = o.state == OutageState::unconfirmed && at != kNoTime && at - o.start <= config.settle;
    std::uint32_t back = o.customers_out;
    for (ServicePointId sp : o.dark) {
      SpState& s = sps[sp.value()];
      if (s.outage != o.id) continue;
      s.outage = OutageId();
      if (s.dark) {
        count(sp, -1);
        back -= std::min<std::uint32_t>(back, sp_customers[sp.value()]);
        if (join_open_device(sp)) continue;
        hold_for_grace(sp, o.id, at == kNoTime ? input_time() : at, input_time() + config.nested_grace);
        if (!momentary) request_ping(sp, o.id, "verify_restoration", true);
      }
    }
    for (ServicePointId sp : o.island) {
      if (sps[sp.value()].outage == o.id) sps[sp.value()].outage = OutageId();
    }
    o.island.clear();
    if (back > 0) o.restorations.push_back({at == kNoTime ? input_time() : at, back});
    o.customers_out = 0;
    finish(o, momentary ? OutageState::momentary : OutageState::restored, at == kNoTime ? input_time() : at);
  }

  void request_ping(ServicePointId sp, OutageId id, std::string_view reason, bool again = false) {
    SpState& s = sps[sp.value()];
    if (!again && s.pinged_at != kNoTime && now - s.pinged_at < config.ping_repeat_after) return;
    s.pinged_at = now;
    pings.push_back({sp, id, reason});
    ++counters.pings_requested;
  }

  // The devices whose power-back times speak for a service point: its own node and, while that
  // is a service transformer, the node above, up to and including its first protective device
  // (or lateral tap, or feeder head).
  template <typename F>
  void for_near_devices(ServicePointId sp, F&& f) const {
    for (NodeIndex n = tree.node_of(sp); n != kNoNode; n = tree.node(n).parent) {
      const DeviceNode& d = tree.node(n);
      f(d.element);
      if (d.level != DeviceLevel::transformer) break;
    }
  }

  // Power came back at a service point at field time `time`.
  void note_lit(ServicePointId sp, Timestamp time) {
    for_near_devices(sp, [&](ElementId e) {
      if (e.valid() && (lit_at[e.value()] == kNoTime || time > lit_at[e.value()])) lit_at[e.value()] = time;
    });
  }

  // The latest power-back near a dark service point that is newer than everything it has said
  // about being off (kNoTime when none is): its darkness may be stale, its power-on report lost
  // or late (a data concentrator batches them by the quarter hour).
  Timestamp lit_since_off(ServicePointId sp) const {
    const SpState& s = sps[sp.value()];
    Timestamp latest = kNoTime;
    for_near_devices(sp, [&](ElementId e) {
      if (!e.valid()) return;
      Timestamp lit = lit_at[e.value()];
      if (lit != kNoTime && (s.last_off == kNoTime || lit > s.last_off) && (latest == kNoTime || lit > latest)) latest = lit;
    });
    return latest;
  }

  // A dark meter waiting for a read to say whether it is still out (silent since a restoration,
  // or dark from before a power-back beside it): reads get lost, so it is read again every
  // ping_repeat_after while nothing answers, a few times, instead of staying dark in no
  // outage's keeping for the rest of the storm.
  static constexpr std::uint8_t kMaxRereads = 3;
  void reread_later(ServicePointId sp) {
    SpState& s = sps[sp.value()];
    if (s.reread_due || s.rereads >= kMaxRereads) return;
    s.reread_due = true;
    schedule(now + config.ping_repeat_after, TimerKind::reread, sp.value());
  }

  // Asks for reads of meters below a fresh prediction that have said nothing: up to
  // ping_meters_per_transformer under each transformer, ping_max_per_outage in all. Its dark
  // meters whose darkness is older than a power-back beside them are read first, whenever they
  // were last read: their power-on reports may be what was lost, and were the prediction
  // revised by its quiet meters' answers alone, that stale darkness would make it again as soon
  // as the answers' live evidence expires, for ever.
  void ping_to_confirm(Outage& o) {
    if (o.pinged || o.device_open) return;
    o.pinged = true;
    if (!o.device.valid()) {
      if (sps[o.service_point.value()].calls_only) request_ping(o.service_point, o.id, "customer_side", true);
      return;
    }
    BusId bus = topology.downstream_bus(o.device);
    if (!bus.valid()) return;
    std::unordered_map<NodeIndex, int> per_leaf;
    int asked = 0;
    for (ServicePointId sp : o.dark) {
      if (asked >= config.ping_max_per_outage) return;
      if (!sps[sp.value()].dark || lit_since_off(sp) == kNoTime) continue;
      ++asked;
      request_ping(sp, o.id, "verify_restoration", true);
    }
    for (BusId b : topology.buses_below_list(bus)) {
      for (ServicePointId sp : topology.service_points_at(b)) {
        if (asked >= config.ping_max_per_outage) return;
        const SpState& s = sps[sp.value()];
        if (s.dark || s.live) continue;
        int& n = per_leaf[tree.node_of(sp)];
        if (n >= config.ping_meters_per_transformer) continue;
        ++n;
        ++asked;
        request_ping(sp, o.id, "confirm");
      }
    }
  }

  // ---- evaluation ----------------------------------------------------------------------

  // Steps 1 and 2 of evaluate().
  void roll_up() {
    // 1. Nodes whose qualification flipped, top-down.
    std::vector<NodeIndex> flipped;
    for (NodeIndex n : dirty) {
      dirty_flag[n] = 0;
      bool q = qualifies(n);
      if (q != static_cast<bool>(qualified[n])) {
        qualified[n] = q;
        flipped.push_back(n);
      }
    }
    dirty.clear();
    std::sort(flipped.begin(), flipped.end(), [&](NodeIndex a, NodeIndex b) {
      return tree.node(a).depth != tree.node(b).depth ? tree.node(a).depth < tree.node(b).depth : a < b;
    });
    for (NodeIndex n : flipped) {
      if (!qualified[n] && node_outage[n].valid()) dissolve(node_outage[n], n);
    }
    for (NodeIndex n : flipped) {
      if (qualified[n] && !has_qualified_ancestor(n)) {
        OutageId id = outage_at(n);
        // Any outage below this one that is still growing merges into it.
        for (OutageId below : predicted_below(n)) {
          if (below != id) merge(below, id);
        }
        // Its dark service points join it, though their own state did not change.
        if (tree.node(n).element.valid()) {
          for (ServicePointId sp : service_points_below(tree.node(n).element)) {
            if (sps[sp.value()].counted && sps[sp.value()].outage != id) queue_affected(sp);
          }
        }
      }
    }
    // 2. Dark service points whose place changed: attach each to the outage at its top.
    std::vector<ServicePointId> todo;
    todo.swap(affected);
    for (ServicePointId sp : todo) {
      sp_queued[sp.value()] = 0;
      SpState& s = sps[sp.value()];
      if (!s.counted) continue;
      NodeIndex top = top_of(sp);
      if (top != kNoNode) {
        attach(sp, outage_at(top));
        continue;
      }
      // No device explains it: a single premise, once it has enough signals of its own.
      if (s.outage.valid() && outages[s.outage.value()].level == DeviceLevel::service_point &&
          outages[s.outage.value()].service_point == sp && is_active(outages[s.outage.value()].state)) {
        continue;
      }
      if (s.signals < std::max(config.threshold(DeviceLevel::service_point).min_evidence, 1)) continue;
      if (s.silent) {  // a ping, a call or a gasp must say it is still out
        reread_later(sp);
        continue;
      }
      if (Timestamp lit = lit_since_off(sp); lit != kNoTime) {
        // Power came back beside it after it last said it was off: read the meter first (once
        // per such power-back); a dead answer, a call or a gasp brings it back here.
        if (s.reverified_for == kNoTime || s.reverified_for < lit) {
          s.reverified_for = lit;
          request_ping(sp, s.nested_parent, "verify_restoration", true);
        }
        reread_later(sp);
        continue;
      }
      OutageId id = new_outage(DeviceLevel::service_point, ElementId(), sp, model.service_point(sp).bus);
      Outage& o = get(id);
      o.customers_out = o.customers_affected = sp_customers[sp.value()];
      schedule(o.detected_at + config.settle, TimerKind::settle, id.value());
      attach(sp, id);
    }
  }

  void evaluate() {
    // Steps 1 and 2 run again while they leave nodes to look at (an outage dissolved above gave
    // its meters back, and the devices over them may qualify now), so that one input settles
    // at the right device instead of passing through a lower one; a few passes at most.
    for (int pass = 0; pass < 3; ++pass) {
      roll_up();
      if (dirty.empty()) break;
    }
    // 3. Fresh predictions that would gain from a ping; customer counts.
    // Only what was touched since the last evaluation (`changed` grows until take_changed()).
    for (std::size_t i = 0; i < refresh.size(); ++i) {  // ping_to_confirm may touch more
      Outage& o = get(refresh[i]);
      if (!is_active(o.state) || o.device_open) continue;
      if (o.device.valid()) {
        NodeIndex n = tree.node_of_element(o.device);
        if (n != kNoNode) {
          // Power back at some of its dark service points (none while `returned` is 0: a point
          // leaves the dark list of an active prediction, or counts as returned, when lit).
          std::uint32_t back = 0;
          if (o.returned > 0) {
            for (ServicePointId sp : o.dark) {
              if (!sps[sp.value()].dark) back += sp_customers[sp.value()];
            }
          }
          std::uint32_t customers = tree.node(n).customers;
          o.customers_out = customers > back ? customers - back : 0;
          o.customers_affected = std::max(o.customers_affected, o.customers_out);
        }
      }
      if (o.state == OutageState::unconfirmed && !o.pinged) {
        bool needs = !o.device.valid() ? sps[o.service_point.value()].calls_only
                                       : o.level == DeviceLevel::transformer || o.level == DeviceLevel::fuse;
        if (needs) ping_to_confirm(o);
      }
    }
    for (OutageId id : refresh) refresh_flag[id.value()] = 0;
    refresh.clear();
    compact_active();
  }

  void compact_active() {
    if (active.size() < 64) {
      active.erase(std::remove_if(active.begin(), active.end(),
                                  [&](OutageId id) { return !is_active(outages[id.value()].state); }),
                   active.end());
      return;
    }
    std::size_t live = 0;
    for (OutageId id : active) live += is_active(outages[id.value()].state);
    if (live * 2 < active.size()) {
      active.erase(std::remove_if(active.begin(), active.end(),
                                  [&](OutageId id) { return !is_active(outages[id.value()].state); }),
                   active.end());
    }
  }

  // ---- service point evidence ----------------------------------------------------------

  void off(ServicePointId sp, EvidenceKind kind, Timestamp time, std::int64_t seq) {
    SpState& s = sps[sp.value()];
    s.silent = false;
    if (s.last_off == kNoTime || time > s.last_off) {
      s.last_off = time;
      s.last_off_kind = kind;
    }
    Evidence ev{time, seq, sp.value(), kind};
    float w = static_cast<float>(trust(kind));
    bool call = kind == EvidenceKind::call;
    if (s.dark) {
      ++s.signals;
      s.calls_only = s.calls_only && call;
      if (time < s.off_time) s.off_time = time;
      if (s.outage.valid()) {
        Outage& o = get(s.outage);
        o.evidence.push_back(ev);
        set_start(o, time);
        touch(o.id);
      }
      if (w > s.weight) {
        bool was = s.counted;
        count(sp, -1);
        s.weight = w;
        if (was) count(sp, +1);
      }
      if (s.counted) queue_affected(sp);
      return;
    }
    if (s.live) count_live(sp, -1);
    s.live_until = kNoTime;
    s.dark = true;
    s.signals = 1;
    s.rereads = 0;
    s.calls_only = call;
    s.weight = w;
    s.off_time = time;
    if (s.out_since == kNoTime) s.out_since = time;
    s.first = ev;
    if (const Record* r = records.covering(sp, time, config.record_early, config.record_late)) {
      s.record = r->id;
      ++counters.explained_by_record;
      return;
    }
    if (s.outage.valid()) {  // cut off by an open device: evidence for that outage
      Outage& o = get(s.outage);
      o.evidence.push_back(ev);
      o.dark.push_back(sp);
      touch(o.id);
      return;
    }
    if (tree.node_of(sp) == kNoNode) {
      // Dead with no outage to own it (an island no source reaches): nothing to predict.
      return;
    }
    count(sp, +1);
    queue_affected(sp);
  }

  // Power back, or live evidence from a point that was not dark.
  void on(ServicePointId sp, EvidenceKind kind, Timestamp time, std::int64_t seq) {
    const SpState& s = sps[sp.value()];
    if (s.dark && time >= s.off_time && s.last_off != kNoTime && time < s.last_off) {
      // Power back then, and out again since: a later gasp, read or call says so (a
      // concentrator's batch brings the power-on of a closing after the gasp of the re-trip
      // that followed it). The dark spell it ends is over; another began with that evidence.
      const EvidenceKind again = s.last_off_kind;
      const Timestamp at = s.last_off;
      power_back(sp, kind, time, seq);
      if (!sps[sp.value()].dark) off(sp, again, at, seq);
      return;
    }
    power_back(sp, kind, time, seq);
  }

  void power_back(ServicePointId sp, EvidenceKind kind, Timestamp time, std::int64_t seq) {
    SpState& s = sps[sp.value()];
    Evidence ev{time, seq, sp.value(), kind};
    if (s.dark && time >= s.off_time) {
      bool customer_side = s.calls_only && kind == EvidenceKind::ping_live;
      if (!customer_side) note_lit(sp, time);
      count(sp, -1);
      s.dark = false;
      s.held = false;
      s.record = RecordId();
      s.nested_parent = OutageId();
      s.out_since = kNoTime;
      if (s.outage.valid()) {
        Outage& o = get(s.outage);
        o.evidence.push_back(ev);
        if (customer_side) {
          // The meter is live: the caller's trouble is on their side of it.
          detach(sp);
          if (o.level == DeviceLevel::service_point && o.dark.empty() && is_active(o.state)) {
            finish(o, OutageState::customer_side, time);
            if (NodeIndex n = tree.node_of(sp); n != kNoNode) mark_dirty(n);
          }
          count_live(sp, +1);
          s.live_until = now + config.live_window;
          schedule(s.live_until, TimerKind::live_expiry, sp.value());
          return;
        }
        if (o.device_open) {
          ++counters.evidence_conflicts;  // power reported inside a SCADA-open island
          touch(o.id);
          return;
        }
        ++o.returned;
        o.returned_at = std::max(o.returned_at == kNoTime ? time : o.returned_at, time);
        touch(o.id);
        s.outage = OutageId();
        // Back before a device above opened (its report late): cut off again since, and one of
        // that device's customers out, no longer this prediction's.
        if (join_open_device(sp)) o.customers_out -= std::min<std::uint32_t>(o.customers_out, sp_customers[sp.value()]);
        if (o.level == DeviceLevel::service_point && is_active(o.state)) {
          restore(o, time);
        } else if (NodeIndex n = tree.node_of_element(o.device); n != kNoNode) {
          mark_dirty(n);
        } else if (is_active(o.state) && o.returned >= config.restore_share * std::max<std::uint32_t>(o.dark_peak, 1)) {
          // Its device is cut off by an open one above, where no evaluation reaches: the rule
          // that would dissolve it there (qualifies) applies here. Its power came back before
          // that opening.
          restore(o, std::min(o.returned_at, now));
        }
      }
      return;
    }
    if (s.dark) return;  // older than the darkness it would contradict
    if (tree.node_of(sp) == kNoNode) {
      if (s.outage.valid()) ++counters.evidence_conflicts;
      return;
    }
    if (kind == EvidenceKind::power_on || kind == EvidenceKind::iot_restored) {
      // Power came back here, though its loss went unreported (a lost gasp): under a
      // prediction that is a restoration beginning, not proof it was never out.
      for (NodeIndex n = tree.node_of(sp); n != kNoNode; n = tree.node(n).parent) {
        const OutageId above = node_outage[n];
        if (!above.valid() || !is_active(outages[above.value()].state)) continue;
        Outage& o = get(above);
        note_lit(sp, time);
        o.evidence.push_back(ev);
        ++o.returned;
        o.returned_at = std::max(o.returned_at == kNoTime ? time : o.returned_at, time);
        touch(o.id);
        mark_dirty(n);
        return;
      }
    }
    s.live_until = std::max(s.live_until, now + config.live_window);
    count_live(sp, +1);
    schedule(s.live_until, TimerKind::live_expiry, sp.value());
  }

  // ---- SCADA ---------------------------------------------------------------------------

  std::vector<ServicePointId> service_points_below(ElementId e) const {
    std::vector<ServicePointId> out;
    BusId bus = topology.downstream_bus(e);
    if (!bus.valid()) return out;
    for (BusId b : topology.buses_below_list(bus)) {
      for (ServicePointId sp : topology.service_points_at(b)) out.push_back(sp);
    }
    return out;
  }

  const Record* record_for_device(ElementId e, Timestamp t) const {
    for (const Record& r : records.records()) {
      if (r.cancelled || t < r.start - config.record_early || t > r.end + config.record_late) continue;
      if (std::find(r.devices.begin(), r.devices.end(), e) != r.devices.end()) return &r;
    }
    return nullptr;
  }

  void scada_open(ElementId e, SwitchCause cause, Timestamp time, std::int64_t seq) {
    telemetered[e.value()] = 1;
    if (topology.is_open(e)) return;
    std::vector<ServicePointId> island = service_points_below(e);
    const Record* record = record_for_device(e, time);
    if (!record && !island.empty()) {
      std::size_t covered = 0;
      for (ServicePointId sp : island) covered += records.covering(sp, time, config.record_early, config.record_late) != nullptr;
      if (covered * 2 > island.size()) record = records.covering(island.front(), time, config.record_early, config.record_late);
    }
    topology.set_open(e, true);
    if (record || island.empty()) {
      rebuild_tree();
      return;
    }
    const Element& el = model.element(e);
    auto level = DeviceTree::level_of(el).value_or(DeviceLevel::fuse);
    OutageId id = new_outage(level, e, ServicePointId(), topology.downstream_bus(e).valid() ? topology.downstream_bus(e) : el.bus2);
    Outage& o = get(id);
    o.device_open = true;
    o.start = time;
    o.counted_from = time;
    o.evidence.push_back({time, seq, e.value(), EvidenceKind::scada_open});
    if (cause == SwitchCause::manual) o.cause = OutageCause::switching;
    if (cause == SwitchCause::lockout || cause == SwitchCause::manual) {
      o.state = OutageState::confirmed;
      o.confirmed_by = ConfirmedBy::scada;
      o.confirmed_at = now;
    } else {
      schedule(now + config.reclose_window, TimerKind::reclose, id.value());
    }
    take_island(id, island);
    rebuild_tree();
  }

  // The service points an open device cut off join its outage. Predictions among them that
  // began with the opening (their first reports may beat SCADA's) merge in; older ones are
  // faults of their own below it, and stay (with their service points) for when it closes. The
  // outage starts when the device opened: darkness older than that is not its doing.
  void take_island(OutageId id, const std::vector<ServicePointId>& island) {
    std::uint32_t customers = 0;
    const Timestamp opened = get(id).start;
    for (ServicePointId sp : island) {
      SpState& s = sps[sp.value()];
      if (s.outage.valid() && s.outage != id) {
        Outage& other = get(s.outage);
        if (other.device_open) continue;  // already cut off by a device below
        if (is_active(other.state)) {
          if (other.start != kNoTime && other.start + kClockSkew < opened) {
            get(id).behind.push_back(sp);
            continue;
          }
          merge(other.id, id);
        }
      }
      Outage& o = get(id);
      if (s.outage != id) {
        s.outage = id;
        if (s.dark) {
          o.dark.push_back(sp);
          o.evidence.push_back(s.first);
        }
      }
      if (s.dark) count(sp, -1);
      if (s.live) count_live(sp, -1);
      o.island.push_back(sp);
      customers += sp_customers[sp.value()];
    }
    Outage& o = get(id);
    o.customers_out = customers;
    o.customers_affected = std::max(o.customers_affected, customers);
    o.dark_peak = static_cast<std::uint32_t>(o.dark.size());
    touch(id);
  }

  void scada_close(ElementId e, Timestamp time, std::int64_t seq) {
    telemetered[e.value()] = 1;
    if (!topology.is_open(e)) return;
    topology.set_open(e, false);
    rebuild_tree();
    for (OutageId id : active) {
      Outage& o = outages[id.value()];
      if (o.device == e && is_active(o.state)) o.evidence.push_back({time, seq, e.value(), EvidenceKind::scada_close});
    }
    release_energized(time);
  }

  // After switching: the service points of open-device outages that have power again leave them;
  // an outage with none left is restored.
  void release_energized(Timestamp time) {
    std::vector<OutageId> ids = active;
    for (OutageId id : ids) {
      Outage& o = outages[id.value()];
      if (!is_active(o.state) || !o.device_open) continue;
      std::uint32_t back = 0;
      std::vector<ServicePointId> still;
      for (ServicePointId sp : o.island) {
        if (!topology.energized(model.service_point(sp).bus)) {
          still.push_back(sp);
          continue;
        }
        SpState& s = sps[sp.value()];
        back += sp_customers[sp.value()];
        if (s.outage == o.id) s.outage = OutageId();
        if (s.dark) {
          hold_for_grace(sp, o.id, time, now + config.nested_grace);
          request_ping(sp, o.id, "verify_restoration", true);
        }
      }
      if (back == 0) continue;
      o.island = std::move(still);
      o.customers_out = o.customers_out > back ? o.customers_out - back : 0;
      if (o.island.empty()) {
        bool momentary = o.state == OutageState::unconfirmed && time - o.start <= config.reclose_window;
        o.restorations.push_back({time, back});
        o.device_open = false;
        finish(o, momentary ? OutageState::momentary : OutageState::restored, time);
      } else {
        o.restorations.push_back({time, back});
        touch(o.id);
      }
    }
  }

  // ---- records -------------------------------------------------------------------------

  void put_record(const OutageRecord& r, const ResolvedEvent& resolved, std::span<const ServicePointId> area, Timestamp time) {
    Record rec;
    rec.name = r.record;
    rec.kind = r.kind;
    rec.start = r.start;
    rec.end = r.end;
    rec.reason = r.reason;
    rec.devices = resolved.devices;
    rec.customers = resolved.customers;
    rec.area = r.area;
    rec.notice_at = r.notice_at;
    rec.received_at = now;
    std::vector<ServicePointId> scope(area.begin(), area.end());
    for (ElementId d : resolved.devices) {
      // Scope by the network's normal state: the work is planned on the normal configuration.
      std::vector<ServicePointId> below = service_points_below(d);
      scope.insert(scope.end(), below.begin(), below.end());
    }
    for (CustomerId c : resolved.customers) scope.push_back(model.customer(c).service_point);
    std::sort(scope.begin(), scope.end());
    scope.erase(std::unique(scope.begin(), scope.end()), scope.end());
    for (ServicePointId sp : scope) rec.customer_count += sp_customers[sp.value()];
    rec.service_points = std::move(scope);
    Timestamp noticed = r.notice_at.value_or(time);
    if (r.kind == RecordKind::planned) rec.late_notice = r.start - noticed < config.planned_notice;
    if (r.kind == RecordKind::temporary) rec.late_notice = r.start - noticed < config.temporary_notice;
    RecordId id = records.put(std::move(rec));
    const Record& stored = records.record(id);
    schedule(std::max(stored.end + config.record_late, now), TimerKind::record_end, id.value());
    // Darkness it explains leaves the predictions.
    for (ServicePointId sp : stored.service_points) recheck_record(sp);
  }

  // Re-decides which record (if any) explains a dark service point.
  void recheck_record(ServicePointId sp) {
    SpState& s = sps[sp.value()];
    if (!s.dark) return;
    const Record* r = records.covering(sp, s.off_time, config.record_early, config.record_late);
    if (r && now > r->end + config.record_late) r = nullptr;
    RecordId now_id = r ? r->id : RecordId();
    if (now_id == s.record) return;
    if (now_id.valid()) {
      count(sp, -1);
      if (s.outage.valid() && !outages[s.outage.value()].device_open) {
        OutageId o = s.outage;
        detach(sp);
        Outage& out = get(o);
        if (out.dark.empty() && is_active(out.state)) {
          if (out.device.valid()) {
            NodeIndex n = tree.node_of_element(out.device);
            if (n != kNoNode) node_outage[n] = OutageId();
          }
          finish(out, OutageState::revised, kNoTime);
        }
      }
      s.record = now_id;
      ++counters.explained_by_record;
    } else {
      s.record = RecordId();
      if (should_count(s)) {
        count(sp, +1);
        queue_affected(sp);
      }
    }
  }

  // ---- timers --------------------------------------------------------------------------

  void run_timers(Timestamp until) {
    while (!timers.empty() && timers.top().at <= until) {
      Timer t = timers.top();
      timers.pop();
      Timestamp saved = now;
      now = std::max(now, t.at);
      input_at = input_at == kNoTime ? t.at : std::max(input_at, t.at);
      switch (t.kind) {
        case TimerKind::settle: {
          Outage& o = outages[t.index];
          if (o.state == OutageState::unconfirmed && !o.device_open && now >= o.detected_at + config.settle) {
            o.state = OutageState::probable;
            // When the window ended, however late the engine runs its timers (a journal replay
            // advances only as events come): the same times as the live run.
            o.probable_at = std::max(t.at, o.detected_at + config.settle);
            touch(o.id);
          }
          break;
        }
        case TimerKind::reclose: {
          Outage& o = outages[t.index];
          if (o.state == OutageState::unconfirmed && o.device_open) {
            o.state = OutageState::confirmed;
            o.confirmed_by = ConfirmedBy::scada;
            o.confirmed_at = t.at;  // when the reclose window closed (see settle)
            touch(o.id);
          }
          break;
        }
        case TimerKind::live_expiry: {
          SpState& s = sps[t.index];
          if (s.live && s.live_until <= now) {
            count_live(ServicePointId(t.index), -1);
            s.live_until = kNoTime;
          }
          break;
        }
        case TimerKind::reread: {
          SpState& s = sps[t.index];
          s.reread_due = false;
          const ServicePointId sp(t.index);
          if (!s.dark || !s.counted || s.outage.valid() || (!s.silent && lit_since_off(sp) == kNoTime)) break;
          ++s.rereads;
          request_ping(sp, s.nested_parent, "verify_restoration", true);
          reread_later(sp);
          break;
        }
        case TimerKind::nested_due: {
          SpState& s = sps[t.index];
          if (s.held && s.dark && s.nested_due <= now) {
            s.held = false;
            // Nothing said since the restoration: a lost or late power-on report (a mesh drops
            // some, a data concentrator batches others by the quarter hour) looks the same.
            s.silent = s.last_off == kNoTime || s.last_off < s.released_at;
            if (should_count(s) && tree.node_of(ServicePointId(t.index)) != kNoNode) {
              count(ServicePointId(t.index), +1);
              queue_affected(ServicePointId(t.index));
            }
          }
          break;
        }
        case TimerKind::record_end: {
          const Record& r = records.record(RecordId(t.index));
          if (now >= r.end + config.record_late) {
            for (ServicePointId sp : r.service_points) recheck_record(sp);
          }
          break;
        }
      }
      now = std::max(saved, now);
    }
  }

  // A crew or a dispatcher confirms: the outage stays until power comes back, whatever live
  // evidence says (they have seen it).
  Status confirm(OutageId id, ConfirmedBy by, Timestamp at, std::int64_t seq) {
    if (!id.valid() || id.value() >= outages.size()) return not_found(fmt::format("field 'outage': unknown outage {}", id.value()));
    Outage& o = get(id);
    if (!is_active(o.state)) {
      return Error{ErrorCode::conflict, fmt::format("outage {} is {}, not active", id.value(), to_string(o.state))};
    }
    if (o.state != OutageState::confirmed) {
      o.state = OutageState::confirmed;
      o.confirmed_by = by;
      o.confirmed_at = now;
    }
    o.evidence.push_back({at, seq, o.device.valid() ? o.device.value() : o.service_point.value(),
                          by == ConfirmedBy::crew ? EvidenceKind::crew : EvidenceKind::dispatcher});
    touch(id);
    return {};
  }

  // ---- apply ---------------------------------------------------------------------------

  Status apply(const Event& event, const ResolvedEvent& r, std::int64_t seq, std::span<const ServicePointId> area) {
    input_at = now;
    Timestamp t = event.time;
    ++counters.events_applied;
    if (event.get<MeterPowerOff>()) {
      off(r.service_point, EvidenceKind::last_gasp, t, seq);
    } else if (event.get<MeterPowerOn>()) {
      on(r.service_point, EvidenceKind::power_on, t, seq);
    } else if (auto* e = event.get<MeterPing>()) {
      if (e->energized) on(r.service_point, EvidenceKind::ping_live, t, seq);
      else off(r.service_point, EvidenceKind::ping_dead, t, seq);
    } else if (auto* e = event.get<MeterVoltage>()) {
      double ratio = e->nominal > 0 ? e->volts / e->nominal : 0;
      if (ratio < config.voltage_loss_ratio) off(r.service_point, EvidenceKind::voltage_loss, t, seq);
      else if (ratio >= config.voltage_normal_low) on(r.service_point, EvidenceKind::voltage_normal, t, seq);
    } else if (auto* e = event.get<IotAlarm>()) {
      apply_iot(*e, r, t, seq);
    } else if (auto* e = event.get<ScadaSwitch>()) {
      if (e->state == SwitchState::open) scada_open(r.device, e->cause, t, seq);
      else scada_close(r.device, t, seq);
    } else if (event.get<FciFault>()) {
      place_fci(r.device, t, seq);
    } else if (auto* e = event.get<RelayDistance>()) {
      for (OutageId id : active) {
        Outage& o = outages[id.value()];
        if (is_active(o.state) && o.device == r.device) {
          o.relay_distance_m = e->metres;
          o.evidence.push_back({t, seq, r.device.value(), EvidenceKind::relay_distance});
          touch(id);
        }
      }
    } else if (auto* e = event.get<CallReport>()) {
      if (!r.service_point.valid()) return {};
      if (is_hazard(e->symptom)) {
        SpState& s = sps[r.service_point.value()];
        if (s.outage.valid()) {
          get(s.outage).evidence.push_back({t, seq, r.service_point.value(), EvidenceKind::hazard_call});
          touch(s.outage);
        }
      } else if (e->symptom == Symptom::no_power || e->symptom == Symptom::partial_power) {
        off(r.service_point, EvidenceKind::call, t, seq);
      }
    } else if (auto* e = event.get<OutageRecord>()) {
      put_record(*e, r, area, t);
    } else if (auto* e = event.get<OutageConfirm>()) {
      return confirm(OutageId(r.outage), e->by == Confirmer::crew ? ConfirmedBy::crew : ConfirmedBy::dispatcher, t, seq);
    } else if (auto* e = event.get<RecordCancel>()) {
      auto id = records.cancel(e->record);
      if (!id) return Error{ErrorCode::conflict, id.error().message};
      for (ServicePointId sp : records.record(*id).service_points) recheck_record(sp);
      // The book unindexed it already: recheck the points it explained.
      for (std::uint32_t i = 0; i < sps.size(); ++i) {
        if (sps[i].record == *id) recheck_record(ServicePointId(i));
      }
    }
    return {};
  }

  void apply_iot(const IotAlarm& e, const ResolvedEvent& r, Timestamp t, std::int64_t seq) {
    std::vector<ServicePointId> watched = r.service_points;
    const Gateway& g = *r.gateway;
    if (watched.empty()) {
      if (!g.meters.empty()) {
        watched = g.meters;
      } else if (g.transformer.valid()) {
        watched = service_points_below(g.transformer);
      } else if (g.room.valid()) {
        for (BusId b : topology.buses_below_list(g.room)) {
          for (ServicePointId sp : topology.service_points_at(b)) watched.push_back(sp);
        }
      }
    }
    switch (e.kind) {
      case IotAlarmKind::voltage_loss:
        for (ServicePointId sp : watched) off(sp, EvidenceKind::iot_alarm, t, seq);
        break;
      case IotAlarmKind::phase_loss:
        for (ServicePointId sp : watched) {
          if (model.service_point(sp).phases & e.phases) off(sp, EvidenceKind::iot_alarm, t, seq);
        }
        break;
      case IotAlarmKind::restored:
        for (ServicePointId sp : watched) on(sp, EvidenceKind::iot_restored, t, seq);
        break;
      default: break;  // overload and the rest: not evidence of an interruption
    }
  }

  void place_fci(ElementId device, Timestamp t, std::int64_t seq) {
    BusId at = topology.downstream_bus(device);
    if (!at.valid()) at = model.element(device).bus1;
    for (OutageId id : active) {
      Outage& o = outages[id.value()];
      if (!is_active(o.state) || !o.device.valid()) continue;
      BusId head = o.bus;
      if (head.valid() && topology.is_below(at, head)) {
        o.fault_indicators.push_back(device);
        o.evidence.push_back({t, seq, device.value(), EvidenceKind::fci});
        touch(id);
        return;
      }
    }
    fci_flags.emplace_back(device, t);
  }
};

OutageEngine::OutageEngine(const NetworkModel& model, InferenceConfig config, const GatewayRegistry* gateways)
    : impl_(std::make_unique<Impl>(model, std::move(config), gateways)) {}

OutageEngine::~OutageEngine() = default;

Status OutageEngine::apply(const Event& event, Timestamp now, std::int64_t seq,
                           std::span<const ServicePointId> area_service_points) {
  impl_->now = std::max(impl_->now, now);
  auto resolved = impl_->resolver.resolve(event);
  if (!resolved) return resolved.error();
  impl_->run_timers(impl_->now);
  return impl_->apply(event, *resolved, seq, area_service_points);
}

Status OutageEngine::apply(const Event& event, const ResolvedEvent& resolved, Timestamp now, std::int64_t seq,
                           std::span<const ServicePointId> area_service_points) {
  impl_->now = std::max(impl_->now, now);
  impl_->run_timers(impl_->now);
  return impl_->apply(event, resolved, seq, area_service_points);
}

void OutageEngine::advance(Timestamp now) {
  impl_->now = std::max(impl_->now, now);
  impl_->run_timers(impl_->now);
  impl_->evaluate();
  // Timers the evaluation set that are already due (a zero window) run at once.
  impl_->run_timers(impl_->now);
}

void OutageEngine::verify_repair(OutageId id, Timestamp now) {
  Impl& m = *impl_;
  m.now = std::max(m.now, now);
  const Outage* o = outage(id);
  if (!o || !is_active(o->state) || o->device_open) return;  // an open device: its closing will say
  int asked = 0;
  for (ServicePointId sp : o->dark) {
    if (asked >= m.config.ping_max_per_outage) break;
    if (!m.sps[sp.value()].dark) continue;
    m.request_ping(sp, id, "verify_repair", true);
    ++asked;
  }
}

Status OutageEngine::confirm(OutageId id, ConfirmedBy by, Timestamp now) {
  Impl& m = *impl_;
  m.now = std::max(m.now, now);
  return m.confirm(id, by, m.now, 0);
}

const std::vector<Outage>& OutageEngine::outages() const { return impl_->outages; }

const Outage* OutageEngine::outage(OutageId id) const {
  if (!id.valid() || id.value() >= impl_->outages.size()) return nullptr;
  return &impl_->outages[id.value()];
}

std::vector<OutageId> OutageEngine::active_outages() const {
  std::vector<OutageId> out;
  for (OutageId id : impl_->active) {
    if (is_active(impl_->outages[id.value()].state)) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

const RecordBook& OutageEngine::records() const { return impl_->records; }
const Topology& OutageEngine::topology() const { return impl_->topology; }
const EventResolver& OutageEngine::resolver() const { return impl_->resolver; }
const EngineCounters& OutageEngine::counters() const { return impl_->counters; }
bool OutageEngine::record_late(RecordId id) const { return impl_->records.record(id).late_notice; }

ServicePointStatus OutageEngine::status_of(ServicePointId sp) const {
  const SpState& s = impl_->sps[sp.value()];
  ServicePointStatus out;
  out.dark = s.dark;
  out.live = s.live;
  out.dead = !impl_->topology.energized(impl_->model.service_point(sp).bus);
  out.out_since = s.out_since;
  if (s.outage.valid() && is_active(impl_->outages[s.outage.value()].state)) out.outage = s.outage;
  out.record = s.record;
  if (!out.outage.valid() && out.dead) {
    for (OutageId id : impl_->active) {
      const Outage& o = impl_->outages[id.value()];
      if (is_active(o.state) && o.device_open &&
          std::find(o.island.begin(), o.island.end(), sp) != o.island.end()) {
        out.outage = id;
        break;
      }
    }
  }
  if (!out.outage.valid() && !out.dark) {
    // Not dark itself, but below a predicted outage's device: presumed out.
    for (NodeIndex n = impl_->tree.node_of(sp); n != kNoNode; n = impl_->tree.node(n).parent) {
      if (impl_->node_outage[n].valid()) out.outage = impl_->node_outage[n];
    }
  }
  return out;
}

std::vector<OutageId> OutageEngine::take_changed() {
  std::vector<OutageId> out;
  out.swap(impl_->changed);
  for (OutageId id : out) impl_->changed_flag[id.value()] = 0;
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<PingRequest> OutageEngine::take_ping_requests() {
  std::vector<PingRequest> out;
  out.swap(impl_->pings);
  return out;
}

}  // namespace outage
