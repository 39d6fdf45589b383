// OutageEngine on a small drawn feeder (exact expectations by reasoning) and on the IEEE 123 and
// 8500-node feeders (the 8500 with its fuses and substation relay, as Run_RecloserSiting loads it).
#include "feeds/outage_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "tests/feeds/drawn_feeder.h"
#include "tests/feeds/make_event.h"
#include "tests/geo/feeders.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23).time_since_epoch()) + 8h;

using testing::make_event;

// Drives an engine through events with one clock.
struct Drill {
  NetworkModel model;
  GatewayRegistry gateways;
  std::unique_ptr<OutageEngine> engine;
  int next = 0;

  explicit Drill(NetworkModel m, InferenceConfig config = {}) : model(std::move(m)) {
    engine = std::make_unique<OutageEngine>(model, std::move(config), &gateways);
  }
  Status send(Timestamp t, EventPayload payload, Timestamp now = kNoTime,
              std::span<const ServicePointId> area = {}) {
    ++next;
    return engine->apply(make_event("e" + std::to_string(next), t, std::move(payload)), now == kNoTime ? t : now, next, area);
  }
  void gasp(const std::string& meter, Timestamp t) { ASSERT_TRUE(send(t, MeterPowerOff{meter}).ok()); }
  void back(const std::string& meter, Timestamp t) { ASSERT_TRUE(send(t, MeterPowerOn{meter}).ok()); }
  void ping(const std::string& meter, bool energized, Timestamp t) {
    ASSERT_TRUE(send(t, MeterPing{meter, energized}).ok());
  }
  void scada(const std::string& device, SwitchState state, SwitchCause cause, Timestamp t) {
    ASSERT_TRUE(send(t, ScadaSwitch{device, state, cause}).ok());
  }
  void call(const std::string& customer, Timestamp t, Symptom symptom = Symptom::no_power) {
    CallReport c;
    c.customer = customer;
    c.symptom = symptom;
    ASSERT_TRUE(send(t, c).ok());
  }
  void advance(Timestamp t) { engine->advance(t); }

  std::vector<const Outage*> active() const {
    std::vector<const Outage*> out;
    for (OutageId id : engine->active_outages()) out.push_back(engine->outage(id));
    return out;
  }
  std::string device_of(const Outage& o) const {
    return o.device.valid() ? std::string(model.element(o.device).id)
                            : "premise " + std::string(model.service_point(o.service_point).id);
  }
  std::vector<std::string> active_devices() const {
    std::vector<std::string> out;
    for (const Outage* o : active()) out.push_back(device_of(*o));
    std::sort(out.begin(), out.end());
    return out;
  }
  const Outage* only_active() const {
    auto a = active();
    return a.size() == 1 ? a.front() : nullptr;
  }
  // Meters (service point ids) below a device in the normal state, in model order.
  std::vector<std::string> meters_below(const std::string& device) const { return testing::meters_below(model, device); }
};

// ---- roll-up ------------------------------------------------------------------------------

TEST(OutageEngine, PredictsAFuseWhenMostMetersBelowItGoDark) {
  Drill d(testing::drawn_feeder());
  // m1..m3 of F's four: F has 3 >= 2 dark at share 0.75 >= 0.3; R has 3 < 4 dark; BRK 3 < 5.
  for (int i = 1; i <= 3; ++i) d.gasp("m" + std::to_string(i), kT0 + std::chrono::seconds(i));
  d.advance(kT0 + 5s);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  const Outage* o = d.only_active();
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->level, DeviceLevel::fuse);
  EXPECT_EQ(o->customers_out, 4u);  // every customer below F, not only those who reported
  EXPECT_EQ(o->state, OutageState::unconfirmed);
  EXPECT_EQ(o->start, kT0 + 1s);    // the first last gasp
  EXPECT_EQ(o->evidence.size(), 3u);
}

TEST(OutageEngine, AnOutageKeepsItsIdAsItRollsUpTheTree) {
  Drill d(testing::drawn_feeder());
  d.gasp("m1", kT0);
  d.advance(kT0 + 1s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"premise m1"});
  OutageId first = d.active().front()->id;
  d.gasp("m2", kT0 + 2s);
  d.advance(kT0 + 3s);
  // Two of F's four dark: T1 (2 >= 2, share 0.5) and F (2 >= 2, share 0.5) pass; F is higher.
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  EXPECT_EQ(d.active().front()->id, first);
}

TEST(OutageEngine, TwoFaultsOnDifferentLateralsAreTwoOutages) {
  Drill d(testing::drawn_feeder());
  // Three dark below F and three below G: R sees 6 of 24 (0.25 < 0.3), BRK 6 of 66, so F and G.
  for (const char* m : {"m1", "m2", "m3", "m5", "m6", "m7"}) d.gasp(m, kT0);
  d.advance(kT0 + 1s);
  EXPECT_EQ(d.active_devices(), (std::vector<std::string>{"f", "g"}));
}

TEST(OutageEngine, LiveEvidenceBelowADeviceVetoesIt) {
  Drill d(testing::drawn_feeder());
  // F and G dark, plus four of T4's sixteen: R sees 10 of 24 (0.42) and passes (BRK: 10 of 66)...
  for (const char* m : {"m1", "m2", "m3", "m5", "m6", "m7", "m11", "m12", "m13", "m14"}) d.gasp(m, kT0);
  d.advance(kT0 + 1s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"r"});
  // ...until two of T4's other meters answer a ping as energized: R cannot be out. What stays is
  // F, G, and T4's four dark meters (4 of 16 = 0.25 < 0.5 at T4) as single premises.
  d.ping("m20", true, kT0 + 30s);
  d.ping("m21", true, kT0 + 31s);
  d.advance(kT0 + 32s);
  EXPECT_EQ(d.active_devices(), (std::vector<std::string>{"f", "g", "premise m11", "premise m12", "premise m13",
                                                          "premise m14"}));
}

