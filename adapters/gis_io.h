// GIS exchange: a NetworkModel to and from GeoPackage and GeoJSON, through GDAL, so that a
// utility can bring its GIS export and look at ours in QGIS. docs/gis_format.md is the full
// schema (every layer, field, type, default and allowed value); this header is the contract.
//
// Format by extension (case-insensitive):
//   - `.gpkg`:    one GeoPackage holding the layers `buses`, `elements`, `service_points`,
//                 `customers` and `model`.
//   - `.geojson`: one GeoJSON file per layer beside each other, no folder: `net.geojson` stands
//                 for `net.buses.geojson`, `net.elements.geojson`, `net.service_points.geojson`,
//                 `net.customers.geojson` and `net.model.geojson` (the file `net.geojson` itself
//                 is neither written nor read). Naming one layer file (`net.buses.geojson`) is
//                 the same as naming the stem.
// Anything else is invalid_input.
//
// Coordinates: the layers carry EPSG:4326 when model.crs is WGS 84, no SRS otherwise (local
// coordinates, as given; GeoPackage srs_id -1). On read, the `model` layer's `crs` says what the
// coordinates are. Without it (a utility's export): a layer in another SRS (a state plane, UTM)
// is reprojected to WGS 84, once, here; a GeoPackage in EPSG:4326 is WGS 84; otherwise (no SRS,
// or GeoJSON, which GDAL always reports as WGS 84) the system is inferred from the numbers
// (geo/crs_inference.h).
//
// Round trip: write_gis then read_gis gives a model whose tables are identical, record for
// record and in order (ids, kinds, phases, states, references, kV, kW, lengths, positions,
// intermediate vertices, customer text). Not carried: the ImportReport; an empty model name
// (read back as the file's stem); intermediate vertices of elements that are not branches, and
// of a branch whose end bus has no position (the writer leaves such a branch's geometry out);
// phases of none (read back as ABC). In GeoJSON only, a text value that is itself a JSON object
// or array (`{...}`, `[...]`) comes back re-spaced, as GDAL 3.6 writes it as JSON; GeoPackage
// keeps all text exact.
//
// Errors (never throws; every GDAL error report, null return and exception is caught here):
//   - invalid_input: unknown extension; a file that is not a GeoPackage / GeoJSON; bad content,
//     the message naming file, layer, feature (FID and id) and field, e.g.
//     "net.gpkg: layer 'elements', feature 7 (id 'sw1'): field 'bus2': unknown bus 'b9'";
//   - not_found: read_gis of a path (or, for GeoJSON, of the `buses` layer file) that does not exist;
//   - unavailable: the file cannot be created, written or renamed into place (permissions, full
//     disk), with GDAL's or the OS's reason;
//   - internal: an unexpected GDAL failure (a driver missing, an exception).
// write_gis writes to a temporary file beside the target and renames it into place, so a failed
// write leaves an existing file untouched.
//
// Thread-safety: both functions may run concurrently on different paths (GDAL's error handler
// is pushed per thread).
#pragma once

#include <string>

#include "geo/customer_file.h"
#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

// Writes every table of `model` to `path` (replacing what is there). Returns ok, or an error as
// above.
Status write_gis(const NetworkModel& model, const std::string& path);

// Reads a model from `path`. Layers and fields are found by name, case-insensitively, in any
// order; extra layers and fields are ignored. Required: the `buses` and `elements` layers (either
// may be empty) and `service_points` if customers are wanted.
//
// Customers: a `customers` layer, when present, is taken as it is. When it is absent (a utility's
// export rarely carries one), each service point is treated as a load: with `customers`, the
// rows of that CustomerFile that name it give its meters and customers (add_load_customers), and
// a row naming no service point is invalid_input; without, it gets one customer named after it,
// with the class its kW gives (customer_class_for_load_kw: residential under 100 kW). A given
// `customers` file wins over a `customers` layer; the layer is then ignored with a warning in the
// model's report.
//
// Returns the model (name from the `model` layer, else the file's stem; report.files_read the
// number of files read; GDAL warnings in report.warnings), or an error as above.
Result<NetworkModel> read_gis(const std::string& path, CustomerFile* customers = nullptr);

}  // namespace outage
