// The real daemon (`outage serve`) over HTTP, on PostGIS, on the IEEE 123 and 8500 feeders: the
// inference scenarios end to end, bad input, duplicates, restarts, SIGTERM and SIGKILL.
//
// Each test has a database of its own and runs the daemon on a simulated clock that only the
// test moves (POST /v1/clock), so settling windows pass when the test says so.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "feeds/rfc3339.h"
#include "geo/topology.h"
#include "tests/adapters/daemon_fixture.h"
#include "tests/adapters/daemon_process.h"
#include "tests/adapters/mqtt_broker.h"
#include "tests/geo/feeders.h"

namespace outage {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
using namespace testing;

// ---- inference, end to end --------------------------------------------------------------------

TEST_F(DaemonTest, Ieee8500AFuseBlowsAndItsLastGaspsArriveOverAMinute) {
  start("ieee8500/Run_RecloserSiting.DSS");
  NetworkModel model = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  auto [fuse, below] = testing::busiest_fuse(model);
  // 70% of the meters below the fuse gasp, over 60 s, posted in six batches as they arrive.
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<std::string> events;
    for (std::size_t i = 0; i < below.size(); ++i) {
      if (i % 10 < 7 && static_cast<int>(i % 6) == batch) events.push_back(gasp(id(), below[i], kT0 + std::chrono::seconds(10 * batch)));
    }
    Json r = post(array(events));
    EXPECT_EQ(r["accepted"], events.size());
    clock(kT0 + std::chrono::seconds(10 * batch + 1));
  }
  Json active = outages();
  ASSERT_EQ(devices(active), std::vector<std::string>{fuse});
  EXPECT_EQ(active["features"][0]["properties"]["state"], "unconfirmed");
  clock(kT0 + 3min);
  active = outages();
  EXPECT_EQ(active["features"][0]["properties"]["state"], "probable");
  // The detail names the evidence.
  int outage_id = active["features"][0]["id"];
  auto detail = Json::parse(http(port, "GET", fmt::format("/v1/outages/{}", outage_id), DaemonProcess::kAdminToken).body);
  EXPECT_EQ(detail["properties"]["evidence"].size(), detail["properties"]["evidence_counts"]["last_gasp"].get<std::size_t>());
  // A restart rebuilds the same outage from the journal.
  restart();
  Json again = outages();
  ASSERT_EQ(devices(again), std::vector<std::string>{fuse});
  EXPECT_EQ(again["features"][0]["id"], outage_id);
  EXPECT_EQ(again["features"][0]["properties"]["state"], "probable");
}

TEST_F(DaemonTest, Ieee8500TwoLateralsOfOneFeederAreTwoOutages) {
  start("ieee8500/Run_RecloserSiting.DSS");
  NetworkModel model = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  auto [a, b] = testing::two_separate_fuses(model);
  ASSERT_FALSE(b.empty());
  std::vector<std::string> events;
  for (const std::string& fuse : {a, b}) {
    auto m = meters_below(model, fuse);
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (i % 10 < 7) events.push_back(gasp(id(), m[i], kT0 + std::chrono::seconds(i % 60)));
    }
  }
  post_all(array(events));
  clock(kT0 + 61s);
  std::vector<std::string> expected{a, b};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(devices(outages()), expected);
}

TEST_F(DaemonTest, Ieee8500ABreakerLockoutFromScadaIsConfirmedAtOnce) {
  start("ieee8500/Run_RecloserSiting.DSS");
  NetworkModel model = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  post_all(scada(id(), "relay.subbreaker", "open", "lockout", kT0));
  clock(kT0 + 1s);
  Json active = outages();
  ASSERT_EQ(devices(active), std::vector<std::string>{"relay.subbreaker"});
  EXPECT_EQ(active["features"][0]["properties"]["state"], "confirmed");
  EXPECT_EQ(active["features"][0]["properties"]["confirmed_by"], "scada");
  EXPECT_EQ(active["features"][0]["properties"]["customers_out"], model.customers().size());
}

