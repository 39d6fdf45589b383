// The `outage` command line, run as a program: what a user or a script sees.
#include <gtest/gtest.h>

#include "tests/adapters/cli_run.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "adapters/postgis_store.h"
#include "dispatch/vrptw_routes.h"

namespace outage {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;
using testing::quote;
using testing::run;

std::string feeder(const std::string& relative) { return quote(std::string(OUTAGE_SHARED_DATA) + "/feeders/" + relative); }

// The database the integration tests use, or nullopt to skip them.
std::optional<std::string> test_dsn() {
  if (const char* dsn = std::getenv("OUTAGE_TEST_DSN")) return std::string(dsn);
  if (std::getenv("PGHOST") || std::getenv("PGDATABASE")) return std::string();
  return std::nullopt;
}

TEST(Cli, TraceJsonListsTheBusesOpeningASwitchDeEnergizes) {
  CliRun r = run("trace " + feeder("ieee13/IEEE13Nodeckt.dss") + " --device 671692 --open 671692 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["device"], "line.671692");
  // 692 and 675 hang below the switch (lines 671692 and 692675 in IEEE13Nodeckt.dss).
  EXPECT_EQ(j["deenergized"]["buses"], (nlohmann::json{"675", "692"}));
  // Load 692 (bus 692) and loads 675a/b/c (bus 675): four customers.
  EXPECT_EQ(j["deenergized"]["customers"], 4);
  EXPECT_EQ(j["energized"], false);
}

TEST(Cli, TraceJsonOfAFusedLoadNamesTheFuseAndTheSubstationRelay) {
  CliRun r = run("trace " + feeder("ieee8500/Run_RecloserSiting.DSS") + " --device ln6201670-1 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j["upstream"].empty());
  EXPECT_EQ(j["upstream"].front(), "fuse.ln6201670-1");
  EXPECT_EQ(j["upstream"].back(), "relay.subbreaker");
  EXPECT_GT(j["downstream"]["customers"].get<int>(), 0);
  EXPECT_FALSE(j.contains("deenergized")) << "no switches were operated";
}

TEST(Cli, ImportWithACustomersFileCountsItsClasses) {
  std::string csv = quote(std::string(OUTAGE_SOURCE_DIR) + "/config/examples/ieee13_customers.csv");
  CliRun r = run("import " + feeder("ieee13/IEEE13Nodeckt.dss") + " --customers " + csv + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  // The file names 7 customers on 5 of the 15 loads (three on 675a); the other 10 loads keep
  // one default customer each, classed by size, none of them 500 kW or more (not industrial).
  EXPECT_EQ(j["counts"]["customers"], 17);
  EXPECT_EQ(j["customers_by_class"]["critical"], 2) << "the hospital and the home-oxygen household";
  EXPECT_EQ(j["customers_by_class"]["important"], 1);
  EXPECT_EQ(j["customers_by_class"]["industrial"], 1);
  EXPECT_EQ(j["saved"], false);
}

TEST(Cli, ImportRefusesACustomersFileNamingAnUnknownLoad) {
  fs::path dir = fs::temp_directory_path() / ("outage-cli-csv-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "c.csv") << "customer,load\nc1,671\nc2,999\n";
  CliRun r = run("import " + feeder("ieee13/IEEE13Nodeckt.dss") + " --customers " + quote((dir / "c.csv").string()));
  fs::remove_all(dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("c.csv:3: field 'load': unknown load '999'"), std::string::npos) << r.err;
}

TEST(Cli, TraceOfAnUnknownDeviceExitsNotFound) {
  CliRun r = run("trace " + feeder("ieee13/IEEE13Nodeckt.dss") + " --device nowhere");
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("no element, bus or meter named 'nowhere'"), std::string::npos) << r.err;
}

TEST(Cli, ImportOfABadModelExitsNonZeroAndWritesNothing) {
  auto dsn = test_dsn();
  if (!dsn) GTEST_SKIP() << "no database: set OUTAGE_TEST_DSN or run under pg_virtualenv";
  fs::path dir = fs::temp_directory_path() / ("outage-cli-bad-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "bad.dss") << "New Circuit.badfeeder bus1=s\nNew Line.L1 bus1=s bus2=a\nNew Line.L2 length=3\n";
  CliRun r = run("import " + quote((dir / "bad.dss").string()) + " --db " + quote(*dsn));
  fs::remove_all(dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad.dss:3: line.l2 has no bus1"), std::string::npos) << r.err;
  auto store = PostgisStore::connect(*dsn);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE(store->migrate().ok());
  auto names = store->list_models();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(std::find(names->begin(), names->end(), "badfeeder"), names->end());
}

TEST(Cli, ImportSavesTheModelToPostgis) {
  auto dsn = test_dsn();
  if (!dsn) GTEST_SKIP() << "no database: set OUTAGE_TEST_DSN or run under pg_virtualenv";
  CliRun r = run("import " + feeder("ieee123/IEEE123Switches.dss") + " --name cli-ieee123 --json --db " + quote(*dsn));
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["saved"], true);
  EXPECT_EQ(j["counts"]["service_points"], 91);
  auto store = PostgisStore::connect(*dsn);
  ASSERT_TRUE(store.ok());
  auto model = store->load_model("cli-ieee123");
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ(model->service_points().size(), 91u);
  EXPECT_TRUE(model->element(model->find_element("line.sw7")).normally_open);
}

TEST(Cli, SolveVrptwJsonRoutesPassTheCheckAndMatchTheirTotals) {
  CliRun r = run("solve-vrptw C101 --json --time-limit 0.2 --seed 5");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u) << r.out;  // vehicles, distance, routes: nothing else
  std::ifstream in(std::string(OUTAGE_SHARED_DATA) + "/solomon/instances/C101.txt", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto instance = parse_solomon(text, "C101.txt");
  ASSERT_TRUE(instance) << instance.error().message;
  auto cost = evaluate_routes(*instance, j["routes"].get<std::vector<std::vector<int>>>());
  ASSERT_TRUE(cost) << cost.error().message;
  EXPECT_EQ(j["vehicles"].get<int>(), cost->vehicles);
  EXPECT_NEAR(j["distance"].get<double>(), cost->distance, 0.005);  // rounded to 2 decimals
}

TEST(Cli, SolveVrptwOfABadFileExitsInvalidInputNamingTheLine) {
  const fs::path file = fs::temp_directory_path() / ("outage-cli-bad-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(file) << "BAD\n\nVEHICLE\nNUMBER CAPACITY\n 2 10\n\nCUSTOMER\n 0 0 0 0 0 100 0\n 1 3 four 5 0 10 1\n";
  CliRun r = run("solve-vrptw " + quote(file.string()) + " --json");
  fs::remove(file);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(":9:"), std::string::npos) << r.err;  // the row with "four"
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, SolveVrptwOfAMissingInstanceExitsNotFound) {
  CliRun r = run("solve-vrptw NO_SUCH_INSTANCE --json");
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.err.find("NO_SUCH_INSTANCE"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace outage
