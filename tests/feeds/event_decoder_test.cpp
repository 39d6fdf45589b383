#include "feeds/event_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "feeds/rfc3339.h"

namespace outage {
namespace {

using namespace std::chrono;

// The wire example's time, and the receiver's clock five minutes later (within max_age, and the
// event is not in the future).
constexpr const char* kWhen = "2026-11-23T08:15:00+08:00";
const Timestamp kWhenUtc = *parse_rfc3339("2026-11-23T00:15:00Z");
const Timestamp kNow = *parse_rfc3339("2026-11-23T08:20:00+08:00");

// One event's JSON: the envelope (id e1, source ami, time kWhen) and `fields`.
std::string event_json(std::string_view type, std::string_view fields = "", std::string_view id = "e1") {
  std::string out = "{\"id\":\"" + std::string(id) + "\",\"type\":\"" + std::string(type) + "\",\"time\":\"" + kWhen +
                    "\",\"source\":\"ami\"";
  if (!fields.empty()) out += "," + std::string(fields);
  return out + "}";
}

DecodedBatch decode_ok(std::string_view body, BodyFormat format = BodyFormat::json, DecodeLimits limits = {}) {
  EventDecoder decoder(limits);
  auto batch = decoder.decode(body, format, kNow);
  EXPECT_TRUE(batch.ok()) << batch.error().message;
  if (!batch.ok()) return {};
  return std::move(batch).value();
}

// The one event of a one-object body, which must be accepted.
Event accepted(std::string_view body) {
  DecodedBatch batch = decode_ok(body);
  EXPECT_EQ(batch.events.size(), 1u);
  if (!batch.rejected.empty()) ADD_FAILURE() << batch.rejected[0].error;
  return batch.events.empty() ? Event{} : batch.events[0].event;
}

// The reason a one-object body's event is rejected ("" when it is accepted).
std::string rejection(std::string_view body, DecodeLimits limits = {}) {
  DecodedBatch batch = decode_ok(body, BodyFormat::json, limits);
  EXPECT_EQ(batch.events.size() + batch.rejected.size(), 1u);
  return batch.rejected.empty() ? "" : batch.rejected[0].error;
}

// --- every type, with its fields -------------------------------------------------------------

TEST(EventDecoder, DecodesAMeterPowerOffWithItsEnvelope) {
  const std::string body = R"({"id":"e123","type":"meter.power_off","time":"2026-11-23T08:15:00+08:00","source":"ami","meter":"m1001"})";
  DecodedBatch batch = decode_ok(body);
  ASSERT_EQ(batch.events.size(), 1u);
  const DecodedEvent& d = batch.events[0];
  EXPECT_EQ(d.index, 0u);
  EXPECT_EQ(d.raw, body);
  EXPECT_EQ(d.event.id, "e123");
  EXPECT_EQ(d.event.source, "ami");
  EXPECT_EQ(d.event.time, kWhenUtc) << "08:15 at +08:00 is 00:15 UTC";
  EXPECT_EQ(d.event.type(), EventType::meter_power_off);
  ASSERT_TRUE(d.event.get<MeterPowerOff>());
  EXPECT_EQ(d.event.get<MeterPowerOff>()->meter, "m1001");
}

TEST(EventDecoder, DecodesAMeterPowerOn) {
  Event e = accepted(event_json("meter.power_on", R"("meter":"m7")"));
  ASSERT_TRUE(e.get<MeterPowerOn>());
  EXPECT_EQ(e.get<MeterPowerOn>()->meter, "m7");
}

TEST(EventDecoder, DecodesAMeterPingEnergizedOrNot) {
  Event on = accepted(event_json("meter.ping", R"("meter":"m7","energized":true)"));
  ASSERT_TRUE(on.get<MeterPing>());
  EXPECT_TRUE(on.get<MeterPing>()->energized);
  Event off = accepted(event_json("meter.ping", R"("energized":false,"meter":"m7")"));
  ASSERT_TRUE(off.get<MeterPing>());
  EXPECT_FALSE(off.get<MeterPing>()->energized);
  EXPECT_EQ(off.get<MeterPing>()->meter, "m7");
}

TEST(EventDecoder, DecodesAMeterVoltageReading) {
  Event e = accepted(event_json("meter.voltage", R"("meter":"m7","volts":0,"nominal":220.5)"));
  ASSERT_TRUE(e.get<MeterVoltage>());
  EXPECT_EQ(e.get<MeterVoltage>()->volts, 0) << "a lost phase reads 0 V: allowed";
  EXPECT_EQ(e.get<MeterVoltage>()->nominal, 220.5);
}

TEST(EventDecoder, DecodesAnIotAlarmWithSiteMetersPhasesAndPosition) {
  Event e = accepted(event_json(
      "iot.alarm", R"("gateway":"gw1","kind":"phase_loss","site":"Park 3","meters":["m1","m2"],"phases":"BC","lon":116.4,"lat":39.9)"));
  const IotAlarm* a = e.get<IotAlarm>();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->gateway, "gw1");
  EXPECT_EQ(a->kind, IotAlarmKind::phase_loss);
  EXPECT_EQ(a->kind_text, "") << "a known kind keeps no text";
  EXPECT_EQ(a->site, "Park 3");
  EXPECT_EQ(a->meters, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(a->phases, kPhaseB | kPhaseC);
  ASSERT_TRUE(a->position);
  EXPECT_EQ(*a->position, (Position{116.4, 39.9, true}));
}

TEST(EventDecoder, DecodesAnIotAlarmWithOnlyItsRequiredFields) {
  Event e = accepted(event_json("iot.alarm", R"("gateway":"gw1","kind":"restored")"));
  const IotAlarm* a = e.get<IotAlarm>();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, IotAlarmKind::restored);
  EXPECT_TRUE(a->site.empty());
  EXPECT_TRUE(a->meters.empty());
  EXPECT_EQ(a->phases, 0);
  EXPECT_FALSE(a->position);
}

TEST(EventDecoder, KeepsAnUnknownAlarmKindAsOtherWithItsWord) {
  Event e = accepted(event_json("iot.alarm", R"("gateway":"gw1","kind":"door_open")"));
  ASSERT_TRUE(e.get<IotAlarm>());
  EXPECT_EQ(e.get<IotAlarm>()->kind, IotAlarmKind::other);
  EXPECT_EQ(e.get<IotAlarm>()->kind_text, "door_open");
}

TEST(EventDecoder, ReadsPhasesAsAStringOrAnArrayOfStrings) {
  auto phases_of = [](std::string_view phases) {
    Event e = accepted(event_json("iot.alarm", R"("gateway":"gw1","kind":"phase_loss","phases":)" + std::string(phases)));
    return e.get<IotAlarm>() ? e.get<IotAlarm>()->phases : Phases{0};
  };
  EXPECT_EQ(phases_of(R"("A")"), kPhaseA);
  EXPECT_EQ(phases_of(R"("abc")"), kPhasesABC) << "lower case as the network model reads them";
  EXPECT_EQ(phases_of(R"(["A","C"])"), kPhaseA | kPhaseC);
  EXPECT_EQ(phases_of(R"(["B","AB"])"), kPhaseA | kPhaseB) << "entries are sets too; repeats merge";
}

TEST(EventDecoder, RejectsAPhaseLossWithoutPhasesOrWithBadOnes) {
  auto alarm = [](std::string_view extra) {
    return event_json("iot.alarm", R"("gateway":"gw1","kind":"phase_loss")" + std::string(extra));
  };
  EXPECT_EQ(rejection(alarm("")), "field 'phases': missing (required for phase_loss)");
  EXPECT_EQ(rejection(alarm(R"(,"phases":"")")), "field 'phases': empty");
  EXPECT_EQ(rejection(alarm(R"(,"phases":[])")), "field 'phases': empty");
  EXPECT_EQ(rejection(alarm(R"(,"phases":"ABD")")), "field 'phases': 'ABD' is not a set of phases (A, B, C)");
  EXPECT_EQ(rejection(alarm(R"(,"phases":["A",2])")), "field 'phases': entry 1 is not a phase (A, B or C)");
  EXPECT_EQ(rejection(alarm(R"(,"phases":3)")), "field 'phases': expected a string or an array of strings");
  // Other kinds do not use phases: a bad value there is ignored.
  EXPECT_EQ(rejection(event_json("iot.alarm", R"("gateway":"gw1","kind":"overload","phases":"XYZ")")), "");
}

TEST(EventDecoder, DecodesAScadaSwitchWithAndWithoutItsCause) {
  Event trip = accepted(event_json("scada.switch", R"("device":"CB-12","state":"open","cause":"lockout")"));
  ASSERT_TRUE(trip.get<ScadaSwitch>());
  EXPECT_EQ(trip.get<ScadaSwitch>()->device, "CB-12");
  EXPECT_EQ(trip.get<ScadaSwitch>()->state, SwitchState::open);
  EXPECT_EQ(trip.get<ScadaSwitch>()->cause, SwitchCause::lockout);
  Event close = accepted(event_json("scada.switch", R"("device":"CB-12","state":"closed")"));
  ASSERT_TRUE(close.get<ScadaSwitch>());
  EXPECT_EQ(close.get<ScadaSwitch>()->state, SwitchState::closed);
  EXPECT_EQ(close.get<ScadaSwitch>()->cause, SwitchCause::unspecified);
}

TEST(EventDecoder, RejectsASwitchStateOrCauseOutsideTheContract) {
  EXPECT_EQ(rejection(event_json("scada.switch", R"("device":"CB-12","state":"ajar")")),
            "field 'state': unknown state 'ajar' (open, closed)");
  EXPECT_EQ(rejection(event_json("scada.switch", R"("device":"CB-12")")), "field 'state': missing");
  EXPECT_EQ(rejection(event_json("scada.switch", R"("device":"CB-12","state":"open","cause":"storm")")),
            "field 'cause': unknown cause 'storm' (trip, lockout, reclose, manual)");
}

TEST(EventDecoder, DecodesAFaultIndicator) {
  Event e = accepted(event_json("fci.fault", R"("device":"FCI-9")"));
  ASSERT_TRUE(e.get<FciFault>());
  EXPECT_EQ(e.get<FciFault>()->device, "FCI-9");
}

TEST(EventDecoder, ConvertsARelayDistanceFromKilometresToMetres) {
  Event e = accepted(event_json("relay.distance", R"("device":"R1","km":2.5)"));
  ASSERT_TRUE(e.get<RelayDistance>());
  EXPECT_EQ(e.get<RelayDistance>()->device, "R1");
  EXPECT_DOUBLE_EQ(e.get<RelayDistance>()->metres, 2500) << "2.5 km";
  EXPECT_EQ(rejection(event_json("relay.distance", R"("device":"R1","km":-0.1)")), "field 'km': negative");
}

TEST(EventDecoder, DecodesACallReportWithEverySubject) {
  Event e = accepted(event_json(
      "call.report",
      R"("customer":"C1","meter":"m1","phone":"13800000001","address":"1 Road","x":10,"y":20,"symptom":"wire_down","channel":"wechat","contact":"Li","note":"sparks")"));
  const CallReport* c = e.get<CallReport>();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->customer, "C1");
  EXPECT_EQ(c->meter, "m1");
  EXPECT_EQ(c->phone, "13800000001");
  EXPECT_EQ(c->address, "1 Road");
  ASSERT_TRUE(c->position);
  EXPECT_EQ(*c->position, (Position{10, 20, false})) << "x/y: the model's own coordinates";
  EXPECT_EQ(c->symptom, Symptom::wire_down);
  EXPECT_EQ(c->channel, Channel::wechat);
  EXPECT_EQ(c->contact, "Li");
  EXPECT_EQ(c->note, "sparks");
}

