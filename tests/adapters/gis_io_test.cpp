// GIS exchange (adapters/gis_io.h): round trips through GeoPackage and GeoJSON, a utility's
// export read as it comes, and every kind of bad content named down to the field.
//
// The hand-built feeder used by the round trips (local coordinates, feet):
//
//   sourcebus ==line.l1 (bends twice)== b1 --line.sw1 (normally open)-- b2   [m2, m2's own position]
//                                        |
//                                     line.l2 [fuse.f1 mounted on it]
//                                        |
//                                        b3 --transformer.t1-- b4 (no position)   [m3 at b3, m1 at b4]
#include "adapters/gis_io.h"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adapters/filesystem_source.h"
#include "geo/customer_file.h"
#include "geo/network_model.h"
#include "geo/opendss_reader.h"

namespace outage {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("outage-gis-" + std::string(info ? info->name() : "test") + "-" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

BusId bus(NetworkModel& m, const char* id, float kv, std::optional<Point> at) {
  BusId b = m.add_bus_or_get(id);
  m.bus(b).kv = kv;
  if (at) {
    m.bus(b).position = *at;
    m.bus(b).has_position = true;
  }
  return b;
}

ElementId element(NetworkModel& m, const char* id, ElementKind kind, BusId b1, BusId b2) {
  auto e = m.add_element(id, kind, b1, b2);
  EXPECT_TRUE(e.ok()) << e.error().message;
  return *e;
}

CustomerId customer(NetworkModel& m, const char* id, ServicePointId sp, CustomerClass c, const char* account,
                    const char* name, const char* phone, const char* address) {
  auto added = m.add_customer(id, sp);
  EXPECT_TRUE(added.ok()) << added.error().message;
  Customer& cu = m.customer(*added);
  cu.customer_class = c;
  cu.account = m.store(account);
  cu.name = m.store(name);
  cu.phone = m.store(phone);
  cu.address = m.store(address);
  return *added;
}

// The feeder drawn at the top of this file.
NetworkModel hand_built_feeder() {
  NetworkModel m;
  m.name = "Hand-built feeder";
  m.crs = {CoordinateSystem::Kind::local, 0.3048};
  BusId source = bus(m, "SourceBus", 12.47f, Point{0, 0});
  BusId b1 = bus(m, "b1", 12.47f, Point{1000.125, -20.5});
  BusId b2 = bus(m, "b2", 12.47f, Point{1500.0, -20.5});
  BusId b3 = bus(m, "b3", 12.47f, Point{1000.125, -600.0000001});
  BusId b4 = bus(m, "b4", 0.48f, std::nullopt);

  ElementId src = element(m, "Vsource.Source", ElementKind::source, source, {});
  m.element(src).kv = 12.47f;
  ElementId l1 = element(m, "Line.L1", ElementKind::line, source, b1);
  m.element(l1).length_m = 304.8f;
  m.element(l1).kv = 12.47f;
  m.set_geometry(l1, {{250.5, 10.25}, {600.0000000001, -3.14159265358979}});
  ElementId sw = element(m, "line.sw1", ElementKind::switch_, b1, b2);
  m.element(sw).normally_open = true;
  m.element(sw).phases = kPhaseA | kPhaseB | kPhaseC;
  ElementId l2 = element(m, "line.l2", ElementKind::line, b1, b3);
  m.element(l2).phases = kPhaseA | kPhaseC;
  m.element(l2).length_m = 176.78f;
  ElementId fuse = element(m, "fuse.f1", ElementKind::fuse, b1, {});
  m.element(fuse).host = l2;
  m.element(fuse).phases = kPhaseA | kPhaseC;
  m.element(fuse).kv = 12.47f;
  ElementId t1 = element(m, "transformer.t1", ElementKind::transformer, b3, b4);
  m.element(t1).phases = kPhaseC;
  m.element(t1).kv = 12.47f;
  m.element(t1).kv2 = 0.48f;

  auto m1 = m.add_service_point("M1", b4);  // b4 has no position: neither has m1
  m.service_point(*m1).kw = 4.5f;
  m.service_point(*m1).phases = kPhaseC;
  auto m2 = m.add_service_point("m2", b2);  // its own position, away from the bus
  m.service_point(*m2).kw = 250.25f;
  m.service_point(*m2).position = {1510.75, -35.5};
  m.service_point(*m2).has_position = true;
  auto m3 = m.add_service_point("m3", b3);  // no position of its own: the bus's
  m.service_point(*m3).kw = 12;
  m.service_point(*m3).position = m.bus(b3).position;

  customer(m, "C1", *m1, CustomerClass::residential, "0012345", "Zhang, Wei", "+86 10 1234 5678",
           "北京市朝阳区建国路 88 号");
  customer(m, "c2", *m2, CustomerClass::commercial, "A-77", "The \"Quoted\" Café", "555-0100",
           "[Unit 5], {east wing}; 'single' quotes\ttab");
  customer(m, "c3", *m2, CustomerClass::critical, "", "", "", "");
  customer(m, "c4", *m3, CustomerClass::important, "9", "Clinic / 诊所", "", "Line one\nLine two");
  return m;
}

void expect_same_points(const std::vector<Point>& a, const std::vector<Point>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].x, b[i].x) << "point " << i;
    EXPECT_EQ(a[i].y, b[i].y) << "point " << i;
  }
}