TEST(OutageEngine, AsksForPingsBelowAFreshFusePrediction) {
  Drill d(testing::drawn_feeder());
  d.gasp("m1", kT0);
  d.gasp("m2", kT0);
  d.advance(kT0 + 1s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  // The silent meters below F are m3 and m4, both under T1: at most two per transformer.
  std::vector<std::string> asked;
  for (const PingRequest& p : d.engine->take_ping_requests()) asked.emplace_back(d.model.service_point(p.meter).id);
  std::sort(asked.begin(), asked.end());
  EXPECT_EQ(asked, (std::vector<std::string>{"m3", "m4"}));
  // Asked once: more evidence does not ask again.
  d.gasp("m3", kT0 + 2s);
  d.advance(kT0 + 3s);
  EXPECT_TRUE(d.engine->take_ping_requests().empty());
}

TEST(OutageEngine, NeverPredictsAtATelemeteredDeviceThatScadaShowsClosed) {
  InferenceConfig config;
  config.telemetered = {"r"};
  Drill d(testing::drawn_feeder(), config);
  // Every meter below R dark: R would pass, but SCADA shows it closed, so look further up: BRK
  // sees 24 of 66 (0.36 >= 0.3), but T5's 40 meters are quiet, and BRK open would have darkened
  // them too. The darkness stays below R, at the devices it fills: F, G and T4, all dark.
  for (int i = 1; i <= 8; ++i) d.gasp("m" + std::to_string(i), kT0);
  for (int i = 11; i <= 26; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 1s);
  EXPECT_EQ(d.active_devices(), (std::vector<std::string>{"f", "g", "t4"}));
  // Half of T5 reports too (20 of 40, over half BRK's threshold share): BRK explains it all.
  for (int i = 27; i <= 46; ++i) d.gasp("m" + std::to_string(i), kT0 + 30s);
  d.advance(kT0 + 31s);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"brk"});
}

TEST(OutageEngine, AQuietBranchKeepsTheDeviceAboveItFromBeingPredicted) {
  Drill d(testing::drawn_feeder());
  // All 40 meters of T5 dark: 40 of BRK's 66 (0.61), well over its 0.3. But R's 24 meters say
  // nothing: BRK open would have cut them off too. T5 it is.
  for (int i = 27; i <= 66; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 1s);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"t5"});
  // A few of R's meters dark (2 of 24: under half BRK's share, 0.15) do not change that; they
  // are two premises of their own (2 of T4's 16 is short of a transformer's 0.5).
  d.gasp("m11", kT0 + 10s);
  d.gasp("m12", kT0 + 10s);
  d.advance(kT0 + 11s);
  EXPECT_EQ(d.active_devices(), (std::vector<std::string>{"premise m11", "premise m12", "t5"}));
}

// ---- life of an outage ----------------------------------------------------------------------

TEST(OutageEngine, APredictionBecomesProbableAfterTheSettlingWindow) {
  Drill d(testing::drawn_feeder());
  d.gasp("m9", kT0);
  d.gasp("m10", kT0);
  d.advance(kT0 + 1s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"t3"});
  EXPECT_EQ(d.only_active()->state, OutageState::unconfirmed);
  // Detected when the gasps came in (kT0), not when advance() got to them: probable a settling
  // window after that.
  EXPECT_EQ(d.only_active()->detected_at, kT0);
  d.advance(kT0 + InferenceConfig{}.settle - 1s);
  EXPECT_EQ(d.only_active()->state, OutageState::unconfirmed);
  d.advance(kT0 + InferenceConfig{}.settle);
  EXPECT_EQ(d.only_active()->state, OutageState::probable);
  EXPECT_EQ(d.only_active()->probable_at, kT0 + InferenceConfig{}.settle);
}

TEST(OutageEngine, PowerBackWithinTheSettlingWindowIsMomentary) {
  Drill d(testing::drawn_feeder());
  d.gasp("m9", kT0);
  d.gasp("m10", kT0);
  d.advance(kT0 + 1s);
  OutageId id = d.active().front()->id;
  d.back("m9", kT0 + 20s);
  d.back("m10", kT0 + 20s);
  d.advance(kT0 + 21s);
  EXPECT_TRUE(d.active().empty());
  EXPECT_EQ(d.engine->outage(id)->state, OutageState::momentary);
  EXPECT_EQ(d.engine->counters().momentary_interruptions, 1u);
  EXPECT_EQ(d.engine->counters().momentary_customer_interruptions, 2u);
}

TEST(OutageEngine, ARecloserTripAndRecloseIsMomentaryWithNoSustainedOutage) {
  Drill d(testing::drawn_feeder());
  d.scada("r", SwitchState::open, SwitchCause::trip, kT0);
  d.advance(kT0 + 1s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"r"});
  EXPECT_EQ(d.only_active()->customers_out, 24u);
  d.scada("r", SwitchState::closed, SwitchCause::reclose, kT0 + 2s);
  d.advance(kT0 + 3s);
  EXPECT_TRUE(d.active().empty());
  ASSERT_EQ(d.engine->outages().size(), 1u);
  EXPECT_EQ(d.engine->outages()[0].state, OutageState::momentary);
  EXPECT_EQ(d.engine->counters().momentary_customer_interruptions, 24u);  // R's customers, for MAIFI
  // Later meters that never lost power say nothing; the clock moving on creates nothing.
  d.advance(kT0 + 1h);
  EXPECT_TRUE(d.active().empty());
}

TEST(OutageEngine, AScadaLockoutConfirmsAtOnceAndTakesTheLastGaspsThatFollow) {
  Drill d(testing::drawn_feeder());
  d.scada("brk", SwitchState::open, SwitchCause::lockout, kT0);
  d.advance(kT0 + 1s);
  const Outage* o = d.only_active();
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(d.device_of(*o), "brk");
  EXPECT_EQ(o->state, OutageState::confirmed);
  EXPECT_EQ(o->confirmed_by, ConfirmedBy::scada);
  EXPECT_EQ(o->customers_out, 66u);
  for (int i = 1; i <= 66; ++i) d.gasp("m" + std::to_string(i), kT0 + 40s);
  d.advance(kT0 + 41s);
  EXPECT_EQ(d.active().size(), 1u);
  EXPECT_EQ(d.only_active()->evidence.size(), 67u);  // the SCADA open and 66 last gasps
}

