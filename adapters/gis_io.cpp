#include "adapters/gis_io.h"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "geo/crs_inference.h"

namespace outage {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBuses = "buses";
constexpr const char* kElements = "elements";
constexpr const char* kServicePoints = "service_points";
constexpr const char* kCustomers = "customers";
constexpr const char* kModel = "model";
constexpr const char* kLayers[] = {kBuses, kElements, kServicePoints, kCustomers, kModel};

// ---------------------------------------------------------------------------------------------
// Where the layers live.

enum class Format { gpkg, geojson };

struct Target {
  Format format = Format::gpkg;
  std::string path;  // gpkg: the file; geojson: the path as given
  std::string stem;  // geojson: the path without ".geojson" (and without ".<layer>")

  std::string layer_file(std::string_view layer) const {
    return format == Format::gpkg ? path : fmt::format("{}.{}.geojson", stem, layer);
  }
  // The model's default name: the file name without extension(s).
  std::string default_name() const {
    fs::path p = format == Format::gpkg ? fs::path(path).stem() : fs::path(stem).filename();
    return p.string();
  }
};

bool ends_with_ci(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && to_lower(text.substr(text.size() - suffix.size())) == suffix;
}

Result<Target> target_of(const std::string& path) {
  Target t;
  t.path = path;
  if (ends_with_ci(path, ".gpkg")) {
    t.format = Format::gpkg;
    return t;
  }
  if (ends_with_ci(path, ".geojson")) {
    t.format = Format::geojson;
    t.stem = path.substr(0, path.size() - 8);
    for (const char* layer : kLayers) {
      std::string suffix = fmt::format(".{}", layer);
      if (ends_with_ci(t.stem, suffix)) {
        t.stem.resize(t.stem.size() - suffix.size());
        break;
      }
    }
    return t;
  }
  return invalid_input(fmt::format("'{}': unknown GIS format (use a .gpkg or .geojson path)", path));
}

// ---------------------------------------------------------------------------------------------
// GDAL plumbing.

void register_gdal() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

// Collects what GDAL reports on this thread while alive, instead of printing it.
class GdalErrors {
 public:
  GdalErrors() {
    CPLPushErrorHandlerEx(&GdalErrors::handle, this);
    CPLErrorReset();
  }
  ~GdalErrors() { CPLPopErrorHandler(); }
  GdalErrors(const GdalErrors&) = delete;
  GdalErrors& operator=(const GdalErrors&) = delete;

  bool failed() const { return !failures_.empty(); }
  // Every failure reported since the last take(), joined; "" if none.
  std::string take() {
    std::string out;
    for (const std::string& f : failures_) {
      if (!out.empty()) out += "; ";
      out += f;
    }
    failures_.clear();
    return out;
  }
  // The failures, or `otherwise` when GDAL said nothing.
  std::string take_or(std::string_view otherwise) {
    std::string s = take();
    return s.empty() ? std::string(otherwise) : s;
  }
  std::vector<std::string> warnings;

