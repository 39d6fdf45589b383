// The hotline end to end: the real daemon on PostGIS with the IEEE 123 feeder answers
// GET /v1/status for every cause, makes one repair ticket per fault whatever the calls, runs the
// tickets' clocks on the simulated clock, moves the ETR with the crew, and finds a customer
// from a misspelt address (pg_trgm). On the 123 feeder the lateral at line.l12 feeds the loads
// s34c, s16c and s17c; each load is one meter and one customer of the same name.
#include <gtest/gtest.h>

#include "tests/adapters/cli_run.h"
#include "tests/adapters/daemon_fixture.h"

namespace outage {
namespace {

using namespace testing;

const char* kFeeder = "ieee123/Run_IEEE123Bus.DSS";

std::string record(const std::string& id, const char* type, const std::string& name, const std::string& customers,
                   Timestamp start, Timestamp end, const std::string& reason) {
  return fmt::format(R"({{"id":"{}","type":"{}","time":"{}","source":"records","record":"{}","start":"{}","end":"{}",)"
                     R"("reason":"{}","customers":[{}],"notice_at":"{}"}})",
                     id, type, at(start - 1h), name, at(start), at(end), reason, customers, at(start - 8 * 24h));
}

std::string crew_status(const std::string& id, const std::string& crew, const char* status, int ticket, Timestamp t) {
  return fmt::format(R"({{"id":"{}","type":"crew.status","time":"{}","source":"crews","crew":"{}","status":"{}","ticket":"{}"}})",
                     id, at(t), crew, status, ticket);
}

class HotlineTest : public DaemonTest {
 protected:
  Json status(const std::string& query, int expect = 200) {
    auto r = http(port, "GET", "/v1/status?" + query, DaemonProcess::kAdminToken);
    EXPECT_EQ(r.status, expect) << query << ": " << r.body;
    return Json::parse(r.body, nullptr, false);
  }
  Json tickets(const std::string& state = "open") {
    auto r = http(port, "GET", "/v1/tickets?state=" + state, DaemonProcess::kAdminToken);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body, nullptr, false)["tickets"];
  }
  Json ticket(int id) {
    auto r = http(port, "GET", fmt::format("/v1/tickets/{}", id), DaemonProcess::kAdminToken);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body, nullptr, false);
  }
  // The lateral at line.l12 faults at kT0: its three meters gasp; the clock passes the settling
  // window, so the outage is probable and has its ticket.
  void fault_l12() {
    post_all(array({gasp(id(), "s34c", kT0), gasp(id(), "s16c", kT0), gasp(id(), "s17c", kT0)}));
    clock(kT0 + 1s);
    clock(kT0 + 2min);
  }
};

TEST_F(HotlineTest, AnswersEveryCauseOnIeee123) {
  start(kFeeder);
  post_all(array({record(id(), "record.planned", "P-1", R"("s1a")", kT0, kT0 + 4h, "line maintenance"),
                  record(id(), "record.temporary", "T-1", R"("s2b")", kT0, kT0 + 2h, "urgent repair"),
                  record(id(), "record.load_shedding", "L-1", R"("s4c")", kT0, kT0 + 90min, "block 3"),
                  record(id(), "record.disconnection", "D-1", R"("s5c")", kT0, kT0 + 30 * 24h, "arrears")}));
  fault_l12();
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"s1a", "planned"}, {"s2b", "temporary"}, {"s4c", "load_shedding"}, {"s5c", "disconnection"},
      {"s16c", "fault"},  {"s60a", "none"}};
  for (const auto& [customer, cause] : expected) {
    Json a = status("customer=" + customer);
    EXPECT_EQ(a["cause"], cause) << customer << ": " << a.dump();
    EXPECT_EQ(a["power"], cause == "none" ? "on" : "off") << customer;
    EXPECT_FALSE(a["message"].get<std::string>().empty()) << customer;
  }
  Json planned = status("customer=s1a");
  EXPECT_EQ(planned["reason"], "line maintenance");
  EXPECT_EQ(planned["record"], "P-1");
  EXPECT_EQ(planned["etr"]["p50"], format_rfc3339(kT0 + 4h));
  EXPECT_EQ(status("customer=s4c")["etr"]["p50"], format_rfc3339(kT0 + 90min));
  Json disconnected = status("customer=s5c");
  EXPECT_TRUE(disconnected["etr"].is_null());
  EXPECT_TRUE(disconnected["ticket"].is_null());
  Json fault = status("meter=s34c");
  EXPECT_FALSE(fault["ticket"].is_null());
  EXPECT_FALSE(fault["etr"].is_null());
  EXPECT_EQ(fault["since"], format_rfc3339(kT0));
  // The same answers after a restart: the journal rebuilds records, outages and tickets.
  int ticket_id = fault["ticket"];
  Json clocks = ticket(ticket_id)["clocks"];
  restart();
  EXPECT_EQ(status("meter=s34c")["ticket"], ticket_id);
  EXPECT_EQ(ticket(ticket_id)["clocks"], clocks);
  EXPECT_EQ(status("customer=s1a")["cause"], "planned");
}

