// The live drill: the simulator plays a short scenario against the real daemon (`outage serve
// --clock sim`, PostGIS) through adapters/live_target.h, over HTTP and, with a broker, the
// meters' signals over MQTT.
//
// On IEEE 123 (no fuses: single-phase lateral taps are where outages group) two laterals fail
// for good: line.l107 at 0:05 (5 customers) and line.l66 at 0:12 (4). Two crews wait at bus 150,
// the substation. Nothing else is random, so the truth is fixed by the seed: 3 of l107's meters
// and 2 of l66's send a last gasp, which is above the lateral threshold (2 meters and 30 %), and
// the rest stay silent, so the daemon asks to read them.
#include "adapters/live_target.h"

#include <gtest/gtest.h>

#include "sim/drill_runs.h"
#include "tests/adapters/daemon_fixture.h"
#include "tests/adapters/mqtt_broker.h"
#include "tests/geo/feeders.h"

namespace outage {
namespace {

using namespace testing;

const char* kFeeder = "ieee123/Run_IEEE123Bus.DSS";

NetworkModel& ieee123() {
  static NetworkModel model = read_feeder(kFeeder);
  return model;
}

// One hour from the daemon's start time.
Scenario two_lateral_faults() {
  Scenario s;
  s.name = "two lateral faults";
  s.model = kFeeder;
  s.seed = 11;
  s.start = kT0;
  s.duration = 1h;
  s.faults.placed = {{"line.l107", 5min, false}, {"line.l66", 12min, false}};
  s.calls.share = 0.3;
  s.crews = {{"crew-a", "150", {}}, {"crew-b", "150", {}}};
  s.repair.by_kind[static_cast<int>(FaultKind::overhead_line)] = {20min, 0.3};  // back within the hour
  return s;
}

class DrillLiveTest : public DaemonTest {
 protected:
  LiveOptions live() const {
    LiveOptions o;
    o.url = fmt::format("http://127.0.0.1:{}", port);
    o.token = DaemonProcess::kAdminToken;
    return o;
  }
};

TEST_F(DrillLiveTest, TheDaemonFindsBothFaultsAndSendsItsCrewsOverHttp) {
  const Scenario s = two_lateral_faults();
  ASSERT_TRUE(check(s, ieee123()));
  start(kFeeder);
  auto report = play_live(s, ieee123(), nullptr, live(), InProcessOptions{}, false);
  ASSERT_TRUE(report) << report.error().message;
  std::cout << report_table(*report);
  EXPECT_EQ(report->mode, "live");
  EXPECT_EQ(report->dispatcher, "planner");  // the daemon's default policy
  EXPECT_TRUE(report->baselines.empty());
  EXPECT_EQ(report->system.detection.faults, 2);
  EXPECT_EQ(report->system.detection.detected, 2);
  // The daemon's dispatcher gave its repair tickets to the crews, who went.
  EXPECT_GE(report->system.dispatch.tickets, 2);
  EXPECT_GE(report->system.dispatch.truck_rolls, 1);
  EXPECT_GT(report->events[static_cast<int>(EventType::crew_status)], 2u);  // more than the crews' first reports
  // Over HTTP alone nobody answers the daemon's meter reads.
  EXPECT_EQ(report->events[static_cast<int>(EventType::meter_ping)], 0u);
  // The same scenario in-process: the same truth.
  auto in_process = play_in_process(s, ieee123(), nullptr, InProcessOptions{}, false);
  ASSERT_TRUE(in_process) << in_process.error().message;
  EXPECT_EQ(in_process->faults, report->faults);
  EXPECT_EQ(in_process->system.detection.faults, report->system.detection.faults);
}

TEST_F(DrillLiveTest, TheMetersSignalsGoOverMqttAndTheDaemonsReadsAreAnswered) {
  const std::string binary = find_mosquitto();
  if (binary.empty()) GTEST_SKIP() << "mosquitto is not installed";
  Broker broker(binary);
  std::string why;
  ASSERT_TRUE(broker.start(&why)) << why;
  configure(fmt::format(R"(
[mqtt]
enabled = true
port = {}
topics = ["outage/events/#"]
client_id = "drill-live-test"

[ping]
mqtt_topic = "outage/pings"
)",
                        broker.port()));
  start(kFeeder);
  LiveOptions o = live();
  o.mqtt = fmt::format("127.0.0.1:{}", broker.port());
  o.ping_topic = "outage/pings";
  auto report = play_live(two_lateral_faults(), ieee123(), nullptr, o, InProcessOptions{}, false);
  ASSERT_TRUE(report) << report.error().message;
  std::cout << report_table(*report);
  EXPECT_EQ(report->system.detection.faults, 2);
  EXPECT_EQ(report->system.detection.detected, 2);
  EXPECT_GE(report->system.dispatch.truck_rolls, 1);
  // Every last gasp and every answer to a read went over MQTT and is in the journal: the drill
  // waited for the daemon to take them before it moved the clock.
  const auto gasps = report->events[static_cast<int>(EventType::meter_power_off)];
  const auto reads = report->events[static_cast<int>(EventType::meter_ping)];
  EXPECT_GT(gasps, 0u);
  EXPECT_GT(reads, 0u);
  EXPECT_EQ(db->column("SELECT count(*) FROM outage.journal WHERE type = 'meter.power_off'")[0], std::to_string(gasps));
  EXPECT_EQ(db->column("SELECT count(*) FROM outage.journal WHERE type = 'meter.ping'")[0], std::to_string(reads));
  EXPECT_EQ(db->column("SELECT count(*) FROM outage.dead_letters")[0], "0");
  if (HasFailure()) std::cerr << "broker log:\n" << broker.log();
}

TEST_F(DrillLiveTest, ADrillRefusesADaemonWhoseClockIsAlreadyPastTheStart) {
  start(kFeeder);
  clock(kT0 + 2h);
  auto report = play_live(two_lateral_faults(), ieee123(), nullptr, live(), InProcessOptions{}, false);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::conflict);
  EXPECT_NE(report.error().message.find("is before the daemon's time"), std::string::npos) << report.error().message;
}

TEST_F(DrillLiveTest, ADrillRefusesADaemonOnTheWallClock) {
  port = free_port();
  daemon = std::make_unique<DaemonProcess>(
      std::vector<std::string>{"serve", "--config", dir + "/outage.toml", "--model", feeder_path(kFeeder), "--db",
                               db->dsn(), "--listen", fmt::format("127.0.0.1:{}", port), "--clock", "wall"},
      dir + "/daemon.log");
  ASSERT_TRUE(daemon->start(port));
  auto report = play_live(two_lateral_faults(), ieee123(), nullptr, live(), InProcessOptions{}, false);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::conflict);
  EXPECT_EQ(report.error().message,
            "the daemon runs on the wall clock (start it with --clock sim@" + format_rfc3339(kT0) + ")");
}

TEST_F(DrillLiveTest, ADrillWithoutADaemonIsUnavailable) {
  LiveOptions o;
  o.url = fmt::format("http://127.0.0.1:{}", free_port());
  auto report = play_live(two_lateral_faults(), ieee123(), nullptr, o, InProcessOptions{}, false);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::unavailable);
}

}  // namespace
}  // namespace outage
