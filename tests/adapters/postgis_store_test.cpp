// Integration tests of PostgisStore against a real PostgreSQL + PostGIS.
//
// The database: OUTAGE_TEST_DSN if set, else libpq's defaults when PGHOST or PGDATABASE is set
// (pg_virtualenv sets them: `pg_virtualenv build/tests/outage_adapter_tests`), else every test skips.
// Tests share the database, so each uses its own model names.
//
// OUTAGE_PERF_TEST=1 also runs the million-customer round trip (about a minute; timings printed).
#include "adapters/postgis_store.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "adapters/filesystem_source.h"
#include "adapters/migrations.h"
#include "geo/opendss_reader.h"
#include "geo/synthetic_utility.h"

using outage::Bus;
using outage::BusId;
using outage::CoordinateSystem;
using outage::Customer;
using outage::CustomerClass;
using outage::Element;
using outage::ElementId;
using outage::ElementKind;
using outage::ErrorCode;
using outage::NetworkModel;
using outage::Point;
using outage::ServicePoint;
using outage::Status;

namespace {

std::optional<std::string> test_dsn() {
  if (const char* dsn = std::getenv("OUTAGE_TEST_DSN")) return std::string(dsn);
  if (std::getenv("PGHOST") || std::getenv("PGDATABASE")) return std::string();
  return std::nullopt;
}

std::string describe(Point p) { return fmt::format("({}, {})", p.x, p.y); }
std::string describe(const std::vector<Point>* v) {
  if (!v) return "none";
  std::string out;
  for (Point p : *v) out += describe(p);
  return out;
}

// The first difference between two models, or "" when they are identical in every field the
// model holds (the ImportReport aside). A position is compared where has_position is set.
std::string first_difference(const NetworkModel& a, const NetworkModel& b) {
  auto differ = [](std::string_view what, const auto& x, const auto& y) {
    std::ostringstream out;
    out << what << ": " << x << " vs " << y;
    return out.str();
  };
  if (a.name != b.name) return differ("name", a.name, b.name);
  if (!(a.crs == b.crs)) return differ("crs", a.crs.describe(), b.crs.describe());
  if (a.buses().size() != b.buses().size()) return differ("bus count", a.buses().size(), b.buses().size());
  if (a.elements().size() != b.elements().size())
    return differ("element count", a.elements().size(), b.elements().size());
  if (a.service_points().size() != b.service_points().size())
    return differ("service point count", a.service_points().size(), b.service_points().size());
  if (a.customers().size() != b.customers().size())
    return differ("customer count", a.customers().size(), b.customers().size());
  for (std::size_t i = 0; i < a.buses().size(); ++i) {
    const Bus &x = a.buses()[i], &y = b.buses()[i];
    std::string at = fmt::format("bus #{} '{}'", i, x.id);
    if (x.id != y.id) return differ(at + " id", x.id, y.id);
    if (x.kv != y.kv) return differ(at + " kv", x.kv, y.kv);
    if (x.has_position != y.has_position) return differ(at + " has_position", x.has_position, y.has_position);
    if (x.has_position && !(x.position == y.position))
      return differ(at + " position", describe(x.position), describe(y.position));
    if (b.find_bus(x.id) != BusId(i)) return at + ": find_bus does not find it";
  }
  for (std::size_t i = 0; i < a.elements().size(); ++i) {
    const Element &x = a.elements()[i], &y = b.elements()[i];
    std::string at = fmt::format("element #{} '{}'", i, x.id);
    if (x.id != y.id) return differ(at + " id", x.id, y.id);
    if (x.kind != y.kind) return differ(at + " kind", to_string(x.kind), to_string(y.kind));
    if (x.phases != y.phases) return differ(at + " phases", int(x.phases), int(y.phases));
    if (x.normally_open != y.normally_open) return differ(at + " normally_open", x.normally_open, y.normally_open);
    if (x.bus1 != y.bus1) return differ(at + " bus1", x.bus1.value(), y.bus1.value());
    if (x.bus2 != y.bus2) return differ(at + " bus2", x.bus2.value(), y.bus2.value());
    if (x.host != y.host) return differ(at + " host", x.host.value(), y.host.value());
    if (x.length_m != y.length_m) return differ(at + " length_m", x.length_m, y.length_m);
    if (x.kv != y.kv) return differ(at + " kv", x.kv, y.kv);
    if (x.kv2 != y.kv2) return differ(at + " kv2", x.kv2, y.kv2);
    auto *vx = a.intermediate_vertices(ElementId(i)), *vy = b.intermediate_vertices(ElementId(i));
    if ((vx == nullptr) != (vy == nullptr) || (vx && *vx != *vy))
      return differ(at + " vertices", describe(vx), describe(vy));
    if (b.find_element(x.id) != ElementId(i)) return at + ": find_element does not find it";
  }
  for (std::size_t i = 0; i < a.service_points().size(); ++i) {
    const ServicePoint &x = a.service_points()[i], &y = b.service_points()[i];
    std::string at = fmt::format("service point #{} '{}'", i, x.id);
    if (x.id != y.id) return differ(at + " id", x.id, y.id);
    if (x.bus != y.bus) return differ(at + " bus", x.bus.value(), y.bus.value());
    if (x.phases != y.phases) return differ(at + " phases", int(x.phases), int(y.phases));
    if (x.kw != y.kw) return differ(at + " kw", x.kw, y.kw);
    if (x.has_position != y.has_position) return differ(at + " has_position", x.has_position, y.has_position);
    if (x.has_position && !(x.position == y.position))
      return differ(at + " position", describe(x.position), describe(y.position));
  }
  for (std::size_t i = 0; i < a.customers().size(); ++i) {
    const Customer &x = a.customers()[i], &y = b.customers()[i];
    std::string at = fmt::format("customer #{} '{}'", i, x.id);
    if (x.id != y.id) return differ(at + " id", x.id, y.id);
    if (x.service_point != y.service_point)
      return differ(at + " service point", x.service_point.value(), y.service_point.value());
    if (x.customer_class != y.customer_class)
      return differ(at + " class", to_string(x.customer_class), to_string(y.customer_class));
    if (x.account != y.account) return differ(at + " account", x.account, y.account);
    if (x.name != y.name) return differ(at + " name", x.name, y.name);
    if (x.phone != y.phone) return differ(at + " phone", x.phone, y.phone);
    if (x.address != y.address) return differ(at + " address", x.address, y.address);
  }
  return "";
}

ElementId add(NetworkModel& m, std::string_view id, ElementKind kind, std::string_view bus1, std::string_view bus2) {
  return m.add_element(id, kind, m.find_bus(bus1), bus2.empty() ? BusId() : m.find_bus(bus2)).value();
}

// A small feeder with one of everything the store must keep (local coordinates, feet):
//
//   src (0,0) ==line.l1 (vertices (30,10) (60,40); fuse.f1 mounted on it)== b2 (100,50)
//     |                                                                        |
//   vsource.source                                              line.sw1 (normally open)
//                                                                              |
//   lv (no position) ==transformer.t1 (vertex (202,52))==================== b3 (200,50)
//     |  meter m1 (no position): customers c1, c2                 meter m2 (205,55): c3
//   line.drop to lv2 (no position, no vertices: no geometry at all)
NetworkModel small_feeder(std::string name) {
  NetworkModel m;
  m.name = std::move(name);
  m.crs = CoordinateSystem{CoordinateSystem::Kind::local, 0.3048};
  auto bus = [&](std::string_view id, float kv, std::optional<Point> at) {
    Bus& b = m.bus(m.add_bus_or_get(id));
    b.kv = kv;
    if (at) {
      b.position = *at;
      b.has_position = true;
    }
  };
  bus("src", 12.47f, Point{0, 0});
  bus("b2", 12.47f, Point{100, 50});
  bus("b3", 12.47f, Point{200, 50});
  bus("lv", 0.24f, std::nullopt);
  bus("lv2", 0.24f, std::nullopt);

  Element& source = m.element(add(m, "vsource.source", ElementKind::source, "src", ""));
  source.kv = 12.47f;
  ElementId l1 = add(m, "line.l1", ElementKind::line, "src", "b2");
  m.element(l1).length_m = 111.8f;
  m.element(l1).kv = 12.47f;
  m.set_geometry(l1, {{30, 10}, {60, 40}});
  ElementId f1 = add(m, "fuse.f1", ElementKind::fuse, "src", "");
  m.element(f1).host = l1;
  m.element(f1).phases = outage::kPhaseA | outage::kPhaseC;
  m.set_geometry(f1, {{1.5, 2.25}});  // a device drawn off its bus keeps its vertices too
  Element& sw = m.element(add(m, "line.sw1", ElementKind::switch_, "b2", "b3"));
  sw.normally_open = true;
  sw.length_m = 0.001f;
  ElementId t1 = add(m, "transformer.t1", ElementKind::transformer, "b3", "lv");
  m.element(t1).phases = outage::kPhaseC;
  m.element(t1).kv = 12.47f;
  m.element(t1).kv2 = 0.24f;
  m.set_geometry(t1, {{202, 52}});
  add(m, "line.drop", ElementKind::line, "lv", "lv2");

  auto m1 = m.add_service_point("m1", m.find_bus("lv")).value();
  m.service_point(m1).phases = outage::kPhaseC;
  m.service_point(m1).kw = 5.5f;
  auto m2 = m.add_service_point("m2", m.find_bus("b3")).value();
  m.service_point(m2).kw = 120;
  m.service_point(m2).position = {205, 55};
  m.service_point(m2).has_position = true;

  Customer& c1 = m.customer(m.add_customer("c1", m1).value());
  c1.account = m.store("A-1");
  c1.name = m.store("O'Brien, \"Pat\"");
  c1.phone = m.store("+1 555 0100");
  c1.address = m.store("1 Main St, Apt 2\tback\\slash\nsecond line");
  Customer& c2 = m.customer(m.add_customer("c2", m1).value());
  c2.customer_class = CustomerClass::critical;
  c2.account = m.store("A-2");
  c2.name = m.store("北京市医院");
  c2.address = m.store("北京市朝阳区 1号, 101");
  Customer& c3 = m.customer(m.add_customer("c3", m2).value());
  c3.customer_class = CustomerClass::commercial;
  return m;
}

// A tiny WGS 84 feeder: a source and a line between two lon/lat positions, one meter.
NetworkModel wgs84_feeder(std::string name) {
  NetworkModel m;
  m.name = std::move(name);
  m.crs = CoordinateSystem{CoordinateSystem::Kind::wgs84, 0};
  for (auto [id, x, y] : {std::tuple{"a", 116.39, 39.91}, std::tuple{"b", 116.40, 39.92}}) {
    Bus& b = m.bus(m.add_bus_or_get(id));
    b.position = {x, y};
    b.has_position = true;
  }
  add(m, "vsource.source", ElementKind::source, "a", "");
  add(m, "line.ab", ElementKind::line, "a", "b");
  auto sp = m.add_service_point("m", m.find_bus("b")).value();
  m.service_point(sp).position = m.bus(m.find_bus("b")).position;
  m.service_point(sp).has_position = true;
  (void)m.add_customer("c", sp);
  return m;
}

NetworkModel read_feeder(const std::string& master) {
  outage::FilesystemSource files;
  auto model = outage::read_opendss(files, master);
  EXPECT_TRUE(model.ok()) << model.error().message;
  return model.ok() ? std::move(model).value() : NetworkModel();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

// The fixture shares the adapter's name so that tests read "PostgisStore.SomethingHappens";
// the adapter itself is outage::PostgisStore.
class PostgisStore : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> dsn = test_dsn();
    if (!dsn) GTEST_SKIP() << "no database: set OUTAGE_TEST_DSN, or run under pg_virtualenv (PGHOST)";
    auto store = outage::PostgisStore::connect(*dsn);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_.emplace(std::move(store).value());
    Status migrated = store_->migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    sql_.emplace(*dsn);
  }

