// Access control: bearer tokens from the configuration, each with one role, and what a role may do.
//
// Roles are not a ladder. A producer (a meter head-end, a SCADA gateway, the drill simulator)
// posts events and nothing else; an agent (the hotline) asks status and works tickets; a
// dispatcher has the agent's rights plus outages, crews and assignments; an admin may do
// everything, including setting the simulated clock. The table, once (may() implements it):
//
//   permission      | what it covers                                        | producer agent dispatcher admin
//   post_events     | POST /v1/events                                       |    x                        x
//   read_status     | GET /v1/status                                        |            x       x        x
//   manage_tickets  | POST /v1/tickets, GET /v1/tickets[/{id}]              |            x       x        x
//   read_outages    | GET /v1/outages[/{id}], GET /v1/stream                |                    x        x
//   dispatch        | GET /v1/crews, POST /v1/tickets/{id}/assign           |                    x        x
//   admin           | POST /v1/clock, operator endpoints                    |                             x
//
// /healthz needs no token. Every error answer of the API has the body
// {"error": "<reason>", "code": "<ErrorCode name>"} (json_error in adapters/http_server.h): 401
// for a missing or unknown token (with `WWW-Authenticate: Bearer`), 403 for a role that lacks
// the permission. Both carry the code "invalid_input": the closed ErrorCode set has no
// authentication code. Reasons never repeat the token.
//
// Thread-safety: AccessControl is immutable after construction; use it from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http_server.h"
#include "geo/error.h"

namespace outage {

enum class Role : std::uint8_t { producer, agent, dispatcher, admin };
enum class Permission : std::uint8_t { post_events, read_status, manage_tickets, dispatch, read_outages, admin };

std::string_view to_string(Role role);              // "producer", "agent", "dispatcher", "admin"
std::optional<Role> role_from_string(std::string_view text);  // exact, lower case
std::string_view to_string(Permission permission);  // "post_events", ...

// Whether `role` has `permission` (the table above).
bool may(Role role, Permission permission);

// One configured token ([[tokens]] in the configuration).
struct ApiToken {
  std::string token;
  Role role = Role::agent;
  std::string name;  // who holds it, for logs ("hotline", "ami-headend")
};

// The 401 answer: {"error": reason, "code": "invalid_input"} with `WWW-Authenticate: Bearer`.
HttpResponse unauthorized_response(std::string_view reason);
// The 403 answer: "role 'agent' may not dispatch".
HttpResponse forbidden_response(Role role, Permission permission);

class AccessControl {
 public:
  explicit AccessControl(std::vector<ApiToken> tokens);

  // The role of the token in an `Authorization: Bearer <token>` header (the scheme is
  // case-insensitive). Every configured token is compared, each in time that does not depend on
  // where the texts differ. Fails with invalid_input: "missing Authorization header",
  // "Authorization header is not 'Bearer <token>'", "unknown token".
  Result<Role> authenticate(std::string_view authorization_header) const;

  // Like authenticate, also naming the token's holder (ApiToken::name) on success.
  Result<ApiToken> identify(std::string_view authorization_header) const;

  // What a route asks: nullopt when the header's token may do `permission`, otherwise the answer
  // to send (401 from authenticate's reason, or 403).
  //   if (auto refusal = access.refuse(request.authorization, Permission::dispatch))
  //     return responder.send(std::move(*refusal));
  std::optional<HttpResponse> refuse(std::string_view authorization_header, Permission permission) const;

  std::size_t token_count() const { return tokens_.size(); }

 private:
  std::vector<ApiToken> tokens_;
};

}  // namespace outage