TEST(OutageEngine, ATripThatStaysOpenPastTheRecloseWindowIsConfirmedByScada) {
  Drill d(testing::drawn_feeder());
  d.scada("r", SwitchState::open, SwitchCause::trip, kT0);
  d.advance(kT0 + 1s);
  EXPECT_EQ(d.only_active()->state, OutageState::unconfirmed);
  d.advance(kT0 + InferenceConfig{}.reclose_window + 1s);
  EXPECT_EQ(d.only_active()->state, OutageState::confirmed);
}

TEST(OutageEngine, RestorationInTwoStepsLeavesANestedOutageBackDated) {
  Drill d(testing::drawn_feeder());
  d.scada("brk", SwitchState::open, SwitchCause::lockout, kT0);
  for (int i = 1; i <= 66; ++i) d.gasp("m" + std::to_string(i), kT0 + 40s);
  d.advance(kT0 + 41s);
  OutageId lockout = d.active().front()->id;
  // The crew opens F to isolate the faulted lateral, then the breaker closes: step one gives
  // back everyone but F's four (62 customers, by the topology).
  d.scada("f", SwitchState::open, SwitchCause::manual, kT0 + 30min);
  d.scada("brk", SwitchState::closed, SwitchCause::manual, kT0 + 31min);
  d.advance(kT0 + 31min);
  ASSERT_EQ(d.active().size(), 1u);
  EXPECT_EQ(d.only_active()->id, lockout);
  EXPECT_EQ(d.only_active()->customers_out, 4u);
  // The re-energized meters report power back, except m9 and m10: T3 failed too.
  for (int i = 5; i <= 66; ++i) {
    if (i != 9 && i != 10) d.back("m" + std::to_string(i), kT0 + 32min);
  }
  // After the nested grace, T3's meters are still dark: a nested outage at T3, back-dated to
  // their last gasps, its customer-minutes counted only from the step that gave them back.
  d.advance(kT0 + 31min + InferenceConfig{}.nested_grace + 1s);
  ASSERT_EQ(d.active_devices(), (std::vector<std::string>{"brk", "t3"}));
  const Outage* nested = nullptr;
  for (const Outage* o : d.active()) {
    if (o->id != lockout) nested = o;
  }
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->parent, lockout);
  EXPECT_EQ(nested->start, kT0 + 40s);
  EXPECT_EQ(nested->counted_from, kT0 + 31min);
  EXPECT_EQ(nested->customers_out, 2u);
  // Step two: the lateral is repaired and F closes; the lock-out outage is over.
  d.scada("f", SwitchState::closed, SwitchCause::manual, kT0 + 90min);
  d.advance(kT0 + 90min);
  const Outage& parent = *d.engine->outage(lockout);
  EXPECT_EQ(parent.state, OutageState::restored);
  ASSERT_EQ(parent.restorations.size(), 2u);
  EXPECT_EQ(parent.restorations[0].customers, 62u);
  EXPECT_EQ(parent.restorations[1].customers, 4u);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"t3"});
}

TEST(OutageEngine, MetersStillDarkAfterAPredictedOutageIsRestoredBecomeNested) {
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 1s);
  d.advance(kT0 + 2min);
  OutageId fuse = d.only_active()->id;
  EXPECT_EQ(d.only_active()->state, OutageState::probable);
  d.back("m1", kT0 + 1h);
  d.back("m2", kT0 + 1h);  // 2 of 4 back: restore_share 0.5 reached
  d.advance(kT0 + 1h + 1s);
  EXPECT_EQ(d.engine->outage(fuse)->state, OutageState::restored);
  d.advance(kT0 + 1h + InferenceConfig{}.nested_grace + 2s);
  ASSERT_EQ(d.active().size(), 1u);
  EXPECT_EQ(d.only_active()->parent, fuse);
  EXPECT_EQ(d.only_active()->start, kT0);
}

TEST(OutageEngine, ALoneMeterSilentAfterARestorationIsNoOutageUntilSomethingSaysItIsStillOut) {
  // Found by the drills: after a restoration the meters whose power-on report was lost, or sits
  // in a data concentrator's quarter-hourly batch, used to become an outage each when the nested
  // grace ended. Silence alone no longer makes a single premise; a ping that finds it dead does.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 1s);
  d.advance(kT0 + 2min);
  const OutageId fuse = d.only_active()->id;
  for (int i = 1; i <= 3; ++i) d.back("m" + std::to_string(i), kT0 + 1h);  // m4's report is lost
  d.advance(kT0 + 1h + 1s);
  EXPECT_EQ(d.engine->outage(fuse)->state, OutageState::restored);
  d.advance(kT0 + 1h + InferenceConfig{}.nested_grace + 2s);
  EXPECT_TRUE(d.active().empty()) << d.active_devices().front();
  // The read the engine asked for at the restoration answers: m4 is dark after all.
  d.ping("m4", false, kT0 + 1h + 6min);
  d.advance(kT0 + 1h + 6min);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"premise m4"});
  EXPECT_EQ(d.only_active()->start, kT0);  // back-dated to its last gasp
}

TEST(OutageEngine, MetersStillDarkAtARestorationAreReadAgainThoughReadJustBefore) {
  // Three of T1's four meters gasp: F predicted (3 of 4), and the one that said nothing, m4, is
  // read to confirm it.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 3; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 1s);
  auto first = d.engine->take_ping_requests();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(d.model.service_point(first[0].meter).id, "m4");
  d.ping("m4", false, kT0 + 30s);
  d.advance(kT0 + 30s);
  // Ten minutes later m1..m3 are back (3 of 4: restored), m4 still dark. What it said before
  // the restoration tells nothing about after it: it is read again, inside the 30 minutes in
  // which a meter is otherwise not asked twice.
  for (int i = 1; i <= 3; ++i) d.back("m" + std::to_string(i), kT0 + 10min);
  d.advance(kT0 + 10min);
  auto after = d.engine->take_ping_requests();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(d.model.service_point(after[0].meter).id, "m4");
  EXPECT_EQ(after[0].reason, "verify_restoration");
}

