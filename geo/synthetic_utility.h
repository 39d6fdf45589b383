// A synthetic utility made by tiling a real feeder model: `copies` copies side by side on a
// grid, every id prefixed with "tN/" (N = 0 .. copies-1), each copy with its own source. Used to
// measure the system at the size of a mid-size utility (a million customers from ~850 copies
// of the IEEE 8500-node feeder) without inventing network data. The copies are laid out in
// the base's own units; a WGS 84 base gives a schematic result (degrees side by side are not
// a place on Earth).
#pragma once

#include "geo/network_model.h"

namespace outage {

NetworkModel tile_model(const NetworkModel& base, int copies);

}  // namespace outage