TEST_F(DaemonTest, Ieee8500ABreakerTripAndRecloseIsMomentary) {
  start("ieee8500/Run_RecloserSiting.DSS");
  post_all(array({scada(id(), "relay.subbreaker", "open", "trip", kT0), scada(id(), "relay.subbreaker", "closed", "reclose", kT0 + 2s)}));
  clock(kT0 + 5min);
  EXPECT_TRUE(outages()["features"].empty());
  EXPECT_EQ(devices(outages("momentary")), std::vector<std::string>{"relay.subbreaker"});
}

TEST_F(DaemonTest, Ieee8500RestorationInTwoStepsLeavesANestedOutage) {
  start("ieee8500/Run_RecloserSiting.DSS");
  NetworkModel model = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  // The fuse the crew opens to isolate, and a transformer elsewhere that failed too.
  auto [fuse, isolated] = testing::busiest_fuse(model);
  std::string transformer;
  std::vector<std::string> failed;
  for (const Element& e : model.elements()) {
    if (e.kind != ElementKind::transformer || e.kv2 >= 1.0f) continue;
    auto m = meters_below(model, std::string(e.id));
    bool outside = std::none_of(m.begin(), m.end(), [&](const std::string& x) {
      return std::find(isolated.begin(), isolated.end(), x) != isolated.end();
    });
    if (outside && !m.empty()) {
      transformer = e.id;
      failed = m;
      break;
    }
  }
  ASSERT_FALSE(transformer.empty());
  post_all(scada(id(), "relay.subbreaker", "open", "lockout", kT0));
  std::vector<std::string> gasps;
  for (const std::string& m : failed) gasps.push_back(gasp(id(), m, kT0 + 40s));
  post_all(array(gasps));
  clock(kT0 + 1min);
  int lockout = outages()["features"][0]["id"];
  // Step one: the fuse opens, the breaker closes: everyone but the fuse's meters has power.
  clock(kT0 + 31min);
  post_all(array({scada(id(), fuse, "open", "manual", kT0 + 30min), scada(id(), "relay.subbreaker", "closed", "manual", kT0 + 31min)}));
  clock(kT0 + 31min + 1s);
  Json active = outages();
  ASSERT_EQ(devices(active), std::vector<std::string>{"relay.subbreaker"});
  std::size_t isolated_customers = 0;
  for (const std::string& m : isolated) {
    for (const Customer& c : model.customers()) isolated_customers += model.service_point(c.service_point).id == m;
  }
  EXPECT_EQ(active["features"][0]["properties"]["customers_out"], isolated_customers);
  // The failed transformer's meters said nothing after step one; the engine asked to read them
  // (verify_restoration) and the head-end answers: still dark.
  std::vector<std::string> reads;
  for (const std::string& m : failed) {
    reads.push_back(fmt::format(R"({{"id":"{}","type":"meter.ping","time":"{}","source":"ami","meter":"{}","energized":false}})",
                                id(), at(kT0 + 32min), m));
  }
  clock(kT0 + 32min);
  post_all(array(reads));
  // Step two: the fuse closes. The failed transformer's meters stay dark past the nested grace.
  clock(kT0 + 90min);
  post_all(scada(id(), fuse, "closed", "manual", kT0 + 90min));
  clock(kT0 + 100min);
  active = outages();
  // A transformer with one meter is that meter's premise (one dark meter is no transformer outage).
  std::string expected = failed.size() >= 2 ? transformer : "premise " + failed[0];
  ASSERT_EQ(devices(active), std::vector<std::string>{expected});
  EXPECT_EQ(active["features"][0]["properties"]["parent"], lockout);
  EXPECT_EQ(active["features"][0]["properties"]["start"], format_rfc3339(kT0 + 40s));
  auto parent = Json::parse(http(port, "GET", fmt::format("/v1/outages/{}", lockout), DaemonProcess::kAdminToken).body);
  EXPECT_EQ(parent["properties"]["state"], "restored");
  EXPECT_EQ(parent["properties"]["restorations"].size(), 2u);
}

