// TicketDesk through the ControlRoom (the engine and the desk on one event stream), on the drawn
// feeder of tests/feeds/drawn_feeder.h, where every expectation follows from the drawing:
// fuse F feeds m1..m4, fuse G m5..m8, transformer T4 m11..m26; one customer cN per meter mN.
#include "dispatch/ticket_desk.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>

#include "dispatch/control_room.h"
#include "tests/feeds/drawn_feeder.h"
#include "tests/feeds/make_event.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23).time_since_epoch()) + 8h;
const Duration kSettle = InferenceConfig{}.settle;  // 60 s

NetworkModel edited(const std::function<void(NetworkModel&)>& edit) {
  NetworkModel m = testing::drawn_feeder();
  if (edit) edit(m);
  return m;
}

struct Room {
  NetworkModel model;
  ControlRoom room;
  int next = 0;

  // `edit` changes the drawn feeder before the room is built on it.
  explicit Room(const std::function<void(NetworkModel&)>& edit = {}, ServiceAreas areas = ServiceAreas())
      : model(edited(edit)), room(model, InferenceConfig{}, nullptr, TicketRules{}, std::move(areas)) {}

  Status send(Timestamp t, EventPayload payload, std::string source = "test") {
    ++next;
    return room.apply(testing::make_event("e" + std::to_string(next), t, std::move(payload), std::move(source)), t, next);
  }
  void gasp(int meter, Timestamp t) { ASSERT_TRUE(send(t, MeterPowerOff{"m" + std::to_string(meter)}).ok()); }
  void back(int meter, Timestamp t) { ASSERT_TRUE(send(t, MeterPowerOn{"m" + std::to_string(meter)}).ok()); }
  void call(int customer, Timestamp t, Symptom symptom = Symptom::no_power, std::string contact = "") {
    CallReport c;
    c.customer = "c" + std::to_string(customer);
    c.symptom = symptom;
    c.contact = std::move(contact);
    ASSERT_TRUE(send(t, c).ok());
  }
  Status crew(const std::string& crew, CrewState state, TicketId ticket, Timestamp t,
              std::optional<Timestamp> etr = std::nullopt) {
    CrewStatus s;
    s.crew = crew;
    s.status = state;
    if (ticket.valid()) s.ticket = std::to_string(ticket.value());
    s.etr = etr;
    return send(t, s);
  }
  void advance(Timestamp t) { room.advance(t); }

  // Fuse F blows at `t`: three of its four meters gasp (3 of 4 >= 0.3, 3 >= 2), and the time
  // passes the settling window, so the outage is probable and has its ticket.
  OutageId blow_f(Timestamp t) {
    for (int m : {1, 2, 3}) gasp(m, t);
    advance(t + 1s);
    advance(t + 1s + kSettle + 1s);
    auto active = room.engine().active_outages();
    EXPECT_EQ(active.size(), 1u);
    return active.empty() ? OutageId() : active.front();
  }
  std::vector<const Ticket*> open_tickets() const {
    std::vector<const Ticket*> out;
    for (const Ticket& t : room.desk().tickets()) {
      if (is_open(t.state)) out.push_back(&t);
    }
    return out;
  }
};

TEST(TicketDesk, AFaultMakesOneRepairTicketOnceItOutlivesTheSettlingWindow) {
  Room r;
  for (int m : {1, 2, 3}) r.gasp(m, kT0);
  r.advance(kT0 + 1s);
  // Unconfirmed: could still be momentary, so no ticket yet.
  EXPECT_TRUE(r.room.desk().tickets().empty());
  r.advance(kT0 + 1s + kSettle + 1s);
  ASSERT_EQ(r.open_tickets().size(), 1u);
  const Ticket& t = *r.open_tickets().front();
  EXPECT_EQ(t.kind, TicketKind::repair);
  EXPECT_EQ(t.origin, TicketOrigin::outage);
  EXPECT_EQ(r.model.element(t.device).id, "f");
  EXPECT_EQ(t.customers, 4u);  // F feeds four customers
  EXPECT_EQ(t.state, TicketState::accepted);
  // Accepted when the outage became probable: detected when the gasps came in (kT0), plus the
  // settling window.
  EXPECT_EQ(t.accepted, kT0 + kSettle);
  // Routing: 5 minutes from acceptance; arrival: 45 (the default urban area).
  EXPECT_EQ(t.route.due, t.accepted + 5min);
  EXPECT_EQ(t.arrival.due, t.accepted + 45min);
}

