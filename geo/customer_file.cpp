#include "geo/customer_file.h"

#include <fmt/format.h>

namespace outage {

std::optional<std::vector<std::string>> split_csv_record(std::string_view text, std::size_t& pos) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  while (pos < text.size()) {
    char c = text[pos];
    if (quoted) {
      if (c == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          field += '"';
          pos += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      ++pos;
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ++pos;
      ++pos;
      fields.push_back(std::move(field));
      return fields;
    } else {
      field += c;
    }
    ++pos;
  }
  if (quoted) return std::nullopt;
  fields.push_back(std::move(field));
  return fields;
}

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<CustomerFile> parse_customer_file(std::string_view text, std::string path) {
  CustomerFile file;
  file.path = std::move(path);
  std::size_t pos = 0;
  int line = 0;
  if (text.starts_with("\xEF\xBB\xBF")) pos = 3;  // UTF-8 byte order mark
  auto header = split_csv_record(text, pos);
  ++line;
  if (!header || header->size() < 2) return invalid_input(fmt::format("{}:1: missing header", file.path));
  enum Column { customer, meter, load, klass, account, name, phone, address, count };
  static constexpr std::string_view kNames[count] = {"customer", "meter", "load", "class",
                                                     "account", "name", "phone", "address"};
  int index[count];
  std::fill(std::begin(index), std::end(index), -1);
  for (std::size_t i = 0; i < header->size(); ++i) {
    std::string h = to_lower(trim((*header)[i]));
    bool known = false;
    for (int c = 0; c < count; ++c)
      if (h == kNames[c]) {
        if (index[c] >= 0) return invalid_input(fmt::format("{}:1: column '{}' appears twice", file.path, h));
        index[c] = static_cast<int>(i);
        known = true;
      }
    if (!known) return invalid_input(fmt::format("{}:1: unknown column '{}'", file.path, h));
  }
  if (index[customer] < 0) return invalid_input(fmt::format("{}:1: column 'customer' is required", file.path));
  if (index[load] < 0) return invalid_input(fmt::format("{}:1: column 'load' is required", file.path));

  std::unordered_map<std::string, int> seen_customers;
  while (pos < text.size()) {
    ++line;
    auto fields = split_csv_record(text, pos);
    if (!fields) return invalid_input(fmt::format("{}:{}: unterminated quoted field", file.path, line));
    if (fields->size() == 1 && trim((*fields)[0]).empty()) continue;  // blank line
    if (fields->size() != header->size())
      return invalid_input(fmt::format("{}:{}: {} fields where the header has {}", file.path, line,
                                       fields->size(), header->size()));
    auto get = [&](Column c) { return index[c] < 0 ? std::string() : trim((*fields)[index[c]]); };
    CustomerRow row;
    row.line = line;
    row.customer = get(customer);
    row.meter = get(meter);
    row.load = to_lower(get(load));
    row.account = get(account);
    row.name = get(name);
    row.phone = get(phone);
    row.address = get(address);
    if (row.customer.empty()) return invalid_input(fmt::format("{}:{}: field 'customer' is empty", file.path, line));
    if (row.load.empty()) return invalid_input(fmt::format("{}:{}: field 'load' is empty", file.path, line));
    if (std::string c = get(klass); !c.empty()) {
      row.customer_class = customer_class_from_string(c);
      if (!row.customer_class)
        return invalid_input(fmt::format("{}:{}: field 'class': unknown class '{}' (residential, commercial, "
                                         "industrial, important, critical)",
                                         file.path, line, c));
    }
    auto [it, inserted] = seen_customers.emplace(to_lower(row.customer), line);
    if (!inserted)
      return invalid_input(fmt::format("{}:{}: field 'customer': duplicate customer '{}' (first on line {})",
                                       file.path, line, row.customer, it->second));
    file.by_load[row.load].push_back(file.rows.size());
    file.rows.push_back(std::move(row));
  }
  file.used.assign(file.rows.size(), false);
  return file;
}

Status add_load_customers(NetworkModel& model, CustomerFile* file, std::string_view load, BusId bus, double kw,
                          Phases phases) {
  const std::vector<std::size_t>* rows = nullptr;
  if (file) {
    auto it = file->by_load.find(to_lower(load));
    if (it != file->by_load.end()) rows = &it->second;
  }
  if (!rows) {
    auto sp = model.add_service_point(load, bus);
    if (!sp) return sp.error();
    ServicePoint& p = model.service_point(*sp);
    p.kw = static_cast<float>(kw);
    p.phases = phases;
    auto c = model.add_customer(load, *sp);
    if (!c) return c.error();
    model.customer(*c).customer_class = customer_class_for_load_kw(kw);
    return {};
  }
  // Count distinct meters first to split the load.
  std::vector<std::string> meters;
  for (std::size_t i : *rows) {
    std::string m = to_lower(file->rows[i].meter.empty() ? std::string(load) : file->rows[i].meter);
    if (std::find(meters.begin(), meters.end(), m) == meters.end()) meters.push_back(m);
  }
  double share = meters.empty() ? 0 : kw / static_cast<double>(meters.size());
  for (std::size_t i : *rows) {
    const CustomerRow& row = file->rows[i];
    file->used[i] = true;
    std::string meter = row.meter.empty() ? std::string(load) : row.meter;
    ServicePointId sp = model.find_service_point(meter);
    auto owner = file->meter_load.find(to_lower(meter));
    if (sp.valid() && (owner == file->meter_load.end() || owner->second != to_lower(load)))
      return invalid_input(fmt::format("{}:{}: field 'meter': meter '{}' already belongs to another load",
                                       file->path, row.line, meter));
    file->meter_load.emplace(to_lower(meter), to_lower(load));
    if (!sp.valid()) {
      auto added = model.add_service_point(meter, bus);
      if (!added) return invalid_input(fmt::format("{}:{}: {}", file->path, row.line, added.error().message));
      sp = *added;
      model.service_point(sp).kw = static_cast<float>(share);
      model.service_point(sp).phases = phases;
    }
    auto c = model.add_customer(row.customer, sp);
    if (!c) return invalid_input(fmt::format("{}:{}: {}", file->path, row.line, c.error().message));
    Customer& cust = model.customer(*c);
    cust.customer_class = row.customer_class.value_or(customer_class_for_load_kw(kw));
    cust.account = model.store(row.account);
    cust.name = model.store(row.name);
    cust.phone = model.store(row.phone);
    cust.address = model.store(row.address);
  }
  return {};
}

Status check_all_rows_used(const CustomerFile& file) {
  for (std::size_t i = 0; i < file.rows.size(); ++i)
    if (!file.used[i])
      return invalid_input(fmt::format("{}:{}: field 'load': unknown load '{}'", file.path, file.rows[i].line,
                                       file.rows[i].load));
  return {};
}

}  // namespace outage