TEST(EventDecoder, TakesACallWithAPositionAsItsOnlySubject) {
  Event e = accepted(event_json("call.report", R"("position":{"lon":116.4,"lat":39.9},"symptom":"no_power")"));
  ASSERT_TRUE(e.get<CallReport>());
  EXPECT_EQ(e.get<CallReport>()->position, (Position{116.4, 39.9, true}));
}

TEST(EventDecoder, ReadsTheHotlineChannelAsTextOrNumberAndAnythingElseAsOther) {
  auto channel_of = [](std::string_view channel) {
    std::string fields = R"("phone":"138","symptom":"flicker")";
    if (!channel.empty()) fields += R"(,"channel":)" + std::string(channel);
    Event e = accepted(event_json("call.report", fields));
    return e.get<CallReport>() ? e.get<CallReport>()->channel : Channel::app;
  };
  EXPECT_EQ(channel_of(R"("95598")"), Channel::hotline_95598);
  EXPECT_EQ(channel_of("95598"), Channel::hotline_95598);
  EXPECT_EQ(channel_of(R"("app")"), Channel::app);
  EXPECT_EQ(channel_of(R"("counter")"), Channel::counter);
  EXPECT_EQ(channel_of(""), Channel::other) << "absent";
  EXPECT_EQ(channel_of(R"("douyin")"), Channel::other) << "a channel the contract does not list yet";
}

TEST(EventDecoder, RejectsACallWithNoSubjectNamingTheFirstCandidate) {
  EXPECT_EQ(rejection(event_json("call.report", R"("symptom":"no_power","customer":"")")),
            "field 'customer': missing (a call needs a customer, meter, phone, address or position)");
  EXPECT_EQ(rejection(event_json("call.report", R"("phone":"138")")), "field 'symptom': missing");
  EXPECT_EQ(rejection(event_json("call.report", R"("phone":"138","symptom":"smoke")")),
            "field 'symptom': unknown symptom 'smoke' (no_power, partial_power, flicker, low_voltage, wire_down, fire)");
}