// Every field of every record, in order.
void expect_same_model(const NetworkModel& want, const NetworkModel& got) {
  EXPECT_EQ(want.name, got.name);
  EXPECT_EQ(want.crs.describe(), got.crs.describe());
  EXPECT_TRUE(want.crs == got.crs);

  ASSERT_EQ(want.buses().size(), got.buses().size());
  for (std::size_t i = 0; i < want.buses().size(); ++i) {
    const Bus& a = want.buses()[i];
    const Bus& b = got.buses()[i];
    SCOPED_TRACE("bus " + std::string(a.id));
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.kv, b.kv);
    EXPECT_EQ(a.has_position, b.has_position);
    EXPECT_EQ(a.position.x, b.position.x);
    EXPECT_EQ(a.position.y, b.position.y);
  }

  ASSERT_EQ(want.elements().size(), got.elements().size());
  for (std::size_t i = 0; i < want.elements().size(); ++i) {
    const Element& a = want.elements()[i];
    const Element& b = got.elements()[i];
    SCOPED_TRACE("element " + std::string(a.id));
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.phases, b.phases);
    EXPECT_EQ(a.normally_open, b.normally_open);
    EXPECT_EQ(a.bus1, b.bus1);
    EXPECT_EQ(a.bus2, b.bus2);
    EXPECT_EQ(a.host, b.host);
    EXPECT_EQ(a.length_m, b.length_m);
    EXPECT_EQ(a.kv, b.kv);
    EXPECT_EQ(a.kv2, b.kv2);
    ElementId id(static_cast<std::uint32_t>(i));
    const auto* va = want.intermediate_vertices(id);
    const auto* vb = got.intermediate_vertices(id);
    ASSERT_EQ(va == nullptr, vb == nullptr);
    if (va) expect_same_points(*va, *vb);
    expect_same_points(want.geometry(id), got.geometry(id));
  }

  ASSERT_EQ(want.service_points().size(), got.service_points().size());
  for (std::size_t i = 0; i < want.service_points().size(); ++i) {
    const ServicePoint& a = want.service_points()[i];
    const ServicePoint& b = got.service_points()[i];
    SCOPED_TRACE("service point " + std::string(a.id));
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.bus, b.bus);
    EXPECT_EQ(a.phases, b.phases);
    EXPECT_EQ(a.kw, b.kw);
    EXPECT_EQ(a.has_position, b.has_position);
    EXPECT_EQ(a.position.x, b.position.x);
    EXPECT_EQ(a.position.y, b.position.y);
  }

  ASSERT_EQ(want.customers().size(), got.customers().size());
  for (std::size_t i = 0; i < want.customers().size(); ++i) {
    const Customer& a = want.customers()[i];
    const Customer& b = got.customers()[i];
    SCOPED_TRACE("customer " + std::string(a.id));
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.service_point, b.service_point);
    EXPECT_EQ(a.customer_class, b.customer_class);
    EXPECT_EQ(a.account, b.account);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.phone, b.phone);
    EXPECT_EQ(a.address, b.address);
  }
}

NetworkModel round_trip(const NetworkModel& model, const std::string& path) {
  Status written = write_gis(model, path);
  EXPECT_TRUE(written.ok()) << written.error().message;
  auto read = read_gis(path);
  EXPECT_TRUE(read.ok()) << read.error().message;
  if (!read.ok()) return NetworkModel();
  return std::move(read).value();
}

// --- Round trips --------------------------------------------------------------------------------

TEST(GisIo, GeoPackageRoundTripGivesAnIdenticalModel) {
  TempDir dir;
  NetworkModel model = hand_built_feeder();
  NetworkModel back = round_trip(model, dir.file("feeder.gpkg"));
  expect_same_model(model, back);
  EXPECT_EQ(back.report.files_read, 1);
}

TEST(GisIo, GeoJsonRoundTripGivesAnIdenticalModel) {
  TempDir dir;
  NetworkModel model = hand_built_feeder();
  NetworkModel back = round_trip(model, dir.file("feeder.geojson"));
  expect_same_model(model, back);
  EXPECT_EQ(back.report.files_read, 5);
}

TEST(GisIo, GeoJsonIsOneFilePerLayerBesideEachOther) {
  TempDir dir;
  ASSERT_TRUE(write_gis(hand_built_feeder(), dir.file("net.geojson")).ok());
  for (const char* layer : {"buses", "elements", "service_points", "customers", "model"})
    EXPECT_TRUE(fs::exists(dir.file(std::string("net.") + layer + ".geojson"))) << layer;
  EXPECT_FALSE(fs::exists(dir.file("net.geojson")));
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 5u) << "no temporary file is left behind";

  auto by_layer_file = read_gis(dir.file("net.elements.geojson"));
  ASSERT_TRUE(by_layer_file.ok()) << by_layer_file.error().message;
  EXPECT_EQ(by_layer_file->elements().size(), 6u);
}

