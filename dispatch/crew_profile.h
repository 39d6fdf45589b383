// CrewProfile: what the roster knows of a crew before it reports: its depot, its skills, its
// shifts and its vehicle. The planner sends a crew only to work it has the skill for, only while
// it is on shift, and measures its first trip from the depot until the crew reports a position.
//
// Skills: overhead_line (lines, fuses, reclosers, breakers overhead; wire-down hazards), cable
// (underground cable and its terminations), transformer (service transformers), metering (a
// single premise: the meter and the service drop). A ticket needs one (skill_for, below).
//
// Shifts: daily windows in the utility's local time (`07:00-19:00`; a night shift may cross
// midnight, `19:00-07:00`) and dated windows (a storm call-out); a crew is on shift inside any
// of them. A crew with no shift at all is always on shift (an on-call crew).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/clock.h"
#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

enum class Skill : std::uint8_t { overhead_line, cable, transformer, metering };
std::string_view to_string(Skill s);
std::optional<Skill> skill_from_string(std::string_view text);

// A set of skills, as bits.
class SkillSet {
 public:
  constexpr SkillSet() = default;
  static constexpr SkillSet all() { return SkillSet(0xF); }
  constexpr bool has(Skill s) const { return (bits_ >> static_cast<int>(s)) & 1U; }
  constexpr void add(Skill s) { bits_ = static_cast<std::uint8_t>(bits_ | (1U << static_cast<int>(s))); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const SkillSet&) const = default;
  std::string to_string() const;  // "overhead_line,transformer"

 private:
  constexpr explicit SkillSet(std::uint8_t bits) : bits_(bits) {}
  std::uint8_t bits_ = 0;
};

// A daily window, minutes after local midnight; end < start crosses midnight.
struct DailyShift {
  int start_min = 0;
  int end_min = 0;
};
// "07:00-19:00" -> a daily window; invalid_input naming the reason otherwise.
Result<DailyShift> parse_daily_shift(std::string_view text);

// A dated window: a call-out from `start` to `end`.
struct DatedShift {
  Timestamp start = kNoTime;
  Timestamp end = kNoTime;
};

struct CrewProfile {
  std::string id;
  std::string depot_name;      // a name for people (a bus, a yard)
  Point depot;                 // where it starts and returns, in model coordinates
  bool has_depot = false;
  SkillSet skills = SkillSet::all();
  std::string vehicle;         // "bucket truck", "cable van"...
  std::vector<DailyShift> daily;
  std::vector<DatedShift> dated;
  int utc_offset_min = 480;    // the local time of the daily shifts (China: +08:00)

  bool always_on_shift() const { return daily.empty() && dated.empty(); }
  // Inside any window at t.
  bool on_shift(Timestamp t) const;
  // When the window that holds t ends (kNoTime when always on shift; t itself when off shift).
  Timestamp shift_end(Timestamp t) const;
  // The next time at or after t when the crew is on shift (t when it is; kNoTime: never again).
  Timestamp next_on_shift(Timestamp t) const;
};

// Bad profiles: no id, no depot position, a dated shift that ends before it starts, a daily
// shift of no length: invalid_input naming `field` (e.g. "crews[2].shifts[0]").
Status check(const CrewProfile& profile, std::string_view field);

}  // namespace outage