  outage::PostgisStore& db() { return *store_; }

  // The first column of the first row of `query`, as text ("NULL" for null).
  std::string sql(const std::string& query) {
    pqxx::work tx(*sql_);
    pqxx::result r = tx.exec(query);
    return r.empty() || r[0][0].is_null() ? "NULL" : r[0][0].c_str();
  }

  // The tables named like partitions of a model (outage.<table>_p<n>) that are not attached:
  // the tables of a save under way, or left behind by one that failed. Sorted, comma-separated.
  std::string unattached_tables() {
    std::string names = sql(
        "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class"
        " WHERE relnamespace = 'outage'::regnamespace AND relkind = 'r' AND NOT relispartition"
        " AND relname ~ '_p[0-9]+$'");
    return names == "NULL" ? "" : names;
  }

  // Waits (up to 10 s) until `query` gives a row; its first column, or "" on timeout.
  std::string wait_for(const std::string& query) {
    for (int i = 0; i < 1000; ++i) {
      if (std::string v = sql(query); v != "NULL") return v;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "";
  }

  // Saves, loads and compares; returns the loaded model.
  NetworkModel round_trip(const NetworkModel& model, const std::string& name) {
    Status saved = db().save_model(model, name);
    EXPECT_TRUE(saved.ok()) << saved.error().message;
    auto loaded = db().load_model(name);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    if (!loaded.ok()) return NetworkModel();
    EXPECT_EQ(first_difference(model, *loaded), "");
    return std::move(loaded).value();
  }

  std::optional<outage::PostgisStore> store_;
  std::optional<pqxx::connection> sql_;
};

TEST_F(PostgisStore, MigrateIsIdempotentAndRecordsEachVersion) {
  for (int run = 0; run < 2; ++run) {
    Status again = db().migrate();
    ASSERT_TRUE(again.ok()) << again.error().message;
  }
  auto version = db().schema_version();
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, outage::latest_schema_version());