TEST(GisIo, WritingAgainReplacesTheFile) {
  TempDir dir;
  std::string path = dir.file("feeder.gpkg");
  ASSERT_TRUE(write_gis(hand_built_feeder(), path).ok());
  NetworkModel renamed = hand_built_feeder();
  renamed.name = "second";
  NetworkModel back = round_trip(renamed, path);
  expect_same_model(renamed, back);
}

TEST(GisIo, AnEmptyModelRoundTrips) {
  TempDir dir;
  NetworkModel empty;
  empty.name = "nothing";
  expect_same_model(empty, round_trip(empty, dir.file("empty.gpkg")));
  expect_same_model(empty, round_trip(empty, dir.file("empty.geojson")));
}

NetworkModel wgs84_feeder() {
  NetworkModel m;
  m.name = "Chaoyang 10 kV feeder 3";
  m.crs = {CoordinateSystem::Kind::wgs84, 0};
  BusId a = bus(m, "a", 10, Point{116.4473912345678, 39.9219871234567});
  BusId b = bus(m, "b", 10, Point{116.4512, 39.9231});
  element(m, "src", ElementKind::source, a, {});
  ElementId l = element(m, "l1", ElementKind::line, a, b);
  m.element(l).length_m = 410;
  m.set_geometry(l, {{116.449, 39.9225}});
  auto sp = m.add_service_point("meter-1", b);
  m.service_point(*sp).position = {116.45125, 39.92315};
  m.service_point(*sp).has_position = true;
  customer(m, "cust-1", *sp, CustomerClass::residential, "", "王芳", "", "北京市朝阳区");
  return m;
}

// The SRS of every geometry layer of `file` ("" for none), read with GDAL itself.
std::vector<std::string> layer_srs(const std::string& file) {
  std::vector<std::string> out;
  GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << file;
  if (!ds) return out;
  for (OGRLayer* layer : ds->GetLayers()) {
    if (layer->GetGeomType() == wkbNone) continue;
    const OGRSpatialReference* srs = layer->GetSpatialRef();
    const char* authority = srs ? srs->GetAuthorityName(nullptr) : nullptr;
    const char* code = srs ? srs->GetAuthorityCode(nullptr) : nullptr;
    if (!srs)
      out.push_back("");
    else if (authority && code)
      out.push_back(std::string(authority) + ":" + code);
    else
      out.push_back(srs->GetName() ? srs->GetName() : "unnamed");
  }
  return out;
}

TEST(GisIo, AWgs84ModelsLayersCarryEpsg4326) {
  TempDir dir;
  NetworkModel model = wgs84_feeder();
  std::string path = dir.file("beijing.gpkg");
  NetworkModel back = round_trip(model, path);
  expect_same_model(model, back);
  EXPECT_EQ(layer_srs(path), (std::vector<std::string>{"EPSG:4326", "EPSG:4326", "EPSG:4326"}));

  expect_same_model(model, round_trip(model, dir.file("beijing.geojson")));
  for (const char* layer : {"buses", "elements", "service_points"})
    EXPECT_EQ(layer_srs(dir.file(std::string("beijing.") + layer + ".geojson")),
              std::vector<std::string>{"EPSG:4326"})
        << layer;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(GisIo, ALocalModelsLayersCarryNoSrs) {
  TempDir dir;
  std::string path = dir.file("local.gpkg");
  ASSERT_TRUE(write_gis(hand_built_feeder(), path).ok());
  // GeoPackage's way of saying "no SRS" (srs_id -1), not "undefined geographic" (0).
  EXPECT_EQ(layer_srs(path), (std::vector<std::string>(3, "Undefined Cartesian SRS")));
  ASSERT_TRUE(write_gis(hand_built_feeder(), dir.file("local.geojson")).ok());
  EXPECT_EQ(read_text(dir.file("local.buses.geojson")).find("\"crs\""), std::string::npos);
}

TEST(GisIo, WithoutTheModelLayerTheNameIsTheFilesAndTheCoordinateSystemIsInferred) {
  TempDir dir;
  std::string path = dir.file("no-model.gpkg");
  ASSERT_TRUE(write_gis(hand_built_feeder(), path).ok());
  {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    ASSERT_TRUE(ds);
    for (int i = 0; i < ds->GetLayerCount(); ++i)
      if (std::string(ds->GetLayer(i)->GetName()) == "model") {
        ASSERT_EQ(ds->DeleteLayer(i), OGRERR_NONE);
      }
  }
  auto read = read_gis(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->name, "no-model");
  EXPECT_EQ(read->crs.describe(), "local (ft)") << "304.8 m of line.l1 span 1000 units";
}

TEST(GisIo, EveryFloatValueComesBackAsTheSameFloat) {
  // kV, kW and lengths are floats in the model, written as the shortest decimal ("4.16").
  NetworkModel m;
  m.crs = {CoordinateSystem::Kind::local, 1};
  BusId b = bus(m, "b", 0, Point{0, 0});
  std::uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state;
  };
  for (int i = 0; i < 3000; ++i) {
    auto sp = m.add_service_point("sp" + std::to_string(i), b);
    float scale = std::ldexp(1.0f, static_cast<int>(next() % 40) - 20);
    m.service_point(*sp).kw = static_cast<float>(next() % 10000000) / 997.0f * scale;
  }
  TempDir dir;
  for (const char* name : {"floats.gpkg", "floats.geojson"}) {
    auto back = round_trip(m, dir.file(name));
    ASSERT_EQ(back.service_points().size(), m.service_points().size()) << name;
    int differ = 0;
    for (std::size_t i = 0; i < m.service_points().size(); ++i)
      differ += back.service_points()[i].kw != m.service_points()[i].kw;
    EXPECT_EQ(differ, 0) << name;
  }
}

