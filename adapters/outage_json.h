// The outages as the API shows them: GET /v1/outages (a GeoJSON FeatureCollection) and
// GET /v1/outages/{id} (one Feature with its evidence). docs/api.md documents every field.
//
// Pure rendering: reads the engine, which the caller must own (the core strand) while rendering.
#pragma once

#include <nlohmann/json.hpp>

#include "feeds/outage_engine.h"

namespace outage {

// One outage as a GeoJSON Feature. `detail` adds the evidence list, restoration steps and the
// fault location hints (indicators, relay distance).
nlohmann::json outage_feature(const OutageEngine& engine, const Outage& o, bool detail);

// The outage records (planned, temporary, load shedding, disconnection) as a JSON array: scope
// sizes, times, and whether their notice came later than the service commitments require.
nlohmann::json record_list(const OutageEngine& engine, bool include_cancelled);

// The outages in `ids` as a FeatureCollection.
nlohmann::json outage_collection(const OutageEngine& engine, const std::vector<OutageId>& ids);

}  // namespace outage
