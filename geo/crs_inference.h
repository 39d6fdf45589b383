// Infers a model's coordinate system from its numbers, because OpenDSS files do not say.
//
// Rule: if every position lies within lon/lat bounds (|x| <= 180, |y| <= 90), the positions
// span under 5 degrees each way (a service territory, not a drawing), and, where lines
// have known lengths, the median ratio of straight-line coordinate distance to length is that of
// degrees to metres (1e-6 .. 1e-4), the model is WGS 84. Otherwise it is local; the median
// ratio (units per metre) tells feet (3.28 +- 5 %) or metres (1 +- 5 %); anything else is a
// schematic drawing with no scale. No positions: kind none.
#pragma once

#include "geo/network_model.h"

namespace outage {

CoordinateSystem infer_coordinate_system(const NetworkModel& model);

}  // namespace outage
