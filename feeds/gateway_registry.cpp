#include "feeds/gateway_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "geo/customer_file.h"

namespace outage {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Status GatewayRegistry::add(Gateway gateway) {
  gateway.id = lower(gateway.id);
  if (gateway.id.empty()) return invalid_input("gateway: empty id");
  int watched = (gateway.transformer.valid() ? 1 : 0) + (gateway.room.valid() ? 1 : 0) + (gateway.meters.empty() ? 0 : 1);
  if (watched != 1) {
    return invalid_input(fmt::format("gateway '{}': must watch exactly one of a transformer, a room or meters", gateway.id));
  }
  if (by_id_.count(gateway.id)) return invalid_input(fmt::format("gateway '{}': duplicate id", gateway.id));
  by_id_.emplace(gateway.id, gateways_.size());
  gateways_.push_back(std::move(gateway));
  return {};
}

const Gateway* GatewayRegistry::find(std::string_view id) const {
  auto it = by_id_.find(lower(id));
  return it == by_id_.end() ? nullptr : &gateways_[it->second];
}

Result<GatewayRegistry> GatewayRegistry::parse(std::string_view text, std::string_view path, const NetworkModel& model) {
  GatewayRegistry registry;
  std::size_t pos = 0;
  int line = 0;
  auto header = split_csv_record(text, pos);
  ++line;
  if (!header || header->empty() || (header->size() == 1 && trim((*header)[0]).empty())) {
    return invalid_input(fmt::format("{}: empty file (expected a header line)", path));
  }
  constexpr std::array<std::string_view, 8> kColumns = {"gateway", "site", "kind", "x", "y", "transformer", "room", "meters"};
  std::array<int, kColumns.size()> col;
  col.fill(-1);
  for (std::size_t i = 0; i < header->size(); ++i) {
    std::string name = lower(trim((*header)[i]));
    auto it = std::find(kColumns.begin(), kColumns.end(), name);
    if (it == kColumns.end()) return invalid_input(fmt::format("{}:1: unknown column '{}'", path, name));
    col[it - kColumns.begin()] = static_cast<int>(i);
  }
  if (col[0] < 0) return invalid_input(fmt::format("{}:1: missing column 'gateway'", path));
  if (col[5] < 0 && col[6] < 0 && col[7] < 0) {
    return invalid_input(fmt::format("{}:1: needs one of the columns 'transformer', 'room', 'meters'", path));
  }
  while (pos < text.size()) {
    auto record = split_csv_record(text, pos);
    ++line;
    if (!record) return invalid_input(fmt::format("{}:{}: unterminated quote", path, line));
    if (record->size() == 1 && trim((*record)[0]).empty()) continue;  // blank line
    auto field = [&](int c) -> std::string {
      int i = col[c];
      return i >= 0 && i < static_cast<int>(record->size()) ? trim((*record)[i]) : std::string();
    };
    Gateway g;
    g.id = field(0);
    g.site = field(1);
    g.kind = field(2).empty() ? "community" : field(2);
    if (g.id.empty()) return invalid_input(fmt::format("{}:{}: field 'gateway': empty", path, line));
    std::string xs = field(3), ys = field(4);
    if (!xs.empty() || !ys.empty()) {
      auto x = parse_number(xs), y = parse_number(ys);
      if (!x || !y) return invalid_input(fmt::format("{}:{}: fields 'x','y': expected two numbers, got '{}','{}'", path, line, xs, ys));
      g.position = Point{*x, *y};
    }
    if (std::string t = field(5); !t.empty()) {
      g.transformer = model.find_element(t);
      if (!g.transformer.valid() || model.element(g.transformer).kind != ElementKind::transformer) {
        return invalid_input(fmt::format("{}:{}: field 'transformer': unknown transformer '{}'", path, line, t));
      }
    }
    if (std::string r = field(6); !r.empty()) {
      g.room = model.find_bus(r);
      if (!g.room.valid()) return invalid_input(fmt::format("{}:{}: field 'room': unknown bus '{}'", path, line, r));
    }
    if (std::string m = field(7); !m.empty()) {
      std::string_view rest = m;
      while (!rest.empty()) {
        std::size_t cut = rest.find(';');
        std::string id = trim(rest.substr(0, cut));
        rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
        if (id.empty()) continue;
        ServicePointId sp = model.find_service_point(id);
        if (!sp.valid()) return invalid_input(fmt::format("{}:{}: field 'meters': unknown meter '{}'", path, line, id));
        g.meters.push_back(sp);
      }
    }
    if (Status s = registry.add(std::move(g)); !s) return invalid_input(fmt::format("{}:{}: {}", path, line, s.error().message));
  }
  return registry;
}

}  // namespace outage