TEST(TicketDesk, TwoHundredCallsAboutOneFaultMakeOneTicket) {
  Room r;
  OutageId f = r.blow_f(kT0);
  // Customers c1..c4 are below F; each calls fifty times (redials), some before the ticket.
  for (int i = 0; i < 200; ++i) r.call(1 + i % 4, kT0 + 2min + std::chrono::seconds(i), Symptom::no_power, "contact " + std::to_string(i % 4));
  r.advance(kT0 + 10min);
  ASSERT_EQ(r.open_tickets().size(), 1u);
  const Ticket& t = *r.open_tickets().front();
  EXPECT_EQ(t.outage, f);
  EXPECT_EQ(t.calls.size(), 200u);
  // The follow-up calls each caller back once.
  FollowUp follow = r.room.desk().follow_up(r.room.engine(), t.id);
  EXPECT_EQ(follow.call_back.size(), 4u);
}

TEST(TicketDesk, CallsBeforeTheTicketWaitForIt) {
  Room r;
  for (int m : {1, 2, 3}) r.gasp(m, kT0);
  r.advance(kT0 + 1s);
  r.call(4, kT0 + 10s);  // m4 (c4) calls while the outage is still unconfirmed
  r.advance(kT0 + 1s + kSettle + 1s);
  ASSERT_EQ(r.open_tickets().size(), 1u);
  EXPECT_EQ(r.open_tickets().front()->calls.size(), 1u);
}

TEST(TicketDesk, AMomentaryInterruptionMakesNoTicket) {
  Room r;
  for (int m : {1, 2, 3}) r.gasp(m, kT0);
  r.advance(kT0 + 1s);
  for (int m : {1, 2, 3}) r.back(m, kT0 + 20s);  // back inside the settling window
  r.advance(kT0 + 21s);
  r.advance(kT0 + 5min);
  EXPECT_TRUE(r.room.desk().tickets().empty());
}

TEST(TicketDesk, ACallInsideAPlannedOutageMakesNoTicket) {
  Room r;
  OutageRecord planned;
  planned.kind = RecordKind::planned;
  planned.record = "pw-1";
  planned.start = kT0;
  planned.end = kT0 + 4h;
  planned.reason = "line maintenance";
  planned.devices = {"g"};  // G feeds m5..m8
  planned.notice_at = kT0 - 8 * 24h;
  ASSERT_TRUE(r.send(kT0 - 8 * 24h, planned).ok());
  for (int c : {5, 6, 7, 8}) r.call(c, kT0 + 5min);
  r.advance(kT0 + 6min);
  r.advance(kT0 + 30min);
  EXPECT_TRUE(r.room.desk().tickets().empty());
}

TEST(TicketDesk, AHazardCallMakesAnEmergencyTicketAtOnceOutageOrNot) {
  Room r;
  // No outage at m30: a wire down is an emergency anyway, without waiting for any window.
  r.call(30, kT0, Symptom::wire_down, "13800000030");
  ASSERT_EQ(r.open_tickets().size(), 1u);
  const Ticket& t = *r.open_tickets().front();
  EXPECT_TRUE(t.emergency);
  EXPECT_EQ(t.origin, TicketOrigin::hazard_call);
  EXPECT_EQ(t.accepted, kT0);
  EXPECT_EQ(t.contact, "13800000030");
}

