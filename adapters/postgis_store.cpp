#include "adapters/postgis_store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <pqxx/stream_from>
#include <stdexcept>
#include <thread>
#include <utility>

#include <libpq-fe.h>

#include "adapters/binary_copy.h"
#include "adapters/migrations.h"
#include "adapters/pq_error.h"

// A save sends its rows in COPY's binary format (adapters/binary_copy.h), which the server
// reads about 30 % faster than text.

namespace outage {

struct PostgisStore::Impl {
  explicit Impl(const std::string& dsn) : dsn(dsn), conn(dsn) {}
  std::string dsn;  // a save opens a second connection with it
  pqxx::connection conn;
};

namespace {

// Stored rows that cannot be turned back into a model (edited by hand, or a bug).
class StoredDataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `f`, turning every exception into an Error that starts with `what` (adapters/pq_error.h;
// a save aborted by SaveOptions::after_step throws Aborted with the hook's error).
template <typename F>
auto guarded(const std::string& what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const StoredDataError& e) {
    return internal_error(fmt::format("{}: stored data: {}", what, e.what()));
  } catch (...) {
    return current_pq_failure(what).error;
  }
}

// ---------------------------------------------------------------------------------------------
// Geometry as EWKB (little-endian): binary in a save's COPY; hex, the text form, in a load's.

constexpr std::uint32_t kWkbPoint = 1, kWkbLineString = 2, kWkbMultiPoint = 4;
constexpr std::uint32_t kEwkbSrid = 0x20000000, kEwkbZ = 0x80000000, kEwkbM = 0x40000000;

// Writes EWKB into a buffer that has room for it (max_bytes tells how much).
class Ewkb {
 public:
  static constexpr std::size_t max_bytes_point() { return 1 + 4 + 4 + 16; }
  static std::size_t max_bytes_line(std::size_t points) { return 1 + 4 + 4 + 4 + 16 * points; }
  static std::size_t max_bytes_multi_point(std::size_t points) {
    return 1 + 4 + 4 + 4 + points * max_bytes_point();
  }

  explicit Ewkb(char* out) : out_(out) {}
  char* end() const { return out_; }

  void point(Point p, int srid) {
    header(kWkbPoint, srid);
    coords(p);
  }
  void line_string(const std::vector<Point>& points, int srid) {
    header(kWkbLineString, srid);
    u32(static_cast<std::uint32_t>(points.size()));
    for (const Point& p : points) coords(p);
  }
  void multi_point(const std::vector<Point>& points, int srid) {
    header(kWkbMultiPoint, srid);
    u32(static_cast<std::uint32_t>(points.size()));
    for (const Point& p : points) point(p, 0);
  }

 private:
  void header(std::uint32_t type, int srid) {
    *out_++ = 1;  // byte order: little-endian
    if (srid != 0) {
      u32(type | kEwkbSrid);
      u32(static_cast<std::uint32_t>(srid));
    } else {
      u32(type);
    }
  }
  void coords(Point p) {
    bytes(std::bit_cast<std::uint64_t>(p.x), 8);
    bytes(std::bit_cast<std::uint64_t>(p.y), 8);
  }
  void u32(std::uint32_t v) { bytes(v, 4); }
  void bytes(std::uint64_t v, int n) {  // least significant byte first
    for (int i = 0; i < n; ++i, v >>= 8) *out_++ = static_cast<char>(v & 0xff);
  }
  char* out_;
};

constexpr std::array<std::int8_t, 256> make_hex_values() {
  std::array<std::int8_t, 256> v{};
  for (auto& x : v) x = -1;
  for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<std::int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    v['a' + i] = static_cast<std::int8_t>(10 + i);
    v['A' + i] = static_cast<std::int8_t>(10 + i);
  }
  return v;
}
constexpr std::array<std::int8_t, 256> kHexValues = make_hex_values();

// Reads the hex EWKB that PostGIS outputs for a POINT, LINESTRING or MULTIPOINT (2D).
class EwkbReader {
 public:
  // Appends the geometry's points to `out`.
  static void read(std::string_view hex, std::vector<Point>& out) {
    EwkbReader r(hex);
    r.geometry(out, true);
    if (r.pos_ != hex.size()) throw StoredDataError("trailing bytes after a geometry");
  }

 private:
  explicit EwkbReader(std::string_view hex) : hex_(hex) {}

