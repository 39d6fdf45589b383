// OpenDSS reader: builds a NetworkModel from an OpenDSS script (the IEEE test feeders and the
// models utilities export from their planning tools).
//
// Understood: New (also `New object=class.name`), Edit, More / `~`, the implicit edit
// `Class.Name.prop=value`, Redirect and Compile (recursive; paths bare, quoted, in () or []),
// BusCoords, Open / Close, Enable / Disable, Clear, `like=`, `xfmrcode=`, `enabled=`,
// `switch=yes` lines, Vsource / Circuit, Line, Transformer (any windings; a transformer that a
// RegControl names is a regulator), Reactor, Fuse, Recloser, Relay (a breaker), Load.
// Solver and report commands (Set, Solve, Calcvoltagebases, Interpolate, Show, Plot, ...) are
// ignored; library data (LineCode, WireData, XfmrCode, LoadShape, ...) is read only where it
// matters (line units, transformer codes); other elements (Capacitor, PVSystem, Generator,
// EnergyMeter, ...) are skipped. Both are counted in the model's ImportReport, never silent.
//
// Positions come from BusCoords files (`name, x, y`, commas or whitespace, `//` and `!`
// comments); they apply by bus name to the circuit as it stands at the end, also across a Clear
// (run scripts compile the same circuit twice and read BusCoords after the first). The
// coordinate system is inferred (see crs_inference.h) unless options say.
//
// Errors (invalid_input, message "file:line: reason"): a file that cannot be read, an element
// without buses, a duplicate name defined differently, a reference to an unknown element or
// code, a malformed number or bus. A duplicate defined identically is accepted with a warning
// (OpenDSS redefines it; the 8500-node Lines.dss defines WD701_48332_sw twice).
#pragma once

#include <optional>
#include <string>

#include "geo/customer_file.h"
#include "geo/error.h"
#include "geo/network_model.h"
#include "geo/source_files.h"

namespace outage {

struct OpenDssOptions {
  std::optional<std::string> extra_buscoords;  // a BusCoords file read after the script
  CustomerFile* customers = nullptr;           // who is behind each load; null: one per load
  std::optional<CoordinateSystem> crs;         // overrides the inference
};

// Reads `master` (a path for `files`) and everything it redirects to.
Result<NetworkModel> read_opendss(SourceFiles& files, const std::string& master, const OpenDssOptions& options = {});

}  // namespace outage
