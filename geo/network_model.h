// NetworkModel: the electric distribution network as the rest of the system sees it.
//
// Buses (electrical nodes) are joined by branch elements (line sections, switches, transformers,
// regulators, reactors, and breakers/reclosers/fuses/sectionalizers that a GIS models as
// branches). A protective device may instead be *mounted* on a branch (an OpenDSS Fuse on a Line):
// then it has a `host` and opening it opens the host. Sources (substation / feeder head supply)
// have one terminal. Loads become service points (meters); customers hang on service points.
//
// Invariants, kept by the add_* methods:
//   - every id is unique within its table and stored lower-case (ids are case-insensitive, as in
//     OpenDSS); lookups lower-case the query;
//   - every BusId / ElementId / ServicePointId stored in a record refers to an existing record;
//   - records are never removed, so ids stay dense indexes.
// A model is built once (importers, store) and then read. It is move-only because its records
// point into its own StringArena. Not thread-safe for writes; concurrent reads are fine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/error.h"
#include "geo/id_index.h"
#include "geo/string_arena.h"
#include "geo/strong_id.h"

namespace outage {

struct Point {
  double x = 0;
  double y = 0;
  bool operator==(const Point&) const = default;
};

enum class ElementKind : std::uint8_t {
  source,
  breaker,
  recloser,
  fuse,
  sectionalizer,
  switch_,  // manual load-break switch (normally open or closed)
  line,
  transformer,
  regulator,
  reactor,
};
inline constexpr int kElementKindCount = 10;

std::string_view to_string(ElementKind kind);
std::optional<ElementKind> element_kind_from_string(std::string_view text);

// Devices that interrupt fault current on their own (trip); the upstream chain lists these.
constexpr bool is_protective(ElementKind k) {
  return k == ElementKind::breaker || k == ElementKind::recloser || k == ElementKind::fuse ||
         k == ElementKind::sectionalizer;
}
// Devices whose state can be open or closed.
constexpr bool is_switchable(ElementKind k) { return is_protective(k) || k == ElementKind::switch_; }

enum class CustomerClass : std::uint8_t { residential, commercial, industrial, important, critical };
std::string_view to_string(CustomerClass c);
std::optional<CustomerClass> customer_class_from_string(std::string_view text);

// Default class of a load's customer when no customers file says otherwise, from the load's
// size: under 100 kW residential, under 500 kW commercial, otherwise industrial. Important and
// critical customers (hospitals, life support) cannot be told from size; a customers file names them.
CustomerClass customer_class_for_load_kw(double kw);

// Phases as a bit set: A = 1, B = 2, C = 4.
using Phases = std::uint8_t;
inline constexpr Phases kPhaseA = 1, kPhaseB = 2, kPhaseC = 4, kPhasesABC = 7;
std::string phases_to_string(Phases p);  // "ABC", "A", "" for none
std::optional<Phases> phases_from_string(std::string_view text);

// The model's coordinate system. Positions are stored as given; the CRS says how to read them.
struct CoordinateSystem {
  enum class Kind : std::uint8_t { none, wgs84, local };
  Kind kind = Kind::none;
  double metres_per_unit = 0;  // for local: 0.3048 for US feet, 1 for metres, 0 if schematic
  int srid() const { return kind == Kind::wgs84 ? 4326 : 0; }
  std::string describe() const;  // "EPSG:4326", "local (ft)", "local (m)", "schematic", "none"
  static std::optional<CoordinateSystem> parse(std::string_view text);  // inverse of describe()
  bool operator==(const CoordinateSystem&) const = default;
};

struct Bus {
  std::string_view id;
  Point position;
  bool has_position = false;
  float kv = 0;  // nominal line-to-line kV, 0 if unknown
};

struct Element {
  std::string_view id;  // unique; OpenDSS imports use "class.name", e.g. "line.sw7", "fuse.f1"
  ElementKind kind = ElementKind::line;
  Phases phases = kPhasesABC;
  bool normally_open = false;  // the shelf state; the live state is the Topology's
  BusId bus1;                  // for transformers, the higher-voltage side
  BusId bus2;                  // invalid for one-terminal elements (sources) and mounted devices
  ElementId host;              // for a device mounted on a branch: that branch
  float length_m = 0;          // 0 if unknown
  float kv = 0;                // nominal kV at bus1, 0 if unknown
  float kv2 = 0;               // nominal kV at bus2 (transformers), 0 if unknown
  bool is_branch() const { return bus2.valid() && !host.valid(); }
};

struct ServicePoint {
  std::string_view id;  // the meter id
  BusId bus;
  Phases phases = kPhasesABC;
  float kw = 0;
  Point position;  // defaults to the bus's position
  bool has_position = false;
};

struct Customer {
  std::string_view id;
  ServicePointId service_point;
  CustomerClass customer_class = CustomerClass::residential;
  std::string_view account;
  std::string_view name;
  std::string_view phone;
  std::string_view address;
};

// What an importer read and what it left out, so that nothing is skipped silently.
struct ImportReport {
  std::vector<std::pair<std::string, int>> skipped;   // element classes not modelled, with counts
  std::vector<std::pair<std::string, int>> ignored;   // commands and library data, with counts
  std::vector<std::string> warnings;                  // each names file and line
  int files_read = 0;
  void count_skipped(std::string_view what, int n = 1);
  void count_ignored(std::string_view what, int n = 1);
};

class NetworkModel {
 public:
  NetworkModel() = default;
  NetworkModel(NetworkModel&&) noexcept = default;
  NetworkModel& operator=(NetworkModel&&) noexcept = default;
  NetworkModel(const NetworkModel&) = delete;
  NetworkModel& operator=(const NetworkModel&) = delete;

