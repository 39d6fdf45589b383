#include "dispatch/crew_profile.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace outage {

namespace {

constexpr std::array<std::string_view, 4> kSkillNames = {"overhead_line", "cable", "transformer", "metering"};
constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

Result<int> parse_clock(std::string_view text) {
  // HH:MM, 00:00 to 24:00.
  int h = 0, m = 0;
  if (text.size() != 5 || text[2] != ':') return invalid_input(fmt::format("'{}' is not HH:MM", text));
  auto r1 = std::from_chars(text.data(), text.data() + 2, h);
  auto r2 = std::from_chars(text.data() + 3, text.data() + 5, m);
  if (r1.ec != std::errc() || r1.ptr != text.data() + 2 || r2.ec != std::errc() || r2.ptr != text.data() + 5 || h > 24 ||
      m > 59 || (h == 24 && m != 0)) {
    return invalid_input(fmt::format("'{}' is not a time of day HH:MM", text));
  }
  return h * 60 + m;
}

// Minutes after local midnight of t, and the local midnight itself.
std::pair<int, Timestamp> local_day(Timestamp t, int offset_min) {
  const std::int64_t local = t.time_since_epoch().count() + offset_min * 60'000LL;
  std::int64_t day = local / kDayMs;
  if (local % kDayMs < 0) --day;
  const Timestamp midnight{Duration(day * kDayMs - offset_min * 60'000LL)};
  return {static_cast<int>((local - day * kDayMs) / 60'000), midnight};
}

}  // namespace

std::string_view to_string(Skill s) { return kSkillNames[static_cast<std::size_t>(s)]; }

std::optional<Skill> skill_from_string(std::string_view text) {
  for (std::size_t i = 0; i < kSkillNames.size(); ++i) {
    if (kSkillNames[i] == text) return static_cast<Skill>(i);
  }
  return std::nullopt;
}

std::string SkillSet::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < kSkillNames.size(); ++i) {
    if (!has(static_cast<Skill>(i))) continue;
    if (!out.empty()) out += ',';
    out += kSkillNames[i];
  }
  return out;
}

Result<DailyShift> parse_daily_shift(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return invalid_input(fmt::format("'{}' is not a daily window HH:MM-HH:MM", text));
  auto start = parse_clock(text.substr(0, dash));
  if (!start) return start.error();
  auto end = parse_clock(text.substr(dash + 1));
  if (!end) return end.error();
  if (*start % 1440 == *end % 1440) return invalid_input(fmt::format("'{}' has no length (start and end are the same time)", text));
  return DailyShift{*start, *end};
}

bool CrewProfile::on_shift(Timestamp t) const {
  if (always_on_shift()) return true;
  for (const DatedShift& d : dated) {
    if (t >= d.start && t < d.end) return true;
  }
  const int minute = local_day(t, utc_offset_min).first;
  for (const DailyShift& d : daily) {
    const bool inside = d.start_min < d.end_min ? minute >= d.start_min && minute < d.end_min
                                                : minute >= d.start_min || minute < d.end_min;
    if (inside) return true;
  }
  return false;
}

Timestamp CrewProfile::shift_end(Timestamp t) const {
  if (always_on_shift()) return kNoTime;
  if (!on_shift(t)) return t;
  // Walk forward to the first minute off shift; windows are at least a minute long and a day
  // covered end to end by windows is walked for at most two days.
  Timestamp end = t;
  for (const DatedShift& d : dated) {
    if (t >= d.start && t < d.end) end = std::max(end, d.end);
  }
  const auto [minute, midnight] = local_day(t, utc_offset_min);
  for (const DailyShift& d : daily) {
    const bool inside = d.start_min < d.end_min ? minute >= d.start_min && minute < d.end_min
                                                : minute >= d.start_min || minute < d.end_min;
    if (!inside) continue;
    // The window's end after t: today's end, or tomorrow's for one crossing midnight.
    Timestamp e = midnight + std::chrono::minutes(d.end_min);
    if (e <= t) e += std::chrono::days(1);
    end = std::max(end, e);
  }
  // Windows that chain (a day shift handing over to a night shift) extend one another.
  for (int guard = 0; guard < 8 && end > t && on_shift(end); ++guard) {
    const Timestamp next = shift_end(end);
    if (next <= end) break;
    end = next;
  }
  return end;
}

Timestamp CrewProfile::next_on_shift(Timestamp t) const {
  if (on_shift(t)) return t;
  Timestamp best = kNoTime;
  auto consider = [&](Timestamp s) {
    if (s >= t && (best == kNoTime || s < best)) best = s;
  };
  for (const DatedShift& d : dated) consider(d.start);
  const Timestamp midnight = local_day(t, utc_offset_min).second;
  for (const DailyShift& d : daily) {
    Timestamp s = midnight + std::chrono::minutes(d.start_min);
    if (s < t) s += std::chrono::days(1);
    consider(s);
  }
  return best;
}

Status check(const CrewProfile& p, std::string_view field) {
  if (p.id.empty()) return invalid_input(fmt::format("field '{}.id': a crew needs an id", field));
  if (!p.has_depot) return invalid_input(fmt::format("field '{}.depot': crew '{}' has no depot (a position it starts from)", field, p.id));
  if (p.skills.empty()) return invalid_input(fmt::format("field '{}.skills': crew '{}' has no skill", field, p.id));
  for (std::size_t i = 0; i < p.dated.size(); ++i) {
    const DatedShift& d = p.dated[i];
    if (d.start == kNoTime || d.end == kNoTime) {
      return invalid_input(fmt::format("field '{}.shifts[{}]': a dated shift needs a start and an end", field, i));
    }
    if (d.end <= d.start) {
      return invalid_input(fmt::format("field '{}.shifts[{}]': the shift ends before it starts", field, i));
    }
  }
  for (std::size_t i = 0; i < p.daily.size(); ++i) {
    if (p.daily[i].start_min % 1440 == p.daily[i].end_min % 1440) {
      return invalid_input(fmt::format("field '{}.daily[{}]': the shift has no length", field, i));
    }
  }
  return {};
}

}  // namespace outage