  pqxx::work tx(*sql_);
  pqxx::result rows = tx.exec("SELECT version, name, applied_at IS NOT NULL FROM outage.schema_migrations ORDER BY 1");
  ASSERT_EQ(rows.size(), outage::migrations().size()) << "each migration recorded once";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0].as<int>(), outage::migrations()[i].version);
    EXPECT_EQ(rows[i][1].as<std::string>(), outage::migrations()[i].name);
    EXPECT_TRUE(rows[i][2].as<bool>());
  }
  EXPECT_EQ(tx.exec("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").size(), 1u);
}

TEST(PostgisStoreMigrations, AreNumberedOneTwoThreeInOrder) {
  int expected = 1;
  for (const outage::Migration& m : outage::migrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_FALSE(m.name.empty());
    EXPECT_FALSE(m.sql.empty());
  }
  EXPECT_EQ(outage::latest_schema_version(), expected - 1);
}

TEST_F(PostgisStore, SaveThenLoadGivesAnIdenticalModel) {
  const std::string name = "small: O'Brien's \"feeder\", 北京市";  // quotes reach the SQL
  NetworkModel model = small_feeder(name);
  NetworkModel loaded = round_trip(model, name);
  // Spot checks that do not rely on first_difference.
  const Customer& c2 = loaded.customer(loaded.find_customer("c2"));
  EXPECT_EQ(c2.name, "北京市医院");
  EXPECT_EQ(loaded.customer(loaded.find_customer("c1")).name, "O'Brien, \"Pat\"");
  EXPECT_EQ(loaded.customer(loaded.find_customer("c3")).phone, "");
  EXPECT_TRUE(loaded.element(loaded.find_element("line.sw1")).normally_open);
  EXPECT_EQ(loaded.element(loaded.find_element("fuse.f1")).host, loaded.find_element("line.l1"));
  EXPECT_EQ(loaded.crs.describe(), "local (ft)");
}

