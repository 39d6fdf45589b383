// MetricsRegistry: the daemon's counters and gauges, rendered for GET /metrics in the Prometheus
// text exposition format 0.0.4 (Debian has no prometheus-cpp; this is the small part we need).
//
// A metric family has a name, a help text and a type (counter or gauge); its series differ by
// their labels. Registration returns a reference that stays valid as long as the registry; the
// hot path then touches one atomic (inc, set) and takes no lock. Registering the same name and
// labels again returns the same object, so adapters may look their series up once at start.
//
// render() writes families sorted by name, each as
//   # HELP <name> <help, with \ and newline escaped>
//   # TYPE <name> counter|gauge
//   <name>{<label>="<value, with \, " and newline escaped>",...} <value>
// with a family's series sorted by their label text (labels sorted by name) and values written as
// the shortest text that reads back exactly ("3", "0.25", "+Inf", "NaN").
//
// Errors: an invalid metric or label name, a name registered with another type, or a label set
// with a repeated name are programming errors, found at start: std::invalid_argument.
//
// Thread-safety: everything may be called from any thread. Callbacks run during render() under
// the registry's lock: they must be quick and must not call the registry.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace outage {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Only goes up (reset only by a restart, as Prometheus expects).
class Counter {
 public:
  void inc(double by = 1.0);  // a negative `by` is ignored
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by);
  void sub(double by) { add(-by); }
  void inc() { add(1.0); }
  void dec() { add(-1.0); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class MetricsRegistry {
 public:
  // The content type of render()'s text, for the /metrics response.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // The series `name{labels}`, created at 0 on first use. The family's help is the first one given.
  Counter& counter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});

  // A series whose value is read when rendering (open connections, queue depth, a counter kept
  // elsewhere). Registering the same series again replaces its callback.
  void gauge_callback(std::string_view name, std::string_view help, const MetricLabels& labels,
                      std::function<double()> read);
  void counter_callback(std::string_view name, std::string_view help, const MetricLabels& labels,
                        std::function<double()> read);

  std::string render() const;

 private:
  enum class Type { counter, gauge };
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::function<double()> read;
  };
  struct Family {
    Type type = Type::counter;
    std::string help;
    std::map<std::string, Series> series;  // by rendered label text: "" or {a="1",b="2"}
  };
  static std::string checked_key(std::string_view name, const MetricLabels& labels);  // the label text
  Series& series(Type type, std::string_view name, std::string_view help, const std::string& label_key);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace outage
