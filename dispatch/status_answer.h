// StatusAnswer: the hotline's answer to "why is my power out, when will it return" for one
// service point, with a sentence the agent can read out (zh-CN by default, or English).
//
// Causes, in order of precedence:
//   - a record active now at the point (or one explaining its darkness): planned, temporary,
//     load_shedding, disconnection; power off; ETR the record's end (a load-shedding block's
//     end); a disconnection says how to get reconnected and sends nobody;
//   - an active outage that holds it, or a predicted one above it: fault (or temporary, for
//     switching with no record); ETR, ticket and crew from the ticket desk;
//   - darkness with no outage yet (evidence still gathering): off, cause unknown;
//   - otherwise on, cause none (no outage is known there).
#pragma once

#include <string>
#include <string_view>

#include "dispatch/control_room.h"

namespace outage {

enum class PowerState : std::uint8_t { on, off, unknown };
std::string_view to_string(PowerState p);

enum class AnswerCause : std::uint8_t { none, planned, temporary, fault, load_shedding, disconnection, unknown };
std::string_view to_string(AnswerCause c);

enum class Language : std::uint8_t { zh, en };

// How the answer speaks: its language, and the local time's offset from UTC for the times it
// reads out (China Standard Time: +08:00).
struct AnswerStyle {
  Language language = Language::zh;
  int utc_offset_minutes = 8 * 60;
};

struct StatusAnswer {
  PowerState power = PowerState::unknown;
  AnswerCause cause = AnswerCause::unknown;
  OutageId outage;
  RecordId record;
  std::string record_name;
  std::string reason;
  Timestamp since = kNoTime;
  Etr etr;
  TicketId ticket;
  std::string crew;               // the crew on it, if any
  std::string crew_status;        // its last report ("en_route", "on_site", ...), "" if none
  Timestamp crew_eta = kNoTime;   // when it is expected on site (its arrival, once there)
  std::uint32_t customers_out = 0;
  std::string message;
};

StatusAnswer answer_status(const ControlRoom& room, ServicePointId sp, Timestamp now, const AnswerStyle& style = {});

// "11月23日 14:30" / "23 Nov 14:30" in the style's local time.
std::string spoken_time(Timestamp t, const AnswerStyle& style);

}  // namespace outage
