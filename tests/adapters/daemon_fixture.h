// The DaemonTest fixture: a real `outage serve` per test, with a database of its own, on a
// simulated clock that only the test moves (POST /v1/clock); and helpers that write events.
#pragma once

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "feeds/rfc3339.h"
#include "tests/adapters/daemon_process.h"
#include "tests/geo/feeders.h"

namespace outage::testing {


using Json = nlohmann::json;
using namespace std::chrono_literals;

inline const Timestamp kT0 = *parse_rfc3339("2026-11-23T08:00:00+08:00");

inline std::string at(Timestamp t) { return format_rfc3339(t, 8 * 60); }

inline std::string gasp(const std::string& id, const std::string& meter, Timestamp t) {
  return fmt::format(R"({{"id":"{}","type":"meter.power_off","time":"{}","source":"ami","meter":"{}"}})", id, at(t), meter);
}
inline std::string scada(const std::string& id, const std::string& device, const char* state, const char* cause, Timestamp t) {
  return fmt::format(R"({{"id":"{}","type":"scada.switch","time":"{}","source":"scada","device":"{}","state":"{}","cause":"{}"}})",
                     id, at(t), device, state, cause);
}
inline std::string call(const std::string& id, const std::string& customer, Timestamp t) {
  return fmt::format(
      R"({{"id":"{}","type":"call.report","time":"{}","source":"hotline","customer":"{}","symptom":"no_power","channel":"95598"}})",
      id, at(t), customer);
}
inline std::string array(const std::vector<std::string>& events) {
  std::string out = "[";
  for (std::size_t i = 0; i < events.size(); ++i) out += (i ? "," : "") + events[i];
  return out + "]";
}


class DaemonTest : public ::testing::Test {
 protected:
  std::optional<testing::TestDatabase> db;
  std::unique_ptr<DaemonProcess> daemon;
  std::string dir;
  std::string model_path;
  std::uint16_t port = 0;
  int next_id = 0;

  void SetUp() override {
    if (!testing::have_database()) GTEST_SKIP() << "no database: run under pg_virtualenv or set OUTAGE_TEST_DSN";
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    db.emplace("outage_" + lower.substr(0, 40));
    dir = (std::filesystem::temp_directory_path() / ("outage-daemon-" + lower)).string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/outage.toml") << R"(
[[tokens]]
token = "producer-token"
role = "producer"
name = "ami"

[[tokens]]
token = "dispatcher-token"
role = "dispatcher"
name = "console"

[ingest]
max_future_s = 300
max_age_s = 86400
)";
  }

  void TearDown() override {
    if (daemon) daemon->kill(SIGKILL);
    if (HasFailure() && daemon) {
      std::ifstream log(daemon->log_path());
      std::string line;
      int shown = 0;
      while (std::getline(log, line) && shown++ < 60) std::cerr << "daemon: " << line << "\n";
    }
  }

  // Adds lines to the daemon's configuration file (before start()).
  void configure(const std::string& toml) { std::ofstream(dir + "/outage.toml", std::ios::app) << toml; }

  void start(const std::string& model_relative) {
    model_path = testing::feeder_path(model_relative);
    restart();
  }

  void restart() {
    if (daemon) daemon->kill(SIGTERM);
    port = testing::free_port();
    daemon = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"serve", "--config", dir + "/outage.toml", "--model", model_path, "--db", db->dsn(),
                                 "--listen", fmt::format("127.0.0.1:{}", port), "--clock", "sim@" + at(kT0)},
        dir + "/daemon.log");
    ASSERT_TRUE(daemon->start(port)) << "the daemon did not get ready; log in " << dir << "/daemon.log";
  }

  Json post(const std::string& body, int expect = 202, const std::string& token = DaemonProcess::kAdminToken,
            const std::string& content_type = "application/json") {
    auto r = http(port, "POST", "/v1/events", token, body, content_type);
    EXPECT_EQ(r.status, expect) << r.body;
    return Json::parse(r.body, nullptr, false);
  }

  // Posts events that must all be accepted.
  Json post_all(const std::string& body) {
    Json r = post(body);
    EXPECT_TRUE(r["rejected"].empty()) << r.dump();
    return r;
  }

  void clock(Timestamp t) {
    auto r = http(port, "POST", "/v1/clock", DaemonProcess::kAdminToken, fmt::format(R"({{"now":"{}"}})", at(t)));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  Json outages(const std::string& state = "active") {
    // The core applies committed events right after the 202; a clock post runs after them on
    // the same strand, so reading after it sees them.
    auto r = http(port, "GET", "/v1/outages?state=" + state, DaemonProcess::kAdminToken);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body, nullptr, false);
  }

  std::vector<std::string> devices(const Json& collection) {
    std::vector<std::string> out;
    for (const Json& f : collection["features"]) {
      const Json& p = f["properties"];
      out.push_back(p["device"].is_null() ? "premise " + p["service_point"].get<std::string>() : p["device"].get<std::string>());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string id() { return "e" + std::to_string(++next_id); }
};

}  // namespace outage::testing
