#include "sim/drill_score.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "sim/drill_report.h"

namespace outage {
namespace {

using namespace std::chrono;

// Every drill here starts at midnight UTC on 1 July 2026 and runs four hours; times are minutes
// from the start.
const Timestamp kStart = sys_days{year{2026} / July / 1};
Timestamp at(double m) { return kStart + duration_cast<Duration>(duration<double, std::ratio<60>>(m)); }

DrillRecord four_hour_drill() {
  DrillRecord r;
  r.start = kStart;
  r.end = at(240);
  return r;
}

TruthFault sustained(int id, std::string device, double start, double cleared) {
  TruthFault f;
  f.id = id;
  f.device = std::move(device);
  f.start = at(start);
  f.cleared = at(cleared);
  return f;
}

TruthFault momentary(int id, std::string device, double start) {
  TruthFault f = sustained(id, std::move(device), start, start);
  f.momentary = true;
  return f;
}

ObservedOutage predicted(std::string device, double detected, std::string state = "probable") {
  ObservedOutage o;
  o.id = device + "@" + std::to_string(detected);
  o.device = std::move(device);
  o.level = DeviceLevel::recloser;
  o.state = std::move(state);
  o.start = o.detected_at = at(detected);
  return o;
}

// A ticket about `faults`; a negative time: not yet (kNoTime).
ObservedTicket ticket(std::string id, std::vector<int> faults, double dispatched, double arrived, double due) {
  auto maybe = [](double m) { return m < 0 ? kNoTime : at(m); };
  ObservedTicket t;
  t.id = std::move(id);
  t.faults = std::move(faults);
  t.dispatched = maybe(dispatched);
  t.arrived = maybe(arrived);
  t.arrival_due = maybe(due);
  return t;
}

CrewTrip trip(std::string ticket, double arrived, int found) {
  CrewTrip c;
  c.crew = "crew-1";
  c.ticket = std::move(ticket);
  c.arrived = arrived < 0 ? kNoTime : at(arrived);
  c.faults_found = found;
  return c;
}

EtrSample call(double asked, double etr, double restored) {
  return {at(asked), etr < 0 ? kNoTime : at(etr), restored < 0 ? kNoTime : at(restored)};
}

// Two sustained faults and a momentary one:
//   fault 1 at recloser R1, from minute 10 to 100;
//   fault 2 at transformer fuse T7, from minute 30 to 150;
//   fault 3, momentary, at recloser R2 at minute 50.
DrillRecord storm_with_two_faults() {
  DrillRecord r = four_hour_drill();
  r.faults = {sustained(1, "R1", 10, 100), sustained(2, "T7", 30, 150), momentary(3, "R2", 50)};
  return r;
}

TEST(DrillScoring, APerfectEngineScoresFullMarks) {
  DrillRecord r = storm_with_two_faults();
  // Each sustained fault predicted at its device, one and two minutes in; the blink as momentary.
  r.outages = {predicted("R1", 11), predicted("T7", 32), predicted("R2", 50, "momentary")};
  // Dispatched 5 minutes after each fault, there 30 minutes after it, within the limits.
  r.tickets = {ticket("T-1", {1}, 15, 40, 70), ticket("T-2", {2}, 35, 60, 90)};
  r.trips = {trip("T-1", 40, 1), trip("T-2", 60, 1)};
  // Every caller told exactly when the power came back.
  r.etr = {call(20, 100, 100), call(45, 150, 150)};

  DrillScore s = score(r);

  EXPECT_EQ(s.detection.faults, 2) << "the momentary fault is not one to detect";
  EXPECT_EQ(s.detection.detected, 2);
  EXPECT_EQ(s.detection.predictions, 2) << "the momentary outage is left out";
  EXPECT_DOUBLE_EQ(s.detection.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.detection.recall, 1.0);
  EXPECT_DOUBLE_EQ(*s.detection.median_delay_s, 90.0) << "delays of 60 s and 120 s";
  EXPECT_EQ(s.dispatch.faults_reached, 2);
  EXPECT_EQ(s.dispatch.faults_due, 2);
  EXPECT_DOUBLE_EQ(s.dispatch.arrivals_within_limit, 1.0);
  EXPECT_DOUBLE_EQ(*s.dispatch.median_arrival_min, 30.0);
  EXPECT_DOUBLE_EQ(*s.dispatch.median_dispatch_min, 5.0);
  EXPECT_EQ(s.dispatch.tickets, 2);
  EXPECT_EQ(s.dispatch.breaches, 0);
  EXPECT_EQ(s.dispatch.truck_rolls, 2);
  EXPECT_EQ(s.dispatch.wasted_truck_rolls, 0);
  EXPECT_EQ(s.etr.answers, 2);
  EXPECT_DOUBLE_EQ(*s.etr.mae_min, 0.0);
  EXPECT_DOUBLE_EQ(s.etr.within_30min, 1.0);
}

TEST(DrillScoring, ATicketWhosePowerCameBackBeforeItsLimitWithNobodyThereIsNoBreach) {
  DrillRecord r = storm_with_two_faults();
  // Three tickets nobody reached, limits at minute 70: one restored at minute 60 (another
  // crew's repair upstream: nobody needed to come), one at minute 80 (after its limit: its
  // customers waited past it with nobody there), one never (the limit passed in the drill).
  ObservedTicket early = ticket("T-1", {1}, -1, -1, 70), late = ticket("T-2", {1}, -1, -1, 70), never = ticket("T-3", {1}, -1, -1, 70);
  early.restored = at(60);
  late.restored = at(80);
  r.tickets = {early, late, never};

  DrillScore s = score(r);

  EXPECT_EQ(s.dispatch.tickets, 3);
  EXPECT_EQ(s.dispatch.breaches, 2) << "T-2 and T-3";
}

TEST(DrillScoring, AnEngineThatReportsNothingScoresRecallZeroAndItsMissedArrivalsCount) {
  DrillRecord r = storm_with_two_faults();
  r.faults.push_back(sustained(4, "R9", 200, 230));
  // Tickets from calls alone, never reached: the limits of faults 1 and 2 passed within the
  // drill (minutes 70 and 90), fault 4's falls after its end (minute 260), so it is not yet due.
  r.tickets = {ticket("T-1", {1}, -1, -1, 70), ticket("T-2", {2}, -1, -1, 90), ticket("T-4", {4}, -1, -1, 260)};
  r.etr = {call(20, -1, 100)};

  DrillScore s = score(r);

  EXPECT_EQ(s.detection.faults, 3);
  EXPECT_EQ(s.detection.detected, 0);
  EXPECT_DOUBLE_EQ(s.detection.recall, 0.0);
  EXPECT_DOUBLE_EQ(s.detection.precision, 0.0) << "silence when there were faults is not precise";
  EXPECT_FALSE(s.detection.median_delay_s);
  EXPECT_EQ(s.dispatch.faults_reached, 0);
  EXPECT_EQ(s.dispatch.faults_due, 2) << "faults 1 and 2; fault 4's limit is after the end";
  EXPECT_DOUBLE_EQ(s.dispatch.arrivals_within_limit, 0.0);
  EXPECT_FALSE(s.dispatch.median_arrival_min);
  EXPECT_FALSE(s.dispatch.median_dispatch_min);
  EXPECT_EQ(s.dispatch.breaches, 2);
  EXPECT_EQ(s.etr.answers, 1);
  EXPECT_EQ(s.etr.without_etr, 1);
  EXPECT_FALSE(s.etr.mae_min);
  EXPECT_DOUBLE_EQ(s.etr.within_30min, 0.0) << "a call given no ETR counts as outside";
}

TEST(DrillScoring, ADrillWithNothingToFindScoresFullMarksOnEveryShare) {
  DrillScore s = score(four_hour_drill());
  EXPECT_DOUBLE_EQ(s.detection.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.detection.recall, 1.0);
  EXPECT_DOUBLE_EQ(s.dispatch.arrivals_within_limit, 1.0);
  EXPECT_DOUBLE_EQ(s.etr.within_30min, 1.0);
  EXPECT_FALSE(s.detection.median_delay_s);
  EXPECT_FALSE(s.etr.mae_min);
}

TEST(DrillScoring, APredictionAtTheWrongDeviceIsFalseAndLeavesTheFaultUndetected) {
  DrillRecord r = four_hour_drill();
  r.faults = {sustained(1, "R1", 10, 100)};
  r.outages = {predicted("B1", 11)};  // the breaker upstream, not the recloser that opened

  DrillScore s = score(r);

  EXPECT_EQ(s.detection.predictions, 1);
  EXPECT_EQ(s.detection.false_predictions, 1);
  EXPECT_DOUBLE_EQ(s.detection.precision, 0.0);
  EXPECT_EQ(s.detection.detected, 0);
  EXPECT_DOUBLE_EQ(s.detection.recall, 0.0);
}

TEST(DrillScoring, ADetectionCountsFromAMinuteBeforeTheFaultToItsClearing) {
  DrillRecord r = four_hour_drill();
  // Fault 1 from minute 10 to 100; fault 2 from minute 120, never cleared (its window runs to
  // the end, minute 240).
  r.faults = {sustained(1, "R1", 10, 100), sustained(2, "R2", 120, 0)};
  r.faults[1].cleared = kNoTime;
  r.outages = {
      predicted("R1", 8.5),  // 90 s early: before the grace minute, a false prediction
      predicted("R1", 101),  // after the clearing: false
      predicted("R1", 9.5),  // 30 s early: within the grace, detects fault 1 with no delay
      predicted("R2", 239),  // before the end: detects fault 2
  };

  DrillScore s = score(r);

  EXPECT_EQ(s.detection.detected, 2);
  EXPECT_EQ(s.detection.predictions, 4);
  EXPECT_EQ(s.detection.false_predictions, 2);
  EXPECT_DOUBLE_EQ(s.detection.precision, 0.5);
  // Delays: fault 1 clamped to 0 s, fault 2 119 min = 7140 s; the median of two is their mean.
  EXPECT_DOUBLE_EQ(*s.detection.median_delay_s, 3570.0);
}

TEST(DrillScoring, AnOutageThatGoesOnWhenItsSectionTripsAgainOntoASecondFaultDetectsThatToo) {
  // Fault 1 at R1 from minute 10 to 100; switched back on at 100, R1 trips a second later onto
  // fault 2 (to minute 160). Its customers never saw the power: the outage detected at minute
  // 12 goes on to 160 and detects both, fault 2 with no delay.
  DrillRecord r = four_hour_drill();
  r.faults = {sustained(1, "R1", 10, 100), sustained(2, "R1", 100 + 1.0 / 60, 160)};
  ObservedOutage goes_on = predicted("R1", 12, "restored");
  goes_on.restored_at = at(160);
  r.outages = {goes_on};
  DrillScore s = score(r);
  EXPECT_EQ(s.detection.detected, 2);
  EXPECT_EQ(s.detection.false_predictions, 0);
  // Delays 120 s and 0 s: their mean.
  EXPECT_DOUBLE_EQ(*s.detection.median_delay_s, 60.0);

  // Ended at the first clearing, it saw nothing of the second fault.
  r.outages[0].restored_at = at(100);
  EXPECT_EQ(score(r).detection.detected, 1);
  // Nor does an outage made before a fault it did not follow: a second fault at R1 half an
  // hour after the first was cleared is another story.
  r.outages[0].restored_at = at(200);
  r.faults[1].start = at(130);
  EXPECT_EQ(score(r).detection.detected, 1);
}

TEST(DrillScoring, MomentaryCustomerSideAndMergedOutagesDoNotCountAgainstPrecision) {
  DrillRecord r = four_hour_drill();
  r.faults = {sustained(1, "R1", 10, 100)};
  ObservedOutage premise = predicted("", 40, "customer_side");
  r.outages = {
      predicted("R1", 12),
      predicted("R2", 20, "momentary"),  // a blink elsewhere, rightly called momentary
      premise,                           // a single premise's own fault
      predicted("F3", 13, "merged"),     // folded into the outage at R1
  };

  DrillScore s = score(r);

  EXPECT_EQ(s.detection.predictions, 1);
  EXPECT_EQ(s.detection.false_predictions, 0);
  EXPECT_DOUBLE_EQ(s.detection.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.detection.recall, 1.0);
}

TEST(DrillScoring, AnOutageAtTheOnlyPremiseOfATransformerIsThatTransformersOutage) {
  // On the 8500-node feeder every service transformer feeds one meter: a single-premise
  // prediction there names the same customers as the transformer, and nothing tells them apart.
  DrillRecord r = four_hour_drill();
  TruthFault f = sustained(0, "transformer.t1", 30, 90);
  f.premise = "m1";
  r.faults = {f};
  ObservedOutage premise = predicted("", 31);
  premise.meter = "m1";
  ObservedOutage elsewhere = predicted("", 32);
  elsewhere.meter = "m2";  // another premise: a false prediction
  r.outages = {premise, elsewhere};
  DrillScore s = score(r);
  EXPECT_EQ(s.detection.detected, 1);
  EXPECT_DOUBLE_EQ(s.detection.recall, 1.0);
  EXPECT_EQ(s.detection.predictions, 2);
  EXPECT_EQ(s.detection.false_predictions, 1);
}

TEST(DrillScoring, AnOutageCountsOncePerIdHoweverManyDevicesItNamedAsItGrew) {
  // A fuse's outage that rolled up to the breaker is one prediction: right, through its fuse
  // stage. A second outage that named two wrong devices is one wrong prediction, not two.
  DrillRecord r = four_hour_drill();
  r.faults = {sustained(0, "fuse.f1", 30, 90)};
  ObservedOutage fuse_stage = predicted("fuse.f1", 31, "superseded");
  fuse_stage.id = "7";
  ObservedOutage breaker_stage = predicted("breaker.b1", 40, "restored");
  breaker_stage.id = "7";
  ObservedOutage wrong1 = predicted("fuse.f2", 50, "superseded");
  wrong1.id = "8";
  ObservedOutage wrong2 = predicted("fuse.f3", 55, "restored");
  wrong2.id = "8";
  r.outages = {fuse_stage, breaker_stage, wrong1, wrong2};
  DrillScore s = score(r);
  EXPECT_EQ(s.detection.predictions, 2);
  EXPECT_EQ(s.detection.false_predictions, 1);
  EXPECT_DOUBLE_EQ(s.detection.precision, 0.5);
  EXPECT_DOUBLE_EQ(s.detection.recall, 1.0);
}

TEST(DrillScoring, AFaultsArrivalIsTheCrewThatFoundItAgainstItsTicketsLimit) {
  // Two faults: the first found by a crew 30 min after it started, its ticket due at 45 min;
  // the second found at 100 min, on a ticket due at 80: one arrival in two within the limit.
  DrillRecord r = four_hour_drill();
  TruthFault a = sustained(0, "fuse.f1", 10, 120);
  a.dispatched = at(20);
  a.reached = at(40);
  a.reached_due = at(55);
  TruthFault b = sustained(1, "fuse.f2", 20, 200);
  b.dispatched = at(60);
  b.reached = at(120);
  b.reached_due = at(100);
  r.faults = {a, b};
  DrillScore s = score(r);
  EXPECT_EQ(s.dispatch.faults_reached, 2);
  EXPECT_DOUBLE_EQ(s.dispatch.arrivals_within_limit, 0.5);
  ASSERT_TRUE(s.dispatch.median_arrival_min);
  EXPECT_DOUBLE_EQ(*s.dispatch.median_arrival_min, (30.0 + 100.0) / 2);  // 40 - 10, 120 - 20
  ASSERT_TRUE(s.dispatch.median_dispatch_min);
  EXPECT_DOUBLE_EQ(*s.dispatch.median_dispatch_min, (10.0 + 40.0) / 2);  // 20 - 10, 60 - 20
}

TEST(DrillScoring, DelayIsFromTheEarliestMatchingDetection) {
  DrillRecord r = four_hour_drill();
  r.faults = {sustained(1, "R1", 10, 100)};
  r.outages = {
      predicted("R1", 15, "restored"),
      predicted("R1", 12, "revised"),  // the earliest at the right device: 2 minutes in
      predicted("B1", 10.5),           // earlier, but at the wrong device
  };

  DrillScore s = score(r);

  EXPECT_DOUBLE_EQ(*s.detection.median_delay_s, 120.0);
}

TEST(DrillScoring, MediansOfAnEvenCountAreTheMeanOfTheTwoMiddleValues) {
  DrillRecord r = four_hour_drill();
  r.faults = {sustained(1, "A", 10, 200), sustained(2, "B", 10, 200), sustained(3, "C", 10, 200),
              sustained(4, "D", 10, 200)};
  // Detection delays 0.5, 1, 2 and 10 minutes: the middle two are 60 s and 120 s.
  r.outages = {predicted("A", 10.5), predicted("B", 11), predicted("C", 12), predicted("D", 20)};
  // Arrivals 20, 30, 50 and 90 minutes after the faults: the middle two are 30 and 50.
  r.tickets = {ticket("T-A", {1}, 11, 30, -1), ticket("T-B", {2}, 11, 40, -1), ticket("T-C", {3}, 11, 60, -1),
               ticket("T-D", {4}, 11, 100, -1)};

  DrillScore s = score(r);

  EXPECT_DOUBLE_EQ(*s.detection.median_delay_s, 90.0);
  EXPECT_DOUBLE_EQ(*s.dispatch.median_arrival_min, 40.0);
  EXPECT_DOUBLE_EQ(*s.dispatch.median_dispatch_min, 1.0);
  EXPECT_DOUBLE_EQ(s.dispatch.arrivals_within_limit, 1.0) << "no limit committed: within";
}

TEST(DrillScoring, ALateArrivalIsABreachAndOutsideTheLimit) {
  DrillRecord r = four_hour_drill();
  r.faults = {sustained(1, "R1", 10, 200), sustained(2, "R2", 20, 200)};
  r.tickets = {
      ticket("T-1", {1}, 15, 80, 70),   // ten minutes late: a breach, and fault 1 reached outside
      ticket("T-2", {2}, 25, 60, 90),   // in time
      ticket("T-3", {}, -1, -1, -1),    // no limit committed and nobody went: no breach
      ticket("T-4", {2}, -1, -1, 100),  // its limit passed with nobody there: a breach
  };

  DrillScore s = score(r);

  EXPECT_EQ(s.dispatch.tickets, 4);
  EXPECT_EQ(s.dispatch.breaches, 2);
  EXPECT_EQ(s.dispatch.faults_reached, 2);
  EXPECT_EQ(s.dispatch.faults_due, 2);
  EXPECT_DOUBLE_EQ(s.dispatch.arrivals_within_limit, 0.5) << "fault 2's first arrival, T-2, was in time";
  EXPECT_DOUBLE_EQ(*s.dispatch.median_arrival_min, 55.0) << "70 and 40 minutes";
}

TEST(DrillScoring, TheBreachFloorIsWhatNoOrderOfTheSameVisitsCouldHaveAvoided) {
  // One crew, three tickets accepted at minute 0, due at 45, each an hour's repair. The crew
  // took them in turn and arrived at 10, 75 and 140: two breaches. However it had gone, its
  // second start is an hour after its first: two is the floor too.
  DrillRecord r = four_hour_drill();
  r.crews = 1;
  r.reaction = std::chrono::minutes(1);
  for (int k = 0; k < 3; ++k) {
    ObservedTicket t = ticket(fmt::format("T-{}", k), {}, 0, 10 + 65 * k, 45);
    t.accepted = at(0);
    r.tickets.push_back(t);
    CrewTrip c = trip(t.id, 10 + 65 * k, 1);
    c.done = at(70 + 65 * k);
    r.trips.push_back(c);
  }
  DrillScore s = score(r);
  EXPECT_EQ(s.dispatch.breaches, 2);
  ASSERT_TRUE(s.dispatch.breach_floor.has_value());
  EXPECT_EQ(*s.dispatch.breach_floor, 2);
  // Two crews: one breach was avoidable.
  r.crews = 2;
  EXPECT_EQ(*score(r).dispatch.breach_floor, 1);
  // A record that does not say how many crews there were has no floor.
  r.crews = 0;
  EXPECT_FALSE(score(r).dispatch.breach_floor.has_value());
}

TEST(DrillScoring, ATripThatFindsNothingIsAWastedRoll) {
  DrillRecord r = four_hour_drill();
  r.trips = {
      trip("T-1", 40, 1),  // found its fault
      trip("T-2", 50, 0),  // found nothing: wasted
      trip("T-3", -1, 0),  // still on the road at the end: not (yet) wasted
  };

  DrillScore s = score(r);

  EXPECT_EQ(s.dispatch.truck_rolls, 3);
  EXPECT_EQ(s.dispatch.wasted_truck_rolls, 1);
}

TEST(DrillScoring, EtrErrorIsMeanAbsoluteOverCallsLaterRestored) {
  DrillRecord r = four_hour_drill();
  r.etr = {
      call(10, 120, 100),  // 20 minutes late: within 30
      call(10, 60, 100),   // 40 minutes early: outside
      call(10, -1, 100),   // no ETR given: outside, and no error to average
      call(10, 300, -1),   // still out at the end: not scored
  };

  DrillScore s = score(r);

  EXPECT_EQ(s.etr.answers, 3);
  EXPECT_EQ(s.etr.without_etr, 1);
  EXPECT_DOUBLE_EQ(*s.etr.mae_min, 30.0) << "(20 + 40) / 2";
  EXPECT_DOUBLE_EQ(s.etr.within_30min, 1.0 / 3.0);
}

TEST(DrillScoring, ReliabilityIndicesComeFromTheInterruptionCounts) {
  DrillRecord r = four_hour_drill();
  // 1000 customers; 250 customer interruptions lasting 22 500 customer-minutes; 400 blinks.
  r.interruptions = {1000, 250, 22'500, 400};

  DrillScore s = score(r);

  EXPECT_DOUBLE_EQ(s.reliability.saifi, 0.25);  // 250 / 1000
  EXPECT_DOUBLE_EQ(s.reliability.saidi, 22.5);  // 22 500 / 1000
  EXPECT_DOUBLE_EQ(s.reliability.caidi, 90.0);  // 22 500 / 250 = SAIDI / SAIFI
  EXPECT_DOUBLE_EQ(s.reliability.maifi, 0.4);   // 400 / 1000
  EXPECT_EQ(s.customers_interrupted, 250u);
  EXPECT_DOUBLE_EQ(s.customer_minutes, 22'500.0);
}

TEST(DrillScoring, ReliabilityIndicesAreZeroWithNoCustomersOrNoInterruptions) {
  DrillRecord none = four_hour_drill();
  none.interruptions = {0, 0, 0, 0};
  DrillScore s = score(none);
  EXPECT_DOUBLE_EQ(s.reliability.saifi, 0.0);
  EXPECT_DOUBLE_EQ(s.reliability.caidi, 0.0);

  DrillRecord calm = four_hour_drill();
  calm.interruptions = {1000, 0, 0, 20};
  s = score(calm);
  EXPECT_DOUBLE_EQ(s.reliability.caidi, 0.0) << "no sustained interruption: no duration to average";
  EXPECT_DOUBLE_EQ(s.reliability.maifi, 0.02);
}

DrillReport two_fault_report() {
  DrillRecord perfect = storm_with_two_faults();
  perfect.outages = {predicted("R1", 11), predicted("T7", 32)};
  perfect.tickets = {ticket("T-1", {1}, 15, 40, 70), ticket("T-2", {2}, 35, 60, 90)};
  perfect.interruptions = {1000, 250, 22'500, 400};
  DrillRecord silent = storm_with_two_faults();

  DrillReport report;
  report.scenario = "two faults";
  report.model = "ieee13";
  report.seed = 7;
  report.start = kStart;
  report.end = at(240);
  report.mode = "in-process";
  report.dispatcher = "nearest_idle";
  report.events[static_cast<int>(EventType::meter_power_off)] = 120;
  report.events[static_cast<int>(EventType::call_report)] = 9;
  report.faults = 3;
  report.momentary_faults = 1;
  report.system = score(perfect);
  report.baselines = {{"calls_only", score(silent)}};
  for (int m = 0; m <= 240; ++m) {
    const std::uint64_t truth = (m >= 10 && m < 100 ? 300 : 0) + (m >= 30 && m < 150 ? 25 : 0);
    report.out.push_back({at(m), truth, m >= 12 ? truth : 0});
  }
  return report;
}

TEST(DrillReporting, JsonCarriesEveryScoreKeyForTheSystemAndEachBaseline) {
  const nlohmann::json j = report_json(two_fault_report());

  const std::vector<std::string> keys = {
      "/detection/precision",          "/detection/recall",       "/detection/median_delay_s",
      "/dispatch/arrivals_within_limit", "/dispatch/median_arrival_min", "/dispatch/breach_floor",
      "/etr/mae_min",
      "/etr/within_30min",             "/reliability/saifi",      "/reliability/saidi",
      "/reliability/caidi",            "/reliability/maifi",      "/customers_interrupted",
      "/customer_minutes",
  };
  for (const std::string& key : keys) {
    EXPECT_TRUE(j.contains(nlohmann::json::json_pointer(key))) << key;
    EXPECT_TRUE(j.contains(nlohmann::json::json_pointer("/baselines/calls_only" + key))) << key;
  }
  EXPECT_EQ(j["scenario"], "two faults");
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["start"], "2026-07-01T00:00:00Z");
  EXPECT_EQ(j["end"], "2026-07-01T04:00:00Z");
  EXPECT_EQ(j["events"], (nlohmann::json{{"meter.power_off", 120}, {"call.report", 9}})) << "only types sent";
  EXPECT_EQ(j["faults"], (nlohmann::json{{"total", 3}, {"momentary", 1}}));
  EXPECT_EQ(j["detection"]["recall"], 1.0);
  EXPECT_EQ(j["reliability"]["caidi"], 90.0);
  EXPECT_TRUE(j["baselines"]["calls_only"]["detection"]["median_delay_s"].is_null()) << "nothing detected";
  ASSERT_EQ(j["customers_out"].size(), 241u);
  EXPECT_EQ(j["customers_out"][10], (nlohmann::json{10.0, 300, 0}));
}

TEST(DrillReporting, SvgIsOneSvgElementWithTwoPolylines) {
  const std::string svg = report_svg(two_fault_report());

  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  std::size_t polylines = 0;
  for (std::size_t p = svg.find("<polyline"); p != std::string::npos; p = svg.find("<polyline", p + 1)) ++polylines;
  EXPECT_EQ(polylines, 2u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(DrillReporting, TableNamesTheDrillAndHasAColumnPerBaseline) {
  const std::string table = report_table(two_fault_report());

  EXPECT_NE(table.find("two faults"), std::string::npos);
  EXPECT_NE(table.find("seed 7"), std::string::npos);
  EXPECT_NE(table.find("calls_only"), std::string::npos);
  EXPECT_NE(table.find("█"), std::string::npos) << "the sparkline reaches its peak";
}

}  // namespace
}  // namespace outage
