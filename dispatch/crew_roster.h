// CrewRoster: the repair crews as their own reports describe them (crew.status, crew.position):
// what each is doing, on which ticket, where it was last seen, and what it estimates.
//
// Crews are known from the roster's profiles (dispatch/crew_profile.h: depot, skills, shifts,
// vehicle), which put a crew that has not reported yet at its depot, available while on shift,
// or from their first report: a crew that reports without a profile can take every repair, at
// any hour.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dispatch/crew_profile.h"
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
  CrewProfile profile;           // skills all, always on shift, when it has none
  bool rostered = false;         // it has a profile
  bool reported = false;         // it has sent a status or a position

  // Can be given work at t: not reported off shift, and inside its shift windows.
  bool on_shift(Timestamp t) const { return status != CrewState::off_shift && profile.on_shift(t); }
  // Where it is, or where it starts from: its last position, else its depot.
  bool has_place() const { return has_position || profile.has_depot; }
  Point place() const { return has_position ? position : profile.depot; }
};

class CrewRoster {
 public:
  // The crews' profiles: each profile's crew is known from now on, at its depot, available.
  // Refuses (and changes nothing) when a profile fails check() or two share an id.
  Status configure(std::span<const CrewProfile> profiles);

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
