// RecordBook: the known outages (planned work, temporary work, load shedding, disconnections)
// and which service points each one covers, so that signals they explain attach to them instead
// of raising a fault.
//
// A record is active for evidence timed within [start - early, end + late]: crews start a little
// early and overrun (InferenceConfig says how much). A record posted again under the same id
// replaces the earlier one; a cancelled record explains nothing from then on.
//
// Not thread-safe: owned by the engine, on its strand.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "feeds/clock.h"
#include "feeds/event.h"
#include "geo/strong_id.h"

namespace outage {

struct RecordTag {};
using RecordId = StrongId<RecordTag>;

struct Record {
  RecordId id;
  std::string name;  // the producer's record id
  RecordKind kind = RecordKind::planned;
  Timestamp start;
  Timestamp end;
  std::string reason;
  std::vector<ElementId> devices;
  std::vector<CustomerId> customers;
  std::string area;                       // GeoJSON text, when the scope has one
  std::vector<ServicePointId> service_points;  // the whole scope, sorted, unique
  std::uint32_t customer_count = 0;
  std::optional<Timestamp> notice_at;
  Timestamp received_at;
  bool late_notice = false;  // announced later than the service commitments require
  bool cancelled = false;
};

class RecordBook {
 public:
  // Adds a record, or replaces the one with the same name. Returns its id (a replacement keeps the id).
  RecordId put(Record record);
  // Cancels by name. not_found when no record has that name.
  Result<RecordId> cancel(std::string_view name);

  const Record* find(std::string_view name) const;
  const Record& record(RecordId id) const { return records_[id.value()]; }
  const std::vector<Record>& records() const { return records_; }

  // The record that explains darkness at `sp` at time `t`, or nullptr. When several do, the one
  // that started last (the most specific work in progress).
  const Record* covering(ServicePointId sp, Timestamp t, Duration early, Duration late) const;

 private:
  void index(const Record& r, bool add);
  std::vector<Record> records_;
  std::unordered_map<std::string, std::uint32_t> by_name_;
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> by_service_point_;
};

}  // namespace outage