TEST(EventDecoder, DecodesACrewPositionInEitherFormOfPosition) {
  Event geo = accepted(event_json("crew.position", R"("crew":"K1","lon":-73.98,"lat":40.75)"));
  ASSERT_TRUE(geo.get<CrewPosition>());
  EXPECT_EQ(geo.get<CrewPosition>()->crew, "K1");
  EXPECT_EQ(geo.get<CrewPosition>()->position, (Position{-73.98, 40.75, true}));
  Event local = accepted(event_json("crew.position", R"("crew":"K1","position":{"x":1500,"y":-20.5})"));
  ASSERT_TRUE(local.get<CrewPosition>());
  EXPECT_EQ(local.get<CrewPosition>()->position, (Position{1500, -20.5, false}));
}

TEST(EventDecoder, RejectsACrewPositionWithoutAWholeValidPosition) {
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1")")), "field 'position': missing (lon/lat or x/y)");
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1","lon":116.4)")), "field 'lat': missing (lon given)");
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1","y":3)")), "field 'x': missing (y given)");
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1","lon":181,"lat":0)")),
            "field 'lon': out of range [-180, 180]");
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1","lon":0,"lat":-90.5)")),
            "field 'lat': out of range [-90, 90]");
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1","lon":"116.4","lat":39.9)")),
            "field 'lon': expected a number");
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1","position":{"lon":1})")),
            "field 'position.lat': missing (position.lon given)");
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1","position":[1,2])")),
            "field 'position': expected an object with lon/lat or x/y");
  EXPECT_EQ(rejection(event_json("crew.position", R"("crew":"K1","lon":1,"lat":2,"x":3,"y":4)")),
            "field 'position': given more than once (lon/lat, x/y and a position object are alternatives)");
}

TEST(EventDecoder, DecodesACrewStatusWithItsTicket) {
  Event e = accepted(event_json("crew.status", R"("crew":"K1","status":"en_route","ticket":"T-9")"));
  ASSERT_TRUE(e.get<CrewStatus>());
  EXPECT_EQ(e.get<CrewStatus>()->crew, "K1");
  EXPECT_EQ(e.get<CrewStatus>()->status, CrewState::en_route);
  EXPECT_EQ(e.get<CrewStatus>()->ticket, "T-9");
  EXPECT_EQ(rejection(event_json("crew.status", R"("crew":"K1","status":"lunch")")),
            "field 'status': unknown status 'lunch' (available, en_route, on_site, repaired, off_shift)");
}

TEST(EventDecoder, DecodesACrewsOwnEstimateOfRestoration) {
  Event e = accepted(event_json("crew.status", R"("crew":"K1","status":"on_site","etr":"2026-11-23T10:30:00+08:00")"));
  ASSERT_TRUE(e.get<CrewStatus>()->etr);
  // 10:30 at +08:00 is 02:30 UTC.
  EXPECT_EQ(format_rfc3339(*e.get<CrewStatus>()->etr), "2026-11-23T02:30:00Z");
  EXPECT_EQ(rejection(event_json("crew.status", R"("crew":"K1","status":"on_site","etr":"soon")")),
            "field 'etr': not an RFC 3339 time with a zone: 'soon'");
}

TEST(EventDecoder, DecodesADispatchersEstimateForAnOutage) {
  Event e = accepted(event_json("outage.etr", R"("outage":"12","etr":"2026-11-23T12:00:00Z")"));
  ASSERT_TRUE(e.get<OutageEtr>());
  EXPECT_EQ(e.get<OutageEtr>()->outage, "12");
  EXPECT_EQ(format_rfc3339(e.get<OutageEtr>()->etr), "2026-11-23T12:00:00Z");
  EXPECT_EQ(rejection(event_json("outage.etr", R"("outage":"12")")), "field 'etr': missing");
}

TEST(EventDecoder, DecodesADispatchersAssignment) {
  Event e = accepted(event_json("ticket.assign", R"("ticket":"7","crew":"north-1","reason":"knows the lateral")"));
  const TicketAssign* a = e.get<TicketAssign>();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ticket, "7");
  EXPECT_EQ(a->crew, "north-1");
  EXPECT_EQ(a->reason, "knows the lateral");
  EXPECT_EQ(accepted(event_json("ticket.assign", R"("ticket":"7")")).get<TicketAssign>()->crew, "");
  EXPECT_EQ(rejection(event_json("ticket.assign", R"("crew":"north-1")")), "field 'ticket': missing");
}

TEST(EventDecoder, DecodesAnAgentsTicket) {
  Event e = accepted(event_json("ticket.open",
                                R"("kind":"repair","symptom":"no_power","customer":"C9","place":"building 3, unit 2",)"
                                R"("extent":"the building","contact":"13800000009","channel":"95598",)"
                                R"("cause_guess":"transformer","note":"since 8:00")"));
  const TicketOpen* t = e.get<TicketOpen>();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TicketKind::repair);
  EXPECT_EQ(t->symptom, Symptom::no_power);
  EXPECT_EQ(t->customer, "C9");
  EXPECT_EQ(t->place, "building 3, unit 2");
  EXPECT_EQ(t->extent, "the building");
  EXPECT_EQ(t->contact, "13800000009");
  EXPECT_EQ(t->channel, Channel::hotline_95598);
  EXPECT_EQ(t->cause_guess, "transformer");
  Event c = accepted(event_json("ticket.open", R"("kind":"complaint","complaint":"power_quality","customer":"C9")"));
  EXPECT_EQ(c.get<TicketOpen>()->complaint, ComplaintType::power_quality);
  EXPECT_FALSE(c.get<TicketOpen>()->symptom);
  EXPECT_EQ(rejection(event_json("ticket.open", R"("kind":"praise")")),
            "field 'kind': unknown ticket kind 'praise' (repair, complaint, inquiry, suggestion, business)");
  EXPECT_EQ(rejection(event_json("ticket.open", R"("kind":"complaint","complaint":"weather")")),
            "field 'complaint': unknown complaint type 'weather' (service, business, outage, power_quality, "
            "grid_construction)");
  EXPECT_EQ(rejection(event_json("ticket.open", R"("symptom":"no_power")")), "field 'kind': missing");
}

const char* kSquare = R"({"type":"Polygon","coordinates":[[[116.0,39.0],[116.1,39.0],[116.1,39.1],[116.0,39.0]]]})";

