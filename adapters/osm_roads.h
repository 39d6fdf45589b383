// OSM roads: a RoadGraph (geo/road_graph.h) read from an OpenStreetMap extract (.osm.pbf or
// .osm XML) with GDAL's OSM driver.
//
// What is read: the driver's `lines` layer (OSM ways that are not areas), and of it only the
// ways whose `highway` value is a drivable road class (RoadClass: motorway ... track) whose speed
// in `speeds` is above 0. Left out as well: ways tagged access=no, motor_vehicle=no or
// motorcar=no, and area=yes. Direction: oneway=yes/true/1 drives the way in its drawn order
// only, oneway=-1/reverse against it, oneway=no/false/0 both ways; without a oneway tag,
// motorways and roundabouts (junction=roundabout or circular) are one-way, everything else
// two-way. The tags other than `highway` come from the driver's `other_tags` field (GDAL's stock
// osmconf.ini), so no driver configuration is needed. Posted speeds (maxspeed) are not used:
// travel speed is by road class only.
//
// Junctions: ways are split into roads at every vertex that another way (or the same way, a
// second time) also passes through; OSM ways meet by sharing a node, so the vertices of a
// junction have identical coordinates (compared at OSM's 1e-7 degree resolution). Way ends are
// nodes too. A way that only crosses another without sharing a vertex (a bridge) is not joined
// to it.
//
// Errors (never throws; GDAL's reports are caught here): not_found for a path that does not
// exist; invalid_input for a file that is not an OSM extract (GDAL's OSM driver refuses it;
// the name must end in .osm or .pbf) and for an extract with no drivable roads, each message
// naming the file; internal for an unexpected GDAL failure.
//
// Thread-safety: may run concurrently on different files.
#pragma once

#include <string>

#include "geo/error.h"
#include "geo/road_graph.h"

namespace outage {

// The roads of the extract at `path`, finished with `speeds` (RoadGraph::finish) and with
// `source` set to the file's name (no folder). Returns the graph or an error as above.
Result<RoadGraph> read_osm_roads(const std::string& path, const RoadSpeeds& speeds = RoadSpeeds::defaults());

}  // namespace outage
