#include "adapters/toml_reader.h"

namespace outage {

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::string join_key(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

Timestamp to_timestamp(int y, unsigned mo, unsigned d, int h, int mi, int s, std::int64_t ms, int offset_min) {
  using namespace std::chrono;
  sys_days date = year(y) / month(mo) / day(d);
  return time_point_cast<milliseconds>(date) + hours(h) + minutes(mi) + seconds(s) + milliseconds(ms) -
         minutes(offset_min);
}

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text.front() == '-' || text.front() == '+') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  while (!text.empty()) {
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    double value = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + i, value);
    if (ec != std::errc() || p != text.data() + i) return std::nullopt;
    text.remove_prefix(i);
    std::size_t j = 0;
    while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) ++j;
    const std::string_view unit = text.substr(0, j);
    text.remove_prefix(j);
    double ms = 0;
    if (unit == "ms") ms = 1;
    else if (unit == "s") ms = 1000;
    else if (unit == "m" || unit == "min") ms = 60'000;
    else if (unit == "h") ms = 3'600'000;
    else if (unit == "d") ms = 86'400'000;
    else return std::nullopt;
    total_ms += value * ms;
  }
  if (!std::isfinite(total_ms) || total_ms > 1e15) return std::nullopt;
  return Duration(static_cast<Duration::rep>(std::llround(negative ? -total_ms : total_ms)));
}

}  // namespace outage
