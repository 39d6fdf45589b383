// Assignment: a dispatcher's order that a crew take a ticket now, with the predicted arrival and
// the reason shown to people. Every dispatch policy (dispatch/dispatch_policy.h) returns these.
#pragma once

#include <string>

#include "dispatch/ticket.h"
#include "feeds/clock.h"

namespace outage {

struct Assignment {
  TicketId ticket;
  std::string crew;
  Timestamp eta = kNoTime;  // predicted arrival on site
  std::string reason;       // why this crew, for the dispatcher
};

}  // namespace outage
