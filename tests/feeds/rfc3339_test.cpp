#include "feeds/rfc3339.h"

#include <gtest/gtest.h>

namespace outage {
namespace {

using namespace std::chrono;

// Seconds since the epoch as a Timestamp.
Timestamp at_seconds(long long s) { return Timestamp{seconds{s}}; }

// 2026-11-23T00:15:00Z, counted by hand: 1970..2025 is 56 years with 14 leap days (1972..2024),
// 56 * 365 + 14 = 20454 days; in 2026 (not leap) Jan..Oct hold 31+28+31+30+31+30+31+31+30+31 =
// 304 days, and the 23rd is 22 days further: 20454 + 304 + 22 = 20780 days = 1'795'392'000 s;
// plus 15 minutes.
const Timestamp kNov23At0015Utc = at_seconds(1'795'392'000 + 15 * 60);

TEST(Rfc3339, ReadsTheWireExampleWithItsOffset) {
  // 08:15 at +08:00 is 00:15 UTC.
  EXPECT_EQ(parse_rfc3339("2026-11-23T08:15:00+08:00"), kNov23At0015Utc);
}

TEST(Rfc3339, ReadsUtcWrittenAsZInEitherCase) {
  EXPECT_EQ(parse_rfc3339("2026-11-23T00:15:00Z"), kNov23At0015Utc);
  EXPECT_EQ(parse_rfc3339("2026-11-23t00:15:00z"), kNov23At0015Utc) << "RFC 3339 5.6 allows lower case";
  EXPECT_EQ(parse_rfc3339("2026-11-23 00:15:00Z"), kNov23At0015Utc) << "RFC 3339 5.6 allows a space";
  EXPECT_EQ(parse_rfc3339("2026-11-23T00:15:00-00:00"), kNov23At0015Utc) << "-00:00: offset unknown, read as UTC";
}

TEST(Rfc3339, ReadsTheEpochAndAWellKnownInstant) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), Timestamp{});
  EXPECT_EQ(parse_rfc3339("2000-01-01T00:00:00Z"), at_seconds(946'684'800));  // the Y2K epoch second
}

TEST(Rfc3339, SubtractsAnOffsetAcrossMidnightAndTheYearEnd) {
  // 03:00 on New Year's Day at +08:00 is 19:00 UTC on New Year's Eve.
  EXPECT_EQ(parse_rfc3339("2026-01-01T03:00:00+08:00"), parse_rfc3339("2025-12-31T19:00:00Z"));
  // 00:30 at -05:00 is 05:30 UTC the same day; half-hour offsets count their minutes.
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:30:00-05:00"), parse_rfc3339("2026-01-01T05:30:00Z"));
  EXPECT_EQ(parse_rfc3339("2026-01-01T05:30:00+05:30"), parse_rfc3339("2026-01-01T00:00:00Z"));
}

TEST(Rfc3339, KeepsMillisecondsAndTruncatesFinerFractions) {
  const Timestamp base = *parse_rfc3339("2026-11-23T00:15:00Z");
  EXPECT_EQ(parse_rfc3339("2026-11-23T00:15:00.5Z"), base + milliseconds{500});
  EXPECT_EQ(parse_rfc3339("2026-11-23T00:15:00.05Z"), base + milliseconds{50});
  EXPECT_EQ(parse_rfc3339("2026-11-23T00:15:00.123Z"), base + milliseconds{123});
  EXPECT_EQ(parse_rfc3339("2026-11-23T00:15:00.123999999Z"), base + milliseconds{123}) << "truncated, not rounded";
  EXPECT_EQ(parse_rfc3339("2026-11-23T08:15:00.250+08:00"), kNov23At0015Utc + milliseconds{250});
}

TEST(Rfc3339, AcceptsFebruaryTheTwentyNinthOnlyInLeapYears) {
  EXPECT_TRUE(parse_rfc3339("2024-02-29T12:00:00Z")) << "divisible by 4";
  EXPECT_TRUE(parse_rfc3339("2000-02-29T12:00:00Z")) << "divisible by 400";
  EXPECT_FALSE(parse_rfc3339("2025-02-29T12:00:00Z")) << "common year";
  EXPECT_FALSE(parse_rfc3339("2100-02-29T12:00:00Z")) << "divisible by 100 but not 400";
  // The day after Feb 28 of a common year is March 1: 24 h later.
  EXPECT_EQ(*parse_rfc3339("2025-03-01T00:00:00Z") - *parse_rfc3339("2025-02-28T00:00:00Z"), hours{24});
}

