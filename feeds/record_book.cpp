#include "feeds/record_book.h"

#include <algorithm>

#include <fmt/format.h>

namespace outage {

void RecordBook::index(const Record& r, bool add) {
  for (ServicePointId sp : r.service_points) {
    auto& list = by_service_point_[sp.value()];
    if (add) {
      list.push_back(r.id.value());
    } else {
      list.erase(std::remove(list.begin(), list.end(), r.id.value()), list.end());
      if (list.empty()) by_service_point_.erase(sp.value());
    }
  }
}

RecordId RecordBook::put(Record record) {
  auto it = by_name_.find(record.name);
  if (it != by_name_.end()) {
    Record& old = records_[it->second];
    index(old, false);
    record.id = old.id;
    old = std::move(record);
    index(old, true);
    return old.id;
  }
  record.id = RecordId(static_cast<std::uint32_t>(records_.size()));
  by_name_.emplace(record.name, record.id.value());
  records_.push_back(std::move(record));
  index(records_.back(), true);
  return records_.back().id;
}

Result<RecordId> RecordBook::cancel(std::string_view name) {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return not_found(fmt::format("field 'record': unknown record '{}'", name));
  Record& r = records_[it->second];
  if (!r.cancelled) {
    r.cancelled = true;
    index(r, false);
  }
  return r.id;
}

const Record* RecordBook::find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &records_[it->second];
}

const Record* RecordBook::covering(ServicePointId sp, Timestamp t, Duration early, Duration late) const {
  auto it = by_service_point_.find(sp.value());
  if (it == by_service_point_.end()) return nullptr;
  const Record* best = nullptr;
  for (std::uint32_t i : it->second) {
    const Record& r = records_[i];
    if (r.cancelled || t < r.start - early || t > r.end + late) continue;
    if (!best || r.start > best->start) best = &r;
  }
  return best;
}

}  // namespace outage
