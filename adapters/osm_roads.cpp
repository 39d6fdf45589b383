#include "adapters/osm_roads.h"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace outage {
namespace {

namespace fs = std::filesystem;

void register_gdal() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

// Collects GDAL's failures on this thread while alive, instead of printing them.
class GdalFailures {
 public:
  GdalFailures() {
    CPLPushErrorHandlerEx(&GdalFailures::handle, this);
    CPLErrorReset();
  }
  ~GdalFailures() { CPLPopErrorHandler(); }
  GdalFailures(const GdalFailures&) = delete;
  GdalFailures& operator=(const GdalFailures&) = delete;
  bool failed() const { return !failures_.empty(); }
  std::string take_or(std::string_view otherwise) {
    std::string out;
    for (const std::string& f : failures_) out += (out.empty() ? "" : "; ") + f;
    failures_.clear();
    return out.empty() ? std::string(otherwise) : out;
  }

 private:
  static void CPL_STDCALL handle(CPLErr level, CPLErrorNum, const char* message) {
    auto* self = static_cast<GdalFailures*>(CPLGetErrorHandlerUserData());
    if (!self || level == CE_Debug || level == CE_None || level == CE_Warning) return;
    if (self->failures_.size() < 5) self->failures_.emplace_back(message ? message : "");
  }
  std::vector<std::string> failures_;
};

// The value of `key` in an `other_tags` text: "k1"=>"v1","k2"=>"v2" (PostgreSQL hstore syntax,
// with \" and \\ escaped inside the quotes). nullopt if the key is absent.
std::optional<std::string> tag(std::string_view tags, std::string_view key) {
  std::size_t i = 0;
  auto quoted = [&](std::string& out) -> bool {
    while (i < tags.size() && tags[i] != '"') ++i;
    if (i >= tags.size()) return false;
    ++i;
    out.clear();
    while (i < tags.size() && tags[i] != '"') {
      if (tags[i] == '\\' && i + 1 < tags.size()) ++i;
      out += tags[i++];
    }
    if (i >= tags.size()) return false;
    ++i;
    return true;
  };
  std::string k, v;
  while (quoted(k)) {
    while (i < tags.size() && tags[i] != '"' && tags[i] != 'N') ++i;  // past "=>", to a value or NULL
    if (i < tags.size() && tags[i] == 'N') {                           // "key"=>NULL
      i += 4;
      if (k == key) return std::nullopt;
      continue;
    }
    if (!quoted(v)) return std::nullopt;
    if (k == key) return v;
  }
  return std::nullopt;
}

bool is_one_of(const std::optional<std::string>& value, std::initializer_list<std::string_view> options) {
  if (!value) return false;
  for (std::string_view o : options)
    if (*value == o) return true;
  return false;
}

// OSM's resolution: 1e-7 degree. Vertices are compared as these integers.
struct Key {
  std::int32_t x, y;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  std::size_t operator()(Key k) const noexcept {
    const std::uint64_t v = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.x)) << 32) |
                            static_cast<std::uint32_t>(k.y);
    return std::hash<std::uint64_t>{}(v * 0x9E3779B97F4A7C15ull);
  }
};
Key key_of(Point p) {
  return Key{static_cast<std::int32_t>(std::llround(p.x * 1e7)), static_cast<std::int32_t>(std::llround(p.y * 1e7))};
}

struct Way {
  RoadClass road_class;
  RoadDirection direction;
  std::vector<Point> points;
};