TEST_F(HotlineTest, ACallInsideAPlannedOutageGetsThePlannedReasonAndNoTicket) {
  start(kFeeder);
  post_all(record(id(), "record.planned", "P-7", R"("s1a","s2b")", kT0, kT0 + 4h, "transformer replacement"));
  clock(kT0 + 10min);
  post_all(array({call(id(), "s1a", kT0 + 10min), call(id(), "s2b", kT0 + 11min)}));
  clock(kT0 + 12min);
  clock(kT0 + 30min);
  Json a = status("customer=s1a");
  EXPECT_EQ(a["cause"], "planned");
  EXPECT_EQ(a["reason"], "transformer replacement");
  EXPECT_TRUE(tickets("all").empty());
}

TEST_F(HotlineTest, TwoHundredCallsAboutOneFaultMakeOneTicket) {
  start(kFeeder);
  fault_l12();
  std::vector<std::string> calls;
  const std::vector<std::string> callers = {"s34c", "s16c", "s17c"};
  for (int i = 0; i < 200; ++i) calls.push_back(call(id(), callers[i % 3], kT0 + 3min + std::chrono::seconds(i)));
  post_all(array(calls));
  clock(kT0 + 10min);
  Json open = tickets();
  ASSERT_EQ(open.size(), 1u) << open.dump();
  EXPECT_EQ(open[0]["kind"], "repair");
  EXPECT_EQ(open[0]["calls"], 200);
  Json detail = ticket(open[0]["id"]);
  EXPECT_EQ(detail["follow_up"]["call_back"].size(), 3u);  // each caller once
}

TEST_F(HotlineTest, TheEtrMovesWhenTheCrewReportsOnSite) {
  start(kFeeder);
  fault_l12();
  Json before = status("meter=s16c");
  int t = before["ticket"];
  EXPECT_EQ(before["etr"]["basis"], "queued");
  post_all(crew_status(id(), "K1", "en_route", t, kT0 + 3min));
  clock(kT0 + 4min);
  Json en_route = status("meter=s16c");

  EXPECT_EQ(en_route["crew"]["status"], "en_route");
  EXPECT_EQ(en_route["etr"]["basis"], "en_route");
  clock(kT0 + 30min);
  post_all(crew_status(id(), "K1", "on_site", t, kT0 + 30min));
  clock(kT0 + 31min);
  Json on_site = status("meter=s16c");
  EXPECT_EQ(on_site["etr"]["basis"], "on_site");
  EXPECT_EQ(on_site["crew"]["status"], "on_site");
  EXPECT_NE(on_site["etr"]["p50"], before["etr"]["p50"]);
  EXPECT_NE(on_site["etr"]["p50"], en_route["etr"]["p50"]);
  // The ticket's clocks show the crew's progress.
  Json detail = ticket(t);
  EXPECT_EQ(detail["clocks"]["dispatched"], format_rfc3339(kT0 + 3min));
  EXPECT_EQ(detail["clocks"]["arrived"], format_rfc3339(kT0 + 30min));
  EXPECT_FALSE(detail["limits"]["arrival"]["breached"].get<bool>());
}

