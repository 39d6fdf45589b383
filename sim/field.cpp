#include "sim/field.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/sim_random.h"

namespace outage {

namespace {

constexpr Duration kSustained = std::chrono::minutes(5);  // IEEE 1366: longer is sustained

double minutes(Duration d) { return std::chrono::duration<double, std::ratio<60>>(d).count(); }

}  // namespace

Field::Field(const NetworkModel& model, const Scenario& scenario, const GatewayRegistry* gateways, Agenda& agenda, Send send)
    : model_(model), scenario_(scenario), gateways_(gateways), agenda_(agenda), send_(std::move(send)), topology_(model), tree_(model) {
  tree_.build(topology_);
  const std::size_t n = model.service_points().size();
  for (std::uint32_t i = 0; i < n; ++i) {
    if (tree_.node_of(ServicePointId(i)) != kNoNode) by_pre_.push_back(ServicePointId(i));
  }
  auto pre = [&](ServicePointId sp) { return tree_.node(tree_.node_of(sp)).pre; };
  std::stable_sort(by_pre_.begin(), by_pre_.end(), [&](ServicePointId a, ServicePointId b) { return pre(a) < pre(b); });
  pre_key_.reserve(by_pre_.size());
  for (ServicePointId sp : by_pre_) pre_key_.push_back(pre(sp));

  customers_of_.resize(n);
  for (std::uint32_t c = 0; c < model.customers().size(); ++c) {
    customers_of_[model.customers()[c].service_point.value()].push_back(CustomerId(c));
  }
  counts_.customers_served = model.customers().size();
  dark_.assign(n, 0);
  epoch_.assign(n, 0);
  periods_.assign(n, 0);
  dark_since_.assign(n, kNoTime);
  record_dark_.assign(n, 0);

  telemetered_.assign(model.elements().size(), 0);
  for (const std::string& d : scenario.signals.scada) {
    if (auto kind = element_kind_from_string(d)) {
      for (std::uint32_t e = 0; e < model.elements().size(); ++e) {
        if (model.elements()[e].kind == *kind) telemetered_[e] = 1;
      }
    } else if (ElementId e = model.find_element(d); e.valid()) {
      telemetered_[e.value()] = 1;
    }
  }
  for (const std::string& d : scenario.signals.fault_indicators) {
    ElementId e = model.find_element(d);
    if (e.valid() && topology_.downstream_bus(e).valid()) indicators_.emplace_back(e, topology_.downstream_bus(e));
  }
  if (gateways_ != nullptr) {
    gateways_of_.resize(n);
    gateway_dark_.assign(gateways_->size(), 0);
    gateway_epoch_.assign(gateways_->size(), 0);
    for (std::uint32_t g = 0; g < gateways_->size(); ++g) {
      const Gateway& gw = gateways_->gateways()[g];
      std::vector<ServicePointId> watched = gw.meters;
      if (gw.transformer.valid() || gw.room.valid()) {
        for (std::uint32_t sp = 0; sp < n; ++sp) {
          const BusId bus = model.service_points()[sp].bus;
          const bool below = gw.transformer.valid()
                                 ? tree_.is_below(tree_.node_of(ServicePointId(sp)), tree_.node_of_element(gw.transformer))
                                 : topology_.is_below(bus, gw.room);
          if (below) watched.push_back(ServicePointId(sp));
        }
      }
      for (ServicePointId sp : watched) gateways_of_[sp.value()].push_back(g);
    }
  }
}

Event Field::event(std::string_view source, Timestamp t, EventPayload payload) {
  Event e;
  e.source = std::string(source);
  e.id = fmt::format("{}", next_event_++);
  e.time = t;
  e.payload = std::move(payload);
  return e;
}

NodeIndex Field::protective_node(NodeIndex n, bool momentary) const {
  while (n != kNoNode) {
    const DeviceNode& d = tree_.node(n);
    const bool fits = momentary ? d.level >= DeviceLevel::recloser : !d.suppressed;
    if (fits || d.parent == kNoNode) return n;
    n = d.parent;
  }
  return n;
}

NodeIndex Field::zone_of(ElementId device, ServicePointId sp) const {
  if (device.valid()) {
    NodeIndex n = tree_.node_of_element(device);
    if (n != kNoNode) return n;
    if (BusId b = topology_.downstream_bus(device); b.valid()) return tree_.node_of_bus(b);
  }
  if (sp.valid()) return tree_.node_of(sp);
  return kNoNode;
}

template <typename F>
void Field::for_points(const Interruption& in, F&& f) const {
  if (!in.points.empty()) {
    for (ServicePointId sp : in.points) f(sp);
  } else {
    for (std::uint32_t i = in.lo; i < in.hi; ++i) f(by_pre_[i]);
  }
}

int Field::open(Interruption in, Timestamp t) {
  in.open = true;
  interruptions_.push_back(std::move(in));
  const int id = static_cast<int>(interruptions_.size() - 1);
  const bool record = interruptions_.back().record;
  for_points(interruptions_[static_cast<std::size_t>(id)], [&](ServicePointId sp) {
    if (dark_[sp.value()]++ == 0) went_dark(sp, t, record);
  });
  return id;
}

void Field::close(int id, Timestamp t) {
  Interruption& in = interruptions_[static_cast<std::size_t>(id)];
  if (!in.open) return;
  in.open = false;
  for_points(in, [&](ServicePointId sp) {
    if (--dark_[sp.value()] == 0) went_lit(sp, t);
  });
  // Faults that struck a dead section show once it is live again: its device trips as it is
  // switched onto them (a second later, after the closing that re-energized them).
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    if (!faults_[i].deferred || faults_[i].claimed || dead(faults_[i].site)) continue;
    faults_[i].deferred = false;
    const int index = static_cast<int>(i);
    agenda_.at(t + std::chrono::seconds(1), [this, index](Timestamp when) { fault_starts(index, when); });
  }
}

