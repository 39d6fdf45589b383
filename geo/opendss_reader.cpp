#include "geo/opendss_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <unordered_map>
#include <unordered_set>

#include "geo/crs_inference.h"

namespace outage {
namespace {

struct Param {
  std::string name;  // lower-case; empty for a positional value
  std::string value;
  bool operator==(const Param&) const = default;
};

struct DssObject {
  std::string cls;   // lower-case class, "circuit" normalised to "vsource"
  std::string name;  // lower-case
  std::vector<Param> params;
  std::string where;  // "file:line" of its New
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

char closing_for(char c) {
  switch (c) {
    case '(': return ')';
    case '[': return ']';
    case '{': return '}';
    case '"': return '"';
    case '\'': return '\'';
    default: return 0;
  }
}

// Splits one command line into parameters, OpenDSS style: `name=value` or bare values,
// separated by whitespace or commas; values may be grouped in quotes or brackets; `!` and `//`
// start a comment.
std::vector<Param> tokenize(std::string_view line) {
  std::vector<Param> out;
  std::size_t i = 0, n = line.size();
  auto at_comment = [&] { return line[i] == '!' || (line[i] == '/' && i + 1 < n && line[i + 1] == '/'); };
  auto read_value = [&]() -> std::string {
    if (i >= n) return {};
    if (char close = closing_for(line[i])) {
      char open = line[i];
      int depth = 1;
      std::size_t start = ++i;
      while (i < n) {
        if (line[i] == close && --depth == 0) break;
        if (line[i] == open && open != close) ++depth;
        ++i;
      }
      std::string v(line.substr(start, i - start));
      if (i < n) ++i;  // closing char
      return v;
    }
    std::size_t start = i;
    while (i < n && !is_space(line[i]) && line[i] != ',' && line[i] != '=') ++i;
    return std::string(line.substr(start, i - start));
  };
  while (true) {
    while (i < n && (is_space(line[i]) || line[i] == ',')) ++i;
    if (i >= n || at_comment()) break;
    bool grouped = closing_for(line[i]) != 0;
    std::string token = read_value();
    std::size_t j = i;
    while (j < n && is_space(line[j])) ++j;
    if (!grouped && j < n && line[j] == '=') {
      i = j + 1;
      while (i < n && is_space(line[i])) ++i;
      out.push_back({to_lower(token), read_value()});
    } else {
      out.push_back({"", std::move(token)});
    }
  }
  return out;
}

// Property order of the classes whose positional values matter (the first properties only).
const std::vector<std::string>& property_order(const std::string& cls) {
  static const std::unordered_map<std::string, std::vector<std::string>> orders = {
      {"line", {"bus1", "bus2", "linecode", "length", "phases", "r1", "x1", "r0", "x0", "c1", "c0", "rmatrix",
                "xmatrix", "cmatrix", "switch", "rg", "xg", "rho", "geometry", "units"}},
      {"load", {"bus1", "phases", "kv", "kw", "pf", "model"}},
      {"vsource", {"bus1", "basekv", "pu", "angle", "frequency", "phases"}},
      {"transformer", {"phases", "windings", "wdg", "bus", "conn", "kv", "kva", "tap", "%r", "rneut", "xneut",
                       "buses", "conns", "kvs", "kvas", "taps"}},
      {"xfmrcode", {"phases", "windings", "wdg", "conn", "kv", "kva", "tap", "%r", "rneut", "xneut", "conns",
                    "kvs", "kvas", "taps"}},
      {"reactor", {"bus1", "bus2", "phases", "kvar", "kv", "conn"}},
      {"fuse", {"monitoredobj", "monitoredterm", "switchedobj", "switchedterm"}},
      {"recloser", {"monitoredobj", "monitoredterm", "switchedobj", "switchedterm"}},
      {"relay", {"monitoredobj", "monitoredterm", "switchedobj", "switchedterm"}},
      {"linecode", {"nphases", "r1", "x1", "r0", "x0", "c1", "c0", "units"}},
      {"regcontrol", {"transformer", "winding"}},
  };
  static const std::vector<std::string> none;
  auto it = orders.find(cls);
  return it == orders.end() ? none : it->second;
}

// Gives positional values the name of the property that follows the previous one.
std::vector<Param> name_positionals(const std::string& cls, const std::vector<Param>& params) {
  const auto& order = property_order(cls);
  std::vector<Param> out;
  int last = -1;
  for (const Param& p : params) {
    if (!p.name.empty()) {
      auto it = std::find(order.begin(), order.end(), p.name);
      last = it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
      out.push_back(p);
    } else if (last + 1 < static_cast<int>(order.size())) {
      ++last;
      out.push_back({order[last], p.value});
    }
  }
  return out;
}

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (is_space(v[i]) || v[i] == ',' || v[i] == '|')) ++i;
    std::size_t s = i;
    while (i < v.size() && !is_space(v[i]) && v[i] != ',' && v[i] != '|') ++i;
    if (i > s) out.emplace_back(v.substr(s, i - s));
  }
  return out;
}