TEST(EventDecoder, DecodesAPlannedRecordWithItsWholeScope) {
  const std::string fields = std::string(R"("record":"P-1",)") +
                             R"("start":"2026-11-24T09:00:00+08:00","end":"2026-11-24T17:00:00+08:00",)" +
                             R"("reason":"line work","devices":["SW-1"],"customers":["C1","C2"],)" +
                             R"("notice_at":"2026-11-20T10:00:00+08:00","area":)" + kSquare;
  Event e = accepted(event_json("record.planned", fields));
  const OutageRecord* r = e.get<OutageRecord>();
  ASSERT_TRUE(r);
  EXPECT_EQ(e.type(), EventType::record_planned);
  EXPECT_EQ(r->kind, RecordKind::planned);
  EXPECT_EQ(r->record, "P-1");
  EXPECT_EQ(r->start, *parse_rfc3339("2026-11-24T01:00:00Z"));
  EXPECT_EQ(r->end - r->start, hours{8});
  EXPECT_EQ(r->reason, "line work");
  EXPECT_EQ(r->devices, std::vector<std::string>{"SW-1"});
  EXPECT_EQ(r->customers, (std::vector<std::string>{"C1", "C2"}));
  EXPECT_EQ(r->area, kSquare) << "the polygon's JSON text as received";
  EXPECT_EQ(r->notice_at, parse_rfc3339("2026-11-20T02:00:00Z"));
}

TEST(EventDecoder, MapsEachRecordTypeToItsKind) {
  const std::string fields =
      R"("record":"R","start":"2026-11-24T09:00:00+08:00","end":"2026-11-24T10:00:00+08:00","reason":"r","devices":["SW-1"])";
  EXPECT_EQ(accepted(event_json("record.temporary", fields)).type(), EventType::record_temporary);
  EXPECT_EQ(accepted(event_json("record.load_shedding", fields)).type(), EventType::record_load_shedding);
  EXPECT_EQ(accepted(event_json("record.disconnection", fields)).type(), EventType::record_disconnection);
  Event e = accepted(event_json("record.disconnection", fields));
  ASSERT_TRUE(e.get<OutageRecord>());
  EXPECT_EQ(e.get<OutageRecord>()->kind, RecordKind::disconnection);
  EXPECT_FALSE(e.get<OutageRecord>()->notice_at);
}

TEST(EventDecoder, RejectsARecordThatEndsBeforeItStartsOrHasNoScope) {
  const std::string base = R"("record":"R","reason":"r","devices":["SW-1"],)";
  EXPECT_EQ(rejection(event_json("record.planned", base + R"("start":"2026-11-24T10:00:00+08:00","end":"2026-11-24T10:00:00+08:00")")),
            "field 'end': not after start")
      << "start == end";
  EXPECT_EQ(rejection(event_json("record.planned", base + R"("start":"2026-11-24T10:00:00+08:00","end":"2026-11-24T09:00:00+08:00")")),
            "field 'end': not after start");
  // 10:00 at +08:00 is 02:00 UTC, before 03:00 UTC: fine although the text reads later.
  EXPECT_EQ(rejection(event_json("record.planned", base + R"("start":"2026-11-24T10:00:00+08:00","end":"2026-11-24T03:00:00Z")")), "");
  EXPECT_EQ(rejection(event_json("record.planned", base + R"("start":"tomorrow","end":"2026-11-24T03:00:00Z")")),
            "field 'start': not an RFC 3339 time with a zone: 'tomorrow'");
  EXPECT_EQ(rejection(event_json(
                "record.planned",
                R"("record":"R","reason":"r","devices":[],"start":"2026-11-24T09:00:00+08:00","end":"2026-11-24T10:00:00+08:00")")),
            "field 'devices': missing (a record needs devices, customers or an area)")
      << "an empty list is no scope";
}

TEST(EventDecoder, AcceptsAMultiPolygonAreaWhateverTheOrderOfItsMembers) {
  const std::string area =
      R"({"coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]],[[5.2,5.2],[5.4,5.2],[5.4,5.4],[5.2,5.2]]]],"bbox":[0,0,6,6],"type":"MultiPolygon"})";
  Event e = accepted(event_json(
      "record.load_shedding",
      R"("record":"L","reason":"shortage","start":"2026-11-24T09:00:00+08:00","end":"2026-11-24T10:00:00+08:00","area":)" + area));
  ASSERT_TRUE(e.get<OutageRecord>());
  EXPECT_EQ(e.get<OutageRecord>()->area, area);
}

TEST(EventDecoder, KeepsTheAreaTextWithoutTheSpaceAroundIt) {
  Event e = accepted(event_json(
      "record.planned", std::string(R"("record":"R","area" :  )") + kSquare +
                            R"(  , "reason":"r","start":"2026-11-24T09:00:00+08:00","end":"2026-11-24T10:00:00+08:00")"));
  ASSERT_TRUE(e.get<OutageRecord>());
  EXPECT_EQ(e.get<OutageRecord>()->area, kSquare);
}

TEST(EventDecoder, RejectsAnAreaThatIsNotAClosedPolygon) {
  auto area_error = [](std::string_view area) {
    return rejection(event_json(
        "record.planned",
        R"("record":"R","reason":"r","start":"2026-11-24T09:00:00+08:00","end":"2026-11-24T10:00:00+08:00","area":)" +
            std::string(area)));
  };
  EXPECT_EQ(area_error(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]})"),
            "field 'area': a ring is not closed (its first and last positions differ)");
  EXPECT_EQ(area_error(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]})"),
            "field 'area': a ring has 3 positions (at least 4)");
  EXPECT_EQ(area_error(R"({"type":"Point","coordinates":[0,0]})"), "field 'area': type 'Point' is not Polygon or MultiPolygon");
  EXPECT_EQ(area_error(R"({"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]})"),
            "field 'area': 'coordinates' are not those of a MultiPolygon (an array of polygons)")
      << "a Polygon's coordinates under a MultiPolygon's type";
  EXPECT_EQ(area_error(R"({"type":"Polygon","coordinates":[[[0,0],[1,"0"],[1,1],[0,0]]]})"),
            "field 'area': 'coordinates' hold something other than arrays and numbers");
  EXPECT_EQ(area_error(R"({"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]})"),
            "field 'area': a position needs 2 or 3 numbers, not 1");
  EXPECT_EQ(area_error(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[]]})"),
            "field 'area': 'coordinates' hold an empty array");
  EXPECT_EQ(area_error(R"({"type":"Polygon"})"), "field 'area': 'coordinates' missing");
  EXPECT_EQ(area_error(R"({"coordinates":[[[0,0],[1,0],[1,1],[0,0]]]})"),
            "field 'area': 'type' missing (Polygon or MultiPolygon)");
  EXPECT_EQ(area_error(R"j("POLYGON((0 0,1 0,1 1,0 0))")j"), "field 'area': expected a GeoJSON Polygon or MultiPolygon object");
}

