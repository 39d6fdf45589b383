#include "adapters/live_target.h"

#include <fmt/format.h>
#include <mosquitto.h>
#include <unistd.h>

#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "adapters/api_client.h"
#include "adapters/event_json.h"
#include "feeds/rfc3339.h"
#include "sim/drill_runs.h"

namespace outage {
namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long one request may take; a clock move runs every timer due, so it may be slow.
constexpr auto kRequestTimeout = 60s;
// How long the daemon may take to journal what went over MQTT, and to answer 503 (overloaded).
constexpr auto kJournalWait = 60s;
// How long the daemon's meter reads may take to come over MQTT once it asked for them.
constexpr auto kPingWait = 10s;
// Events per HTTP body or MQTT message (the daemon takes at most 100,000 per body).
constexpr std::size_t kBatch = 10'000;

// j's field `key`; null when j is not an object or has no such field (an older daemon may lack one).
const Json& field(const Json& j, const char* key) {
  static const Json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

// An error answer of the API as an Error: its code from the status, its message from the body.
Error reply_error(const ApiReply& reply, std::string_view what) {
  const Json body = Json::parse(reply.body, nullptr, false);
  std::string reason = field(body, "error").is_string() ? field(body, "error").get<std::string>() : reply.body.substr(0, 300);
  ErrorCode code = ErrorCode::internal;
  switch (reply.status) {
    case 400: case 401: case 403: case 405: case 413: case 431: code = ErrorCode::invalid_input; break;
    case 404: code = ErrorCode::not_found; break;
    case 409: code = ErrorCode::conflict; break;
    case 503: code = ErrorCode::unavailable; break;
    default: break;
  }
  return Error{code, fmt::format("{}: HTTP {}: {}", what, reply.status, reason)};
}

Timestamp time_of(const Json& j) {
  if (!j.is_string()) return kNoTime;
  return parse_rfc3339(j.get<std::string>()).value_or(kNoTime);
}

std::string text_of(const Json& j) { return j.is_string() ? j.get<std::string>() : std::string(); }

// An id the API writes as a number ("ticket": 3), as the drill names it ("3").
std::string id_of(const Json& j) {
  if (j.is_number_integer()) return fmt::format("{}", j.get<std::int64_t>());
  return text_of(j);
}

std::optional<DeviceLevel> level_from_string(std::string_view text) {
  for (int i = 0; i < kDeviceLevelCount; ++i) {
    if (to_string(static_cast<DeviceLevel>(i)) == text) return static_cast<DeviceLevel>(i);
  }
  return std::nullopt;
}

// One libmosquitto client: publishes with QoS 1 and waits for the broker's PUBACK; collects the
// messages of one subscription (the daemon's ping requests). Its own thread drives the socket
// (mosquitto_loop_start) and reconnects by itself.
class MqttLink {
 public:
  ~MqttLink() {
    if (mosq_ == nullptr) return;
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }

  // unavailable when the broker cannot be reached (or does not accept us) within the wait.
  static Result<std::unique_ptr<MqttLink>> open(const std::string& host, int port, const std::string& subscribe) {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
    auto link = std::unique_ptr<MqttLink>(new MqttLink());
    MqttLink& l = *link;
    const std::string client_id = fmt::format("outage-drill-{}", ::getpid());
    l.mosq_ = mosquitto_new(client_id.c_str(), true, &l);
    if (l.mosq_ == nullptr) return internal_error("mqtt: libmosquitto cannot make a client");
    l.topic_ = subscribe;
    mosquitto_connect_callback_set(l.mosq_, [](mosquitto* m, void* self, int rc) {
      auto& me = *static_cast<MqttLink*>(self);
      if (rc == 0 && !me.topic_.empty()) mosquitto_subscribe(m, nullptr, me.topic_.c_str(), 1);
      std::lock_guard lock(me.mu_);
      me.connected_ = rc == 0;
      me.refused_ = rc;
      me.cv_.notify_all();
    });
    mosquitto_subscribe_callback_set(l.mosq_, [](mosquitto*, void* self, int, int, const int*) {
      auto& me = *static_cast<MqttLink*>(self);
      std::lock_guard lock(me.mu_);
      me.subscribed_ = true;
      me.cv_.notify_all();
    });
    mosquitto_publish_callback_set(l.mosq_, [](mosquitto*, void* self, int mid) {
      auto& me = *static_cast<MqttLink*>(self);
      std::lock_guard lock(me.mu_);
      me.acked_.insert(mid);
      me.cv_.notify_all();
    });
    mosquitto_message_callback_set(l.mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto& me = *static_cast<MqttLink*>(self);
      std::lock_guard lock(me.mu_);
      me.messages_.emplace_back(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen));
      ++me.received_;
      me.cv_.notify_all();
    });
    if (int rc = mosquitto_connect(l.mosq_, host.c_str(), port, 60); rc != MOSQ_ERR_SUCCESS) {
      return unavailable(fmt::format("mqtt: cannot reach the broker at {}:{}: {}", host, port,
                                     rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)));
    }
    if (int rc = mosquitto_loop_start(l.mosq_); rc != MOSQ_ERR_SUCCESS) {
      return internal_error(fmt::format("mqtt: {}", mosquitto_strerror(rc)));
    }
    std::unique_lock lock(l.mu_);
    const bool ready = l.cv_.wait_for(lock, 20s, [&] { return l.refused_ > 0 || (l.connected_ && (l.topic_.empty() || l.subscribed_)); });
    if (!ready || l.refused_ > 0) {
      return unavailable(fmt::format("mqtt: the broker at {}:{} did not accept the drill's connection ({})", host, port,
                                     ready ? mosquitto_connack_string(l.refused_) : "no answer in 20 s"));
    }
    return link;
  }

  // Publishes with QoS 1; ok once the broker acknowledged (PUBACK).
  Status publish(const std::string& topic, const std::string& payload) {
    int mid = 0;
    const int rc = mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false);
    if (rc != MOSQ_ERR_SUCCESS) return unavailable(fmt::format("mqtt: cannot publish to '{}': {}", topic, mosquitto_strerror(rc)));
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kJournalWait, [&] { return acked_.count(mid) > 0; })) {
      return unavailable(fmt::format("mqtt: the broker did not acknowledge a message to '{}'", topic));
    }
    acked_.erase(mid);
    return {};
  }

  std::vector<std::string> take_messages() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    out.swap(messages_);
    return out;
  }

  // Waits until `n` messages in all have come on the subscription; false after `limit`.
  bool received(std::uint64_t n, SteadyClock::duration limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return received_ >= n; });
  }

 private:
  MqttLink() = default;

  mosquitto* mosq_ = nullptr;
  std::string topic_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool connected_ = false;
  bool subscribed_ = false;
  int refused_ = 0;
  std::set<int> acked_;
  std::vector<std::string> messages_;
  std::uint64_t received_ = 0;
};