TEST(TicketDesk, AHazardInsideAnOutageMarksItsTicketNotASecondOne) {
  Room r;
  OutageId f = r.blow_f(kT0);
  r.call(2, kT0 + 3min, Symptom::fire);
  ASSERT_EQ(r.open_tickets().size(), 1u);
  EXPECT_TRUE(r.open_tickets().front()->emergency);
  EXPECT_EQ(r.open_tickets().front()->outage, f);
}

TEST(TicketDesk, AHazardTicketACrewIsAlreadyWorkingBecomesTheTicketOfTheOutageFoundThereLater) {
  // Found by the drills: a wire down at m1 before any meter said anything; a crew goes and
  // starts on it. When F's meters gasp, F's outage is the same fault: it takes the hazard's
  // ticket, crew and all, and makes no second ticket for another crew to patrol.
  Room r;
  r.call(1, kT0, Symptom::wire_down);
  ASSERT_EQ(r.open_tickets().size(), 1u);
  const TicketId hazard = r.open_tickets().front()->id;
  ASSERT_TRUE(r.crew("crew-1", CrewState::en_route, hazard, kT0 + 2min).ok());
  ASSERT_TRUE(r.crew("crew-1", CrewState::on_site, hazard, kT0 + 20min).ok());
  const OutageId f = r.blow_f(kT0 + 30min);
  ASSERT_EQ(r.open_tickets().size(), 1u);
  const Ticket& t = *r.open_tickets().front();
  EXPECT_EQ(t.id, hazard);
  EXPECT_EQ(t.outage, f);
  EXPECT_EQ(t.crew, "crew-1");
}

TEST(TicketDesk, AnEmergencyComesFirstThenCriticalCustomers) {
  // c5 (below G) is a hospital.
  Room r([](NetworkModel& m) { m.customer(m.find_customer("c5")).customer_class = CustomerClass::critical; });
  // F (4 residential customers) first, then G with the hospital, then a wire down at m40.
  r.blow_f(kT0);
  for (int m : {5, 6, 7}) r.gasp(m, kT0 + 2min);
  r.advance(kT0 + 2min + 1s);
  r.advance(kT0 + 2min + 62s);
  r.call(40, kT0 + 4min, Symptom::wire_down);
  r.advance(kT0 + 4min + 1s);
  std::vector<TicketId> queue = r.room.desk().queue();
  ASSERT_EQ(queue.size(), 3u);
  const auto& tickets = r.room.desk().tickets();
  EXPECT_TRUE(tickets[queue[0].value()].emergency);
  EXPECT_EQ(r.model.element(tickets[queue[1].value()].device).id, "g");
  EXPECT_EQ(tickets[queue[1].value()].priority, TicketPriority::critical);
  EXPECT_EQ(r.model.element(tickets[queue[2].value()].device).id, "f");
  EXPECT_EQ(tickets[queue[2].value()].priority, TicketPriority::normal);
}

TEST(TicketDesk, ClocksGoAtRiskThenBreachWhenNobodyTakesTheTicket) {
  Room r;
  r.blow_f(kT0);
  const Ticket& t = *r.open_tickets().front();
  const Timestamp accepted = t.accepted;
  r.advance(accepted + 3min);  // 2 of 5 minutes left: more than a fifth
  EXPECT_FALSE(t.route.at_risk);
  EXPECT_FALSE(t.route.breached);
  r.advance(accepted + 4min + 30s);  // 30 s left: under a fifth (60 s)
  EXPECT_TRUE(r.room.desk().ticket(t.id)->route.at_risk);
  r.advance(accepted + 5min + 1s);
  EXPECT_TRUE(r.room.desk().ticket(t.id)->route.breached);
  EXPECT_FALSE(r.room.desk().ticket(t.id)->arrival.breached);
  r.advance(accepted + 45min + 1s);
  EXPECT_TRUE(r.room.desk().ticket(t.id)->arrival.breached);
}

