// Who may do what: the role table, bearer tokens, and the 401/403 answers.
#include <gtest/gtest.h>

#include "adapters/access_control.h"

namespace outage {
namespace {

AccessControl sample() {
  return AccessControl({{"prod-token", Role::producer, "ami-headend"},
                        {"agent-token", Role::agent, "hotline"},
                        {"disp-token", Role::dispatcher, "control room"},
                        {"admin-token", Role::admin, "ops"}});
}

TEST(AccessControl, RolesAreNotALadder) {
  // A producer posts events and nothing else.
  EXPECT_TRUE(may(Role::producer, Permission::post_events));
  for (Permission p : {Permission::read_status, Permission::manage_tickets, Permission::dispatch,
                       Permission::read_outages, Permission::admin})
    EXPECT_FALSE(may(Role::producer, p)) << to_string(p);
  // An agent asks status and works tickets, but cannot post events although a producer can.
  EXPECT_TRUE(may(Role::agent, Permission::read_status));
  EXPECT_TRUE(may(Role::agent, Permission::manage_tickets));
  EXPECT_FALSE(may(Role::agent, Permission::post_events));
  EXPECT_FALSE(may(Role::agent, Permission::read_outages));
  EXPECT_FALSE(may(Role::agent, Permission::dispatch));
  EXPECT_FALSE(may(Role::agent, Permission::admin));
  // A dispatcher has the agent's rights plus outages, crews and assignments.
  for (Permission p : {Permission::read_status, Permission::manage_tickets, Permission::read_outages, Permission::dispatch})
    EXPECT_TRUE(may(Role::dispatcher, p)) << to_string(p);
  EXPECT_FALSE(may(Role::dispatcher, Permission::post_events));
  EXPECT_FALSE(may(Role::dispatcher, Permission::admin));
  // An admin may do everything, posting events and setting the clock included.
  for (Permission p : {Permission::post_events, Permission::read_status, Permission::manage_tickets,
                       Permission::dispatch, Permission::read_outages, Permission::admin})
    EXPECT_TRUE(may(Role::admin, p)) << to_string(p);
}

TEST(AccessControl, RoleNamesReadBack) {
  for (Role r : {Role::producer, Role::agent, Role::dispatcher, Role::admin})
    EXPECT_EQ(role_from_string(to_string(r)), r);
  EXPECT_EQ(role_from_string("Admin"), std::nullopt);
  EXPECT_EQ(role_from_string("root"), std::nullopt);
}

TEST(AccessControl, AuthenticatesTheBearerTokenOfEachRole) {
  AccessControl access = sample();
  EXPECT_EQ(*access.authenticate("Bearer prod-token"), Role::producer);
  EXPECT_EQ(*access.authenticate("Bearer agent-token"), Role::agent);
  EXPECT_EQ(*access.authenticate("bearer disp-token"), Role::dispatcher);  // the scheme is case-insensitive
  EXPECT_EQ(*access.authenticate("  Bearer   admin-token  "), Role::admin);
  auto who = access.identify("Bearer agent-token");
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->name, "hotline");
}

TEST(AccessControl, MissingMalformedAndUnknownTokensFail) {
  AccessControl access = sample();
  auto missing = access.authenticate("");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "missing Authorization header (expected 'Bearer <token>')");
  for (std::string_view bad : {"agent-token", "Basic YWdlbnQ6eA==", "Bearer", "Bearer  "}) {
    auto r = access.authenticate(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message, "Authorization header is not 'Bearer <token>'") << bad;
  }
  for (std::string_view unknown : {"Bearer agent-toke", "Bearer agent-token2", "Bearer AGENT-TOKEN", "Bearer x"}) {
    auto r = access.authenticate(unknown);
    ASSERT_FALSE(r.ok()) << unknown;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(r.error().message, "unknown token") << unknown;
  }
}

TEST(AccessControl, RefusesWith401ForNoTokenAnd403ForAMissingPermission) {
  AccessControl access = sample();
  auto none = access.refuse("", Permission::read_status);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->content_type, "application/json");
  EXPECT_EQ(none->body, R"j({"error":"missing Authorization header (expected 'Bearer <token>')","code":"invalid_input"})j");
  ASSERT_EQ(none->headers.size(), 1u);
  EXPECT_EQ(none->headers[0], (std::pair<std::string, std::string>{"WWW-Authenticate", "Bearer"}));

  auto unknown = access.refuse("Bearer stolen", Permission::read_status);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(unknown->body, R"({"error":"unknown token","code":"invalid_input"})");

  auto producer_reads = access.refuse("Bearer prod-token", Permission::read_status);
  ASSERT_TRUE(producer_reads.has_value());
  EXPECT_EQ(producer_reads->status, 403);
  EXPECT_EQ(producer_reads->body, R"({"error":"role 'producer' may not read_status","code":"invalid_input"})");

  auto agent_clock = access.refuse("Bearer agent-token", Permission::admin);
  ASSERT_TRUE(agent_clock.has_value());
  EXPECT_EQ(agent_clock->status, 403);
  EXPECT_EQ(agent_clock->body, R"({"error":"role 'agent' may not admin","code":"invalid_input"})");

  EXPECT_FALSE(access.refuse("Bearer prod-token", Permission::post_events).has_value());
  EXPECT_FALSE(access.refuse("Bearer admin-token", Permission::post_events).has_value());
  EXPECT_FALSE(access.refuse("Bearer disp-token", Permission::dispatch).has_value());
}

TEST(AccessControl, NoConfiguredTokensAdmitsNobody) {
  AccessControl access({});
  EXPECT_FALSE(access.authenticate("Bearer anything").ok());
  AccessControl empty_token({{"", Role::admin, "misconfigured"}});
  EXPECT_FALSE(empty_token.authenticate("Bearer ").ok());
}

TEST(AccessControl, ErrorResponsesNameTheErrorCode) {
  EXPECT_EQ(error_response(not_found("field 'meter': unknown meter \"M9\"")).body,
            R"({"error":"field 'meter': unknown meter \"M9\"","code":"not_found"})");
  EXPECT_EQ(error_response(not_found("x")).status, 404);
  EXPECT_EQ(error_response(unavailable("journal down")).status, 503);
  EXPECT_EQ(error_response(Error{ErrorCode::conflict, "x"}).status, 409);
  EXPECT_EQ(error_response(internal_error("x")).status, 500);
  HttpResponse r = json_error(400, ErrorCode::invalid_input, "bad \xff byte");  // invalid UTF-8 is replaced
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "{\"error\":\"bad \xEF\xBF\xBD byte\",\"code\":\"invalid_input\"}");
}

}  // namespace
}  // namespace outage
