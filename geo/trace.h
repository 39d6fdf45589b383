// Trace: what a dispatcher asks of the topology about one element or bus: what protects it,
// what it feeds, and what goes dark when switches are operated. Pure; the CLI renders it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "geo/error.h"
#include "geo/topology.h"

namespace outage {

// What a name given by a person refers to.
struct Subject {
  enum class Kind { element, bus, service_point };
  Kind kind = Kind::bus;
  ElementId element;
  BusId bus;
  ServicePointId service_point;
};

// Resolves a name, case-insensitively, in this order: an exact element id ("line.sw7"); a bare
// OpenDSS name with the class left out ("sw7": line, transformer, fuse, recloser, relay,
// reactor, vsource, in that order, so a fused line wins over its fuse and lists it upstream);
// "load.NAME" or a meter id; a bus. not_found naming the subject otherwise.
Result<Subject> resolve_subject(const NetworkModel& model, std::string_view name);
// Resolves a switchable element (or any branch) to operate; not_found / invalid_input.
Result<ElementId> resolve_operable(const NetworkModel& model, std::string_view name);

struct TraceRequest {
  std::string device;
  std::vector<std::string> open;   // operated first, in order
  std::vector<std::string> close;  // then these
};

struct TraceReport {
  std::string device;  // the resolved id
  std::string kind;    // element kind, "bus" or "service_point"
  std::string feeder;  // the feeder it is on now ("" if dead)
  std::string source;
  bool energized = false;
  std::vector<std::string> upstream;  // protective devices, nearest first
  std::uint32_t downstream_buses = 0, downstream_service_points = 0, downstream_customers = 0;
  bool operated = false;  // were switches operated?
  std::vector<std::string> deenergized_buses;  // sorted
  std::uint64_t deenergized_customers = 0;
  std::vector<std::string> reenergized_buses;  // dead in the normal state, live after
  std::vector<std::string> loops;    // loop-closing elements after the operations
};

// Operates the requested switches on `topology`, answers for the device, and leaves the
// topology in its operated state. Errors: not_found / invalid_input naming the name.
Result<TraceReport> trace(Topology& topology, const TraceRequest& request);

}  // namespace outage
