// RFC 3339 times: the one time format of the wire (docs/api.md: "Times are RFC 3339 with a zone").
//
// Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, years 0000-9999. As RFC 3339
// section 5.6 allows, 'T' and 'Z' may be lower case and the 'T' may be a space. The fraction has
// one or more digits; the core keeps milliseconds, so digits past the third are dropped
// (truncated, not rounded). "-00:00" (offset unknown) reads as UTC.
// Rejected: a missing zone, a date that does not exist (2026-02-30, 2025-02-29), an hour over 23,
// a minute or second over 59 (leap seconds too: Timestamp has none), an offset over 23:59, a
// missing or extra character anywhere ("+0800", a trailing space).
//
// Thread-safety: both functions are pure. parse_rfc3339 neither allocates nor reads the locale.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "feeds/clock.h"

namespace outage {

// The instant `text` names, in UTC milliseconds; nullopt when `text` is not an RFC 3339 time
// with a zone as above.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// `t` as RFC 3339 in the zone `offset_minutes` east of UTC: "2026-11-23T08:15:00+08:00", "Z"
// for offset 0, with ".mmm" only when the millisecond part is not zero. parse_rfc3339 reads it
// back to `t`. Precondition: the local date is within years 0000-9999 and |offset_minutes| < 24 h
// (an offset out of that range is written as "Z" with the time in UTC).
std::string format_rfc3339(Timestamp t, int offset_minutes = 0);

}  // namespace outage
