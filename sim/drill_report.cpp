#include "sim/drill_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include <fmt/format.h>

#include "feeds/rfc3339.h"

namespace outage {
namespace {

using nlohmann::json;

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json optional_json(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

json time_json(Timestamp t) { return t == kNoTime ? json(nullptr) : json(format_rfc3339(t)); }

// The score's keys, the same for the system (at the top level) and for each baseline.
json score_json(const DrillScore& s) {
  const DetectionScore& d = s.detection;
  const DispatchScore& p = s.dispatch;
  const EtrScore& e = s.etr;
  const ReliabilityScore& r = s.reliability;
  return json{
      {"detection",
       {{"precision", d.precision},
        {"recall", d.recall},
        {"median_delay_s", optional_json(d.median_delay_s)},
        {"faults", d.faults},
        {"detected", d.detected},
        {"predictions", d.predictions},
        {"false_predictions", d.false_predictions}}},
      {"dispatch",
       {{"arrivals_within_limit", p.arrivals_within_limit},
        {"median_arrival_min", optional_json(p.median_arrival_min)},
        {"median_dispatch_min", optional_json(p.median_dispatch_min)},
        {"faults_reached", p.faults_reached},
        {"faults_due", p.faults_due},
        {"tickets", p.tickets},
        {"breaches", p.breaches},
        {"breach_floor", optional_json(p.breach_floor)},
        {"truck_rolls", p.truck_rolls},
        {"wasted_truck_rolls", p.wasted_truck_rolls}}},
      {"etr",
       {{"mae_min", optional_json(e.mae_min)},
        {"within_30min", e.within_30min},
        {"answers", e.answers},
        {"without_etr", e.without_etr}}},
      {"reliability", {{"saifi", r.saifi}, {"saidi", r.saidi}, {"caidi", r.caidi}, {"maifi", r.maifi}}},
      {"customers_interrupted", s.customers_interrupted},
      {"customer_minutes", s.customer_minutes},
  };
}

// Where time is measured from: the drill's start, else the first sample.
Timestamp origin(const DrillReport& r) {
  if (r.start != kNoTime) return r.start;
  for (const OutSample& s : r.out) {
    if (s.at != kNoTime) return s.at;
  }
  return Timestamp{};
}

// The last moment to plot: the drill's end, else the last sample.
Timestamp finish(const DrillReport& r) {
  if (r.end != kNoTime) return r.end;
  Timestamp last = kNoTime;
  for (const OutSample& s : r.out) last = std::max(last, s.at);
  return last;
}

double minutes_between(Timestamp from, Timestamp to) { return static_cast<double>((to - from).count()) / 60000.0; }

std::string fraction(double v) { return fmt::format("{:.3f}", v); }
std::string decimal(const std::optional<double>& v) { return v ? fmt::format("{:.1f}", *v) : std::string("-"); }

// Customers out over time as one line of block characters, at most `width` wide; each character
// shows the largest count in its stretch of samples, ▁ for none and █ for the peak.
std::string sparkline(const std::vector<OutSample>& out, std::size_t width, std::uint64_t& peak) {
  static constexpr const char* kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  peak = 0;
  for (const OutSample& s : out) peak = std::max(peak, s.truth);
  const std::size_t n = out.size();
  const std::size_t cells = std::min(n, width);
  std::string line;
  for (std::size_t i = 0; i < cells; ++i) {
    std::uint64_t v = 0;
    for (std::size_t j = i * n / cells; j < (i + 1) * n / cells; ++j) v = std::max(v, out[j].truth);
    int level = 0;
    if (peak > 0 && v > 0) {
      level = std::clamp(static_cast<int>(std::ceil(static_cast<double>(v) / static_cast<double>(peak) * 7.0)), 1, 7);
    }
    line += kBlocks[level];
  }
  return line;
}

// A tick step of 1, 2 or 5 times a power of ten giving at most `ticks` steps over `span`.
double nice_step(double span, int ticks) {
  if (span <= 0) return 1;
  const double raw = span / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10 * magnitude;
}

// An hour step that reads on a clock: quarter and half hours, 1, 2, 3, 6, 12 hours, then days.
double hour_step(double span_hours, int ticks) {
  for (double h : {0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0}) {
    if (span_hours / h <= ticks) return h;
  }
  return 24.0 * std::max(1.0, nice_step(span_hours / 24.0, ticks));
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

json report_json(const DrillReport& report) {
  json j = score_json(report.system);
  j["scenario"] = report.scenario;
  j["model"] = report.model;
  j["seed"] = report.seed;
  j["start"] = time_json(report.start);
  j["end"] = time_json(report.end);
  j["mode"] = report.mode;
  j["dispatcher"] = report.dispatcher;
  json events = json::object();
  for (int i = 0; i < kEventTypeCount; ++i) {
    if (report.events[i] != 0) events[std::string(to_string(static_cast<EventType>(i)))] = report.events[i];
  }
  j["events"] = std::move(events);
  j["faults"] = {{"total", report.faults}, {"momentary", report.momentary_faults}};
  j["rejected"] = report.rejected;
  json baselines = json::object();
  for (const auto& [name, s] : report.baselines) baselines[name] = score_json(s);
  j["baselines"] = std::move(baselines);
  json out = json::array();
  const Timestamp t0 = origin(report);
  for (const OutSample& s : report.out) {
    if (s.at == kNoTime) continue;
    out.push_back(json::array({minutes_between(t0, s.at), s.truth, s.system}));
  }
  j["customers_out"] = std::move(out);
  return j;
}

std::string report_table(const DrillReport& report) {
  struct Row {
    const char* label;
    std::function<std::string(const DrillScore&)> value;
  };
  const std::vector<std::pair<const char*, std::vector<Row>>> sections = {
      {"detection",
       {{"precision", [](const DrillScore& s) { return fraction(s.detection.precision); }},
        {"recall", [](const DrillScore& s) { return fraction(s.detection.recall); }},
        {"median delay (s)", [](const DrillScore& s) { return decimal(s.detection.median_delay_s); }},
        {"sustained faults", [](const DrillScore& s) { return fmt::format("{}", s.detection.faults); }},
        {"detected", [](const DrillScore& s) { return fmt::format("{}", s.detection.detected); }},
        {"predictions", [](const DrillScore& s) { return fmt::format("{}", s.detection.predictions); }},
        {"false predictions", [](const DrillScore& s) { return fmt::format("{}", s.detection.false_predictions); }}}},
      {"dispatch",
       {{"arrivals within limit", [](const DrillScore& s) { return fraction(s.dispatch.arrivals_within_limit); }},
        {"median arrival (min)", [](const DrillScore& s) { return decimal(s.dispatch.median_arrival_min); }},
        {"median dispatch (min)", [](const DrillScore& s) { return decimal(s.dispatch.median_dispatch_min); }},
        {"faults reached", [](const DrillScore& s) { return fmt::format("{}", s.dispatch.faults_reached); }},
        {"faults due", [](const DrillScore& s) { return fmt::format("{}", s.dispatch.faults_due); }},
        {"tickets", [](const DrillScore& s) { return fmt::format("{}", s.dispatch.tickets); }},
        {"breaches", [](const DrillScore& s) { return fmt::format("{}", s.dispatch.breaches); }},
        {"breach floor", [](const DrillScore& s) { return s.dispatch.breach_floor ? fmt::format("{}", *s.dispatch.breach_floor) : std::string("-"); }},
        {"truck rolls", [](const DrillScore& s) { return fmt::format("{}", s.dispatch.truck_rolls); }},
        {"wasted truck rolls", [](const DrillScore& s) { return fmt::format("{}", s.dispatch.wasted_truck_rolls); }}}},
      {"etr",
       {{"mean abs error (min)", [](const DrillScore& s) { return decimal(s.etr.mae_min); }},
        {"within 30 min", [](const DrillScore& s) { return fraction(s.etr.within_30min); }},
        {"answers", [](const DrillScore& s) { return fmt::format("{}", s.etr.answers); }},
        {"without etr", [](const DrillScore& s) { return fmt::format("{}", s.etr.without_etr); }}}},
      {"reliability",
       {{"SAIFI", [](const DrillScore& s) { return fmt::format("{:.4f}", s.reliability.saifi); }},
        {"SAIDI (min)", [](const DrillScore& s) { return fmt::format("{:.2f}", s.reliability.saidi); }},
        {"CAIDI (min)", [](const DrillScore& s) { return fmt::format("{:.2f}", s.reliability.caidi); }},
        {"MAIFI", [](const DrillScore& s) { return fmt::format("{:.4f}", s.reliability.maifi); }},
        {"customers interrupted", [](const DrillScore& s) { return fmt::format("{}", s.customers_interrupted); }},
        {"customer minutes", [](const DrillScore& s) { return fmt::format("{:.0f}", s.customer_minutes); }}}},
  };

  std::vector<std::pair<std::string, const DrillScore*>> columns = {{"system", &report.system}};
  for (const auto& [name, s] : report.baselines) columns.emplace_back(name, &s);
  constexpr int kLabelWidth = 26;
  auto column_width = [](const std::string& name) { return std::max<int>(12, static_cast<int>(name.size()) + 2); };

  const Timestamp t0 = origin(report), t1 = finish(report);
  const double hours = t1 == kNoTime || t1 <= t0 ? 0.0 : minutes_between(t0, t1) / 60.0;
  std::uint64_t events = 0;
  for (std::uint64_t n : report.events) events += n;

  std::string t = fmt::format("drill {} (model {}), seed {}, {} to {} ({:.1f} h)\n", report.scenario, report.model,
                              report.seed, report.start == kNoTime ? "-" : format_rfc3339(report.start),
                              report.end == kNoTime ? "-" : format_rfc3339(report.end), hours);
  t += fmt::format("mode {}, dispatcher {}, {} events sent, {} faults ({} momentary)\n", report.mode,
                   report.dispatcher, events, report.faults, report.momentary_faults);
  if (report.rejected > 0) t += fmt::format("{} events refused by the system; the first: {}\n", report.rejected, report.first_rejection);
  t += "\n";
  std::string rule(kLabelWidth, '-');
  t += fmt::format("{:<{}}", "metric", kLabelWidth);
  for (const auto& [name, s] : columns) {
    t += fmt::format("{:>{}}", name, column_width(name));
    rule += std::string(column_width(name), '-');
  }
  t += "\n" + rule + "\n";
  for (const auto& [section, rows] : sections) {
    t += fmt::format("{}\n", section);
    for (const Row& row : rows) {
      t += fmt::format("  {:<{}}", row.label, kLabelWidth - 2);
      for (const auto& [name, s] : columns) t += fmt::format("{:>{}}", row.value(*s), column_width(name));
      t += "\n";
    }
  }
  std::uint64_t peak = 0;
  const std::string line = sparkline(report.out, 72, peak);
  t += fmt::format("\ncustomers out (truth, peak {}): {}\n", peak, line);
  return t;
}

std::string report_svg(const DrillReport& report) {
  constexpr double kWidth = 720, kHeight = 300;
  constexpr double kLeft = 64, kRight = 16, kTop = 28, kBottom = 40;
  constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;

  const Timestamp t0 = origin(report), t1 = finish(report);
  double span_hours = t1 == kNoTime || t1 <= t0 ? 0.0 : minutes_between(t0, t1) / 60.0;
  if (span_hours <= 0) span_hours = 1;
  std::uint64_t peak = 0;
  for (const OutSample& s : report.out) peak = std::max({peak, s.truth, s.system});
  const double y_step = std::max(1.0, std::ceil(nice_step(static_cast<double>(std::max<std::uint64_t>(peak, 1)), 5)));
  const double y_top = std::max(y_step, std::ceil(static_cast<double>(peak) / y_step) * y_step);
  const double x_step = hour_step(span_hours, 8);

  auto x_of = [&](double hours) { return kLeft + std::clamp(hours / span_hours, 0.0, 1.0) * kPlotWidth; };
  auto y_of = [&](double customers) { return kTop + kPlotHeight - std::clamp(customers / y_top, 0.0, 1.0) * kPlotHeight; };

  std::string truth_points, system_points;
  for (const OutSample& s : report.out) {
    if (s.at == kNoTime) continue;
    const double x = x_of(minutes_between(t0, s.at) / 60.0);
    const char* sep = truth_points.empty() ? "" : " ";
    truth_points += fmt::format("{}{:.1f},{:.1f}", sep, x, y_of(static_cast<double>(s.truth)));
    system_points += fmt::format("{}{:.1f},{:.1f}", sep, x, y_of(static_cast<double>(s.system)));
  }

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n",
      kWidth, kHeight);
  const std::string title = xml_escape(fmt::format("Customers out: {} (seed {})", report.scenario, report.seed));
  svg += fmt::format("<title>{}</title>\n", title);
  svg += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"white\"/>\n", kWidth, kHeight);
  svg += fmt::format("<text x=\"{}\" y=\"16\" font-size=\"13\">{}</text>\n", kLeft, title);

  // Axes, with ticks: hours from the start along the bottom, customers up the left.
  svg += fmt::format("<g stroke=\"#888\" fill=\"none\"><path d=\"M{0},{1} V{2} H{3}\"/></g>\n", kLeft, kTop,
                     kTop + kPlotHeight, kLeft + kPlotWidth);
  svg += "<g fill=\"#444\">\n";
  for (double h = 0; h <= span_hours + 1e-9; h += x_step) {
    const double x = x_of(h);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#888\"/>", x,
                       kTop + kPlotHeight, kTop + kPlotHeight + 4);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n", x, kTop + kPlotHeight + 16, h);
  }
  for (double c = 0; c <= y_top + 1e-9; c += y_step) {
    const double y = y_of(c);
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>", kLeft, y,
                       kLeft + kPlotWidth);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:.0f}</text>\n", kLeft - 6, y + 4, c);
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">hours from start</text>\n",
                     kLeft + kPlotWidth / 2, kHeight - 6);
  svg += fmt::format("<text x=\"14\" y=\"{0:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {0:.1f})\">"
                     "customers out</text>\n",
                     kTop + kPlotHeight / 2);
  svg += "</g>\n";

  svg += fmt::format("<polyline fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\" points=\"{}\"/>\n", truth_points);
  svg += fmt::format(
      "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\" points=\"{}\"/>\n",
      system_points);

  // The legend, top right.
  const double lx = kLeft + kPlotWidth - 110, ly = kTop + 8;
  svg += fmt::format(
      "<g><rect x=\"{0}\" y=\"{1}\" width=\"104\" height=\"38\" fill=\"white\" stroke=\"#ccc\"/>"
      "<line x1=\"{2}\" y1=\"{3}\" x2=\"{4}\" y2=\"{3}\" stroke=\"#222\" stroke-width=\"1.5\"/>"
      "<text x=\"{5}\" y=\"{6}\">truth</text>"
      "<line x1=\"{2}\" y1=\"{7}\" x2=\"{4}\" y2=\"{7}\" stroke=\"#d62728\" stroke-width=\"1.5\" "
      "stroke-dasharray=\"4 2\"/>"
      "<text x=\"{5}\" y=\"{8}\">system</text></g>\n",
      lx, ly, lx + 6, ly + 12, lx + 30, lx + 36, ly + 16, ly + 27, ly + 31);
  svg += "</svg>\n";
  return svg;
}

}  // namespace outage
