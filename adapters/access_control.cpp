#include "adapters/access_control.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace outage {
namespace {

constexpr std::array<std::string_view, 4> kRoleNames = {"producer", "agent", "dispatcher", "admin"};
constexpr std::array<std::string_view, 6> kPermissionNames = {"post_events",  "read_status", "manage_tickets",
                                                              "dispatch",     "read_outages", "admin"};

// Bit per permission, per role: the table in the header.
constexpr unsigned bit(Permission p) { return 1u << static_cast<unsigned>(p); }
constexpr std::array<unsigned, 4> kRolePermissions = {
    /* producer   */ bit(Permission::post_events),
    /* agent      */ bit(Permission::read_status) | bit(Permission::manage_tickets),
    /* dispatcher */ bit(Permission::read_status) | bit(Permission::manage_tickets) | bit(Permission::read_outages) |
        bit(Permission::dispatch),
    /* admin      */ bit(Permission::post_events) | bit(Permission::read_status) | bit(Permission::manage_tickets) |
        bit(Permission::read_outages) | bit(Permission::dispatch) | bit(Permission::admin),
};

// Equal texts? The time taken depends on the lengths only, not on where the texts differ.
bool equal_constant_time(std::string_view a, std::string_view b) {
  std::size_t n = std::max(a.size(), b.size());
  volatile unsigned char diff = a.size() != b.size() ? 1 : 0;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = diff | static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(Role role) { return kRoleNames[static_cast<std::size_t>(role)]; }

std::optional<Role> role_from_string(std::string_view text) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i)
    if (kRoleNames[i] == text) return static_cast<Role>(i);
  return std::nullopt;
}

std::string_view to_string(Permission permission) { return kPermissionNames[static_cast<std::size_t>(permission)]; }

bool may(Role role, Permission permission) {
  return (kRolePermissions[static_cast<std::size_t>(role)] & bit(permission)) != 0;
}

HttpResponse unauthorized_response(std::string_view reason) {
  HttpResponse r = json_error(401, ErrorCode::invalid_input, reason);
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

HttpResponse forbidden_response(Role role, Permission permission) {
  return json_error(403, ErrorCode::invalid_input,
                    fmt::format("role '{}' may not {}", to_string(role), to_string(permission)));
}

AccessControl::AccessControl(std::vector<ApiToken> tokens) : tokens_(std::move(tokens)) {}

Result<ApiToken> AccessControl::identify(std::string_view authorization_header) const {
  std::string_view header = trim(authorization_header);
  if (header.empty()) return invalid_input("missing Authorization header (expected 'Bearer <token>')");
  std::size_t space = header.find_first_of(" \t");
  if (space == std::string_view::npos || !iequals(header.substr(0, space), "bearer"))
    return invalid_input("Authorization header is not 'Bearer <token>'");
  std::string_view presented = trim(header.substr(space));
  if (presented.empty()) return invalid_input("Authorization header is not 'Bearer <token>'");
  // No early exit: every configured token is compared.
  const ApiToken* match = nullptr;
  for (const ApiToken& t : tokens_) {
    bool equal = equal_constant_time(presented, t.token) && !t.token.empty();
    if (equal && match == nullptr) match = &t;
  }
  if (match == nullptr) return invalid_input("unknown token");
  return *match;
}

Result<Role> AccessControl::authenticate(std::string_view authorization_header) const {
  auto who = identify(authorization_header);
  if (!who) return who.error();
  return who->role;
}

std::optional<HttpResponse> AccessControl::refuse(std::string_view authorization_header, Permission permission) const {
  auto role = authenticate(authorization_header);
  if (!role) return unauthorized_response(role.error().message);
  if (!may(*role, permission)) return forbidden_response(*role, permission);
  return std::nullopt;
}

}  // namespace outage
