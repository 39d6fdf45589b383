// An Event as the decoder would make it, for tests that feed the core directly.
#pragma once

#include <string>

#include "feeds/event.h"

namespace outage::testing {

inline Event make_event(std::string id, Timestamp time, EventPayload payload, std::string source = "test") {
  Event e;
  e.source = std::move(source);
  e.id = std::move(id);
  e.time = time;
  e.payload = std::move(payload);
  return e;
}

}  // namespace outage::testing
