// Events back to the wire: every type goes through the real decoder and comes back the same.
#include "adapters/event_json.h"

#include <gtest/gtest.h>

#include <tuple>

#include "feeds/event_decoder.h"
#include "feeds/rfc3339.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

const Timestamp kT = *parse_rfc3339("2026-11-23T08:15:00.250+08:00");

CoordinateSystem local_feet() { return CoordinateSystem{CoordinateSystem::Kind::local, 0.3048}; }
CoordinateSystem wgs84() { return CoordinateSystem{CoordinateSystem::Kind::wgs84, 0}; }

Event make(EventPayload payload, std::string source = "sim-ami", std::string id = "17") {
  Event e;
  e.source = std::move(source);
  e.id = std::move(id);
  e.time = kT;
  e.payload = std::move(payload);
  return e;
}

// The event written, then read by the decoder at the event's own time: it must be accepted.
Event round_trip(const Event& e, const CoordinateSystem& crs = local_feet()) {
  const std::string body = event_json(e, crs).dump();
  EventDecoder decoder;
  auto batch = decoder.decode(body, BodyFormat::json, e.time);
  EXPECT_TRUE(batch.ok()) << body;
  if (!batch.ok()) return {};
  EXPECT_TRUE(batch->rejected.empty()) << body << ": " << (batch->rejected.empty() ? "" : batch->rejected[0].error);
  EXPECT_EQ(batch->events.size(), 1u) << body;
  if (batch->events.size() != 1) return {};
  Event back = std::move(batch->events[0].event);
  EXPECT_EQ(back.source, e.source);
  EXPECT_EQ(back.id, e.id);
  EXPECT_EQ(back.time, e.time);
  EXPECT_EQ(back.type(), e.type()) << body;
  return back;
}

// Each payload's fields, to compare as one tuple.
auto fields(const MeterPowerOff& p) { return std::tie(p.meter); }
auto fields(const MeterPowerOn& p) { return std::tie(p.meter); }
auto fields(const MeterPing& p) { return std::tie(p.meter, p.energized); }
auto fields(const MeterVoltage& p) { return std::tie(p.meter, p.volts, p.nominal); }
auto fields(const IotAlarm& p) { return std::tie(p.gateway, p.kind, p.kind_text, p.site, p.meters, p.phases, p.position); }
auto fields(const ScadaSwitch& p) { return std::tie(p.device, p.state, p.cause); }
auto fields(const FciFault& p) { return std::tie(p.device); }
auto fields(const RelayDistance& p) { return std::tie(p.device, p.metres); }
auto fields(const CallReport& p) {
  return std::tie(p.customer, p.meter, p.phone, p.address, p.position, p.symptom, p.channel, p.contact, p.note);
}
auto fields(const CrewPosition& p) { return std::tie(p.crew, p.position); }
auto fields(const CrewStatus& p) { return std::tie(p.crew, p.status, p.ticket, p.etr); }
auto fields(const OutageRecord& p) {
  return std::tie(p.kind, p.record, p.start, p.end, p.reason, p.devices, p.customers, p.notice_at);
}
auto fields(const RecordCancel& p) { return std::tie(p.record); }
auto fields(const OutageConfirm& p) { return std::tie(p.outage, p.by); }
auto fields(const OutageEtr& p) { return std::tie(p.outage, p.etr); }
auto fields(const TicketAssign& p) { return std::tie(p.ticket, p.crew, p.reason); }
auto fields(const TicketOpen& p) {
  return std::tie(p.kind, p.complaint, p.channel, p.symptom, p.customer, p.meter, p.phone, p.address, p.position,
                  p.place, p.extent, p.contact, p.note, p.cause_guess);
}

// The event comes back from the decoder with every field as it went.
template <typename T>
void expect_round_trip(const T& payload, const CoordinateSystem& crs = local_feet()) {
  const Event e = make(payload);
  const Event back = round_trip(e, crs);
  const T* got = back.get<T>();
  ASSERT_NE(got, nullptr) << event_json(e, crs).dump();
  EXPECT_TRUE(fields(*got) == fields(payload)) << event_json(e, crs).dump();
}

TEST(EventJson, WritesTheEnvelopeAndTheFieldsAsTheApiDocumentsThem) {
  EXPECT_EQ(event_json(make(MeterPowerOff{"s34c"}, "ami", "lg-88231"), local_feet()).dump(),
            R"({"id":"lg-88231","meter":"s34c","source":"ami","time":"2026-11-23T00:15:00.250Z","type":"meter.power_off"})");
  EXPECT_EQ(event_json(make(ScadaSwitch{"relay.subbreaker", SwitchState::open, SwitchCause::lockout}, "scada", "soe-1"),
                       local_feet())
                .dump(),
            R"({"cause":"lockout","device":"relay.subbreaker","id":"soe-1","source":"scada","state":"open",)"
            R"("time":"2026-11-23T00:15:00.250Z","type":"scada.switch"})");
}

TEST(EventJson, MeterSignalsComeBackUnchanged) {
  expect_round_trip(MeterPowerOff{"s34c"});
  expect_round_trip(MeterPowerOn{"s34c"});
  expect_round_trip(MeterPing{"s16c", true});
  expect_round_trip(MeterPing{"s16c", false});
  expect_round_trip(MeterVoltage{"s17c", 12.5, 230.0});
}