NetworkModel read_ieee13() {
  FilesystemSource files;
  auto model = read_opendss(files, OUTAGE_SHARED_DATA "/feeders/ieee13/IEEE13Nodeckt.dss");
  EXPECT_TRUE(model.ok()) << model.error().message;
  if (!model.ok()) return NetworkModel();
  return std::move(model).value();
}

TEST(GisIo, Ieee13FeederRoundTripsThroughGeoPackage) {
  NetworkModel model = read_ieee13();
  ASSERT_GT(model.elements().size(), 10u);
  ASSERT_GT(model.customers().size(), 0u);
  TempDir dir;
  expect_same_model(model, round_trip(model, dir.file("ieee13.gpkg")));
}

TEST(GisIo, Ieee13FeederRoundTripsThroughGeoJson) {
  NetworkModel model = read_ieee13();
  ASSERT_GT(model.elements().size(), 10u);
  TempDir dir;
  expect_same_model(model, round_trip(model, dir.file("ieee13.geojson")));
}

TEST(GisIo, Ieee8500FeederRoundTripsThroughGeoPackage) {
  FilesystemSource files;
  auto model = read_opendss(files, OUTAGE_SHARED_DATA "/feeders/ieee8500/Master.dss");
  ASSERT_TRUE(model.ok()) << model.error().message;
  ASSERT_GT(model->elements().size(), 4000u);
  TempDir dir;
  expect_same_model(*model, round_trip(*model, dir.file("ieee8500.gpkg")));
}

// --- A utility's export -------------------------------------------------------------------------

std::string collection(const std::vector<std::string>& features) {
  std::string out = R"({"type": "FeatureCollection", "features": [)";
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (i) out += ",\n";
    out += features[i];
  }
  return out + "]}\n";
}

std::string feature(const std::string& properties, const std::string& geometry = "null") {
  return R"({"type": "Feature", "properties": )" + properties + R"(, "geometry": )" + geometry + "}";
}

std::string point(double x, double y) {
  return R"({"type": "Point", "coordinates": [)" + std::to_string(x) + ", " + std::to_string(y) + "]}";
}

// A utility's GIS export: no bus geometry, upper-case ids, extra fields in another order,
// a MultiLineString, no customers and no model layer.
struct UtilityExport {
  std::vector<std::string> buses = {
      feature(R"({"NAME_CN": "变电站", "kv": 10, "id": "SUB"})"),
      feature(R"({"id": "N1", "kv": "10"})"),
      feature(R"({"id": "N2", "kv": null})"),
      feature(R"({"id": "N3"})"),
  };
  std::vector<std::string> elements = {
      feature(R"({"kind": "Source", "id": "SRC", "bus1": "SUB", "owner": "grid"})",
              point(500000, 4400000)),
      feature(R"({"bus2": "N1", "bus1": "sub", "kind": "LINE", "id": "L1", "length_m": "120.5", "phases": "ABCN"})",
              R"({"type": "MultiLineString", "coordinates": [[[500000, 4400000], [500050, 4400010]],
                                                              [[500050, 4400010], [500100, 4400000]]]})"),
      feature(R"({"id": "L2", "kind": "line", "bus1": "N1", "bus2": "N2", "normally_open": "no"})",
              R"({"type": "LineString", "coordinates": [[500100, 4400000], [500100, 4399900]]})"),
      feature(R"({"id": "FU1", "kind": "fuse", "host": "L2", "normally_open": false})"),
      feature(R"({"id": "SW1", "kind": "switch", "bus1": "N2", "bus2": "N3", "normally_open": true})",
              R"({"type": "LineString", "coordinates": [[500100, 4399900], [500200, 4399900]]})"),
  };
  std::vector<std::string> service_points = {
      feature(R"({"id": "MTR-1", "bus": "n2", "kw": 5, "phases": "b"})", point(500101, 4399899)),
      feature(R"({"bus": "N3", "id": "MTR-2", "kw": 650})"),
  };
  std::vector<std::string> customers;  // absent unless filled
  std::vector<std::string> model;      // absent unless filled

  void write(const TempDir& dir) const {
    write_text(dir.file("u.buses.geojson"), collection(buses));
    write_text(dir.file("u.elements.geojson"), collection(elements));
    write_text(dir.file("u.service_points.geojson"), collection(service_points));
    if (!customers.empty()) write_text(dir.file("u.customers.geojson"), collection(customers));
    if (!model.empty()) write_text(dir.file("u.model.geojson"), collection(model));
  }
};

