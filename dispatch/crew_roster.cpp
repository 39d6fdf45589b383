#include "dispatch/crew_roster.h"

#include <fmt/format.h>

#include <algorithm>

namespace outage {

Crew& CrewRoster::get(std::string_view id) {
  auto [it, added] = crews_.try_emplace(std::string(id));
  if (added) it->second.id = std::string(id);
  return it->second;
}

Status CrewRoster::configure(std::span<const CrewProfile> profiles) {
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const std::string field = fmt::format("crews[{}]", i);
    if (Status s = check(profiles[i], field); !s) return s;
    if (auto [it, added] = seen.try_emplace(profiles[i].id, i); !added) {
      return invalid_input(fmt::format("field '{}.id': crew '{}' is also crews[{}]", field, profiles[i].id, it->second));
    }
  }
  for (const CrewProfile& p : profiles) {
    Crew& c = get(p.id);
    c.profile = p;
    c.rostered = true;
  }
  return {};
}

const Crew& CrewRoster::report(const CrewStatus& s, Timestamp time) {
  Crew& c = get(s.crew);
  c.reported = true;
  if (c.status != s.status || c.status_since == kNoTime) c.status_since = time;
  c.status = s.status;
  if (!s.ticket.empty()) c.ticket = s.ticket;
  if (s.status == CrewState::available || s.status == CrewState::off_shift) c.ticket.clear();
  c.etr = s.etr;
  return c;
}

const Crew& CrewRoster::report(const CrewPosition& p, Point where, Timestamp time) {
  Crew& c = get(p.crew);
  c.reported = true;
  if (c.position_at == kNoTime || time >= c.position_at) {
    c.position = where;
    c.has_position = true;
    c.position_at = time;
  }
  if (c.status_since == kNoTime) c.status_since = time;
  return c;
}

const Crew* CrewRoster::find(std::string_view id) const {
  auto it = crews_.find(std::string(id));
  return it == crews_.end() ? nullptr : &it->second;
}

std::vector<const Crew*> CrewRoster::crews() const {
  std::vector<const Crew*> out;
  for (const auto& [id, c] : crews_) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const Crew* a, const Crew* b) { return a->id < b->id; });
  return out;
}

std::size_t CrewRoster::available() const {
  return static_cast<std::size_t>(
      std::count_if(crews_.begin(), crews_.end(), [](const auto& e) { return e.second.status == CrewState::available; }));
}

std::size_t CrewRoster::on_shift() const {
  return static_cast<std::size_t>(
      std::count_if(crews_.begin(), crews_.end(), [](const auto& e) { return e.second.status != CrewState::off_shift; }));
}

}  // namespace outage