  void geometry(std::vector<Point>& out, bool top) {
    little_ = byte() == 1;
    std::uint32_t type = u32();
    if (type & (kEwkbZ | kEwkbM)) throw StoredDataError("3D or measured geometry");
    if (type & kEwkbSrid) {
      if (!top) throw StoredDataError("SRID inside a multi-geometry");
      u32();
    }
    switch (type & 0xffff) {
      case kWkbPoint: out.push_back(coords()); break;
      case kWkbLineString:
        for (std::uint32_t n = u32(); n > 0; --n) out.push_back(coords());
        break;
      case kWkbMultiPoint:
        if (!top) throw StoredDataError("nested multi-geometry");
        for (std::uint32_t n = u32(); n > 0; --n) geometry(out, false);
        break;
      default: throw StoredDataError(fmt::format("unexpected geometry type {}", type & 0xffff));
    }
  }
  Point coords() {
    Point p;
    p.x = std::bit_cast<double>(u64());
    p.y = std::bit_cast<double>(u64());
    return p;
  }
  std::uint8_t byte() {
    if (pos_ + 2 > hex_.size()) throw StoredDataError("truncated geometry");
    int hi = kHexValues[static_cast<unsigned char>(hex_[pos_])];
    int lo = kHexValues[static_cast<unsigned char>(hex_[pos_ + 1])];
    if (hi < 0 || lo < 0) throw StoredDataError("geometry is not hex EWKB");
    pos_ += 2;
    return static_cast<std::uint8_t>(hi << 4 | lo);
  }
  std::uint64_t number(int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      std::uint64_t b = byte();
      v = little_ ? v | b << (8 * i) : v << 8 | b;
    }
    return v;
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(number(4)); }
  std::uint64_t u64() { return number(8); }

  std::string_view hex_;
  std::size_t pos_ = 0;
  bool little_ = true;
};

// One row of COPY ... TO STDOUT output, split into fields.
class CopyRow {
 public:
  // Splits `line` (which must outlive the row's use) into fields.
  void parse(std::string_view line, std::size_t expected_fields) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    fields_.clear();
    std::size_t start = 0;
    for (;;) {
      std::size_t tab = line.find('\t', start);
      fields_.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (fields_.size() != expected_fields)
      throw StoredDataError(fmt::format("row has {} fields, expected {}", fields_.size(), expected_fields));
  }

  bool is_null(std::size_t i) const { return fields_[i] == "\\N"; }
  // The field's text, unescaped; empty for NULL. Valid until the next call for the same field.
  std::string_view text(std::size_t i) {
    std::string_view raw = fields_[i];
    if (raw.find('\\') == std::string_view::npos) return raw;
    if (raw == "\\N") return {};
    std::string& out = scratch_[i];
    out.clear();
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] != '\\' || k + 1 == raw.size()) {
        out += raw[k];
        continue;
      }
      char c = raw[++k];
      switch (c) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        default: out += c;  // backslash itself, and any other character stands for itself
      }
    }
    return out;
  }
  std::int64_t integer(std::size_t i) const {
    std::int64_t v = 0;
    std::string_view f = fields_[i];
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (ec != std::errc() || end != f.data() + f.size())
      throw StoredDataError(fmt::format("'{}' is not an integer", f));
    return v;
  }
  float real(std::size_t i) const {
    float v = 0;
    std::string_view f = fields_[i];
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (ec != std::errc() || end != f.data() + f.size()) throw StoredDataError(fmt::format("'{}' is not a number", f));
    return v;
  }
  bool boolean(std::size_t i) const {
    if (fields_[i] == "t") return true;
    if (fields_[i] == "f") return false;
    throw StoredDataError(fmt::format("'{}' is not a boolean", fields_[i]));
  }
  // Appends the points of the geometry field (nothing for NULL).
  void points(std::size_t i, std::vector<Point>& out) const {
    if (!is_null(i)) EwkbReader::read(fields_[i], out);
  }

 private:
  std::vector<std::string_view> fields_;
  std::array<std::string, 16> scratch_;
};

// Streams `columns` of `table` (column 0 is `ord`) and calls handle(row) for each row in `ord`
// order 0, 1, 2, ... A table loaded once by COPY comes back in that order (synchronized scans are
// turned off for the load): rows that come early are kept aside and handled at the end.
template <typename Handle>
void read_in_order(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns,
                   std::size_t expected_rows, Handle&& handle) {
  pqxx::stream_from stream(tx, table, columns);
  std::string line;
  CopyRow row;
  std::int64_t next = 0;
  std::vector<std::pair<std::int64_t, std::string>> early;
  while (stream.get_raw_line(line)) {
    row.parse(line, columns.size());
    std::int64_t ord = row.integer(0);
    if (ord == next) {
      handle(row);
      ++next;
    } else {
      early.emplace_back(ord, std::move(line));
      line = std::string();
    }
  }
  stream.complete();
  std::sort(early.begin(), early.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [ord, text] : early) {
    if (ord != next) throw StoredDataError(fmt::format("{}: no row with ord {}", table, next));
    row.parse(text, columns.size());
    handle(row);
    ++next;
  }
  if (static_cast<std::size_t>(next) != expected_rows)
    throw StoredDataError(fmt::format("{}: {} rows, the models table says {}", table, next, expected_rows));
}