TEST_F(HotlineTest, TicketClocksBreachWhenTheSimulatedClockPassesTheLimit) {
  start(kFeeder);
  fault_l12();
  Json open = tickets();
  ASSERT_EQ(open.size(), 1u);
  Timestamp accepted = *parse_rfc3339(open[0]["clocks"]["accepted"].get<std::string>());
  EXPECT_FALSE(open[0]["limits"]["route"]["breached"].get<bool>());
  clock(accepted + 4min + 30s);  // under a fifth of the 5 minutes left
  EXPECT_TRUE(tickets()[0]["limits"]["route"]["at_risk"].get<bool>());
  clock(accepted + 5min + 1s);
  Json late = tickets()[0];
  EXPECT_TRUE(late["limits"]["route"]["breached"].get<bool>());
  EXPECT_FALSE(late["limits"]["arrival"]["breached"].get<bool>());
  clock(accepted + 45min + 1s);
  EXPECT_TRUE(tickets()[0]["limits"]["arrival"]["breached"].get<bool>());
}

TEST_F(HotlineTest, AddressSearchFindsACustomerFromAMisspeltAddress) {
  std::ofstream(dir + "/customers.csv") << "customer,load,class,name,phone,address\n"
                                           "C-1001,s1a,residential,Li Wei,13800001001,\"18 Renmin Road, Building 3\"\n"
                                           "C-1002,s2b,critical,City Hospital,13800001002,\"2 Hospital Lane\"\n"
                                           "C-1003,s4c,residential,Wang Fang,13800001003,\"45 Zhongshan Avenue\"\n"
                                           "C-1004,s5c,residential,Zhao Lei,13800001004,\"45 Zhongshan Avenue\"\n";
  configure(fmt::format("[model]\ncustomers = \"{}/customers.csv\"\n", dir));
  start(kFeeder);
  Json a = status("address=18%20Renmin%20Raod%20Bulding%203");
  EXPECT_EQ(a["customer"], "c-1001") << a.dump();
  EXPECT_EQ(a["cause"], "none");
  // By phone too.
  EXPECT_EQ(status("phone=138-0000-1002")["customer"], "c-1002");  // ids are kept lower-case
  // Two customers at one address: 300 with both to pick from.
  Json both = status("address=45%20Zhongshan%20Avenu", 300);
  ASSERT_EQ(both["candidates"].size(), 2u) << both.dump();
  EXPECT_EQ(both["candidates"][0]["customer"], "c-1003");
  EXPECT_EQ(both["candidates"][1]["customer"], "c-1004");
  // Nothing like it: 404 with the reason.
  Json none = status("address=Qwxz%20Pvbk", 404);
  EXPECT_NE(none["error"].get<std::string>().find("no customer's address is like it"), std::string::npos);
}

TEST_F(HotlineTest, BadQueriesGet400WithTheReasonAndUnknownSubjects404) {
  start(kFeeder);
  EXPECT_EQ(status("", 400)["error"], "query: give one subject: customer, meter, phone, address, lon and lat, or x and y");
  EXPECT_EQ(status("customer=s1a&meter=s1a", 400)["error"], "query: give one subject, not several (customer, meter)");
  EXPECT_EQ(status("x=abc&y=1", 400)["error"], "query 'x': not a number: 'abc'");
  EXPECT_EQ(status("x=1", 400)["error"], "query 'y': missing");
  EXPECT_EQ(status("lon=200&lat=1", 400)["error"], "query 'lon'/'lat': outside [-180, 180] x [-90, 90]");
  EXPECT_EQ(status("customer=" + std::string(300, 'a'), 400)["error"], "query 'customer': longer than 256 characters");
  EXPECT_EQ(status("customer=", 400)["error"], "query 'customer': empty");
  EXPECT_EQ(status("customer=nobody", 404)["error"], "customer 'nobody': unknown");
  EXPECT_EQ(status("meter=m-none", 404)["error"], "meter 'm-none': unknown");
}