// What a ticket tells a crew: where to go.
struct TicketPlace {
  std::string device;
  std::string meter;
  std::optional<Point> place;
};

// The daemon's counters (GET /metrics): every event it took, over either transport, ends in
// exactly one of accepted, duplicates and rejected; pings counts the meter reads it asked for.
struct IngestCounts {
  double accepted = 0, duplicates = 0, rejected = 0, pings = 0;
  double total() const { return accepted + duplicates + rejected; }
};

}  // namespace

struct LiveTarget::Impl {
  Impl(const NetworkModel& m, LiveOptions o, ApiClient a, Timestamp s)
      : model(m), options(std::move(o)), api(std::move(a)), start(s), wall_start(SteadyClock::now()) {}

  const NetworkModel& model;
  LiveOptions options;
  ApiClient api;
  Timestamp start;
  SteadyClock::time_point wall_start;
  DispatchPolicy policy = DispatchPolicy::nearest_idle;
  std::unique_ptr<MqttLink> mqtt;
  std::optional<Error> failed;
  std::unordered_map<std::string, TicketPlace> places;  // by ticket id
  std::unordered_map<std::string, std::string> crew_ticket;  // each crew's ticket at the last orders()
  double pings_before = 0;  // the daemon's count of meter reads asked for before the drill
  Timestamp clock = kNoTime;  // the daemon's clock as last set