TEST(OutageEngine, ADeviceThatQualifiesWhenLiveEvidenceExpiresTakesInItsDarkMeters) {
  // Found by the drills: a fuse predicted with no meter in it, so that nothing could ever
  // restore it, and crews were sent to it again and again. F's four meters gasp: F out. Ten
  // minutes later m3 and m4 are back (half: restored); m1 and m2 say nothing (their power-on
  // lost), and m3 answers a read at 12 min: live evidence under F for 15 minutes. At the nested
  // grace (15 min) m1 and m2 are dark again but silent: no premise of their own, and F cannot
  // be predicted while m3's answer is fresh. When it goes stale (27 min) F qualifies again on
  // m1 and m2 (2 of 4): its outage must hold them, so that their word can end it.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 1s);
  d.advance(kT0 + 2min);
  ASSERT_EQ(d.active_devices(), (std::vector<std::string>{"f"}));
  d.back("m3", kT0 + 10min);
  d.back("m4", kT0 + 10min);
  d.advance(kT0 + 10min);
  d.ping("m3", true, kT0 + 12min);
  d.advance(kT0 + 12min);
  d.advance(kT0 + 16min);
  EXPECT_TRUE(d.active().empty()) << "restored, and the silent meters make no outage yet";
  d.advance(kT0 + 28min);
  ASSERT_EQ(d.active_devices(), (std::vector<std::string>{"f"}));
  const Outage& again = *d.only_active();
  std::vector<std::string> dark;
  for (ServicePointId sp : again.dark) dark.emplace_back(d.model.service_point(sp).id);
  std::sort(dark.begin(), dark.end());
  EXPECT_EQ(dark, (std::vector<std::string>{"m1", "m2"}));
  // So their word restores it: both read live.
  d.ping("m1", true, kT0 + 29min);
  d.ping("m2", true, kT0 + 29min);
  d.advance(kT0 + 29min);
  EXPECT_TRUE(d.active().empty());
}

TEST(OutageEngine, MetersAClosingReEnergizesWaitTheGraceThoughTheOutageHadLostThem) {
  // Found by the drills: the breaker recloses onto a fault and locks out again a second later.
  // m5's power-on from that second arrives after the second opening, its gasp after that; when
  // the breaker is finally closed for good, m5's power-on is late again. Whatever the outages
  // made of that, m5 is dark when the closing re-energizes it: it waits out the nested grace
  // and is read, instead of being an outage of its own at once.
  Drill d(testing::drawn_feeder());
  d.scada("brk", SwitchState::open, SwitchCause::lockout, kT0);
  for (int i = 1; i <= 66; ++i) d.gasp("m" + std::to_string(i), kT0 + 30s);
  d.advance(kT0 + 1min);
  d.scada("brk", SwitchState::closed, SwitchCause::manual, kT0 + 2h);
  d.scada("brk", SwitchState::open, SwitchCause::lockout, kT0 + 2h + 1s);
  d.advance(kT0 + 2h + 5s);
  d.back("m5", kT0 + 2h);  // the second of power, reported late
  d.advance(kT0 + 2h + 20s);
  d.gasp("m5", kT0 + 2h + 35s);
  d.advance(kT0 + 2h + 40s);
  (void)d.engine->take_ping_requests();
  d.scada("brk", SwitchState::closed, SwitchCause::manual, kT0 + 5h);
  d.advance(kT0 + 5h + 3s);
  for (int i = 1; i <= 66; ++i) {
    if (i != 5) d.back("m" + std::to_string(i), kT0 + 5h + 2s);
  }
  d.advance(kT0 + 5h + 10s);
  EXPECT_TRUE(d.active().empty()) << ::testing::PrintToString(d.active_devices());
  bool read = false;
  for (const PingRequest& p : d.engine->take_ping_requests()) read = read || d.model.service_point(p.meter).id == "m5";
  EXPECT_TRUE(read) << "m5 is read";
}

TEST(OutageEngine, ADarkMeterIsReadBeforeItBecomesAnOutageWhenPowerCameBackBesideItSince) {
  // Found by the drills: a restoration in two steps, the meter's power-on from the second lost
  // or batched. Its dead answer to the first read was true then, and stale by the nested grace.
  Drill d(testing::drawn_feeder());
  for (int i = 11; i <= 26; ++i) d.gasp("m" + std::to_string(i), kT0);  // all of T4
  d.advance(kT0 + 1s);
  d.advance(kT0 + 2min);
  ASSERT_EQ(d.active().size(), 1u);
  // Half come back (restore_share 0.5): restored; the other eight are read, and are dead.
  for (int i = 11; i <= 18; ++i) d.back("m" + std::to_string(i), kT0 + 1h);
  d.advance(kT0 + 1h);
  EXPECT_EQ(d.engine->take_ping_requests().size(), 8u);
  for (int i = 19; i <= 26; ++i) d.ping("m" + std::to_string(i), false, kT0 + 1h + 30s);
  d.advance(kT0 + 1h + 30s);
  // Two minutes later the rest of T4 is back, but m26 says nothing.
  for (int i = 19; i <= 25; ++i) d.back("m" + std::to_string(i), kT0 + 1h + 2min);
  d.advance(kT0 + 1h + 2min);
  // At the nested grace m26 is dark on a reading older than power back at its transformer: no
  // outage yet, and it is read once more (again inside the 30 minutes).
  d.advance(kT0 + 1h + InferenceConfig{}.nested_grace + 1s);
  EXPECT_TRUE(d.active().empty()) << d.active_devices().front();
  auto again = d.engine->take_ping_requests();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(d.model.service_point(again[0].meter).id, "m26");
  // It answers dead, after that power-back: its own outage, back-dated to its last gasp.
  d.ping("m26", false, kT0 + 1h + 6min);
  d.advance(kT0 + 1h + 6min);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"premise m26"});
  EXPECT_EQ(d.only_active()->start, kT0);
}

