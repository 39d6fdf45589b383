#include "adapters/metrics_registry.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace outage {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view s) {
  if (s.empty() || is_digit(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_alpha(c) || is_digit(c) || c == '_' || c == ':'; });
}

// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved)
bool valid_label_name(std::string_view s) {
  if (s.empty() || is_digit(s.front()) || s.starts_with("__")) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

std::string escape_help(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_label_value(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// {a="1",b="2"} with the labels sorted by name; "" for none.
std::string label_text(std::string_view metric, MetricLabels labels) {
  if (labels.empty()) return {};
  std::sort(labels.begin(), labels.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto& [name, value] = labels[i];
    if (!valid_label_name(name))
      throw std::invalid_argument(fmt::format("metric {}: invalid label name '{}'", metric, name));
    if (i > 0 && labels[i - 1].first == name)
      throw std::invalid_argument(fmt::format("metric {}: label '{}' given twice", metric, name));
    if (i > 0) out += ',';
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  out += '}';
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

void Counter::inc(double by) {
  if (!(by > 0)) return;
  value_.fetch_add(by, std::memory_order_relaxed);
}

void Gauge::add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }

// Called with mu_ held.
MetricsRegistry::Series& MetricsRegistry::series(Type type, std::string_view name, std::string_view help,
                                                 const std::string& label_key) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}}).first;
  } else if (it->second.type != type) {
    throw std::invalid_argument(fmt::format("metric {} is registered as a {}", name,
                                            it->second.type == Type::counter ? "counter" : "gauge"));
  }
  return it->second.series[label_key];
}

std::string MetricsRegistry::checked_key(std::string_view name, const MetricLabels& labels) {
  if (!valid_metric_name(name)) throw std::invalid_argument(fmt::format("invalid metric name '{}'", name));
  return label_text(name, labels);
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, const MetricLabels& labels) {
  std::string key = checked_key(name, labels);
  std::lock_guard lock(mu_);
  Series& s = series(Type::counter, name, help, key);
  if (s.read) throw std::invalid_argument(fmt::format("metric {}: the series is a callback", name));
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
  std::string key = checked_key(name, labels);
  std::lock_guard lock(mu_);
  Series& s = series(Type::gauge, name, help, key);
  if (s.read) throw std::invalid_argument(fmt::format("metric {}: the series is a callback", name));
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

void MetricsRegistry::gauge_callback(std::string_view name, std::string_view help, const MetricLabels& labels,
                                     std::function<double()> read) {
  std::string key = checked_key(name, labels);
  std::lock_guard lock(mu_);
  Series& s = series(Type::gauge, name, help, key);
  if (s.gauge) throw std::invalid_argument(fmt::format("metric {}: the series is a stored gauge", name));
  s.read = std::move(read);
}

void MetricsRegistry::counter_callback(std::string_view name, std::string_view help, const MetricLabels& labels,
                                       std::function<double()> read) {
  std::string key = checked_key(name, labels);
  std::lock_guard lock(mu_);
  Series& s = series(Type::counter, name, help, key);
  if (s.counter) throw std::invalid_argument(fmt::format("metric {}: the series is a stored counter", name));
  s.read = std::move(read);
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n", name, escape_help(family.help));
    out += fmt::format("# TYPE {} {}\n", name, family.type == Type::counter ? "counter" : "gauge");
    for (const auto& [labels, s] : family.series) {
      double v = s.read ? s.read() : s.counter ? s.counter->value() : s.gauge ? s.gauge->value() : 0.0;
      out += name;
      out += labels;
      out += ' ';
      out += format_value(v);
      out += '\n';
    }
  }
  return out;
}

}  // namespace outage