  // Sets the daemon's clock to `now` (its timers, roll-up, tickets and dispatcher run), at the
  // drill's pace first.
  Status move_clock(Timestamp now) {
    if (options.speed > 0 && now > start) {
      const std::chrono::duration<double> simulated = now - start;
      std::this_thread::sleep_until(wall_start + std::chrono::duration_cast<SteadyClock::duration>(simulated / options.speed));
    }
    auto reply = call(true, "/v1/clock", Json{{"now", format_rfc3339(now)}}.dump());
    if (!reply) return reply.error();
    if (reply->status != 200) return reply_error(*reply, "POST /v1/clock");
    clock = now;
    return {};
  }

  void fail(Error e) {
    if (!failed) failed = std::move(e);
  }

  // A request, again after a second while the daemon answers 503 (overloaded, journal down).
  Result<ApiReply> call(bool post, const std::string& target, const std::string& body = {}) {
    const auto give_up = SteadyClock::now() + kJournalWait;
    while (true) {
      auto reply = post ? api.post(target, body) : api.get(target);
      if (!reply || reply->status != 503 || SteadyClock::now() > give_up) return reply;
      std::this_thread::sleep_for(1s);
    }
  }

  // GET `target`, 200 with a JSON body; the failure is kept (fail) and nullopt returned otherwise.
  std::optional<Json> read(const std::string& target) {
    if (failed) return std::nullopt;
    auto reply = call(false, target);
    if (!reply) {
      fail(reply.error());
      return std::nullopt;
    }
    if (reply->status != 200) {
      fail(reply_error(*reply, "GET " + target));
      return std::nullopt;
    }
    Json body = Json::parse(reply->body, nullptr, false);
    if (body.is_discarded()) {
      fail(internal_error(fmt::format("GET {}: the answer is not JSON", target)));
      return std::nullopt;
    }
    return body;
  }