  std::string name;
  CoordinateSystem crs;
  ImportReport report;

  // Builders. Each returns the new id, or invalid_input naming the duplicate / bad reference.
  // add_bus_or_get returns the existing bus when the id is already there.
  BusId add_bus_or_get(std::string_view id);
  Result<ElementId> add_element(std::string_view id, ElementKind kind, BusId bus1, BusId bus2);
  Result<ServicePointId> add_service_point(std::string_view id, BusId bus);
  Result<CustomerId> add_customer(std::string_view id, ServicePointId sp);
  // Bulk loading (the store, synthetic utilities): append_* add records without indexing them
  // or checking for duplicates; finish_bulk() then indexes every record at once, several times
  // faster than add_* for millions of records. Until finish_bulk(), find_* do not see appended
  // records. finish_bulk() returns invalid_input naming the first duplicate id.
  BusId append_bus(std::string_view id);
  ElementId append_element(std::string_view id, ElementKind kind, BusId bus1, BusId bus2);
  ServicePointId append_service_point(std::string_view id, BusId bus);
  CustomerId append_customer(std::string_view id, ServicePointId sp);
  Status finish_bulk();

  // Copies `text` into the model's arena (for Customer's text fields and the like).
  std::string_view store(std::string_view text) { return arena_.store(text); }
  void set_geometry(ElementId e, std::vector<Point> vertices);  // intermediate vertices of a line
  // Reserves the tables (not the indexes: bulk loads build those in finish_bulk()).
  void reserve(std::size_t buses, std::size_t elements, std::size_t service_points, std::size_t customers);

  // Tables.
  const std::vector<Bus>& buses() const { return buses_; }
  const std::vector<Element>& elements() const { return elements_; }
  const std::vector<ServicePoint>& service_points() const { return service_points_; }
  const std::vector<Customer>& customers() const { return customers_; }
  Bus& bus(BusId id) { return buses_[id.value()]; }
  const Bus& bus(BusId id) const { return buses_[id.value()]; }
  Element& element(ElementId id) { return elements_[id.value()]; }
  const Element& element(ElementId id) const { return elements_[id.value()]; }
  ServicePoint& service_point(ServicePointId id) { return service_points_[id.value()]; }
  const ServicePoint& service_point(ServicePointId id) const { return service_points_[id.value()]; }
  Customer& customer(CustomerId id) { return customers_[id.value()]; }
  const Customer& customer(CustomerId id) const { return customers_[id.value()]; }

  // Lookups by external id, case-insensitive. Return an invalid id when absent.
  BusId find_bus(std::string_view id) const;
  ElementId find_element(std::string_view id) const;
  ServicePointId find_service_point(std::string_view id) const;
  // Starts loading what find_service_point(id) will read, so that a loop over many ids can run
  // ahead of its lookups: step 0 (the index slot), then some lookups later step 1 (the record),
  // then step 2 (its id text). Changes nothing; any step may be skipped.
  void prefetch_service_point(std::string_view id, int step) const;
  CustomerId find_customer(std::string_view id) const;

  // The polyline of an element: bus1's position, any intermediate vertices, bus2's position
  // (ends without a position are left out). A mounted device answers with its host's line.
  // Empty for one-terminal elements without position.
  std::vector<Point> geometry(ElementId e) const;
  const std::vector<Point>* intermediate_vertices(ElementId e) const;

  // Counts by kind, for summaries and tests.
  int count(ElementKind kind) const;

 private:
  StringArena arena_;
  std::vector<Bus> buses_;
  std::vector<Element> elements_;
  std::vector<ServicePoint> service_points_;
  std::vector<Customer> customers_;
  IdIndex bus_index_;
  IdIndex element_index_;
  IdIndex service_point_index_;
  IdIndex customer_index_;
  std::unordered_map<std::uint32_t, std::vector<Point>> vertices_;
};

// Lower-cases ASCII letters; ids are compared in this form.
std::string to_lower(std::string_view text);

}  // namespace outage