 private:
  static void CPL_STDCALL handle(CPLErr level, CPLErrorNum, const char* message) {
    auto* self = static_cast<GdalErrors*>(CPLGetErrorHandlerUserData());
    if (!self || level == CE_Debug || level == CE_None) return;
    std::string text = message ? message : "";
    if (level == CE_Warning) {
      if (self->warnings.size() < 100) self->warnings.push_back(std::move(text));
    } else if (self->failures_.size() < 5) {
      self->failures_.push_back(std::move(text));
    }
  }
  std::vector<std::string> failures_;
};

// EPSG:4326 with x = longitude, y = latitude, as the model stores positions. One per call of
// the API: an OGRSpatialReference caches state even in const use, so it is not shared.
struct SrsReleaser {
  void operator()(OGRSpatialReference* srs) const { srs->Release(); }
};
using SrsPtr = std::unique_ptr<OGRSpatialReference, SrsReleaser>;

SrsPtr make_wgs84() {
  SrsPtr srs(new OGRSpatialReference());
  srs->importFromEPSG(4326);
  srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

bool is_wgs84(const OGRSpatialReference& srs, const OGRSpatialReference& wgs84) {
  const char* options[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
                           "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", nullptr};
  return srs.IsSame(&wgs84, options) != 0;
}

// The layer's SRS, or null when it has none or an undefined one (GeoPackage srs_id 0 or -1).
const OGRSpatialReference* srs_of(OGRLayer& layer) {
  const OGRSpatialReference* srs = layer.GetSpatialRef();
  if (!srs || srs->IsEmpty()) return nullptr;
  const char* name = srs->GetName();
  if (!srs->GetAuthorityCode(nullptr) && name && STARTS_WITH_CI(name, "Undefined")) return nullptr;
  return srs;
}

std::string srs_name(const OGRSpatialReference& srs) {
  const char* authority = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  if (authority && code) return fmt::format("{}:{}", authority, code);
  const char* name = srs.GetName();
  return name ? name : "unnamed SRS";
}

std::string temporary_name(const std::string& final_path, std::string_view extension) {
  static std::atomic<int> counter{0};
  return fmt::format("{}.partial-{}-{}{}", final_path, ::getpid(), counter++, extension);
}

void remove_quietly(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

// ---------------------------------------------------------------------------------------------
// Writing.

// The double a person would write for `f` ("4.16", not 4.159999847412109375), so that files
// read well; it converts back to exactly `f`.
double decimal(float f) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer - 1, f);
  if (ec != std::errc()) return f;
  *end = '\0';
  return std::strtod(buffer, nullptr);
}

struct FieldSpec {
  const char* name;
  OGRFieldType type;
  OGRFieldSubType subtype = OFSTNone;
};

constexpr FieldSpec kBusFields[] = {{"id", OFTString}, {"kv", OFTReal}};
constexpr FieldSpec kElementFields[] = {
    {"id", OFTString},   {"kind", OFTString}, {"phases", OFTString},   {"normally_open", OFTInteger, OFSTBoolean},
    {"bus1", OFTString}, {"bus2", OFTString}, {"host", OFTString},     {"length_m", OFTReal},
    {"kv", OFTReal},     {"kv2", OFTReal}};
constexpr FieldSpec kServicePointFields[] = {{"id", OFTString}, {"bus", OFTString}, {"phases", OFTString}, {"kw", OFTReal}};
constexpr FieldSpec kCustomerFields[] = {{"id", OFTString},   {"service_point", OFTString}, {"class", OFTString},
                                         {"account", OFTString}, {"name", OFTString},      {"phone", OFTString},
                                         {"address", OFTString}};
constexpr FieldSpec kModelFields[] = {{"name", OFTString}, {"crs", OFTString}};

class Writer {
 public:
  Writer(const NetworkModel& model, GdalErrors& errors) : model_(model), errors_(errors) {
    if (model.crs.kind == CoordinateSystem::Kind::wgs84) srs_ = make_wgs84();
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Creates `layer` in `ds` and writes its features; `file` names the file for messages.
  Status write_layer(GDALDataset& ds, const char* layer, bool geojson, const std::string& file) {
    file_ = &file;
    if (layer == std::string_view(kBuses)) return write_buses(ds, geojson);
    if (layer == std::string_view(kElements)) return write_elements(ds, geojson);
    if (layer == std::string_view(kServicePoints)) return write_service_points(ds, geojson);
    if (layer == std::string_view(kCustomers)) return write_customers(ds, geojson);
    return write_model(ds, geojson);
  }

 private:
  template <std::size_t N>
  Result<OGRLayer*> create(GDALDataset& ds, const char* name, OGRwkbGeometryType type, const FieldSpec (&fields)[N],
                           bool geojson) {
    CPLStringList options;
    if (geojson) {
      options.SetNameValue("RFC7946", "NO");
      options.SetNameValue("SIGNIFICANT_FIGURES", "17");  // doubles round-trip exactly
      options.SetNameValue("WRITE_NAME", "YES");
    }
    OGRLayer* layer = ds.CreateLayer(name, type == wkbNone ? nullptr : srs_.get(), type, options.List());
    if (!layer) return failure(name, "cannot create the layer");
    for (const FieldSpec& f : fields) {
      OGRFieldDefn defn(f.name, f.type);
      defn.SetSubType(f.subtype);
      if (layer->CreateField(&defn) != OGRERR_NONE) return failure(name, fmt::format("cannot create field '{}'", f.name));
    }
    return layer;
  }

  Error failure(const char* layer, std::string_view what) {
    return unavailable(fmt::format("{}: layer '{}': {}", *file_, layer, errors_.take_or(what)));
  }

  Status add(OGRLayer* layer, OGRFeature& feature) {
    if (layer->CreateFeature(&feature) != OGRERR_NONE || errors_.failed())
      return failure(layer->GetName(), "cannot write a feature");
    return {};
  }

  static void set_text(OGRFeature& f, int field, std::string_view text) {
    f.SetField(field, std::string(text).c_str());
  }
  // An absent reference is NULL, which QGIS shows as such.
  static void set_reference(OGRFeature& f, int field, std::string_view id) {
    if (id.empty())
      f.SetFieldNull(field);
    else
      set_text(f, field, id);
  }

  Status write_buses(GDALDataset& ds, bool geojson) {
    auto layer = create(ds, kBuses, wkbPoint, kBusFields, geojson);
    if (!layer) return layer.error();
    OGRFeature f((*layer)->GetLayerDefn());
    for (const Bus& b : model_.buses()) {
      set_text(f, 0, b.id);
      f.SetField(1, decimal(b.kv));
      if (b.has_position)
        f.SetGeometryDirectly(new OGRPoint(b.position.x, b.position.y));
      else
        f.SetGeometryDirectly(nullptr);
      f.SetFID(OGRNullFID);
      if (Status s = add(*layer, f); !s) return s;
    }
    return {};
  }

  Status write_elements(GDALDataset& ds, bool geojson) {
    // Branches are LineStrings, the rest Points: a mixed layer.
    auto layer = create(ds, kElements, wkbUnknown, kElementFields, geojson);
    if (!layer) return layer.error();
    OGRFeature f((*layer)->GetLayerDefn());
    for (std::size_t i = 0; i < model_.elements().size(); ++i) {
      const Element& e = model_.elements()[i];
      set_text(f, 0, e.id);
      set_text(f, 1, to_string(e.kind));
      set_text(f, 2, phases_to_string(e.phases));
      f.SetField(3, e.normally_open ? 1 : 0);
      set_reference(f, 4, e.bus1.valid() ? model_.bus(e.bus1).id : std::string_view());
      set_reference(f, 5, e.bus2.valid() ? model_.bus(e.bus2).id : std::string_view());
      set_reference(f, 6, e.host.valid() ? model_.element(e.host).id : std::string_view());
      f.SetField(7, decimal(e.length_m));
      f.SetField(8, decimal(e.kv));
      f.SetField(9, decimal(e.kv2));
      f.SetGeometryDirectly(geometry_of(ElementId(static_cast<std::uint32_t>(i))));
      f.SetFID(OGRNullFID);
      if (Status s = add(*layer, f); !s) return s;
    }
    return {};
  }

  // A branch whose both ends have a position: the LineString bus1, vertices, bus2. Any other
  // element: a Point at bus1 if it has a position. Otherwise none.
  OGRGeometry* geometry_of(ElementId id) const {
    const Element& e = model_.element(id);
    if (e.is_branch()) {
      if (!model_.bus(e.bus1).has_position || !model_.bus(e.bus2).has_position) return nullptr;
      std::vector<Point> points = model_.geometry(id);
      auto* line = new OGRLineString();
      line->setNumPoints(static_cast<int>(points.size()), FALSE);
      for (std::size_t k = 0; k < points.size(); ++k) line->setPoint(static_cast<int>(k), points[k].x, points[k].y);
      return line;
    }
    if (e.bus1.valid() && model_.bus(e.bus1).has_position) {
      Point p = model_.bus(e.bus1).position;
      return new OGRPoint(p.x, p.y);
    }
    return nullptr;
  }

  Status write_service_points(GDALDataset& ds, bool geojson) {
    auto layer = create(ds, kServicePoints, wkbPoint, kServicePointFields, geojson);
    if (!layer) return layer.error();
    OGRFeature f((*layer)->GetLayerDefn());
    for (const ServicePoint& sp : model_.service_points()) {
      set_text(f, 0, sp.id);
      set_text(f, 1, model_.bus(sp.bus).id);
      set_text(f, 2, phases_to_string(sp.phases));
      f.SetField(3, decimal(sp.kw));
      if (sp.has_position)
        f.SetGeometryDirectly(new OGRPoint(sp.position.x, sp.position.y));
      else
        f.SetGeometryDirectly(nullptr);
      f.SetFID(OGRNullFID);
      if (Status s = add(*layer, f); !s) return s;
    }
    return {};
  }

  Status write_customers(GDALDataset& ds, bool geojson) {
    auto layer = create(ds, kCustomers, wkbNone, kCustomerFields, geojson);
    if (!layer) return layer.error();
    OGRFeature f((*layer)->GetLayerDefn());
    for (const Customer& c : model_.customers()) {
      set_text(f, 0, c.id);
      set_text(f, 1, model_.service_point(c.service_point).id);
      set_text(f, 2, to_string(c.customer_class));
      set_text(f, 3, c.account);
      set_text(f, 4, c.name);
      set_text(f, 5, c.phone);
      set_text(f, 6, c.address);
      f.SetFID(OGRNullFID);
      if (Status s = add(*layer, f); !s) return s;
    }
    return {};
  }

  Status write_model(GDALDataset& ds, bool geojson) {
    auto layer = create(ds, kModel, wkbNone, kModelFields, geojson);
    if (!layer) return layer.error();
    OGRFeature f((*layer)->GetLayerDefn());
    set_text(f, 0, model_.name);
    set_text(f, 1, model_.crs.describe());
    return add(*layer, f);
  }

  const NetworkModel& model_;
  GdalErrors& errors_;
  SrsPtr srs_;
  const std::string* file_ = nullptr;
};

Result<GDALDriver*> driver(const char* name, GdalErrors& errors) {
  GDALDriver* d = GetGDALDriverManager()->GetDriverByName(name);
  if (!d) return internal_error(errors.take_or(fmt::format("GDAL has no {} driver", name)));
  return d;
}

Status rename_into_place(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) {
    remove_quietly(from);
    return unavailable(fmt::format("{}: cannot move the written file into place: {}", to, ec.message()));
  }
  return {};
}

Status write_gpkg(const NetworkModel& model, const std::string& path, GdalErrors& errors) {
  auto gpkg = driver("GPKG", errors);
  if (!gpkg) return gpkg.error();
  std::string temp = temporary_name(path, ".gpkg");
  remove_quietly(temp);
  GDALDatasetUniquePtr ds((*gpkg)->Create(temp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) return unavailable(fmt::format("{}: {}", path, errors.take_or("cannot create the file")));
  Status status;
  {
    Writer writer(model, errors);
    if (ds->StartTransaction() != OGRERR_NONE)
      status = unavailable(fmt::format("{}: {}", path, errors.take_or("cannot start a transaction")));
    for (const char* layer : kLayers) {
      if (!status) break;
      status = writer.write_layer(*ds, layer, false, path);
    }
    if (status && model.crs.kind != CoordinateSystem::Kind::wgs84) {
      // GDAL 3.6 registers a layer without SRS as "undefined geographic" (srs_id 0); local
      // coordinates are "undefined Cartesian" (-1) in the GeoPackage standard.
      for (const char* sql : {"UPDATE gpkg_geometry_columns SET srs_id = -1 WHERE srs_id = 0",
                              "UPDATE gpkg_contents SET srs_id = -1 WHERE srs_id = 0 AND data_type = 'features'"}) {
        ds->ExecuteSQL(sql, nullptr, nullptr);
        if (errors.failed()) status = unavailable(fmt::format("{}: {}", path, errors.take()));
      }
    }
    if (status && ds->CommitTransaction() != OGRERR_NONE)
      status = unavailable(fmt::format("{}: {}", path, errors.take_or("cannot commit")));
  }
  ds.reset();  // closing writes what GDAL buffered; failures on the way are reported to `errors`
  if (status && errors.failed()) status = unavailable(fmt::format("{}: {}", path, errors.take()));
  if (!status) {
    remove_quietly(temp);
    return status;
  }
  return rename_into_place(temp, path);
}

Status write_geojson(const NetworkModel& model, const Target& target, GdalErrors& errors) {
  auto geojson = driver("GeoJSON", errors);
  if (!geojson) return geojson.error();
  std::vector<std::pair<std::string, std::string>> written;  // temp, final
  auto discard = [&] {
    for (const auto& [temp, final_path] : written) remove_quietly(temp);
  };
  Writer writer(model, errors);
  for (const char* layer : kLayers) {
    std::string file = target.layer_file(layer);
    std::string temp = temporary_name(file, ".geojson");
    remove_quietly(temp);
    GDALDatasetUniquePtr ds((*geojson)->Create(temp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) {
      discard();
      return unavailable(fmt::format("{}: {}", file, errors.take_or("cannot create the file")));
    }
    written.emplace_back(temp, file);
    Status status = writer.write_layer(*ds, layer, true, file);
    ds.reset();  // writes the file
    if (status && errors.failed()) status = unavailable(fmt::format("{}: {}", file, errors.take()));
    if (!status) {
      discard();
      return status;
    }
  }
  for (const auto& [temp, final_path] : written)
    if (Status s = rename_into_place(temp, final_path); !s) {
      discard();
      return s;
    }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Reading.

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// One layer opened for reading, and where it came from.
struct Source {
  std::string file;
  const char* name = nullptr;
  OGRLayer* layer = nullptr;
  OGRCoordinateTransformation* to_wgs84 = nullptr;  // owned by the reader
};

// The feature being read, for messages: "file: layer 'x', feature 7 (id 'a'): field 'f': reason".
struct Where {
  const Source* source = nullptr;
  GIntBig fid = OGRNullFID;
  std::string id;

  std::string prefix() const {
    std::string out = fmt::format("{}: layer '{}', feature", source->file, source->name);
    if (fid != OGRNullFID) out += fmt::format(" {}", fid);
    if (!id.empty()) out += fmt::format(" (id '{}')", id);
    return out;
  }
  Error bad(std::string_view field, std::string_view reason) const {
    return invalid_input(fmt::format("{}: field '{}': {}", prefix(), field, reason));
  }
};

// A layer's fields by name, looked up once (case-insensitive; absent = -1).
class Fields {
 public:
  Fields(OGRLayer& layer, std::initializer_list<const char*> names) {
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    const char* fid_column = layer.GetFIDColumn();
    for (const char* n : names) {
      int index = defn->GetFieldIndex(n);
      // A GeoPackage whose primary key is called `id` exposes it as the FID, not as a field.
      if (index < 0 && fid_column && EQUAL(fid_column, n)) index = kFid;
      index_.emplace(n, index);
    }
  }
  static constexpr int kFid = -2;
  int operator[](const char* name) const { return index_.at(name); }

 private:
  std::unordered_map<std::string_view, int> index_;
};

std::optional<std::string> text(OGRFeature& f, int field) {
  if (field == Fields::kFid) return f.GetFID() == OGRNullFID ? std::nullopt : std::optional(std::to_string(f.GetFID()));
  if (field < 0 || !f.IsFieldSetAndNotNull(field)) return std::nullopt;
  return std::string(f.GetFieldAsString(field));
}

// An id or reference: trimmed; empty counts as absent.
std::optional<std::string> key(OGRFeature& f, int field) {
  auto t = text(f, field);
  if (!t) return std::nullopt;
  std::string k = trim(*t);
  if (k.empty()) return std::nullopt;
  return k;
}

Result<std::optional<double>> number(OGRFeature& f, int field, const Where& where, const char* name) {
  if (field < 0 || !f.IsFieldSetAndNotNull(field)) return std::optional<double>();
  double v = 0;
  switch (f.GetFieldDefnRef(field)->GetType()) {
    case OFTInteger:
    case OFTInteger64:
    case OFTReal:
      v = f.GetFieldAsDouble(field);
      break;
    case OFTString: {
      std::string s = trim(f.GetFieldAsString(field));
      if (s.empty()) return std::optional<double>();
      char* end = nullptr;
      v = std::strtod(s.c_str(), &end);
      if (end == s.c_str() || *end != '\0') return where.bad(name, fmt::format("'{}' is not a number", s));
      break;
    }
    default:
      return where.bad(name, fmt::format("'{}' is not a number", f.GetFieldAsString(field)));
  }
  if (!std::isfinite(v)) return where.bad(name, "not a finite number");
  return std::optional<double>(v);
}

Result<float> number_or_zero(OGRFeature& f, int field, const Where& where, const char* name) {
  auto v = number(f, field, where, name);
  if (!v) return v.error();
  return static_cast<float>(v->value_or(0));
}

Result<bool> boolean(OGRFeature& f, int field, const Where& where, const char* name) {
  if (field < 0 || !f.IsFieldSetAndNotNull(field)) return false;
  switch (f.GetFieldDefnRef(field)->GetType()) {
    case OFTInteger:
    case OFTInteger64:
    case OFTReal: {
      double v = f.GetFieldAsDouble(field);
      if (v == 0) return false;
      if (v == 1) return true;
      return where.bad(name, fmt::format("'{}' is not a boolean (true/false, 1/0, yes/no)", f.GetFieldAsString(field)));
    }
    default: {
      std::string s = to_lower(trim(f.GetFieldAsString(field)));
      if (s.empty() || s == "false" || s == "0" || s == "no") return false;
      if (s == "true" || s == "1" || s == "yes") return true;
      return where.bad(name, fmt::format("'{}' is not a boolean (true/false, 1/0, yes/no)", f.GetFieldAsString(field)));
    }
  }
}

// Phases: letters A, B, C in any order and case; N (neutral) is ignored; absent or empty is ABC.
Result<Phases> phases(OGRFeature& f, int field, const Where& where) {
  auto t = key(f, field);
  if (!t) return kPhasesABC;
  std::string letters;
  for (char c : *t)
    if (c != 'N' && c != 'n') letters += c;
  auto p = letters.empty() ? std::optional<Phases>() : phases_from_string(letters);
  if (!p) return where.bad("phases", fmt::format("'{}' is not a phase set (letters A, B, C, e.g. \"ABC\", \"A\")", *t));
  return *p;
}

// The points of a geometry: Point, MultiPoint, LineString or MultiLineString (parts joined).
// Returns nullopt for any other type. `is_line` tells whether it was a line.
std::optional<std::vector<Point>> points_of(const OGRGeometry* g, bool* is_line) {
  std::vector<Point> out;
  *is_line = false;
  if (!g || g->IsEmpty()) return out;
  auto append = [&](double x, double y) {
    if (out.empty() || out.back().x != x || out.back().y != y) out.push_back({x, y});
  };
  switch (wkbFlatten(g->getGeometryType())) {
    case wkbPoint: {
      const auto* p = g->toPoint();
      out.push_back({p->getX(), p->getY()});
      return out;
    }
    case wkbMultiPoint: {
      for (const OGRPoint* p : *g->toMultiPoint()) out.push_back({p->getX(), p->getY()});
      return out;
    }
    case wkbLineString: {
      *is_line = true;
      const auto* l = g->toLineString();
      for (int i = 0; i < l->getNumPoints(); ++i) out.push_back({l->getX(i), l->getY(i)});
      return out;
    }
    case wkbMultiLineString: {
      *is_line = true;
      for (const OGRLineString* l : *g->toMultiLineString())
        for (int i = 0; i < l->getNumPoints(); ++i) append(l->getX(i), l->getY(i));
      return out;
    }
    default:
      return std::nullopt;
  }
}

// The one position of a Point (or single-point MultiPoint) geometry; nullopt when there is none.
Result<std::optional<Point>> position(OGRFeature& f, const Where& where) {
  bool is_line = false;
  auto points = points_of(f.GetGeometryRef(), &is_line);
  if (!points || is_line || points->size() > 1)
    return where.bad("geometry", fmt::format("a {} where a Point is expected",
                                             OGRGeometryTypeToName(f.GetGeometryRef()->getGeometryType())));
  if (points->empty()) return std::optional<Point>();
  return std::optional<Point>(points->front());
}

struct ElementRow {
  std::string id;
  ElementKind kind = ElementKind::line;
  Phases phases = kPhasesABC;
  bool normally_open = false;
  std::optional<std::string> bus1, bus2, host;
  float length_m = 0, kv = 0, kv2 = 0;
  std::vector<Point> line;  // the LineString's points; empty if the geometry is none or a Point
};

class Reader {
 public:
  Reader(Target target, CustomerFile* customers, GdalErrors& errors)
      : target_(std::move(target)), customer_file_(customers), errors_(errors) {}
  ~Reader() {
    for (Source& s : sources_)
      if (s.to_wgs84) OGRCoordinateTransformation::DestroyCT(s.to_wgs84);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  Result<NetworkModel> read() {
    if (Status s = open(); !s) return s.error();
    Source* buses = find(kBuses);
    Source* elements = find(kElements);
    if (!buses) return invalid_input(fmt::format("{}: no layer 'buses'", target_.layer_file(kBuses)));
    if (!elements) return invalid_input(fmt::format("{}: no layer 'elements'", target_.layer_file(kElements)));

    bool crs_given = false;
    if (Source* m = find(kModel))
      if (Status s = read_model(*m, &crs_given); !s) return s.error();
    if (model_.name.empty()) model_.name = target_.default_name();
    // Without a `crs` in the model layer: a layer in a foreign SRS is reprojected to WGS 84; a
    // GeoPackage layer in WGS 84 is WGS 84. GeoJSON reads as WGS 84 whether or not the file says
    // so (RFC 7946), so there, as with no SRS at all, the numbers tell (crs_inference.h).
    bool infer = false;
    if (!crs_given) {
      bool any_srs = false, foreign = false;
      for (const char* name : {kBuses, kElements, kServicePoints})
        if (Source* s = find(name); s && srs_of(*s->layer)) {
          any_srs = true;
          if (!is_wgs84(*srs_of(*s->layer), *wgs84_)) foreign = true;
        }
      if (foreign || (any_srs && target_.format == Format::gpkg))
        model_.crs = {CoordinateSystem::Kind::wgs84, 0};
      else
        infer = true;
    }
    for (const char* name : {kBuses, kElements, kServicePoints})
      if (Source* s = find(name))
        if (Status st = prepare_transform(*s); !st) return st.error();

    if (Status s = read_buses(*buses); !s) return s.error();
    if (Status s = read_elements(*elements); !s) return s.error();
    Source* customers = find(kCustomers);
    if (customers && customer_file_) {
      if (customers->layer->GetFeatureCount() != 0)
        model_.report.warnings.push_back(fmt::format(
            "{}: layer 'customers' ignored: the customers file '{}' was given", customers->file, customer_file_->path));
      customers = nullptr;
    }
    if (Source* sps = find(kServicePoints))
      if (Status s = read_service_points(*sps, customers != nullptr); !s) return s.error();
    if (customer_file_)
      if (Status s = check_all_rows_used(*customer_file_); !s) return s.error();
    if (customers)
      if (Status s = read_customers(*customers); !s) return s.error();

    if (infer) model_.crs = infer_coordinate_system(model_);
    for (std::string& w : errors_.warnings) model_.report.warnings.push_back(fmt::format("GDAL: {}", w));
    model_.report.files_read = files_read_;
    return std::move(model_);
  }

 private:
  Source* find(const char* name) {
    for (Source& s : sources_)
      if (s.name == name) return &s;
    return nullptr;
  }

  Result<GDALDataset*> open_file(const std::string& file) {
    const char* drivers_gpkg[] = {"GPKG", nullptr};
    const char* drivers_geojson[] = {"GeoJSON", nullptr};
    const char* open_options[] = {"DATE_AS_STRING=YES", "ARRAY_AS_STRING=YES", nullptr};
    bool gpkg = target_.format == Format::gpkg;
    auto* ds = GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                                 gpkg ? drivers_gpkg : drivers_geojson, gpkg ? nullptr : open_options, nullptr);
    if (!ds)
      return invalid_input(fmt::format("{}: not a {} file: {}", file, gpkg ? "GeoPackage" : "GeoJSON",
                                       errors_.take_or("GDAL cannot open it")));
    datasets_.emplace_back(ds);
    ++files_read_;
    return ds;
  }

  Status open() {
    std::error_code ec;
    if (target_.format == Format::gpkg) {
      if (!fs::exists(target_.path, ec)) return not_found(fmt::format("no such file '{}'", target_.path));
      auto ds = open_file(target_.path);
      if (!ds) return ds.error();
      for (const char* name : kLayers)
        if (OGRLayer* layer = (*ds)->GetLayerByName(name)) sources_.push_back({target_.path, name, layer, nullptr});
      return {};
    }
    std::string buses = target_.layer_file(kBuses);
    if (!fs::exists(buses, ec))
      return not_found(fmt::format("no such file '{}' (a .geojson model is one file per layer, named "
                                   "<stem>.<layer>.geojson; see docs/gis_format.md)",
                                   buses));
    for (const char* name : kLayers) {
      std::string file = target_.layer_file(name);
      if (!fs::exists(file, ec)) continue;
      auto ds = open_file(file);
      if (!ds) return ds.error();
      OGRLayer* layer = (*ds)->GetLayer(0);
      if (!layer) return invalid_input(fmt::format("{}: holds no layer", file));
      sources_.push_back({file, name, layer, nullptr});
    }
    return {};
  }

  Status prepare_transform(Source& s) {
    const OGRSpatialReference* srs = srs_of(*s.layer);
    if (model_.crs.kind != CoordinateSystem::Kind::wgs84 || !srs || is_wgs84(*srs, *wgs84_)) return {};
    s.to_wgs84 = OGRCreateCoordinateTransformation(srs, wgs84_.get());
    if (!s.to_wgs84)
      return invalid_input(fmt::format("{}: layer '{}': cannot reproject from {} to EPSG:4326: {}", s.file, s.name,
                                       srs_name(*srs), errors_.take_or("no transformation")));
    return {};
  }

  // Iterates the layer's features, calling `row(feature, where)`; stops at the first error.
  template <typename F>
  Status each(Source& s, F&& row) {
    s.layer->ResetReading();
    while (OGRFeatureUniquePtr f{s.layer->GetNextFeature()}) {
      Where where{&s, f->GetFID(), {}};
      if (s.to_wgs84)
        if (OGRGeometry* g = f->GetGeometryRef(); g && !g->IsEmpty() && g->transform(s.to_wgs84) != OGRERR_NONE)
          return where.bad("geometry", fmt::format("cannot reproject: {}", errors_.take_or("transformation failed")));
      if (Status st = row(*f, where); !st) return st;
    }
    if (errors_.failed()) return invalid_input(fmt::format("{}: layer '{}': {}", s.file, s.name, errors_.take()));
    return {};
  }

  static Result<std::string> required_id(OGRFeature& f, int field, Where& where) {
    auto id = key(f, field);
    if (!id) return where.bad("id", "required");
    where.id = *id;
    return *id;
  }

  Status read_model(Source& s, bool* crs_given) {
    Fields fields(*s.layer, {"name", "crs"});
    int rows = 0;
    return each(s, [&](OGRFeature& f, Where& where) -> Status {
      if (++rows > 1) return invalid_input(fmt::format("{}: layer 'model' has more than one feature", s.file));
      if (auto name = text(f, fields["name"])) model_.name = *name;
      if (auto crs = key(f, fields["crs"])) {
        auto parsed = CoordinateSystem::parse(*crs);
        if (!parsed)
          return where.bad("crs", fmt::format("unknown coordinate system '{}' (EPSG:4326, local (ft), local (m), "
                                              "local (<n> m), schematic, none)",
                                              *crs));
        model_.crs = *parsed;
        *crs_given = true;
      }
      return {};
    });
  }

  Status read_buses(Source& s) {
    Fields fields(*s.layer, {"id", "kv"});
    return each(s, [&](OGRFeature& f, Where& where) -> Status {
      auto id = required_id(f, fields["id"], where);
      if (!id) return id.error();
      auto kv = number_or_zero(f, fields["kv"], where, "kv");
      if (!kv) return kv.error();
      auto pos = position(f, where);
      if (!pos) return pos.error();
      if (model_.find_bus(*id).valid()) return where.bad("id", fmt::format("duplicate bus id '{}'", to_lower(*id)));
      Bus& bus = model_.bus(model_.add_bus_or_get(*id));
      bus.kv = *kv;
      if (*pos) {
        bus.position = **pos;
        bus.has_position = true;
      }
      return {};
    });
  }

  Status read_elements(Source& s) {
    Fields fields(*s.layer, {"id", "kind", "phases", "normally_open", "bus1", "bus2", "host", "length_m", "kv", "kv2"});
    std::vector<ElementRow> rows;
    std::vector<Where> wheres;
    Status read = each(s, [&](OGRFeature& f, Where& where) -> Status {
      ElementRow r;
      auto id = required_id(f, fields["id"], where);
      if (!id) return id.error();
      r.id = *id;
      auto kind_text = key(f, fields["kind"]);
      if (!kind_text) return where.bad("kind", "required");
      auto kind = element_kind_from_string(*kind_text);
      if (!kind)
        return where.bad("kind", fmt::format("unknown kind '{}' (source, breaker, recloser, fuse, sectionalizer, "
                                             "switch, line, transformer, regulator, reactor)",
                                             *kind_text));
      r.kind = *kind;
      auto ph = phases(f, fields["phases"], where);
      if (!ph) return ph.error();
      r.phases = *ph;
      auto open = boolean(f, fields["normally_open"], where, "normally_open");
      if (!open) return open.error();
      r.normally_open = *open;
      r.bus1 = key(f, fields["bus1"]);
      r.bus2 = key(f, fields["bus2"]);
      r.host = key(f, fields["host"]);
      for (auto [field, out] : {std::pair{"length_m", &r.length_m}, {"kv", &r.kv}, {"kv2", &r.kv2}}) {
        auto v = number_or_zero(f, fields[field], where, field);
        if (!v) return v.error();
        *out = *v;
      }
      bool is_line = false;
      auto points = points_of(f.GetGeometryRef(), &is_line);
      if (!points)
        return where.bad("geometry", fmt::format("a {} where a LineString or Point is expected",
                                                 OGRGeometryTypeToName(f.GetGeometryRef()->getGeometryType())));
      if (is_line) r.line = std::move(*points);
      rows.push_back(std::move(r));
      wheres.push_back(where);
      return {};
    });
    if (!read) return read;

    std::unordered_map<std::string, std::size_t> row_of;
    for (std::size_t i = 0; i < rows.size(); ++i) row_of.emplace(to_lower(rows[i].id), i);
    auto bus_ref = [&](const std::optional<std::string>& name, const Where& where, const char* field) -> Result<BusId> {
      BusId b = model_.find_bus(*name);
      if (!b.valid()) return where.bad(field, fmt::format("unknown bus '{}'", *name));
      return b;
    };

    // Elements in file order, so that a written model reads back with the same ids.
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ElementRow& r = rows[i];
      const Where& where = wheres[i];
      std::optional<std::string> bus1 = r.bus1;
      if (r.kind == ElementKind::source) {
        if (r.host) return where.bad("host", "a source is not mounted on a branch; leave it empty");
        if (r.bus2) return where.bad("bus2", "a source has one terminal; leave it empty");
      } else if (r.host) {
        if (!is_switchable(r.kind))
          return where.bad("host", fmt::format("a {} cannot be mounted on a branch (only breaker, recloser, fuse, "
                                               "sectionalizer, switch)",
                                               to_string(r.kind)));
        if (r.bus2) return where.bad("bus2", fmt::format("a device mounted on '{}' has no bus2; leave it empty", *r.host));
        auto h = row_of.find(to_lower(*r.host));
        if (h == row_of.end()) return where.bad("host", fmt::format("unknown element '{}'", *r.host));
        const ElementRow& host = rows[h->second];
        if (!host.bus2 || host.host)
          return where.bad("host", fmt::format("'{}' is a {}{}, not a branch", *r.host,
                                               host.host ? "mounted " : "", to_string(host.kind)));
        if (!bus1) bus1 = host.bus1;
      } else if (!r.bus2) {
        return where.bad("bus2", fmt::format("required for a {} (a branch), unless it is mounted on one (host)",
                                             to_string(r.kind)));
      }
      if (!bus1) return where.bad("bus1", "required");
      auto b1 = bus_ref(bus1, where, "bus1");
      if (!b1) return b1.error();
      BusId b2;
      if (r.bus2) {
        auto b = bus_ref(r.bus2, where, "bus2");
        if (!b) return b.error();
        b2 = *b;
      }
      auto e = model_.add_element(r.id, r.kind, *b1, b2);
      if (!e) return where.bad("id", e.error().message);
      Element& el = model_.element(*e);
      el.phases = r.phases;
      el.normally_open = r.normally_open;
      el.length_m = r.length_m;
      el.kv = r.kv;
      el.kv2 = r.kv2;
    }

    // Hosts, once every element exists (a host may come after its device; checked above).
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (rows[i].host) model_.element(ElementId(static_cast<std::uint32_t>(i))).host = model_.find_element(*rows[i].host);

    // Geometry: intermediate vertices, and bus positions the buses layer did not give.
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ElementRow& r = rows[i];
      ElementId id(static_cast<std::uint32_t>(i));
      const Element& e = model_.element(id);
      if (!e.is_branch() || r.line.size() < 2) continue;
      for (auto [bus, p] : {std::pair{e.bus1, r.line.front()}, {e.bus2, r.line.back()}}) {
        Bus& b = model_.bus(bus);
        if (!b.has_position) {
          b.position = p;
          b.has_position = true;
        }
      }
      if (r.line.size() > 2) model_.set_geometry(id, std::vector<Point>(r.line.begin() + 1, r.line.end() - 1));
    }
    return {};
  }

  // With `direct`, service points are added as they are (a customers layer follows); otherwise
  // each is a load for add_load_customers.
  Status read_service_points(Source& s, bool direct) {
    Fields fields(*s.layer, {"id", "bus", "phases", "kw"});
    return each(s, [&](OGRFeature& f, Where& where) -> Status {
      auto id = required_id(f, fields["id"], where);
      if (!id) return id.error();
      auto bus_name = key(f, fields["bus"]);
      if (!bus_name) return where.bad("bus", "required");
      BusId bus = model_.find_bus(*bus_name);
      if (!bus.valid()) return where.bad("bus", fmt::format("unknown bus '{}'", *bus_name));
      auto ph = phases(f, fields["phases"], where);
      if (!ph) return ph.error();
      auto kw = number(f, fields["kw"], where, "kw");
      if (!kw) return kw.error();
      auto pos = position(f, where);
      if (!pos) return pos.error();

      std::size_t first = model_.service_points().size();
      if (direct) {
        auto sp = model_.add_service_point(*id, bus);
        if (!sp) return where.bad("id", sp.error().message);
        ServicePoint& p = model_.service_point(*sp);
        p.phases = *ph;
        p.kw = static_cast<float>(kw->value_or(0));
      } else if (Status st = add_load_customers(model_, customer_file_, *id, bus, kw->value_or(0), *ph); !st) {
        return where.bad("id", st.error().message);
      }
      for (std::size_t i = first; i < model_.service_points().size(); ++i) {
        ServicePoint& p = model_.service_point(ServicePointId(static_cast<std::uint32_t>(i)));
        const Bus& b = model_.bus(bus);
        p.position = *pos ? **pos : b.position;
        p.has_position = pos->has_value();
      }
      return {};
    });
  }

  Status read_customers(Source& s) {
    Fields fields(*s.layer, {"id", "service_point", "class", "account", "name", "phone", "address"});
    return each(s, [&](OGRFeature& f, Where& where) -> Status {
      auto id = required_id(f, fields["id"], where);
      if (!id) return id.error();
      auto sp_name = key(f, fields["service_point"]);
      if (!sp_name) return where.bad("service_point", "required");
      ServicePointId sp = model_.find_service_point(*sp_name);
      if (!sp.valid()) return where.bad("service_point", fmt::format("unknown service point '{}'", *sp_name));
      CustomerClass klass = customer_class_for_load_kw(model_.service_point(sp).kw);
      if (auto c = key(f, fields["class"])) {
        auto parsed = customer_class_from_string(*c);
        if (!parsed)
          return where.bad("class", fmt::format("unknown class '{}' (residential, commercial, industrial, important, "
                                                "critical)",
                                                *c));
        klass = *parsed;
      }
      auto added = model_.add_customer(*id, sp);
      if (!added) return where.bad("id", added.error().message);
      Customer& c = model_.customer(*added);
      c.customer_class = klass;
      c.account = model_.store(text(f, fields["account"]).value_or(""));
      c.name = model_.store(text(f, fields["name"]).value_or(""));
      c.phone = model_.store(text(f, fields["phone"]).value_or(""));
      c.address = model_.store(text(f, fields["address"]).value_or(""));
      return {};
    });
  }

  Target target_;
  SrsPtr wgs84_ = make_wgs84();
  CustomerFile* customer_file_;
  GdalErrors& errors_;
  std::vector<GDALDatasetUniquePtr> datasets_;
  std::vector<Source> sources_;
  NetworkModel model_;
  int files_read_ = 0;
};

}  // namespace

Status write_gis(const NetworkModel& model, const std::string& path) {
  try {
    auto target = target_of(path);
    if (!target) return target.error();
    register_gdal();
    GdalErrors errors;
    return target->format == Format::gpkg ? write_gpkg(model, path, errors) : write_geojson(model, *target, errors);
  } catch (const std::exception& e) {
    return internal_error(fmt::format("{}: writing failed: {}", path, e.what()));
  } catch (...) {
    return internal_error(fmt::format("{}: writing failed with an unknown exception", path));
  }
}

Result<NetworkModel> read_gis(const std::string& path, CustomerFile* customers) {
  try {
    auto target = target_of(path);
    if (!target) return target.error();
    register_gdal();
    GdalErrors errors;
    Reader reader(std::move(*target), customers, errors);
    return reader.read();
  } catch (const std::exception& e) {
    return internal_error(fmt::format("{}: reading failed: {}", path, e.what()));
  } catch (...) {
    return internal_error(fmt::format("{}: reading failed with an unknown exception", path));
  }
}

}  // namespace outage