TEST_F(PostgisStore, AnEmptyModelRoundTrips) {
  NetworkModel empty;
  empty.name = "empty";
  round_trip(empty, "empty");
}

TEST_F(PostgisStore, AFieldLargerThanTheCopyBufferRoundTrips) {
  NetworkModel model = small_feeder("long");
  std::string address;
  for (int i = 0; i < 200'000; ++i) address += "line\t\\ 北京 ";  // ~3 MB once escaped
  model.customer(model.find_customer("c3")).address = model.store(address);
  round_trip(model, "long");
}

TEST_F(PostgisStore, StoresBranchesAsLinesAndDevicesAsPointsAtTheirBus) {
  ASSERT_TRUE(db().save_model(small_feeder("shapes"), "shapes").ok());
  auto shape = [&](const std::string& table, const std::string& id) {
    return sql(fmt::format("SELECT ST_AsText(geom) FROM outage.{} WHERE model = 'shapes' AND id = '{}'", table, id));
  };
  EXPECT_EQ(shape("elements", "line.l1"), "LINESTRING(0 0,30 10,60 40,100 50)");
  EXPECT_EQ(shape("elements", "transformer.t1"), "LINESTRING(200 50,202 52)") << "lv has no position";
  EXPECT_EQ(shape("elements", "line.drop"), "NULL") << "no position at either end, no vertices";
  EXPECT_EQ(shape("elements", "vsource.source"), "POINT(0 0)");
  EXPECT_EQ(shape("elements", "fuse.f1"), "POINT(0 0)");
  EXPECT_EQ(shape("buses", "b2"), "POINT(100 50)");
  EXPECT_EQ(shape("buses", "lv"), "NULL");
  EXPECT_EQ(shape("service_points", "m2"), "POINT(205 55)");
  EXPECT_EQ(sql("SELECT srid::text FROM outage.models WHERE name = 'shapes'"), "0");
  EXPECT_EQ(sql("SELECT count(DISTINCT ST_SRID(geom))::text || ':' || min(ST_SRID(geom))::text"
                " FROM outage.elements WHERE model = 'shapes'"),
            "1:0");
}

TEST_F(PostgisStore, AWgs84ModelIsStoredWithSrid4326) {
  round_trip(wgs84_feeder("lonlat"), "lonlat");
  for (const char* table : {"buses", "elements", "service_points"}) {
    EXPECT_EQ(sql(fmt::format("SELECT string_agg(DISTINCT ST_SRID(geom)::text, ',') FROM outage.{} "
                              "WHERE model = 'lonlat' AND geom IS NOT NULL",
                              table)),
              "4326")
        << table;
  }
  EXPECT_EQ(sql("SELECT crs || ' ' || srid FROM outage.models WHERE name = 'lonlat'"), "EPSG:4326 4326");
  EXPECT_EQ(sql("SELECT round(ST_Length(geom::geography))::text FROM outage.elements "
                "WHERE model = 'lonlat' AND id = 'line.ab'"),
            "1401")
      << "PostGIS reads the stored lon/lat as WGS 84";
}

TEST_F(PostgisStore, SaveThenLoadOfTheIeee13FeederGivesAnIdenticalModel) {
  NetworkModel model = read_feeder(OUTAGE_SHARED_DATA "/feeders/ieee13/IEEE13Nodeckt.dss");
  ASSERT_GT(model.elements().size(), 10u);
  model.name = "ieee13";
  round_trip(model, "ieee13");
  EXPECT_EQ(sql("SELECT kind FROM outage.elements WHERE model = 'ieee13' AND ord = 0"),
            std::string(to_string(model.elements()[0].kind)));
}

TEST_F(PostgisStore, SaveThenLoadOfTheIeee8500FeederGivesAnIdenticalModel) {
  NetworkModel model = read_feeder(OUTAGE_SHARED_DATA "/feeders/ieee8500/Master.dss");
  ASSERT_GT(model.elements().size(), 4000u);
  model.name = "ieee8500";
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(db().save_model(model, "ieee8500").ok());
  double save_s = seconds_since(start);
  start = std::chrono::steady_clock::now();
  auto loaded = db().load_model("ieee8500");
  double load_s = seconds_since(start);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(first_difference(model, *loaded), "");
  std::cout << fmt::format("[ timing ] IEEE 8500 ({} buses, {} elements, {} customers): save {:.3f} s, load {:.3f} s\n",
                           model.buses().size(), model.elements().size(), model.customers().size(), save_s, load_s);
}

TEST_F(PostgisStore, SavingAgainUnderTheSameNameReplacesTheModel) {
  ASSERT_TRUE(db().save_model(small_feeder("again"), "again").ok());
  NetworkModel second = wgs84_feeder("again");
  round_trip(second, "again");
  auto names = db().list_models();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(std::count(names->begin(), names->end(), "again"), 1);
  EXPECT_EQ(sql("SELECT count(*)::text FROM outage.buses WHERE model = 'again'"), "2");
  EXPECT_EQ(sql("SELECT bus_count || ' ' || customer_count FROM outage.models WHERE name = 'again'"), "2 1");
  EXPECT_EQ(sql("SELECT (count(*) = 4 * (SELECT count(*) FROM outage.models))::text FROM pg_tables "
                "WHERE schemaname = 'outage' AND tablename ~ '_p[0-9]+$'"),
            "true")
      << "the replaced model's partitions are dropped";
}

TEST_F(PostgisStore, LoadingAnUnknownModelIsNotFound) {
  auto loaded = db().load_model("no such model");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::not_found);
  EXPECT_NE(loaded.error().message.find("no such model"), std::string::npos) << loaded.error().message;
}