TEST(EventJson, GatewayAlarmsComeBackWithTheirKindSitePhasesMetersAndPosition) {
  IotAlarm loss;
  loss.gateway = "GW-Riverside";
  loss.kind = IotAlarmKind::voltage_loss;
  loss.site = "Riverside Park";
  loss.meters = {"s34c", "s16c"};
  loss.position = Position{1500.5, 1350.25, false};
  expect_round_trip(loss);

  IotAlarm phase;
  phase.gateway = "GW-1";
  phase.kind = IotAlarmKind::phase_loss;
  phase.phases = kPhaseA | kPhaseC;
  expect_round_trip(phase);

  IotAlarm odd;
  odd.gateway = "GW-1";
  odd.kind = IotAlarmKind::other;
  odd.kind_text = "door_open";
  expect_round_trip(odd);
}

TEST(EventJson, ScadaIndicatorsAndRelaysComeBackUnchanged) {
  expect_round_trip(ScadaSwitch{"fuse.f1", SwitchState::closed, SwitchCause::unspecified});
  expect_round_trip(ScadaSwitch{"relay.subbreaker", SwitchState::open, SwitchCause::trip});
  expect_round_trip(ScadaSwitch{"relay.subbreaker", SwitchState::closed, SwitchCause::reclose});
  expect_round_trip(FciFault{"line.l16"});
  expect_round_trip(RelayDistance{"relay.subbreaker", 2350.0});
}

TEST(EventJson, CallsComeBackWithTheirSubjectSymptomChannelAndNotes) {
  CallReport by_customer;
  by_customer.customer = "C1001";
  by_customer.symptom = Symptom::no_power;
  by_customer.channel = Channel::hotline_95598;
  by_customer.contact = "13800000001";
  by_customer.note = "whole building dark";
  expect_round_trip(by_customer);

  CallReport everything;
  everything.customer = "C1001";
  everything.meter = "s34c";
  everything.phone = "138-0000-0001";
  everything.address = "18 Renmin Road";
  everything.position = Position{10, 20, false};
  everything.symptom = Symptom::wire_down;
  everything.channel = Channel::wechat;
  expect_round_trip(everything);
}

TEST(EventJson, CrewPositionsAreXYOnALocalModelAndLonLatOnAGeographicOne) {
  expect_round_trip(CrewPosition{"crew-9", Position{1500.5, -20.75, false}});
  expect_round_trip(CrewPosition{"crew-9", Position{116.4012, 39.9121, true}});
  const Event local = make(CrewPosition{"crew-9", Position{1500.5, 20, false}});
  EXPECT_TRUE(event_json(local, local_feet()).contains("x"));
  EXPECT_FALSE(event_json(local, local_feet()).contains("lon"));
  // A geo-referenced model reads lon/lat: the pair that matches the model goes out.
  const Event geo = make(CrewPosition{"crew-9", Position{116.4, 39.9, false}});
  EXPECT_EQ(event_json(geo, wgs84())["lon"], 116.4);
  EXPECT_EQ(round_trip(geo, wgs84()).get<CrewPosition>()->position, (Position{116.4, 39.9, true}));
}

TEST(EventJson, CrewStatusesComeBackWithTheirTicketAndEstimate) {
  expect_round_trip(CrewStatus{"crew-9", CrewState::available, "", std::nullopt});
  expect_round_trip(CrewStatus{"crew-9", CrewState::en_route, "7", std::nullopt});
  expect_round_trip(CrewStatus{"crew-9", CrewState::on_site, "7", kT + 2h + 30min});
  expect_round_trip(CrewStatus{"crew-9", CrewState::repaired, "7", std::nullopt});
  expect_round_trip(CrewStatus{"crew-9", CrewState::off_shift, "", std::nullopt});
}

TEST(EventJson, RecordsComeBackWithTheirWindowReasonScopeAndNotice) {
  OutageRecord planned;
  planned.kind = RecordKind::planned;
  planned.record = "PW-7";
  planned.start = kT + 24h;
  planned.end = kT + 30h;
  planned.reason = "recloser installation";
  planned.devices = {"line.l2"};
  planned.customers = {"C2001", "C2002"};
  planned.notice_at = kT - 9 * 24h;
  expect_round_trip(planned);

  OutageRecord temporary = planned;
  temporary.kind = RecordKind::temporary;
  temporary.devices.clear();
  temporary.notice_at.reset();
  expect_round_trip(temporary);

  OutageRecord shedding = planned;
  shedding.kind = RecordKind::load_shedding;
  shedding.customers.clear();
  expect_round_trip(shedding);

  OutageRecord area = planned;
  area.kind = RecordKind::disconnection;
  area.devices.clear();
  area.customers.clear();
  area.area = R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]})";
  const Event back = round_trip(make(area));
  ASSERT_NE(back.get<OutageRecord>(), nullptr);
  EXPECT_EQ(nlohmann::json::parse(back.get<OutageRecord>()->area), nlohmann::json::parse(area.area));
}

TEST(EventJson, CancelsConfirmationsEstimatesAndAgentsTicketsComeBackUnchanged) {
  expect_round_trip(RecordCancel{"PW-7"});
  expect_round_trip(OutageConfirm{"42", Confirmer::crew});
  expect_round_trip(OutageEtr{"42", kT + 3h});
  TicketOpen t;
  t.kind = TicketKind::repair;
  t.symptom = Symptom::no_power;
  t.channel = Channel::app;
  t.customer = "C1001";
  t.place = "building 3";
  t.extent = "the building";
  t.contact = "13800000001";
  t.note = "lift stuck";
  t.cause_guess = "transformer";
  expect_round_trip(t);
  TicketOpen complaint;
  complaint.kind = TicketKind::complaint;
  complaint.complaint = ComplaintType::power_quality;
  complaint.position = Position{5, 6, false};
  expect_round_trip(complaint);
  expect_round_trip(TicketAssign{"7", "north-1", "knows the lateral"});
  expect_round_trip(TicketAssign{"7", "", ""});  // handed back to the policy
}

}  // namespace
}  // namespace outage