TEST(EventDecoder, DecodesARecordCancel) {
  Event e = accepted(event_json("record.cancel", R"("record":"P-1")"));
  ASSERT_TRUE(e.get<RecordCancel>());
  EXPECT_EQ(e.get<RecordCancel>()->record, "P-1");
  EXPECT_EQ(rejection(event_json("record.cancel")), "field 'record': missing");
}

TEST(EventDecoder, DecodesAnOutageConfirmation) {
  Event e = accepted(event_json("outage.confirm", R"("outage":"42","by":"crew")"));
  ASSERT_TRUE(e.get<OutageConfirm>());
  EXPECT_EQ(e.get<OutageConfirm>()->outage, "42");
  EXPECT_EQ(e.get<OutageConfirm>()->by, Confirmer::crew);
  EXPECT_EQ(rejection(event_json("outage.confirm", R"("by":"crew")")), "field 'outage': missing");
  EXPECT_EQ(rejection(event_json("outage.confirm", R"("outage":"42","by":"mayor")")),
            "field 'by': unknown confirmer 'mayor' (crew, dispatcher)");
}

// --- the envelope ----------------------------------------------------------------------------

TEST(EventDecoder, RejectsAMeterEventWithoutItsMeterNamingTheField) {
  DecodedBatch batch = decode_ok(event_json("meter.power_off", "", "e42"));
  ASSERT_EQ(batch.rejected.size(), 1u);
  const EventRejection& r = batch.rejected[0];
  EXPECT_EQ(r.error, "field 'meter': missing");
  EXPECT_EQ(r.index, 0u);
  EXPECT_EQ(r.id, "e42") << "the rejection says which event it was";
  EXPECT_EQ(r.source, "ami");
  EXPECT_EQ(r.type, "meter.power_off");
}

TEST(EventDecoder, RejectsAnEventMissingAnyPartOfItsEnvelope) {
  EXPECT_EQ(rejection(R"({"type":"meter.power_off","time":"2026-11-23T08:15:00+08:00","source":"ami","meter":"m1"})"),
            "field 'id': missing");
  EXPECT_EQ(rejection(R"({"id":"e1","time":"2026-11-23T08:15:00+08:00","source":"ami","meter":"m1"})"),
            "field 'type': missing");
  EXPECT_EQ(rejection(R"({"id":"e1","type":"meter.power_off","source":"ami","meter":"m1"})"), "field 'time': missing");
  EXPECT_EQ(rejection(R"({"id":"e1","type":"meter.power_off","time":"2026-11-23T08:15:00+08:00","meter":"m1"})"),
            "field 'source': missing");
  EXPECT_EQ(rejection(R"({"id":"","type":"meter.power_off","time":"2026-11-23T08:15:00+08:00","source":"ami","meter":"m1"})"),
            "field 'id': empty");
  EXPECT_EQ(rejection(R"({"id":"e1","type":"meter.power_off","time":"2026-11-23T08:15:00","source":"ami","meter":"m1"})"),
            "field 'time': not an RFC 3339 time with a zone: '2026-11-23T08:15:00'");
}

TEST(EventDecoder, RejectsAnUnknownTypeKeepingItsName) {
  DecodedBatch batch = decode_ok(event_json("meter.foo", R"("meter":"m1")"));
  ASSERT_EQ(batch.rejected.size(), 1u);
  EXPECT_EQ(batch.rejected[0].error, "field 'type': unknown type 'meter.foo'");
  EXPECT_EQ(batch.rejected[0].type, "meter.foo");
}

TEST(EventDecoder, KeepsAnIntegerIdAsItsDecimalText) {
  EXPECT_EQ(accepted(R"({"id":1234567,"type":"fci.fault","time":"2026-11-23T08:15:00+08:00","source":"s","device":"d"})").id,
            "1234567");
  // Beyond 64 bits: the text is kept as written, not rounded through a double.
  EXPECT_EQ(accepted(R"({"id":123456789012345678901234567890,"type":"fci.fault","time":"2026-11-23T08:15:00+08:00","source":"s","device":"d"})")
                .id,
            "123456789012345678901234567890");
  EXPECT_EQ(rejection(R"({"id":12.5,"type":"fci.fault","time":"2026-11-23T08:15:00+08:00","source":"s","device":"d"})"),
            "field 'id': expected a string or an integer");
  EXPECT_EQ(rejection(R"({"id":true,"type":"fci.fault","time":"2026-11-23T08:15:00+08:00","source":"s","device":"d"})"),
            "field 'id': expected a string or an integer");
}

TEST(EventDecoder, RejectsTimesTooFarInTheFutureOrThePast) {
  // kNow is 2026-11-23T08:20:00+08:00; the window is [now - 7 days, now + 5 minutes], inclusive.
  auto at = [](std::string_view time) {
    return rejection(R"({"id":"e1","type":"fci.fault","source":"s","device":"d","time":")" + std::string(time) + "\"}");
  };
  EXPECT_EQ(at("2026-11-25T08:20:00+08:00"), "field 'time': 2 days in the future (limit 5 minutes)");
  EXPECT_EQ(at("2026-11-23T08:25:00+08:00"), "") << "exactly 5 minutes ahead";
  EXPECT_EQ(at("2026-11-23T08:25:01+08:00"), "field 'time': 5 minutes in the future (limit 5 minutes)")
      << "5 min 1 s, in whole minutes";
  EXPECT_EQ(at("2026-11-16T08:20:00+08:00"), "") << "exactly 7 days old";
  EXPECT_EQ(at("2026-11-15T08:20:00+08:00"), "field 'time': 8 days in the past (limit 7 days)");
  EXPECT_EQ(at("1970-01-01T00:00:00Z"), "field 'time': 20780 days in the past (limit 7 days)")
      << "2026-11-23T00:20Z is 20780 days and 20 minutes after the epoch";
}

TEST(EventDecoder, AppliesTheLimitsItIsGiven) {
  DecodeLimits limits;
  limits.max_future = hours{1};
  limits.max_age = minutes{1};
  // kWhen is 5 minutes before kNow: too old for a one-minute window.
  EXPECT_EQ(rejection(event_json("fci.fault", R"("device":"d")"), limits),
            "field 'time': 5 minutes in the past (limit 60 seconds)");
}

// --- wrong types, lengths, escapes -----------------------------------------------------------

TEST(EventDecoder, RejectsAFieldOfTheWrongJsonTypeNamingIt) {
  EXPECT_EQ(rejection(event_json("meter.power_off", R"("meter":1001)")), "field 'meter': expected a string");
  EXPECT_EQ(rejection(event_json("meter.voltage", R"("meter":"m","volts":"231.0","nominal":230)")),
            "field 'volts': expected a number");
  EXPECT_EQ(rejection(event_json("meter.ping", R"("meter":"m","energized":"yes")")),
            "field 'energized': expected true or false");
  EXPECT_EQ(rejection(event_json("iot.alarm", R"("gateway":"g","kind":"overload","meters":"m1")")),
            "field 'meters': expected an array of strings");
  EXPECT_EQ(rejection(event_json("iot.alarm", R"("gateway":"g","kind":"overload","meters":["m1",{"id":"m2"}])")),
            "field 'meters': entry 1 is not a string");
  EXPECT_EQ(rejection(R"({"id":"e1","type":["meter.power_off"],"time":"2026-11-23T08:15:00+08:00","source":"s","meter":"m"})"),
            "field 'type': expected a string");
}