bool truthy(std::string_view v) {
  std::string l = to_lower(v);
  return l == "y" || l == "yes" || l == "true" || l == "t";
}

// Numbers may be RPN expressions in OpenDSS: "(0.00625 12 * 1 +)". Returns nullopt if malformed.
std::optional<double> parse_number(std::string_view text) {
  auto words = split_list(text);
  if (words.empty()) return std::nullopt;
  std::vector<double> stack;
  for (const std::string& w : words) {
    if (w.size() == 1 && std::string_view("+-*/").find(w[0]) != std::string_view::npos && stack.size() >= 2) {
      double b = stack.back();
      stack.pop_back();
      double& a = stack.back();
      switch (w[0]) {
        case '+': a += b; break;
        case '-': a -= b; break;
        case '*': a *= b; break;
        case '/': a /= b; break;
      }
      continue;
    }
    if (to_lower(w) == "sqr" && !stack.empty()) { stack.back() *= stack.back(); continue; }
    if (to_lower(w) == "sqrt" && !stack.empty()) { stack.back() = std::sqrt(stack.back()); continue; }
    double v = 0;
    const char* b = w.data();
    const char* e = b + w.size();
    if (*b == '+') ++b;
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || ptr != e) return std::nullopt;
    stack.push_back(v);
  }
  if (stack.size() != 1) return std::nullopt;
  return stack.back();
}

double metres_per(std::string_view units) {
  std::string u = to_lower(units);
  if (u == "ft") return 0.3048;
  if (u == "kft") return 304.8;
  if (u == "mi") return 1609.344;
  if (u == "km") return 1000;
  if (u == "m") return 1;
  if (u == "in") return 0.0254;
  if (u == "cm") return 0.01;
  if (u == "mm") return 0.001;
  return 0;  // "none" or unknown
}

// "671.1.2.3" -> bus "671", phases ABC. Nodes 0 (ground) and > 3 carry no phase.
std::pair<std::string, Phases> split_bus(std::string_view spec, int phase_count) {
  std::size_t dot = spec.find('.');
  std::string bus = to_lower(spec.substr(0, dot));
  Phases p = 0;
  if (dot != std::string_view::npos) {
    std::string_view rest = spec.substr(dot + 1);
    std::size_t s = 0;
    while (s <= rest.size()) {
      std::size_t e = rest.find('.', s);
      if (e == std::string_view::npos) e = rest.size();
      std::string_view node = rest.substr(s, e - s);
      if (node == "1") p |= kPhaseA;
      else if (node == "2") p |= kPhaseB;
      else if (node == "3") p |= kPhaseC;
      s = e + 1;
    }
  } else {
    p = phase_count == 1 ? kPhaseA : phase_count == 2 ? (kPhaseA | kPhaseB) : kPhasesABC;
  }
  return {bus, p};
}

constexpr std::string_view kLibraryClasses[] = {"linecode",  "wiredata",    "cndata",      "tsdata",   "linegeometry",
                                                "linespacing", "xfmrcode", "loadshape",   "growthshape", "tshape",
                                                "priceshape", "spectrum",  "tcc_curve",   "xycurve"};