TEST_F(DaemonTest, Ieee123CallsInsideAPlannedOutageAreExplainedAndAFaultBesideItIsFound) {
  start("ieee123/Run_IEEE123Bus.DSS");
  NetworkModel model = testing::read_feeder("ieee123/Run_IEEE123Bus.DSS");
  // Line L2 feeds loads S4c, S5c, S6c (IEEE123Loads.DSS); line L12 the loads at 34, 15, 16, 17.
  std::string record = fmt::format(
      R"({{"id":"r1","type":"record.planned","time":"{}","source":"pms","record":"PW-7","start":"{}","end":"{}",)"
      R"("reason":"recloser installation","devices":["line.l2"],"notice_at":"{}"}})",
      at(kT0 - 1h), at(kT0), at(kT0 + 4h), at(kT0 - 8 * 24h));
  post_all(record);
  clock(kT0 + 10min);
  std::vector<std::string> calls;
  for (const char* c : {"s4c", "s5c", "s6c"}) calls.push_back(call(id(), c, kT0 + 10min));
  post_all(array(calls));
  clock(kT0 + 20min);
  std::vector<std::string> gasps;
  auto faulted = meters_below(model, "line.l12");
  for (std::size_t i = 0; i + 1 < faulted.size(); ++i) gasps.push_back(gasp(id(), faulted[i], kT0 + 20min));
  post_all(array(gasps));
  clock(kT0 + 21min);
  EXPECT_EQ(devices(outages()), std::vector<std::string>{"line.l12"});
  // The record as the console sees it: noticed 8 days ahead (planned work needs 7), in time.
  auto records = Json::parse(http(port, "GET", "/v1/records", "dispatcher-token").body)["records"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["record"], "PW-7");
  EXPECT_EQ(records[0]["service_points"], 3);
  EXPECT_EQ(records[0]["late_notice"], false);
}

TEST_F(DaemonTest, Ieee123ASingleCustomersCallIsASinglePremiseOutage) {
  start("ieee123/Run_IEEE123Bus.DSS");
  post_all(call(id(), "s47", kT0));
  clock(kT0 + 2min);
  Json active = outages();
  ASSERT_EQ(devices(active), std::vector<std::string>{"premise s47"});
  EXPECT_EQ(active["features"][0]["properties"]["customers_out"], 1);
}

TEST_F(DaemonTest, ADispatchersConfirmationIsJournaledAndSurvivesARestart) {
  start("ieee123/Run_IEEE123Bus.DSS");
  post_all(call(id(), "s47", kT0));
  clock(kT0 + 2min);
  int outage_id = outages()["features"][0]["id"];
  std::string target = fmt::format("/v1/outages/{}/confirm", outage_id);
  EXPECT_EQ(http(port, "POST", target, "producer-token").status, 403);
  auto r = http(port, "POST", target, "dispatcher-token");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["properties"]["state"], "confirmed");
  EXPECT_EQ(http(port, "POST", "/v1/outages/999/confirm", "dispatcher-token").status, 404);
  restart();
  Json again = outages();
  ASSERT_EQ(again["features"].size(), 1u);
  EXPECT_EQ(again["features"][0]["properties"]["state"], "confirmed");
  EXPECT_EQ(again["features"][0]["properties"]["confirmed_by"], "dispatcher");
}

