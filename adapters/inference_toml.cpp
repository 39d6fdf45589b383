#include "adapters/inference_toml.h"

#include <fmt/format.h>

#include <set>
#include <toml++/toml.h>

namespace outage {
namespace {

struct Reader {
  std::string_view origin;
  std::optional<Error> error;

  void fail(std::string_view key, std::string_view reason) {
    if (!error) error = invalid_input(fmt::format("{}: inference.{}: {}", origin, key, reason));
  }

  void number(const toml::table& t, std::string_view key, double lo, double hi, double& out, std::string_view path) {
    const toml::node* n = t.get(key);
    if (!n) return;
    std::optional<double> v = n->value<double>();
    if (!v) return fail(path, "expected a number");
    if (*v < lo || *v > hi) return fail(path, fmt::format("must be within [{}, {}], got {}", lo, hi, *v));
    out = *v;
  }
  void seconds(const toml::table& t, std::string_view key, Duration& out, std::string_view path) {
    double s = std::chrono::duration<double>(out).count();
    number(t, key, 0, 30 * 86400, s, path);
    out = Duration(static_cast<std::int64_t>(s * 1000));
  }
  void integer(const toml::table& t, std::string_view key, int lo, int hi, int& out, std::string_view path) {
    const toml::node* n = t.get(key);
    if (!n) return;
    std::optional<std::int64_t> v = n->value<std::int64_t>();
    if (!v || !n->is_integer()) return fail(path, "expected an integer");
    if (*v < lo || *v > hi) return fail(path, fmt::format("must be within [{}, {}], got {}", lo, hi, *v));
    out = static_cast<int>(*v);
  }
  void only(const toml::table& t, std::initializer_list<std::string_view> keys, std::string_view prefix) {
    std::set<std::string_view> allowed(keys);
    for (const auto& [k, v] : t) {
      if (!allowed.count(k.str())) fail(fmt::format("{}{}", prefix, k.str()), "unknown key");
    }
  }
};

}  // namespace

Result<InferenceConfig> parse_inference_config(std::string_view text, std::string_view origin) {
  InferenceConfig c;
  toml::table t;
  try {
    t = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return invalid_input(fmt::format("{}: [inference]: {}", origin, e.description()));
  }
  Reader r{origin, {}};
  r.only(t, {"settle_s", "reclose_window_s", "live_window_s", "voltage_loss_ratio", "voltage_normal_low",
             "restore_share", "nested_grace_s", "ping_max_per_outage",
             "ping_repeat_after_s", "telemetered", "planned_notice_h", "temporary_notice_h", "record_early_s",
             "record_late_s", "thresholds", "trust"},
         "");
  r.seconds(t, "settle_s", c.settle, "settle_s");
  r.seconds(t, "reclose_window_s", c.reclose_window, "reclose_window_s");
  r.seconds(t, "live_window_s", c.live_window, "live_window_s");
  r.seconds(t, "nested_grace_s", c.nested_grace, "nested_grace_s");
  r.seconds(t, "ping_repeat_after_s", c.ping_repeat_after, "ping_repeat_after_s");
  r.seconds(t, "record_early_s", c.record_early, "record_early_s");
  r.seconds(t, "record_late_s", c.record_late, "record_late_s");
  r.number(t, "voltage_loss_ratio", 0, 1, c.voltage_loss_ratio, "voltage_loss_ratio");
  r.number(t, "voltage_normal_low", 0, 2, c.voltage_normal_low, "voltage_normal_low");
  r.number(t, "restore_share", 0.01, 1, c.restore_share, "restore_share");
  r.integer(t, "ping_max_per_outage", 0, 10000, c.ping_max_per_outage, "ping_max_per_outage");
  double planned_h = std::chrono::duration<double, std::ratio<3600>>(c.planned_notice).count();
  double temporary_h = std::chrono::duration<double, std::ratio<3600>>(c.temporary_notice).count();
  r.number(t, "planned_notice_h", 0, 24 * 365, planned_h, "planned_notice_h");
  r.number(t, "temporary_notice_h", 0, 24 * 365, temporary_h, "temporary_notice_h");
  c.planned_notice = Duration(static_cast<std::int64_t>(planned_h * 3600000));
  c.temporary_notice = Duration(static_cast<std::int64_t>(temporary_h * 3600000));
  if (const toml::node* n = t.get("telemetered")) {
    const toml::array* a = n->as_array();
    if (!a) {
      r.fail("telemetered", "expected an array of device ids");
    } else {
      for (const toml::node& item : *a) {
        auto s = item.value<std::string>();
        if (!s) r.fail("telemetered", "expected an array of device ids");
        else c.telemetered.push_back(*s);
      }
    }
  }
  if (const toml::node* n = t.get("thresholds")) {
    const toml::table* th = n->as_table();
    if (!th) {
      r.fail("thresholds", "expected a table");
    } else {
      r.only(*th, {"service_point", "transformer", "fuse", "recloser", "breaker"}, "thresholds.");
      for (int i = 0; i < kDeviceLevelCount; ++i) {
        std::string level(to_string(static_cast<DeviceLevel>(i)));
        const toml::table* lt = th->get_as<toml::table>(level);
        if (!lt) {
          if (th->get(level)) r.fail("thresholds." + level, "expected a table");
          continue;
        }
        r.only(*lt, {"min_evidence", "min_share"}, "thresholds." + level + ".");
        r.integer(*lt, "min_evidence", 1, 1000000, c.thresholds[i].min_evidence, "thresholds." + level + ".min_evidence");
        r.number(*lt, "min_share", 0, 1, c.thresholds[i].min_share, "thresholds." + level + ".min_share");
      }
    }
  }
  if (const toml::node* n = t.get("trust")) {
    const toml::table* tr = n->as_table();
    if (!tr) {
      r.fail("trust", "expected a table");
    } else {
      r.only(*tr, {"last_gasp", "iot_alarm", "ping_dead", "voltage_loss", "call"}, "trust.");
      r.number(*tr, "last_gasp", 0, 1, c.trust.last_gasp, "trust.last_gasp");
      r.number(*tr, "iot_alarm", 0, 1, c.trust.iot_alarm, "trust.iot_alarm");
      r.number(*tr, "ping_dead", 0, 1, c.trust.ping_dead, "trust.ping_dead");
      r.number(*tr, "voltage_loss", 0, 1, c.trust.voltage_loss, "trust.voltage_loss");
      r.number(*tr, "call", 0, 1, c.trust.call, "trust.call");
    }
  }
  if (r.error) return *r.error;
  return c;
}

}  // namespace outage
