// The hotline's answer for every cause, on the drawn feeder (tests/feeds/drawn_feeder.h): fuse F
// feeds m1..m4, fuse G m5..m8; one customer cN per meter mN.
#include "dispatch/status_answer.h"

#include <gtest/gtest.h>

#include "tests/feeds/drawn_feeder.h"
#include "tests/feeds/make_event.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

// 08:00 UTC: 16:00 in China Standard Time.
const Timestamp kT0 = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23).time_since_epoch()) + 8h;

struct Hotline {
  NetworkModel model = testing::drawn_feeder();
  ControlRoom room{model, InferenceConfig{}};
  int next = 0;

  void send(Timestamp t, EventPayload payload) {
    ++next;
    ASSERT_TRUE(room.apply(testing::make_event("e" + std::to_string(next), t, std::move(payload)), t, next).ok());
  }
  void record(RecordKind kind, std::vector<std::string> devices, std::vector<std::string> customers, Timestamp start,
              Timestamp end, std::string reason) {
    OutageRecord r;
    r.kind = kind;
    r.record = "r" + std::to_string(next + 1);
    r.start = start;
    r.end = end;
    r.reason = std::move(reason);
    r.devices = std::move(devices);
    r.customers = std::move(customers);
    send(start - 1h, r);
  }
  StatusAnswer ask(const std::string& customer, Timestamp now, Language language = Language::zh) {
    ServicePointId sp = model.customer(model.find_customer(customer)).service_point;
    return answer_status(room, sp, now, AnswerStyle{language, 8 * 60});
  }
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(StatusAnswer, PlannedWorkGivesItsReasonAndItsEnd) {
  Hotline h;
  h.record(RecordKind::planned, {"g"}, {}, kT0, kT0 + 4h, "line maintenance");
  StatusAnswer a = h.ask("c6", kT0 + 1h);
  EXPECT_EQ(a.power, PowerState::off);
  EXPECT_EQ(a.cause, AnswerCause::planned);
  EXPECT_EQ(a.reason, "line maintenance");
  EXPECT_EQ(a.since, kT0);
  EXPECT_EQ(a.etr.p50, kT0 + 4h);
  EXPECT_FALSE(a.ticket.valid());
  // Read out in China Standard Time: 16:00 to 20:00.
  EXPECT_TRUE(has(a.message, "计划停电")) << a.message;
  EXPECT_TRUE(has(a.message, "11月23日 16:00")) << a.message;
  EXPECT_TRUE(has(a.message, "11月23日 20:00")) << a.message;
  StatusAnswer en = h.ask("c6", kT0 + 1h, Language::en);
  EXPECT_TRUE(has(en.message, "planned outage for scheduled work (line maintenance) since 23 Nov 16:00")) << en.message;
  // Outside the record's scope, or after it, nothing is off.
  EXPECT_EQ(h.ask("c1", kT0 + 1h).cause, AnswerCause::none);
  EXPECT_EQ(h.ask("c6", kT0 + 5h).cause, AnswerCause::none);
}

TEST(StatusAnswer, TemporaryWorkAndLoadSheddingEndWhenTheirRecordsDo) {
  Hotline h;
  h.record(RecordKind::temporary, {"f"}, {}, kT0, kT0 + 2h, "urgent repair");
  h.record(RecordKind::load_shedding, {}, {"c20", "c21"}, kT0, kT0 + 90min, "block 3");
  StatusAnswer t = h.ask("c2", kT0 + 10min, Language::en);
  EXPECT_EQ(t.cause, AnswerCause::temporary);
  EXPECT_EQ(t.etr.p50, kT0 + 2h);
  EXPECT_TRUE(has(t.message, "temporary outage for urgent work")) << t.message;
  StatusAnswer l = h.ask("c21", kT0 + 10min);
  EXPECT_EQ(l.cause, AnswerCause::load_shedding);
  EXPECT_EQ(l.etr.p50, kT0 + 90min);
  EXPECT_TRUE(has(l.message, "错峰限电")) << l.message;
}

TEST(StatusAnswer, ADisconnectionSaysHowToGetReconnectedAndSendsNobody) {
  Hotline h;
  h.record(RecordKind::disconnection, {}, {"c9"}, kT0, kT0 + 30 * 24h, "arrears");
  CallReport call;
  call.customer = "c9";
  h.send(kT0 + 1h, call);
  h.room.advance(kT0 + 1h + 1s);
  h.room.advance(kT0 + 2h);
  StatusAnswer a = h.ask("c9", kT0 + 2h, Language::en);
  EXPECT_EQ(a.power, PowerState::off);
  EXPECT_EQ(a.cause, AnswerCause::disconnection);
  EXPECT_FALSE(a.etr.known());
  EXPECT_FALSE(a.ticket.valid());
  EXPECT_TRUE(h.room.desk().tickets().empty());
  EXPECT_TRUE(has(a.message, "ask for reconnection; no repair crew is sent")) << a.message;
  EXPECT_TRUE(has(h.ask("c9", kT0 + 2h).message, "申请复电"));
}

TEST(StatusAnswer, AFaultGivesItsTicketItsCrewAndAnEstimate) {
  Hotline h;
  for (const char* m : {"m1", "m2", "m3"}) h.send(kT0, MeterPowerOff{m});
  h.room.advance(kT0 + 1s);
  h.room.advance(kT0 + 62s);
  // c4 sent nothing, but is below the fuse the engine predicted.
  StatusAnswer a = h.ask("c4", kT0 + 2min);
  EXPECT_EQ(a.power, PowerState::off);
  EXPECT_EQ(a.cause, AnswerCause::fault);
  EXPECT_TRUE(a.outage.valid());
  ASSERT_TRUE(a.ticket.valid());
  EXPECT_EQ(a.since, kT0);
  EXPECT_EQ(a.customers_out, 4u);
  EXPECT_TRUE(a.etr.known());
  EXPECT_GT(a.etr.p50, kT0 + 2min);
  EXPECT_TRUE(has(a.message, "故障停电")) << a.message;
  EXPECT_TRUE(has(a.message, "已安排抢修")) << a.message;
  CrewStatus crew;
  crew.crew = "K1";
  crew.status = CrewState::en_route;
  crew.ticket = std::to_string(a.ticket.value());
  h.send(kT0 + 3min, crew);
  StatusAnswer b = h.ask("c4", kT0 + 4min, Language::en);
  EXPECT_EQ(b.crew, "K1");
  EXPECT_EQ(b.crew_status, "en_route");
  // On its way since 3 min: expected after half the 45-minute limit.
  EXPECT_EQ(b.crew_eta, kT0 + 3min + Duration(45min) / 2);
  EXPECT_TRUE(has(b.message, "A repair crew is on its way.")) << b.message;
}

TEST(StatusAnswer, DarknessWithNoOutageYetIsUnknownAndNothingIsNone) {
  Hotline h;
  h.send(kT0, MeterPowerOff{"m30"});  // not yet evaluated into an outage
  StatusAnswer a = h.ask("c30", kT0 + 1s);
  EXPECT_EQ(a.power, PowerState::off);
  EXPECT_EQ(a.cause, AnswerCause::unknown);
  EXPECT_EQ(a.since, kT0);
  StatusAnswer b = h.ask("c50", kT0 + 1s, Language::en);
  EXPECT_EQ(b.power, PowerState::on);
  EXPECT_EQ(b.cause, AnswerCause::none);
  EXPECT_TRUE(has(b.message, "No outage is known here")) << b.message;
}

TEST(StatusAnswer, TimesAreReadOutInLocalTime) {
  EXPECT_EQ(spoken_time(kT0 + 30min, AnswerStyle{Language::zh, 480}), "11月23日 16:30");
  EXPECT_EQ(spoken_time(kT0 + 30min, AnswerStyle{Language::en, 480}), "23 Nov 16:30");
  // 23:30 UTC is already the next day in China.
  EXPECT_EQ(spoken_time(kT0 + 15h + 30min, AnswerStyle{Language::en, 480}), "24 Nov 07:30");
  EXPECT_EQ(spoken_time(kT0, AnswerStyle{Language::en, 0}), "23 Nov 08:00");
}

}  // namespace
}  // namespace outage