TEST_F(DaemonTest, Ieee123ARecordScopedByAnAreaCoversTheMetersPostgisFindsInsideIt) {
  start("ieee123/Run_IEEE123Bus.DSS");
  NetworkModel model = testing::read_feeder("ieee123/Run_IEEE123Bus.DSS");
  // A box around the buses of loads S4c, S5c and S6c (BusCoords.dat: 4 at (700, 1050), 5 at
  // (1025, 1250), 6 at (1275, 1150)), 10 ft wider on each side.
  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  for (const char* m : {"s4c", "s5c", "s6c"}) {
    Point p = model.bus(model.service_point(model.find_service_point(m)).bus).position;
    x0 = std::min(x0, p.x - 10), y0 = std::min(y0, p.y - 10), x1 = std::max(x1, p.x + 10), y1 = std::max(y1, p.y + 10);
  }
  std::set<std::string> inside;  // what the box holds, by the model's own positions
  for (const ServicePoint& sp : model.service_points()) {
    Point p = model.bus(sp.bus).position;
    if (p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1) inside.insert(std::string(sp.id));
  }
  std::string area = fmt::format(R"({{"type":"Polygon","coordinates":[[[{0},{1}],[{2},{1}],[{2},{3}],[{0},{3}],[{0},{1}]]]}})",
                                 x0, y0, x1, y1);
  post_all(fmt::format(
      R"({{"id":"ra","type":"record.planned","time":"{}","source":"pms","record":"PW-A","start":"{}","end":"{}",)"
      R"("reason":"substation work","area":{},"notice_at":"{}"}})",
      at(kT0), at(kT0), at(kT0 + 4h), area, at(kT0 - 10 * 24h)));
  clock(kT0 + 1s);
  auto records = Json::parse(http(port, "GET", "/v1/records", "dispatcher-token").body)["records"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["service_points"], inside.size());
  // Calls from inside are explained by it.
  std::vector<std::string> calls;
  for (const std::string& m : inside) calls.push_back(call(id(), m, kT0 + 1s));
  post_all(array(calls));
  clock(kT0 + 2min);
  EXPECT_TRUE(outages()["features"].empty());
}

TEST_F(DaemonTest, CancellingAnUnknownRecordIsRefusedWithTheReason) {
  start("ieee123/Run_IEEE123Bus.DSS");
  Json out = post(fmt::format(R"({{"id":"c1","type":"record.cancel","time":"{}","source":"pms","record":"nope"}})", at(kT0)));
  ASSERT_EQ(out["rejected"].size(), 1u);
  EXPECT_EQ(out["rejected"][0]["error"], "field 'record': unknown record 'nope'");
  std::string record = fmt::format(
      R"({{"id":"r1","type":"record.temporary","time":"{}","source":"pms","record":"TW-1","start":"{}","end":"{}",)"
      R"("reason":"emergency repair","customers":["s47"]}})",
      at(kT0), at(kT0), at(kT0 + 2h));
  post_all(record);
  clock(kT0 + 1s);
  // Temporary work needs 24 hours' notice; this one was posted as it started.
  auto records = Json::parse(http(port, "GET", "/v1/records", "dispatcher-token").body)["records"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["late_notice"], true);
  post_all(fmt::format(R"({{"id":"c2","type":"record.cancel","time":"{}","source":"pms","record":"TW-1"}})", at(kT0)));
  clock(kT0 + 2s);
  EXPECT_TRUE(Json::parse(http(port, "GET", "/v1/records", "dispatcher-token").body)["records"].empty());
  EXPECT_EQ(Json::parse(http(port, "GET", "/v1/records?cancelled=true", "dispatcher-token").body)["records"].size(), 1u);
}