TEST(EventDecoder, RejectsVoltagesOutOfRange) {
  EXPECT_EQ(rejection(event_json("meter.voltage", R"("meter":"m","volts":-1,"nominal":230)")), "field 'volts': negative");
  EXPECT_EQ(rejection(event_json("meter.voltage", R"("meter":"m","volts":231,"nominal":0)")), "field 'nominal': not positive");
  EXPECT_EQ(rejection(event_json("meter.voltage", R"("meter":"m","volts":231)")), "field 'nominal': missing");
}

TEST(EventDecoder, RejectsAbsurdFieldLengths) {
  const std::string long_meter(4097, 'm');
  EXPECT_EQ(rejection(event_json("meter.power_off", R"("meter":")" + long_meter + "\"")),
            "field 'meter': longer than 4096 bytes");
  EXPECT_EQ(rejection(event_json("meter.power_off", R"("meter":")" + long_meter.substr(1) + "\"")), "") << "4096 is fine";
  DecodeLimits limits;
  limits.max_field_bytes = 32;  // the envelope's longest string, the time, has 25 bytes
  limits.max_list = 2;
  // Each \u00e9 is two bytes of UTF-8 once unescaped: seventeen of them are 34 bytes.
  std::string note;
  for (int i = 0; i < 17; ++i) note += "\\u00e9";
  EXPECT_EQ(rejection(event_json("call.report", R"("phone":"1","symptom":"fire","note":")" + note + "\""), limits),
            "field 'note': longer than 32 bytes");
  EXPECT_EQ(rejection(event_json("call.report", R"("phone":"1","symptom":"fire","note":")" + note.substr(6) + "\""), limits),
            "") << "sixteen are 32 bytes: fine";
  EXPECT_EQ(rejection(event_json("iot.alarm", R"("gateway":"g","kind":"k","meters":["a","b","c"])"), limits),
            "field 'meters': more than 2 entries");
  EXPECT_EQ(rejection(event_json("iot.alarm", R"("gateway":"g","kind":"k","meters":["a",")" + std::string(33, '9') + "\"]"), limits),
            "field 'meters': entry 1 is longer than 32 bytes");
  EXPECT_EQ(rejection(event_json("iot.alarm", R"("gateway":"g","kind":"k","meters":["a",""])"), limits),
            "field 'meters': entry 1 is empty");
}

