// A synthetic utility made by tiling a real feeder model: `copies` copies side by side on a
// grid, every id prefixed with "tN/" (N = 0 .. copies-1), each copy with its own source. Used to
// measure the system at the size of a mid-size utility (a million customers from ~850 copies
// of the IEEE 8500-node feeder) without inventing network data.
#pragma once

#include "geo/network_model.h"

namespace outage {

NetworkModel tile_model(const NetworkModel& base, int copies);

}  // namespace outage