TEST_F(DaemonTest, Ieee123AGatewayAlarmLandsOnTheRoomItWatches) {
  // Bus 3 heads the lateral of line L2 (phase C), with loads S4c, S5c and S6c below it.
  std::ofstream(dir + "/gateways.csv") << "gateway,site,kind,room\ngw-lake,Lakeside Garden,community,3\n";
  configure("\n[model]\ngateways = \"gateways.csv\"\n");
  start("ieee123/Run_IEEE123Bus.DSS");
  Json out = post(array({
      fmt::format(R"({{"id":"a1","type":"iot.alarm","time":"{}","source":"iot","gateway":"GW-LAKE","kind":"voltage_loss"}})", at(kT0)),
      fmt::format(R"({{"id":"a2","type":"iot.alarm","time":"{}","source":"iot","gateway":"gw-x","kind":"voltage_loss"}})", at(kT0)),
  }));
  EXPECT_EQ(out["accepted"], 1);
  ASSERT_EQ(out["rejected"].size(), 1u);
  EXPECT_EQ(out["rejected"][0]["error"], "field 'gateway': unknown gateway 'gw-x'");
  EXPECT_EQ(db->column("SELECT reason FROM outage.dead_letters WHERE event_id = 'a2'"),
            std::vector<std::string>{"field 'gateway': unknown gateway 'gw-x'"});
  clock(kT0 + 1s);
  Json active = outages();
  ASSERT_EQ(devices(active), std::vector<std::string>{"line.l2"});
  EXPECT_EQ(active["features"][0]["properties"]["evidence_counts"]["iot_alarm"], 3);
}

// ---- bad input -------------------------------------------------------------------------------