TEST(Rfc3339, RejectsDatesThatDoNotExist) {
  EXPECT_FALSE(parse_rfc3339("2026-02-30T08:15:00+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-04-31T08:15:00+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-13-01T08:15:00+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-00-10T08:15:00+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-01-00T08:15:00+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-01-32T08:15:00+08:00"));
}

TEST(Rfc3339, RejectsTimesOfDayOutOfRange) {
  EXPECT_FALSE(parse_rfc3339("2026-11-23T24:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T23:60:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T23:59:60Z")) << "leap seconds: Timestamp has none";
  EXPECT_TRUE(parse_rfc3339("2026-11-23T23:59:59Z"));
}

TEST(Rfc3339, RejectsAMissingOrMalformedZone) {
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00.123"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00+0800")) << "ISO 8601 basic, not RFC 3339";
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00+08"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00+24:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00+08:60"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00 +08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00UTC"));
}

TEST(Rfc3339, RejectsAnythingMissingOrLeftOver) {
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("2026-11-23"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15Z")) << "seconds are required";
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00.Z")) << "a fraction needs a digit";
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00Z ")) << "trailing space";
  EXPECT_FALSE(parse_rfc3339(" 2026-11-23T08:15:00Z")) << "leading space";
  EXPECT_FALSE(parse_rfc3339("2026-11-23T08:15:00ZZ"));
  EXPECT_FALSE(parse_rfc3339("2026/11/23T08:15:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23X08:15:00Z"));
  EXPECT_FALSE(parse_rfc3339("20a6-11-23T08:15:00Z"));
  EXPECT_FALSE(parse_rfc3339("+2026-11-23T08:15:00Z"));
  EXPECT_FALSE(parse_rfc3339("1763885700")) << "epoch seconds are not RFC 3339";
}

TEST(Rfc3339, ReadsOnlyTheViewItIsGiven) {
  // The text after the view would complete a valid time if the parser read past its end.
  const std::string text = "2026-11-23T08:15:00+08:00";
  EXPECT_FALSE(parse_rfc3339(std::string_view(text).substr(0, text.size() - 1)));
  EXPECT_FALSE(parse_rfc3339(std::string_view(text).substr(0, 19)));
}

TEST(Rfc3339, WritesUtcWithZAndAnOffsetWithItsSign) {
  EXPECT_EQ(format_rfc3339(kNov23At0015Utc), "2026-11-23T00:15:00Z");
  EXPECT_EQ(format_rfc3339(kNov23At0015Utc, 8 * 60), "2026-11-23T08:15:00+08:00");
  // 00:15 UTC at -05:30 is 18:45 the day before.
  EXPECT_EQ(format_rfc3339(kNov23At0015Utc, -(5 * 60 + 30)), "2026-11-22T18:45:00-05:30");
}

TEST(Rfc3339, WritesMillisecondsOnlyWhenThereAreSome) {
  EXPECT_EQ(format_rfc3339(kNov23At0015Utc + milliseconds{7}), "2026-11-23T00:15:00.007Z");
  EXPECT_EQ(format_rfc3339(kNov23At0015Utc + milliseconds{250}, 480), "2026-11-23T08:15:00.250+08:00");
  EXPECT_EQ(format_rfc3339(Timestamp{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(Timestamp{} - milliseconds{1}), "1969-12-31T23:59:59.999Z")
      << "before the epoch the date rounds down, not toward zero";
}

TEST(Rfc3339, WritesWhatItReadsBack) {
  for (const char* text : {"2024-02-29T23:59:59.999+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
                           "1999-12-31T16:00:00-08:00", "2026-06-30T12:00:00.001+05:45"}) {
    const std::optional<Timestamp> t = parse_rfc3339(text);
    ASSERT_TRUE(t) << text;
    const std::string_view s = text;
    int offset = 0;
    if (s.back() != 'Z') {
      const std::string_view zone = s.substr(s.size() - 6);
      offset = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 60 + (zone[4] - '0') * 10 + (zone[5] - '0');
      if (zone[0] == '-') offset = -offset;
    }
    EXPECT_EQ(format_rfc3339(*t, offset), text);
    EXPECT_EQ(parse_rfc3339(format_rfc3339(*t)), t) << text;
  }
}

}  // namespace
}  // namespace outage
