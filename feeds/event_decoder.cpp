#include "feeds/event_decoder.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "feeds/rfc3339.h"

namespace outage {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

#define OUTAGE_TRY(expr)              \
  do {                                \
    if (error_code e_ = (expr)) return e_; \
  } while (0)

// JSON nesting deeper than this (inside an event) is malformed for us: no event needs it, and
// the recursion that validates ignored fields must stay bounded.
constexpr int kMaxDepth = 64;
// NDJSON is streamed through simdjson in batches of this size (simdjson's default); a longer line
// takes the slow path.
constexpr std::size_t kStreamBatchBytes = 1'000'000;
// No valid event is shorter: {"id":"1","type":"fci.fault","time":"2026-11-23T08:15:00Z","source":"s","device":"d"}
// has 84 bytes. Sizes the JSON array's batch before its elements are counted.
constexpr std::size_t kMinEventBytes = 64;
// Producer text quoted in an error message is cut to this many bytes.
constexpr std::size_t kQuoteBytes = 64;

// Every field name any event type uses. A field's JSON is read by its name, before the event's
// type is known (fields come in any order), into a Slot; the type then picks the slots it needs.
enum class Key : std::uint8_t {
  id, type, time, source, meter, energized, volts, nominal, gateway, kind, site, meters, phases,
  lon, lat, x, y, position, device, state, cause, km, customer, phone, address, symptom, channel,
  contact, note, crew, status, ticket, record, start, end, reason, devices, customers, area,
  notice_at, outage, by, etr, complaint, place, extent, cause_guess, unknown,
};
constexpr int kKeyCount = static_cast<int>(Key::unknown);
static_assert(kKeyCount <= 64, "present/duplicate sets are 64-bit masks");

constexpr std::array<std::string_view, kKeyCount> kKeyNames = {
    "id",       "type",    "time",    "source",   "meter",   "energized", "volts",   "nominal", "gateway",
    "kind",     "site",    "meters",  "phases",   "lon",     "lat",       "x",       "y",       "position",
    "device",   "state",   "cause",   "km",       "customer", "phone",    "address", "symptom", "channel",
    "contact",  "note",    "crew",    "status",   "ticket",  "record",    "start",   "end",     "reason",
    "devices",  "customers", "area",  "notice_at", "outage", "by",      "etr",     "complaint",
    "place",    "extent",  "cause_guess",
};

constexpr Key key_from_name(std::string_view k) {
  switch (k.size()) {
    case 1:
      if (k[0] == 'x') return Key::x;
      if (k[0] == 'y') return Key::y;
      break;
    case 2:
      if (k == "id") return Key::id;
      if (k == "km") return Key::km;
      if (k == "by") return Key::by;
      break;
    case 3:
      if (k == "lon") return Key::lon;
      if (k == "lat") return Key::lat;
      if (k == "end") return Key::end;
      if (k == "etr") return Key::etr;
      break;
    case 4:
      if (k == "type") return Key::type;
      if (k == "time") return Key::time;
      if (k == "kind") return Key::kind;
      if (k == "site") return Key::site;
      if (k == "note") return Key::note;
      if (k == "crew") return Key::crew;
      if (k == "area") return Key::area;
      break;
    case 5:
      if (k == "meter") return Key::meter;
      if (k == "volts") return Key::volts;
      if (k == "state") return Key::state;
      if (k == "cause") return Key::cause;
      if (k == "phone") return Key::phone;
      if (k == "start") return Key::start;
      if (k == "place") return Key::place;
      break;
    case 6:
      if (k == "source") return Key::source;
      if (k == "meters") return Key::meters;
      if (k == "phases") return Key::phases;
      if (k == "device") return Key::device;
      if (k == "status") return Key::status;
      if (k == "ticket") return Key::ticket;
      if (k == "record") return Key::record;
      if (k == "reason") return Key::reason;
      if (k == "outage") return Key::outage;
      if (k == "extent") return Key::extent;
      break;
    case 7:
      if (k == "nominal") return Key::nominal;
      if (k == "gateway") return Key::gateway;
      if (k == "symptom") return Key::symptom;
      if (k == "channel") return Key::channel;
      if (k == "contact") return Key::contact;
      if (k == "devices") return Key::devices;
      if (k == "address") return Key::address;
      break;
    case 8:
      if (k == "position") return Key::position;
      if (k == "customer") return Key::customer;
      break;
    case 9:
      if (k == "energized") return Key::energized;
      if (k == "customers") return Key::customers;
      if (k == "notice_at") return Key::notice_at;
      if (k == "complaint") return Key::complaint;
      break;
    case 11:
      if (k == "cause_guess") return Key::cause_guess;
      break;
    default:
      break;
  }
  return Key::unknown;
}

constexpr bool names_match_keys() {
  for (int i = 0; i < kKeyCount; ++i) {
    if (key_from_name(kKeyNames[i]) != static_cast<Key>(i)) return false;
  }
  return true;
}
static_assert(names_match_keys(), "kKeyNames and key_from_name follow the order of Key");

constexpr std::uint64_t bit(Key k) { return std::uint64_t{1} << static_cast<int>(k); }

// What a field held. null counts as absent.
enum class Found : std::uint8_t { null, string, number, boolean, array, object };

struct Slot {
  Found found = Found::null;
  bool boolean = false;
  double number = 0;
  std::string_view text;  // string: unescaped; number: its JSON token; area object: its JSON text
};

Slot slot_of(Found found) {
  Slot slot;
  slot.found = found;
  return slot;
}

// A slot as the checks see it: top-level or inside "position".
struct SlotRef {
  const Slot* slot;
  bool present;
  bool duplicate;
  std::string_view name;
  bool absent() const { return !present || slot->found == Found::null; }
};

// The array fields of strings.
struct ListScratch {
  std::vector<std::string_view> items;  // views into the parser's string buffer
  std::size_t bad = std::string_view::npos;  // first entry that is not a string
  bool too_many = false;
};

constexpr bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_json_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_json_space(s.back())) s.remove_suffix(1);
  return s;
}