TEST(OutageEngine, APowerOnFromAMeterNotKnownDarkBeginsTheRestorationOfThePredictionAbove) {
  // m1..m3 gasp; m4's gasp is lost: F predicted (3 of 4), probable after the settling window.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 3; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 1s);
  d.advance(kT0 + 2min);
  const OutageId fuse = d.only_active()->id;
  // m4 reports power back. A power-on says power had gone: not live evidence that F never
  // opened (which would revise it and leave m1..m3 as three premises), but one return.
  d.back("m4", kT0 + 1h);
  d.advance(kT0 + 1h);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  EXPECT_EQ(d.only_active()->id, fuse);
  // m1 back too: 2 returns against a peak of 3 dark passes restore_share (0.5): restored.
  d.back("m1", kT0 + 1h + 10s);
  d.advance(kT0 + 1h + 10s);
  EXPECT_EQ(d.engine->outage(fuse)->state, OutageState::restored);
}

TEST(OutageEngine, AnOlderPredictionBelowADeviceThatOpensStaysAnOutageOfItsOwn) {
  // F's four meters dark since kT0: F predicted, probable.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 2min);
  const OutageId fuse = d.only_active()->id;
  // Half an hour later the breaker trips and recloses two seconds later: a momentary
  // interruption, started when the breaker opened (not back-dated to F's darkness), and F's
  // outage is still there, untouched.
  d.scada("brk", SwitchState::open, SwitchCause::trip, kT0 + 30min);
  d.scada("brk", SwitchState::closed, SwitchCause::reclose, kT0 + 30min + 2s);
  d.advance(kT0 + 30min + 2s);
  const Outage* blink = nullptr;
  for (const Outage& o : d.engine->outages()) {
    if (o.device.valid() && d.model.element(o.device).id == "brk") blink = &o;
  }
  ASSERT_NE(blink, nullptr);
  EXPECT_EQ(blink->state, OutageState::momentary);
  EXPECT_EQ(blink->start, kT0 + 30min);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  EXPECT_EQ(d.only_active()->id, fuse);
  // Then it locks out: its outage counts the 62 customers F did not already have out, and F's
  // stays beside it; when the breaker closes F's outage is still F's.
  d.scada("brk", SwitchState::open, SwitchCause::lockout, kT0 + 40min);
  d.advance(kT0 + 40min);
  ASSERT_EQ(d.active_devices(), (std::vector<std::string>{"brk", "f"}));
  for (const Outage* o : d.active()) {
    if (o->id != fuse) EXPECT_EQ(o->customers_out, 62u);
  }
  d.scada("brk", SwitchState::closed, SwitchCause::manual, kT0 + 2h);
  d.advance(kT0 + 2h);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  EXPECT_EQ(d.only_active()->id, fuse);
}

TEST(OutageEngine, AConfirmedOutageStandsAgainstLiveEvidenceUntilPowerIsBack) {
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 3; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 1s);
  OutageId id = d.only_active()->id;
  OutageConfirm confirm{std::to_string(id.value()), Confirmer::crew};
  ASSERT_TRUE(d.send(kT0 + 10min, confirm).ok());
  d.advance(kT0 + 10min);
  EXPECT_EQ(d.only_active()->state, OutageState::confirmed);
  EXPECT_EQ(d.only_active()->confirmed_by, ConfirmedBy::crew);
  // A live ping below would disprove a prediction; the crew has seen this one.
  d.ping("m4", true, kT0 + 11min);
  d.advance(kT0 + 11min);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  // Power back at two of its three dark meters (restore_share 0.5): restored.
  d.back("m1", kT0 + 2h);
  d.back("m2", kT0 + 2h);
  d.advance(kT0 + 2h);
  EXPECT_EQ(d.engine->outage(id)->state, OutageState::restored);
  // Confirming what is over, or what does not exist, is refused.
  EXPECT_EQ(d.send(kT0 + 3h, confirm).error().code, ErrorCode::conflict);
  EXPECT_EQ(d.send(kT0 + 3h, OutageConfirm{"999", Confirmer::dispatcher}).error().code, ErrorCode::not_found);
  EXPECT_EQ(d.send(kT0 + 3h, OutageConfirm{"x", Confirmer::dispatcher}).error().code, ErrorCode::invalid_input);
}

// ---- calls and records ----------------------------------------------------------------------

TEST(OutageEngine, ALoneNoPowerCallIsASinglePremiseOutageThatAPingCanClear) {
  Drill d(testing::drawn_feeder());
  d.call("c12", kT0);
  d.advance(kT0 + 1s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"premise m12"});
  OutageId id = d.only_active()->id;
  auto pings = d.engine->take_ping_requests();
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(d.model.service_point(pings[0].meter).id, "m12");
  EXPECT_EQ(pings[0].reason, "customer_side");
  d.ping("m12", true, kT0 + 20s);
  d.advance(kT0 + 21s);
  EXPECT_TRUE(d.active().empty());
  EXPECT_EQ(d.engine->outage(id)->state, OutageState::customer_side);
}

TEST(OutageEngine, ACallFromAMeterReadMinutesAgoHasItReadAgainForTheCustomersSide) {
  // F out and back; m4, silent at the restoration, is read and answers live.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 2min);
  for (int i = 1; i <= 3; ++i) d.back("m" + std::to_string(i), kT0 + 1h);
  d.advance(kT0 + 1h);
  ASSERT_EQ(d.engine->take_ping_requests().size(), 1u);
  d.ping("m4", true, kT0 + 1h + 20s);
  d.advance(kT0 + 1h + 20s);
  // Ten minutes later c4 calls: no power. A call is news the last read did not have: m4 is read
  // again (its customer's own breaker, if it answers live), inside the 30 minutes.
  d.call("c4", kT0 + 1h + 10min);
  d.advance(kT0 + 1h + 10min);
  auto pings = d.engine->take_ping_requests();
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(d.model.service_point(pings[0].meter).id, "m4");
  EXPECT_EQ(pings[0].reason, "customer_side");
}

TEST(OutageEngine, ALoneLastGaspConfirmedDeadByPingStaysAnOutage) {
  Drill d(testing::drawn_feeder());
  d.call("c12", kT0);
  d.advance(kT0 + 1s);
  d.ping("m12", false, kT0 + 20s);
  d.advance(kT0 + 2min);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"premise m12"});
  EXPECT_EQ(d.only_active()->state, OutageState::probable);
}