bool Field::dead(NodeIndex n) const {
  for (const FaultState& f : faults_) {
    if (f.interruption >= 0 && interruptions_[static_cast<std::size_t>(f.interruption)].open && tree_.is_below(n, f.node)) return true;
  }
  // Cut off by a record: every service point below is dark.
  const auto lo = std::lower_bound(pre_key_.begin(), pre_key_.end(), tree_.node(n).pre) - pre_key_.begin();
  const auto hi = std::lower_bound(pre_key_.begin(), pre_key_.end(), tree_.node(n).pre_end) - pre_key_.begin();
  if (hi == lo) return false;
  for (auto i = lo; i < hi; ++i) {
    if (dark_[by_pre_[static_cast<std::size_t>(i)].value()] == 0) return false;
  }
  return true;
}

Timestamp Field::delivered(ServicePointId sp, Timestamp t, DurationRange delay, SimRandom& r) const {
  const Duration jitter = r.between(delay);
  if (!SimRandom(scenario_.seed, Stream::concentrator, sp.value(), 1).chance(scenario_.signals.concentrator_share)) return t + jitter;
  // Behind a data concentrator: its next batch. Concentrators serve a device's zone, each on its own phase.
  const Duration period = scenario_.signals.concentrator_period;
  const Duration phase(static_cast<Duration::rep>(
      SimRandom(scenario_.seed, Stream::concentrator, tree_.node_of(sp), 2).below(static_cast<std::uint64_t>(period.count()))));
  const Timestamp first = scenario_.start + phase;
  if (t <= first) return first;
  const auto k = (t - first + period - Duration(1)) / period;
  return first + k * period;
}

void Field::went_dark(ServicePointId sp, Timestamp t, bool record) {
  const std::uint32_t i = sp.value();
  const std::uint32_t ep = ++epoch_[i];
  const std::uint32_t k = ++periods_[i];
  dark_since_[i] = t;
  record_dark_[i] = record ? 1 : 0;
  customers_out_ += customers_of_[i].size();
  const SignalPlan& g = scenario_.signals;

  SimRandom r(scenario_.seed, Stream::meter, i, 2ULL * k);
  if (r.chance(g.last_gasp_delivery)) {
    const Timestamp gasp = t + r.between(g.last_gasp_wait);
    const Timestamp arrives = delivered(sp, gasp, g.last_gasp_delay, r);
    agenda_.at(gasp, [this, sp, ep, gasp, arrives](Timestamp) {
      if (epoch_[sp.value()] != ep) return;  // power came back within the wait: no gasp
      agenda_.at(arrives, [this, sp, gasp](Timestamp) {
        send_(event("sim-ami", gasp, MeterPowerOff{std::string(model_.service_point(sp).id)}));
      });
    });
  }
  for (CustomerId c : customers_of_[i]) {
    SimRandom rc(scenario_.seed, Stream::call, c.value(), k);
    if (!rc.chance(record ? scenario_.calls.record_share : scenario_.calls.share)) continue;
    agenda_.at(t + rc.lognormal(scenario_.calls.delay), [this, sp, ep, c](Timestamp at) {
      if (epoch_[sp.value()] != ep) return;  // back before they picked up the phone
      call(c, Symptom::no_power, "", at);
    });
  }
  if (!gateways_of_.empty()) {
    for (std::uint32_t gw : gateways_of_[i]) {
      if (gateway_dark_[gw]++ != 0) continue;
      const std::uint32_t ge = ++gateway_epoch_[gw];
      SimRandom rg(scenario_.seed, Stream::gateway, gw, ge);
      if (!rg.chance(g.gateway_delivery)) continue;
      agenda_.at(t + rg.between(g.gateway_delay), [this, gw, ge](Timestamp at) {
        if (gateway_epoch_[gw] != ge || gateway_dark_[gw] == 0) return;
        const Gateway& G = gateways_->gateways()[gw];
        IotAlarm a;
        a.gateway = G.id;
        a.kind = IotAlarmKind::voltage_loss;
        a.site = G.site;
        send_(event("sim-iot", at, std::move(a)));
      });
    }
  }
}