TEST(GisIo, AUtilityExportWithoutBusGeometryTakesBusPositionsFromTheLineEnds) {
  TempDir dir;
  UtilityExport{}.write(dir);
  auto read = read_gis(dir.file("u.geojson"));
  ASSERT_TRUE(read.ok()) << read.error().message;
  const NetworkModel& m = *read;
  EXPECT_EQ(m.name, "u");
  ASSERT_EQ(m.buses().size(), 4u);
  EXPECT_EQ(m.buses()[0].id, "sub");
  EXPECT_EQ(m.buses()[1].kv, 10.0f);
  EXPECT_EQ(m.buses()[2].kv, 0.0f);
  for (const char* id : {"sub", "n1", "n2", "n3"}) EXPECT_TRUE(m.bus(m.find_bus(id)).has_position) << id;
  EXPECT_EQ(m.bus(m.find_bus("n1")).position, (Point{500100, 4400000}));
  EXPECT_EQ(m.bus(m.find_bus("n3")).position, (Point{500200, 4399900}));

  ElementId l1 = m.find_element("l1");
  ASSERT_TRUE(l1.valid());
  EXPECT_EQ(m.element(l1).length_m, 120.5f);
  EXPECT_EQ(m.element(l1).phases, kPhasesABC);
  ASSERT_NE(m.intermediate_vertices(l1), nullptr);
  EXPECT_EQ(*m.intermediate_vertices(l1), (std::vector<Point>{{500050, 4400010}}));
  EXPECT_EQ(m.intermediate_vertices(m.find_element("l2")), nullptr);

  ElementId fuse = m.find_element("FU1");
  ASSERT_TRUE(fuse.valid());
  EXPECT_EQ(m.element(fuse).host, m.find_element("l2"));
  EXPECT_EQ(m.element(fuse).bus1, m.find_bus("n1")) << "a device's bus1 defaults to its host's";
  EXPECT_FALSE(m.element(fuse).bus2.valid());
  EXPECT_TRUE(m.element(m.find_element("sw1")).normally_open);
  EXPECT_EQ(m.element(m.find_element("sw1")).kind, ElementKind::switch_);

  // No customers layer: one customer per service point, named after it, class from its kW.
  ASSERT_EQ(m.service_points().size(), 2u);
  ASSERT_EQ(m.customers().size(), 2u);
  EXPECT_EQ(m.customers()[0].id, "mtr-1");
  EXPECT_EQ(m.customers()[0].service_point, m.find_service_point("MTR-1"));
  EXPECT_EQ(m.customers()[0].customer_class, CustomerClass::residential);
  EXPECT_EQ(m.customers()[1].customer_class, CustomerClass::industrial);
  const ServicePoint& m1 = m.service_point(m.find_service_point("mtr-1"));
  EXPECT_EQ(m1.phases, kPhaseB);
  EXPECT_EQ(m1.kw, 5.0f);
  EXPECT_TRUE(m1.has_position);
  EXPECT_EQ(m1.position, (Point{500101, 4399899}));
  const ServicePoint& m2 = m.service_point(m.find_service_point("mtr-2"));
  EXPECT_FALSE(m2.has_position);
  EXPECT_EQ(m2.position, m.bus(m.find_bus("n3")).position) << "defaults to the bus's position";

  // Out of lon/lat range and no model layer: the numbers say local.
  EXPECT_EQ(m.crs.kind, CoordinateSystem::Kind::local);
}

TEST(GisIo, AMissingCustomersLayerWithACustomerFileTakesCustomersFromIt) {
  TempDir dir;
  UtilityExport{}.write(dir);
  auto file = parse_customer_file(
      "customer,meter,load,class,name,address\n"
      "H-1,MTR-1A,mtr-1,critical,\"Hospital, east\",北京市朝阳区\n"
      "H-2,MTR-1B,MTR-1,,Shop,\n",
      "customers.csv");
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto read = read_gis(dir.file("u.geojson"), &*file);
  ASSERT_TRUE(read.ok()) << read.error().message;
  const NetworkModel& m = *read;
  ASSERT_EQ(m.service_points().size(), 3u);  // mtr-1a, mtr-1b, mtr-2
  ServicePointId a = m.find_service_point("mtr-1a");
  ASSERT_TRUE(a.valid());
  EXPECT_EQ(m.service_point(a).kw, 2.5f);
  EXPECT_TRUE(m.service_point(a).has_position);
  EXPECT_EQ(m.service_point(a).position, (Point{500101, 4399899}));
  CustomerId h1 = m.find_customer("h-1");
  ASSERT_TRUE(h1.valid());
  EXPECT_EQ(m.customer(h1).customer_class, CustomerClass::critical);
  EXPECT_EQ(m.customer(h1).name, "Hospital, east");
  EXPECT_EQ(m.customer(h1).address, "北京市朝阳区");
  EXPECT_TRUE(m.find_customer("mtr-2").valid()) << "a service point the file does not name keeps the default";
}