TEST_F(PostgisStore, SavingUnderAnEmptyNameIsInvalidInput) {
  Status saved = db().save_model(small_feeder(""), "");
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code, ErrorCode::invalid_input);
}

TEST_F(PostgisStore, AFailedSaveLeavesThePreviousModelIntact) {
  NetworkModel first = small_feeder("intact");
  ASSERT_TRUE(db().save_model(first, "intact").ok());
  NetworkModel second = wgs84_feeder("intact");
  for (std::string fail_at : {"buses", "service_points", "customers", "elements", "replace"}) {
    SCOPED_TRACE("failing after " + fail_at);
    std::vector<std::string> steps;
    outage::SaveOptions options;
    options.after_step = [&](std::string_view step) -> Status {
      steps.emplace_back(step);
      if (step == fail_at) return outage::unavailable("injected failure after " + fail_at);
      return {};
    };
    Status saved = db().save_model(second, "intact", options);
    ASSERT_FALSE(saved.ok());
    EXPECT_EQ(saved.error().code, ErrorCode::unavailable);
    EXPECT_EQ(saved.error().message, "injected failure after " + fail_at);
    EXPECT_EQ(steps.back(), fail_at);
    auto loaded = db().load_model("intact");
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(first_difference(first, *loaded), "");
  }
  EXPECT_EQ(sql("SELECT (count(*) = 4 * (SELECT count(*) FROM outage.models))::text FROM pg_tables "
                "WHERE schemaname = 'outage' AND tablename ~ '_p[0-9]+$'"),
            "true")
      << "a failed save leaves no table behind";
  EXPECT_EQ(unattached_tables(), "") << "not even the elements, committed apart on the helper connection";
  // The steps, in order, when nothing fails.
  std::vector<std::string> steps;
  outage::SaveOptions watch;
  watch.after_step = [&](std::string_view step) -> Status {
    steps.emplace_back(step);
    return {};
  };
  ASSERT_TRUE(db().save_model(second, "intact", watch).ok());
  EXPECT_EQ(steps, (std::vector<std::string>{"buses", "service_points", "customers", "elements", "replace"}));
}

