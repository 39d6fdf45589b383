#include "geo/opendss_reader.h"

#include <gtest/gtest.h>

#include "adapters/filesystem_source.h"
#include "tests/geo/memory_files.h"

namespace outage {
namespace {

using testing::MemoryFiles;

// A three-bus feeder used by most cases below:
//
//   sourcebus --L1-- b1 --SW1 (open)-- b2
//                     |
//                   load.house
const char* kSmall = R"(Clear
New Circuit.tiny basekv=12.47 bus1=sourcebus
New Line.L1 bus1=sourcebus.1.2.3 bus2=B1.1.2.3 length=2 units=kft
New Line.SW1 bus1=b1 bus2=b2 switch=yes enabled=false
New Load.house bus1=b1.1 phases=1 kW=4
Set voltagebases=[12.47]
Calcvoltagebases
Solve
)";

Result<NetworkModel> read(MemoryFiles& files, const std::string& master = "/m/master.dss") {
  return read_opendss(files, master);
}

TEST(OpenDssReader, ReadsSourcesLinesSwitchesAndLoads) {
  MemoryFiles files;
  files.add("/m/master.dss", kSmall);
  auto model = read(files);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ(model->name, "tiny");
  EXPECT_EQ(model->buses().size(), 3u);
  EXPECT_EQ(model->count(ElementKind::source), 1);
  EXPECT_EQ(model->count(ElementKind::line), 1);
  EXPECT_EQ(model->count(ElementKind::switch_), 1);
  ElementId sw = model->find_element("LINE.sw1");
  ASSERT_TRUE(sw.valid());
  EXPECT_TRUE(model->element(sw).normally_open) << "enabled=false marks a normally-open switch";
  const Element& l1 = model->element(model->find_element("line.l1"));
  EXPECT_NEAR(l1.length_m, 2 * 304.8, 1e-3) << "2 kft";
  EXPECT_EQ(model->bus(l1.bus2).id, "b1") << "bus names are lower-cased, phases stripped";
  ServicePointId sp = model->find_service_point("HOUSE");
  ASSERT_TRUE(sp.valid());
  EXPECT_EQ(model->service_point(sp).phases, kPhaseA);
  EXPECT_FLOAT_EQ(model->service_point(sp).kw, 4);
  ASSERT_EQ(model->customers().size(), 1u);
  EXPECT_EQ(model->customers()[0].id, "house") << "without a customers file the customer is named after the load";
  EXPECT_EQ(model->customers()[0].customer_class, CustomerClass::residential) << "4 kW is under 100 kW";
}

TEST(OpenDssReader, CountsIgnoredCommandsNeverSilently) {
  MemoryFiles files;
  files.add("/m/master.dss", kSmall);
  auto model = read(files);
  ASSERT_TRUE(model.ok());
  int ignored = 0;
  for (const auto& [what, n] : model->report.ignored) ignored += n;
  EXPECT_EQ(ignored, 3) << "Set, Calcvoltagebases and Solve";
}

TEST(OpenDssReader, FollowsRedirectAndCompileWithAnyCaseAndBrackets) {
  MemoryFiles files;
  files.add("/m/run.dss", "Compile (MASTER.DSS)\nRedirect [sub/Extra.dss]\nBusCoords \"xy.csv\"\n");
  files.add("/m/master.dss", kSmall);
  files.add("/m/sub/extra.dss", "New Line.L2 bus1=b1 bus2=b3 ! a comment\n  Redirect ../more.dss\n");
  files.add("/m/more.dss", "// nothing but a comment\nNew Load.far bus1=b3 kW=150\n");
  files.add("/m/xy.csv", "// Busname, x, y\nsourcebus, 0, 0\nB1, 100, 0\nb2,\t200,\t0\nnowhere, 1, 1\n");
  auto model = read(files, "/m/run.dss");
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_TRUE(model->find_element("line.l2").valid());
  EXPECT_TRUE(model->find_service_point("far").valid());
  EXPECT_EQ(model->report.files_read, 5);
  BusId b1 = model->find_bus("b1");
  ASSERT_TRUE(model->bus(b1).has_position);
  EXPECT_EQ(model->bus(b1).position, (Point{100, 0}));
  EXPECT_FALSE(model->bus(model->find_bus("b3")).has_position);
  EXPECT_EQ(model->customers()[1].customer_class, CustomerClass::commercial) << "150 kW";
}

TEST(OpenDssReader, HandlesContinuationsPositionalsLikeAndImplicitEdits) {
  MemoryFiles files;
  files.add("/m/master.dss", std::string(kSmall) + R"(
New Transformer.T1 Phases=1 Windings=2 XHL=(8 1000 /)
~ wdg=1 bus=b1.2 kv=7.2
~ wdg=2 bus=lv1.1.2 kv=0.24
New Transformer.T2 like=T1 buses=[b1.3 lv2.1.2]
New Fuse.F1 Line.L1 1 fusecurve=tlink
New Line.SW2 bus1=b1 bus2=b4 Switch=	yes R1=1 1 1 1 Length=0.001
Open Line.SW2 1
New Line.L9 bus1=b4 bus2=b5
Line.L9.enabled=no
New Capacitor.C1 bus1=b1 kvar=300
)");
  auto model = read(files);
  ASSERT_TRUE(model.ok()) << model.error().message;
  const Element& t1 = model->element(model->find_element("transformer.t1"));
  EXPECT_EQ(model->bus(t1.bus1).id, "b1");
  EXPECT_EQ(model->bus(t1.bus2).id, "lv1");
  EXPECT_FLOAT_EQ(t1.kv, 7.2f);
  EXPECT_EQ(t1.phases, kPhaseB);
  const Element& t2 = model->element(model->find_element("transformer.t2"));
  EXPECT_EQ(model->bus(t2.bus2).id, "lv2");
  EXPECT_FLOAT_EQ(t2.kv2, 0.24f) << "kv inherited through like=";
  const Element& f1 = model->element(model->find_element("fuse.f1"));
  EXPECT_EQ(f1.host, model->find_element("line.l1")) << "positional MonitoredObj";
  EXPECT_EQ(model->element(model->find_element("line.sw2")).kind, ElementKind::switch_) << "tab after '='";
  EXPECT_TRUE(model->element(model->find_element("line.sw2")).normally_open) << "Open command";
  EXPECT_TRUE(model->element(model->find_element("line.l9")).normally_open) << "implicit edit enabled=no";
  ASSERT_EQ(model->report.skipped.size(), 1u);
  EXPECT_EQ(model->report.skipped[0].first, "capacitor");
}

TEST(OpenDssReader, ReadsNumbersWrittenInRpn) {
  MemoryFiles files;
  files.add("/m/master.dss", std::string(kSmall) + "New Line.L3 bus1=b1 bus2=b6 length=(0.5 2 *) units=km\n");
  auto model = read(files);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_NEAR(model->element(model->find_element("line.l3")).length_m, 1000, 1e-3);
}

TEST(OpenDssReader, MarksTransformersNamedByARegControlAsRegulators) {
  MemoryFiles files;
  files.add("/m/master.dss", std::string(kSmall) +
                                 "New Transformer.R1 phases=1 buses=[b1.1 b1r.1] kvs=[7.2 7.2]\n"
                                 "New RegControl.cR1 transformer=R1 winding=2 vreg=122\n");
  auto model = read(files);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ(model->element(model->find_element("transformer.r1")).kind, ElementKind::regulator);
}

TEST(OpenDssReader, AcceptsAnIdenticalRedefinitionWithAWarning) {
  MemoryFiles files;
  files.add("/m/master.dss", std::string(kSmall) + "New Line.L1 bus1=sourcebus.1.2.3 bus2=B1.1.2.3 length=2 units=kft\n");
  auto model = read(files);
  ASSERT_TRUE(model.ok()) << model.error().message;
  ASSERT_EQ(model->report.warnings.size(), 1u);
  EXPECT_NE(model->report.warnings[0].find("master.dss:9"), std::string::npos) << model->report.warnings[0];
}

// Bad input: each error names the file, the line and the reason.
struct BadCase {
  const char* name;
  std::string extra;
  std::string expected;  // substring of the message
};

class OpenDssReaderRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(OpenDssReaderRejects, WithFileLineAndReason) {
  MemoryFiles files;
  files.add("/m/master.dss", std::string(kSmall) + GetParam().extra);
  auto model = read(files);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.error().code, ErrorCode::invalid_input);
  EXPECT_NE(model.error().message.find(GetParam().expected), std::string::npos) << model.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    BadModels, OpenDssReaderRejects,
    ::testing::Values(
        BadCase{"DuplicateName", "New Line.L1 bus1=b1 bus2=b9\n", "master.dss:9: duplicate name 'Line.L1'"},
        BadCase{"ElementWithoutBuses", "New Line.L7 length=3\n", "master.dss:9: line.l7 has no bus1"},
        BadCase{"LineWithOneBus", "New Line.L7 bus1=b1\n", "master.dss:9: line.l7 has no bus2"},
        BadCase{"SourceWithoutBus", "New Vsource.extra\n", "master.dss:9: vsource.extra has no bus"},
        BadCase{"LoadWithoutBus", "New Load.x kW=3\n", "master.dss:9: load.x has no bus1"},
        BadCase{"FuseOnUnknownLine", "New Fuse.F9 MonitoredObj=Line.nope\n",
                "master.dss:9: fuse.f9 protects unknown element 'line.nope'"},
        BadCase{"OpenUnknownElement", "Open Line.nope 1\n", "master.dss:9: unknown element 'Line.nope'"},
        BadCase{"EditUnknownElement", "Edit Line.nope length=3\n", "master.dss:9: unknown element"},
        BadCase{"MalformedNumber", "New Line.L8 bus1=b1 bus2=b8 length=abc\n", "'abc' is not a number"},
        BadCase{"MissingRedirect", "Redirect missing.dss\n", "master.dss:9: cannot read 'missing.dss'"},
        BadCase{"UnknownLike", "New Line.L8 like=nothing bus1=b1 bus2=b8\n", "like=nothing"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(OpenDssReader, RejectsAContinuationWithNothingBeforeIt) {
  MemoryFiles files;
  files.add("/m/master.dss", "~ bus1=x\n");
  auto model = read(files);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().message.find("master.dss:1"), std::string::npos) << model.error().message;
}

TEST(OpenDssReader, RejectsARedirectLoop) {
  MemoryFiles files;
  files.add("/m/master.dss", "Redirect master.dss\n");
  auto model = read(files);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().message.find("redirects to itself"), std::string::npos) << model.error().message;
}

}  // namespace
}  // namespace outage