  Result<IngestCounts> counts() {
    auto reply = call(false, "/metrics");
    if (!reply) return reply.error();
    if (reply->status != 200) return reply_error(*reply, "GET /metrics");
    IngestCounts c;
    std::size_t at = 0;
    const std::string& text = reply->body;
    while (at < text.size()) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + at, end - at);
      at = end + 1;
      auto value = [&](std::string_view name, double& out) {
        if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ' ') return;
        std::string_view v = line.substr(name.size() + 1);
        std::from_chars(v.data(), v.data() + v.size(), out);
      };
      value("outage_events_accepted_total", c.accepted);
      value("outage_events_duplicate_total", c.duplicates);
      value("outage_events_rejected_total", c.rejected);
      value("outage_pings_requested_total", c.pings);
    }
    return c;
  }

  // Waits until the daemon has taken `n` events more than `before` (journaled, or counted as
  // duplicates or rejected). The counts then, or unavailable after kJournalWait.
  Result<IngestCounts> taken(const IngestCounts& before, std::size_t n, std::string_view what) {
    const auto give_up = SteadyClock::now() + kJournalWait;
    auto pause = 1ms;
    while (true) {
      auto now = counts();
      if (!now) return now.error();
      if (now->total() >= before.total() + static_cast<double>(n)) return now;
      if (SteadyClock::now() > give_up) {
        return unavailable(fmt::format("{}: the daemon has not journaled them after {} s: does it subscribe to "
                                       "'{}' on the broker {}?",
                                       what, std::chrono::duration_cast<std::chrono::seconds>(kJournalWait).count(),
                                       options.mqtt_topic, options.mqtt));
      }
      std::this_thread::sleep_for(pause);
      pause = std::min<std::chrono::milliseconds>(pause * 2, 50ms);
    }
  }

  // The meters' events over MQTT, one message per kBatch; back once the daemon journaled them.
  // The reasons of those it rejected (MQTT gives none back: they are in outage.dead_letters).
  Result<std::vector<std::string>> publish(const std::vector<const Event*>& events) {
    auto before = counts();
    if (!before) return before.error();
    for (std::size_t i = 0; i < events.size(); i += kBatch) {
      Json payload = Json::array();
      for (std::size_t k = i; k < std::min(events.size(), i + kBatch); ++k) payload.push_back(event_json(*events[k], model.crs));
      if (Status s = mqtt->publish(options.mqtt_topic, payload.dump()); !s) return s.error();
    }
    auto after = taken(*before, events.size(), fmt::format("{} events published to '{}'", events.size(), options.mqtt_topic));
    if (!after) return after.error();
    std::vector<std::string> refused;
    const auto n = static_cast<std::size_t>(std::max(0.0, after->rejected - before->rejected));
    for (std::size_t i = 0; i < n; ++i) refused.emplace_back("an event sent over MQTT was rejected (its reason is in outage.dead_letters)");
    return refused;
  }

  // Everything else as JSON arrays to POST /v1/events. The reasons of the events it rejected.
  Result<std::vector<std::string>> post(const std::vector<const Event*>& events) {
    std::vector<std::string> refused;
    for (std::size_t i = 0; i < events.size(); i += kBatch) {
      const std::size_t end = std::min(events.size(), i + kBatch);
      Json body = Json::array();
      for (std::size_t k = i; k < end; ++k) body.push_back(event_json(*events[k], model.crs));
      auto reply = call(true, "/v1/events", body.dump());
      if (!reply) return reply.error();
      if (reply->status / 100 != 2) return reply_error(*reply, "POST /v1/events");
      const Json answer = Json::parse(reply->body, nullptr, false);
      if (!field(answer, "rejected").is_array()) {
        return internal_error(fmt::format("POST /v1/events: an answer without 'rejected': {}", reply->body.substr(0, 300)));
      }
      for (const Json& r : field(answer, "rejected")) {
        const std::size_t index = field(r, "index").is_number_unsigned() ? field(r, "index").get<std::size_t>() : 0;
        const Event& e = *events[std::min(i + index, end - 1)];
        refused.push_back(fmt::format("{} {}/{}: {}", to_string(e.type()), e.source, e.id, text_of(field(r, "error"))));
      }
    }
    return refused;
  }

  // With MQTT: a harmless event (a voltage sag: journaled, no effect on inference) published until
  // the daemon takes it, so that its subscription is known to stand before the drill's first
  // signals (the broker drops what no one subscribes to yet). Copies after the first are duplicates.
  Status probe() {
    if (model.service_points().empty()) return {};
    Event e;
    e.source = "sim-drill";
    e.id = fmt::format("probe-{}", start.time_since_epoch().count());
    e.time = start;
    e.payload = MeterVoltage{std::string(model.service_points().front().id), 161.0, 230.0};
    const std::string payload = Json::array({event_json(e, model.crs)}).dump();
    const auto give_up = SteadyClock::now() + kJournalWait;
    auto before = counts();
    if (!before) return before.error();
    while (true) {
      if (Status s = mqtt->publish(options.mqtt_topic, payload); !s) return s;
      const auto retry = SteadyClock::now() + 500ms;
      while (SteadyClock::now() < retry) {
        auto now = counts();
        if (!now) return now.error();
        if (now->total() > before->total()) return {};
        std::this_thread::sleep_for(10ms);
      }
      if (SteadyClock::now() > give_up) {
        return unavailable(fmt::format("mqtt: the daemon takes nothing published to '{}' on the broker {}: is it "
                                       "subscribed there ([mqtt] enabled, host, port, topics)?",
                                       options.mqtt_topic, options.mqtt));
      }
    }
  }

  // The outages of GET `target` (a FeatureCollection), those detected before the drill left out.
  std::vector<ObservedOutage> outages(const std::string& target);

  TicketPlace place_of(const std::string& ticket) {
    TicketPlace p;
    auto t = read("/v1/tickets/" + ticket);
    if (!t) return p;
    p.device = text_of(field(*t, "device"));
    p.meter = text_of(field(*t, "meter"));
    const Json& at = field(*t, "position");
    if (at.is_object() && field(at, "x").is_number() && field(at, "y").is_number()) p.place = Point{field(at, "x").get<double>(), field(at, "y").get<double>()};
    return p;
  }
};

