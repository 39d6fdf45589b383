// EventDecoder: request bodies of the wire contract (docs/api.md, "Events in") to validated Events.
//
// A body is one JSON object, a JSON array of objects, or NDJSON (one object a line; blank lines
// are skipped and do not count as events). The whole body fails, as invalid_input naming the
// reason, when it is not JSON (BodyFormat::json: any syntax error anywhere, or content after the
// first value), is not an object or an array, or holds more than max_events events. Otherwise
// each event is accepted or rejected on its own: a rejection names the event's index (its
// position in the array, or its count among the non-blank NDJSON lines, from 0) and the field and
// reason, e.g. "field 'meter': missing". An array element that is not an object, and an NDJSON
// line that is not one JSON object (malformed, a scalar, or followed by more text), reject only
// that event.
//
// The rules, stated here once:
// - Every event: `id` (a string, or a JSON integer kept as its decimal text), `type` (one of the
//   sixteen names in docs/api.md), `time` (RFC 3339 with a zone, feeds/rfc3339.h) and `source`
//   (a string). `time` lies within [now - max_age, now + max_future]; `now` is the receiver's
//   clock.
// - Strings: required ones are non-empty; every string (and every list entry) is at most
//   max_field_bytes bytes once unescaped; lists hold at most max_list entries. Optional strings
//   that are empty count as absent. A JSON null is the same as an absent field. A field given
//   twice in one object is rejected ("given twice"), but only when the event's type uses it.
// - Fields an event's type does not use are ignored, whatever they hold (forward compatibility),
//   and so are unknown fields.
// - meter.*: `meter`. meter.ping: `energized` boolean. meter.voltage: `volts` >= 0, `nominal` > 0.
// - iot.alarm: `gateway`; `kind` any non-empty word: voltage_loss, phase_loss, restored, overload,
//   and any other word becomes IotAlarmKind::other with the word in kind_text; optional `site`,
//   `meters` (array of strings) and position. `phases` ("A", "BC", "abc", or ["A", "B"]) is
//   required and non-empty for phase_loss and ignored for the other kinds.
// - scada.switch: `device`; `state` open | closed; optional `cause` trip | lockout | reclose | manual.
// - fci.fault: `device`. relay.distance: `device`, `km` >= 0 (stored as metres).
// - call.report: at least one of `customer`, `meter`, `phone`, `address`, position; `symptom`
//   no_power | partial_power | flicker | low_voltage | wire_down | fire; optional `channel`
//   95598 (string or integer) | app | counter | wechat | other: absent or any other word is
//   Channel::other (the call matters more than its label); optional `contact`, `note`.
// - crew.position: `crew` and a position. crew.status: `crew`; `status` available | en_route |
//   on_site | repaired | off_shift; optional `ticket`.
// - record.planned | .temporary | .load_shedding | .disconnection: `record`; `start` < `end`
//   (RFC 3339, no window around now: plans run weeks ahead); `reason`; a scope of at least one of
//   `devices`, `customers` (arrays of strings, empty arrays count as absent) and `area`: a GeoJSON
//   object of type Polygon or MultiPolygon whose rings have >= 4 positions of 2 or 3 numbers
//   each, the first equal to the last, at most max_list positions in all; kept as its JSON text.
//   Optional `notice_at` (RFC 3339). record.cancel: `record`.
// - Position: `lon` + `lat` (geographic; lon in [-180, 180], lat in [-90, 90]) or `x` + `y` at
//   the event's top level, or the same pairs in a nested `"position": {...}` object. Giving more
//   than one of these three forms is rejected as ambiguous; so is half a pair.
//
// Thread-safety: not thread-safe. One decoder belongs to one thread (the ingest strand) and is
// reused call after call. It runs no thread of its own. It keeps its buffers, sized for the
// largest body it has seen: a copy of the body, plus simdjson's index of about 6x the body for
// BodyFormat::json, or about 6 MB (a 1 MB streaming window) for ndjson. Destroy it to give that
// memory back.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/clock.h"
#include "feeds/event.h"
#include "geo/error.h"

namespace outage {

struct DecodeLimits {
  Duration max_future = std::chrono::minutes(5);  // producer clocks run a little ahead
  Duration max_age = std::chrono::hours(168);     // 7 days: older news is no outage signal
  std::size_t max_events = 100000;                // per body
  std::size_t max_field_bytes = 4096;             // per string, after unescaping
  std::size_t max_list = 100000;                  // entries of a list, positions of an area
};

enum class BodyFormat { json, ndjson };

struct DecodedEvent {
  // User-provided, not `= default`: the vector's value-initialization would otherwise zero all
  // 300-odd bytes of each event before constructing it (a fifth of the decoding time).
  DecodedEvent() {}
  DecodedEvent(Event e, std::size_t i, std::string_view r) : event(std::move(e)), index(i), raw(r) {}

  Event event;
  std::size_t index = 0;  // position in the body (see above)
  std::string_view raw;   // the event's own JSON text: a view into the caller's body
};

struct EventRejection {
  std::size_t index = 0;
  std::string source;  // as far as the event gave them (empty when absent or unusable)
  std::string id;
  std::string type;
  std::string error;     // "field 'time': 2 days in the future (limit 5 minutes)"
  std::string_view raw;  // the event's text (for NDJSON: the line, trimmed), a view into the body
};

struct DecodedBatch {
  std::vector<DecodedEvent> events;      // in body order
  std::vector<EventRejection> rejected;  // in body order
};

class EventDecoder {
 public:
  explicit EventDecoder(DecodeLimits limits = {});
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  const DecodeLimits& limits() const;

  // Decodes `body`. On success: every event, accepted or rejected; the string_views in the
  // batch point into `body`, so it must outlive them. On failure: invalid_input naming the reason
  // ("not JSON: ...", "the body is not a JSON object or array", "more than 100000 events").
  Result<DecodedBatch> decode(std::string_view body, BodyFormat format, Timestamp now);

  // The same into `out`, whose contents it replaces (on failure: leaves it empty) while keeping
  // its vectors' capacity: a caller that reuses one batch body after body stops allocating once
  // the batch has grown (a fresh million-event batch is ~340 MB the kernel must zero first).
  Status decode(std::string_view body, BodyFormat format, Timestamp now, DecodedBatch& out);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