TEST(GisIo, ACustomerFileRowNamingNoServicePointIsInvalidInput) {
  TempDir dir;
  UtilityExport{}.write(dir);
  auto file = parse_customer_file("customer,load\nX,no-such-meter\n", "customers.csv");
  ASSERT_TRUE(file.ok());
  auto read = read_gis(dir.file("u.geojson"), &*file);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::invalid_input);
  EXPECT_NE(read.error().message.find("customers.csv:2"), std::string::npos) << read.error().message;
}

TEST(GisIo, AGivenCustomerFileWinsOverTheCustomersLayerWithAWarning) {
  TempDir dir;
  UtilityExport u;
  u.customers = {feature(R"({"id": "layer-customer", "service_point": "MTR-1"})")};
  u.write(dir);
  auto file = parse_customer_file("customer,load\nfile-customer,mtr-1\n", "customers.csv");
  ASSERT_TRUE(file.ok());
  auto read = read_gis(dir.file("u.geojson"), &*file);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE(read->find_customer("file-customer").valid());
  EXPECT_FALSE(read->find_customer("layer-customer").valid());
  ASSERT_FALSE(read->report.warnings.empty());
  EXPECT_NE(read->report.warnings.front().find("layer 'customers' ignored"), std::string::npos);
}

TEST(GisIo, ACustomersLayerWithoutClassTakesTheClassFromTheServicePointsKw) {
  TempDir dir;
  UtilityExport u;
  u.customers = {feature(R"({"id": "a", "service_point": "MTR-2", "phone": 13800138000})"),
                 feature(R"({"id": "b", "service_point": "MTR-1", "class": "Important"})")};
  u.write(dir);
  auto read = read_gis(dir.file("u.geojson"));
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->customers().size(), 2u);
  EXPECT_EQ(read->customers()[0].customer_class, CustomerClass::industrial);
  EXPECT_EQ(read->customers()[0].phone, "13800138000");
  EXPECT_EQ(read->customers()[1].customer_class, CustomerClass::important);
}

TEST(GisIo, ALayerInAProjectedSrsIsReprojectedToWgs84) {
  TempDir dir;
  UtilityExport u;
  // EPSG:3857 (web Mercator) metres; no model layer.
  std::string crs = R"("crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}, )";
  auto with_crs = [&](const std::vector<std::string>& features) {
    std::string c = collection(features);
    return c.insert(1, crs);
  };
  u.buses = {feature(R"({"id": "a"})", point(12963000, 4852000)), feature(R"({"id": "b"})")};
  u.elements = {feature(R"({"id": "l", "kind": "line", "bus1": "a", "bus2": "b"})",
                        R"({"type": "LineString", "coordinates": [[12963000, 4852000], [12964000, 4853000]]})")};
  u.service_points = {};
  u.write(dir);
  write_text(dir.file("u.buses.geojson"), with_crs(u.buses));
  write_text(dir.file("u.elements.geojson"), with_crs(u.elements));
  auto read = read_gis(dir.file("u.geojson"));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->crs.kind, CoordinateSystem::Kind::wgs84);
  const Bus& a = read->bus(read->find_bus("a"));
  EXPECT_NEAR(a.position.x, 116.449, 0.01);  // Beijing
  EXPECT_NEAR(a.position.y, 39.904, 0.01);
  const Bus& b = read->bus(read->find_bus("b"));
  ASSERT_TRUE(b.has_position);
  EXPECT_NEAR(b.position.x, 116.458, 0.01);
}

TEST(GisIo, TheModelLayerNamesTheModelAndItsCoordinateSystem) {
  TempDir dir;
  UtilityExport u;
  u.model = {feature(R"j({"name": "Feeder 12", "crs": "local (m)"})j")};
  u.write(dir);
  auto read = read_gis(dir.file("u.geojson"));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->name, "Feeder 12");
  EXPECT_EQ(read->crs.describe(), "local (m)");
}

// --- Bad input ----------------------------------------------------------------------------------