constexpr std::string_view kIgnoredCommands[] = {
    "set",     "solve",  "calcvoltagebases", "calcv",  "interpolate", "show",    "plot",    "export",
    "uuids",   "sample", "reset",            "visualize", "summary",  "var",     "makebuslist", "buildy",
    "help",    "totals", "capacity",         "dump",   "save",        "cd",      "fileedit", "variable",
    "zsc",     "zsc10",  "zscrefresh",       "ysc",    "puvoltagelist", "makeposseq", "relcalc", "addbusmarker",
    "allocateloads", "estimate", "reprocessbuses", "cleanup", "nodediff", "rephase", "setbusxy", "updatestorage",
    "obfuscate", "distribute", "di_plot", "comparecases", "yearlycurves", "lambdas", "losses", "currents",
    "powers", "voltages", "get", "guids", "setloadandgenkv", "tear", "aligned", "remove", "alignfile",
    "closedi", "doscmd", "opendi", "phases", "setkvbase", "sysfreq", "loadpqcurve", "solveloadsupply", "_initsnap",
    "_solvenocontrol", "_samplecontrols", "_docontrolactions", "_showcontrolqueue", "_solvedirect", "_solvepflow",
    "gis", "note", "checkcontrols", "celltrim", "newtonsolve", "totaltime"};

class Reader {
 public:
  Reader(SourceFiles& files, const OpenDssOptions& options) : files_(files), options_(options) {}

  Result<NetworkModel> run(const std::string& master) {
    if (Status s = read_file(master, true, "command line", 0); !s) return s.error();
    if (options_.extra_buscoords)
      if (Status s = read_buscoords(*options_.extra_buscoords, "command line", 0); !s) return s.error();
    return build();
  }

 private:
  SourceFiles& files_;
  const OpenDssOptions& options_;
  std::string cwd_;
  std::vector<DssObject> objects_;
  std::unordered_map<std::string, std::size_t> index_;  // "class.name" -> objects_
  std::optional<std::size_t> active_;
  std::vector<std::tuple<std::string, double, double>> coords_;
  ImportReport report_;
  std::unordered_set<std::string> open_files_;

  static std::string key(const std::string& cls, const std::string& name) { return cls + "." + name; }

  static std::string normalise_class(std::string cls) {
    if (cls == "circuit") return "vsource";
    return cls;
  }

  Status read_file(const std::string& path, bool compile, const std::string& from, int from_line) {
    namespace fs = std::filesystem;
    std::string full = (fs::path(cwd_) / fs::path(path)).lexically_normal().generic_string();
    auto text = files_.read(full);
    if (!text) return invalid_input(fmt::format("{}:{}: cannot read '{}': {}", from, from_line, path, text.error().message));
    if (open_files_.contains(full))
      return invalid_input(fmt::format("{}:{}: '{}' redirects to itself", from, from_line, path));
    open_files_.insert(full);
    ++report_.files_read;
    std::string saved = cwd_;
    cwd_ = fs::path(full).parent_path().generic_string();
    std::string_view all = *text;
    std::size_t pos = 0;
    int line_no = 0;
    bool in_block_comment = false;
    Status status;
    while (pos <= all.size() && status) {
      std::size_t end = all.find('\n', pos);
      if (end == std::string_view::npos) end = all.size();
      std::string_view line = all.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      std::size_t b = 0;
      while (b < line.size() && is_space(line[b])) ++b;
      std::string_view trimmed = line.substr(b);
      if (in_block_comment) {
        if (trimmed.find("*/") != std::string_view::npos) in_block_comment = false;
        continue;
      }
      if (trimmed.starts_with("/*")) {
        in_block_comment = trimmed.find("*/") == std::string_view::npos;
        continue;
      }
      status = command(trimmed, fs::path(full).filename().string(), line_no);
      if (end == all.size()) break;
    }
    open_files_.erase(full);
    if (!compile) cwd_ = saved;
    return status;
  }