TEST(OutageEngine, CallsInsideAPlannedOutageAreExplainedAndAFaultBesideItIsNot) {
  Drill d(testing::drawn_feeder());
  OutageRecord r;
  r.kind = RecordKind::planned;
  r.record = "PW-1";
  r.start = kT0 - 1h;
  r.end = kT0 + 3h;
  r.reason = "pole replacement";
  r.devices = {"g"};
  r.notice_at = kT0 - 10 * 24h;
  ASSERT_TRUE(d.send(kT0 - 2h, r).ok());
  for (int i = 5; i <= 8; ++i) d.call("c" + std::to_string(i), kT0 + std::chrono::minutes(i));
  for (int i = 1; i <= 3; ++i) d.gasp("m" + std::to_string(i), kT0 + 10min);
  d.advance(kT0 + 11min);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"f"});  // G's calls made nothing
  EXPECT_EQ(d.engine->counters().explained_by_record, 4u);
  EXPECT_EQ(d.engine->status_of(d.model.find_service_point("m6")).record, d.engine->records().find("PW-1")->id);
  EXPECT_FALSE(d.engine->records().find("PW-1")->late_notice);
}

TEST(OutageEngine, DarknessOutlivingItsRecordBecomesAnOutage) {
  Drill d(testing::drawn_feeder());
  OutageRecord r;
  r.kind = RecordKind::temporary;
  r.record = "TW-9";
  r.start = kT0;
  r.end = kT0 + 1h;
  r.reason = "emergency repair";
  r.customers = {"c9", "c10"};
  ASSERT_TRUE(d.send(kT0, r).ok());
  EXPECT_TRUE(d.engine->records().find("TW-9")->late_notice);  // noticed at its start, not 24 h ahead
  d.gasp("m9", kT0 + 1min);
  d.gasp("m10", kT0 + 1min);
  d.advance(kT0 + 2min);
  EXPECT_TRUE(d.active().empty());
  // Still dark after end + record_late: the work overran or something else failed.
  d.advance(kT0 + 1h + InferenceConfig{}.record_late + 1s);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"t3"});
}

TEST(OutageEngine, CancellingARecordTurnsWhatItExplainedIntoEvidence) {
  Drill d(testing::drawn_feeder());
  OutageRecord r;
  r.kind = RecordKind::planned;
  r.record = "PW-2";
  r.start = kT0;
  r.end = kT0 + 4h;
  r.reason = "maintenance";
  r.devices = {"t3"};
  ASSERT_TRUE(d.send(kT0 - 8 * 24h, r).ok());
  d.gasp("m9", kT0 + 1min);
  d.gasp("m10", kT0 + 1min);
  d.advance(kT0 + 2min);
  EXPECT_TRUE(d.active().empty());
  ASSERT_TRUE(d.send(kT0 + 3min, RecordCancel{"PW-2"}).ok());
  d.advance(kT0 + 4min);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"t3"});
  EXPECT_EQ(d.send(kT0 + 5min, RecordCancel{"nope"}).error().code, ErrorCode::conflict);
}

// ---- gateways --------------------------------------------------------------------------------

TEST(OutageEngine, AGatewayVoltageLossLandsOnTheTransformerItWatches) {
  Drill d(testing::drawn_feeder());
  Gateway g;
  g.id = "gw-garden";
  g.site = "Sunrise Garden";
  g.transformer = d.model.find_element("t3");
  ASSERT_TRUE(d.gateways.add(g).ok());
  IotAlarm alarm;
  alarm.gateway = "GW-Garden";
  alarm.kind = IotAlarmKind::voltage_loss;
  ASSERT_TRUE(d.send(kT0, alarm).ok());
  d.advance(kT0 + 1s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"t3"});
  EXPECT_EQ(d.only_active()->evidence.size(), 2u);  // one per watched meter
  EXPECT_EQ(d.only_active()->evidence[0].kind, EvidenceKind::iot_alarm);
  alarm.gateway = "gw-unknown";
  Status s = d.send(kT0, alarm);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "field 'gateway': unknown gateway 'gw-unknown'");
}

TEST(OutageEngine, APhaseLossDarkensOnlyTheMetersOnTheLostPhases) {
  NetworkModel m = testing::drawn_feeder();
  for (int i = 11; i <= 26; ++i) m.service_point(m.find_service_point("m" + std::to_string(i))).phases = i % 2 ? kPhaseA : kPhaseB;
  Drill d(std::move(m));
  Gateway g;
  g.id = "gw-park";
  g.transformer = d.model.find_element("t4");
  ASSERT_TRUE(d.gateways.add(g).ok());
  IotAlarm alarm;
  alarm.gateway = "gw-park";
  alarm.kind = IotAlarmKind::phase_loss;
  alarm.phases = kPhaseB;
  ASSERT_TRUE(d.send(kT0, alarm).ok());
  d.advance(kT0 + 1s);
  int dark = 0;
  for (int i = 11; i <= 26; ++i) dark += d.engine->status_of(d.model.find_service_point("m" + std::to_string(i))).dark;
  EXPECT_EQ(dark, 8);  // the even-numbered meters, on phase B
}

// ---- real feeders ----------------------------------------------------------------------------

TEST(OutageEngineOnIeee8500, AFuseBlowsAndSeventyPercentOfItsMetersGaspOverAMinute) {
  Drill d(testing::read_feeder("ieee8500/Run_RecloserSiting.DSS"));
  auto [fuse, below] = testing::busiest_fuse(d.model);
  ASSERT_GE(below.size(), 10u);
  int sent = 0;
  for (std::size_t i = 0; i < below.size(); ++i) {
    if (i % 10 >= 7) continue;  // 70% deliver
    d.gasp(below[i], kT0 + std::chrono::seconds(60 * i / below.size()));
    ++sent;
    if (i % 5 == 0) d.advance(kT0 + std::chrono::seconds(60 * i / below.size()));
  }
  d.advance(kT0 + 61s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{fuse});
  EXPECT_EQ(d.only_active()->evidence.size(), static_cast<std::size_t>(sent));
  d.advance(kT0 + 61s + InferenceConfig{}.settle);
  EXPECT_EQ(d.only_active()->state, OutageState::probable);
}