LiveTarget::LiveTarget(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LiveTarget::~LiveTarget() = default;

Status LiveTarget::failure() const {
  if (impl_->failed) return *impl_->failed;
  return {};
}

DispatchPolicy LiveTarget::dispatch_policy() const { return impl_->policy; }

Result<std::unique_ptr<LiveTarget>> LiveTarget::connect(const NetworkModel& model, const LiveOptions& options, Timestamp start) {
  auto api = ApiClient::connect_to(options.url, options.token, kRequestTimeout);
  if (!api) return api.error();
  auto impl = std::make_unique<Impl>(model, options, std::move(api).value(), start);
  Impl& m = *impl;

  auto clock = m.call(false, "/v1/clock");
  if (!clock) return clock.error();
  if (clock->status != 200) return reply_error(*clock, "GET /v1/clock");
  const Json now = Json::parse(clock->body, nullptr, false);
  if (text_of(field(now, "mode")) != "sim") {
    return Error{ErrorCode::conflict, fmt::format("the daemon runs on the wall clock (start it with --clock sim@{})",
                                                  format_rfc3339(start))};
  }
  auto set = m.call(true, "/v1/clock", Json{{"now", format_rfc3339(start)}}.dump());
  if (!set) return set.error();
  if (set->status != 200) {
    Error e = reply_error(*set, "POST /v1/clock");
    if (e.code == ErrorCode::conflict) {
      e.message += fmt::format(" (a drill starts the daemon's clock at the scenario's start: run it on a fresh daemon "
                               "and database started with --clock sim@{})", format_rfc3339(start));
    }
    return e;
  }
  // The daemon's dispatch policy, for the report (an older daemon does not say: nearest_idle).
  auto crews = m.read("/v1/crews");
  if (!crews) return *m.failed;
  if (auto p = dispatch_policy_from_string(text_of(field(*crews, "policy")))) m.policy = *p;

  if (!options.mqtt.empty()) {
    const auto colon = options.mqtt.rfind(':');
    int port = 0;
    const char* digits = options.mqtt.data() + (colon == std::string::npos ? 0 : colon + 1);
    const char* end = options.mqtt.data() + options.mqtt.size();
    auto [p, ec] = std::from_chars(digits, end, port);
    if (colon == std::string::npos || colon == 0 || ec != std::errc() || p != end || port < 1 || port > 65535) {
      return invalid_input(fmt::format("--mqtt: expected HOST:PORT, got '{}'", options.mqtt));
    }
    auto link = MqttLink::open(options.mqtt.substr(0, colon), port, options.ping_topic);
    if (!link) return link.error();
    m.mqtt = std::move(link).value();
    if (Status s = m.probe(); !s) return s.error();
    auto counts = m.counts();
    if (!counts) return counts.error();
    m.pings_before = counts->pings;
  }
  m.clock = start;
  m.wall_start = SteadyClock::now();
  return std::unique_ptr<LiveTarget>(new LiveTarget(std::move(impl)));
}

Result<std::vector<std::string>> LiveTarget::deliver(std::span<const Event> events, Timestamp now) {
  Impl& m = *impl_;
  if (m.failed) return *m.failed;
  // The daemon stamps what arrives with its clock: at the tick's time, as in-process (advance()
  // then runs the evaluation after them, as in-process).
  if (now > m.clock) {
    if (Status s = m.move_clock(now); !s) return s.error();
  }
  std::vector<const Event*> meters, rest;
  for (const Event& e : events) (m.mqtt && from_meters(e) ? meters : rest).push_back(&e);
  std::vector<std::string> refused;
  // The meters' first: they were journaled when publish() returns, before anything that follows.
  if (!meters.empty()) {
    auto r = m.publish(meters);
    if (!r) return r.error();
    refused = std::move(r).value();
  }
  if (!rest.empty()) {
    auto r = m.post(rest);
    if (!r) return r.error();
    refused.insert(refused.end(), r->begin(), r->end());
  }
  return refused;
}

Status LiveTarget::advance(Timestamp now) {
  Impl& m = *impl_;
  if (m.failed) return *m.failed;
  if (Status s = m.move_clock(now); !s) return s;
  if (m.mqtt && !m.options.ping_topic.empty()) {
    // The reads the daemon asked for by now are published as it answers: wait for them, so that
    // they are answered from this tick, as in-process, however fast the drill runs.
    auto counts = m.counts();
    if (!counts) return counts.error();
    const auto asked = static_cast<std::uint64_t>(std::max(0.0, counts->pings - m.pings_before));
    if (!m.mqtt->received(asked, kPingWait)) {
      return unavailable(fmt::format("the daemon asked for {} meter reads but they did not come on '{}': is that its "
                                     "[ping] mqtt_topic, on the broker {}?",
                                     asked, m.options.ping_topic, m.options.mqtt));
    }
  }
  return {};
}

std::vector<TargetOrder> LiveTarget::orders() {
  Impl& m = *impl_;
  auto crews = m.read("/v1/crews");
  if (!crews || !field(*crews, "crews").is_array()) return {};
  std::vector<TargetOrder> out;
  std::unordered_map<std::string, std::string> bound;
  for (const Json& c : field(*crews, "crews")) {
    const Json& a = field(c, "assignment");
    // A crew that reported its repair done has no order left (it reports available next).
    if (!a.is_object() || text_of(field(c, "status")) == "repaired") continue;
    TargetOrder o;
    o.crew = text_of(field(c, "id"));
    o.ticket = id_of(field(a, "ticket"));
    auto it = m.places.find(o.ticket);
    auto was = m.crew_ticket.find(o.crew);
    if (it == m.places.end() || was == m.crew_ticket.end() || was->second != o.ticket) {
      // A new order: the ticket as it stands now (its device may have grown since it was cached).
      it = m.places.insert_or_assign(o.ticket, m.place_of(o.ticket)).first;
      if (m.failed) return {};
    }
    o.device = it->second.device;
    o.meter = it->second.meter;
    o.place = it->second.place;
    bound[o.crew] = o.ticket;
    out.push_back(std::move(o));
  }
  m.crew_ticket = std::move(bound);
  return out;
}

std::vector<std::string> LiveTarget::ping_requests() {
  Impl& m = *impl_;
  if (!m.mqtt) return {};
  std::vector<std::string> out;
  for (const std::string& message : m.mqtt->take_messages()) {
    const Json request = Json::parse(message, nullptr, false);
    if (const Json& meter = field(request, "meter"); meter.is_string()) out.push_back(meter.get<std::string>());
  }
  return out;
}

Timestamp LiveTarget::etr_for(std::string_view customer, Timestamp) {
  Impl& m = *impl_;
  if (m.failed) return kNoTime;
  const std::string target = "/v1/status?customer=" + url_encode(customer);
  auto reply = m.call(false, target);
  if (!reply) {
    m.fail(reply.error());
    return kNoTime;
  }
  if (reply->status == 404) return kNoTime;  // a customer the daemon's model does not have
  if (reply->status != 200) {
    m.fail(reply_error(*reply, "GET " + target));
    return kNoTime;
  }
  const Json a = Json::parse(reply->body, nullptr, false);
  if (text_of(field(a, "power")) == "on") return kNoTime;
  return time_of(field(field(a, "etr"), "p50"));
}

std::uint64_t LiveTarget::customers_out() {
  auto active = impl_->read("/v1/outages");
  if (!active || !field(*active, "features").is_array()) return 0;
  std::uint64_t n = 0;
  for (const Json& f : field(*active, "features")) {
    const Json& out = field(field(f, "properties"), "customers_out");
    if (out.is_number_unsigned()) n += out.get<std::uint64_t>();
  }
  return n;
}

std::vector<ObservedOutage> LiveTarget::outages() { return impl_->outages("/v1/outages?state=all"); }

std::vector<ObservedOutage> LiveTarget::active_outages() { return impl_->outages("/v1/outages"); }

Duration LiveTarget::observe_every(Duration tick) const { return std::max(tick, Duration(std::chrono::seconds(15))); }

std::vector<ObservedOutage> LiveTarget::Impl::outages(const std::string& target) {
  Impl& m = *this;
  auto all = m.read(target);
  if (!all || !field(*all, "features").is_array()) return {};
  std::vector<ObservedOutage> out;
  for (const Json& f : field(*all, "features")) {
    const Json& p = field(f, "properties");
    ObservedOutage o;
    o.id = id_of(field(p, "id"));
    o.device = text_of(field(p, "device"));
    o.level = level_from_string(text_of(field(p, "level"))).value_or(DeviceLevel::service_point);
    o.state = text_of(field(p, "state"));
    o.start = time_of(field(p, "start"));
    o.detected_at = time_of(field(p, "detected_at"));
    o.restored_at = time_of(field(p, "restored_at"));
    if (o.detected_at != kNoTime && o.detected_at < m.start) continue;  // an earlier drill's, or real
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<TargetTicket> LiveTarget::tickets() {
  Impl& m = *impl_;
  auto all = m.read("/v1/tickets?state=all");
  if (!all || !field(*all, "tickets").is_array()) return {};
  std::vector<TargetTicket> out;
  for (const Json& t : field(*all, "tickets")) {
    if (text_of(field(t, "kind")) != "repair" || text_of(field(t, "state")) == "merged") continue;
    const Json& clocks = field(t, "clocks");
    TargetTicket x;
    x.ticket.id = id_of(field(t, "id"));
    x.ticket.emergency = field(t, "emergency").is_boolean() && field(t, "emergency").get<bool>();
    x.ticket.accepted = time_of(field(clocks, "accepted"));
    x.ticket.routed = time_of(field(clocks, "routed"));
    x.ticket.dispatched = time_of(field(clocks, "dispatched"));
    x.ticket.arrived = time_of(field(clocks, "arrived"));
    x.ticket.restored = time_of(field(clocks, "restored"));
    const Json& arrival = field(field(t, "limits"), "arrival");
    x.ticket.arrival_due = arrival.is_object() ? time_of(field(arrival, "due")) : kNoTime;
    x.device = text_of(field(t, "device"));
    x.meter = text_of(field(t, "meter"));
    x.closed = time_of(field(clocks, "closed"));
    if (x.ticket.accepted != kNoTime && x.ticket.accepted < m.start) continue;  // an earlier drill's, or real
    out.push_back(std::move(x));
  }
  return out;
}

Result<DrillReport> play_live(const Scenario& scenario, const NetworkModel& model, const GatewayRegistry* gateways,
                              const LiveOptions& options, const InProcessOptions& baseline_options, bool baselines) {
  auto target = LiveTarget::connect(model, options, scenario.start);
  if (!target) return target.error();
  LiveTarget& live = **target;
  auto run = run_drill(scenario, model, gateways, live);
  if (!run) return run.error();
  if (Status s = live.failure(); !s) return s.error();  // the final outages and tickets must be whole
  DrillReport report = make_report(scenario, model, *run, "live", live.dispatch_policy());
  if (baselines) {
    // Always in-process, every dispatcher's too: the daemon's run is not the reference.
    if (Status s = add_baselines(report, scenario, model, gateways, baseline_options, nullptr, std::nullopt); !s) return s.error();
  }
  return report;
}

}  // namespace outage
