#include "adapters/outage_json.h"

#include <map>

#include "feeds/rfc3339.h"

namespace outage {
namespace {

nlohmann::json time_or_null(Timestamp t) {
  if (t == kNoTime) return nullptr;
  return format_rfc3339(t);
}

nlohmann::json geometry(const NetworkModel& model, const Outage& o) {
  Point p;
  bool found = false;
  if (o.service_point.valid() && model.service_point(o.service_point).has_position) {
    p = model.service_point(o.service_point).position;
    found = true;
  } else if (o.bus.valid() && model.bus(o.bus).has_position) {
    p = model.bus(o.bus).position;
    found = true;
  }
  if (!found) return nullptr;
  return {{"type", "Point"}, {"coordinates", {p.x, p.y}}};
}

}  // namespace

nlohmann::json outage_feature(const OutageEngine& engine, const Outage& o, bool detail) {
  const NetworkModel& model = engine.topology().model();
  nlohmann::json props;
  props["id"] = o.id.value();
  props["device"] = o.device.valid() ? nlohmann::json(std::string(model.element(o.device).id)) : nlohmann::json(nullptr);
  props["device_kind"] = o.device.valid() ? nlohmann::json(std::string(to_string(model.element(o.device).kind)))
                                          : nlohmann::json("service_point");
  props["service_point"] =
      o.service_point.valid() ? nlohmann::json(std::string(model.service_point(o.service_point).id)) : nlohmann::json(nullptr);
  props["level"] = std::string(to_string(o.level));
  props["cause"] = std::string(to_string(o.cause));
  props["state"] = std::string(to_string(o.state));
  props["confirmed_by"] = o.confirmed_by == ConfirmedBy::none ? nlohmann::json(nullptr)
                                                               : nlohmann::json(std::string(to_string(o.confirmed_by)));
  props["customers_out"] = o.customers_out;
  props["customers_affected"] = o.customers_affected;
  props["start"] = time_or_null(o.start);
  props["detected_at"] = time_or_null(o.detected_at);
  props["probable_at"] = time_or_null(o.probable_at);
  props["confirmed_at"] = time_or_null(o.confirmed_at);
  props["restored_at"] = time_or_null(o.restored_at);
  props["updated_at"] = time_or_null(o.updated_at);
  props["parent"] = o.parent.valid() ? nlohmann::json(o.parent.value()) : nlohmann::json(nullptr);
  props["merged_into"] = o.merged_into.valid() ? nlohmann::json(o.merged_into.value()) : nlohmann::json(nullptr);
  props["etr"] = nullptr;     // the hotline issue fills these
  props["ticket"] = nullptr;
  props["crew"] = nullptr;
  std::map<std::string, int> counts;
  for (const Evidence& e : o.evidence) ++counts[std::string(to_string(e.kind))];
  props["evidence_counts"] = counts;
  if (detail) {
    nlohmann::json evidence = nlohmann::json::array();
    for (const Evidence& e : o.evidence) {
      bool by_people = e.kind == EvidenceKind::crew || e.kind == EvidenceKind::dispatcher;
      bool meter_level = by_people ? !o.device.valid()
                                   : e.kind != EvidenceKind::scada_open && e.kind != EvidenceKind::scada_close &&
                                         e.kind != EvidenceKind::fci && e.kind != EvidenceKind::relay_distance;
      std::string subject;
      if (meter_level && e.subject < model.service_points().size()) {
        subject = model.service_point(ServicePointId(e.subject)).id;
      } else if (!meter_level && e.subject < model.elements().size()) {
        subject = model.element(ElementId(e.subject)).id;
      }
      evidence.push_back({{"time", format_rfc3339(e.time)},
                          {"kind", std::string(to_string(e.kind))},
                          {meter_level ? "meter" : "device", subject},
                          {"seq", e.seq}});
    }
    props["evidence"] = std::move(evidence);
    nlohmann::json steps = nlohmann::json::array();
    for (const RestorationStep& s : o.restorations) steps.push_back({{"time", format_rfc3339(s.time)}, {"customers", s.customers}});
    props["restorations"] = std::move(steps);
    nlohmann::json fci = nlohmann::json::array();
    for (ElementId e : o.fault_indicators) fci.push_back(std::string(model.element(e).id));
    props["fault_location"] = {{"fault_indicators", std::move(fci)},
                               {"relay_distance_m", o.relay_distance_m < 0 ? nlohmann::json(nullptr)
                                                                           : nlohmann::json(o.relay_distance_m)}};
    props["switching_plan"] = nullptr;
  }
  return {{"type", "Feature"}, {"id", o.id.value()}, {"geometry", geometry(model, o)}, {"properties", std::move(props)}};
}

nlohmann::json record_list(const OutageEngine& engine, bool include_cancelled) {
  const NetworkModel& model = engine.topology().model();
  nlohmann::json out = nlohmann::json::array();
  for (const Record& r : engine.records().records()) {
    if (r.cancelled && !include_cancelled) continue;
    nlohmann::json devices = nlohmann::json::array();
    for (ElementId d : r.devices) devices.push_back(std::string(model.element(d).id));
    out.push_back({{"record", r.name},
                   {"kind", std::string(to_string(r.kind))},
                   {"start", format_rfc3339(r.start)},
                   {"end", format_rfc3339(r.end)},
                   {"reason", r.reason},
                   {"devices", std::move(devices)},
                   {"customers_named", r.customers.size()},
                   {"area", r.area.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(r.area, nullptr, false)},
                   {"service_points", r.service_points.size()},
                   {"customers", r.customer_count},
                   {"notice_at", r.notice_at ? nlohmann::json(format_rfc3339(*r.notice_at)) : nlohmann::json(nullptr)},
                   {"received_at", format_rfc3339(r.received_at)},
                   {"late_notice", r.late_notice},
                   {"cancelled", r.cancelled}});
  }
  return out;
}

nlohmann::json outage_collection(const OutageEngine& engine, const std::vector<OutageId>& ids) {
  nlohmann::json features = nlohmann::json::array();
  for (OutageId id : ids) {
    if (const Outage* o = engine.outage(id)) features.push_back(outage_feature(engine, *o, false));
  }
  return {{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

}  // namespace outage