TEST_F(DaemonTest, BadInputGetsAClearErrorNamingTheField) {
  start("ieee123/Run_IEEE123Bus.DSS");
  // Malformed JSON: the whole body is refused.
  auto r = http(port, "POST", "/v1/events", DaemonProcess::kAdminToken, "[{\"id\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("error"), std::string::npos);
  // Per event: wrong type, missing field, unknown type, future and ancient times, unknown meter.
  Json out = post(array({
      R"({"id":"a","type":"meter.power_off","time":"2026-11-23T08:00:00+08:00","source":"ami","meter":42})",
      R"({"id":"b","type":"meter.power_off","time":"2026-11-23T08:00:00+08:00","source":"ami"})",
      R"({"id":"c","type":"meter.explode","time":"2026-11-23T08:00:00+08:00","source":"ami","meter":"s47"})",
      R"({"id":"d","type":"meter.power_off","time":"2026-11-24T08:00:00+08:00","source":"ami","meter":"s47"})",
      R"({"id":"e","type":"meter.power_off","time":"2026-01-01T08:00:00+08:00","source":"ami","meter":"s47"})",
      R"({"id":"f","type":"meter.power_off","time":"2026-11-23T08:00:00+08:00","source":"ami","meter":"nope"})",
      gasp("g", "s47", kT0),
  }));
  EXPECT_EQ(out["accepted"], 1);
  ASSERT_EQ(out["rejected"].size(), 6u);
  std::map<int, std::string> errors;
  for (const Json& j : out["rejected"]) errors[j["index"]] = j["error"];
  EXPECT_NE(errors[0].find("'meter'"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("'meter'"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("'type'"), std::string::npos) << errors[2];
  EXPECT_NE(errors[3].find("'time'"), std::string::npos) << errors[3];
  EXPECT_NE(errors[4].find("'time'"), std::string::npos) << errors[4];
  EXPECT_EQ(errors[5], "field 'meter': unknown meter 'nope'");
  // Every rejected event is kept in the dead-letter table with its reason.
  auto reasons = db->column("SELECT reason FROM outage.dead_letters ORDER BY id");
  EXPECT_EQ(reasons.size(), 6u);
  EXPECT_NE(std::find(reasons.begin(), reasons.end(), "field 'meter': unknown meter 'nope'"), reasons.end());
  // An oversize body is refused before it is read: the headers alone get the answer.
  {
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    std::string head = fmt::format("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n"
                                   "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                                   DaemonProcess::kAdminToken, 17u << 20);
    asio::write(s, asio::buffer(head));
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::http::read(s, buffer, res);
    EXPECT_EQ(res.result_int(), 413u);
  }
  // Tokens: none, unknown, and a producer asking for outages.
  EXPECT_EQ(http(port, "POST", "/v1/events", "", gasp("h", "s47", kT0)).status, 401);
  EXPECT_EQ(http(port, "POST", "/v1/events", "wrong", gasp("h", "s47", kT0)).status, 401);
  EXPECT_EQ(http(port, "POST", "/v1/events", "producer-token", gasp("h", "s47", kT0)).status, 202);
  EXPECT_EQ(http(port, "GET", "/v1/outages", "producer-token").status, 403);
  EXPECT_EQ(http(port, "GET", "/v1/outages", "dispatcher-token").status, 200);
  // The daemon is still healthy.
  EXPECT_EQ(http(port, "GET", "/healthz").status, 200);
}

TEST_F(DaemonTest, NdjsonBodiesRejectOnlyTheBadLine) {
  start("ieee123/Run_IEEE123Bus.DSS");
  std::string body = gasp("n1", "s47", kT0) + "\n{\"id\": broken\n" + gasp("n2", "s48", kT0) + "\n";
  Json out = post(body, 202, DaemonProcess::kAdminToken, "application/x-ndjson");
  EXPECT_EQ(out["accepted"], 2);
  ASSERT_EQ(out["rejected"].size(), 1u);
  EXPECT_EQ(out["rejected"][0]["index"], 1);
}

TEST_F(DaemonTest, ARepeatedEventIsADuplicateNotAnError) {
  start("ieee123/Run_IEEE123Bus.DSS");
  std::string body = array({gasp("d1", "s47", kT0), gasp("d2", "s48", kT0)});
  Json first = post(body);
  EXPECT_EQ(first["accepted"], 2);
  Json second = post(body);
  EXPECT_EQ(second["accepted"], 0);
  EXPECT_EQ(second["duplicates"], 2);
  // The same id from another source is another event.
  Json other = post(R"({"id":"d1","type":"meter.power_off","time":"2026-11-23T08:00:00+08:00","source":"mesh-2","meter":"s47"})");
  EXPECT_EQ(other["accepted"], 1);
  EXPECT_EQ(db->column("SELECT count(*) FROM outage.journal")[0], "3");
  // After a restart the repeat is still a duplicate.
  restart();
  EXPECT_EQ(post(body)["duplicates"], 2);
}

TEST_F(DaemonTest, ASlowProducerDoesNotBlockTheOthers) {
  start("ieee123/Run_IEEE123Bus.DSS");
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket slow(io);
  slow.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string partial = "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"id\":";
  asio::write(slow, asio::buffer(partial));
  // Meanwhile another producer is served.
  Json out = post(gasp(id(), "s47", kT0));
  EXPECT_EQ(out["accepted"], 1);
  slow.close();  // and one that drops mid-body does no harm
  EXPECT_EQ(http(port, "GET", "/healthz").status, 200);
}

// ---- MQTT ------------------------------------------------------------------------------------

// Collects what the daemon publishes on a topic (the outbound meter read requests).
class Subscriber {
 public:
  Subscriber(std::uint16_t port, const std::string& topic) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(nullptr, true, this);
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto& s = *static_cast<Subscriber*>(self);
      std::lock_guard lock(s.mu_);
      s.messages_.emplace_back(static_cast<const char*>(m->payload), m->payloadlen);
    });
    mosquitto_connect(mosq_, "127.0.0.1", port, 30);
    mosquitto_subscribe(mosq_, nullptr, topic.c_str(), 1);
    mosquitto_loop_start(mosq_);
  }
  ~Subscriber() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  mosquitto* mosq_ = nullptr;
  std::mutex mu_;
  std::vector<std::string> messages_;
};

TEST_F(DaemonTest, Ieee8500AFuseBlowsWithItsLastGaspsOverMqtt) {
  std::string binary = testing::find_mosquitto();
  if (binary.empty()) GTEST_SKIP() << "mosquitto is not installed";
  testing::Broker broker(binary);
  std::string why;
  ASSERT_TRUE(broker.start(&why)) << why;
  configure(fmt::format(R"(
[mqtt]
enabled = true
port = {}
topics = ["outage/events/#"]
client_id = "outage-test"
connections = 2

[ping]
mqtt_topic = "outage/pings"
)",
                        broker.port()));
  Subscriber pings(broker.port(), "outage/pings");
  start("ieee8500/Run_RecloserSiting.DSS");
  NetworkModel model = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  auto [fuse, below] = testing::busiest_fuse(model);
  testing::Producer producer(broker.port());
  ASSERT_TRUE(producer.ok());
  // 70% of the fuse's meters gasp; one message per meter, some as arrays of three.
  std::vector<std::string> pending;
  std::size_t sent = 0;
  for (std::size_t i = 0; i < below.size(); ++i) {
    if (i % 10 >= 7) continue;
    std::string event_id = id();
    pending.push_back(gasp(event_id, below[i], kT0 + std::chrono::seconds(i % 60)));
    if (pending.size() == (i % 2 ? 1u : 3u)) {
      std::string payload = pending.size() == 1 ? pending[0] : array(pending);
      ASSERT_TRUE(producer.publish("outage/events/ami", payload));
      sent += pending.size();
      pending.clear();
    }
  }
  if (!pending.empty()) {
    ASSERT_TRUE(producer.publish("outage/events/ami", array(pending)));
    sent += pending.size();
  }
  // The producer's PUBACK is the broker's; the daemon takes the messages from the broker.
  ASSERT_TRUE(testing::eventually([&] { return db->column("SELECT count(*) FROM outage.journal")[0] == std::to_string(sent); }));
  clock(kT0 + 61s);
  EXPECT_EQ(devices(outages()), std::vector<std::string>{fuse});
  // The engine asked the head-end to read silent meters below the fuse, over MQTT.
  ASSERT_TRUE(testing::eventually([&] { return !pings.messages().empty(); }));
  Json ping = Json::parse(pings.messages()[0]);
  EXPECT_NE(std::find(below.begin(), below.end(), ping["meter"].get<std::string>()), below.end());
  // The broker goes away and comes back: the daemon reconnects and takes new messages.
  broker.stop(SIGKILL);
  ASSERT_TRUE(broker.start(&why)) << why;
  testing::Producer again(broker.port());
  ASSERT_TRUE(again.ok());
  // A broker that lost its sessions forgets the daemon's subscriptions until it reconnects and
  // subscribes again; messages to no subscriber are not kept. Publish until one gets through.
  int attempt = 0;
  EXPECT_TRUE(testing::eventually([&] {
    EXPECT_TRUE(again.publish("outage/events/ami", call(fmt::format("after-restart-{}", ++attempt), "wait", kT0 + 61s)));
    std::this_thread::sleep_for(200ms);
    return db->column("SELECT count(*) FROM outage.dead_letters WHERE event_id LIKE 'after-restart-%'")[0] != "0";
  })) << "a message after the broker's restart reaches the daemon (an unknown customer: dead-lettered)";
  if (HasFailure()) std::cerr << "broker log:\n" << broker.log();
}