TEST_F(HotlineTest, AgentsOpenTicketsAndBadTicketsAreRefusedNamingTheField) {
  start(kFeeder);
  auto open = [&](const std::string& body, int expect) {
    auto r = http(port, "POST", "/v1/tickets", DaemonProcess::kAdminToken, body);
    EXPECT_EQ(r.status, expect) << body << ": " << r.body;
    return Json::parse(r.body, nullptr, false);
  };
  Json complaint = open(R"({"kind":"complaint","complaint":"outage","customer":"s9a","channel":"95598","note":"no notice"})", 201);
  EXPECT_EQ(complaint["state"], "routed");
  EXPECT_EQ(complaint["team"], "complaint office");
  EXPECT_EQ(complaint["limits"]["route"]["due"], format_rfc3339(kT0 + 10min));
  Json repair = open(R"({"kind":"repair","symptom":"no_power","customer":"s9a","place":"gate 2","contact":"13800000009"})", 201);
  EXPECT_EQ(repair["kind"], "repair");
  EXPECT_EQ(repair["state"], "accepted");
  EXPECT_EQ(repair["limits"]["route"]["due"], format_rfc3339(kT0 + 5min));
  EXPECT_EQ(open(R"({"kind":"praise"})", 400)["error"],
            "field 'kind': unknown ticket kind 'praise' (repair, complaint, inquiry, suggestion, business)");
  EXPECT_EQ(open(R"({"kind":"repair","symptom":"no_power","customer":"s9a","place":"gate 2"})", 400)["error"],
            "field 'contact': required for a repair ticket");
  EXPECT_EQ(open(R"({"kind":"complaint","customer":"s9a"})", 400)["error"],
            "field 'complaint': required for a complaint (service, business, outage, power_quality, grid_construction)");
  EXPECT_EQ(open(R"({"kind":"inquiry","customer":"nobody"})", 400)["error"], "field 'customer': unknown customer 'nobody'");
  EXPECT_EQ(open("[1,2]", 400)["error"], "body: expected a JSON object");
  EXPECT_EQ(tickets("all").size(), 2u);
}

TEST_F(HotlineTest, TheCommandLineShowsTheAnswerOutagesAndTickets) {
  start(kFeeder);
  fault_l12();
  const std::string api = fmt::format("--url http://127.0.0.1:{} --token {}", port, DaemonProcess::kAdminToken);
  CliRun card = run("status --meter s16c " + api);
  ASSERT_EQ(card.status, 0) << card.err;
  EXPECT_NE(card.out.find("cause fault"), std::string::npos) << card.out;
  EXPECT_NE(card.out.find("故障停电"), std::string::npos) << card.out;
  CliRun outages = run("outages " + api);
  ASSERT_EQ(outages.status, 0) << outages.err;
  EXPECT_NE(outages.out.find("line.l12"), std::string::npos) << outages.out;
  EXPECT_NE(outages.out.find("1 outages"), std::string::npos) << outages.out;
  CliRun tickets = run("tickets " + api);
  ASSERT_EQ(tickets.status, 0) << tickets.err;
  EXPECT_NE(tickets.out.find("repair"), std::string::npos) << tickets.out;
  EXPECT_NE(tickets.out.find("1 tickets"), std::string::npos) << tickets.out;
  // An unknown customer: the daemon's reason, and exit code 3 (not found).
  CliRun unknown = run("status --customer nobody " + api);
  EXPECT_EQ(unknown.status, 3);
  EXPECT_NE(unknown.err.find("customer 'nobody': unknown"), std::string::npos) << unknown.err;
  // No daemon there: unavailable (5), saying so.
  CliRun away = run("status --customer s1a --url http://127.0.0.1:1");
  EXPECT_EQ(away.status, 5);
  EXPECT_NE(away.err.find("did not answer"), std::string::npos) << away.err;
}

TEST_F(HotlineTest, ACrewReportNamingATicketThatDoesNotExistIsRefusedNamingTheField) {
  start(kFeeder);
  fault_l12();  // makes ticket 0
  Json r = post(array({crew_status(id(), "K1", "en_route", 99, kT0 + 2min), crew_status(id(), "K2", "en_route", 0, kT0 + 2min)}));
  EXPECT_EQ(r["accepted"], 1);
  ASSERT_EQ(r["rejected"].size(), 1u) << r.dump();
  EXPECT_EQ(r["rejected"][0]["error"], "field 'ticket': unknown ticket '99'");
  EXPECT_EQ(tickets()[0]["crew"], "K2");
}

// Two crews on the roster, and one whose call-out ended before the drill's clock (kT0).
std::string roster() {
  return fmt::format(R"(
[[crews]]
id = "west"
depot_bus = "13"
skills = ["overhead_line", "transformer"]
vehicle = "bucket truck"

[[crews]]
id = "east"
depot_bus = "150"

[[crews]]
id = "gone"
depot_bus = "150"
shifts = [{{ start = "{}", end = "{}" }}]
)",
                     at(kT0 - 10h), at(kT0 - 1h));
}

