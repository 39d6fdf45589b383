#include "adapters/model_files.h"

#include <filesystem>
#include <fmt/format.h>

#include "adapters/filesystem_source.h"
#include "adapters/gis_io.h"
#include "geo/customer_file.h"
#include "geo/opendss_reader.h"

namespace outage {

Result<NetworkModel> open_model_file(const std::string& path, const ModelFileOptions& options) {
  std::optional<CustomerFile> customers;
  if (options.customers_csv) {
    auto text = read_text_file(*options.customers_csv);
    if (!text) return invalid_input(fmt::format("--customers: {}", text.error().message));
    auto parsed = parse_customer_file(*text, *options.customers_csv);
    if (!parsed) return parsed.error();
    customers = std::move(*parsed);
  }
  std::optional<CoordinateSystem> crs;
  if (options.crs) {
    crs = CoordinateSystem::parse(*options.crs);
    if (!crs)
      return invalid_input(fmt::format("--crs: '{}' is not one of EPSG:4326, local (ft), local (m), schematic, none",
                                       *options.crs));
  }
  std::string ext = to_lower(std::filesystem::path(path).extension().string());
  if (ext == ".gpkg" || ext == ".geojson") {
    auto model = read_gis(path, customers ? &*customers : nullptr);
    if (model && crs) model->crs = *crs;
    return model;
  }
  if (!FilesystemSource::resolve(path)) return not_found(fmt::format("no such file '{}'", path));
  FilesystemSource files;
  OpenDssOptions o;
  o.customers = customers ? &*customers : nullptr;
  o.extra_buscoords = options.buscoords;
  o.crs = crs;
  std::filesystem::path p(path);
  if (o.extra_buscoords && std::filesystem::path(*o.extra_buscoords).is_relative())
    o.extra_buscoords = std::filesystem::absolute(*o.extra_buscoords).string();
  auto model = read_opendss(files, std::filesystem::absolute(p).lexically_normal().string(), o);
  if (model && model->name.empty()) model->name = to_lower(p.stem().string());
  return model;
}

}  // namespace outage