// ---------------------------------------------------------------------------------------------
// The model tables, in save and load order. Each saved model has its own partition of each:
// outage.<name>_p<part>.

struct TableSpec {
  const char* name;
  bool gist_index;                   // a GiST index on geom (buses have none: nothing queries them by place)
  std::vector<std::string> columns;  // as written and read, without `model`
};

const TableSpec kBuses{"buses", false, {"ord", "id", "kv", "geom"}};
const TableSpec kElements{"elements", true,
                          {"ord", "id", "kind", "phases", "normally_open", "bus1", "bus2", "host", "length_m", "kv",
                           "kv2", "geom", "vertices"}};
const TableSpec kServicePoints{"service_points", true, {"ord", "id", "bus", "phases", "kw", "geom"}};
const TableSpec kCustomers{"customers", false,
                           {"ord", "id", "service_point", "customer_class", "account", "name", "phone", "address"}};
const std::array<const TableSpec*, 4> kTables = {&kBuses, &kElements, &kServicePoints, &kCustomers};

std::string partition_name(const TableSpec& t, int part) { return fmt::format("outage.{}_p{}", t.name, part); }

// A geometry field of at most `max_bytes`, which `write(Ewkb&)` writes.
template <typename Write>
void geometry(BinaryCopyWriter& w, std::size_t max_bytes, Write&& write) {
  w.raw(max_bytes, [&](char* out) {
    Ewkb g(out);
    write(g);
    return g.end();
  });
}

void write_buses(BinaryCopyWriter& w, const NetworkModel& model, int srid) {
  std::int32_t ord = 0;
  for (const Bus& b : model.buses()) {
    w.integer(ord++);
    w.text(b.id);
    w.real(b.kv);
    if (b.has_position)
      geometry(w, Ewkb::max_bytes_point(), [&](Ewkb& g) { g.point(b.position, srid); });
    else
      w.null();
    w.end_row();
  }
}

void write_elements(BinaryCopyWriter& w, const NetworkModel& model, int srid) {
  std::vector<Point> line;
  const auto& elements = model.elements();
  for (std::uint32_t i = 0; i < elements.size(); ++i) {
    const Element& e = elements[i];
    w.integer(static_cast<std::int32_t>(i));
    w.text(e.id);
    w.text(to_string(e.kind));
    w.text(phases_to_string(e.phases));
    w.boolean(e.normally_open);
    w.text(model.bus(e.bus1).id);
    e.bus2.valid() ? w.text(model.bus(e.bus2).id) : w.null();
    e.host.valid() ? w.text(model.element(e.host).id) : w.null();
    w.real(e.length_m);
    w.real(e.kv);
    w.real(e.kv2);
    const std::vector<Point>* mid = model.intermediate_vertices(ElementId(i));
    if (e.is_branch()) {
      // bus1, vertices, bus2; the load strips the ends again, knowing which buses have positions.
      line.clear();
      if (model.bus(e.bus1).has_position) line.push_back(model.bus(e.bus1).position);
      if (mid) line.insert(line.end(), mid->begin(), mid->end());
      if (model.bus(e.bus2).has_position) line.push_back(model.bus(e.bus2).position);
      if (line.empty())
        w.null();
      else if (line.size() == 1)
        geometry(w, Ewkb::max_bytes_point(), [&](Ewkb& g) { g.point(line.front(), srid); });
      else
        geometry(w, Ewkb::max_bytes_line(line.size()), [&](Ewkb& g) { g.line_string(line, srid); });
      w.null();
    } else {
      const Bus& at = model.bus(e.bus1);
      if (at.has_position)
        geometry(w, Ewkb::max_bytes_point(), [&](Ewkb& g) { g.point(at.position, srid); });
      else
        w.null();
      if (mid && !mid->empty())
        geometry(w, Ewkb::max_bytes_multi_point(mid->size()), [&](Ewkb& g) { g.multi_point(*mid, srid); });
      else
        w.null();
    }
    w.end_row();
  }
}

void write_service_points(BinaryCopyWriter& w, const NetworkModel& model, int srid) {
  std::int32_t ord = 0;
  for (const ServicePoint& sp : model.service_points()) {
    w.integer(ord++);
    w.text(sp.id);
    w.text(model.bus(sp.bus).id);
    w.text(phases_to_string(sp.phases));
    w.real(sp.kw);
    if (sp.has_position)
      geometry(w, Ewkb::max_bytes_point(), [&](Ewkb& g) { g.point(sp.position, srid); });
    else
      w.null();
    w.end_row();
  }
}

