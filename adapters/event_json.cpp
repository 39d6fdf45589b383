#include "adapters/event_json.h"

#include "feeds/rfc3339.h"

namespace outage {
namespace {

using Json = nlohmann::json;

// Writes one payload's fields into the event object.
struct PayloadWriter {
  Json& j;
  const CoordinateSystem& crs;

  void text(const char* key, const std::string& value) const {
    if (!value.empty()) j[key] = value;
  }
  void list(const char* key, const std::vector<std::string>& values) const {
    if (!values.empty()) j[key] = values;
  }
  void position(const std::optional<Position>& p) const {
    if (!p) return;
    if (p->geographic || crs.kind == CoordinateSystem::Kind::wgs84) {
      j["lon"] = p->x;
      j["lat"] = p->y;
    } else {
      j["x"] = p->x;
      j["y"] = p->y;
    }
  }
  // A subject as call.report and ticket.open give it.
  void subject(const std::string& customer, const std::string& meter, const std::string& phone,
               const std::string& address, const std::optional<Position>& at) const {
    text("customer", customer);
    text("meter", meter);
    text("phone", phone);
    text("address", address);
    position(at);
  }

  void operator()(const MeterPowerOff& p) const { j["meter"] = p.meter; }
  void operator()(const MeterPowerOn& p) const { j["meter"] = p.meter; }
  void operator()(const MeterPing& p) const {
    j["meter"] = p.meter;
    j["energized"] = p.energized;
  }
  void operator()(const MeterVoltage& p) const {
    j["meter"] = p.meter;
    j["volts"] = p.volts;
    j["nominal"] = p.nominal;
  }
  void operator()(const IotAlarm& p) const {
    j["gateway"] = p.gateway;
    j["kind"] = p.kind == IotAlarmKind::other ? p.kind_text : std::string(to_string(p.kind));
    text("site", p.site);
    list("meters", p.meters);
    if (p.phases != 0) j["phases"] = phases_to_string(p.phases);
    position(p.position);
  }
  void operator()(const ScadaSwitch& p) const {
    j["device"] = p.device;
    j["state"] = std::string(to_string(p.state));
    if (p.cause != SwitchCause::unspecified) j["cause"] = std::string(to_string(p.cause));
  }
  void operator()(const FciFault& p) const { j["device"] = p.device; }
  void operator()(const RelayDistance& p) const {
    j["device"] = p.device;
    j["km"] = p.metres / 1000;
  }
  void operator()(const CallReport& p) const {
    subject(p.customer, p.meter, p.phone, p.address, p.position);
    j["symptom"] = std::string(to_string(p.symptom));
    j["channel"] = std::string(to_string(p.channel));
    text("contact", p.contact);
    text("note", p.note);
  }
  void operator()(const CrewPosition& p) const {
    j["crew"] = p.crew;
    position(p.position);
  }
  void operator()(const CrewStatus& p) const {
    j["crew"] = p.crew;
    j["status"] = std::string(to_string(p.status));
    text("ticket", p.ticket);
    if (p.etr) j["etr"] = format_rfc3339(*p.etr);
  }
  void operator()(const OutageRecord& p) const {
    j["record"] = p.record;
    j["start"] = format_rfc3339(p.start);
    j["end"] = format_rfc3339(p.end);
    j["reason"] = p.reason;
    list("devices", p.devices);
    list("customers", p.customers);
    if (!p.area.empty()) j["area"] = Json::parse(p.area, nullptr, false);  // the decoder kept valid JSON
    if (p.notice_at) j["notice_at"] = format_rfc3339(*p.notice_at);
  }
  void operator()(const RecordCancel& p) const { j["record"] = p.record; }
  void operator()(const OutageConfirm& p) const {
    j["outage"] = p.outage;
    j["by"] = std::string(to_string(p.by));
  }
  void operator()(const OutageEtr& p) const {
    j["outage"] = p.outage;
    j["etr"] = format_rfc3339(p.etr);
  }
  void operator()(const TicketAssign& p) const {
    j["ticket"] = p.ticket;
    j["crew"] = p.crew;
    text("reason", p.reason);
  }
  void operator()(const TicketOpen& p) const {
    j["kind"] = std::string(to_string(p.kind));
    if (p.complaint != ComplaintType::none) j["complaint"] = std::string(to_string(p.complaint));
    if (p.symptom) j["symptom"] = std::string(to_string(*p.symptom));
    j["channel"] = std::string(to_string(p.channel));
    subject(p.customer, p.meter, p.phone, p.address, p.position);
    text("place", p.place);
    text("extent", p.extent);
    text("contact", p.contact);
    text("note", p.note);
    text("cause_guess", p.cause_guess);
  }
};

}  // namespace

Json event_json(const Event& event, const CoordinateSystem& crs) {
  Json j = {{"id", event.id},
            {"type", std::string(to_string(event.type()))},
            {"time", format_rfc3339(event.time)},
            {"source", event.source}};
  std::visit(PayloadWriter{j, crs}, event.payload);
  return j;
}

}  // namespace outage