// `s` cut to kQuoteBytes at a UTF-8 character boundary, for quoting in a message.
std::string clip(std::string_view s) {
  if (s.size() <= kQuoteBytes) return std::string(s);
  std::size_t n = kQuoteBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

// "2 days", "5 minutes": whole units, rounded down.
std::string human(Duration d) {
  using namespace std::chrono;
  auto count = [](long long v, std::string_view unit) { return fmt::format("{} {}{}", v, unit, v == 1 ? "" : "s"); };
  if (d >= days(2)) return count(d / days(1), "day");
  if (d >= hours(2)) return count(d / hours(1), "hour");
  if (d >= minutes(2)) return count(d / minutes(1), "minute");
  if (d >= seconds(1)) return count(d / seconds(1), "second");
  return fmt::format("{} ms", d.count());
}

std::string json_error(error_code e) {
  switch (e) {
    case simdjson::INCORRECT_TYPE: return "a literal that is not true, false or null";
    case simdjson::DEPTH_ERROR: return fmt::format("nested deeper than {} levels", kMaxDepth);
    default: return simdjson::error_message(e);
  }
}

// The enum value whose to_string (feeds/event.h, the one list of wire words) is `word`.
template <typename E>
std::optional<E> from_word(std::string_view word, int first, int last) {
  for (int i = first; i <= last; ++i) {
    if (to_string(static_cast<E>(i)) == word) return static_cast<E>(i);
  }
  return std::nullopt;
}

template <typename E>
std::string words(int first, int last) {
  std::string out;
  for (int i = first; i <= last; ++i) {
    if (!out.empty()) out += ", ";
    out += to_string(static_cast<E>(i));
  }
  return out;
}

// A field's name: its raw text when it has no escape (the fast path), else unescaped.
inline error_code field_name(od::field& f, std::string_view& out) {
  const char* k = f.key().raw();
  const char* p = k;
  while (*p != '"' && *p != '\\') ++p;  // stage 1 guarantees the closing quote
  if (*p == '"') {
    out = std::string_view(k, static_cast<std::size_t>(p - k));
    return simdjson::SUCCESS;
  }
  return f.unescaped_key().get(out);
}

}  // namespace

class EventDecoder::Impl {
 public:
  explicit Impl(DecodeLimits limits) : limits_(limits) {
#ifdef SIMDJSON_THREADS_ENABLED
    stream_parser_.threaded = false;  // the core runs no threads: stage 1 of the next batch waits
#endif
  }

  const DecodeLimits& limits() const { return limits_; }

  Status decode(std::string_view body, BodyFormat format, Timestamp now, DecodedBatch& out) {
    out.events.clear();
    out.rejected.clear();
    if (body.size() >= 3 && std::memcmp(body.data(), "\xEF\xBB\xBF", 3) == 0) body.remove_prefix(3);  // UTF-8 BOM
    now_ = now;
    copy_to_buffer(body);
    body_ = body;
    Status status = format == BodyFormat::json ? decode_json(out) : decode_ndjson(out);
    if (!status) {
      out.events.clear();
      out.rejected.clear();
    }
    return status;
  }

 private:
  // --- the body -------------------------------------------------------------------------------