void write_customers(BinaryCopyWriter& w, const NetworkModel& model) {
  std::int32_t ord = 0;
  for (const Customer& c : model.customers()) {
    w.integer(ord++);
    w.text(c.id);
    w.text(model.service_point(c.service_point).id);
    w.text(to_string(c.customer_class));
    w.text_or_null(c.account);
    w.text_or_null(c.name);
    w.text_or_null(c.phone);
    w.text_or_null(c.address);
    w.end_row();
  }
}

ElementKind kind_from_text(std::string_view text) {
  for (int k = 0; k < kElementKindCount; ++k)
    if (to_string(static_cast<ElementKind>(k)) == text) return static_cast<ElementKind>(k);
  throw StoredDataError(fmt::format("unknown element kind '{}'", text));
}

Phases phases_from_text(std::string_view text) {
  auto p = phases_from_string(text);
  if (!p) throw StoredDataError(fmt::format("bad phases '{}'", text));
  return *p;
}

BusId bus_from_text(const NetworkModel& model, std::string_view id) {
  BusId b = model.find_bus(id);
  if (!b.valid()) throw StoredDataError(fmt::format("unknown bus '{}'", id));
  return b;
}

template <typename T>
T value_or_throw(Result<T> r) {
  if (!r) throw StoredDataError(r.error().message);
  return std::move(r).value();
}

// The load appends records (NetworkModel::append_*) and indexes them in bulk: finish_bulk()
// after the buses, so that elements and service points can look their buses up, and again
// after the tables that later rows refer to.
void index_model(NetworkModel& model) {
  if (Status s = model.finish_bulk(); !s) throw StoredDataError(s.error().message);
}

void read_buses(pqxx::transaction_base& tx, int part, std::size_t rows, NetworkModel& model) {
  std::vector<Point> points;
  read_in_order(tx, partition_name(kBuses, part), kBuses.columns, rows, [&](CopyRow& row) {
    std::string_view id = row.text(1);
    Bus& bus = model.bus(model.append_bus(id));
    bus.kv = row.real(2);
    if (!row.is_null(3)) {
      points.clear();
      row.points(3, points);
      if (points.size() != 1) throw StoredDataError(fmt::format("bus '{}' is not a point", id));
      bus.position = points.front();
      bus.has_position = true;
    }
  });
}

// Returns the elements that are mounted on another, with their host's id, to be resolved once
// every element is indexed.
std::vector<std::pair<ElementId, std::string>> read_elements(pqxx::transaction_base& tx, int part, std::size_t rows,
                                                             NetworkModel& model) {
  std::vector<std::pair<ElementId, std::string>> hosts;
  std::vector<Point> points;
  read_in_order(tx, partition_name(kElements, part), kElements.columns, rows, [&](CopyRow& row) {
    std::string_view id = row.text(1);
    ElementKind kind = kind_from_text(row.text(2));
    BusId bus1 = bus_from_text(model, row.text(5));
    BusId bus2 = row.is_null(6) ? BusId() : bus_from_text(model, row.text(6));
    ElementId e = model.append_element(id, kind, bus1, bus2);
    Element& el = model.element(e);
    el.phases = phases_from_text(row.text(3));
    el.normally_open = row.boolean(4);
    if (!row.is_null(7)) hosts.emplace_back(e, std::string(row.text(7)));
    el.length_m = row.real(8);
    el.kv = row.real(9);
    el.kv2 = row.real(10);
    points.clear();
    if (bus2.valid() && row.is_null(7)) {
      // A branch: geom is bus1's position (if any), the vertices, bus2's position (if any).
      row.points(11, points);
      std::size_t front = model.bus(bus1).has_position ? 1 : 0;
      std::size_t back = model.bus(bus2).has_position ? 1 : 0;
      if (points.size() < front + back)
        throw StoredDataError(fmt::format("element '{}': geometry misses its ends", id));
      if (points.size() > front + back)
        model.set_geometry(e, std::vector<Point>(points.begin() + front, points.end() - back));
    } else {
      row.points(12, points);
      if (!points.empty()) model.set_geometry(e, points);
    }
  });
  return hosts;
}

void read_service_points(pqxx::transaction_base& tx, int part, std::size_t rows, NetworkModel& model) {
  std::vector<Point> points;
  read_in_order(tx, partition_name(kServicePoints, part), kServicePoints.columns, rows, [&](CopyRow& row) {
    std::string_view id = row.text(1);
    ServicePoint& sp = model.service_point(model.append_service_point(id, bus_from_text(model, row.text(2))));
    sp.phases = phases_from_text(row.text(3));
    sp.kw = row.real(4);
    if (!row.is_null(5)) {
      points.clear();
      row.points(5, points);
      if (points.size() != 1) throw StoredDataError(fmt::format("service point '{}' is not a point", id));
      sp.position = points.front();
      sp.has_position = true;
    }
  });
}