namespace outage {
namespace {

// Bad input never crashes the reader: every prefix of a real model either reads or fails with
// a reason that names the file and line.
TEST(OpenDssReader, NeverCrashesOnATruncatedModel) {
  auto text = read_text_file(std::string(OUTAGE_SHARED_DATA) + "/feeders/ieee13/IEEE13Nodeckt.dss");
  ASSERT_TRUE(text.ok());
  auto codes = read_text_file(std::string(OUTAGE_SHARED_DATA) + "/feeders/IEEELineCodes.DSS");
  ASSERT_TRUE(codes.ok());
  int failures = 0;
  for (std::size_t cut = 0; cut < text->size(); cut += 37) {
    testing::MemoryFiles files;
    files.add("/f/ieee13/master.dss", text->substr(0, cut));
    files.add("/f/ieee13/IEEELineCodes.DSS", "redirect ../IEEELineCodes.DSS\n");
    files.add("/f/IEEELineCodes.DSS", *codes);
    files.add("/f/ieee13/IEEE13Node_BusXY.csv", "");
    auto model = read_opendss(files, "/f/ieee13/master.dss");
    if (!model) {
      ++failures;
      EXPECT_EQ(model.error().code, ErrorCode::invalid_input) << model.error().message;
      EXPECT_NE(model.error().message.find(".dss:"), std::string::npos) << model.error().message;
    }
  }
  EXPECT_GT(failures, 0) << "some cuts leave an element without its buses";
}

}  // namespace
}  // namespace outage