void Field::went_lit(ServicePointId sp, Timestamp t) {
  const std::uint32_t i = sp.value();
  ++epoch_[i];
  const std::uint64_t customers = customers_of_[i].size();
  customers_out_ -= customers;
  const Duration out = t - dark_since_[i];
  if (out > kSustained) {
    counts_.customer_interruptions += customers;
    counts_.customer_minutes += static_cast<double>(customers) * minutes(out);
  } else {
    counts_.momentary_interruptions += customers;
  }
  dark_since_[i] = kNoTime;
  if (on_restored_) on_restored_(sp, t);

  // A meter reports power back only after an outage it noticed (one that outlasted its wait).
  const SignalPlan& g = scenario_.signals;
  SimRandom noticed(scenario_.seed, Stream::meter, i, 2ULL * periods_[i]);
  (void)noticed.chance(g.last_gasp_delivery);
  const bool long_enough = out >= noticed.between(g.last_gasp_wait);
  SimRandom r(scenario_.seed, Stream::meter, i, 2ULL * periods_[i] + 1);
  if (long_enough && r.chance(g.power_on_delivery)) {
    // Sent once the power has stayed on for the meter's wait, stamped with its return.
    const Timestamp steady = t + r.between(g.power_on_wait);
    const std::uint32_t ep = epoch_[i];
    agenda_.at(steady, [this, sp, t, ep, r](Timestamp at) mutable {
      if (epoch_[sp.value()] != ep) return;  // out again within the wait: no report
      agenda_.at(delivered(sp, at, scenario_.signals.power_on_delay, r), [this, sp, t](Timestamp) {
        send_(event("sim-ami", t, MeterPowerOn{std::string(model_.service_point(sp).id)}));
      });
    });
  }
  if (!gateways_of_.empty()) {
    for (std::uint32_t gw : gateways_of_[i]) {
      if (--gateway_dark_[gw] != 0) continue;
      const std::uint32_t ge = ++gateway_epoch_[gw];
      SimRandom rg(scenario_.seed, Stream::gateway, gw, ge);
      if (!rg.chance(g.gateway_delivery)) continue;
      agenda_.at(t + rg.between(g.gateway_delay), [this, gw, ge](Timestamp at) {
        if (gateway_epoch_[gw] != ge || gateway_dark_[gw] != 0) return;
        const Gateway& G = gateways_->gateways()[gw];
        IotAlarm a;
        a.gateway = G.id;
        a.kind = IotAlarmKind::restored;
        a.site = G.site;
        send_(event("sim-iot", at, std::move(a)));
      });
    }
  }
}

void Field::call(CustomerId customer, Symptom symptom, std::string note, Timestamp t) {
  const Customer& cu = model_.customer(customer);
  CallReport c;
  c.customer = std::string(cu.id);
  c.symptom = symptom;
  c.channel = Channel::hotline_95598;
  c.contact = std::string(cu.phone);
  c.note = std::move(note);
  send_(event("sim-hotline", t, std::move(c)));
}

void Field::scada(ElementId device, SwitchState state, SwitchCause cause, Timestamp t) {
  if (!device.valid() || !telemetered_[device.value()] || !is_switchable(model_.element(device).kind)) return;
  agenda_.at(t + scenario_.signals.scada_delay, [this, device, state, cause, t](Timestamp) {
    send_(event("sim-scada", t, ScadaSwitch{std::string(model_.element(device).id), state, cause}));
  });
}

