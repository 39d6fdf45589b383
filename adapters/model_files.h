// Opening a network model from a file, whatever its format: OpenDSS scripts (.dss, any case)
// through geo's reader, GeoPackage / GeoJSON through GDAL (adapters/gis_io.h).
#pragma once

#include <optional>
#include <string>

#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

struct ModelFileOptions {
  std::optional<std::string> customers_csv;  // docs/formats.md
  std::optional<std::string> buscoords;      // an extra OpenDSS BusCoords file
  std::optional<std::string> crs;            // CoordinateSystem::describe() text, overrides inference
};

Result<NetworkModel> open_model_file(const std::string& path, const ModelFileOptions& options = {});

}  // namespace outage