TEST(TicketDesk, ACrewTakingTheTicketInTimeMeetsTheClocks) {
  Room r;
  r.blow_f(kT0);
  TicketId id = r.open_tickets().front()->id;
  const Timestamp accepted = r.room.desk().ticket(id)->accepted;
  ASSERT_TRUE(r.crew("crew-1", CrewState::en_route, id, accepted + 2min).ok());
  ASSERT_TRUE(r.crew("crew-1", CrewState::on_site, id, accepted + 30min).ok());
  r.advance(accepted + 50min);
  const Ticket& t = *r.room.desk().ticket(id);
  EXPECT_EQ(t.state, TicketState::arrived);
  EXPECT_EQ(t.routed, accepted + 2min);
  EXPECT_EQ(t.dispatched, accepted + 2min);
  EXPECT_EQ(t.arrived, accepted + 30min);
  EXPECT_FALSE(t.route.breached);
  EXPECT_FALSE(t.arrival.breached);
  EXPECT_EQ(t.crew, "crew-1");
}

// The breaker locks out at kT0: all 66 customers out, a confirmed outage and its ticket at once.
TicketId lock_out_the_breaker(Room& r) {
  EXPECT_TRUE(r.send(kT0, ScadaSwitch{"brk", SwitchState::open, SwitchCause::lockout}).ok());
  r.advance(kT0 + 1s);
  EXPECT_EQ(r.open_tickets().size(), 1u);
  return r.open_tickets().empty() ? TicketId() : r.open_tickets().front()->id;
}

std::vector<const Ticket*> assists_of(const Room& r, TicketId id) {
  std::vector<const Ticket*> out;
  for (const Ticket* t : r.open_tickets()) {
    if (t->origin == TicketOrigin::assist && t->assisting == id) out.push_back(t);
  }
  return out;
}

TEST(TicketDesk, ALargeOutagesCrewInForALongRepairGetsAnAssist) {
  Room r;
  const TicketId id = lock_out_the_breaker(r);
  ASSERT_TRUE(r.crew("crew-1", CrewState::en_route, id, kT0 + 2min).ok());
  ASSERT_TRUE(r.crew("crew-1", CrewState::on_site, id, kT0 + 20min).ok());
  r.advance(kT0 + 21min);
  EXPECT_TRUE(assists_of(r, id).empty()) << "no estimate from the crew yet";
  // Its estimate: four hours. 66 customers out (>= 50) and the crew busy for more than an hour
  // longer: an assist for another crew, about the same device, with no arrival limit of its own.
  ASSERT_TRUE(r.crew("crew-1", CrewState::on_site, id, kT0 + 35min, kT0 + 4h).ok());
  r.advance(kT0 + 35min);
  auto assists = assists_of(r, id);
  ASSERT_EQ(assists.size(), 1u);
  const TicketId assist = assists[0]->id;
  EXPECT_EQ(assists[0]->device, r.room.desk().ticket(id)->device);
  EXPECT_EQ(assists[0]->customers, 66u);
  EXPECT_EQ(assists[0]->arrival.due, kNoTime);
  // A second crew takes it and works; no further assist.
  ASSERT_TRUE(r.crew("crew-2", CrewState::on_site, assist, kT0 + 50min).ok());
  r.advance(kT0 + 51min);
  EXPECT_EQ(assists_of(r, id).size(), 1u);
  // Its repair done, the assist is over; the ticket it helped goes on with crew-1, and gets no
  // second assist (max_assists: 1 in its life), crew-1's estimate notwithstanding.
  ASSERT_TRUE(r.crew("crew-2", CrewState::repaired, assist, kT0 + 2h).ok());
  r.advance(kT0 + 2h);
  EXPECT_FALSE(is_open(r.room.desk().ticket(assist)->state));
  EXPECT_TRUE(is_open(r.room.desk().ticket(id)->state));
  EXPECT_EQ(r.room.desk().ticket(id)->crew, "crew-1");
  r.advance(kT0 + 2h + 1min);
  EXPECT_TRUE(assists_of(r, id).empty());
}