void read_customers(pqxx::transaction_base& tx, int part, std::size_t rows, NetworkModel& model) {
  read_in_order(tx, partition_name(kCustomers, part), kCustomers.columns, rows, [&](CopyRow& row) {
    std::string_view id = row.text(1);
    std::string_view sp_id = row.text(2);
    ServicePointId sp = model.find_service_point(sp_id);
    if (!sp.valid()) throw StoredDataError(fmt::format("customer '{}': unknown service point '{}'", id, sp_id));
    Customer& cu = model.customer(model.append_customer(id, sp));
    auto cls = customer_class_from_string(row.text(3));
    if (!cls) throw StoredDataError(fmt::format("customer '{}': unknown class '{}'", id, row.text(3)));
    cu.customer_class = *cls;
    auto stored = [&](std::size_t i) { return row.is_null(i) ? std::string_view() : model.store(row.text(i)); };
    cu.account = stored(4);
    cu.name = stored(5);
    cu.phone = stored(6);
    cu.address = stored(7);
  });
}

// ---------------------------------------------------------------------------------------------
// Saving (docs/database.md, "How a save works").

// For the index builds after the load: sort in memory when they can (a save runs two builds at
// a time, one on each of its connections), without parallel workers (the two connections keep
// both cores of the build machine busy already; with workers, the million-customer save took
// 24.7 s instead of 23.0 s, medians of nine).
constexpr const char* kIndexSettings =
    "SET LOCAL maintenance_work_mem = '512MB'; SET LOCAL max_parallel_maintenance_workers = 0";

// Creates outage.<table>_p<part>, the model's partition-to-be: a table like the parent, without
// indexes, whose `model` defaults to the model's name and is checked against it (the CHECK lets
// ATTACH PARTITION skip its validation scan); fills it with one COPY ... FREEZE (the table is
// new in this transaction). `stop`: once set, the copy stops at its next chunk (throws Aborted).
void create_and_copy(pqxx::dbtransaction& tx, const TableSpec& t, int part, const std::string& name_literal,
                     const NetworkModel& model, int srid, const std::atomic<bool>* stop = nullptr) {
  const std::string table = partition_name(t, part);
  tx.exec(fmt::format(
      "CREATE TABLE {0} (LIKE outage.{1} INCLUDING DEFAULTS);"
      "ALTER TABLE {0} ALTER COLUMN model SET DEFAULT {2}, ADD CHECK (model = {2})",
      table, t.name, name_literal));
  BinaryCopyOptions options;
  options.with = "FREEZE";  // the table is new in this transaction: its rows can be written frozen
  options.before_chunk = [stop] {
    if (stop && stop->load()) throw Aborted{internal_error("stopped")};
  };
  BinaryCopyWriter w(tx, table, fmt::format("{}", fmt::join(t.columns, ",")), static_cast<std::uint16_t>(t.columns.size()),
                     std::move(options));
  if (&t == &kBuses) write_buses(w, model, srid);
  if (&t == &kElements) write_elements(w, model, srid);
  if (&t == &kServicePoints) write_service_points(w, model, srid);
  if (&t == &kCustomers) write_customers(w, model);
  w.complete();
}

// Tables named like a model's partitions (outage.<table>_p<n>) that are not attached and belong
// to no model: what a save that crashed after its helper connection committed leaves behind.
// Call with outage.models locked (SHARE ROW EXCLUSIVE, as a save holds it throughout): then no
// save is under way, and every such table is an orphan.
std::vector<std::string> orphaned_tables(pqxx::transaction_base& tx) {
  std::vector<std::string> tables;
  for (const auto& row : tx.exec(
           "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
           " JOIN pg_namespace n ON n.oid = c.relnamespace"
           " WHERE n.nspname = 'outage' AND c.relkind = 'r' AND NOT c.relispartition"
           " AND c.relname ~ '^(buses|elements|service_points|customers)_p[0-9]+$'"
           " AND substring(c.relname FROM '_p([0-9]+)$')::bigint NOT IN (SELECT part FROM outage.models)"
           " ORDER BY 1"))
    tables.push_back(row[0].as<std::string>());
  return tables;
}

// Drops the orphaned tables (see above) in a transaction of its own. `lock_timeout` (a
// PostgreSQL interval; "0": as long as it takes) bounds the wait for a save under way; past it,
// lock_not_available (SQLSTATE 55P03), and nothing is dropped.
void drop_orphaned_tables(pqxx::connection& conn, std::string_view lock_timeout) {
  pqxx::work tx(conn);
  tx.exec(fmt::format("SET LOCAL lock_timeout = '{}'", lock_timeout));
  tx.exec("LOCK TABLE outage.models IN SHARE ROW EXCLUSIVE MODE");
  if (std::vector<std::string> tables = orphaned_tables(tx); !tables.empty())
    tx.exec(fmt::format("DROP TABLE {}", fmt::join(tables, ", ")));
  tx.commit();
}

