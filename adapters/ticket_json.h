// Tickets, crews and the hotline's answer as the API shows them: GET /v1/tickets,
// GET /v1/tickets/{id}, GET /v1/crews and GET /v1/status. docs/api.md documents every field.
//
// Pure rendering: reads the control room, which the caller must own (the core strand).
#pragma once

#include <nlohmann/json.hpp>

#include "dispatch/control_room.h"
#include "dispatch/status_answer.h"

namespace outage {

// One ticket with its clocks. `detail` adds its calls and the follow-up (meters to verify,
// callers to call back).
nlohmann::json ticket_json(const ControlRoom& room, const Ticket& t, bool detail, Timestamp now);

// The crews as their reports describe them.
// The crews with their profiles, assignments and queues in the last plan, as of `now`.
nlohmann::json crews_json(const ControlRoom& room, Timestamp now);
// The last plan's alerts: tickets at risk of their arrival limit (or that no crew can take),
// each with its options.
nlohmann::json plan_alerts_json(const ControlRoom& room);

// The hotline's answer for one service point (and the customer asked about, if one was).
nlohmann::json status_json(const NetworkModel& model, const StatusAnswer& a, ServicePointId sp, CustomerId customer);

}  // namespace outage
