// CrewRoster: the repair crews as their own reports describe them (crew.status, crew.position):
// what each is doing, on which ticket, where it was last seen, and what it estimates.
//
// Crews are known from their first report. The planner (a later issue) adds depots, skills and
// shifts; until then every crew can take every repair.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "feeds/clock.h"
#include "feeds/event.h"
#include "geo/network_model.h"

namespace outage {

struct Crew {
  std::string id;
  CrewState status = CrewState::available;
  std::string ticket;            // the ticket it reported working on ("" when none)
  Timestamp status_since = kNoTime;
  Point position;
  bool has_position = false;
  Timestamp position_at = kNoTime;
  std::optional<Timestamp> etr;  // its own estimate of restoration, if it gave one
};

class CrewRoster {
 public:
  // A status report; returns the crew as it is now.
  const Crew& report(const CrewStatus& s, Timestamp time);
  const Crew& report(const CrewPosition& p, Point where, Timestamp time);

  const Crew* find(std::string_view id) const;
  std::vector<const Crew*> crews() const;  // in id order
  // Crews that can be sent now (available), and all crews not off shift.
  std::size_t available() const;
  std::size_t on_shift() const;

 private:
  Crew& get(std::string_view id);
  std::unordered_map<std::string, Crew> crews_;
};

}  // namespace outage