  void copy_to_buffer(std::string_view body) {
    const std::size_t need = body.size() + simdjson::SIMDJSON_PADDING;
    if (need > capacity_) {
      buffer_.reset(new char[need]);
      capacity_ = need;
    }
    if (!body.empty()) std::memcpy(buffer_.get(), body.data(), body.size());
    std::memset(buffer_.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
  }

  // The caller's text for [begin, end) of the buffer.
  std::string_view body_text(const char* begin, const char* end) const {
    return body_.substr(static_cast<std::size_t>(begin - buffer_.get()), static_cast<std::size_t>(end - begin));
  }

  // Where the value just consumed ends: before the next token (or at `fallback` when it was the
  // last), less whitespace.
  static const char* end_of_consumed(od::value& v, const char* begin, const char* fallback) {
    const char* p = nullptr;
    if (v.current_location().get(p)) p = fallback;
    while (p > begin && is_json_space(p[-1])) --p;
    return p;
  }

  template <typename Doc>
  static bool has_trailing_content(Doc& doc) {
    const char* p = nullptr;
    return !doc.current_location().get(p);  // OUT_OF_BOUNDS: nothing after the value
  }

  Status decode_json(DecodedBatch& out) {
    const char* const buf = buffer_.get();
    const std::size_t n = body_.size();
    if (trim(body_).empty()) return invalid_input("not JSON: the body is empty");
    od::document doc;
    if (error_code e = parser_.iterate(buf, n, capacity_).get(doc)) return invalid_input("not JSON: " + json_error(e));
    od::json_type type;
    if (error_code e = doc.type().get(type)) return invalid_input("not JSON: " + json_error(e));

    if (type == od::json_type::object) {
      od::object object;
      error_code e = doc.get_object().get(object);
      if (!e) e = read_fields(object);
      if (e) return invalid_input("not JSON: " + json_error(e));
      if (has_trailing_content(doc)) {
        return invalid_input("not JSON: more text after the first object (send several events as an array or NDJSON)");
      }
      out.events.reserve(1);
      finish(0, trim(body_), out);
      return {};
    }
    if (type != od::json_type::array) return invalid_input("the body is not a JSON object or array");

    od::array array;
    error_code e = doc.get_array().get(array);
    if (e) return invalid_input("not JSON: " + json_error(e));
    // No pass to count the elements first (it would walk every token once more): room for as
    // many events as the body could hold, in address space only until they are written.
    out.events.reserve(std::min(limits_.max_events, n / kMinEventBytes + 1));
    std::size_t index = 0;
    for (auto element : array) {
      if (index == limits_.max_events) return invalid_input(fmt::format("more than {} events", limits_.max_events));
      od::value value;
      const char* begin = nullptr;
      od::json_type element_type{};
      e = std::move(element).get(value);
      if (!e) e = value.current_location().get(begin);
      if (!e) e = value.type().get(element_type);
      const bool is_object = element_type == od::json_type::object;
      if (!e) {
        if (is_object) {
          od::object object;
          e = value.get_object().get(object);
          if (!e) e = read_fields(object);
        } else {
          e = skip(value, 1);
        }
      }
      if (e) return invalid_input(fmt::format("not JSON: event {}: {}", index, json_error(e)));
      const std::string_view raw = body_text(begin, end_of_consumed(value, begin, buf + n));
      if (is_object) {
        finish(index, raw, out);
      } else {
        reject(index, raw, "not a JSON object", out);
      }
      ++index;
    }
    if (has_trailing_content(doc)) return invalid_input("not JSON: more text after the array");
    return {};
  }

  // The next non-blank line at or after `p`, trimmed to [begin, end); `next` is where the line
  // after it starts. False when only blank lines are left.
  bool next_line(const char* p, const char*& begin, const char*& end, const char*& next) const {
    const char* const body_end = body_.data() + body_.size();
    while (p < body_end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(body_end - p)));
      const char* line_end = nl ? nl : body_end;
      begin = p;
      end = line_end;
      next = nl ? nl + 1 : body_end;
      while (begin < end && is_json_space(*begin)) ++begin;
      while (end > begin && is_json_space(end[-1])) --end;
      if (begin < end) return true;
      p = next;
    }
    return false;
  }

  // NDJSON has one event a line, so a line is a document: a malformed one rejects only itself.
  // The fast path streams the whole buffer through simdjson's iterate_many (one stage 1 per
  // megabyte, not per line) and takes a document as long as it is exactly the next non-blank line
  // and reads cleanly. At the first document that is not (a malformed line, two objects on a
  // line, a stage 1 error anywhere in a batch), it stops, and every line from there on is parsed
  // on its own: slower, and exact. (Restarting the stream after the bad line could be quadratic:
  // a stage 1 error fails a whole batch.)
  Status decode_ndjson(DecodedBatch& out) {
    const char* const caller = body_.data();
    out.events.reserve(std::min(limits_.max_events, body_.size() / kMinEventBytes + 1));  // see decode_json
    auto too_many = [&] { return Status(invalid_input(fmt::format("more than {} events", limits_.max_events))); };
    std::size_t index = 0;
    const char* p = caller;  // where the lines not yet decoded start
    const char *b, *e, *next;
    od::document_stream stream;
    if (!body_.empty() && !stream_parser_.iterate_many(buffer_.get(), body_.size(), kStreamBatchBytes).get(stream)) {
      for (auto it = stream.begin(); it != stream.end(); ++it) {
        if (!next_line(p, b, e, next)) break;
        if (index == limits_.max_events) return too_many();
        const std::size_t offset = static_cast<std::size_t>(b - caller);
        if (it.current_index() != offset) break;
        od::document_reference doc;
        od::json_type type{};
        od::object object;
        if ((*it).get(doc) || doc.type().get(type) || type != od::json_type::object || doc.get_object().get(object) ||
            read_fields(object)) {
          break;
        }
        const char* location = nullptr;
        if (doc.current_location().get(location)) {
          // The last document of a batch: nothing follows to show where it ends. Parse its
          // line alone (one line a megabyte).
          decode_line(b, e, index, out);
        } else {
          while (location > buffer_.get() + offset && is_json_space(location[-1])) --location;
          if (location != buffer_.get() + (e - caller)) break;  // more on this line: a slow-path case
          finish(index, std::string_view(b, static_cast<std::size_t>(e - b)), out);
        }
        ++index;
        p = next;
      }
    }
    for (; next_line(p, b, e, next); p = next) {
      if (index == limits_.max_events) return too_many();
      decode_line(b, e, index++, out);
    }
    return {};
  }

  // One NDJSON line [b, e) of the caller's body, trimmed and non-blank, parsed on its own.
  void decode_line(const char* b, const char* e, std::size_t index, DecodedBatch& out) {
    const std::size_t offset = static_cast<std::size_t>(b - body_.data());
    const std::size_t length = static_cast<std::size_t>(e - b);
    const std::string_view raw = body_.substr(offset, length);
    std::string problem;
    od::document doc;
    od::json_type type{};
    error_code err = parser_.iterate(buffer_.get() + offset, length, capacity_ - offset).get(doc);
    if (!err) err = doc.type().get(type);
    if (!err) {
      if (type != od::json_type::object) {
        problem = "not a JSON object";
      } else {
        od::object object;
        err = doc.get_object().get(object);
        if (!err) err = read_fields(object);
        if (!err && has_trailing_content(doc)) problem = "not JSON: more text after the object";
      }
    }
    if (err) problem = "not JSON: " + json_error(err);
    if (problem.empty()) {
      finish(index, raw, out);
    } else {
      reject(index, raw, std::move(problem), out);
    }
  }

  // --- reading an event's fields --------------------------------------------------------------

  error_code read_fields(od::object object) {
    present_ = 0;
    duplicate_ = 0;
    for (auto field_result : object) {
      od::field field;
      OUTAGE_TRY(std::move(field_result).get(field));
      std::string_view name;
      OUTAGE_TRY(field_name(field, name));
      const Key key = key_from_name(name);
      if (key == Key::unknown) {
        OUTAGE_TRY(skip(field.value(), 1));
        continue;
      }
      if (present_ & bit(key)) duplicate_ |= bit(key);
      present_ |= bit(key);
      OUTAGE_TRY(read_value(key, field.value()));
    }
    return simdjson::SUCCESS;
  }

  // Reads a value of JSON type `type` into `slot`; an array or object is validated, skipped and
  // noted as such.
  error_code read_scalar(od::value value, od::json_type type, Slot& slot, int depth) {
    switch (type) {
      case od::json_type::string:
        slot.found = Found::string;
        return value.get_string().get(slot.text);
      case od::json_type::number:
        slot.found = Found::number;
        slot.text = trim(value.raw_json_token());
        return value.get_double().get(slot.number);
      case od::json_type::boolean:
        slot.found = Found::boolean;
        return value.get_bool().get(slot.boolean);
      case od::json_type::null:
        slot.found = Found::null;
        return skip(value, depth);
      case od::json_type::array:
        slot.found = Found::array;
        return skip(value, depth);
      case od::json_type::object:
        slot.found = Found::object;
        return skip(value, depth);
    }
    return simdjson::TAPE_ERROR;
  }

  error_code read_scalar(od::value value, Slot& slot, int depth) {
    od::json_type type;
    OUTAGE_TRY(value.type().get(type));
    return read_scalar(value, type, slot, depth);
  }

  error_code read_value(Key key, od::value value) {
    Slot& slot = slots_[static_cast<int>(key)];
    od::json_type type;
    OUTAGE_TRY(value.type().get(type));
    if (type == od::json_type::string) {  // the common case first
      slot.found = Found::string;
      return value.get_string().get(slot.text);
    }
    if (type == od::json_type::array) {
      switch (key) {
        case Key::meters: slot = slot_of(Found::array); return read_list(value, lists_[0]);
        case Key::devices: slot = slot_of(Found::array); return read_list(value, lists_[1]);
        case Key::customers: slot = slot_of(Found::array); return read_list(value, lists_[2]);
        case Key::phases: slot = slot_of(Found::array); return read_phase_list(value);
        default: break;
      }
    } else if (type == od::json_type::object) {
      if (key == Key::position) {
        slot = slot_of(Found::object);
        return read_position(value);
      }
      if (key == Key::area) {
        slot = slot_of(Found::object);
        return read_area(value, slot);
      }
    }
    return read_scalar(value, type, slot, 1);
  }

  error_code read_list(od::value value, ListScratch& list) {
    list.items.clear();
    list.bad = std::string_view::npos;
    list.too_many = false;
    od::array array;
    OUTAGE_TRY(value.get_array().get(array));
    std::size_t i = 0;
    for (auto element_result : array) {
      od::value element;
      OUTAGE_TRY(std::move(element_result).get(element));
      od::json_type type;
      OUTAGE_TRY(element.type().get(type));
      if (type == od::json_type::string) {
        std::string_view text;
        OUTAGE_TRY(element.get_string().get(text));
        if (list.items.size() < limits_.max_list) {
          list.items.push_back(text);
        } else {
          list.too_many = true;
        }
      } else {
        if (list.bad == std::string_view::npos) list.bad = i;
        OUTAGE_TRY(skip(element, 2));
      }
      ++i;
    }
    return simdjson::SUCCESS;
  }

  error_code read_phase_list(od::value value) {
    phase_bits_ = 0;
    phase_bad_ = std::string_view::npos;
    od::array array;
    OUTAGE_TRY(value.get_array().get(array));
    std::size_t i = 0;
    for (auto element_result : array) {
      od::value element;
      OUTAGE_TRY(std::move(element_result).get(element));
      od::json_type type;
      OUTAGE_TRY(element.type().get(type));
      std::optional<Phases> phases;
      if (type == od::json_type::string) {
        std::string_view text;
        OUTAGE_TRY(element.get_string().get(text));
        if (!text.empty()) phases = phases_from_string(text);
      } else {
        OUTAGE_TRY(skip(element, 2));
      }
      if (phases) {
        phase_bits_ |= *phases;
      } else if (phase_bad_ == std::string_view::npos) {
        phase_bad_ = i;
      }
      ++i;
    }
    return simdjson::SUCCESS;
  }

  // A nested "position": {"lon": .., "lat": ..} (or x/y).
  error_code read_position(od::value value) {
    position_present_ = 0;
    position_duplicate_ = 0;
    od::object object;
    OUTAGE_TRY(value.get_object().get(object));
    for (auto field_result : object) {
      od::field field;
      OUTAGE_TRY(std::move(field_result).get(field));
      std::string_view name;
      OUTAGE_TRY(field_name(field, name));
      int j = -1;
      switch (key_from_name(name)) {
        case Key::lon: j = 0; break;
        case Key::lat: j = 1; break;
        case Key::x: j = 2; break;
        case Key::y: j = 3; break;
        default: break;
      }
      if (j < 0) {
        OUTAGE_TRY(skip(field.value(), 2));
        continue;
      }
      const auto b = static_cast<std::uint8_t>(1u << j);
      if (position_present_ & b) position_duplicate_ |= b;
      position_present_ |= b;
      OUTAGE_TRY(read_scalar(field.value(), position_slots_[j], 2));
    }
    return simdjson::SUCCESS;
  }

  void area_fail(std::string message) {
    if (area_problem_.empty()) area_problem_ = std::move(message);
  }

  // A GeoJSON Polygon or MultiPolygon; `slot.text` gets its JSON text, area_problem_ what is wrong
  // with it (empty when nothing is).
  error_code read_area(od::value value, Slot& slot) {
    area_problem_.clear();
    area_positions_ = 0;
    const char* begin = nullptr;
    OUTAGE_TRY(value.current_location().get(begin));
    od::object object;
    OUTAGE_TRY(value.get_object().get(object));
    std::string_view type;
    bool has_type = false, has_coordinates = false;
    int depth = -1;
    for (auto field_result : object) {
      od::field field;
      OUTAGE_TRY(std::move(field_result).get(field));
      std::string_view name;
      OUTAGE_TRY(field_name(field, name));
      if (name == "type") {
        Slot s;
        OUTAGE_TRY(read_scalar(field.value(), s, 2));
        if (s.found == Found::string) {
          type = s.text;
          has_type = true;
        } else {
          area_fail("'type' is not a string");
        }
      } else if (name == "coordinates") {
        has_coordinates = true;
        Coordinate unused;
        OUTAGE_TRY(read_coordinates(field.value(), 2, depth, unused));
      } else {
        OUTAGE_TRY(skip(field.value(), 2));
      }
    }
    // The area is inside the event's object: a token (',' or '}') always follows it.
    slot.text = std::string_view(begin, static_cast<std::size_t>(end_of_consumed(value, begin, begin) - begin));
    if (!area_problem_.empty()) return simdjson::SUCCESS;
    if (!has_type) {
      area_fail("'type' missing (Polygon or MultiPolygon)");
    } else if (type != "Polygon" && type != "MultiPolygon") {
      area_fail(fmt::format("type '{}' is not Polygon or MultiPolygon", clip(type)));
    } else if (!has_coordinates) {
      area_fail("'coordinates' missing");
    } else if (type == "Polygon" && depth != 3) {
      area_fail("'coordinates' are not those of a Polygon (an array of rings of positions)");
    } else if (type == "MultiPolygon" && depth != 4) {
      area_fail("'coordinates' are not those of a MultiPolygon (an array of polygons)");
    }
    return simdjson::SUCCESS;
  }

  struct Coordinate {
    double v[3] = {0, 0, 0};
    int n = 0;
    bool operator==(const Coordinate& o) const {
      return n == o.n && v[0] == o.v[0] && v[1] == o.v[1] && v[2] == o.v[2];
    }
  };

  // Validates GeoJSON coordinates of any nesting. `nesting` out: 0 a number, 1 a position, 2 a
  // ring, 3 a polygon's rings, 4 a multipolygon's polygons; -1 when malformed (area_problem_ set).
  // `position` out: the position when nesting is 1, the number (in v[0]) when 0.
  error_code read_coordinates(od::value value, int depth, int& nesting, Coordinate& position) {
    nesting = -1;
    od::json_type type;
    OUTAGE_TRY(value.type().get(type));
    if (type == od::json_type::number) {
      OUTAGE_TRY(value.get_double().get(position.v[0]));
      nesting = 0;
      return simdjson::SUCCESS;
    }
    if (type != od::json_type::array || depth > 6) {
      area_fail(type != od::json_type::array ? "'coordinates' hold something other than arrays and numbers"
                                              : "'coordinates' nested too deep");
      return skip(value, depth);
    }
    od::array array;
    OUTAGE_TRY(value.get_array().get(array));
    int child_nesting = -2;  // not seen yet
    bool bad = false;
    std::size_t count = 0;
    Coordinate child, first, last;
    for (auto element_result : array) {
      od::value element;
      OUTAGE_TRY(std::move(element_result).get(element));
      int n = -1;
      OUTAGE_TRY(read_coordinates(element, depth + 1, n, child));
      if (n < 0) {
        bad = true;
      } else if (child_nesting == -2) {
        child_nesting = n;
      } else if (n != child_nesting) {
        area_fail("'coordinates' mix numbers and arrays at one level");
        bad = true;
      }
      if (!bad) {
        if (n == 0) {
          if (count < 3) position.v[count] = child.v[0];
        } else if (n == 1) {
          if (count == 0) first = child;
          last = child;
          if (++area_positions_ > limits_.max_list) {
            area_fail(fmt::format("more than {} positions", limits_.max_list));
            bad = true;
          }
        }
      }
      ++count;
    }
    if (bad) return simdjson::SUCCESS;
    if (count == 0) {
      area_fail("'coordinates' hold an empty array");
      return simdjson::SUCCESS;
    }
    switch (child_nesting) {
      case 0:
        if (count < 2 || count > 3) {
          area_fail(fmt::format("a position needs 2 or 3 numbers, not {}", count));
          return simdjson::SUCCESS;
        }
        position.n = static_cast<int>(count);
        nesting = 1;
        break;
      case 1:
        if (count < 4) {
          area_fail(fmt::format("a ring has {} positions (at least 4)", count));
          return simdjson::SUCCESS;
        }
        if (!(first == last)) {
          area_fail("a ring is not closed (its first and last positions differ)");
          return simdjson::SUCCESS;
        }
        nesting = 2;
        break;
      case 2: nesting = 3; break;
      case 3: nesting = 4; break;
      default:
        area_fail("'coordinates' nested too deep");
        break;
    }
    return simdjson::SUCCESS;
  }

  // Consumes any value, validating it (ondemand checks only what is read). Errors are fatal.
  error_code skip(od::value value, int depth) {
    if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
    od::json_type type;
    OUTAGE_TRY(value.type().get(type));
    switch (type) {
      case od::json_type::object: {
        od::object object;
        OUTAGE_TRY(value.get_object().get(object));
        for (auto field_result : object) {
          od::field field;
          OUTAGE_TRY(std::move(field_result).get(field));
          std::string_view name;
          OUTAGE_TRY(field_name(field, name));
          OUTAGE_TRY(skip(field.value(), depth + 1));
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::array: {
        od::array array;
        OUTAGE_TRY(value.get_array().get(array));
        for (auto element_result : array) {
          od::value element;
          OUTAGE_TRY(std::move(element_result).get(element));
          OUTAGE_TRY(skip(element, depth + 1));
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::string: {
        std::string_view text;
        return value.get_string().get(text);
      }
      case od::json_type::number: {
        double number;
        return value.get_double().get(number);
      }
      case od::json_type::boolean: {
        bool flag;
        return value.get_bool().get(flag);
      }
      case od::json_type::null: {
        bool is_null = false;
        OUTAGE_TRY(value.is_null().get(is_null));
        return is_null ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
      }
    }
    return simdjson::TAPE_ERROR;
  }

  // --- building the Event ---------------------------------------------------------------------

  void reject(std::size_t index, std::string_view raw, std::string error, DecodedBatch& out) {
    EventRejection& r = out.rejected.emplace_back();
    r.index = index;
    r.raw = raw;
    r.error = std::move(error);
  }

  // Turns the slots just read into an accepted or a rejected event.
  void finish(std::size_t index, std::string_view raw, DecodedBatch& out) {
    DecodedEvent& decoded = out.events.emplace_back();
    if (build(decoded.event)) {
      decoded.index = index;
      decoded.raw = raw;
      return;
    }
    out.events.pop_back();
    EventRejection& r = out.rejected.emplace_back();
    r.index = index;
    r.raw = raw;
    r.error = std::move(error_);
    error_.clear();
    r.source = usable_text(Key::source);
    r.id = usable_text(Key::id);
    r.type = usable_text(Key::type);
  }

  // A top-level string (or integer) field's text for a rejection: empty when it has none.
  std::string usable_text(Key key) const {
    const SlotRef r = ref(key);
    if (r.absent() || r.slot->text.size() > limits_.max_field_bytes) return {};
    if (r.slot->found == Found::string || (key == Key::id && r.slot->found == Found::number)) {
      return std::string(r.slot->text);
    }
    return {};
  }

  SlotRef ref(Key key) const {
    return SlotRef{&slots_[static_cast<int>(key)], (present_ & bit(key)) != 0, (duplicate_ & bit(key)) != 0,
                   kKeyNames[static_cast<int>(key)]};
  }

  SlotRef position_ref(int j) const {
    static constexpr std::array<std::string_view, 4> kNames = {"position.lon", "position.lat", "position.x",
                                                               "position.y"};
    const auto b = static_cast<std::uint8_t>(1u << j);
    return SlotRef{&position_slots_[j], (position_present_ & b) != 0, (position_duplicate_ & b) != 0, kNames[j]};
  }

  bool fail(std::string_view field, std::string_view reason) {
    error_ = fmt::format("field '{}': {}", field, reason);
    return false;
  }
  bool fail(Key key, std::string_view reason) { return fail(kKeyNames[static_cast<int>(key)], reason); }

  // A string field. Absent: "missing" when required, else empty. Empty: "empty" when required.
  bool text(const SlotRef& r, bool required, std::string_view& out) {
    out = {};
    if (r.absent()) return required ? fail(r.name, "missing") : true;
    if (r.duplicate) return fail(r.name, "given twice");
    if (r.slot->found != Found::string) return fail(r.name, "expected a string");
    if (r.slot->text.empty()) return required ? fail(r.name, "empty") : true;
    if (r.slot->text.size() > limits_.max_field_bytes) {
      return fail(r.name, fmt::format("longer than {} bytes", limits_.max_field_bytes));
    }
    out = r.slot->text;
    return true;
  }
  bool text(Key key, bool required, std::string_view& out) { return text(ref(key), required, out); }
  bool text(Key key, bool required, std::string& out) {
    std::string_view view;
    if (!text(ref(key), required, view)) return false;
    out.clear();
    out.append(view.data(), view.size());  // cheaper than assign (_M_replace) for the short strings of the wire
    return true;
  }

  bool number(const SlotRef& r, double& out) {
    if (r.absent()) return fail(r.name, "missing");
    if (r.duplicate) return fail(r.name, "given twice");
    if (r.slot->found != Found::number) return fail(r.name, "expected a number");
    if (!std::isfinite(r.slot->number)) return fail(r.name, "not a finite number");
    out = r.slot->number;
    return true;
  }

  bool time_field(Key key, bool required, std::optional<Timestamp>& out) {
    out.reset();
    std::string_view view;
    if (!text(key, required, view)) return false;
    if (view.empty()) return true;
    out = parse_rfc3339(view);
    if (!out) return fail(key, fmt::format("not an RFC 3339 time with a zone: '{}'", clip(view)));
    return true;
  }

  template <typename E>
  bool word(Key key, int first, int last, std::string_view what, E& out) {
    std::string_view view;
    if (!text(key, true, view)) return false;
    const std::optional<E> value = from_word<E>(view, first, last);
    if (!value) return fail(key, fmt::format("unknown {} '{}' ({})", what, clip(view), words<E>(first, last)));
    out = *value;
    return true;
  }

  bool list(Key key, const ListScratch& scratch, std::vector<std::string>& out) {
    const SlotRef r = ref(key);
    if (r.absent()) return true;
    if (r.duplicate) return fail(key, "given twice");
    if (r.slot->found != Found::array) return fail(key, "expected an array of strings");
    if (scratch.bad != std::string_view::npos) return fail(key, fmt::format("entry {} is not a string", scratch.bad));
    if (scratch.too_many) return fail(key, fmt::format("more than {} entries", limits_.max_list));
    out.reserve(scratch.items.size());
    for (std::size_t i = 0; i < scratch.items.size(); ++i) {
      const std::string_view item = scratch.items[i];
      if (item.empty()) return fail(key, fmt::format("entry {} is empty", i));
      if (item.size() > limits_.max_field_bytes) {
        return fail(key, fmt::format("entry {} is longer than {} bytes", i, limits_.max_field_bytes));
      }
      out.emplace_back(item);
    }
    return true;
  }

  bool phases(Phases& out) {
    const SlotRef r = ref(Key::phases);
    if (r.absent()) return fail(Key::phases, "missing (required for phase_loss)");
    if (r.duplicate) return fail(Key::phases, "given twice");
    if (r.slot->found == Found::string) {
      const std::optional<Phases> p = phases_from_string(r.slot->text);
      if (!p) return fail(Key::phases, fmt::format("'{}' is not a set of phases (A, B, C)", clip(r.slot->text)));
      out = *p;
    } else if (r.slot->found == Found::array) {
      if (phase_bad_ != std::string_view::npos) {
        return fail(Key::phases, fmt::format("entry {} is not a phase (A, B or C)", phase_bad_));
      }
      out = phase_bits_;
    } else {
      return fail(Key::phases, "expected a string or an array of strings");
    }
    if (out == 0) return fail(Key::phases, "empty");
    return true;
  }

  // A lon/lat or x/y pair; both present or the missing one is named.
  bool pair(const SlotRef& a, const SlotRef& b, bool geographic, std::optional<Position>& out) {
    if (a.absent()) return fail(a.name, fmt::format("missing ({} given)", b.name));
    if (b.absent()) return fail(b.name, fmt::format("missing ({} given)", a.name));
    Position p;
    if (!number(a, p.x) || !number(b, p.y)) return false;
    if (geographic) {
      if (p.x < -180 || p.x > 180) return fail(a.name, "out of range [-180, 180]");
      if (p.y < -90 || p.y > 90) return fail(b.name, "out of range [-90, 90]");
    }
    p.geographic = geographic;
    out = p;
    return true;
  }

  // The event's position if it gave one; false on a malformed or ambiguous one.
  bool position(std::optional<Position>& out) {
    out.reset();
    const bool geo = !ref(Key::lon).absent() || !ref(Key::lat).absent();
    const bool xy = !ref(Key::x).absent() || !ref(Key::y).absent();
    const SlotRef nested = ref(Key::position);
    if (int{geo} + int{xy} + int{!nested.absent()} > 1) {
      return fail(Key::position, "given more than once (lon/lat, x/y and a position object are alternatives)");
    }
    if (geo) return pair(ref(Key::lon), ref(Key::lat), true, out);
    if (xy) return pair(ref(Key::x), ref(Key::y), false, out);
    if (nested.absent()) return true;
    if (nested.duplicate) return fail(Key::position, "given twice");
    if (nested.slot->found != Found::object) return fail(Key::position, "expected an object with lon/lat or x/y");
    const bool inner_geo = !position_ref(0).absent() || !position_ref(1).absent();
    const bool inner_xy = !position_ref(2).absent() || !position_ref(3).absent();
    if (inner_geo && inner_xy) return fail(Key::position, "both lon/lat and x/y given");
    if (inner_geo) return pair(position_ref(0), position_ref(1), true, out);
    if (inner_xy) return pair(position_ref(2), position_ref(3), false, out);
    return fail(Key::position, "expected an object with lon/lat or x/y");
  }

  bool area(std::string& out) {
    const SlotRef r = ref(Key::area);
    if (r.absent()) return true;
    if (r.duplicate) return fail(Key::area, "given twice");
    if (r.slot->found != Found::object) return fail(Key::area, "expected a GeoJSON Polygon or MultiPolygon object");
    if (!area_problem_.empty()) return fail(Key::area, area_problem_);
    out.assign(r.slot->text.data(), r.slot->text.size());
    return true;
  }

  // The payload alternative T of `event`, default-constructed unless it already holds one (a fresh
  // Event holds a MeterPowerOff: the commonest event needs no emplace).
  template <typename T>
  static T& payload(Event& event) {
    if (T* p = std::get_if<T>(&event.payload)) return *p;
    return event.payload.template emplace<T>();
  }

  // The envelope, then the payload of the event's type. False with error_ set on the first
  // problem, in the order of the fields in docs/api.md.
  bool build(Event& event) {
    {
      const SlotRef r = ref(Key::id);
      if (!r.absent() && r.slot->found == Found::number) {
        const std::string_view digits = r.slot->text;
        const std::size_t start = !digits.empty() && digits[0] == '-' ? 1 : 0;
        if (digits.size() == start || digits.find_first_not_of("0123456789", start) != std::string_view::npos) {
          return fail(Key::id, "expected a string or an integer");
        }
        if (r.duplicate) return fail(Key::id, "given twice");
        event.id.assign(digits.data(), digits.size());
      } else if (!r.absent() && r.slot->found != Found::string) {
        return fail(Key::id, "expected a string or an integer");
      } else if (!text(Key::id, true, event.id)) {
        return false;
      }
    }
    std::string_view type_text;
    if (!text(Key::type, true, type_text)) return false;
    const std::optional<EventType> type = event_type_from_string(type_text);
    if (!type) return fail(Key::type, fmt::format("unknown type '{}'", clip(type_text)));
    std::optional<Timestamp> at;
    if (!time_field(Key::time, true, at)) return false;
    if (*at > now_ + limits_.max_future) {
      return fail(Key::time, fmt::format("{} in the future (limit {})", human(*at - now_), human(limits_.max_future)));
    }
    if (*at < now_ - limits_.max_age) {
      return fail(Key::time, fmt::format("{} in the past (limit {})", human(now_ - *at), human(limits_.max_age)));
    }
    event.time = *at;
    if (!text(Key::source, true, event.source)) return false;

    switch (*type) {
      case EventType::meter_power_off:
        return text(Key::meter, true, payload<MeterPowerOff>(event).meter);
      case EventType::meter_power_on:
        return text(Key::meter, true, payload<MeterPowerOn>(event).meter);
      case EventType::meter_ping: {
        auto& p = payload<MeterPing>(event);
        if (!text(Key::meter, true, p.meter)) return false;
        const SlotRef r = ref(Key::energized);
        if (r.absent()) return fail(Key::energized, "missing");
        if (r.duplicate) return fail(Key::energized, "given twice");
        if (r.slot->found != Found::boolean) return fail(Key::energized, "expected true or false");
        p.energized = r.slot->boolean;
        return true;
      }
      case EventType::meter_voltage: {
        auto& p = payload<MeterVoltage>(event);
        if (!text(Key::meter, true, p.meter)) return false;
        if (!number(ref(Key::volts), p.volts)) return false;
        if (p.volts < 0) return fail(Key::volts, "negative");
        if (!number(ref(Key::nominal), p.nominal)) return false;
        if (p.nominal <= 0) return fail(Key::nominal, "not positive");
        return true;
      }
      case EventType::iot_alarm: {
        auto& p = payload<IotAlarm>(event);
        if (!text(Key::gateway, true, p.gateway)) return false;
        std::string_view kind;
        if (!text(Key::kind, true, kind)) return false;
        const std::optional<IotAlarmKind> known = from_word<IotAlarmKind>(kind, 0, 3);
        p.kind = known.value_or(IotAlarmKind::other);
        if (!known) p.kind_text.assign(kind.data(), kind.size());
        if (!text(Key::site, false, p.site)) return false;
        if (!list(Key::meters, lists_[0], p.meters)) return false;
        if (!position(p.position)) return false;
        if (p.kind == IotAlarmKind::phase_loss && !phases(p.phases)) return false;
        return true;
      }
      case EventType::scada_switch: {
        auto& p = payload<ScadaSwitch>(event);
        if (!text(Key::device, true, p.device)) return false;
        if (!word(Key::state, 0, 1, "state", p.state)) return false;
        std::string_view cause;
        if (!text(Key::cause, false, cause)) return false;
        if (!cause.empty()) return word(Key::cause, 1, 4, "cause", p.cause);
        return true;
      }
      case EventType::fci_fault:
        return text(Key::device, true, payload<FciFault>(event).device);
      case EventType::relay_distance: {
        auto& p = payload<RelayDistance>(event);
        if (!text(Key::device, true, p.device)) return false;
        double km = 0;
        if (!number(ref(Key::km), km)) return false;
        if (km < 0) return fail(Key::km, "negative");
        p.metres = km * 1000;
        return true;
      }
      case EventType::call_report: {
        auto& p = payload<CallReport>(event);
        if (!text(Key::customer, false, p.customer) || !text(Key::meter, false, p.meter) ||
            !text(Key::phone, false, p.phone) || !text(Key::address, false, p.address) || !position(p.position)) {
          return false;
        }
        if (p.customer.empty() && p.meter.empty() && p.phone.empty() && p.address.empty() && !p.position) {
          return fail(Key::customer, "missing (a call needs a customer, meter, phone, address or position)");
        }
        if (!word(Key::symptom, 0, 5, "symptom", p.symptom)) return false;
        p.channel = channel();
        return text(Key::contact, false, p.contact) && text(Key::note, false, p.note);
      }
      case EventType::crew_position: {
        auto& p = payload<CrewPosition>(event);
        if (!text(Key::crew, true, p.crew)) return false;
        std::optional<Position> at;
        if (!position(at)) return false;
        if (!at) return fail(Key::position, "missing (lon/lat or x/y)");
        p.position = *at;
        return true;
      }
      case EventType::crew_status: {
        auto& p = payload<CrewStatus>(event);
        return text(Key::crew, true, p.crew) && word(Key::status, 0, 4, "status", p.status) &&
               text(Key::ticket, false, p.ticket) && time_field(Key::etr, false, p.etr);
      }
      case EventType::record_planned:
      case EventType::record_temporary:
      case EventType::record_load_shedding:
      case EventType::record_disconnection: {
        auto& p = payload<OutageRecord>(event);
        p.kind = static_cast<RecordKind>(static_cast<int>(*type) - static_cast<int>(EventType::record_planned));
        if (!text(Key::record, true, p.record)) return false;
        std::optional<Timestamp> start, end;
        if (!time_field(Key::start, true, start) || !time_field(Key::end, true, end)) return false;
        if (*start >= *end) return fail(Key::end, "not after start");
        p.start = *start;
        p.end = *end;
        if (!text(Key::reason, true, p.reason)) return false;
        if (!list(Key::devices, lists_[1], p.devices) || !list(Key::customers, lists_[2], p.customers) ||
            !area(p.area)) {
          return false;
        }
        if (p.devices.empty() && p.customers.empty() && p.area.empty()) {
          return fail(Key::devices, "missing (a record needs devices, customers or an area)");
        }
        return time_field(Key::notice_at, false, p.notice_at);
      }
      case EventType::record_cancel:
        return text(Key::record, true, payload<RecordCancel>(event).record);
      case EventType::outage_confirm: {
        auto& p = payload<OutageConfirm>(event);
        return text(Key::outage, true, p.outage) && word(Key::by, 0, 1, "confirmer", p.by);
      }
      case EventType::outage_etr: {
        auto& p = payload<OutageEtr>(event);
        std::optional<Timestamp> etr;
        if (!text(Key::outage, true, p.outage) || !time_field(Key::etr, true, etr)) return false;
        p.etr = *etr;
        return true;
      }
      case EventType::ticket_open: {
        auto& p = payload<TicketOpen>(event);
        if (!word(Key::kind, 0, 4, "ticket kind", p.kind)) return false;
        std::string_view complaint, symptom;
        if (!text(Key::complaint, false, complaint) || !text(Key::symptom, false, symptom)) return false;
        if (!complaint.empty() && !word(Key::complaint, 1, 5, "complaint type", p.complaint)) return false;
        if (!symptom.empty()) {
          Symptom s{};
          if (!word(Key::symptom, 0, 5, "symptom", s)) return false;
          p.symptom = s;
        }
        p.channel = channel();
        return text(Key::customer, false, p.customer) && text(Key::meter, false, p.meter) &&
               text(Key::phone, false, p.phone) && text(Key::address, false, p.address) && position(p.position) &&
               text(Key::place, false, p.place) && text(Key::extent, false, p.extent) &&
               text(Key::contact, false, p.contact) && text(Key::note, false, p.note) &&
               text(Key::cause_guess, false, p.cause_guess);
      }
      case EventType::ticket_assign: {
        auto& p = payload<TicketAssign>(event);
        return text(Key::ticket, true, p.ticket) && text(Key::crew, false, p.crew) && text(Key::reason, false, p.reason);
      }
    }
    return fail(Key::type, "not handled");  // unreachable: every EventType is a case above
  }

  // call.report's channel: absent, or a word it does not know, is `other`.
  Channel channel() const {
    const SlotRef r = ref(Key::channel);
    if (r.absent() || r.duplicate) return Channel::other;
    if (r.slot->found != Found::string && r.slot->found != Found::number) return Channel::other;
    return from_word<Channel>(r.slot->text, 0, 4).value_or(Channel::other);
  }

  DecodeLimits limits_;
  Timestamp now_ = kNoTime;
  od::parser parser_;         // whole JSON bodies, single NDJSON lines
  od::parser stream_parser_;  // NDJSON's fast path
  std::unique_ptr<char[]> buffer_;  // the body, then SIMDJSON_PADDING bytes
  std::size_t capacity_ = 0;
  std::string_view body_;  // the caller's

  // The event being read.
  std::array<Slot, kKeyCount> slots_{};
  std::uint64_t present_ = 0;
  std::uint64_t duplicate_ = 0;
  std::array<ListScratch, 3> lists_;  // meters, devices, customers
  Phases phase_bits_ = 0;
  std::size_t phase_bad_ = std::string_view::npos;
  std::array<Slot, 4> position_slots_{};  // lon, lat, x, y
  std::uint8_t position_present_ = 0;
  std::uint8_t position_duplicate_ = 0;
  std::string area_problem_;
  std::size_t area_positions_ = 0;
  std::string error_;
};

EventDecoder::EventDecoder(DecodeLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
EventDecoder::~EventDecoder() = default;

const DecodeLimits& EventDecoder::limits() const { return impl_->limits(); }

Result<DecodedBatch> EventDecoder::decode(std::string_view body, BodyFormat format, Timestamp now) {
  DecodedBatch out;
  Status status = impl_->decode(body, format, now, out);
  if (!status) return status.error();
  return out;
}

Status EventDecoder::decode(std::string_view body, BodyFormat format, Timestamp now, DecodedBatch& out) {
  return impl_->decode(body, format, now, out);
}

}  // namespace outage
