// OSM roads: the road graph read from the real Harrisburg extract, checked against a shortest
// path worked out by hand from the extract's own ways. No database needed.
#include "adapters/osm_roads.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace outage {
namespace {

namespace fs = std::filesystem;

const std::string kHarrisburg = OUTAGE_SHARED_DATA "/osm/harrisburg/harrisburg.osm.pbf";

// Read once for the whole suite (a tenth of a second, but there is no need to repeat it).
const RoadGraph& harrisburg() {
  static const std::unique_ptr<RoadGraph> graph = [] {
    auto g = read_osm_roads(kHarrisburg);
    EXPECT_TRUE(g.ok()) << g.error().message;
    return g ? std::make_unique<RoadGraph>(std::move(g).value()) : std::make_unique<RoadGraph>();
  }();
  return *graph;
}

RoadSnap snap_exactly(const RoadGraph& g, Point p) {
  auto s = g.snap(p);
  EXPECT_TRUE(s.has_value());
  if (!s) return RoadSnap{};
  EXPECT_LT(s->distance_m, 0.01) << "the point should be a junction of the extract";
  return *s;
}

// A U-turn on a divided road, east Harrisburg (Dauphin County, PA), where Union Deposit Road runs
// as two one-way carriageways about 12 m apart. The ways, as the extract has them (ogrinfo
// harrisburg.osm.pbf lines -where "osm_id in ('9067953','81232331','81232319','81232332')"):
//
//   way 81232332  Union Deposit Road  secondary    oneway=yes  the westbound carriageway
//   way 81232331  Union Deposit Road  secondary    oneway=yes  the eastbound carriageway
//   way 81232319  Wood Street         residential  oneway=yes  drawn from the eastbound
//                                                              carriageway north-west across
//                                                              to the westbound one
//   way 9067953   Redwood Street      residential  two-way     its last piece crosses between
//                                                              the carriageways
//
//          T (-76.8347142, 40.2792312)             W2 (-76.8342511, 40.2791803)
//   S <----<----<---- westbound (81232332) ----<----<----<----<----<----<----<
//   |                         T <---- 39.69 m ---- W2
//   | Redwood 13.65 m                                 ^ Wood St 23.75 m (one-way, up)
//   E1 ---->---- eastbound (81232331) 93.60 m ---->---- E2 (-76.8345122, 40.2791057)
//   E1 (-76.8356115, 40.2790720)
//   S  (-76.8356820, 40.2791823): the westbound carriageway at Redwood Street.
//
// From S to T (T is 82 m east of S, on the same carriageway, which only runs west): the crew
// crosses to the eastbound carriageway by Redwood Street, drives east to Wood Street, crosses
// back north by Wood Street and drives west to T. Lengths on the sphere of radius 6,371,008.8 m
// from the ways' vertices (the pieces between the junctions):
//   Redwood Street S-E1, 2 vertices:            13.65 m at 25 km/h (residential) = 1.966 s
//   Union Deposit eastbound E1-E2, 4 vertices:  93.60 m at 50 km/h (secondary)   = 6.739 s
//   Wood Street E2-W2, 4 vertices:              23.75 m at 25 km/h               = 3.420 s
//   Union Deposit westbound W2-T, 2 vertices:   39.69 m at 50 km/h               = 2.858 s
//                                                                        total  14.982 s
// Why nothing is shorter: S has three ways out. Redwood Street north is 257.08 m at 25 km/h
// (37.0 s), already longer than the whole answer. The westbound carriageway leads away from T
// (105.71 m, 7.61 s, to South Progress Avenue); coming back needs the crossover there (13.22 m
// at 40 km/h, 1.19 s) and the eastbound carriageway back to E1 (105.58 m, 7.60 s): 16.4 s at
// E1, against 1.97 s by Redwood Street. From E1 the eastbound carriageway is the only way on.
// At E2, going on east instead of taking Wood Street means 132.07 m (9.51 s) to Shield Street
// before any crossing back: 18.2 s at that point. From W2 the way to T is the 39.69 m westbound
// piece; T's other ways in (Wood Street's north piece, one-way towards T, and Mayflower Alley)
// are only reached by going round a block north of the road. The next best route takes 29.4 s.
//
// T to S is simply 82.44 m west along the westbound carriageway at 50 km/h: 5.936 s.
TEST(OsmRoads, UTurnOnADividedRoadMatchesTheHandComputedShortestPath) {
  const RoadGraph& g = harrisburg();
  ASSERT_GT(g.road_count(), 0u);
  const RoadSnap s = snap_exactly(g, {-76.8356820, 40.2791823});
  const RoadSnap t = snap_exactly(g, {-76.8347142, 40.2792312});
  auto there = g.seconds(s, t);
  ASSERT_TRUE(there.has_value());
  EXPECT_NEAR(*there, 1.966 + 6.739 + 3.420 + 2.858, 0.01);
  auto back = g.seconds(t, s);
  ASSERT_TRUE(back.has_value());
  EXPECT_NEAR(*back, 5.936, 0.01);
}

// Half way along the westbound piece W2-T (39.69 m, one straight segment), a point on the
// carriageway: 19.85 m from either end. To T it is the remaining half (19.85 m at 50 km/h,
// 1.429 s), with the one-way; to W2 it is not the 19.85 m back against the
// carriageway but the way round by T: the rest of the westbound road to S (T-S 82.44 m), the
// crossover and the eastbound carriageway to E2, and Wood Street up to W2:
//   1.429 + 5.936 + 1.966 + 6.739 + 3.420 = 19.490 s.
TEST(OsmRoads, CountsPartialRoadsAndOneWaysForAPointBetweenJunctions) {
  const RoadGraph& g = harrisburg();
  ASSERT_GT(g.road_count(), 0u);
  const Point w2{-76.8342511, 40.2791803}, t{-76.8347142, 40.2792312};
  const Point middle{(w2.x + t.x) / 2, (w2.y + t.y) / 2};
  auto p = g.snap(middle);
  ASSERT_TRUE(p.has_value());
  EXPECT_LT(p->distance_m, 0.05);
  EXPECT_NEAR(p->offset_m, 39.69 / 2, 0.05);
  EXPECT_NEAR(*g.seconds(*p, snap_exactly(g, t)), 1.429, 0.02);
  EXPECT_NEAR(*g.seconds(*p, snap_exactly(g, w2)), 19.490, 0.03);
}

TEST(OsmRoads, ReadsOnlyDrivableWaysAndNamesTheSource) {
  const RoadGraph& g = harrisburg();
  EXPECT_EQ(g.source, "harrisburg.osm.pbf");
  ASSERT_GT(g.road_count(), 0u);
  // The extract's 19 footways and its path are not roads.
  for (std::size_t i = 0; i < g.road_count(); ++i) {
    const Road& r = g.road(RoadId(static_cast<std::uint32_t>(i)));
    ASSERT_TRUE(road_class_from_string(to_string(r.road_class)).has_value());
  }
  // The data README puts about 940 km of way geometry in the extract, nearly all of it roads.
  EXPECT_GT(g.open_km(), 850);
  EXPECT_LT(g.open_km(), 960);
}

TEST(OsmRoads, LeavesOutClassesWhoseSpeedIsZero) {
  RoadSpeeds no_service = RoadSpeeds::defaults();
  ASSERT_TRUE(no_service.set("service", 0).ok());
  auto g = read_osm_roads(kHarrisburg, no_service);
  ASSERT_TRUE(g.ok()) << g.error().message;
  for (std::size_t i = 0; i < g->road_count(); ++i)
    ASSERT_NE(g->road(RoadId(static_cast<std::uint32_t>(i))).road_class, RoadClass::service);
  EXPECT_LT(g->road_count(), harrisburg().road_count());
}

// A fresh directory under the system temp directory, removed afterwards.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("outage-osm-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return (path_ / name).string();
  }

 private:
  fs::path path_;
};