TEST(TicketDesk, NoAssistForASmallOutageOrAShortRepair) {
  Room r;
  // F's outage (3 customers out): however long the repair, no assist.
  r.blow_f(kT0);
  const TicketId f = r.open_tickets().front()->id;
  ASSERT_TRUE(r.crew("crew-1", CrewState::on_site, f, kT0 + 20min, kT0 + 6h).ok());
  r.advance(kT0 + 21min);
  EXPECT_TRUE(assists_of(r, f).empty());
  // The breaker's 66-customer outage whose crew expects to finish within the hour: none either.
  Room big;
  const TicketId id = lock_out_the_breaker(big);
  ASSERT_TRUE(big.crew("crew-1", CrewState::on_site, id, kT0 + 20min, kT0 + 75min).ok());
  big.advance(kT0 + 21min);
  EXPECT_TRUE(assists_of(big, id).empty());
}

TEST(TicketDesk, RestorationClosesTheTicketOnceTheCrewIsDoneAndLeavesAFollowUp) {
  Room r;
  r.blow_f(kT0);
  r.call(1, kT0 + 2min, Symptom::no_power, "13800000001");
  r.advance(kT0 + 3min);
  TicketId id = r.open_tickets().front()->id;
  ASSERT_TRUE(r.crew("crew-1", CrewState::on_site, id, kT0 + 20min).ok());
  // The crew replaces the fuse: m1..m3 report power back (all of F's dark points).
  for (int m : {1, 2, 3}) r.back(m, kT0 + 90min);
  r.advance(kT0 + 90min + 1s);
  EXPECT_EQ(r.room.desk().ticket(id)->state, TicketState::restored);
  ASSERT_TRUE(r.crew("crew-1", CrewState::repaired, TicketId(), kT0 + 95min).ok());
  const Ticket& t = *r.room.desk().ticket(id);
  EXPECT_EQ(t.state, TicketState::closed);
  EXPECT_EQ(t.restored, kT0 + 90min);
  // The repair took 70 minutes on site: the ETR model has learnt one fuse repair.
  EXPECT_EQ(r.room.desk().etr_model().history(DeviceLevel::fuse), 1u);
  FollowUp follow = r.room.desk().follow_up(r.room.engine(), id);
  EXPECT_TRUE(follow.verify.empty());  // every dark meter reported power back
  ASSERT_EQ(follow.call_back.size(), 1u);
  EXPECT_EQ(follow.call_back[0].contact, "13800000001");
}

TEST(TicketDesk, TheEtrMovesWhenTheCrewReportsOnSite) {
  Room r;
  OutageId f = r.blow_f(kT0);
  TicketId id = r.open_tickets().front()->id;
  const Timestamp now = kT0 + 5min;
  Etr queued = r.room.desk().etr(r.room.engine(), f, now);
  ASSERT_TRUE(queued.known());
  EXPECT_EQ(queued.basis, "queued");
  ASSERT_TRUE(r.crew("crew-1", CrewState::on_site, id, kT0 + 40min).ok());
  Etr on_site = r.room.desk().etr(r.room.engine(), f, kT0 + 40min);
  EXPECT_EQ(on_site.basis, "on_site");
  // On site: arrival + the repair median. Before any history, the urban commitment (3 h mean)
  // as a log-normal with sigma 0.6: median = 3 h * exp(-0.18) = 9027.4 s.
  auto [median, p90] = r.room.desk().etr_model().repair_time(DeviceLevel::fuse, AreaClass::urban);
  EXPECT_NEAR(std::chrono::duration<double>(median).count(), 10800 * std::exp(-0.18), 1.0);
  EXPECT_EQ(on_site.p50, kT0 + 40min + median);
  EXPECT_EQ(on_site.p90, kT0 + 40min + p90);
  EXPECT_NE(on_site.p50, queued.p50);
  // The crew's own estimate wins; a dispatcher's wins over it.
  ASSERT_TRUE(r.crew("crew-1", CrewState::on_site, id, kT0 + 50min, kT0 + 70min).ok());
  EXPECT_EQ(r.room.desk().etr(r.room.engine(), f, kT0 + 50min).p50, kT0 + 70min);
  ASSERT_TRUE(r.send(kT0 + 55min, OutageEtr{std::to_string(f.value()), kT0 + 2h}).ok());
  Etr dispatcher = r.room.desk().etr(r.room.engine(), f, kT0 + 55min);
  EXPECT_EQ(dispatcher.basis, "dispatcher");
  EXPECT_EQ(dispatcher.p50, kT0 + 2h);
}