// A save's second connection: runs jobs, each in a transaction of its own, one after the other,
// in a thread of its own, while the save's thread goes on with the save's transaction. A save
// thus keeps two server processes (two cores) busy. What a job commits is visible to the save's
// transaction but to no reader (tables that are not attached, under names that no `models`
// row points to); the save attaches it, or drops it if the save fails.
class HelperConnection {
 public:
  // One transaction's statements (the helper commits). `stop` is set when the save gives up.
  using Job = std::function<void(pqxx::work& tx, const std::atomic<bool>& stop)>;

  explicit HelperConnection(std::string dsn) : dsn_(std::move(dsn)) {}
  HelperConnection(const HelperConnection&) = delete;
  HelperConnection& operator=(const HelperConnection&) = delete;
  ~HelperConnection() { stop(nullptr); }

  // Starts a thread that connects, then runs `jobs` in order (connecting there spares the
  // caller the wait: about 15 ms with a password over TCP, a fifth of a small model's save).
  // Its error messages start with `what`.
  void start(std::vector<Job> jobs, std::string what) {
    thread_ = std::thread([this, jobs = std::move(jobs), what = std::move(what)] {
      Status status = guarded(what, [&]() -> Status {
        conn_.emplace(dsn_);
        conn_->set_client_encoding("UTF8");
        for (const Job& job : jobs) {
          if (stop_) return internal_error(what + ": stopped");
          pqxx::work tx(*conn_);
          pid_ = conn_->backendpid();  // libpqxx may have connected again since the last job
          job(tx, stop_);
          tx.commit();
          std::lock_guard lock(mutex_);
          ++committed_;
          changed_.notify_all();
        }
        return {};
      });
      std::lock_guard lock(mutex_);
      status_ = std::move(status);
      finished_ = true;
      changed_.notify_all();
    });
  }

  // Waits until the first `jobs` jobs have committed; else the error that ended the thread.
  Status wait(std::size_t jobs) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return committed_ >= jobs || finished_; });
    if (committed_ >= jobs) return {};
    return status_.ok() ? Status(internal_error("helper connection: fewer jobs than awaited")) : status_;
  }

  // Stops the jobs and waits for the thread: no further job starts, a COPY stops at its next
  // chunk, and the statement under way is cancelled through `canceller` (pg_cancel_backend;
  // best effort; none if null). The transaction under way is rolled back.
  void stop(pqxx::connection* canceller) {
    if (!thread_.joinable()) return;
    stop_ = true;
    bool finished;
    {
      std::lock_guard lock(mutex_);
      finished = finished_;
    }
    if (canceller && !finished && pid_ != 0) {
      try {
        pqxx::nontransaction tx(*canceller);
        tx.exec(fmt::format("SELECT pg_cancel_backend({})", pid_.load()));
      } catch (...) {
        // The statement runs to its end; the thread stops after it.
      }
    }
    thread_.join();
  }

  // The connection, for use once stopped; null if the thread could not connect.
  pqxx::connection* connection() { return conn_ ? &*conn_ : nullptr; }

 private:
  std::string dsn_;
  std::optional<pqxx::connection> conn_;  // made and used by the thread until it ends
  std::atomic<int> pid_{0};                // the server process of the job under way
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t committed_ = 0;  // guarded by mutex_, like the two below
  bool finished_ = false;
  Status status_;
};

// Serializes migrate() across processes (pg_advisory_xact_lock key; "outage" in ASCII).
constexpr std::int64_t kMigrationLock = 0x6f7574616765;

int recorded_version(pqxx::transaction_base& tx) {
  return tx.exec("SELECT coalesce(max(version), 0) FROM outage.schema_migrations")[0][0].as<int>();
}

}  // namespace

// -----------------------------------------------------------------------------------------------

PostgisStore::PostgisStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgisStore::PostgisStore(PostgisStore&&) noexcept = default;
PostgisStore& PostgisStore::operator=(PostgisStore&&) noexcept = default;
PostgisStore::~PostgisStore() = default;

Result<PostgisStore> PostgisStore::connect(const std::string& dsn) {
  return guarded("connect", [&]() -> Result<PostgisStore> {
    auto impl = std::make_unique<Impl>(dsn);
    impl->conn.set_client_encoding("UTF8");
    return PostgisStore(std::move(impl));
  });
}