void Field::fault_starts(int index, Timestamp t) {
  FaultState& f = faults_[static_cast<std::size_t>(index)];
  const NodeIndex n = f.node;
  if (dead(f.site)) {
    // No current flows in a dead section: a passing fault there is nothing, a lasting one waits
    // for the section to be switched back on.
    if (!f.truth.momentary) f.deferred = true;
    return;
  }
  Interruption in;
  in.lo = static_cast<std::uint32_t>(std::lower_bound(pre_key_.begin(), pre_key_.end(), tree_.node(n).pre) - pre_key_.begin());
  in.hi = static_cast<std::uint32_t>(std::lower_bound(pre_key_.begin(), pre_key_.end(), tree_.node(n).pre_end) - pre_key_.begin());
  std::uint32_t customers = 0;
  for (std::uint32_t i = in.lo; i < in.hi; ++i) customers += static_cast<std::uint32_t>(customers_of_[by_pre_[i].value()].size());
  f.truth.customers = customers;
  if (in.hi == in.lo + 1) f.truth.premise = std::string(model_.service_point(by_pre_[in.lo]).id);
  f.truth.start = t;
  const std::uint32_t lo = in.lo, hi = in.hi;
  f.interruption = open(std::move(in), t);
  const ElementId device = tree_.node(n).element;
  const ElementKind kind = model_.element(device).kind;

  // Fault current passed every indicator between the source and the fault.
  const BusId at = topology_.downstream_bus(model_.find_element(f.truth.location));
  for (const auto& [indicator, below] : indicators_) {
    if (at.valid() && topology_.is_below(at, below)) {
      agenda_.at(t + scenario_.signals.fci_delay, [this, indicator, t](Timestamp) {
        send_(event("sim-fci", t, FciFault{std::string(model_.element(indicator).id)}));
      });
    }
  }
  if (f.truth.momentary) {
    const Timestamp back = t + scenario_.faults.reclose_after;
    f.truth.cleared = back;
    scada(device, SwitchState::open, SwitchCause::trip, t);
    scada(device, SwitchState::closed, SwitchCause::reclose, back);
    const int interruption = f.interruption;
    agenda_.at(back, [this, interruption](Timestamp when) { close(interruption, when); });
    return;
  }
  scada(device, SwitchState::open, kind == ElementKind::fuse ? SwitchCause::trip : SwitchCause::lockout, t);
  SimRandom rh(scenario_.seed, Stream::hazard, static_cast<std::uint64_t>(index));
  if (f.truth.kind == FaultKind::overhead_line && hi > lo && rh.chance(scenario_.calls.hazard_share)) {
    const ServicePointId near = by_pre_[lo + rh.below(hi - lo)];
    agenda_.at(t + rh.lognormal(scenario_.calls.hazard_delay), [this, index, near](Timestamp when) {
      const FaultState& fs = faults_[static_cast<std::size_t>(index)];
      if (fs.truth.cleared != kNoTime || customers_of_[near.value()].empty()) return;
      call(customers_of_[near.value()].front(), Symptom::wire_down, "wire down in the street", when);
    });
  }
}