TEST(TicketDesk, AnAgentsComplaintIsRoutedToItsTeamAtOnce) {
  Room r;
  TicketOpen c;
  c.kind = TicketKind::complaint;
  c.complaint = ComplaintType::outage;
  c.channel = Channel::hotline_95598;
  c.customer = "c9";
  c.note = "no notice of the outage last week";
  ASSERT_TRUE(r.send(kT0, c, "agent-7").ok());
  TicketId id = r.room.ticket_opened_by("agent-7", "e1");
  ASSERT_TRUE(id.valid());
  const Ticket& t = *r.room.desk().ticket(id);
  EXPECT_EQ(t.kind, TicketKind::complaint);
  EXPECT_EQ(t.team, "complaint office");
  EXPECT_EQ(t.state, TicketState::routed);
  EXPECT_EQ(t.route.due, kT0 + 10min);
  EXPECT_EQ(t.route.met, kT0);
  EXPECT_EQ(t.arrival.due, kNoTime);  // no crew goes for a complaint
}

TEST(TicketDesk, ARepairTicketLackingItsRequiredFieldsIsRefusedNamingTheField) {
  Room r;
  TicketOpen repair;
  repair.kind = TicketKind::repair;
  repair.customer = "c9";
  repair.contact = "13800000009";
  Status s = r.send(kT0, repair);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("field 'symptom'"), std::string::npos);
  repair.symptom = Symptom::no_power;
  repair.contact.clear();
  s = r.send(kT0, repair);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("field 'contact'"), std::string::npos);
  TicketOpen complaint;
  complaint.kind = TicketKind::complaint;
  s = r.send(kT0, complaint);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("field 'complaint'"), std::string::npos);
  EXPECT_TRUE(r.room.desk().tickets().empty());
}

TEST(TicketDesk, AnAgentsRepairTicketBecomesTheTicketOfTheOutageFoundLater) {
  Room r;
  // A caller at m30 (alone on T5's forty meters) has no power; the agent opens a repair ticket
  // before any outage exists. The call's evidence then makes a single-premise outage.
  TicketOpen repair;
  repair.kind = TicketKind::repair;
  repair.customer = "c30";
  repair.symptom = Symptom::no_power;
  repair.contact = "13800000030";
  repair.place = "building 3";
  ASSERT_TRUE(r.send(kT0, repair).ok());
  r.call(30, kT0);
  r.advance(kT0 + 1s);
  r.advance(kT0 + 1s + kSettle + 1s);
  ASSERT_EQ(r.room.engine().active_outages().size(), 1u);
  ASSERT_EQ(r.open_tickets().size(), 1u);
  EXPECT_EQ(r.open_tickets().front()->origin, TicketOrigin::agent);
  EXPECT_EQ(r.open_tickets().front()->outage, r.room.engine().active_outages().front());
}

TEST(TicketDesk, ACrewReportNamingAnUnknownTicketIsRefused) {
  Room r;
  Status s = r.crew("crew-1", CrewState::en_route, TicketId(41), kT0);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("field 'ticket'"), std::string::npos);
}

