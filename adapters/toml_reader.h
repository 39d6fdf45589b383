// TomlReader: reading TOML settings (the daemon's configuration, drill scenarios) with every
// mistake collected and named by its key: "file: key: reason", one per line.
#pragma once

#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "feeds/clock.h"
#include "feeds/rfc3339.h"

namespace outage {

// "a table", "a string", ... for messages.
std::string_view type_name(const toml::node& node);
// "prefix.key", or "key" without a prefix.
std::string join_key(std::string_view prefix, std::string_view key);
// UTC milliseconds of a civil date and time with an offset in minutes east of UTC.
Timestamp to_timestamp(int y, unsigned mo, unsigned d, int h, int mi, int s, std::int64_t ms, int offset_min);
// A duration written as "90s", "15m", "2h", "1h30m", "1d", "500ms" (optionally signed: "-24h").
std::optional<Duration> parse_duration(std::string_view text);

// Reads TOML tables into a program's settings, collecting every error with its key.
class TomlReader {
 public:
  explicit TomlReader(std::string_view origin) : origin_(origin) {}

  void error(std::string_view key, std::string_view reason) {
    errors_.push_back(fmt::format("{}: {}: {}", origin_, key, reason));
  }
  bool failed() const { return !errors_.empty(); }
  std::string message() const {
    std::string out;
    for (const auto& e : errors_) out += (out.empty() ? "" : "\n") + e;
    return out;
  }

  // Reports every key of `t` that is not in `known`.
  void only_known(const toml::table& t, std::string_view prefix, std::initializer_list<std::string_view> known) {
    for (auto&& [key, node] : t) {
      bool ok = false;
      for (auto k : known) ok = ok || k == key.str();
      if (ok) continue;
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      error(join_key(prefix, key.str()), fmt::format("unknown key (known here: {})", list));
    }
  }

  // The sub-table `key` of `t`, nullptr when absent (or reported when not a table).
  const toml::table* table(const toml::table& t, std::string_view prefix, std::string_view key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (const toml::table* tt = n->as_table()) return tt;
    error(join_key(prefix, key), fmt::format("expected a table ([{}]), got {}", join_key(prefix, key), type_name(*n)));
    return nullptr;
  }

  // The array of tables `key` ([[key]]), nullptr when absent (or reported).
  const toml::array* table_array(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    const toml::array* a = n->as_array();
    if (a != nullptr && a->is_array_of_tables()) return a;
    if (a != nullptr && a->empty()) return a;
    error(key, fmt::format("expected an array of tables ([[{}]]), got {}", key, type_name(*n)));
    return nullptr;
  }

  bool string(const toml::table& t, std::string_view prefix, std::string_view key, std::string& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    if (const auto* s = n->as_string()) {
      out = s->get();
      return true;
    }
    error(join_key(prefix, key), fmt::format("expected a string, got {}", type_name(*n)));
    return false;
  }

  bool boolean(const toml::table& t, std::string_view prefix, std::string_view key, bool& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    if (const auto* b = n->as_boolean()) {
      out = b->get();
      return true;
    }
    error(join_key(prefix, key), fmt::format("expected true or false, got {}", type_name(*n)));
    return false;
  }

  template <typename Int>
  bool integer(const toml::table& t, std::string_view prefix, std::string_view key, Int& out, std::int64_t min,
               std::int64_t max) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    const auto* i = n->as_integer();
    if (i == nullptr) {
      error(join_key(prefix, key), fmt::format("expected an integer from {} to {}, got {}", min, max, type_name(*n)));
      return false;
    }
    std::int64_t v = i->get();
    if (v < min || v > max) {
      error(join_key(prefix, key), fmt::format("expected an integer from {} to {}, got {}", min, max, v));
      return false;
    }
    out = static_cast<Int>(v);
    return true;
  }