void Field::schedule(std::span<const PlannedFault> faults) {
  for (const PlannedFault& p : faults) {
    const Element& e = model_.element(p.location);
    NodeIndex n = e.kind == ElementKind::transformer ? tree_.node_of_element(p.location) : kNoNode;
    if (n == kNoNode) {
      const BusId b = topology_.downstream_bus(p.location);
      if (b.valid()) n = tree_.node_of_bus(b);
    }
    if (n == kNoNode) continue;  // dead in the normal state: nothing to interrupt
    FaultState f;
    f.site = n;
    n = protective_node(n, p.momentary);
    f.node = n;
    f.truth.id = static_cast<int>(faults_.size());
    f.truth.location = std::string(e.id);
    f.truth.kind = p.kind;
    f.truth.device = std::string(model_.element(tree_.node(n).element).id);
    f.truth.level = tree_.node(n).level;
    f.truth.momentary = p.momentary;
    f.truth.repair = p.repair;
    faults_.push_back(std::move(f));
    const int index = static_cast<int>(faults_.size() - 1);
    agenda_.at(scenario_.start + p.at, [this, index](Timestamp t) { fault_starts(index, t); });
  }

  for (const RecordPlan& r : scenario_.records) {
    agenda_.at(scenario_.start + r.start + r.notice, [this, &r](Timestamp t) { send_record(r, t); });
    Interruption in;
    in.record = true;
    for (const std::string& d : r.devices) {
      const BusId below = topology_.downstream_bus(model_.find_element(d));
      if (!below.valid()) continue;
      for (std::uint32_t sp = 0; sp < model_.service_points().size(); ++sp) {
        if (topology_.is_below(model_.service_points()[sp].bus, below)) in.points.push_back(ServicePointId(sp));
      }
    }
    for (const std::string& c : r.customers) in.points.push_back(model_.customer(model_.find_customer(c)).service_point);
    std::sort(in.points.begin(), in.points.end());
    in.points.erase(std::unique(in.points.begin(), in.points.end()), in.points.end());
    if (in.points.empty()) continue;
    auto shared = std::make_shared<int>(-1);
    agenda_.at(scenario_.start + r.start, [this, in, shared](Timestamp t) { *shared = open(in, t); });
    agenda_.at(scenario_.start + r.end, [this, shared](Timestamp t) {
      if (*shared >= 0) close(*shared, t);
    });
  }

  // Voltage sags on meters with power, spell by spell.
  const std::vector<WeatherSpell> spells = scenario_.spells();
  for (std::size_t k = 0; k < spells.size(); ++k) {
    const double rate = scenario_.signals.sags_per_meter_hour[static_cast<int>(spells[k].level)];
    const Duration from = spells[k].from, to = k + 1 < spells.size() ? spells[k + 1].from : scenario_.duration;
    if (rate <= 0 || to <= from) continue;
    const double span_h = std::chrono::duration<double, std::ratio<3600>>(to - from).count();
    for (ServicePointId sp : by_pre_) {
      SimRandom rs(scenario_.seed, Stream::sag, sp.value(), k);
      for (std::uint64_t n = rs.poisson(rate * span_h); n > 0; --n) {
        const Duration at = from + Duration(static_cast<Duration::rep>(rs.uniform() * static_cast<double>((to - from).count())));
        const double volts = 230.0 * (0.70 + 0.18 * rs.uniform());
        agenda_.at(scenario_.start + at, [this, sp, volts](Timestamp t) {
          if (dark(sp)) return;
          send_(event("sim-ami", t, MeterVoltage{std::string(model_.service_point(sp).id), volts, 230.0}));
        });
      }
    }
  }

  SimRandom rn(scenario_.seed, Stream::not_network, 0);
  const double hours = std::chrono::duration<double, std::ratio<3600>>(scenario_.duration).count();
  const std::uint64_t calls = model_.customers().empty() ? 0 : rn.poisson(scenario_.calls.not_network_per_hour * hours);
  for (std::uint64_t k = 0; k < calls; ++k) {
    const Duration at(static_cast<Duration::rep>(rn.uniform() * static_cast<double>(scenario_.duration.count())));
    const CustomerId c(static_cast<std::uint32_t>(rn.below(model_.customers().size())));
    agenda_.at(scenario_.start + at, [this, c](Timestamp t) {
      if (dark(model_.customer(c).service_point)) return;  // a real outage: that call is the field's already
      call(c, Symptom::no_power, "no power in the house", t);
    });
  }
}

void Field::send_record(const RecordPlan& r, Timestamp t) {
  OutageRecord rec;
  rec.kind = r.kind;
  rec.record = r.id;
  rec.start = scenario_.start + r.start;
  rec.end = scenario_.start + r.end;
  rec.reason = r.reason;
  rec.devices = r.devices;
  rec.customers = r.customers;
  send_(event("sim-records", t, std::move(rec)));
}

std::vector<int> Field::claim_faults_at(NodeIndex section) {
  for (const FaultState& f : faults_) {
    if (f.node == section && !f.claimed && !f.truth.momentary && f.interruption >= 0 &&
        interruptions_[static_cast<std::size_t>(f.interruption)].open) {
      return claim_faults(section);
    }
  }
  return {};
}

