// CrewFleet: the drill's repair crews, carrying out the orders the system gives them.
//
// A crew with an order departs after its reaction time (crew.status en_route), travels by
// straight line times the detour at the scenario's speed with log-normal noise (a model without
// coordinates: a log-normal trip), reporting crew.position on the way; on site it reports
// on_site, looks for the fault in the ticket's zone (sim/field.h: claim_faults), calls in its
// estimate after assessing, repairs (the faults' drawn repair times, the one with the most
// customers first, closing each device as its repair is done: the field re-energizes), reports
// repaired, then available where it stands. A zone with no fault for it costs a patrol and is
// a wasted truck roll. An order withdrawn before the repair starts sends the crew back to
// available.
//
// The work found at a site is shared: a second crew sent to the same zone (an assist) while
// repairs there are still to begin takes the next of them, one at a time, and leaves when none
// is left to begin; the section is switched back on (its last fault closed) when the last
// repair there is done, and the crew that found the work reports the repair then.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dispatch/travel_time.h"
#include "sim/agenda.h"
#include "sim/drill_record.h"
#include "sim/field.h"

namespace outage {

// What the system told a crew to do.
struct CrewOrder {
  std::string crew;
  std::string ticket;
  NodeIndex zone = kNoNode;  // where the fault should be (sim/field.h: zone_of)
  std::optional<Point> place;
};

class CrewFleet {
 public:
  using Send = std::function<void(Event)>;

  CrewFleet(const NetworkModel& model, const Scenario& scenario, Field& field, Agenda& agenda, Send send);

  // At the drill's start: every crew reports available at its depot.
  void start(Timestamp t);
  // The orders standing now (one per crew at most); crews without one that had one are called off.
  void orders(std::span<const CrewOrder> orders, Timestamp now);

  const std::vector<CrewTrip>& trips() const { return trips_; }
  // No crew has an order: every one is free.
  bool idle() const;

 private:
  enum class Phase { idle, waiting, travelling, on_site, repairing };
  // The work found at a zone: repairs not yet begun (in order), how many are under way, and the
  // fault whose repair switches the section back on, last.
  struct SiteWork {
    NodeIndex zone = kNoNode;
    std::vector<int> pending;
    int working = 0;
    int closing = -1;
    std::size_t owner = 0;  // the crew that found it
  };
  struct SimCrew {
    std::string id;
    Point position;
    bool has_position = false;
    Phase phase = Phase::idle;
    std::string ticket;
    NodeIndex zone = kNoNode;
    std::uint64_t job = 0;   // bumps on every new order or call-off: stale agenda items check it
    int trip = -1;
    std::vector<int> faults;
    int site = -1;  // the work it shares while repairing (a key of sites_)
  };

  void take(SimCrew& c, const CrewOrder& order, Timestamp now);
  void depart(std::size_t crew, std::uint64_t job, std::optional<Point> place, Timestamp t);
  void arrive(std::size_t crew, std::uint64_t job, Timestamp t);
  void finish(std::size_t crew, std::uint64_t job, Timestamp t);
  // The crew begins the next repair at its site, or leaves (or, having found the work, waits
  // for the others to switch the section back on).
  void next_repair(std::size_t crew, std::uint64_t job, Timestamp t);
  void repair_done(std::size_t crew, std::uint64_t job, int fault, Timestamp t);
  // A moment after the finder switched `section` back on: when it tripped again, the crew saw it
  // and stays on the damage that struck while it was dead; else it reports the repair done.
  void after_closing(std::size_t crew, std::uint64_t job, NodeIndex section, Timestamp t);
  void status(const SimCrew& c, CrewState state, const std::string& ticket, Timestamp t, std::optional<Timestamp> etr = std::nullopt);
  void position(const SimCrew& c, Timestamp t);
  Event event(Timestamp t, EventPayload payload);

  const NetworkModel& model_;
  const Scenario& scenario_;
  Field& field_;
  Agenda& agenda_;
  Send send_;
  StraightLineTravel travel_;
  std::vector<SimCrew> crews_;
  std::vector<CrewTrip> trips_;
  std::map<int, SiteWork> sites_;
  int next_site_ = 0;
  std::uint64_t next_event_ = 0;
};

}  // namespace outage
