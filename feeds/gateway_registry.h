// GatewayRegistry: the smart community and smart park gateways, and what each one watches, so
// that an iot.alarm lands on the topology like any other evidence.
//
// The registry file is a CSV (docs/formats.md, "Gateways"); header names are case-insensitive,
// column order is free; `gateway` and exactly one of `transformer`, `room`, `meters` per row:
//   gateway,site,kind,x,y,transformer,room,meters
// - gateway:     the gateway id the alarms carry in their `gateway` field (unique);
// - site:        the community or park's name, for people;
// - kind:        community | park (free text is kept; empty means community);
// - x, y:        the gateway's position (lon/lat where the model is geo-referenced), optional;
// - transformer: the id of the distribution transformer it watches (e.g. transformer.t5);
// - room:        the bus of the distribution room it watches: every meter fed from that bus and
//                below it in the network's normal state;
// - meters:      the meters it watches, separated by ';'.
// Ids are matched case-insensitively against the network model.
//
// Built once, then read-only: concurrent reads are safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/error.h"
#include "geo/id_index.h"
#include "geo/network_model.h"

namespace outage {

struct Gateway {
  std::string id;  // lower-case
  std::string site;
  std::string kind;
  std::optional<Point> position;
  ElementId transformer;                 // set when it watches a transformer
  BusId room;                            // set when it watches a distribution room
  std::vector<ServicePointId> meters;    // set when it watches meters
};

class GatewayRegistry {
 public:
  GatewayRegistry() = default;

  // Parses the CSV text against the model. invalid_input naming `path`, the line and the field
  // (unknown transformer, room or meter; duplicate gateway; no or several watched things).
  static Result<GatewayRegistry> parse(std::string_view text, std::string_view path, const NetworkModel& model);

  // Adds one gateway (for tests and the GIS import). invalid_input on a duplicate id or when
  // the gateway watches nothing or several kinds of things.
  Status add(Gateway gateway);

  // The gateway of that id (case-insensitive), or nullptr.
  const Gateway* find(std::string_view id) const;
  const std::vector<Gateway>& gateways() const { return gateways_; }
  std::size_t size() const { return gateways_.size(); }

 private:
  std::vector<Gateway> gateways_;
  std::unordered_map<std::string, std::size_t> by_id_;
};

}  // namespace outage
