#include "feeds/event.h"

#include <array>

namespace outage {
namespace {

constexpr std::array<std::string_view, kEventTypeCount> kEventTypeNames = {
    "meter.power_off", "meter.power_on",     "meter.ping",           "meter.voltage",
    "iot.alarm",       "scada.switch",       "fci.fault",            "relay.distance",
    "call.report",     "crew.position",      "crew.status",          "record.planned",
    "record.temporary", "record.load_shedding", "record.disconnection", "record.cancel",
    "outage.confirm",  "outage.etr",         "ticket.open",          "ticket.assign",
};

}  // namespace

std::string_view to_string(EventType t) { return kEventTypeNames[static_cast<int>(t)]; }

std::optional<EventType> event_type_from_string(std::string_view text) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    if (kEventTypeNames[i] == text) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

std::string_view to_string(TicketKind k) {
  switch (k) {
    case TicketKind::repair: return "repair";
    case TicketKind::complaint: return "complaint";
    case TicketKind::inquiry: return "inquiry";
    case TicketKind::suggestion: return "suggestion";
    case TicketKind::business: return "business";
  }
  return "repair";
}

std::string_view to_string(ComplaintType c) {
  switch (c) {
    case ComplaintType::none: return "";
    case ComplaintType::service: return "service";
    case ComplaintType::business: return "business";
    case ComplaintType::outage: return "outage";
    case ComplaintType::power_quality: return "power_quality";
    case ComplaintType::grid_construction: return "grid_construction";
  }
  return "";
}

std::string_view to_string(IotAlarmKind k) {
  switch (k) {
    case IotAlarmKind::voltage_loss: return "voltage_loss";
    case IotAlarmKind::phase_loss: return "phase_loss";
    case IotAlarmKind::restored: return "restored";
    case IotAlarmKind::overload: return "overload";
    case IotAlarmKind::other: return "other";
  }
  return "other";
}

std::string_view to_string(SwitchState s) { return s == SwitchState::open ? "open" : "closed"; }

std::string_view to_string(SwitchCause c) {
  switch (c) {
    case SwitchCause::unspecified: return "";
    case SwitchCause::trip: return "trip";
    case SwitchCause::lockout: return "lockout";
    case SwitchCause::reclose: return "reclose";
    case SwitchCause::manual: return "manual";
  }
  return "";
}

std::string_view to_string(Symptom s) {
  switch (s) {
    case Symptom::no_power: return "no_power";
    case Symptom::partial_power: return "partial_power";
    case Symptom::flicker: return "flicker";
    case Symptom::low_voltage: return "low_voltage";
    case Symptom::wire_down: return "wire_down";
    case Symptom::fire: return "fire";
  }
  return "no_power";
}

std::string_view to_string(Channel c) {
  switch (c) {
    case Channel::hotline_95598: return "95598";
    case Channel::app: return "app";
    case Channel::counter: return "counter";
    case Channel::wechat: return "wechat";
    case Channel::other: return "other";
  }
  return "other";
}

std::string_view to_string(CrewState s) {
  switch (s) {
    case CrewState::available: return "available";
    case CrewState::en_route: return "en_route";
    case CrewState::on_site: return "on_site";
    case CrewState::repaired: return "repaired";
    case CrewState::off_shift: return "off_shift";
  }
  return "available";
}

std::string_view to_string(RecordKind k) {
  switch (k) {
    case RecordKind::planned: return "planned";
    case RecordKind::temporary: return "temporary";
    case RecordKind::load_shedding: return "load_shedding";
    case RecordKind::disconnection: return "disconnection";
  }
  return "planned";
}

std::string_view to_string(Confirmer c) { return c == Confirmer::crew ? "crew" : "dispatcher"; }

EventType Event::type() const {
  struct Visitor {
    EventType operator()(const MeterPowerOff&) const { return EventType::meter_power_off; }
    EventType operator()(const MeterPowerOn&) const { return EventType::meter_power_on; }
    EventType operator()(const MeterPing&) const { return EventType::meter_ping; }
    EventType operator()(const MeterVoltage&) const { return EventType::meter_voltage; }
    EventType operator()(const IotAlarm&) const { return EventType::iot_alarm; }
    EventType operator()(const ScadaSwitch&) const { return EventType::scada_switch; }
    EventType operator()(const FciFault&) const { return EventType::fci_fault; }
    EventType operator()(const RelayDistance&) const { return EventType::relay_distance; }
    EventType operator()(const CallReport&) const { return EventType::call_report; }
    EventType operator()(const CrewPosition&) const { return EventType::crew_position; }
    EventType operator()(const CrewStatus&) const { return EventType::crew_status; }
    EventType operator()(const OutageRecord& r) const {
      switch (r.kind) {
        case RecordKind::planned: return EventType::record_planned;
        case RecordKind::temporary: return EventType::record_temporary;
        case RecordKind::load_shedding: return EventType::record_load_shedding;
        case RecordKind::disconnection: return EventType::record_disconnection;
      }
      return EventType::record_planned;
    }
    EventType operator()(const RecordCancel&) const { return EventType::record_cancel; }
    EventType operator()(const OutageConfirm&) const { return EventType::outage_confirm; }
    EventType operator()(const OutageEtr&) const { return EventType::outage_etr; }
    EventType operator()(const TicketOpen&) const { return EventType::ticket_open; }
    EventType operator()(const TicketAssign&) const { return EventType::ticket_assign; }
  };
  return std::visit(Visitor{}, payload);
}

}  // namespace outage