TEST(OutageEngineOnIeee8500, TwoLateralsOfOneFeederAreTwoOutages) {
  Drill d(testing::read_feeder("ieee8500/Run_RecloserSiting.DSS"));
  // The two fuses with the most meters, neither below the other.
  auto [a, b] = testing::two_separate_fuses(d.model);
  ASSERT_FALSE(b.empty());
  for (const std::string& fuse : {a, b}) {
    auto m = d.meters_below(fuse);
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (i % 10 < 7) d.gasp(m[i], kT0 + std::chrono::seconds(i % 60));
    }
  }
  d.advance(kT0 + 61s);
  std::vector<std::string> expected{a, b};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(d.active_devices(), expected);
}

TEST(OutageEngineOnIeee8500, ASubstationBreakerLockoutFromScadaIsOneConfirmedOutage) {
  Drill d(testing::read_feeder("ieee8500/Run_RecloserSiting.DSS"));
  d.scada("relay.subbreaker", SwitchState::open, SwitchCause::lockout, kT0);
  d.advance(kT0 + 1s);
  const Outage* o = d.only_active();
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->state, OutageState::confirmed);
  // Every customer of the feeder is below the substation relay.
  EXPECT_EQ(o->customers_out, d.model.customers().size());
  // The meters' last gasps over the next minute attach to it; no other outage appears.
  for (std::size_t i = 0; i < d.model.service_points().size(); i += 3) {
    d.gasp(std::string(d.model.service_points()[i].id), kT0 + 30s + std::chrono::milliseconds(i * 20));
  }
  d.advance(kT0 + 2min);
  EXPECT_EQ(d.active().size(), 1u);
}

TEST(OutageEngineOnIeee123, APlannedLateralExplainsItsCallsAndAFaultOnAnotherLateralIsFound) {
  Drill d(testing::read_feeder("ieee123/Run_IEEE123Bus.DSS"));
  // Line L2 (bus 1 -> 3, phase C only) feeds the lateral with loads S4c, S5c and S6c
  // (IEEE123Loads.DSS); line L12 (13 -> 34, phase C) the one with the loads at 34, 15, 16 and 17.
  auto planned = d.meters_below("line.l2");
  auto faulted = d.meters_below("line.l12");
  ASSERT_EQ(planned, (std::vector<std::string>{"s4c", "s5c", "s6c"}));
  ASSERT_GE(faulted.size(), 3u);
  OutageRecord r;
  r.kind = RecordKind::planned;
  r.record = "PW-123";
  r.start = kT0;
  r.end = kT0 + 4h;
  r.reason = "recloser installation";
  r.devices = {"line.l2"};
  r.notice_at = kT0 - 8 * 24h;
  ASSERT_TRUE(d.send(kT0 - 8 * 24h, r).ok());
  for (const std::string& m : planned) d.call(m, kT0 + 10min);  // customer ids are the load names
  for (std::size_t i = 0; i + 1 < faulted.size(); ++i) d.gasp(faulted[i], kT0 + 20min);
  d.advance(kT0 + 21min);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"line.l12"});
  EXPECT_EQ(d.engine->counters().explained_by_record, 3u);
}

TEST(OutageEngineOnIeee123, ASingleCustomersCallIsASinglePremiseOutage) {
  Drill d(testing::read_feeder("ieee123/Run_IEEE123Bus.DSS"));
  d.call("s47", kT0);
  d.advance(kT0 + 2min);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"premise s47"});
  EXPECT_EQ(d.only_active()->customers_out, 1u);
}

TEST(OutageEngine, TheSameEventsAndClockGiveTheSameOutages) {
  auto run = [] {
    Drill d(testing::drawn_feeder());
    for (int i = 1; i <= 66; i += 2) d.gasp("m" + std::to_string(i), kT0 + std::chrono::seconds(i));
    d.advance(kT0 + 30s);
    d.scada("g", SwitchState::open, SwitchCause::trip, kT0 + 40s);
    d.advance(kT0 + 5min);
    std::vector<std::string> out;
    for (const Outage& o : d.engine->outages()) {
      out.push_back(d.device_of(o) + ":" + std::string(to_string(o.state)) + ":" + std::to_string(o.customers_out));
    }
    return out;
  };
  EXPECT_EQ(run(), run());
}

TEST(OutageEngine, AnOlderPredictionRestoredWhileTheBreakerAboveIsOpenHandsItsMetersToTheBreaker) {
  // Found by the drills. F's four meters gasp (F predicted); a minute later the breaker locks
  // out, and F, older than the opening, stays its own outage with its meters (take_island).
  // Then power-on reports from m1 and m2, sent before the lock-out, arrive late: F's power had
  // come back at 2:50 (2 of 4 at restore_share 0.5), and its meters were cut off again at 3:00.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 2min);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  const OutageId fuse = d.only_active()->id;
  d.scada("brk", SwitchState::open, SwitchCause::lockout, kT0 + 3min);
  for (int i = 5; i <= 66; ++i) d.gasp("m" + std::to_string(i), kT0 + 3min);
  d.advance(kT0 + 3min + 5s);
  ASSERT_EQ(d.active_devices(), (std::vector<std::string>{"brk", "f"}));
  d.back("m1", kT0 + 2min + 50s);
  d.back("m2", kT0 + 2min + 50s);
  d.advance(kT0 + 4min);
  // F is restored when its power came back, though no evaluation reaches its dead node; its
  // four meters are the breaker's now: all 66 customers out under it, m3 and m4 dark there.
  EXPECT_EQ(d.engine->outage(fuse)->state, OutageState::restored);
  EXPECT_EQ(d.engine->outage(fuse)->restored_at, kT0 + 2min + 50s);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"brk"});
  const Outage* breaker = d.only_active();
  EXPECT_EQ(breaker->customers_out, 66u);
  for (const char* m : {"m3", "m4"}) {
    const ServicePointStatus st = d.engine->status_of(d.model.find_service_point(m));
    EXPECT_EQ(st.outage, breaker->id) << m;
  }
  // The breaker closes and every meter reports power back: nothing is left, and no outage
  // appears at T1 (F's meters' transformer), where nothing happened.
  d.scada("brk", SwitchState::closed, SwitchCause::manual, kT0 + 2h);
  d.advance(kT0 + 2h + 1s);
  for (int i = 1; i <= 66; ++i) d.back("m" + std::to_string(i), kT0 + 2h + 2s);
  d.advance(kT0 + 2h + 10s);
  d.advance(kT0 + 3h);
  EXPECT_TRUE(d.active().empty()) << ::testing::PrintToString(d.active_devices());
  EXPECT_EQ(d.engine->outages().size(), 2u) << "F and the breaker only";
}