  // A number of seconds > 0 (integer or decimal).
  bool seconds(const toml::table& t, std::string_view prefix, std::string_view key, double& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    std::optional<double> v;
    if (const auto* i = n->as_integer()) v = static_cast<double>(i->get());
    if (const auto* f = n->as_floating_point()) v = f->get();
    if (!v) {
      error(join_key(prefix, key), fmt::format("expected a number of seconds, got {}", type_name(*n)));
      return false;
    }
    if (!std::isfinite(*v) || *v <= 0) {
      error(join_key(prefix, key), fmt::format("expected a number of seconds above 0, got {}", *v));
      return false;
    }
    out = *v;
    return true;
  }

  bool number(const toml::node& n, std::string_view key, double& out) {
    if (const auto* i = n.as_integer()) {
      out = static_cast<double>(i->get());
      return true;
    }
    if (const auto* f = n.as_floating_point(); f != nullptr && std::isfinite(f->get())) {
      out = f->get();
      return true;
    }
    error(key, fmt::format("expected a number, got {}", type_name(n)));
    return false;
  }

  bool strings(const toml::table& t, std::string_view prefix, std::string_view key, std::vector<std::string>& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    const toml::array* a = n->as_array();
    if (a == nullptr) {
      error(join_key(prefix, key), fmt::format("expected an array of strings, got {}", type_name(*n)));
      return false;
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto* s = (*a)[i].as_string();
      if (s == nullptr) {
        error(fmt::format("{}[{}]", join_key(prefix, key), i), fmt::format("expected a string, got {}", type_name((*a)[i])));
        return false;
      }
      values.push_back(s->get());
    }
    out = std::move(values);
    return true;
  }

  // A duration: a string such as "90s", "15m", "1h30m", "-24h", or a number of seconds.
  bool duration(const toml::table& t, std::string_view prefix, std::string_view key, Duration& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    if (const auto* s = n->as_string()) {
      if (auto d = parse_duration(s->get())) {
        out = *d;
        return true;
      }
      error(join_key(prefix, key), fmt::format("expected a duration such as \"90s\", \"15m\" or \"1h30m\", got '{}'", s->get()));
      return false;
    }
    double seconds = 0;
    if ((n->as_integer() || n->as_floating_point()) && number(*n, join_key(prefix, key), seconds)) {
      out = Duration(static_cast<Duration::rep>(std::llround(seconds * 1000)));
      return true;
    }
    if (!n->as_integer() && !n->as_floating_point()) {
      error(join_key(prefix, key), fmt::format("expected a duration such as \"15m\", got {}", type_name(*n)));
    }
    return false;
  }

  // Any finite number (integer or decimal).
  bool real(const toml::table& t, std::string_view prefix, std::string_view key, double& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    return number(*n, join_key(prefix, key), out);
  }

  // An RFC 3339 time with a zone: a TOML offset date-time or a string.
  bool time(const toml::table& t, std::string_view prefix, std::string_view key, std::optional<Timestamp>& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    std::string k = join_key(prefix, key);
    if (const auto* dt = n->as_date_time()) {
      const toml::date_time& v = dt->get();
      if (!v.offset) {
        error(k, "expected a time with a zone (e.g. 2026-11-23T08:00:00+08:00), got a local date-time");
        return false;
      }
      out = to_timestamp(v.date.year, v.date.month, v.date.day, v.time.hour, v.time.minute, v.time.second,
                         v.time.nanosecond / 1000000, v.offset->minutes);
      return true;
    }
    if (const auto* s = n->as_string()) {
      if (auto ts = parse_rfc3339(s->get())) {
        out = *ts;
        return true;
      }
      error(k, fmt::format("expected an RFC 3339 time with a zone (e.g. 2026-11-23T08:00:00+08:00), got '{}'", s->get()));
      return false;
    }
    error(k, fmt::format("expected an RFC 3339 time with a zone, got {}", type_name(*n)));
    return false;
  }

 private:
  std::string origin_;
  std::vector<std::string> errors_;
};

}  // namespace outage