TEST_F(DaemonTest, MessagesTheDaemonDidNotAcknowledgeBeforeSigkillComeAgain) {
  std::string binary = testing::find_mosquitto();
  if (binary.empty()) GTEST_SKIP() << "mosquitto is not installed";
  testing::Broker broker(binary);
  std::string why;
  ASSERT_TRUE(broker.start(&why)) << why;
  configure(fmt::format("\n[mqtt]\nenabled = true\nport = {}\ntopics = [\"outage/events/#\"]\nclient_id = \"kill-test\"\n",
                        broker.port()));
  start("ieee123/Run_IEEE123Bus.DSS");
  NetworkModel model = testing::read_feeder("ieee123/Run_IEEE123Bus.DSS");
  testing::Producer producer(broker.port());
  ASSERT_TRUE(producer.ok());
  // 300 messages of 5 events; the daemon is killed without warning after the first 100. The
  // broker keeps what the daemon had not acknowledged (a persistent session) and delivers it
  // when the daemon is back: every event ends up in the journal, none twice.
  int published = 0;
  for (int m = 0; m < 300; ++m) {
    std::vector<std::string> events;
    for (int i = 0; i < 5; ++i) {
      const ServicePoint& sp = model.service_points()[(m * 5 + i) % model.service_points().size()];
      events.push_back(gasp(fmt::format("k{}-{}", m, i), std::string(sp.id), kT0));
    }
    ASSERT_TRUE(producer.publish("outage/events/ami", array(events)));
    published += 5;
    if (m == 100) daemon->kill(SIGKILL);
  }
  restart();
  EXPECT_TRUE(testing::eventually([&] {
    return db->column("SELECT count(*) FROM outage.journal")[0] == std::to_string(published);
  })) << db->column("SELECT count(*) FROM outage.journal")[0] << " of " << published;
}

