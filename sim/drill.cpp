#include "sim/drill.h"

#include <map>
#include <set>
#include <unordered_map>

#include "sim/fault_plan.h"

namespace outage {

bool from_meters(const Event& e) {
  switch (e.type()) {
    case EventType::meter_power_off:
    case EventType::meter_power_on:
    case EventType::meter_ping:
    case EventType::meter_voltage:
    case EventType::iot_alarm: return true;
    default: return false;
  }
}

Result<DrillResult> run_drill(const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                              DrillTarget& target, const DrillOptions& options) {
  Agenda agenda;
  std::vector<Event> outbox;
  auto send = [&outbox](Event e) { outbox.push_back(std::move(e)); };
  Field field(model, scenario, gateways, agenda, send);
  CrewFleet fleet(model, scenario, field, agenda, send);
  const std::vector<PlannedFault> faults = plan_faults(scenario, model);
  field.schedule(faults);

  DrillResult result;
  DrillRecord& record = result.record;
  record.start = scenario.start;
  record.crews = static_cast<int>(scenario.crews.size());
  record.reaction = scenario.repair.reaction.low;
  // The storm plays to `duration`; the drill runs on until it is settled (sim/scenario.h: run_out).
  const Timestamp storm_end = scenario.start + scenario.duration;
  const Timestamp last = storm_end + scenario.run_out;
  constexpr Duration kCrewsDone = std::chrono::hours(1);  // no order for this long: nothing left to send
  Timestamp last_busy = storm_end;

  // Calls answered while dark, waiting for their power to come back.
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> waiting;
  field.on_restored([&](ServicePointId sp, Timestamp t) {
    auto it = waiting.find(sp.value());
    if (it == waiting.end()) return;
    for (std::size_t i : it->second) record.etr[i].restored = t;
    waiting.erase(it);
  });

  fleet.start(record.start);
  Timestamp next_sample = record.start;
  Timestamp next_observation = record.start;
  std::map<std::pair<std::string, std::string>, ObservedOutage> predictions;  // (outage, device), in order
  std::set<std::string> seen_ids;
  std::vector<Event> batch;
  std::vector<CrewOrder> crew_orders;
  for (Timestamp t = record.start;; t = std::min(t + scenario.tick, last)) {
    agenda.run_until(t);
    batch.clear();
    batch.swap(outbox);
    if (!options.meters) std::erase_if(batch, from_meters);
    if (!batch.empty()) {
      for (const Event& e : batch) ++result.events[static_cast<int>(e.type())];
      auto refused = target.deliver(batch, t);
      if (!refused) return refused.error();
      if (!refused->empty() && result.first_rejection.empty()) result.first_rejection = refused->front();
      result.rejected += refused->size();
    }
    if (Status s = target.advance(t); !s) return s.error();

    for (const Event& e : batch) {
      const CallReport* call = e.get<CallReport>();
      if (call == nullptr || call->symptom != Symptom::no_power) continue;
      const CustomerId c = model.find_customer(call->customer);
      if (!c.valid()) continue;
      const ServicePointId sp = model.customer(c).service_point;
      if (!field.dark(sp)) continue;  // a customer's own breaker: no restoration to score against
      record.etr.push_back(EtrSample{t, target.etr_for(call->customer, t), kNoTime});
      waiting[sp.value()].push_back(record.etr.size() - 1);
    }

    crew_orders.clear();
    for (TargetOrder& o : target.orders()) {
      CrewOrder c;
      c.crew = std::move(o.crew);
      c.ticket = std::move(o.ticket);
      c.zone = field.zone_of(o.device.empty() ? ElementId() : model.find_element(o.device),
                             o.meter.empty() ? ServicePointId() : model.find_service_point(o.meter));
      c.place = o.place;
      crew_orders.push_back(std::move(c));
    }
    fleet.orders(crew_orders, t);
    for (const std::string& meter : target.ping_requests()) {
      if (options.meters) field.ping(meter, t);
    }

    if (t >= next_observation) {
      for (ObservedOutage& o : target.active_outages()) {
        auto [it, fresh] = predictions.try_emplace({o.id, o.device});
        if (!fresh) continue;
        // The outage's first device was predicted when it was detected; a later one (it grew)
        // when it was first seen naming it.
        if (seen_ids.insert(o.id).second == false) o.detected_at = t;
        it->second = std::move(o);
      }
      next_observation = t + target.observe_every(scenario.tick);
    }

    if (t >= next_sample) {
      record.out.push_back(OutSample{t, field.customers_out(), target.customers_out()});
      if (options.on_minute) options.on_minute(t);
      next_sample += std::chrono::minutes(1);
    }
    const bool idle = fleet.idle();
    if (!idle) last_busy = std::max(last_busy, t);
    if (t == last || (t >= storm_end && idle && (field.settled() || t - last_busy >= kCrewsDone))) {
      record.end = t;
      break;
    }
  }

  record.faults = field.truth();
  // Every (outage, device) the system predicted; each with its outage's final state, or
  // "superseded" for a device the outage has left behind as it grew.
  for (ObservedOutage& o : target.outages()) {
    bool any = false;
    for (auto& [key, p] : predictions) {
      if (key.first != o.id) continue;
      any = true;
      // A single premise that grew into a device's outage was a first look, not a claim.
      p.state = p.device == o.device ? o.state : p.device.empty() ? "merged" : "superseded";
      p.restored_at = o.restored_at;
    }
    if (!any) predictions.try_emplace({o.id, o.device}, std::move(o));  // came and went between two looks
  }
  for (auto& [key, p] : predictions) record.outages.push_back(std::move(p));
  for (TargetTicket& tt : target.tickets()) {
    const NodeIndex zone = field.zone_of(tt.device.empty() ? ElementId() : model.find_element(tt.device),
                                         tt.meter.empty() ? ServicePointId() : model.find_service_point(tt.meter));
    tt.ticket.faults = field.faults_in_zone(zone, tt.ticket.accepted, tt.closed == kNoTime ? record.end : tt.closed);
    record.tickets.push_back(std::move(tt.ticket));
  }
  record.trips = fleet.trips();
  // Each fault's arrival: the trip that found it, against its ticket's limit.
  std::map<std::string, Timestamp> due;
  for (const ObservedTicket& t : record.tickets) due[t.id] = t.arrival_due;
  for (const CrewTrip& trip : record.trips) {
    for (int id : trip.faults) {
      for (TruthFault& f : record.faults) {
        if (f.id != id || f.reached != kNoTime) continue;
        f.dispatched = trip.departed;
        f.reached = trip.arrived;
        auto it = due.find(trip.ticket);
        f.reached_due = it == due.end() ? kNoTime : it->second;
      }
    }
  }
  record.interruptions = field.interruptions(record.end);
  return result;
}

}  // namespace outage