TEST_F(HotlineTest, ADispatchersAssignmentIsKeptByThePlannerAndSurvivesARestart) {
  configure(roster());
  start(kFeeder);
  fault_l12();  // ticket 0: the planner sends one of the two crews on shift
  Json t = tickets()[0];
  const std::string planned = t["crew"];
  ASSERT_TRUE(planned == "west" || planned == "east") << t.dump();
  EXPECT_EQ(t["skill"], "overhead_line");
  const std::string other = planned == "west" ? "east" : "west";
  const std::string target = fmt::format("/v1/tickets/{}/assign", t["id"].get<int>());
  const std::string body = fmt::format(R"({{"crew":"{}","reason":"knows the lateral"}})", other);
  EXPECT_EQ(http(port, "POST", target, "producer-token", body).status, 403);
  auto r = http(port, "POST", target, "dispatcher-token", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["pinned_crew"], other);
  // Re-planning over the next minutes keeps it: the first crew is released, the other bound.
  for (int k = 3; k <= 12; k += 3) clock(kT0 + std::chrono::minutes(k));
  Json kept = ticket(t["id"]);
  EXPECT_EQ(kept["crew"], other);
  EXPECT_EQ(kept["assignment"]["reason"], "knows the lateral");
  auto crews = Json::parse(http(port, "GET", "/v1/crews", DaemonProcess::kAdminToken).body);
  EXPECT_EQ(crews["policy"], "planner");
  for (const Json& c : crews["crews"]) {
    if (c["id"] == other) EXPECT_EQ(c["assignment"]["ticket"], t["id"]);
    if (c["id"] == planned) EXPECT_TRUE(c["assignment"].is_null()) << c.dump();
    if (c["id"] == "gone") EXPECT_FALSE(c["on_shift"].get<bool>());
    if (c["id"] == "west") EXPECT_EQ(c["skills"], "overhead_line,transformer");
  }
  // Journaled: a restart replays it.
  restart();
  EXPECT_EQ(ticket(t["id"])["crew"], other);
  EXPECT_EQ(ticket(t["id"])["pinned_crew"], other);
}

TEST_F(HotlineTest, BadAssignmentsAreRefusedWithTheReason) {
  configure(roster());
  start(kFeeder);
  fault_l12();
  const int id = tickets()[0]["id"];
  auto assign = [&](int ticket, const std::string& body) {
    return http(port, "POST", fmt::format("/v1/tickets/{}/assign", ticket), "dispatcher-token", body);
  };
  auto unknown = assign(id, R"({"crew":"nobody"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("field 'crew': unknown crew 'nobody'"), std::string::npos) << unknown.body;
  auto off = assign(id, R"({"crew":"gone"})");
  EXPECT_EQ(off.status, 400);
  EXPECT_NE(off.body.find("off shift"), std::string::npos) << off.body;
  auto missing = assign(id, R"({"reason":"x"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("field 'crew'"), std::string::npos) << missing.body;
  EXPECT_EQ(assign(id, "not json").status, 400);
  EXPECT_EQ(assign(99, R"({"crew":"west"})").status, 404);
  EXPECT_EQ(http(port, "GET", fmt::format("/v1/tickets/{}/assign", id), "dispatcher-token").status, 405);
}

TEST_F(HotlineTest, ThePlannerDrivesTheRoadsOfARealExtract) {
  // The 123 feeder (feet, drawn to scale) placed with bus 1's corner on downtown Harrisburg.
  configure(roster() + fmt::format(R"(
[travel]
roads = "{}/osm/harrisburg/harrisburg.osm.pbf"
[travel.placement]
map_anchor = [-76.8839, 40.2663]
model_anchor = [700, 1500]
)",
                                   OUTAGE_SHARED_DATA));
  start(kFeeder);
  fault_l12();
  Json t = tickets()[0];
  ASSERT_FALSE(t["crew"].is_null()) << t.dump();
  const std::string reason = t["assignment"]["reason"];
  EXPECT_NE(reason.find("roads (harrisburg.osm.pbf"), std::string::npos) << reason;
}

}  // namespace
}  // namespace outage