TEST(OsmRoads, RefusesAMissingFileNamingIt) {
  auto g = read_osm_roads("/nonexistent/roads.osm.pbf");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::not_found);
  EXPECT_NE(g.error().message.find("/nonexistent/roads.osm.pbf"), std::string::npos) << g.error().message;
}

TEST(OsmRoads, RefusesAFileThatIsNotOsmNamingIt) {
  TempDir dir;
  for (const std::string name : {"roads.csv", "roads.osm.pbf", "roads.osm"}) {
    const std::string path = dir.file(name, "id,name\n1,Front Street\n");
    auto g = read_osm_roads(path);
    ASSERT_FALSE(g.ok()) << name;
    EXPECT_EQ(g.error().code, ErrorCode::invalid_input) << name;
    EXPECT_NE(g.error().message.find(path), std::string::npos) << g.error().message;
  }
}

TEST(OsmRoads, RefusesAnExtractWithoutRoads) {
  TempDir dir;
  const std::string path = dir.file("park.osm",
                                    "<?xml version='1.0' encoding='UTF-8'?>\n"
                                    "<osm version='0.6'>\n"
                                    " <node id='1' lat='40.27' lon='-76.88' version='1'/>\n"
                                    " <node id='2' lat='40.28' lon='-76.88' version='1'/>\n"
                                    " <way id='10' version='1'><nd ref='1'/><nd ref='2'/>"
                                    "<tag k='highway' v='footway'/></way>\n"
                                    "</osm>\n");
  auto g = read_osm_roads(path);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::invalid_input);
  EXPECT_NE(g.error().message.find("park.osm"), std::string::npos) << g.error().message;
  EXPECT_NE(g.error().message.find("no drivable roads"), std::string::npos) << g.error().message;
}

}  // namespace
}  // namespace outage