TEST_F(PostgisStore, ALoadDuringASaveReadsTheLastCommittedModelWithoutWaiting) {
  NetworkModel first = small_feeder("busy");
  ASSERT_TRUE(db().save_model(first, "busy").ok());
  auto reader = outage::PostgisStore::connect(*test_dsn());
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  std::string seen;
  outage::SaveOptions options;
  std::string staged;
  options.after_step = [&](std::string_view step) -> Status {
    // Every table of the new model is loaded, not yet committed (nor swapped in); the elements
    // are committed already, apart, on the save's helper connection.
    if (step == "elements") {
      staged = unattached_tables();
      auto during = reader->load_model("busy");
      seen = during.ok() ? first_difference(first, *during) : during.error().message;
    }
    return {};
  };
  NetworkModel second = wgs84_feeder("busy");
  ASSERT_TRUE(db().save_model(second, "busy", options).ok());
  EXPECT_NE(staged.find("elements_p"), std::string::npos) << staged;
  EXPECT_EQ(seen, "") << "the load during the save gives the first model";
  auto after = reader->load_model("busy");
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(first_difference(second, *after), "");
}

TEST_F(PostgisStore, TextTheServerRejectsIsInvalidInputAndChangesNothing) {
  if (sql("SHOW server_encoding") != "UTF8") GTEST_SKIP() << "the server only checks UTF-8 in a UTF8 database";
  NetworkModel first = small_feeder("latin1");
  ASSERT_TRUE(db().save_model(first, "latin1").ok());
  NetworkModel bad = small_feeder("latin1");
  Customer& c = bad.customer(bad.find_customer("c3"));
  c.address = bad.store("Stra\xdf" "e 1");  // Latin-1, not UTF-8: the last table fails mid-COPY
  Status saved = db().save_model(bad, "latin1");
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code, ErrorCode::invalid_input) << saved.error().message;
  auto loaded = db().load_model("latin1");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(first_difference(first, *loaded), "");
  EXPECT_TRUE(db().list_models().ok()) << "the connection is usable after the failure";
  EXPECT_EQ(unattached_tables(), "");
}

