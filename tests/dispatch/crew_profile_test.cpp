// Crew profiles: skills, daily and dated shifts, and the checks on bad ones.
#include "dispatch/crew_profile.h"

#include <gtest/gtest.h>

#include "dispatch/crew_roster.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

// 2026-11-23 00:00 at +08:00 is 2026-11-22 16:00 UTC.
const Timestamp kMidnight = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 22).time_since_epoch()) + 16h;

CrewProfile crew(std::string id = "a") {
  CrewProfile p;
  p.id = std::move(id);
  p.depot = Point{0, 0};
  p.has_depot = true;
  return p;
}

TEST(CrewProfile, ADayShiftHoldsFromItsStartToItsEndInLocalTime) {
  CrewProfile p = crew();
  p.daily.push_back(*parse_daily_shift("07:00-19:00"));
  EXPECT_FALSE(p.on_shift(kMidnight + 6h + 59min));
  EXPECT_TRUE(p.on_shift(kMidnight + 7h));
  EXPECT_TRUE(p.on_shift(kMidnight + 18h + 59min));
  EXPECT_FALSE(p.on_shift(kMidnight + 19h));
  EXPECT_EQ(p.shift_end(kMidnight + 10h), kMidnight + 19h);
  EXPECT_EQ(p.next_on_shift(kMidnight + 20h), kMidnight + 24h + 7h);  // tomorrow morning
  EXPECT_EQ(p.next_on_shift(kMidnight + 8h), kMidnight + 8h);
}

TEST(CrewProfile, ANightShiftCrossesMidnight) {
  CrewProfile p = crew();
  p.daily.push_back(*parse_daily_shift("19:00-07:00"));
  EXPECT_TRUE(p.on_shift(kMidnight + 23h));
  EXPECT_TRUE(p.on_shift(kMidnight + 2h));
  EXPECT_FALSE(p.on_shift(kMidnight + 12h));
  // At 23:00 the shift runs to 07:00 the next morning.
  EXPECT_EQ(p.shift_end(kMidnight + 23h), kMidnight + 24h + 7h);
  EXPECT_EQ(p.shift_end(kMidnight + 2h), kMidnight + 7h);
}

TEST(CrewProfile, ADayShiftHandingOverToANightShiftIsOneLongShift) {
  CrewProfile p = crew();
  p.daily.push_back(*parse_daily_shift("07:00-19:00"));
  p.dated.push_back({kMidnight + 19h, kMidnight + 23h});  // a storm call-out after the day shift
  EXPECT_EQ(p.shift_end(kMidnight + 10h), kMidnight + 23h);
}

TEST(CrewProfile, ACrewWithoutShiftsIsAlwaysOnCall) {
  CrewProfile p = crew();
  EXPECT_TRUE(p.on_shift(kMidnight + 3h));
  EXPECT_EQ(p.shift_end(kMidnight + 3h), kNoTime);
}

TEST(CrewProfile, BadDailyShiftsAreRefusedWithTheReason) {
  EXPECT_FALSE(parse_daily_shift("07:00"));
  EXPECT_FALSE(parse_daily_shift("7-19"));
  EXPECT_FALSE(parse_daily_shift("25:00-07:00"));
  auto same = parse_daily_shift("07:00-07:00");
  ASSERT_FALSE(same);
  EXPECT_NE(same.error().message.find("no length"), std::string::npos);
}

TEST(CrewProfile, ACrewWithoutADepotIsRefused) {
  CrewProfile p = crew("north-1");
  p.has_depot = false;
  Status s = check(p, "crews[0]");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid_input);
  EXPECT_NE(s.error().message.find("crews[0].depot"), std::string::npos) << s.error().message;
}

TEST(CrewProfile, AShiftThatEndsBeforeItStartsIsRefused) {
  CrewProfile p = crew();
  p.dated.push_back({kMidnight + 10h, kMidnight + 9h});
  Status s = check(p, "crews[3]");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("crews[3].shifts[0]"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("ends before it starts"), std::string::npos);
}

TEST(CrewProfile, SkillsReadAndPrintByTheirWireNames) {
  SkillSet s;
  s.add(*skill_from_string("cable"));
  s.add(Skill::metering);
  EXPECT_TRUE(s.has(Skill::cable));
  EXPECT_FALSE(s.has(Skill::overhead_line));
  EXPECT_EQ(s.to_string(), "cable,metering");
  EXPECT_FALSE(skill_from_string("welding"));
}

TEST(CrewRoster, ProfilesPutCrewsAtTheirDepotsBeforeTheyReport) {
  CrewRoster roster;
  CrewProfile p = crew("north-1");
  p.depot = Point{5, 6};
  ASSERT_TRUE(roster.configure(std::vector<CrewProfile>{p}).ok());
  const Crew* c = roster.find("north-1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, CrewState::available);
  EXPECT_FALSE(c->reported);
  ASSERT_TRUE(c->has_place());
  EXPECT_EQ(c->place().x, 5);
}

TEST(CrewRoster, TwoProfilesWithOneIdAreRefusedAndNothingChanges) {
  CrewRoster roster;
  Status s = roster.configure(std::vector<CrewProfile>{crew("a"), crew("a")});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("crews[1].id"), std::string::npos);
  EXPECT_EQ(roster.find("a"), nullptr);
}

}  // namespace
}  // namespace outage