std::vector<int> Field::claim_faults(NodeIndex zone) {
  if (zone == kNoNode) return {};
  auto open = [&](const FaultState& f) {
    return !f.truth.momentary && f.interruption >= 0 && interruptions_[static_cast<std::size_t>(f.interruption)].open;
  };
  // One fault per visit: the one at the ticket's own device; else the nearest open device above
  // (the zone is inside a larger dark area); else, below, the biggest fault no other open device
  // hides from the crew patrolling down from the zone.
  int at = -1, above = -1, below = -1;
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    const FaultState& f = faults_[i];
    if (f.claimed || !open(f)) continue;
    const int index = static_cast<int>(i);
    if (f.node == zone) {
      at = index;
    } else if (tree_.is_below(zone, f.node)) {
      if (above < 0 || tree_.is_below(f.node, faults_[static_cast<std::size_t>(above)].node)) above = index;
    } else if (tree_.is_below(f.node, zone)) {
      const bool hidden = std::any_of(faults_.begin(), faults_.end(), [&](const FaultState& g) {
        return &g != &f && open(g) && g.node != f.node && tree_.is_below(g.node, zone) && tree_.is_below(f.node, g.node);
      });
      if (!hidden && (below < 0 || f.truth.customers > faults_[static_cast<std::size_t>(below)].truth.customers)) below = index;
    }
  }
  const int pick = at >= 0 ? at : above >= 0 ? above : below;
  if (pick < 0) return {};
  // Patrolling that fault's section the crew also finds the damage there that struck while it
  // was dead (it has not shown yet) and repairs it first: the section is switched back on last.
  std::vector<int> out;
  const NodeIndex section = faults_[static_cast<std::size_t>(pick)].node;
  for (FaultState& f : faults_) {
    if (!f.deferred || f.claimed || f.node != section) continue;
    f.claimed = true;
    f.truth.customers = faults_[static_cast<std::size_t>(pick)].truth.customers;  // the same section's
    out.push_back(f.truth.id);
  }
  faults_[static_cast<std::size_t>(pick)].claimed = true;
  out.push_back(faults_[static_cast<std::size_t>(pick)].truth.id);
  return out;
}

void Field::repair(std::span<const int> faults, Timestamp t) {
  for (int i : faults) {
    FaultState& f = faults_[static_cast<std::size_t>(i)];
    if (f.deferred) {
      f.deferred = false;  // found and repaired before it ever showed
      continue;
    }
    if (f.truth.cleared != kNoTime || f.interruption < 0) continue;
    f.truth.cleared = t;
    close(f.interruption, t);
    scada(tree_.node(f.node).element, SwitchState::closed, SwitchCause::manual, t);
  }
}

void Field::ping(std::string_view meter, Timestamp t) {
  const ServicePointId sp = model_.find_service_point(meter);
  if (!sp.valid()) return;
  SimRandom r(scenario_.seed, Stream::ping, sp.value(), static_cast<std::uint64_t>(t.time_since_epoch().count()));
  if (!r.chance(scenario_.signals.ping_delivery)) return;
  agenda_.at(t + r.between(scenario_.signals.ping_delay), [this, sp](Timestamp at) {
    send_(event("sim-ami", at, MeterPing{std::string(model_.service_point(sp).id), !dark(sp)}));
  });
}

std::vector<int> Field::faults_in_zone(NodeIndex zone, Timestamp from, Timestamp to) const {
  std::vector<int> out;
  if (zone == kNoNode) return out;
  for (const FaultState& f : faults_) {
    if (f.truth.momentary || f.truth.start == kNoTime || f.truth.start > to) continue;
    if (f.truth.cleared != kNoTime && f.truth.cleared < from) continue;
    if (tree_.is_below(f.node, zone) || tree_.is_below(zone, f.node)) out.push_back(f.truth.id);
  }
  return out;
}

bool Field::settled() const {
  // A fault that never struck (damage found and repaired while its section was dead) is done.
  return std::none_of(faults_.begin(), faults_.end(), [](const FaultState& f) {
    return !f.truth.momentary && f.truth.cleared == kNoTime && (f.deferred || f.truth.start != kNoTime);
  });
}

std::vector<TruthFault> Field::truth() const {
  std::vector<TruthFault> out;
  for (const FaultState& f : faults_) {
    if (f.truth.start != kNoTime) out.push_back(f.truth);
  }
  return out;
}

InterruptionCounts Field::interruptions(Timestamp end) const {
  InterruptionCounts c = counts_;
  for (std::uint32_t i = 0; i < dark_.size(); ++i) {
    if (dark_[i] == 0 || dark_since_[i] == kNoTime) continue;
    const Duration out = end - dark_since_[i];
    const std::uint64_t customers = customers_of_[i].size();
    if (out > kSustained) {
      c.customer_interruptions += customers;
      c.customer_minutes += static_cast<double>(customers) * minutes(out);
    } else {
      c.momentary_interruptions += customers;
    }
  }
  return c;
}

}  // namespace outage