TEST_F(PostgisStore, TextRejectedOnTheHelperConnectionIsInvalidInputAndChangesNothing) {
  if (sql("SHOW server_encoding") != "UTF8") GTEST_SKIP() << "the server only checks UTF-8 in a UTF8 database";
  NetworkModel first = small_feeder("latin1 elements");
  ASSERT_TRUE(db().save_model(first, "latin1 elements").ok());
  NetworkModel bad = small_feeder("latin1 elements");
  add(bad, "line.stra\xdf" "e", ElementKind::line, "b2", "b3");  // Latin-1: the elements' COPY fails
  std::vector<std::string> steps;
  Status saved = db().save_model(bad, "latin1 elements", {.after_step = [&](std::string_view step) -> Status {
                                   steps.emplace_back(step);
                                   return {};
                                 }});
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code, ErrorCode::invalid_input) << saved.error().message;
  EXPECT_EQ(std::count(steps.begin(), steps.end(), "elements"), 0) << "the save stops before the elements step";
  auto loaded = db().load_model("latin1 elements");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(first_difference(first, *loaded), "");
  EXPECT_EQ(unattached_tables(), "");
}

TEST_F(PostgisStore, ALostHelperConnectionIsUnavailableAndChangesNothing) {
  NetworkModel first = small_feeder("helper cut");
  ASSERT_TRUE(db().save_model(first, "helper cut").ok());
  // Hold the helper up: its CREATE TABLE (LIKE outage.elements) waits for this lock.
  pqxx::connection blocker(*test_dsn());
  pqxx::work hold(blocker);
  hold.exec("LOCK TABLE outage.elements IN ACCESS EXCLUSIVE MODE");
  std::string killed;
  outage::SaveOptions options;
  options.after_step = [&](std::string_view step) -> Status {
    if (step == "buses") {  // the main connection goes on meanwhile; the server ends the helper's session
      killed = wait_for(
          "SELECT pg_terminate_backend(pid)::text FROM pg_locks"
          " WHERE relation = 'outage.elements'::regclass AND NOT granted");
      hold.abort();
    }
    return {};
  };
  Status saved = db().save_model(wgs84_feeder("helper cut"), "helper cut", options);
  ASSERT_EQ(killed, "true") << "the helper was waiting for the lock";
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code, ErrorCode::unavailable) << saved.error().message;
  auto loaded = db().load_model("helper cut");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(first_difference(first, *loaded), "");
  EXPECT_EQ(unattached_tables(), "");
  round_trip(wgs84_feeder("helper cut"), "helper cut");  // and the next save works
}

