#include "dispatch/vrptw_instance.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <sstream>

namespace outage {

namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool number(std::string_view text, double& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size() && std::isfinite(out);
}

}  // namespace

double VrptwInstance::distance(int a, int b) const {
  const VrptwSite& p = sites[static_cast<std::size_t>(a)];
  const VrptwSite& q = sites[static_cast<std::size_t>(b)];
  return std::hypot(p.x - q.x, p.y - q.y);
}

Result<VrptwInstance> parse_solomon(std::string_view text, std::string_view origin) {
  VrptwInstance out;
  enum class Part { name, vehicle, vehicle_row, customer, rows } part = Part::name;
  int line_no = 0;
  auto error = [&](std::string_view reason) { return invalid_input(fmt::format("{}:{}: {}", origin, line_no, reason)); };
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    const std::vector<std::string_view> w = words(line);
    if (w.empty()) {
      if (end == text.size()) break;
      continue;
    }
    switch (part) {
      case Part::name:
        out.name = std::string(w[0]);
        part = Part::vehicle;
        break;
      case Part::vehicle:
        if (w[0] != "VEHICLE") return error(fmt::format("expected the VEHICLE block, got '{}'", w[0]));
        part = Part::vehicle_row;
        break;
      case Part::vehicle_row: {
        if (w[0] == "NUMBER") continue;
        double n = 0, c = 0;
        if (w.size() != 2 || !number(w[0], n) || !number(w[1], c) || n < 1 || n != std::floor(n) || c <= 0) {
          return error("expected the fleet: a vehicle count of 1 or more and a capacity above 0");
        }
        out.vehicles = static_cast<int>(n);
        out.capacity = c;
        part = Part::customer;
        break;
      }
      case Part::customer:
        if (w[0] != "CUSTOMER") return error(fmt::format("expected the CUSTOMER block, got '{}'", w[0]));
        part = Part::rows;
        break;
      case Part::rows: {
        if (w[0] == "CUST") continue;  // the header
        if (w.size() != 7) return error(fmt::format("expected 7 fields (number x y demand ready due service), got {}", w.size()));
        double v[7];
        for (int i = 0; i < 7; ++i) {
          if (!number(w[static_cast<std::size_t>(i)], v[i])) return error(fmt::format("field {} is not a number: '{}'", i + 1, w[static_cast<std::size_t>(i)]));
        }
        if (v[0] != static_cast<double>(out.sites.size())) {
          return error(fmt::format("expected site number {}, got {}", out.sites.size(), w[0]));
        }
        if (v[3] < 0) return error("a negative demand");
        if (v[5] < v[4]) return error(fmt::format("the time window closes ({}) before it opens ({})", w[5], w[4]));
        if (v[6] < 0) return error("a negative service time");
        out.sites.push_back({static_cast<int>(v[0]), v[1], v[2], v[3], v[4], v[5], v[6]});
        break;
      }
    }
    if (end == text.size()) break;
  }
  if (part != Part::rows) return invalid_input(fmt::format("{}: ends before its CUSTOMER rows", origin));
  if (out.sites.size() < 2) return invalid_input(fmt::format("{}: a depot and at least one customer are needed", origin));
  return out;
}

}  // namespace outage