// ---- durability ------------------------------------------------------------------------------

// Producers post batches until stopped; every batch answered 202 is recorded.
struct Burst {
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::vector<std::thread> threads;

  void run(std::uint16_t port, const std::vector<std::string>& meters, int producers) {
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([this, port, &meters, p] {
        for (int batch = 0; !stop; ++batch) {
          std::vector<std::string> events, ids;
          for (int i = 0; i < 50; ++i) {
            std::string id = fmt::format("p{}-b{}-{}", p, batch, i);
            const std::string& meter = meters[(p * 7919 + batch * 50 + i) % meters.size()];
            events.push_back(gasp(id, meter, kT0));
            ids.push_back(id);
          }
          auto r = http(port, "POST", "/v1/events", DaemonProcess::kAdminToken, array(events));
          if (r.status == 202) {
            std::lock_guard lock(mutex);
            acknowledged.insert(ids.begin(), ids.end());
          }
          if (r.status == 0) return;  // the daemon is gone
        }
      });
    }
  }
  void join() {
    stop = true;
    for (auto& t : threads) t.join();
  }
};

TEST_F(DaemonTest, SigkillInTheMiddleOfABurstLosesNothingAcknowledged) {
  start("ieee8500/Run_RecloserSiting.DSS");
  NetworkModel model = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  std::vector<std::string> meters;
  for (const ServicePoint& sp : model.service_points()) meters.emplace_back(sp.id);
  Burst burst;
  burst.run(port, meters, 4);
  // Let a good number of batches through, then kill the daemon without warning.
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(10ms);
    std::lock_guard lock(burst.mutex);
    if (burst.acknowledged.size() >= 2000) break;
  }
  EXPECT_EQ(daemon->kill(SIGKILL), 128 + SIGKILL);
  burst.join();
  ASSERT_GE(burst.acknowledged.size(), 50u);
  auto journal = db->column("SELECT event_id FROM outage.journal WHERE source = 'ami'");
  std::set<std::string> stored(journal.begin(), journal.end());
  std::size_t missing = 0;
  for (const std::string& id : burst.acknowledged) missing += !stored.count(id);
  EXPECT_EQ(missing, 0u) << "acknowledged events missing from the journal";
  // The restarted daemon rebuilds the outages from the journal, the same way twice.
  restart();
  clock(kT0 + 2min);
  Json first = outages();
  EXPECT_FALSE(first["features"].empty());
  restart();
  clock(kT0 + 2min);
  EXPECT_EQ(devices(outages()), devices(first));
}

TEST_F(DaemonTest, SigtermDrainsAndExitsZero) {
  start("ieee123/Run_IEEE123Bus.DSS");
  NetworkModel model = testing::read_feeder("ieee123/Run_IEEE123Bus.DSS");
  std::vector<std::string> meters;
  for (const ServicePoint& sp : model.service_points()) meters.emplace_back(sp.id);
  Burst burst;
  burst.run(port, meters, 2);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(daemon->kill(SIGTERM), 0);
  burst.join();
  auto journal = db->column("SELECT event_id FROM outage.journal WHERE source = 'ami'");
  std::set<std::string> stored(journal.begin(), journal.end());
  for (const std::string& id : burst.acknowledged) ASSERT_TRUE(stored.count(id)) << id;
}

}  // namespace
}  // namespace outage