TEST(EventDecoder, UnescapesStringsAndFieldNames) {
  // \u006d\u0065\u0074\u0065\u0072 spells "meter"; the value holds a quote, a backslash, a
  // slash, a tab, a CJK character (U+4E2D) and a surrogate pair (U+1F600).
  Event e = accepted(event_json("meter.power_off", R"("\u006d\u0065\u0074\u0065\u0072":"m\"1\\\/\t\u4e2d\ud83d\ude00")"));
  ASSERT_TRUE(e.get<MeterPowerOff>());
  EXPECT_EQ(e.get<MeterPowerOff>()->meter, "m\"1\\/\t\xE4\xB8\xAD\xF0\x9F\x98\x80");
  // Raw UTF-8 passes through untouched.
  Event raw = accepted(event_json("call.report", R"("address":"北京市朝阳区 1号","symptom":"no_power")"));
  ASSERT_TRUE(raw.get<CallReport>());
  EXPECT_EQ(raw.get<CallReport>()->address, "北京市朝阳区 1号");
}

TEST(EventDecoder, IgnoresUnknownFieldsAndFieldsItsTypeDoesNotUse) {
  // "volts" is a string (wrong for meter.voltage) and "area" is not GeoJSON, but a power_off
  // uses neither; "extra" is unknown and nested.
  Event e = accepted(event_json(
      "meter.power_off", R"("extra":{"a":[1,{"b":null}],"c":"d"},"volts":"high","area":7,"meter":"m1","seq":99)"));
  ASSERT_TRUE(e.get<MeterPowerOff>());
  EXPECT_EQ(e.get<MeterPowerOff>()->meter, "m1");
}

TEST(EventDecoder, TreatsNullAsAbsent) {
  Event e = accepted(event_json("crew.status", R"("crew":"K1","status":"available","ticket":null)"));
  ASSERT_TRUE(e.get<CrewStatus>());
  EXPECT_EQ(e.get<CrewStatus>()->ticket, "");
  EXPECT_EQ(rejection(event_json("meter.power_off", R"("meter":null)")), "field 'meter': missing");
}

TEST(EventDecoder, RejectsAFieldGivenTwice) {
  EXPECT_EQ(rejection(event_json("meter.power_off", R"("meter":"m1","meter":"m2")")), "field 'meter': given twice");
  // ...but only when the type uses it.
  EXPECT_EQ(rejection(event_json("meter.power_off", R"("meter":"m1","device":"a","device":"b")")), "");
}

// --- bodies ----------------------------------------------------------------------------------

TEST(EventDecoder, DecodesTheSameEventsFromAnObjectAnArrayAndNdjson) {
  const std::string a = event_json("meter.power_off", R"("meter":"m1")", "a");
  const std::string b = event_json("scada.switch", R"("device":"CB","state":"open")", "b");
  // The raw views point into the bodies: they must outlive the batches.
  const std::string array_body = "[" + a + "," + b + "]";
  const std::string ndjson_body = a + "\n" + b + "\n";
  DecodedBatch one = decode_ok(a);
  DecodedBatch array = decode_ok(array_body);
  DecodedBatch lines = decode_ok(ndjson_body, BodyFormat::ndjson);
  ASSERT_EQ(one.events.size(), 1u);
  ASSERT_EQ(array.events.size(), 2u);
  ASSERT_EQ(lines.events.size(), 2u);
  EXPECT_EQ(one.events[0].event.id, "a");
  for (const DecodedBatch* batch : {&array, &lines}) {
    EXPECT_TRUE(batch->rejected.empty());
    EXPECT_EQ(batch->events[0].event.id, "a");
    EXPECT_EQ(batch->events[0].event.get<MeterPowerOff>()->meter, "m1");
    EXPECT_EQ(batch->events[0].index, 0u);
    EXPECT_EQ(batch->events[1].event.id, "b");
    EXPECT_EQ(batch->events[1].event.type(), EventType::scada_switch);
    EXPECT_EQ(batch->events[1].index, 1u);
    EXPECT_EQ(batch->events[0].raw, a);
    EXPECT_EQ(batch->events[1].raw, b);
  }
}

TEST(EventDecoder, RejectsOnlyTheMalformedLinesOfNdjson) {
  // Event indexes count non-blank lines: the blank and whitespace lines are not events.
  const std::string good = event_json("meter.power_off", R"("meter":"m1")");
  const std::string body = good + "\n" +             // 0
                           "{\"id\":\"e2\",\n" +     // 1: cut short
                           "\n   \n" +               //    blank
                           good + "\r\n" +           // 2: CRLF
                           "[1,2]\n" +               // 3: not an object
                           good + " " + good + "\n"  // 4: two objects on one line
                           "{\"id\": tru}\n" +       // 5: a bad literal
                           good;                     // 6: no final newline
  DecodedBatch batch = decode_ok(body, BodyFormat::ndjson);
  ASSERT_EQ(batch.events.size(), 3u);
  EXPECT_EQ(batch.events[0].index, 0u);
  EXPECT_EQ(batch.events[1].index, 2u);
  EXPECT_EQ(batch.events[2].index, 6u);
  EXPECT_EQ(batch.events[1].raw, good) << "the CR is not part of the event";
  ASSERT_EQ(batch.rejected.size(), 4u);
  EXPECT_EQ(batch.rejected[0].index, 1u);
  EXPECT_EQ(batch.rejected[0].raw, "{\"id\":\"e2\",");
  EXPECT_EQ(batch.rejected[0].error.rfind("not JSON: ", 0), 0u) << batch.rejected[0].error;
  EXPECT_EQ(batch.rejected[1].index, 3u);
  EXPECT_EQ(batch.rejected[1].error, "not a JSON object");
  EXPECT_EQ(batch.rejected[2].index, 4u);
  EXPECT_EQ(batch.rejected[2].error, "not JSON: more text after the object");
  EXPECT_EQ(batch.rejected[3].index, 5u);
  EXPECT_EQ(batch.rejected[3].error.rfind("not JSON: ", 0), 0u) << batch.rejected[3].error;
}

// Long NDJSON bodies are streamed in batches of about a megabyte; whatever the batch
// boundaries, every line keeps its index and its own fate.
TEST(EventDecoder, DecodesAnNdjsonBodyOfManyBatchesLineByLine) {
  const int kLines = 30000;  // ~115 bytes each: ~3.4 MB, four batches
  auto line = [](int i) {
    // Every 1000th event, from the 7th, lacks its meter: valid JSON, rejected on its own.
    return event_json("meter.power_off", i % 1000 == 7 ? "" : R"("meter":"m)" + std::to_string(i) + "\"",
                      "e" + std::to_string(i));
  };
  auto body_with = [&](int malformed, int doubled) {
    std::string body;
    for (int i = 0; i < kLines; ++i) {
      if (i == malformed) {
        body += "{\"id\":\"cut";
      } else {
        body += line(i);
        if (i == doubled) body += line(i);
      }
      body += i % 3 == 0 ? "\r\n" : "\n";
    }
    return body;
  };
  for (auto [malformed, doubled] : {std::pair{-1, -1}, std::pair{25000, -1}, std::pair{12345, 20001}}) {
    const std::string body = body_with(malformed, doubled);
    DecodedBatch batch = decode_ok(body, BodyFormat::ndjson);
    // 30 lines lack their meter (7, 1007, ..., 29007); the malformed and doubled lines are
    // rejected too, and none of them is one of those 30.
    const std::size_t bad = 30 + (malformed >= 0) + (doubled >= 0);
    ASSERT_EQ(batch.rejected.size(), bad) << malformed;
    ASSERT_EQ(batch.events.size(), kLines - bad) << malformed;
    for (const DecodedEvent& d : batch.events) {
      ASSERT_EQ(d.event.id, "e" + std::to_string(d.index));
      ASSERT_EQ(d.event.get<MeterPowerOff>()->meter, "m" + std::to_string(d.index));
      ASSERT_EQ(d.raw, line(static_cast<int>(d.index)));
    }
    for (const EventRejection& r : batch.rejected) {
      const int i = static_cast<int>(r.index);
      if (i == malformed) {
        EXPECT_EQ(r.raw, "{\"id\":\"cut");
        EXPECT_EQ(r.error.rfind("not JSON: ", 0), 0u) << r.error;
      } else if (i == doubled) {
        EXPECT_EQ(r.error, "not JSON: more text after the object");
        EXPECT_EQ(r.raw, line(i) + line(i));
      } else {
        EXPECT_EQ(i % 1000, 7);
        EXPECT_EQ(r.error, "field 'meter': missing");
        EXPECT_EQ(r.id, "e" + std::to_string(i));
        EXPECT_EQ(r.raw, line(i));
      }
    }
  }
}

TEST(EventDecoder, FailsAWholeJsonBodyThatIsNotJson) {
  EventDecoder decoder;
  const std::string good = event_json("meter.power_off", R"("meter":"m1")");
  for (const std::string& body : {std::string(""), std::string("  \n"), "[" + good + ",", "[" + good + "," + good,
                                  "[" + good + "}", good.substr(0, good.size() - 1), good + " " + good, "[" + good + "] x",
                                  "[" + good + ",]", std::string(R"([{"id": tru}])"), std::string(R"({"a":"\x"})"),
                                  std::string("[1 2]"), std::string("{\"a\":\"\xff\"}")}) {
    auto batch = decoder.decode(body, BodyFormat::json, kNow);
    ASSERT_FALSE(batch.ok()) << body;
    EXPECT_EQ(batch.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(batch.error().message.rfind("not JSON", 0), 0u) << body << " -> " << batch.error().message;
  }
}

TEST(EventDecoder, FailsABodyThatIsNeitherAnObjectNorAnArray) {
  EventDecoder decoder;
  for (const char* body : {"42", "\"meter.power_off\"", "true", "null"}) {
    auto batch = decoder.decode(body, BodyFormat::json, kNow);
    ASSERT_FALSE(batch.ok()) << body;
    EXPECT_EQ(batch.error().message, "the body is not a JSON object or array") << body;
  }
}

TEST(EventDecoder, RejectsAnArrayElementThatIsNotAnObjectAlone) {
  const std::string good = event_json("fci.fault", R"("device":"d")");
  const std::string body = "[" + good + ", 42 , \"x\",[1,{}]," + good + "]";
  DecodedBatch batch = decode_ok(body);
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.events[1].index, 4u);
  ASSERT_EQ(batch.rejected.size(), 3u);
  EXPECT_EQ(batch.rejected[0].index, 1u);
  EXPECT_EQ(batch.rejected[0].raw, "42");
  EXPECT_EQ(batch.rejected[0].error, "not a JSON object");
  EXPECT_EQ(batch.rejected[1].raw, "\"x\"");
  EXPECT_EQ(batch.rejected[2].raw, "[1,{}]");
}

