// Event: one typed, validated signal as the wire contract (docs/api.md, "Events in") defines it.
//
// The decoder (feeds/event_decoder.h) turns bytes into Events; nothing else makes them from the
// wire. An Event carries its subject as the producer named it (a meter id, a device id, a gateway
// id, a phone number); feeds/event_resolver.h maps those names onto the network model. Units are
// converted here, at the boundary: times are UTC milliseconds, distances metres.
//
// Invariants of a decoded Event: `source` and `id` are non-empty; `time` is set; the payload's
// required fields are present and within their ranges (each payload documents its own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "feeds/clock.h"
#include "geo/network_model.h"

namespace outage {

// A position as the wire gives it: lon/lat (WGS 84) when the model is geo-referenced, otherwise
// x/y in the model's own coordinates. `geographic` says which pair the producer used.
struct Position {
  double x = 0;  // lon or x
  double y = 0;  // lat or y
  bool geographic = false;
  bool operator==(const Position&) const = default;
};

enum class EventType : std::uint8_t {
  meter_power_off,
  meter_power_on,
  meter_ping,
  meter_voltage,
  iot_alarm,
  scada_switch,
  fci_fault,
  relay_distance,
  call_report,
  crew_position,
  crew_status,
  record_planned,
  record_temporary,
  record_load_shedding,
  record_disconnection,
  record_cancel,
  outage_confirm,
  outage_etr,
  ticket_open,
  ticket_assign,
};
inline constexpr int kEventTypeCount = 20;
std::string_view to_string(EventType t);  // the wire name, e.g. "meter.power_off"
std::optional<EventType> event_type_from_string(std::string_view text);

// meter.power_off: a smart meter's last gasp.
struct MeterPowerOff {
  std::string meter;
};
// meter.power_on: power is back at a meter.
struct MeterPowerOn {
  std::string meter;
};
// meter.ping: a meter's answer to an on-demand read.
struct MeterPing {
  std::string meter;
  bool energized = false;
};
// meter.voltage: a reading out of band. volts >= 0, nominal > 0.
struct MeterVoltage {
  std::string meter;
  double volts = 0;
  double nominal = 0;
};

enum class IotAlarmKind : std::uint8_t { voltage_loss, phase_loss, restored, overload, other };
std::string_view to_string(IotAlarmKind k);
// iot.alarm: a smart community or smart park gateway. `phases` is set for phase_loss (the lost
// phases, kPhaseA|kPhaseB|kPhaseC bits), 0 when the gateway did not say. `kind_text` keeps the
// producer's word when `kind` is `other`.
struct IotAlarm {
  std::string gateway;
  IotAlarmKind kind = IotAlarmKind::other;
  std::string kind_text;
  std::string site;
  std::vector<std::string> meters;
  Phases phases = 0;
  std::optional<Position> position;
};

enum class SwitchState : std::uint8_t { open, closed };
enum class SwitchCause : std::uint8_t { unspecified, trip, lockout, reclose, manual };
std::string_view to_string(SwitchState s);
std::string_view to_string(SwitchCause c);
// scada.switch: a telemetered breaker, recloser or switch operated.
struct ScadaSwitch {
  std::string device;
  SwitchState state = SwitchState::open;
  SwitchCause cause = SwitchCause::unspecified;
};
// fci.fault: a fault-current indicator flagged fault current through `device`.
struct FciFault {
  std::string device;
};
// relay.distance: distance to fault measured by the relay at `device`, in metres (the wire says km).
struct RelayDistance {
  std::string device;
  double metres = 0;
};

enum class Symptom : std::uint8_t { no_power, partial_power, flicker, low_voltage, wire_down, fire };
enum class Channel : std::uint8_t { hotline_95598, app, counter, wechat, other };
std::string_view to_string(Symptom s);
std::string_view to_string(Channel c);
constexpr bool is_hazard(Symptom s) { return s == Symptom::wire_down || s == Symptom::fire; }
// call.report: a trouble call. At least one subject is set (customer, meter, phone, position or
// address); when several are, the first in that order wins.
struct CallReport {
  std::string customer;
  std::string meter;
  std::string phone;
  std::string address;
  std::optional<Position> position;
  Symptom symptom = Symptom::no_power;
  Channel channel = Channel::other;
  std::string contact;
  std::string note;
};

enum class CrewState : std::uint8_t { available, en_route, on_site, repaired, off_shift };
std::string_view to_string(CrewState s);
struct CrewPosition {
  std::string crew;
  Position position;
};
struct CrewStatus {
  std::string crew;
  CrewState status = CrewState::available;
  std::string ticket;
  std::optional<Timestamp> etr;  // the crew's own estimate of restoration (wins over the model's)
};

enum class RecordKind : std::uint8_t { planned, temporary, load_shedding, disconnection };
std::string_view to_string(RecordKind k);
// record.planned / .temporary / .load_shedding / .disconnection: a known outage. start < end; at
// least one of devices, customers, area is non-empty. `area` is the GeoJSON polygon's text as
// received (validated as a Polygon or MultiPolygon with closed rings).
struct OutageRecord {
  RecordKind kind = RecordKind::planned;
  std::string record;
  Timestamp start = kNoTime;
  Timestamp end = kNoTime;
  std::string reason;
  std::vector<std::string> devices;
  std::vector<std::string> customers;
  std::string area;
  std::optional<Timestamp> notice_at;
};
// record.cancel: withdraw a record.
struct RecordCancel {
  std::string record;
};

// outage.confirm: a crew or a dispatcher confirms an outage the engine predicted (the console's
// POST /v1/outages/{id}/confirm journals one). `outage` is the outage's id as the API shows it.
enum class Confirmer : std::uint8_t { crew, dispatcher };
std::string_view to_string(Confirmer c);
struct OutageConfirm {
  std::string outage;
  Confirmer by = Confirmer::dispatcher;
};

// outage.etr: a dispatcher's estimate of restoration for an outage (the console's
// POST /v1/outages/{id}/etr journals one); it wins over the model's and the crew's.
struct OutageEtr {
  std::string outage;
  Timestamp etr = kNoTime;
};

enum class TicketKind : std::uint8_t { repair, complaint, inquiry, suggestion, business };
std::string_view to_string(TicketKind k);
enum class ComplaintType : std::uint8_t { none, service, business, outage, power_quality, grid_construction };
std::string_view to_string(ComplaintType c);
// ticket.open: a ticket an agent opens (POST /v1/tickets journals one). The subject, as in a
// call.report, is optional here (a suggestion has none); a repair ticket needs `symptom`,
// `place` and `contact` (the desk checks: dispatch/ticket_desk.h), a complaint its `complaint`
// type.
struct TicketOpen {
  TicketKind kind = TicketKind::repair;
  ComplaintType complaint = ComplaintType::none;
  Channel channel = Channel::other;
  std::optional<Symptom> symptom;
  std::string customer;
  std::string meter;
  std::string phone;
  std::string address;
  std::optional<Position> position;
  std::string place;        // where (a repair: the address or landmark the crew goes to)
  std::string extent;       // how far it spreads: one house, the building, the street
  std::string contact;
  std::string note;
  std::string cause_guess;  // the agent's first guess at the cause and type
};

// ticket.assign: a dispatcher's choice of crew for a repair ticket (POST /v1/tickets/{id}/assign
// journals one): kept by every re-plan (dispatch/ticket_desk.h: pin). An empty `crew` hands the
// ticket back to the dispatch policy.
struct TicketAssign {
  std::string ticket;
  std::string crew;
  std::string reason;
};

using EventPayload = std::variant<MeterPowerOff, MeterPowerOn, MeterPing, MeterVoltage, IotAlarm, ScadaSwitch,
                                  FciFault, RelayDistance, CallReport, CrewPosition, CrewStatus, OutageRecord,
                                  RecordCancel, OutageConfirm, OutageEtr, TicketOpen, TicketAssign>;

struct Event {
  std::string source;
  std::string id;
  Timestamp time = kNoTime;
  EventPayload payload;

  EventType type() const;
  template <typename T>
  const T* get() const { return std::get_if<T>(&payload); }
};

}  // namespace outage