  Status read_buscoords(const std::string& path, const std::string& from, int from_line) {
    namespace fs = std::filesystem;
    std::string full = (fs::path(cwd_) / fs::path(path)).lexically_normal().generic_string();
    auto text = files_.read(full);
    if (!text) return invalid_input(fmt::format("{}:{}: cannot read '{}': {}", from, from_line, path, text.error().message));
    ++report_.files_read;
    std::string_view all = *text;
    std::size_t pos = 0;
    int line_no = 0, skipped = 0;
    std::string file = fs::path(full).filename().string();
    while (pos < all.size()) {
      std::size_t end = all.find('\n', pos);
      if (end == std::string_view::npos) end = all.size();
      std::string_view line = all.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      auto params = tokenize(line);
      if (params.empty()) continue;
      if (params.size() < 3) {
        ++skipped;
        continue;
      }
      auto x = parse_number(params[1].value);
      auto y = parse_number(params[2].value);
      if (!x || !y) {
        if (coords_.empty() && line_no <= 3) {  // a header row
          ++skipped;
          continue;
        }
        return invalid_input(fmt::format("{}:{}: malformed coordinates for bus '{}'", file, line_no, params[0].value));
      }
      std::string bus = to_lower(params[0].value);
      bus = bus.substr(0, bus.find('.'));
      coords_.emplace_back(std::move(bus), *x, *y);
    }
    if (skipped) report_.count_ignored("coordinate lines without x and y", skipped);
    return {};
  }

  Result<std::size_t> find_object(const std::string& spec, const std::string& file, int line) {
    std::string s = to_lower(spec);
    std::size_t dot = s.find('.');
    if (dot == std::string::npos) return invalid_input(fmt::format("{}:{}: '{}' is not Class.Name", file, line, spec));
    std::string k = key(normalise_class(s.substr(0, dot)), s.substr(dot + 1));
    auto it = index_.find(k);
    if (it == index_.end()) return invalid_input(fmt::format("{}:{}: unknown element '{}'", file, line, spec));
    return it->second;
  }

  Status command(std::string_view text, const std::string& file, int line) {
    auto params = tokenize(text);
    if (params.empty()) return {};
    Param first = params.front();
    std::vector<Param> rest(params.begin() + 1, params.end());
    if (!first.name.empty()) {
      // Implicit edit: Class.Name.property=value ...
      std::size_t d1 = first.name.find('.');
      std::size_t d2 = d1 == std::string::npos ? d1 : first.name.find('.', d1 + 1);
      if (d2 == std::string::npos) {
        report_.count_ignored(fmt::format("command '{}'", first.name));
        return {};
      }
      auto obj = find_object(first.name.substr(0, d2), file, line);
      if (!obj) return obj.error();
      objects_[*obj].params.push_back({first.name.substr(d2 + 1), first.value});
      for (auto& p : rest) objects_[*obj].params.push_back(p);
      active_ = *obj;
      return {};
    }
    std::string cmd = to_lower(first.value);
    if (cmd == "new") return new_object(rest, file, line);
    if (cmd == "edit") {
      if (rest.empty()) return invalid_input(fmt::format("{}:{}: Edit without an element", file, line));
      auto obj = find_object(rest.front().value, file, line);
      if (!obj) return obj.error();
      objects_[*obj].params.insert(objects_[*obj].params.end(), rest.begin() + 1, rest.end());
      active_ = *obj;
      return {};
    }
    if (cmd == "~" || cmd == "more" || cmd == "m") {
      if (!active_) return invalid_input(fmt::format("{}:{}: '~' with no element before it", file, line));
      objects_[*active_].params.insert(objects_[*active_].params.end(), rest.begin(), rest.end());
      return {};
    }
    if (cmd == "redirect" || cmd == "compile") {
      if (rest.empty()) return invalid_input(fmt::format("{}:{}: {} without a file", file, line, first.value));
      return read_file(rest.front().value, cmd == "compile", file, line);
    }
    if (cmd == "buscoords" || cmd == "latlongcoords") {
      if (rest.empty()) return invalid_input(fmt::format("{}:{}: BusCoords without a file", file, line));
      return read_buscoords(rest.front().value, file, line);
    }
    if (cmd == "open" || cmd == "close" || cmd == "enable" || cmd == "disable") {
      if (rest.empty()) return invalid_input(fmt::format("{}:{}: {} without an element", file, line, first.value));
      auto obj = find_object(rest.front().value, file, line);
      if (!obj) return obj.error();
      if (cmd == "open" || cmd == "close")
        objects_[*obj].params.push_back({"__state", cmd});
      else
        objects_[*obj].params.push_back({"enabled", cmd == "enable" ? "yes" : "no"});
      return {};
    }
    if (cmd == "clear" || cmd == "clearall") {
      objects_.clear();
      index_.clear();
      active_.reset();
      // Coordinates survive: run scripts compile the same circuit twice and read BusCoords
      // only after the first (ieee34/Run_IEEE34Mod1.dss); they apply to buses by name.
      return {};
    }
    if (std::find(std::begin(kIgnoredCommands), std::end(kIgnoredCommands), cmd) != std::end(kIgnoredCommands)) {
      report_.count_ignored(fmt::format("command '{}'", cmd));
      return {};
    }
    report_.count_ignored(fmt::format("unrecognised command '{}'", cmd));
    report_.warnings.push_back(fmt::format("{}:{}: unrecognised command '{}' ignored", file, line, first.value));
    return {};
  }