// Reads `u`, expecting invalid_input whose message contains every one of `parts`.
void expect_invalid(const UtilityExport& u, std::vector<std::string> parts) {
  TempDir dir;
  u.write(dir);
  auto read = read_gis(dir.file("u.geojson"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::invalid_input) << read.error().message;
  for (const std::string& part : parts)
    EXPECT_NE(read.error().message.find(part), std::string::npos)
        << "'" << part << "' not in: " << read.error().message;
}

TEST(GisIo, AnUnknownKindIsInvalidInputNamingTheField) {
  UtilityExport u;
  u.elements.push_back(feature(R"({"id": "X1", "kind": "cable", "bus1": "N1", "bus2": "N2"})"));
  expect_invalid(u, {"u.elements.geojson", "layer 'elements'", "feature 5 (id 'X1')", "field 'kind'", "'cable'"});
}

TEST(GisIo, AnUnknownBusIsInvalidInputNamingTheField) {
  UtilityExport u;
  u.elements.push_back(feature(R"({"id": "X1", "kind": "line", "bus1": "N1", "bus2": "nowhere"})"));
  expect_invalid(u, {"layer 'elements'", "(id 'X1')", "field 'bus2'", "unknown bus 'nowhere'"});
  UtilityExport v;
  v.service_points.push_back(feature(R"({"id": "m9", "bus": "N9"})"));
  expect_invalid(v, {"layer 'service_points'", "(id 'm9')", "field 'bus'", "unknown bus 'N9'"});
}

TEST(GisIo, ADuplicateIdIsInvalidInputNamingTheField) {
  UtilityExport u;
  u.elements.push_back(feature(R"({"id": "l1", "kind": "line", "bus1": "N1", "bus2": "N2"})"));
  expect_invalid(u, {"layer 'elements'", "feature 5 (id 'l1')", "field 'id'", "duplicate"});
  UtilityExport v;
  v.buses.push_back(feature(R"({"id": "n3"})"));
  expect_invalid(v, {"layer 'buses'", "feature 4 (id 'n3')", "field 'id'", "duplicate bus id 'n3'"});
  UtilityExport w;
  w.customers = {feature(R"({"id": "c", "service_point": "MTR-1"})"),
                 feature(R"({"id": "C", "service_point": "MTR-2"})")};
  expect_invalid(w, {"layer 'customers'", "feature 1 (id 'C')", "field 'id'", "duplicate"});
}

TEST(GisIo, ADeviceOnAnUnknownHostIsInvalidInputNamingTheField) {
  UtilityExport u;
  u.elements.push_back(feature(R"({"id": "F9", "kind": "fuse", "host": "L99"})"));
  expect_invalid(u, {"(id 'F9')", "field 'host'", "unknown element 'L99'"});
  UtilityExport v;
  v.elements.push_back(feature(R"({"id": "F9", "kind": "fuse", "bus1": "N1", "host": "L99"})"));
  expect_invalid(v, {"(id 'F9')", "field 'host'", "unknown element 'L99'"});
}

TEST(GisIo, ADeviceOnSomethingOtherThanABranchIsInvalidInputNamingTheField) {
  UtilityExport u;
  u.elements.push_back(feature(R"({"id": "F9", "kind": "fuse", "host": "SRC"})"));
  expect_invalid(u, {"(id 'F9')", "field 'host'", "not a branch"});
  UtilityExport v;
  v.elements.push_back(feature(R"({"id": "F9", "kind": "fuse", "host": "FU1"})"));
  expect_invalid(v, {"(id 'F9')", "field 'host'", "not a branch"});
  UtilityExport w;
  w.elements.push_back(feature(R"({"id": "T9", "kind": "transformer", "host": "L1"})"));
  expect_invalid(w, {"(id 'T9')", "field 'host'", "cannot be mounted"});
}

TEST(GisIo, ABranchWithoutBus2IsInvalidInputNamingTheField) {
  UtilityExport u;
  u.elements.push_back(feature(R"({"id": "L9", "kind": "line", "bus1": "N1", "bus2": ""})"));
  expect_invalid(u, {"(id 'L9')", "field 'bus2'", "required"});
  UtilityExport v;
  v.elements.push_back(feature(R"({"id": "S9", "kind": "source", "bus1": "N1", "bus2": "N2"})"));
  expect_invalid(v, {"(id 'S9')", "field 'bus2'", "one terminal"});
}

TEST(GisIo, AMissingRequiredFieldIsInvalidInputNamingIt) {
  UtilityExport u;
  u.elements.push_back(feature(R"({"kind": "line", "bus1": "N1", "bus2": "N2"})"));
  expect_invalid(u, {"layer 'elements', feature 5:", "field 'id': required"});
  UtilityExport v;
  v.elements.push_back(feature(R"({"id": "L9", "bus1": "N1", "bus2": "N2"})"));
  expect_invalid(v, {"(id 'L9')", "field 'kind': required"});
  UtilityExport w;
  w.elements.push_back(feature(R"({"id": "L9", "kind": "line", "bus2": "N2"})"));
  expect_invalid(w, {"(id 'L9')", "field 'bus1': required"});
  UtilityExport x;
  x.service_points.push_back(feature(R"({"id": "M9"})"));
  expect_invalid(x, {"layer 'service_points'", "(id 'M9')", "field 'bus': required"});
  UtilityExport y;
  y.customers = {feature(R"({"id": "c1"})")};
  expect_invalid(y, {"layer 'customers'", "(id 'c1')", "field 'service_point': required"});
}

TEST(GisIo, AMalformedValueIsInvalidInputNamingTheField) {
  UtilityExport u;
  u.buses.push_back(feature(R"({"id": "N9", "kv": "high"})"));
  expect_invalid(u, {"(id 'N9')", "field 'kv'", "'high' is not a number"});
  UtilityExport v;
  v.elements.push_back(feature(R"({"id": "L9", "kind": "line", "bus1": "N1", "bus2": "N2", "phases": "XYZ"})"));
  expect_invalid(v, {"(id 'L9')", "field 'phases'", "'XYZ'"});
  UtilityExport w;
  w.elements.push_back(feature(R"({"id": "L9", "kind": "line", "bus1": "N1", "bus2": "N2", "normally_open": "maybe"})"));
  expect_invalid(w, {"(id 'L9')", "field 'normally_open'", "'maybe'"});
  UtilityExport x;
  x.customers = {feature(R"({"id": "c1", "service_point": "MTR-1", "class": "vip"})")};
  expect_invalid(x, {"(id 'c1')", "field 'class'", "unknown class 'vip'"});
  UtilityExport y;
  y.customers = {feature(R"({"id": "c1", "service_point": "MTR-9"})")};
  expect_invalid(y, {"(id 'c1')", "field 'service_point'", "unknown service point 'MTR-9'"});
  UtilityExport z;
  z.model = {feature(R"({"name": "x", "crs": "EPSG:3857"})")};
  expect_invalid(z, {"layer 'model'", "field 'crs'", "'EPSG:3857'"});
  UtilityExport g;
  g.buses.push_back(feature(R"({"id": "N9"})", R"({"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]})"));
  expect_invalid(g, {"(id 'N9')", "field 'geometry'", "Polygon"});
}

