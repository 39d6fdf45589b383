// Drill scenario files: what they say, and every way they can be wrong, named by key.
#include "adapters/scenario_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/model_files.h"

namespace outage {
namespace {

const char* kGood = R"(
name = "storm"
model = "feeders/ieee123/Run_IEEE123Bus.DSS"
seed = 9
start = 2026-07-15T14:00:00+08:00
duration = "6h"
weather = [ { from = "0h", level = "calm" }, { from = "1h", level = "storm" } ]
[faults]
line_per_km_hour = { calm = 0.001, storm = 0.2 }
placed = [ { device = "line.l12", at = "1h20m" } ]
[signals]
last_gasp_wait = ["30s", "45s"]
power_on_wait = ["1m", "2m"]
scada = ["breaker"]
[[records]]
id = "PW-1"
devices = ["line.l35"]
start = "2h"
end = "4h"
[[crews]]
id = "crew-1"
depot = "150"
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

Error refused(const std::string& text) {
  auto s = parse_scenario(text, "test.toml");
  EXPECT_FALSE(s) << "accepted";
  return s ? Error{} : s.error();
}

NetworkModel& ieee123() {
  static NetworkModel model = [] {
    auto m = open_model_file(std::string(OUTAGE_SHARED_DATA) + "/feeders/ieee123/Run_IEEE123Bus.DSS");
    if (!m) throw std::runtime_error(m.error().message);
    return std::move(m).value();
  }();
  return model;
}

TEST(ScenarioFile, AGoodScenarioReadsIntoItsPlan) {
  auto s = parse_scenario(kGood, "test.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->name, "storm");
  EXPECT_EQ(s->seed, 9u);
  EXPECT_EQ(s->duration, std::chrono::hours(6));
  EXPECT_EQ(s->run_out, std::chrono::hours(24)) << "by default a drill runs on until its storm is repaired, a day at most";
  ASSERT_EQ(s->weather.size(), 2u);
  EXPECT_EQ(s->weather[1].level, Weather::storm);
  EXPECT_DOUBLE_EQ(s->faults.line_per_km_hour[static_cast<int>(Weather::storm)], 0.2);
  ASSERT_EQ(s->faults.placed.size(), 1u);
  EXPECT_EQ(s->faults.placed[0].at, std::chrono::minutes(80));
  ASSERT_EQ(s->records.size(), 1u);
  EXPECT_EQ(s->records[0].notice, -std::chrono::hours(1));  // planned work: announced an hour ahead by default
  EXPECT_EQ(s->crews[0].depot_bus, "150");
  EXPECT_EQ(s->signals.power_on_wait.low, std::chrono::minutes(1));
  EXPECT_EQ(s->signals.power_on_wait.high, std::chrono::minutes(2));
  EXPECT_TRUE(check(*s, ieee123())) << check(*s, ieee123()).error().message;
}

TEST(ScenarioFile, EveryShippedScenarioReadsAndFitsItsModel) {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(OUTAGE_SOURCE_DIR) + "/sim/scenarios")) {
    if (entry.path().extension() != ".toml") continue;  // the gateway registries beside them
    auto s = load_scenario(entry.path().string());
    ASSERT_TRUE(s) << s.error().message;
    auto model = open_model_file(resolve_scenario_path(s->model, entry.path().string(), OUTAGE_SHARED_DATA));
    ASSERT_TRUE(model) << model.error().message;
    Status fits = check(*s, *model);
    EXPECT_TRUE(fits) << entry.path() << ": " << (fits ? "" : fits.error().message);
  }
}

TEST(ScenarioFile, ANegativeRateIsRefusedWithItsKey) {
  Error e = refused(with(kGood, "storm = 0.2", "storm = -0.2"));
  EXPECT_NE(e.message.find("faults.line_per_km_hour.storm"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("must not be negative"), std::string::npos) << e.message;
}

TEST(ScenarioFile, AnImpossibleScheduleIsRefused) {
  Error ends_first = refused(with(kGood, "end = \"4h\"", "end = \"1h\""));
  EXPECT_NE(ends_first.message.find("records[0].end"), std::string::npos) << ends_first.message;
  Error after_end = refused(with(kGood, "at = \"1h20m\"", "at = \"7h\""));
  EXPECT_NE(after_end.message.find("faults.placed[0].at"), std::string::npos) << after_end.message;
  Error out_of_order = refused(with(kGood, "{ from = \"1h\", level = \"storm\" }", "{ from = \"0h\", level = \"storm\" }"));
  EXPECT_NE(out_of_order.message.find("weather[1].from"), std::string::npos) << out_of_order.message;
}

TEST(ScenarioFile, ARunOutIsReadAndANegativeOneRefused) {
  auto s = parse_scenario(with(kGood, "duration = \"6h\"", "duration = \"6h\"\nrun_out = \"2h\""), "test.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->run_out, std::chrono::hours(2));
  Error e = refused(with(kGood, "duration = \"6h\"", "duration = \"6h\"\nrun_out = \"-1h\""));
  EXPECT_NE(e.message.find("run_out"), std::string::npos) << e.message;
}

TEST(ScenarioFile, BadWordsTypesAndUnknownKeysAreNamed) {
  EXPECT_NE(refused(with(kGood, "level = \"storm\"", "level = \"hurricane\"")).message.find("weather[1].level"), std::string::npos);
  EXPECT_NE(refused(with(kGood, "duration = \"6h\"", "duration = \"six hours\"")).message.find("duration"), std::string::npos);
  EXPECT_NE(refused(with(kGood, "seed = 9", "seed = 9\nwind = 3")).message.find("wind: unknown key"), std::string::npos);
  EXPECT_NE(refused(with(kGood, "last_gasp_wait = [\"30s\", \"45s\"]", "last_gasp_wait = [\"45s\", \"30s\"]")).message.find("signals.last_gasp_wait"),
            std::string::npos);
  EXPECT_NE(refused(with(kGood, "power_on_wait = [\"1m\", \"2m\"]", "power_on_wait = \"1m\"")).message.find("signals.power_on_wait"),
            std::string::npos);
  EXPECT_NE(refused(with(kGood, "model = \"feeders/ieee123/Run_IEEE123Bus.DSS\"\n", "")).message.find("model"), std::string::npos);
}

TEST(ScenarioFile, UnknownDevicesCustomersAndDepotsAreRefusedAgainstTheModel) {
  auto unknown_fault = parse_scenario(with(kGood, "device = \"line.l12\"", "device = \"line.nowhere\""), "test.toml");
  ASSERT_TRUE(unknown_fault);
  Status s = check(*unknown_fault, ieee123());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("faults.placed[0].device': no device 'line.nowhere'"), std::string::npos) << s.error().message;

  auto on_a_switch = parse_scenario(with(kGood, "device = \"line.l12\"", "device = \"line.sw1\""), "test.toml");
  ASSERT_TRUE(on_a_switch);
  Status sw = check(*on_a_switch, ieee123());
  ASSERT_FALSE(sw);
  EXPECT_NE(sw.error().message.find("faults are placed on lines and transformers"), std::string::npos) << sw.error().message;

  auto bad_depot = parse_scenario(with(kGood, "depot = \"150\"", "depot = \"9999\""), "test.toml");
  ASSERT_TRUE(bad_depot);
  Status d = check(*bad_depot, ieee123());
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("crews[0].depot': no bus '9999'"), std::string::npos) << d.error().message;

  auto bad_record = parse_scenario(with(kGood, "devices = [\"line.l35\"]", "devices = [\"line.l35\"]\ncustomers = [\"nobody\"]"), "test.toml");
  ASSERT_TRUE(bad_record);
  Status r = check(*bad_record, ieee123());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("records[0].customers[0]': no customer 'nobody'"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace outage
