// EventResolver: finds what an event names (meters, customers, devices, gateways) in the network
// model, so that an event naming something unknown is dead-lettered with the reason before it is
// acknowledged, and the engine gets ids instead of names.
//
// Built once over a model and a gateway registry that must outlive it; then read-only, so it is
// safe to call from any number of threads at once (the ingest adapters do).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "feeds/event.h"
#include "feeds/event_decoder.h"
#include "feeds/gateway_registry.h"
#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

// What an event is about, in model ids. Which fields are set depends on the event type:
// meter.* and located calls: service_point; scada/fci/relay: device; iot.alarm: gateway and the
// service points it covers; records: devices and customers of the scope.
struct ResolvedEvent {
  ServicePointId service_point;
  CustomerId customer;
  ElementId device;
  const Gateway* gateway = nullptr;
  std::vector<ElementId> devices;
  std::vector<CustomerId> customers;
  std::vector<ServicePointId> service_points;  // iot.alarm with a meters list
  bool located = true;  // false for a call that names only an address (found later by the store)
  std::uint32_t outage = 0;  // outage.confirm, outage.etr: the outage's id
};

class EventResolver {
 public:
  EventResolver(const NetworkModel& model, const GatewayRegistry* gateways);

  // not_found naming the field and the unknown name ("field 'meter': unknown meter 'm9'");
  // invalid_input when a device is of the wrong kind for the event (a scada.switch on a line).
  Result<ResolvedEvent> resolve(const Event& event) const;
  // resolve() of each event, in order: the same results, several times faster on a large model
  // (the lookups of later events are started while earlier ones are resolved).
  std::vector<Result<ResolvedEvent>> resolve_all(std::span<const DecodedEvent> events) const;

  // Customers with that phone number (digits compared, other characters ignored).
  std::vector<CustomerId> customers_by_phone(std::string_view phone) const;
  // The service point nearest a position (same coordinates as the model); invalid if none has one.
  ServicePointId nearest_service_point(Point p) const;

 private:
  // The subject of a call or a ticket: the first of customer, meter, phone, position given;
  // `located` false when none is (an address only, or nothing).
  Status subject(const std::string& customer, const std::string& meter, const std::string& phone,
                 const std::optional<Position>& position, ResolvedEvent& r) const;
  const NetworkModel& model_;
  const GatewayRegistry* gateways_;
  std::unordered_multimap<std::string, std::uint32_t> by_phone_;
  std::vector<std::pair<Point, std::uint32_t>> positions_;  // sorted by x, for nearest lookups
};

std::string phone_digits(std::string_view phone);

}  // namespace outage
