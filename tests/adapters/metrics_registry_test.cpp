// The /metrics text, exactly as Prometheus reads it (exposition format 0.0.4).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

#include "adapters/metrics_registry.h"

namespace outage {
namespace {

TEST(MetricsRegistry, RendersTheTextFormatExactly) {
  MetricsRegistry m;
  m.counter("outage_http_requests_total", "HTTP requests answered.", {{"status", "200"}}).inc(3);
  m.counter("outage_http_requests_total", "HTTP requests answered.", {{"status", "413"}}).inc();
  m.gauge("outage_active_outages", "Outages not yet restored.").set(2);
  m.gauge("outage_journal_lag_seconds", "Age of the oldest uncommitted event.").set(0.25);
  m.counter("outage_events_total", "Events accepted, by type and source.",
            {{"type", "meter.power_off"}, {"source", "ami"}})
      .inc(1200);

  EXPECT_EQ(m.render(),
            "# HELP outage_active_outages Outages not yet restored.\n"
            "# TYPE outage_active_outages gauge\n"
            "outage_active_outages 2\n"
            "# HELP outage_events_total Events accepted, by type and source.\n"
            "# TYPE outage_events_total counter\n"
            "outage_events_total{source=\"ami\",type=\"meter.power_off\"} 1200\n"
            "# HELP outage_http_requests_total HTTP requests answered.\n"
            "# TYPE outage_http_requests_total counter\n"
            "outage_http_requests_total{status=\"200\"} 3\n"
            "outage_http_requests_total{status=\"413\"} 1\n"
            "# HELP outage_journal_lag_seconds Age of the oldest uncommitted event.\n"
            "# TYPE outage_journal_lag_seconds gauge\n"
            "outage_journal_lag_seconds 0.25\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  MetricsRegistry m;
  m.gauge("g", "line one\nback\\slash \"quotes\" stay", {{"path", "C:\\feeds\n\"x\""}}).set(-1.5);
  EXPECT_EQ(m.render(),
            "# HELP g line one\\nback\\\\slash \"quotes\" stay\n"
            "# TYPE g gauge\n"
            "g{path=\"C:\\\\feeds\\n\\\"x\\\"\"} -1.5\n");
}

TEST(MetricsRegistry, WritesSpecialValuesAsPrometheusDoes) {
  MetricsRegistry m;
  m.gauge("a", "h").set(std::numeric_limits<double>::infinity());
  m.gauge("b", "h").set(-std::numeric_limits<double>::infinity());
  m.gauge("c", "h").set(std::nan(""));
  m.gauge("d", "h").set(1e21);
  EXPECT_EQ(m.render(),
            "# HELP a h\n# TYPE a gauge\na +Inf\n"
            "# HELP b h\n# TYPE b gauge\nb -Inf\n"
            "# HELP c h\n# TYPE c gauge\nc NaN\n"
            "# HELP d h\n# TYPE d gauge\nd 1e+21\n");
}

TEST(MetricsRegistry, TheSameNameAndLabelsIsTheSameSeries) {
  MetricsRegistry m;
  Counter& a = m.counter("c_total", "h", {{"x", "1"}, {"y", "2"}});
  Counter& b = m.counter("c_total", "other help is ignored", {{"y", "2"}, {"x", "1"}});
  EXPECT_EQ(&a, &b);
  a.inc();
  b.inc(2);
  a.inc(-5);  // a counter only goes up
  EXPECT_EQ(a.value(), 3);
  Gauge& g = m.gauge("g", "h");
  g.inc();
  g.inc();
  g.dec();
  g.add(0.5);
  g.sub(0.25);
  EXPECT_EQ(g.value(), 1.25);
}

TEST(MetricsRegistry, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry m;
  Counter& c = m.counter("hits_total", "h");
  Gauge& g = m.gauge("level", "h");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        g.inc();
        m.counter("hits_total", "h").inc();  // looked up on the way, as a careless caller might
      }
    });
  std::string during = m.render();  // rendering while counting is safe
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 80000);
  EXPECT_EQ(g.value(), 40000);
  EXPECT_NE(during.find("# TYPE hits_total counter"), std::string::npos);
}

TEST(MetricsRegistry, CallbacksAreReadWhenRendering) {
  MetricsRegistry m;
  double open = 3;
  m.gauge_callback("open_connections", "Open HTTP connections.", {}, [&] { return open; });
  m.counter_callback("accepted_total", "Connections accepted.", {{"listener", "http"}}, [] { return 7.0; });
  open = 4;
  EXPECT_EQ(m.render(),
            "# HELP accepted_total Connections accepted.\n"
            "# TYPE accepted_total counter\n"
            "accepted_total{listener=\"http\"} 7\n"
            "# HELP open_connections Open HTTP connections.\n"
            "# TYPE open_connections gauge\n"
            "open_connections 4\n");
}

TEST(MetricsRegistry, MisuseIsAProgrammingError) {
  MetricsRegistry m;
  m.counter("x_total", "h");
  EXPECT_THROW(m.gauge("x_total", "h"), std::invalid_argument);          // another type
  EXPECT_THROW(m.counter("9lives", "h"), std::invalid_argument);         // invalid name
  EXPECT_THROW(m.counter("a-b", "h"), std::invalid_argument);
  EXPECT_THROW(m.counter("ok", "h", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(m.counter("ok", "h", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(m.counter("ok", "h", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  m.gauge_callback("cb", "h", {}, [] { return 1.0; });
  EXPECT_THROW(m.gauge("cb", "h"), std::invalid_argument);  // a callback series has no stored value
  EXPECT_NO_THROW(m.counter("ns:sub_total", "h"));
}

}  // namespace
}  // namespace outage
