#include "sim/crew_fleet.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "sim/sim_random.h"

namespace outage {

CrewFleet::CrewFleet(const NetworkModel& model, const Scenario& scenario, Field& field, Agenda& agenda, Send send)
    : model_(model),
      scenario_(scenario),
      field_(field),
      agenda_(agenda),
      send_(std::move(send)),
      travel_{model.crs, scenario.travel.speed_kmh, scenario.travel.detour} {
  for (const CrewPlan& p : scenario.crews) {
    SimCrew c;
    c.id = p.id;
    if (auto depot = depot_position(p, model)) {
      c.position = *depot;
      c.has_position = true;
    }
    c.has_position = c.has_position && model.crs.kind != CoordinateSystem::Kind::none;
    crews_.push_back(std::move(c));
  }
}

Event CrewFleet::event(Timestamp t, EventPayload payload) {
  Event e;
  e.source = "sim-crews";
  e.id = fmt::format("{}", next_event_++);
  e.time = t;
  e.payload = std::move(payload);
  return e;
}

void CrewFleet::status(const SimCrew& c, CrewState state, const std::string& ticket, Timestamp t, std::optional<Timestamp> etr) {
  send_(event(t, CrewStatus{c.id, state, ticket, etr}));
}

void CrewFleet::position(const SimCrew& c, Timestamp t) {
  if (!c.has_position) return;
  send_(event(t, CrewPosition{c.id, Position{c.position.x, c.position.y, model_.crs.kind == CoordinateSystem::Kind::wgs84}}));
}

bool CrewFleet::idle() const {
  return std::all_of(crews_.begin(), crews_.end(), [](const SimCrew& c) { return c.phase == Phase::idle; });
}

void CrewFleet::start(Timestamp t) {
  for (const SimCrew& c : crews_) {
    position(c, t);
    status(c, CrewState::available, "", t);
  }
}

void CrewFleet::orders(std::span<const CrewOrder> orders, Timestamp now) {
  std::unordered_map<std::string_view, const CrewOrder*> by_crew;
  for (const CrewOrder& o : orders) by_crew[o.crew] = &o;
  for (SimCrew& c : crews_) {
    auto it = by_crew.find(c.id);
    if (it != by_crew.end()) {
      const CrewOrder& o = *it->second;
      if (c.phase == Phase::idle) {
        take(c, o, now);
      } else if (o.ticket != c.ticket) {
        // The ticket merged into another, or the order changed while on the way: same place,
        // the new ticket's zone.
        c.ticket = o.ticket;
        if (c.phase != Phase::repairing) c.zone = o.zone;
        if (c.trip >= 0) trips_[static_cast<std::size_t>(c.trip)].ticket = o.ticket;
      }
    } else if (c.phase == Phase::waiting || c.phase == Phase::travelling || c.phase == Phase::on_site) {
      // Called off (the ticket closed or went to another crew) before any repair began.
      ++c.job;
      c.phase = Phase::idle;
      if (c.trip >= 0) trips_[static_cast<std::size_t>(c.trip)].done = now;
      c.trip = -1;
      c.ticket.clear();
      status(c, CrewState::available, "", now);
    }
  }
}

void CrewFleet::take(SimCrew& c, const CrewOrder& order, Timestamp now) {
  const std::size_t i = static_cast<std::size_t>(&c - crews_.data());
  const std::uint64_t job = ++c.job;
  c.phase = Phase::waiting;
  c.ticket = order.ticket;
  c.zone = order.zone;
  c.faults.clear();
  CrewTrip trip;
  trip.crew = c.id;
  trip.ticket = order.ticket;
  trip.ordered = now;
  trips_.push_back(std::move(trip));
  c.trip = static_cast<int>(trips_.size() - 1);
  SimRandom r(scenario_.seed, Stream::crew, i, job * 4);
  const std::optional<Point> place = order.place;
  agenda_.at(now + r.between(scenario_.repair.reaction), [this, i, job, place](Timestamp t) { depart(i, job, place, t); });
}

void CrewFleet::depart(std::size_t i, std::uint64_t job, std::optional<Point> place, Timestamp t) {
  SimCrew& c = crews_[i];
  if (c.job != job) return;
  c.phase = Phase::travelling;
  trips_[static_cast<std::size_t>(c.trip)].departed = t;
  status(c, CrewState::en_route, c.ticket, t);
  SimRandom r(scenario_.seed, Stream::crew, i, job * 4 + 1);
  std::optional<Duration> trip;
  if (place && c.has_position) trip = travel_.time(c.position, *place);
  Duration d = trip ? Duration(static_cast<Duration::rep>(static_cast<double>(trip->count()) * r.lognormal_factor(scenario_.travel.noise_sigma)))
                    : r.lognormal(scenario_.travel.without_positions);
  d = std::max(d, Duration(std::chrono::minutes(1)));
  if (trip) {
    // Reports on the way, along the straight line.
    const Point from = c.position, to = *place;
    for (Duration k = scenario_.travel.position_every; k < d; k += scenario_.travel.position_every) {
      const double f = static_cast<double>(k.count()) / static_cast<double>(d.count());
      agenda_.at(t + k, [this, i, job, from, to, f](Timestamp at) {
        SimCrew& cc = crews_[i];
        if (cc.job != job) return;
        cc.position = Point{from.x + (to.x - from.x) * f, from.y + (to.y - from.y) * f};
        position(cc, at);
      });
    }
    agenda_.at(t + d, [this, i, job, to](Timestamp at) {
      if (crews_[i].job == job) crews_[i].position = to;
      arrive(i, job, at);
    });
  } else {
    agenda_.at(t + d, [this, i, job](Timestamp at) { arrive(i, job, at); });
  }
}

void CrewFleet::arrive(std::size_t i, std::uint64_t job, Timestamp t) {
  SimCrew& c = crews_[i];
  if (c.job != job) return;
  CrewTrip& trip = trips_[static_cast<std::size_t>(c.trip)];
  trip.arrived = t;
  position(c, t);
  status(c, CrewState::on_site, c.ticket, t);
  auto shared = std::find_if(sites_.begin(), sites_.end(), [&](const auto& s) { return s.second.zone == c.zone && !s.second.pending.empty(); });
  if (shared != sites_.end()) {
    // Another crew is at work here with repairs still to begin: this one takes a share.
    c.phase = Phase::repairing;
    c.site = shared->first;
    c.faults.clear();
    next_repair(i, job, t);
    return;
  }
  c.faults = field_.claim_faults(c.zone);
  trip.faults_found = static_cast<int>(c.faults.size());
  trip.faults = c.faults;
  if (c.faults.empty()) {
    c.phase = Phase::on_site;  // patrolling for a fault that is not there
    agenda_.at(t + scenario_.repair.patrol, [this, i, job](Timestamp at) { finish(i, job, at); });
    return;
  }
  c.phase = Phase::repairing;
  // The biggest outage first, each device closed as soon as its repair is done; the fault the
  // crew came for (found last) switches its section back on after the damage there.
  std::stable_sort(c.faults.begin(), c.faults.end(), [&](int a, int b) { return field_.customers_of_fault(a) > field_.customers_of_fault(b); });
  Duration total{};
  for (int f : c.faults) total += field_.repair_time(f);
  c.site = next_site_++;
  sites_[c.site] = SiteWork{c.zone, c.faults, 0, c.faults.back(), i};
  SimRandom r(scenario_.seed, Stream::crew, i, job * 4 + 2);
  const Duration estimate(static_cast<Duration::rep>(static_cast<double>(total.count()) * r.lognormal_factor(scenario_.repair.estimate_sigma)));
  if (scenario_.repair.assess < total) {
    agenda_.at(t + scenario_.repair.assess, [this, i, job, t, estimate](Timestamp at) {
      const SimCrew& cc = crews_[i];
      if (cc.job != job) return;
      status(cc, CrewState::on_site, cc.ticket, at, std::max(t + estimate, at + Duration(std::chrono::minutes(5))));
    });
  }
  next_repair(i, job, t);
}

void CrewFleet::next_repair(std::size_t i, std::uint64_t job, Timestamp t) {
  SimCrew& c = crews_[i];
  auto site = sites_.find(c.site);
  if (site == sites_.end()) return;
  SiteWork& work = site->second;
  if (!work.pending.empty()) {
    const int fault = work.pending.front();
    work.pending.erase(work.pending.begin());
    ++work.working;
    if (work.owner != i) {
      CrewTrip& trip = trips_[static_cast<std::size_t>(c.trip)];
      trip.faults.push_back(fault);
      trip.faults_found = static_cast<int>(trip.faults.size());
    }
    agenda_.at(t + field_.repair_time(fault), [this, i, job, fault](Timestamp at) { repair_done(i, job, fault, at); });
    return;
  }
  if (work.working > 0) {
    if (work.owner != i) finish(i, job, t);  // nothing left to begin: a helper leaves
    return;                                  // the finder waits to switch the section on
  }
  // The last repair here is done: the section goes back on, and the finder reports it.
  const int closing = work.closing;
  const std::size_t owner = work.owner;
  sites_.erase(site);
  field_.repair(std::span<const int>(&closing, 1), t);
  SimCrew& finder = crews_[owner];
  if (finder.phase == Phase::repairing) {
    // Field::close: damage that struck the section while it was dead trips it a second later.
    const std::uint64_t finder_job = finder.job;
    const NodeIndex section = field_.node_of_fault(closing);
    agenda_.at(t + std::chrono::seconds(2),
               [this, owner, finder_job, section](Timestamp at) { after_closing(owner, finder_job, section, at); });
  }
  if (owner != i && c.phase == Phase::repairing && c.job == job) finish(i, job, t);
}

void CrewFleet::after_closing(std::size_t i, std::uint64_t job, NodeIndex section, Timestamp t) {
  SimCrew& c = crews_[i];
  if (c.job != job || c.phase != Phase::repairing) return;
  std::vector<int> again = field_.claim_faults_at(section);
  if (again.empty()) {
    finish(i, job, t);
    return;
  }
  CrewTrip& trip = trips_[static_cast<std::size_t>(c.trip)];
  trip.faults.insert(trip.faults.end(), again.begin(), again.end());
  trip.faults_found = static_cast<int>(trip.faults.size());
  c.faults = again;
  c.site = next_site_++;
  sites_[c.site] = SiteWork{c.zone, again, 0, again.back(), i};
  next_repair(i, job, t);
}

void CrewFleet::repair_done(std::size_t i, std::uint64_t job, int fault, Timestamp t) {
  SimCrew& c = crews_[i];
  if (c.job != job) return;
  auto site = sites_.find(c.site);
  if (site == sites_.end()) return;
  --site->second.working;
  if (fault != site->second.closing) field_.repair(std::span<const int>(&fault, 1), t);
  next_repair(i, job, t);
}

void CrewFleet::finish(std::size_t i, std::uint64_t job, Timestamp t) {
  SimCrew& c = crews_[i];
  if (c.job != job) return;
  if (!c.faults.empty()) field_.repair(c.faults, t);
  trips_[static_cast<std::size_t>(c.trip)].done = t;
  status(c, CrewState::repaired, c.ticket, t);
  status(c, CrewState::available, "", t);
  ++c.job;
  c.phase = Phase::idle;
  c.trip = -1;
  c.ticket.clear();
  c.faults.clear();
  c.site = -1;
}

}  // namespace outage