TEST(TicketDesk, TheArrivalLimitFollowsTheServiceArea) {
  // Every bus at (5, 5), inside a rural area: 90 minutes to arrive.
  ServiceArea rural{"hills", AreaClass::rural, 90min, {{0, 0}, {10, 0}, {10, 10}, {0, 10}}};
  Room r(
      [](NetworkModel& m) {
        for (std::uint32_t b = 0; b < m.buses().size(); ++b) {
          m.bus(BusId(b)).position = Point{5, 5};
          m.bus(BusId(b)).has_position = true;
        }
      },
      ServiceAreas({rural}));
  r.call(30, kT0, Symptom::wire_down);
  const Ticket& t = *r.open_tickets().front();
  EXPECT_EQ(t.area, "hills");
  EXPECT_EQ(t.arrival.due, kT0 + 90min);
}

TEST(TicketDesk, APlaceOutsideEveryAreaTakesTheFallback) {
  ServiceArea rural{"hills", AreaClass::rural, 90min, {{0, 0}, {10, 0}, {10, 10}, {0, 10}}};
  Room r({}, ServiceAreas({rural}));  // the drawn feeder has no positions at all
  r.call(30, kT0, Symptom::wire_down);
  const Ticket& t = *r.open_tickets().front();
  EXPECT_EQ(t.area, "default");
  EXPECT_EQ(t.arrival.due, kT0 + 45min);
}

TEST(TicketDesk, AnOutagesTicketIsAcceptedWhenTheOutageBecameProbableHoweverLateTheDeskHears) {
  // A journal replay advances only when events come: here the next advance is ten minutes
  // after the fault, long past the settling window. The ticket's clocks must be the live run's.
  Room r;
  for (int m : {1, 2, 3}) r.gasp(m, kT0);
  r.advance(kT0 + 1s);
  r.advance(kT0 + 10min);
  ASSERT_EQ(r.open_tickets().size(), 1u);
  const Ticket& t = *r.open_tickets().front();
  // Detected when the gasps came in (kT0); probable a settling window (60 s) later.
  EXPECT_EQ(t.accepted, kT0 + kSettle);
  EXPECT_EQ(t.route.due, kT0 + kSettle + 5min);
  // Already past the routing limit, nobody having taken it.
  EXPECT_TRUE(t.route.breached);
}

TEST(TicketDesk, AnEnRouteCrewsEtaRunsFromWhereItWasLastSeen) {
  NetworkModel model = testing::placed_drawn_feeder();
  ControlRoom room(model, InferenceConfig{});
  int n = 0;
  auto send = [&](Timestamp t, EventPayload p) {
    ++n;
    ASSERT_TRUE(room.apply(testing::make_event("e" + std::to_string(n), t, std::move(p)), t, n).ok());
  };
  CallReport wire;  // at m1: transformer T1's low side s1, x = 3,000 m
  wire.customer = "c1";
  wire.symptom = Symptom::wire_down;
  send(kT0, wire);
  TicketId id = room.desk().queue().empty() ? TicketId(0) : room.desk().queue().front();
  send(kT0 + 1min, CrewPosition{"K1", Position{5000, 0, false}});
  CrewStatus go;
  go.crew = "K1";
  go.status = CrewState::en_route;
  go.ticket = std::to_string(id.value());
  send(kT0 + 2min, go);
  // 2,000 m x 1.4 (detour) at 30 km/h: 336 s, from the dispatch (after the last position).
  EXPECT_EQ(room.desk().crew_eta(id, kT0 + 3min), kT0 + 2min + 336s);
  send(kT0 + 3min, CrewPosition{"K1", Position{4000, 0, false}});  // 1 km closer, a minute later
  EXPECT_EQ(room.desk().crew_eta(id, kT0 + 3min), kT0 + 3min + 168s);
}

}  // namespace
}  // namespace outage