TEST(GisIo, AMissingLayerIsInvalidInput) {
  TempDir dir;
  write_text(dir.file("u.buses.geojson"), collection({}));
  auto read = read_gis(dir.file("u.geojson"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::invalid_input);
  EXPECT_NE(read.error().message.find("no layer 'elements'"), std::string::npos) << read.error().message;
}

// A GeoPackage written with GDAL itself, as another tool would: buses `a`, `A` (a duplicate).
TEST(GisIo, BadContentInAGeoPackageNamesTheFeatureByFid) {
  TempDir dir;
  std::string path = dir.file("other.gpkg");
  {
    GDALAllRegister();
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    ASSERT_NE(gpkg, nullptr);
    GDALDatasetUniquePtr ds(gpkg->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(ds);
    OGRLayer* buses = ds->CreateLayer("Buses", nullptr, wkbPoint, nullptr);
    OGRFieldDefn id("ID", OFTString);
    ASSERT_EQ(buses->CreateField(&id), OGRERR_NONE);
    for (const char* name : {"a", "A"}) {
      OGRFeatureUniquePtr f(OGRFeature::CreateFeature(buses->GetLayerDefn()));
      f->SetField("ID", name);
      ASSERT_EQ(buses->CreateFeature(f.get()), OGRERR_NONE);
    }
    ds->CreateLayer("elements", nullptr, wkbLineString, nullptr);
  }
  auto read = read_gis(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::invalid_input);
  EXPECT_NE(read.error().message.find("other.gpkg: layer 'buses', feature 2 (id 'A'): field 'id'"), std::string::npos)
      << read.error().message;
}

TEST(GisIo, AGeoPackageWithAnIntegerIdPrimaryKeyReadsIt) {
  TempDir dir;
  std::string path = dir.file("pk.gpkg");
  {
    GDALAllRegister();
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(gpkg->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(ds);
    const char* options[] = {"FID=id", nullptr};
    OGRLayer* buses = ds->CreateLayer("buses", nullptr, wkbPoint, const_cast<char**>(options));
    for (GIntBig fid : {17, 42}) {
      OGRFeatureUniquePtr f(OGRFeature::CreateFeature(buses->GetLayerDefn()));
      f->SetFID(fid);
      ASSERT_EQ(buses->CreateFeature(f.get()), OGRERR_NONE);
    }
    ds->CreateLayer("elements", nullptr, wkbLineString, nullptr);
  }
  auto read = read_gis(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE(read->find_bus("17").valid());
  EXPECT_TRUE(read->find_bus("42").valid());
}

// --- Files and paths ----------------------------------------------------------------------------

TEST(GisIo, AnUnknownExtensionIsInvalidInput) {
  TempDir dir;
  NetworkModel model;
  Status s = write_gis(model, dir.file("feeder.shp"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::invalid_input);
  auto r = read_gis(dir.file("feeder.kml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
}

TEST(GisIo, AMissingFileIsNotFound) {
  TempDir dir;
  for (const char* name : {"none.gpkg", "none.geojson"}) {
    auto r = read_gis(dir.file(name));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::not_found) << r.error().message;
  }
}

TEST(GisIo, AFileThatIsNotAGeoPackageIsInvalidInput) {
  TempDir dir;
  write_text(dir.file("fake.gpkg"), "this is not SQLite\n");
  auto r = read_gis(dir.file("fake.gpkg"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_NE(r.error().message.find("fake.gpkg"), std::string::npos);
  write_text(dir.file("fake.buses.geojson"), "{ not json");
  auto j = read_gis(dir.file("fake.geojson"));
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().code, ErrorCode::invalid_input) << j.error().message;
}

TEST(GisIo, WritingWhereNoFileCanBeCreatedIsUnavailableAndLeavesNothing) {
  TempDir dir;
  NetworkModel model = hand_built_feeder();
  for (const char* name : {"no/such/dir/feeder.gpkg", "no/such/dir/feeder.geojson"}) {
    Status s = write_gis(model, dir.file(name));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::unavailable) << s.error().message;
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace outage