// The drivable ways of the `lines` layer, as Way records.
Result<std::vector<Way>> read_ways(GDALDataset& ds, const std::string& name, const RoadSpeeds& speeds,
                                   GdalFailures& failures) {
  // Tell the driver that only `lines` will be read, so that it does not buffer the other layers.
  if (OGRLayer* r = ds.ExecuteSQL("SET interest_layers = lines", nullptr, nullptr)) ds.ReleaseResultSet(r);
  OGRLayer* lines = ds.GetLayerByName("lines");
  if (!lines) return invalid_input(fmt::format("{}: no 'lines' layer: {}", name, failures.take_or("not an OSM extract")));
  OGRFeatureDefn* defn = lines->GetLayerDefn();
  const int highway = defn->GetFieldIndex("highway");
  const int other_tags = defn->GetFieldIndex("other_tags");
  if (highway < 0) return invalid_input(fmt::format("{}: the 'lines' layer has no 'highway' field", name));
  lines->SetAttributeFilter("highway IS NOT NULL");
  lines->ResetReading();

  std::vector<Way> ways;
  for (OGRFeatureUniquePtr f(lines->GetNextFeature()); f; f.reset(lines->GetNextFeature())) {
    auto road_class = road_class_from_string(f->GetFieldAsString(highway));
    if (!road_class || !(speeds[*road_class] > 0)) continue;
    const std::string_view tags = other_tags >= 0 && f->IsFieldSetAndNotNull(other_tags) ? f->GetFieldAsString(other_tags) : "";
    if (is_one_of(tag(tags, "access"), {"no"}) || is_one_of(tag(tags, "motor_vehicle"), {"no"}) ||
        is_one_of(tag(tags, "motorcar"), {"no"}) || is_one_of(tag(tags, "area"), {"yes"}))
      continue;
    const OGRGeometry* g = f->GetGeometryRef();
    if (!g || wkbFlatten(g->getGeometryType()) != wkbLineString) continue;
    const auto* line = g->toLineString();
    if (line->getNumPoints() < 2) continue;

    Way w;
    w.road_class = *road_class;
    const auto oneway = tag(tags, "oneway");
    if (is_one_of(oneway, {"yes", "true", "1"})) w.direction = RoadDirection::forward;
    else if (is_one_of(oneway, {"-1", "reverse"})) w.direction = RoadDirection::backward;
    else if (is_one_of(oneway, {"no", "false", "0"})) w.direction = RoadDirection::both;
    else if (*road_class == RoadClass::motorway || is_one_of(tag(tags, "junction"), {"roundabout", "circular"}))
      w.direction = RoadDirection::forward;
    else w.direction = RoadDirection::both;
    w.points.reserve(line->getNumPoints());
    for (int i = 0; i < line->getNumPoints(); ++i) {
      Point p{line->getX(i), line->getY(i)};
      if (w.points.empty() || !(key_of(p) == key_of(w.points.back()))) w.points.push_back(p);
    }
    if (w.points.size() >= 2) ways.push_back(std::move(w));
  }
  if (failures.failed()) return invalid_input(fmt::format("{}: {}", name, failures.take_or("")));
  return ways;
}

// Splits the ways at shared vertices and builds the graph.
Result<RoadGraph> build(std::vector<Way>& ways, const std::string& name, const RoadSpeeds& speeds) {
  std::unordered_map<Key, std::uint32_t, KeyHash> uses;  // vertex -> ways (and returns) through it
  for (const Way& w : ways)
    for (const Point& p : w.points) ++uses[key_of(p)];

  RoadGraph graph;
  graph.source = name;
  std::unordered_map<Key, RoadNodeId, KeyHash> nodes;
  nodes.reserve(uses.size() / 4);
  auto node_at = [&](Point p) {
    auto [it, inserted] = nodes.try_emplace(key_of(p));
    if (inserted) it->second = graph.add_node(p);
    return it->second;
  };
  for (const Way& w : ways) {
    std::size_t start = 0;
    RoadNodeId from = node_at(w.points.front());
    for (std::size_t i = 1; i < w.points.size(); ++i) {
      const bool last = i + 1 == w.points.size();
      if (!last && uses[key_of(w.points[i])] < 2) continue;
      RoadNodeId to = node_at(w.points[i]);
      auto road = graph.add_road(from, to, w.road_class, w.direction,
                                 std::span<const Point>(w.points).subspan(start, i - start + 1));
      if (!road) return road.error();
      from = to;
      start = i;
    }
  }
  if (graph.road_count() == 0) return invalid_input(fmt::format("{}: no drivable roads (highway=motorway ... track)", name));
  graph.finish(speeds);
  return graph;
}

}  // namespace

Result<RoadGraph> read_osm_roads(const std::string& path, const RoadSpeeds& speeds) {
  const std::string name = fs::path(path).filename().string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return not_found(fmt::format("{}: no such file", path));
  if (fs::is_directory(path, ec)) return invalid_input(fmt::format("{}: a folder, not an OpenStreetMap extract", path));
  try {
    register_gdal();
    GdalFailures failures;
    const char* drivers[] = {"OSM", nullptr};
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr));
    if (!ds)
      return invalid_input(fmt::format("{}: not an OpenStreetMap extract (.osm or .osm.pbf): {}", path,
                                       failures.take_or("GDAL's OSM driver cannot read it")));
    auto ways = read_ways(*ds, name, speeds, failures);
    if (!ways) return ways.error();
    ds.reset();
    if (ways->empty()) return invalid_input(fmt::format("{}: no drivable roads (highway=motorway ... track)", path));
    return build(*ways, name, speeds);
  } catch (const std::exception& e) {
    return internal_error(fmt::format("{}: reading the roads failed: {}", path, e.what()));
  }
}

}  // namespace outage