TEST(OutageEngine, AMeterBackFromAnOlderPredictionWhileTheBreakerAboveIsOpenCountsUnderTheBreaker) {
  // As above, but only m1's late power-on arrives (1 of 4: F stays). m1 had power at 2:50 and
  // lost it with the breaker at 3:00: it is one of the breaker's customers out, not nobody's.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 2min);
  d.scada("brk", SwitchState::open, SwitchCause::lockout, kT0 + 3min);
  d.advance(kT0 + 3min + 5s);
  d.back("m1", kT0 + 2min + 50s);
  d.advance(kT0 + 4min);
  ASSERT_EQ(d.active_devices(), (std::vector<std::string>{"brk", "f"}));
  std::uint32_t out = 0;
  for (const Outage* o : d.active()) out += o->customers_out;
  EXPECT_EQ(out, 66u);  // the breaker's 62 and m1, and F's three still dark
  const ServicePointStatus m1 = d.engine->status_of(d.model.find_service_point("m1"));
  ASSERT_TRUE(m1.outage.valid());
  EXPECT_EQ(d.device_of(*d.engine->outage(m1.outage)), "brk");
}

TEST(OutageEngine, DarknessOlderThanAPowerBackBesideItIsReadWhenItWouldMakeAPredictionAgain) {
  // Found by the drills: F restored (m1 and m2 back, 2 of 4); m3's and m4's power-on reports
  // and the reads after the restoration are lost. After the nested grace their old darkness
  // makes F again. Reading only F's quiet meters, which answer live, revises F without an
  // answer from m3 and m4; when that live evidence expires (15 min) F is predicted again, and
  // so on for ever. m3 and m4 are read too, since their darkness is older than the power back
  // beside them: they answer live, and F is not predicted again.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 2min);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  d.back("m1", kT0 + 1h);
  d.back("m2", kT0 + 1h);
  d.advance(kT0 + 1h + 1s);
  ASSERT_TRUE(d.active().empty());
  (void)d.engine->take_ping_requests();  // lost
  // From here every read is answered, truthfully: the four meters have power.
  for (Timestamp t = kT0 + 1h + 1min; t <= kT0 + 3h; t += 1min) {
    d.advance(t);
    for (const PingRequest& p : d.engine->take_ping_requests()) d.ping(std::string(d.model.service_point(p.meter).id), true, t + 10s);
  }
  int again = 0;
  for (const Outage& o : d.engine->outages()) again += o.detected_at > kT0 + 1h;
  EXPECT_LE(again, 1) << "F is predicted again at most once";
  EXPECT_TRUE(d.active().empty()) << ::testing::PrintToString(d.active_devices());
}

TEST(OutageEngine, APowerOnOlderThanTheGaspOfARetripEndsTheOldOutageAndTheMeterIsOutAgain) {
  // Found by the drills: F's section is switched back on onto a second fault and trips again a
  // second later. The meters' gasps of the re-trip come at once; their power-ons of the closing
  // come a quarter of an hour later with a concentrator's batch. Power was back at 1:00 (the
  // first outage's end) and is out again since 1:00:02: a second outage, not four lit meters.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 2min);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  const OutageId first = d.only_active()->id;
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0 + 1h + 2s);
  d.advance(kT0 + 1h + 10s);
  for (int i = 1; i <= 4; ++i) d.back("m" + std::to_string(i), kT0 + 1h);
  d.advance(kT0 + 1h + 15min);
  EXPECT_EQ(d.engine->outage(first)->state, OutageState::restored);
  EXPECT_EQ(d.engine->outage(first)->restored_at, kT0 + 1h);
  ASSERT_EQ(d.active_devices(), std::vector<std::string>{"f"});
  EXPECT_NE(d.only_active()->id, first);
  EXPECT_EQ(d.only_active()->start, kT0 + 1h + 2s);
  EXPECT_EQ(d.only_active()->customers_out, 4u);
}

TEST(OutageEngine, ADarkMeterWhoseReadsWentUnansweredIsReadAgainAndItsAnswerMakesItsOutage) {
  // Found by the drills: F restored (m1..m3 back); m4, still dark, is held and read, and that
  // read is lost; its darkness is older than the power back beside it, so it is read once more
  // before it can be a premise of its own, and that read is lost too. Nothing would ever ask
  // again: m4 stayed dark in no outage for the rest of the storm. After ping_repeat_after
  // (30 min) it is read again; it answers dead, and it is an outage of its own.
  Drill d(testing::drawn_feeder());
  for (int i = 1; i <= 4; ++i) d.gasp("m" + std::to_string(i), kT0);
  d.advance(kT0 + 2min);
  for (int i = 1; i <= 3; ++i) d.back("m" + std::to_string(i), kT0 + 1h);
  d.advance(kT0 + 1h + 1s);
  ASSERT_TRUE(d.active().empty());
  auto asked_m4 = [&] {
    bool asked = false;
    for (const PingRequest& p : d.engine->take_ping_requests()) asked = asked || d.model.service_point(p.meter).id == "m4";
    return asked;
  };
  ASSERT_TRUE(asked_m4()) << "read at the restoration";  // lost
  d.advance(kT0 + 1h + InferenceConfig{}.nested_grace + 1s);
  (void)asked_m4();  // the read before it can be a premise, if asked: lost too
  d.advance(kT0 + 1h + 20min);
  EXPECT_TRUE(d.active().empty());
  EXPECT_FALSE(asked_m4()) << "not before ping_repeat_after";
  d.advance(kT0 + 1h + 40min);
  ASSERT_TRUE(asked_m4()) << "read again";
  d.ping("m4", false, kT0 + 1h + 40min + 20s);
  d.advance(kT0 + 1h + 41min);
  EXPECT_EQ(d.active_devices(), std::vector<std::string>{"premise m4"});
}

}  // namespace
}  // namespace outage