TEST_F(PostgisStore, TablesLeftByACrashedSaveAreDroppedByMigrateAndByTheNextSave) {
  NetworkModel first = small_feeder("crash");
  ASSERT_TRUE(db().save_model(first, "crash").ok());
  // A process that dies in the middle of a save, once its helper has committed the elements.
  auto crash_a_save = [&] {
    pid_t child = fork();
    if (child == 0) {
      auto store = outage::PostgisStore::connect(*test_dsn());
      if (store.ok())
        (void)store->save_model(wgs84_feeder("crash"), "crash", {.after_step = [](std::string_view step) -> Status {
                                  if (step == "elements") _exit(0);
                                  return {};
                                }});
      _exit(1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child died at the elements step";
    // Its server sessions end once they notice; then nothing holds the models lock.
    ASSERT_EQ(wait_for("SELECT 'free' WHERE NOT EXISTS (SELECT 1 FROM pg_locks"
                       " WHERE relation = 'outage.models'::regclass AND mode = 'ShareRowExclusiveLock')"),
              "free");
    EXPECT_NE(unattached_tables().find("elements_p"), std::string::npos) << "the helper's table is left";
  };

  crash_a_save();
  ASSERT_TRUE(db().migrate().ok());
  EXPECT_EQ(unattached_tables(), "") << "migrate() drops it";

  crash_a_save();
  ASSERT_TRUE(db().save_model(wgs84_feeder("other"), "crash other").ok());
  EXPECT_EQ(unattached_tables(), "") << "so does the next save";

  auto loaded = db().load_model("crash");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(first_difference(first, *loaded), "") << "the crashed saves changed nothing";
}

TEST_F(PostgisStore, MigrateDuringASaveLeavesItsTablesAlone) {
  auto other = outage::PostgisStore::connect(*test_dsn());
  ASSERT_TRUE(other.ok()) << other.error().message;
  Status migrated = outage::internal_error("not called");
  std::string staged;
  NetworkModel model = small_feeder("migrate meanwhile");
  Status saved = db().save_model(model, "migrate meanwhile", {.after_step = [&](std::string_view step) -> Status {
                                   if (step == "customers") {
                                     // Once the helper has committed the elements and no
                                     // session has their table locked, it looks like an orphan.
                                     staged = wait_for(
                                         "SELECT relname FROM pg_class c"
                                         " WHERE relnamespace = 'outage'::regnamespace"
                                         " AND relname ~ '^elements_p[0-9]+$' AND NOT relispartition"
                                         " AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.relation = c.oid)");
                                     migrated = other->migrate();
                                   }
                                   return {};
                                 }});
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_TRUE(migrated.ok()) << migrated.error().message;
  EXPECT_NE(staged, "");
  auto loaded = db().load_model("migrate meanwhile");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(first_difference(model, *loaded), "");
}

TEST_F(PostgisStore, ListModelsGivesTheSavedNamesSorted) {
  ASSERT_TRUE(db().save_model(wgs84_feeder("list b"), "list b").ok());
  ASSERT_TRUE(db().save_model(wgs84_feeder("list a"), "list a").ok());
  auto names = db().list_models();
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_TRUE(std::is_sorted(names->begin(), names->end()));
  auto a = std::find(names->begin(), names->end(), "list a");
  ASSERT_NE(a, names->end());
  ASSERT_NE(a + 1, names->end());
  EXPECT_EQ(*(a + 1), "list b");
}

TEST_F(PostgisStore, ALostConnectionIsUnavailableWritesNothingAndTheNextCallReconnects) {
  NetworkModel first = small_feeder("cut");
  ASSERT_TRUE(db().save_model(first, "cut").ok());
  outage::SaveOptions options;
  options.after_step = [&](std::string_view step) -> Status {
    if (step == "elements") {  // the server ends our session mid-save
      pqxx::work tx(*sql_);
      tx.exec("SELECT pg_terminate_backend(pid) FROM pg_locks"
              " WHERE relation = 'outage.models'::regclass AND mode = 'ShareRowExclusiveLock'");
      tx.commit();
    }
    return {};
  };
  Status saved = db().save_model(wgs84_feeder("cut"), "cut", options);
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code, ErrorCode::unavailable) << saved.error().message;
  auto loaded = db().load_model("cut");
  ASSERT_TRUE(loaded.ok()) << "the store reconnects on its next call: " << loaded.error().message;
  EXPECT_EQ(first_difference(first, *loaded), "");
  EXPECT_EQ(unattached_tables(), "") << "the helper connection dropped what it had committed";
}

TEST(PostgisStoreConnect, ToAServerThatIsNotThereIsUnavailable) {
  auto store = outage::PostgisStore::connect("host=127.0.0.1 port=1 connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::unavailable) << store.error().message;
}

// About a million customers: 850 copies of the IEEE 8500-node feeder (tile_model): 4.1 M buses,
// 4.2 M elements, 1 M meters and customers, round-tripped identically. Timings are printed, not
// asserted (benchmarks are programs: build/outage-bench, docs/benchmarks.md). Opt in:
// OUTAGE_PERF_TEST=1; the number of copies can be set with OUTAGE_PERF_COPIES.
TEST_F(PostgisStore, RoundTripsAMillionCustomerUtility) {
  if (!std::getenv("OUTAGE_PERF_TEST")) GTEST_SKIP() << "set OUTAGE_PERF_TEST=1 to run";
  NetworkModel feeder = read_feeder(OUTAGE_SHARED_DATA "/feeders/ieee8500/Master.dss");
  ASSERT_GT(feeder.customers().size(), 0u);
  int copies = static_cast<int>(1'000'000 / feeder.customers().size()) + 1;
  if (const char* c = std::getenv("OUTAGE_PERF_COPIES")) copies = std::atoi(c);
  NetworkModel utility = outage::tile_model(feeder, copies);
  utility.name = "utility";
  auto start = std::chrono::steady_clock::now();
  Status saved = db().save_model(utility, "utility", {.after_step = [&](std::string_view step) -> Status {
                                   std::cout << fmt::format("[ timing ]   {} done at {:.1f} s\n", step,
                                                            seconds_since(start));
                                   return {};
                                 }});
  double save_s = seconds_since(start);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  start = std::chrono::steady_clock::now();
  auto loaded = db().load_model("utility");
  double load_s = seconds_since(start);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  std::cout << fmt::format("[ timing ] {} copies: {} buses, {} elements, {} service points, {} customers: "
                           "save {:.1f} s, load {:.1f} s\n",
                           copies, utility.buses().size(), utility.elements().size(),
                           utility.service_points().size(), utility.customers().size(), save_s, load_s);
  EXPECT_EQ(first_difference(utility, *loaded), "");
}
