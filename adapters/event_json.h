// Events back to the wire: the JSON object of docs/api.md ("The envelope", "Event types") that
// feeds/event_decoder.h reads, for a program that produces events from Events (the live drill,
// adapters/live_target.h, sends the simulator's this way).
//
// The inverse of the decoder: decoding event_json(e) at a time that admits e.time gives back an
// Event equal to e, field for field, with these exceptions: relay.distance goes out in km
// (metres / 1000: a distance that is not a whole number of millimetres may come back a rounding
// away); an iot.alarm's `phases` go out only when set, and are read back only for phase_loss;
// optional strings that are empty are left out (the decoder reads an absent one as empty). Times
// are RFC 3339 in UTC (feeds/rfc3339.h), ids and sources as they are.
//
// Positions: the pair that matches the model (docs/api.md, "Conventions"): `lon`/`lat` when the
// position says it is geographic or the model's coordinate system is WGS 84, otherwise `x`/`y`.
//
// Pure and thread-safe: no state.
#pragma once

#include <nlohmann/json.hpp>

#include "feeds/event.h"
#include "geo/network_model.h"

namespace outage {

// The event as one JSON object. An event the decoder would refuse (an empty required field, a
// record without a scope) is written as it is: the receiver names the problem.
nlohmann::json event_json(const Event& event, const CoordinateSystem& crs);

}  // namespace outage