TEST(EventDecoder, FailsABodyOverTheEventLimitInEitherFormat) {
  DecodeLimits limits;
  limits.max_events = 2;
  EventDecoder decoder(limits);
  const std::string e = event_json("fci.fault", R"("device":"d")");
  auto array = decoder.decode("[" + e + "," + e + "," + e + "]", BodyFormat::json, kNow);
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.error().message, "more than 2 events");
  auto lines = decoder.decode(e + "\n" + e + "\n\n" + e + "\n", BodyFormat::ndjson, kNow);
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().message, "more than 2 events");
  auto two = decoder.decode(e + "\n\n" + e + "\n", BodyFormat::ndjson, kNow);
  ASSERT_TRUE(two.ok()) << "blank lines are not events";
  EXPECT_EQ(two->events.size(), 2u);
}

TEST(EventDecoder, AcceptsEmptyBatches) {
  EXPECT_TRUE(decode_ok("[]").events.empty());
  EXPECT_TRUE(decode_ok(" [ ] ").events.empty());
  EXPECT_TRUE(decode_ok("", BodyFormat::ndjson).events.empty());
  EXPECT_TRUE(decode_ok("\n\r\n", BodyFormat::ndjson).events.empty());
}

TEST(EventDecoder, GivesRawViewsThatAreTheCallersExactText) {
  // Whitespace around and inside events; nested values; an escaped quote inside a string.
  const std::string first = std::string(R"({ "id" : "a", "type":"iot.alarm","time":"2026-11-23T08:15:00+08:00",)") +
                            R"("source":"s","gateway":"g","kind":"x\"y","meters":[ "m1" ,"m2" ] })";
  const std::string second = event_json("meter.power_off", R"("meter":"m}")");
  const std::string body = " [\n  " + first + " ,\n\t" + second + "\n] \n";
  DecodedBatch batch = decode_ok(body);
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.events[0].raw, first);
  EXPECT_EQ(batch.events[1].raw, second);
  // The views point into the body the caller passed, not into a copy.
  for (const DecodedEvent& d : batch.events) {
    EXPECT_GE(d.raw.data(), body.data());
    EXPECT_LE(d.raw.data() + d.raw.size(), body.data() + body.size());
  }
  EXPECT_EQ(batch.events[1].raw.data(), body.data() + body.find(second));
}

TEST(EventDecoder, IndexesRejectionsByTheirPlaceInTheArray) {
  auto e = [](int i, bool good) {
    return event_json("meter.power_on", good ? R"("meter":"m")" : "", "e" + std::to_string(i));
  };
  const std::string body = "[" + e(0, true) + "," + e(1, false) + "," + e(2, true) + "," + e(3, false) + "," + e(4, false) + "]";
  DecodedBatch batch = decode_ok(body);
  ASSERT_EQ(batch.events.size(), 2u);
  ASSERT_EQ(batch.rejected.size(), 3u);
  EXPECT_EQ(batch.events[0].index, 0u);
  EXPECT_EQ(batch.events[1].index, 2u);
  EXPECT_EQ(batch.rejected[0].index, 1u);
  EXPECT_EQ(batch.rejected[0].id, "e1");
  EXPECT_EQ(batch.rejected[1].index, 3u);
  EXPECT_EQ(batch.rejected[2].index, 4u);
  EXPECT_EQ(batch.rejected[2].raw, e(4, false));
}

TEST(EventDecoder, DecodesIntoABatchItIsGivenReplacingWhatItHeld) {
  EventDecoder decoder;
  DecodedBatch batch;
  const std::string two = "[" + event_json("fci.fault", R"("device":"d")", "a") + "," + event_json("fci.fault", "", "b") + "]";
  ASSERT_TRUE(decoder.decode(two, BodyFormat::json, kNow, batch).ok());
  EXPECT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.rejected.size(), 1u);
  const std::string one = event_json("fci.fault", R"("device":"d2")", "c");
  ASSERT_TRUE(decoder.decode(one, BodyFormat::ndjson, kNow, batch).ok());
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_TRUE(batch.rejected.empty()) << "the previous rejection is gone";
  EXPECT_EQ(batch.events[0].event.id, "c");
  EXPECT_EQ(batch.events[0].event.get<FciFault>()->device, "d2");
  Status failed = decoder.decode("[1,", BodyFormat::json, kNow, batch);
  EXPECT_FALSE(failed.ok());
  EXPECT_TRUE(batch.events.empty()) << "a failed body leaves no events behind";
}

TEST(EventDecoder, SkipsAByteOrderMark) {
  const std::string body = "\xEF\xBB\xBF" + event_json("fci.fault", R"("device":"d")");
  DecodedBatch batch = decode_ok(body);
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0].raw.data(), body.data() + 3);
}

TEST(EventDecoder, RefusesNestingDeeperThanAnyEventNeeds) {
  // 100 nested arrays in an unknown field: valid JSON, but the decoder validates what it skips
  // with bounded recursion and stops at 64 levels.
  const std::string deep = event_json("fci.fault", R"("device":"d","junk":)" + std::string(100, '[') + std::string(100, ']'));
  EventDecoder decoder;
  auto as_json = decoder.decode(deep, BodyFormat::json, kNow);
  ASSERT_FALSE(as_json.ok());
  EXPECT_EQ(as_json.error().message, "not JSON: nested deeper than 64 levels");
  const std::string lines = deep + "\n" + event_json("fci.fault", R"("device":"d")") + "\n";
  DecodedBatch batch = decode_ok(lines, BodyFormat::ndjson);
  ASSERT_EQ(batch.rejected.size(), 1u);
  EXPECT_EQ(batch.rejected[0].error, "not JSON: nested deeper than 64 levels");
  EXPECT_EQ(batch.events.size(), 1u) << "the next line is fine";
}

TEST(EventDecoder, CanBeReusedForBodiesLargeThenSmall) {
  EventDecoder decoder;
  std::string big = "[";
  for (int i = 0; i < 1000; ++i) big += (i ? "," : "") + event_json("meter.power_off", R"("meter":"m")", "e" + std::to_string(i));
  big += "]";
  auto first = decoder.decode(big, BodyFormat::json, kNow);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->events.size(), 1000u);
  EXPECT_EQ(first->events[999].event.id, "e999");
  const std::string small = event_json("meter.power_on", R"("meter":"m2")");
  auto second = decoder.decode(small, BodyFormat::ndjson, kNow);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->events.size(), 1u);
  EXPECT_EQ(second->events[0].raw.data(), small.data());
  EXPECT_EQ(second->events[0].event.get<MeterPowerOn>()->meter, "m2");
  EXPECT_EQ(first->events[999].raw, event_json("meter.power_off", R"("meter":"m")", "e999"))
      << "the first batch's views point into its own body, untouched by the second call";
}

}  // namespace
}  // namespace outage