  Status new_object(std::vector<Param> params, const std::string& file, int line) {
    if (params.empty()) return invalid_input(fmt::format("{}:{}: New without an element", file, line));
    std::string spec = params.front().value;
    if (!params.front().name.empty() && params.front().name != "object")
      return invalid_input(fmt::format("{}:{}: New expects Class.Name, found '{}='", file, line, params.front().name));
    params.erase(params.begin());
    std::string s = to_lower(spec);
    std::size_t dot = s.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == s.size())
      return invalid_input(fmt::format("{}:{}: New expects Class.Name, found '{}'", file, line, spec));
    DssObject obj{normalise_class(s.substr(0, dot)), s.substr(dot + 1), std::move(params),
                  fmt::format("{}:{}", file, line)};
    if (obj.cls == "vsource" && s.substr(0, dot) == "circuit") {
      obj.name = "source";  // `New Circuit.X` creates Vsource.source
      obj.params.insert(obj.params.begin(), {"__circuit", s.substr(dot + 1)});
    }
    std::string k = key(obj.cls, obj.name);
    if (auto it = index_.find(k); it != index_.end()) {
      DssObject& old = objects_[it->second];
      if (old.params == obj.params) {
        report_.warnings.push_back(
            fmt::format("{}: '{}' defined again, identically (first at {})", obj.where, spec, old.where));
        active_ = it->second;
        return {};
      }
      return invalid_input(
          fmt::format("{}: duplicate name '{}' (first defined at {}, differently)", obj.where, spec, old.where));
    }
    index_.emplace(k, objects_.size());
    active_ = objects_.size();
    objects_.push_back(std::move(obj));
    return {};
  }

  // Positional values named, then like= and xfmrcode= expanded in place.
  Result<std::vector<Param>> resolved(const DssObject& obj, int depth = 0) {
    if (depth > 16) return invalid_input(fmt::format("{}: like= chain too deep", obj.where));
    std::vector<Param> out;
    for (Param& p : name_positionals(obj.cls, obj.params)) {
      if (p.name == "like" || (p.name == "xfmrcode" && obj.cls == "transformer")) {
        std::string cls = p.name == "like" ? obj.cls : "xfmrcode";
        auto it = index_.find(key(cls, to_lower(p.value)));
        if (it == index_.end())
          return invalid_input(fmt::format("{}: {}={}: no {} of that name", obj.where, p.name, p.value, cls));
        auto inner = resolved(objects_[it->second], depth + 1);
        if (!inner) return inner.error();
        for (Param& q : *inner)
          if (q.name != "__circuit" && q.name != "__state") out.push_back(std::move(q));
        continue;
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<double> number(const DssObject& obj, const Param& p) {
    auto v = parse_number(p.value);
    if (!v) return invalid_input(fmt::format("{}: {}.{}: property '{}': '{}' is not a number", obj.where, obj.cls,
                                             obj.name, p.name, p.value));
    return *v;
  }

  Result<NetworkModel> build() {
    NetworkModel model;
    std::unordered_set<std::string> regulated;
    std::unordered_map<std::string, double> linecode_units;
    for (const DssObject& o : objects_) {
      if (o.cls == "regcontrol") {
        auto params = resolved(o);
        if (!params) return params.error();
        for (const Param& p : *params)
          if (p.name == "transformer") regulated.insert(to_lower(p.value));
      } else if (o.cls == "linecode") {
        auto params = resolved(o);
        if (!params) return params.error();
        for (const Param& p : *params)
          if (p.name == "units") linecode_units[o.name] = metres_per(p.value);
      }
    }

    auto set_state = [](Element& e, const Param& p) {
      if (p.name == "__state") e.normally_open = p.value == "open";
      if (p.name == "enabled" && !truthy(p.value)) e.normally_open = true;
    };

    // Branches and sources first, then devices mounted on them, then loads.
    for (const DssObject& o : objects_) {
      std::string id = key(o.cls, o.name);
      if (o.cls == "vsource") {
        auto params = resolved(o);
        if (!params) return params.error();
        bool circuit = !o.params.empty() && o.params.front().name == "__circuit";
        std::string bus = circuit ? "sourcebus" : "";  // `New Circuit` has a default bus
        double kv = 115;
        for (const Param& p : *params) {
          if (p.name == "bus1") bus = p.value;
          if (p.name == "basekv") {
            auto v = number(o, p);
            if (!v) return v.error();
            kv = *v;
          }
        }
        if (bus.empty()) return invalid_input(fmt::format("{}: {} has no bus", o.where, id));
        auto [name, ph] = split_bus(bus, 3);
        auto e = model.add_element(id, ElementKind::source, model.add_bus_or_get(name), {});
        if (!e) return invalid_input(fmt::format("{}: {}", o.where, e.error().message));
        model.element(*e).kv = static_cast<float>(kv);
        model.element(*e).phases = ph;
        model.bus(model.element(*e).bus1).kv = static_cast<float>(kv);
        for (const Param& p : *params) set_state(model.element(*e), p);
      } else if (o.cls == "line") {
        auto params = resolved(o);
        if (!params) return params.error();
        std::string bus1, bus2, units, linecode;
        double length = -1;
        int phases = 3;
        bool is_switch = false;
        for (const Param& p : *params) {
          if (p.name == "bus1") bus1 = p.value;
          else if (p.name == "bus2") bus2 = p.value;
          else if (p.name == "switch") is_switch = truthy(p.value);
          else if (p.name == "units") units = p.value;
          else if (p.name == "linecode") linecode = to_lower(p.value);
          else if (p.name == "length" || p.name == "phases") {
            auto v = number(o, p);
            if (!v) return v.error();
            if (p.name == "length") length = *v; else phases = static_cast<int>(*v);
          }
        }
        if (bus1.empty() || bus2.empty())
          return invalid_input(fmt::format("{}: {} has {}", o.where, id, bus1.empty() ? "no bus1" : "no bus2"));
        auto [b1, ph1] = split_bus(bus1, phases);
        auto [b2, ph2] = split_bus(bus2, phases);
        auto e = model.add_element(id, is_switch ? ElementKind::switch_ : ElementKind::line, model.add_bus_or_get(b1),
                                   model.add_bus_or_get(b2));
        if (!e) return invalid_input(fmt::format("{}: {}", o.where, e.error().message));
        Element& el = model.element(*e);
        el.phases = ph1 ? ph1 : ph2;
        double factor = !units.empty() ? metres_per(units)
                        : linecode_units.contains(linecode) ? linecode_units[linecode] : 0;
        if (length >= 0 && factor > 0) el.length_m = static_cast<float>(length * factor);
        for (const Param& p : *params) set_state(el, p);
      } else if (o.cls == "transformer") {
        if (Status s = build_transformer(model, o, regulated.contains(o.name)); !s) return s.error();
      } else if (o.cls == "reactor") {
        auto params = resolved(o);
        if (!params) return params.error();
        std::string bus1, bus2;
        for (const Param& p : *params) {
          if (p.name == "bus1") bus1 = p.value;
          if (p.name == "bus2") bus2 = p.value;
        }
        if (bus1.empty()) return invalid_input(fmt::format("{}: {} has no bus1", o.where, id));
        if (bus2.empty()) {
          report_.count_skipped("reactor (shunt)");
          continue;
        }
        auto [b1, ph] = split_bus(bus1, 3);
        auto e = model.add_element(id, ElementKind::reactor, model.add_bus_or_get(b1),
                                   model.add_bus_or_get(split_bus(bus2, 3).first));
        if (!e) return invalid_input(fmt::format("{}: {}", o.where, e.error().message));
        model.element(*e).phases = ph;
        for (const Param& p : *params) set_state(model.element(*e), p);
      }
    }

    for (const DssObject& o : objects_) {
      if (o.cls != "fuse" && o.cls != "recloser" && o.cls != "relay") continue;
      std::string id = key(o.cls, o.name);
      auto params = resolved(o);
      if (!params) return params.error();
      std::string monitored, switched;
      bool enabled = true;
      for (const Param& p : *params) {
        if (p.name == "monitoredobj") monitored = to_lower(p.value);
        if (p.name == "switchedobj") switched = to_lower(p.value);
        if (p.name == "enabled") enabled = truthy(p.value);
      }
      std::string host_id = switched.empty() ? monitored : switched;
      if (host_id.empty()) return invalid_input(fmt::format("{}: {} names no element to protect", o.where, id));
      ElementId host = model.find_element(host_id);
      if (!host.valid() || !model.element(host).is_branch())
        return invalid_input(fmt::format("{}: {} protects unknown element '{}'", o.where, id, host_id));
      if (!enabled) {
        report_.count_skipped(fmt::format("{} (disabled)", o.cls));
        continue;
      }
      ElementKind kind = o.cls == "fuse" ? ElementKind::fuse : o.cls == "recloser" ? ElementKind::recloser
                                                                                    : ElementKind::breaker;
      Element hostel = model.element(host);
      auto e = model.add_element(id, kind, hostel.bus1, {});
      if (!e) return invalid_input(fmt::format("{}: {}", o.where, e.error().message));
      Element& el = model.element(*e);
      el.host = host;
      el.phases = hostel.phases;
      el.kv = hostel.kv;
      for (const Param& p : *params)
        if (p.name == "__state") el.normally_open = p.value == "open";
    }

    for (const DssObject& o : objects_) {
      if (o.cls != "load") continue;
      auto params = resolved(o);
      if (!params) return params.error();
      std::string bus;
      int phases = 3;
      double kw = 10, kva = -1, pf = 0.88;
      bool has_kw = false;
      for (const Param& p : *params) {
        if (p.name == "bus1") { bus = p.value; continue; }
        if (p.name != "kw" && p.name != "kva" && p.name != "pf" && p.name != "phases") continue;
        auto v = number(o, p);
        if (!v) return v.error();
        if (p.name == "kw") { kw = *v; has_kw = true; }
        else if (p.name == "kva") kva = *v;
        else if (p.name == "pf") pf = *v;
        else phases = static_cast<int>(*v);
      }
      if (!has_kw && kva >= 0) kw = kva * std::abs(pf);
      if (bus.empty()) return invalid_input(fmt::format("{}: load.{} has no bus1", o.where, o.name));
      auto [b, ph] = split_bus(bus, phases);
      if (Status s = add_load_customers(model, options_.customers, o.name, model.add_bus_or_get(b), kw, ph); !s)
        return invalid_input(fmt::format("{}: {}", o.where, s.error().message));
    }
    if (options_.customers)
      if (Status s = check_all_rows_used(*options_.customers); !s) return s.error();

    // What was not modelled, counted.
    for (const DssObject& o : objects_) {
      static const std::unordered_set<std::string> modelled = {"vsource", "line", "transformer", "reactor",
                                                                "fuse", "recloser", "relay", "load"};
      if (modelled.contains(o.cls)) continue;
      bool library = std::find(std::begin(kLibraryClasses), std::end(kLibraryClasses), o.cls) != std::end(kLibraryClasses);
      if (library) report_.count_ignored(fmt::format("library data '{}'", o.cls));
      else report_.count_skipped(o.cls);
    }

    int unknown = 0;
    for (const auto& [name, x, y] : coords_) {
      BusId b = model.find_bus(name);
      if (!b.valid()) { ++unknown; continue; }
      Bus& bus = model.bus(b);
      bus.position = {x, y};
      bus.has_position = true;
    }
    if (unknown) report_.count_ignored("coordinates of buses not in the model", unknown);
    for (std::size_t i = 0; i < model.service_points().size(); ++i) {
      ServicePoint& sp = model.service_point(ServicePointId(static_cast<std::uint32_t>(i)));
      const Bus& b = model.bus(sp.bus);
      sp.position = b.position;
      sp.has_position = b.has_position;
    }

    std::string circuit;
    for (const DssObject& o : objects_)
      if (o.cls == "vsource" && !o.params.empty() && o.params.front().name == "__circuit") circuit = o.params.front().value;
    model.name = circuit;
    model.report = std::move(report_);
    model.crs = options_.crs ? *options_.crs : infer_coordinate_system(model);
    return model;
  }

  Status build_transformer(NetworkModel& model, const DssObject& o, bool regulator) {
    std::string id = key(o.cls, o.name);
    auto params = resolved(o);
    if (!params) return params.error();
    int windings = 2, wdg = 0, phases = 3;
    std::vector<std::string> buses(3);
    std::vector<double> kvs(3, 0);
    for (const Param& p : *params) {
      if (p.name == "windings" || p.name == "wdg" || p.name == "phases" || p.name == "kv") {
        auto v = number(o, p);
        if (!v) return v.error();
        int n = static_cast<int>(*v);
        if (p.name == "windings") {
          if (n < 1 || n > 16) return invalid_input(fmt::format("{}: {}: windings={} is out of range", o.where, id, n));
          windings = n;
          buses.resize(std::max<std::size_t>(buses.size(), n));
          kvs.resize(buses.size(), 0);
        } else if (p.name == "wdg") {
          if (n < 1 || n > windings)
            return invalid_input(fmt::format("{}: {}: wdg={} but the transformer has {} windings", o.where, id, n, windings));
          wdg = n - 1;
        } else if (p.name == "phases") {
          phases = n;
        } else {
          kvs[wdg] = *v;
        }
      } else if (p.name == "bus") {
        buses[wdg] = p.value;
      } else if (p.name == "buses") {
        auto list = split_list(p.value);
        if (list.size() > buses.size()) buses.resize(list.size()), kvs.resize(list.size(), 0);
        for (std::size_t i = 0; i < list.size(); ++i) buses[i] = list[i];
      } else if (p.name == "kvs") {
        auto list = split_list(p.value);
        if (list.size() > kvs.size()) kvs.resize(list.size(), 0), buses.resize(list.size());
        for (std::size_t i = 0; i < list.size(); ++i) {
          auto v = parse_number(list[i]);
          if (!v) return invalid_input(fmt::format("{}: {}: kvs: '{}' is not a number", o.where, id, list[i]));
          kvs[i] = *v;
        }
      }
    }
    // Distinct buses of the windings in use, in winding order.
    std::vector<std::pair<std::string, double>> ends;
    Phases ph = 0;
    for (int w = 0; w < windings && w < static_cast<int>(buses.size()); ++w) {
      if (buses[w].empty()) return invalid_input(fmt::format("{}: {} has no bus for winding {}", o.where, id, w + 1));
      auto [name, p] = split_bus(buses[w], phases);
      if (w == 0) ph = p;
      auto it = std::find_if(ends.begin(), ends.end(), [&](auto& e) { return e.first == name; });
      if (it == ends.end()) ends.emplace_back(name, kvs[w]);
    }
    if (ends.size() < 2) return invalid_input(fmt::format("{}: {} has fewer than two distinct buses", o.where, id));
    if (ends.size() > 2)
      report_.warnings.push_back(fmt::format("{}: {}: winding buses beyond the second distinct one are not connected",
                                             o.where, id));
    if (ends[1].second > ends[0].second) std::swap(ends[0], ends[1]);  // bus1 = higher voltage
    auto e = model.add_element(id, regulator ? ElementKind::regulator : ElementKind::transformer,
                               model.add_bus_or_get(ends[0].first), model.add_bus_or_get(ends[1].first));
    if (!e) return invalid_input(fmt::format("{}: {}", o.where, e.error().message));
    Element& el = model.element(*e);
    el.phases = ph;
    el.kv = static_cast<float>(ends[0].second);
    el.kv2 = static_cast<float>(ends[1].second);
    if (el.kv > 0 && model.bus(el.bus1).kv == 0) model.bus(el.bus1).kv = el.kv;
    if (el.kv2 > 0 && model.bus(el.bus2).kv == 0) model.bus(el.bus2).kv = el.kv2;
    for (const Param& p : *params) {
      if (p.name == "__state") el.normally_open = p.value == "open";
      if (p.name == "enabled" && !truthy(p.value)) el.normally_open = true;
    }
    return {};
  }
};

}  // namespace

Result<NetworkModel> read_opendss(SourceFiles& files, const std::string& master, const OpenDssOptions& options) {
  Reader reader(files, options);
  return reader.run(master);
}

}  // namespace outage
