// The customers file: who is behind each load, in a documented CSV (docs/formats.md).
//
// Header (column order free, names case-insensitive; `customer` and `load` required):
//   customer,meter,load,class,account,name,phone,address
// - customer: the customer id (account holder), unique in the file.
// - meter:    the meter (service point) id; empty means the load's name. Rows that name the
//             same meter share one service point.
// - load:     the load (OpenDSS Load name, or GIS service-point layer id) the meter hangs on.
// - class:    residential | commercial | industrial | important | critical; empty means the
//             class derived from the load's size.
// - account, name, phone, address: free text (quote fields that hold commas, RFC 4180).
// Loads that no row names keep the default: one service point and one customer, both named
// after the load.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

struct CustomerRow {
  std::string customer;
  std::string meter;
  std::string load;  // lower-case
  std::optional<CustomerClass> customer_class;
  std::string account, name, phone, address;
  int line = 0;  // line number in the file, for errors
};

struct CustomerFile {
  std::string path;  // for error messages
  std::vector<CustomerRow> rows;
  // load (lower-case) -> indexes into rows
  std::unordered_map<std::string, std::vector<std::size_t>> by_load;
  std::vector<bool> used;  // set by add_load_customers
  std::unordered_map<std::string, std::string> meter_load;  // meter -> load, set by add_load_customers
};

// Parses the CSV text. On failure: invalid_input naming the path, line and field.
Result<CustomerFile> parse_customer_file(std::string_view text, std::string path);

// Splits one RFC 4180 CSV record starting at `pos`; advances `pos` past the record's line end.
// Returns nullopt on an unterminated quote.
std::optional<std::vector<std::string>> split_csv_record(std::string_view text, std::size_t& pos);

// Adds the service points and customers of one load: the rows of `file` that name `load`, or
// the default single service point and customer named after the load. The load's kW is split
// evenly over its service points. On failure (duplicate meter or customer id): invalid_input.
Status add_load_customers(NetworkModel& model, CustomerFile* file, std::string_view load, BusId bus,
                          double kw, Phases phases);

// After every load was added: invalid_input naming the first row whose load does not exist.
Status check_all_rows_used(const CustomerFile& file);

}  // namespace outage