Status PostgisStore::migrate() {
  return guarded("migrate", [&]() -> Status {
    {
      pqxx::work tx(impl_->conn);
      tx.exec(fmt::format("SELECT pg_advisory_xact_lock({})", kMigrationLock));
      tx.exec("CREATE SCHEMA IF NOT EXISTS outage");
      tx.exec(
          "CREATE TABLE IF NOT EXISTS outage.schema_migrations ("
          " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
      int current = recorded_version(tx);
      if (current > latest_schema_version())
        return Error{ErrorCode::conflict,
                     fmt::format("migrate: the database schema is version {}, newer than this program's {}", current,
                                 latest_schema_version())};
      tx.commit();
    }
    for (const Migration& m : migrations()) {
      pqxx::work tx(impl_->conn);
      tx.exec(fmt::format("SELECT pg_advisory_xact_lock({})", kMigrationLock));
      if (recorded_version(tx) >= m.version) continue;  // applied (perhaps by another process)
      try {
        tx.exec(std::string(m.sql));
      } catch (const pqxx::sql_error& e) {
        throw pqxx::sql_error(fmt::format("migration {} ({}): {}", m.version, m.name, trimmed(e.what())), e.query(),
                              e.sqlstate().c_str());
      }
      tx.exec_params("INSERT INTO outage.schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
                     m.version, std::string(m.name));
      tx.commit();
    }
    // Tables a crashed save left behind. If a save is under way, it has dropped them when it
    // started: do not wait for it.
    try {
      drop_orphaned_tables(impl_->conn, "1ms");
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != "55P03") throw;  // lock_not_available
    }
    return {};
  });
}

Result<int> PostgisStore::schema_version() {
  return guarded("schema_version", [&]() -> Result<int> {
    pqxx::read_transaction tx(impl_->conn);
    if (tx.exec("SELECT to_regclass('outage.schema_migrations')")[0][0].is_null()) return 0;
    return recorded_version(tx);
  });
}

Status PostgisStore::save_model(const NetworkModel& model, const std::string& name, const SaveOptions& options) {
  if (name.empty()) return invalid_input("save_model: the model name is empty");
  const std::string what = fmt::format("save_model '{}'", name);
  std::optional<HelperConnection> helper;
  Status saved = guarded(what, [&]() -> Status {
    auto step = [&](std::string_view done) {
      if (!options.after_step) return;
      if (Status s = options.after_step(done); !s) throw Aborted{s.error()};
    };
    const int srid = model.crs.srid();
    drop_orphaned_tables(impl_->conn, "0");

    pqxx::work tx(impl_->conn);
    tx.exec(kIndexSettings);
    // One save at a time (loads and list_models go on: they take no conflicting lock).
    tx.exec("LOCK TABLE outage.models IN SHARE ROW EXCLUSIVE MODE");
    const std::string literal = tx.quote(name);
    std::optional<int> old_part;
    if (auto r = tx.exec("SELECT part FROM outage.models WHERE name = " + literal); !r.empty())
      old_part = r[0][0].as<int>();
    const int part = tx.exec("SELECT nextval('outage.model_part_seq')")[0][0].as<int>();

    // The elements, half of the work, on the helper connection: COPY (committed: the table is
    // attached by this transaction at the end), then the GiST index. The jobs capture copies:
    // they may outlive this scope until save_model stops the helper.
    const std::string elements = partition_name(kElements, part);
    helper.emplace(impl_->dsn);
    helper->start({[&model, part, literal, srid](pqxx::work& htx, const std::atomic<bool>& stop) {
                     create_and_copy(htx, kElements, part, literal, model, srid, &stop);
                   },
                   [elements](pqxx::work& htx, const std::atomic<bool>&) {
                     htx.exec(kIndexSettings);
                     htx.exec(fmt::format("CREATE INDEX ON {} USING gist (geom)", elements));
                   }},
                  what);

    // The other tables, in this transaction, meanwhile.
    for (const TableSpec* t : {&kBuses, &kServicePoints, &kCustomers}) {
      const std::string table = partition_name(*t, part);
      create_and_copy(tx, *t, part, literal, model, srid);
      tx.exec(fmt::format("ALTER TABLE {} ADD PRIMARY KEY (id, model)", table));
      if (t->gist_index) tx.exec(fmt::format("CREATE INDEX ON {} USING gist (geom)", table));
      step(t->name);
    }
    // The elements' primary key, built here while the helper builds the GiST index (two CREATE
    // INDEX may run on a table at once; ADD PRIMARY KEY locks it exclusively, so it only adopts
    // the index once the helper is done).
    if (Status s = helper->wait(1); !s) throw Aborted{s.error()};
    const std::string pkey = fmt::format("{}_p{}_pkey", kElements.name, part);
    tx.exec(fmt::format("CREATE UNIQUE INDEX {} ON {} (id, model)", pkey, elements));
    if (Status s = helper->wait(2); !s) throw Aborted{s.error()};
    tx.exec(fmt::format("ALTER TABLE {0} ADD CONSTRAINT {1} PRIMARY KEY USING INDEX {1}", elements, pkey));
    step(kElements.name);

    tx.exec_params(
        "INSERT INTO outage.models (name, crs, srid, imported_at, bus_count, element_count, service_point_count,"
        " customer_count, part) VALUES ($1, $2, $3, now(), $4, $5, $6, $7, $8)"
        " ON CONFLICT (name) DO UPDATE SET crs = excluded.crs, srid = excluded.srid,"
        " imported_at = excluded.imported_at, bus_count = excluded.bus_count,"
        " element_count = excluded.element_count, service_point_count = excluded.service_point_count,"
        " customer_count = excluded.customer_count, part = excluded.part",
        name, model.crs.describe(), srid, static_cast<std::int64_t>(model.buses().size()),
        static_cast<std::int64_t>(model.elements().size()), static_cast<std::int64_t>(model.service_points().size()),
        static_cast<std::int64_t>(model.customers().size()), part);
    if (old_part) {
      std::string drop = "DROP TABLE ";
      for (const TableSpec* t : kTables) drop += partition_name(*t, *old_part) + (t == kTables.back() ? "" : ", ");
      tx.exec(drop);
    }
    for (const TableSpec* t : kTables)
      tx.exec(fmt::format("ALTER TABLE outage.{} ATTACH PARTITION {} FOR VALUES IN ({})", t->name,
                          partition_name(*t, part), literal));
    step("replace");
    tx.commit();
    return {};
  });
  if (helper) {
    // On failure, cancel the helper's statement through the main connection (its transaction
    // is over), then drop what the helper committed, as orphans: under the lock on
    // outage.models and only if no model uses them, which stays right if the commit failed
    // in doubt and went through. Through the helper's connection, or the main one if that is
    // lost (libpqxx reconnects either); if both fail, or another save holds the lock for
    // long, the next save or migrate() does it.
    helper->stop(saved ? nullptr : &impl_->conn);
    if (!saved) {
      for (pqxx::connection* conn : {helper->connection(), &impl_->conn}) {
        try {
          if (!conn) continue;
          drop_orphaned_tables(*conn, "5s");
          break;
        } catch (...) {
        }
      }
    }
  }
  return saved;
}

Result<NetworkModel> PostgisStore::load_model(const std::string& name) {
  return guarded(fmt::format("load_model '{}'", name), [&]() -> Result<NetworkModel> {
    for (int attempt = 1;; ++attempt) {
      pqxx::work tx(impl_->conn);
      auto r = tx.exec_params(
          "SELECT crs, bus_count, element_count, service_point_count, customer_count, part"
          " FROM outage.models WHERE name = $1",
          name);
      if (r.empty()) return not_found(fmt::format("no model named '{}' in the database", name));
      const int part = r[0][5].as<int>();
      // Saved partitions never change; a save that replaces them drops them, and our lock makes
      // it wait until we are done. If it committed between our SELECT and our LOCK, the
      // partitions are gone: read `models` again.
      std::string tables;
      for (const TableSpec* t : kTables) tables += (tables.empty() ? "" : ", ") + partition_name(*t, part);
      try {
        tx.exec("LOCK TABLE " + tables + " IN ACCESS SHARE MODE");
      } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() == "42P01" && attempt < 3) continue;  // undefined_table
        throw;
      }
      // Floats as exact text; tables read front to back (rows then come in `ord` order).
      tx.exec("SET LOCAL extra_float_digits = 3; SET LOCAL synchronize_seqscans = off");
      auto crs = CoordinateSystem::parse(r[0][0].c_str());
      if (!crs) throw StoredDataError(fmt::format("unknown crs '{}'", r[0][0].c_str()));
      auto count = [&](int column) { return r[0][column].as<std::size_t>(); };

      NetworkModel model;
      model.name = name;
      model.crs = *crs;
      model.reserve(count(1), count(2), count(3), count(4));
      read_buses(tx, part, count(1), model);
      index_model(model);  // elements and service points look their buses up
      auto hosts = read_elements(tx, part, count(2), model);
      read_service_points(tx, part, count(3), model);
      index_model(model);  // hosts and customers look elements and service points up
      for (auto& [e, host] : hosts) {
        ElementId h = model.find_element(host);
        if (!h.valid()) throw StoredDataError(fmt::format("unknown host element '{}'", host));
        model.element(e).host = h;
      }
      read_customers(tx, part, count(4), model);
      index_model(model);
      tx.commit();
      return model;
    }
  });
}

Result<std::vector<std::string>> PostgisStore::list_models() {
  return guarded("list_models", [&]() -> Result<std::vector<std::string>> {
    pqxx::read_transaction tx(impl_->conn);
    std::vector<std::string> names;
    for (const auto& row : tx.exec("SELECT name FROM outage.models ORDER BY name")) names.push_back(row[0].as<std::string>());
    return names;
  });
}

}  // namespace outage
