#include <utility>  // before Asio: Boost 1.74 misses it in C++20 mode

#include "adapters/daemon.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <unordered_set>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "adapters/access_control.h"
#include "adapters/address_search.h"
#include "adapters/area_lookup.h"
#include "adapters/daemon_state.h"
#include "adapters/group_committer.h"
#include "adapters/inference_toml.h"
#include "adapters/journal.h"
#include "adapters/metrics_registry.h"
#include "adapters/mqtt_ingest.h"
#include "adapters/webhook_client.h"
#include "adapters/model_files.h"
#include "adapters/osm_roads.h"
#include "dispatch/road_travel.h"
#include "adapters/outage_json.h"
#include "adapters/ticket_json.h"
#include "adapters/postgis_store.h"
#include "feeds/event_decoder.h"
#include "dispatch/control_room.h"
#include "dispatch/status_answer.h"
#include "feeds/outage_engine.h"
#include "feeds/rfc3339.h"

namespace outage {
namespace {

namespace asio = boost::asio;
using Json = nlohmann::json;

// The daemon's clock: the wall clock, or a simulated one moved only by POST /v1/clock.
class DaemonClock final : public Clock {
 public:
  DaemonClock(bool simulated, Timestamp start) : simulated_(simulated), sim_ms_(start.time_since_epoch().count()) {}
  Timestamp now() const override {
    if (!simulated_) {
      return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    }
    return Timestamp(Duration(sim_ms_.load()));
  }
  bool simulated() const { return simulated_; }
  // Moves the simulated clock forward to t if it is behind (start-up: resume after the journal).
  void raise_to(Timestamp t) {
    std::int64_t want = t.time_since_epoch().count();
    std::int64_t have = sim_ms_.load();
    while (want > have && !sim_ms_.compare_exchange_weak(have, want)) {
    }
  }
  // Moves the simulated clock to t; conflict when t is earlier than now.
  Status set(Timestamp t) {
    std::int64_t want = t.time_since_epoch().count();
    std::int64_t have = sim_ms_.load();
    while (true) {
      if (want < have) {
        return Error{ErrorCode::conflict,
                     fmt::format("field 'now': {} is before the daemon's time {}", format_rfc3339(t),
                                 format_rfc3339(Timestamp(Duration(have))))};
      }
      if (sim_ms_.compare_exchange_weak(have, want)) return {};
    }
  }

 private:
  bool simulated_;
  std::atomic<std::int64_t> sim_ms_;
};

Timestamp wall_now() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

std::string read_file(const std::string& path, Status& status) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    status = not_found(fmt::format("{}: cannot read the file", path));
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

HttpResponse json_response(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

// An event on its way to the core, with the service points PostGIS found in its area, if any.
struct AcceptedEvent {
  Event event;
  ResolvedEvent resolved;
  std::vector<ServicePointId> area;
};

}  // namespace

// The planner's budget runs on a steady clock: a simulated or corrected wall clock must neither
// stretch nor cut it.
class SteadyClock final : public Clock {
 public:
  Timestamp now() const override {
    return Timestamp(std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch()));
  }
};

struct Daemon::Impl {
  // The roster from [[crews]], depots given as buses placed by the model.
  Status set_crews() {
    std::vector<CrewProfile> crews;
    for (std::size_t i = 0; i < config.crews.size(); ++i) {
      CrewProfile p = config.crews[i].profile;
      if (const std::string& bus = config.crews[i].depot_bus; !bus.empty()) {
        const BusId b = model.find_bus(bus);
        if (!b.valid()) return invalid_input(fmt::format("crews[{}].depot_bus: no bus '{}' in model '{}'", i, bus, model.name));
        if (!model.bus(b).has_position) {
          return invalid_input(fmt::format("crews[{}].depot_bus: bus '{}' has no position; give depot = [x, y]", i, bus));
        }
        p.depot = model.bus(b).position;
        p.has_depot = true;
        p.depot_name = bus;
      }
      crews.push_back(std::move(p));
    }
    return room->desk().set_crews(crews);
  }

  // [travel]: the roads when configured, else the straight line.
  Status set_travel() {
    const TravelConfig& t = config.travel;
    StraightLineTravel line{model.crs, t.speed_kmh, t.detour};
    if (t.roads.empty()) {
      room->set_travel_times(std::make_shared<StraightLineTimes>(line));
      return {};
    }
    RoadSpeeds speeds = RoadSpeeds::defaults();
    for (const auto& [cls, kmh] : t.speeds) {
      if (Status s = speeds.set(cls, kmh); !s) return invalid_input(fmt::format("travel.speeds.{}: {}", cls, s.error().message));
    }
    auto roads = read_osm_roads(t.roads, speeds);
    if (!roads) return roads.error();
    RoadTravelOptions options;
    options.max_snap_m = t.max_snap_m;
    auto travel = std::make_shared<RoadTravel>(std::make_shared<const RoadGraph>(std::move(roads).value()),
                                               MapPlacement::make(model.crs, t.placement), line, options);
    spdlog::info("event=travel_times {}", travel->describe());
    room->set_travel_times(std::move(travel));
    return {};
  }

  DaemonConfig config;
  std::unique_ptr<DaemonClock> clock;
  SteadyClock steady;
  NetworkModel model;
  GatewayRegistry gateways;
  std::unique_ptr<ControlRoom> room;  // the engine and the ticket desk, on the core strand
  OutageEngine* engine = nullptr;     // room's
  AnswerStyle answer_style;
  std::unique_ptr<AccessControl> access;
  std::unique_ptr<AreaLookup> areas;
  std::unique_ptr<DaemonState> state;
  std::unique_ptr<GroupCommitter> committer;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<MqttIngest> mqtt;
  std::unique_ptr<MqttPublisher> ping_publisher;
  std::unique_ptr<WebhookClient> ping_webhook;
  MetricsRegistry metrics;
  DecodeLimits limits;

  asio::io_context core;  // the core strand: one thread runs it
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> core_work;
  std::thread core_thread;
  std::unique_ptr<asio::steady_timer> ticker;
  std::atomic<bool> ready{false};
  // Names of the records posted so far: a record.cancel naming none of them is refused at ingest.
  std::mutex records_mutex;
  std::unordered_set<std::string> record_names;
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> ticket_requests{0};
  // Tickets the desk has made (set on the core strand): a crew report naming a later one is refused at ingest.
  std::atomic<std::size_t> tickets_known{0};
  std::unique_ptr<AddressSearch> address_search;

  Counter* events_in = nullptr;
  Counter* events_rejected = nullptr;
  Counter* events_duplicate = nullptr;
  Counter* requests_overloaded = nullptr;
  Counter* pings_requested = nullptr;
  std::array<Gauge*, 8> outages_by_state{};
  Gauge* replayed = nullptr;

  // ---- start-up ----------------------------------------------------------------------------

  Status load_model() {
    auto store = PostgisStore::connect(config.store.dsn);
    if (!store) return store.error();
    if (Status s = store->migrate(); !s) return s;
    std::optional<NetworkModel> from_file;
    std::string name = config.model.name;
    if (!config.model.path.empty()) {
      ModelFileOptions options;
      if (!config.model.customers.empty()) options.customers_csv = config.model.customers;
      auto opened = open_model_file(config.model.path, options);
      if (!opened) return opened.error();
      if (name.empty()) name = opened->name;  // the circuit's name, as `outage import` stores it
      from_file = std::move(opened).value();
    }
    if (name.empty()) return invalid_input("model: give model.path (or --model) or model.name");
    auto names = store->list_models();
    if (!names) return names.error();
    if (std::find(names->begin(), names->end(), name) != names->end()) {
      auto loaded = store->load_model(name);
      if (!loaded) return loaded.error();
      model = std::move(loaded).value();
      spdlog::info("event=model_loaded model={} buses={} elements={} customers={}", name, model.buses().size(),
                   model.elements().size(), model.customers().size());
      return {};
    }
    if (!from_file) return not_found(fmt::format("model '{}': not in the store and no model.path to import", name));
    model = std::move(*from_file);
    model.name = name;
    if (Status s = store->save_model(model, name); !s) return s;
    spdlog::info("event=model_imported model={} path={} customers={}", name, config.model.path, model.customers().size());
    return {};
  }

  Status load_gateways() {
    if (config.model.gateways.empty()) return {};
    Status status;
    std::string text = read_file(config.model.gateways, status);
    if (!status) return status;
    auto registry = GatewayRegistry::parse(text, config.model.gateways, model);
    if (!registry) return registry.error();
    gateways = std::move(registry).value();
    spdlog::info("event=gateways_loaded count={}", gateways.size());
    return {};
  }

  void register_metrics() {
    events_in = &metrics.counter("outage_events_accepted_total", "Events made durable in the journal");
    events_rejected = &metrics.counter("outage_events_rejected_total", "Events refused (bad field, unknown subject)");
    events_duplicate = &metrics.counter("outage_events_duplicate_total", "Events ignored as repeats (same source and id)");
    requests_overloaded = &metrics.counter("outage_ingest_overloaded_total", "Ingest requests answered 503 (journal queue full)");
    pings_requested = &metrics.counter("outage_pings_requested_total", "Meter reads the engine asked for");
    for (int s = 0; s < 8; ++s) {
      outages_by_state[s] = &metrics.gauge("outage_outages", "Outages by state",
                                           {{"state", std::string(to_string(static_cast<OutageState>(s)))}});
    }
    GroupCommitter* c = committer.get();
    metrics.gauge_callback("outage_journal_lag_seconds", "Age of the oldest ingest request not yet committed", {},
                           [c] { return std::chrono::duration<double>(c->stats().journal_lag).count(); });
    metrics.gauge_callback("outage_journal_queued_rows", "Events waiting for the journal commit", {},
                           [c] { return static_cast<double>(c->stats().queued_rows); });
    metrics.counter_callback("outage_journal_transactions_total", "Journal transactions committed", {},
                             [c] { return static_cast<double>(c->stats().transactions); });
    metrics.counter_callback("outage_journal_failed_transactions_total", "Journal transactions that failed", {},
                             [c] { return static_cast<double>(c->stats().failed_transactions); });
    metrics.gauge_callback("outage_journal_last_commit_seconds", "Duration of the last journal commit", {},
                           [c] { return std::chrono::duration<double>(c->stats().last_commit_latency).count(); });
    HttpServer* h = http.get();
    metrics.gauge_callback("outage_http_open_connections", "Open HTTP connections", {},
                           [h] { return h ? static_cast<double>(h->stats().open_sessions) : 0.0; });
  }

  // Rebuilds the engine's state from the journal: every event at the time it was received.
  Status replay(Journal& journal) {
    EventDecoder decoder(DecodeLimits{Duration::max() / 4, Duration::max() / 4, limits.max_events,
                                      limits.max_field_bytes, limits.max_list});
    std::int64_t count = 0;
    Timestamp last_advance = kNoTime;
    Status s = journal.replay(0, [&](const JournalRow& row) -> Status {
      auto batch = decoder.decode(row.body, BodyFormat::json, row.received_at);
      if (!batch || batch->events.size() != 1) {
        spdlog::warn("event=replay_skip seq={} reason={}", row.seq,
                     batch ? (batch->rejected.empty() ? std::string("empty") : batch->rejected[0].error) : batch.error().message);
        return {};
      }
      // Events received together were applied together: evaluate when the receipt time moves on.
      if (last_advance != kNoTime && row.received_at != last_advance) room->advance(last_advance);
      // The clock had reached the receipt time before the event came in: its timers (a settling
      // window that made the ticket a ticket.assign names) ran first.
      if (row.received_at != last_advance) room->advance(row.received_at);
      last_advance = row.received_at;
      clock->raise_to(row.received_at);
      const Event& event = batch->events[0].event;
      if (const OutageRecord* r = event.get<OutageRecord>()) record_names.insert(r->record);
      std::vector<ServicePointId> area;
      if (const OutageRecord* r = event.get<OutageRecord>(); r && !r->area.empty()) {
        auto found = areas->service_points_in(model, r->area);
        if (!found) return found.error();
        area = std::move(found).value();
      }
      Status applied = room->apply(event, row.received_at, row.seq, area);
      if (!applied) spdlog::warn("event=replay_apply_failed seq={} reason={}", row.seq, applied.error().message);
      ++count;
      return {};
    });
    if (!s) return s;
    if (last_advance != kNoTime) room->advance(last_advance);
    room->advance(clock->now());
    (void)room->take_changed_outages();
    (void)room->desk().take_changed();
    (void)engine->take_ping_requests();
    tickets_known = room->desk().tickets().size();
    replayed->set(static_cast<double>(count));
    spdlog::info("event=journal_replayed events={} active_outages={}", count, engine->active_outages().size());
    return {};
  }

  // ---- the core strand ---------------------------------------------------------------------

  void tick() {
    room->advance(clock->now());
    publish();
    ticker->expires_after(std::chrono::seconds(1));
    ticker->async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  }

  // After the engine moved: log what changed, hand pings on, refresh the gauges.
  void publish() {
    tickets_known = room->desk().tickets().size();
    for (OutageId id : room->take_changed_outages()) {
      const Outage& o = *engine->outage(id);
      spdlog::debug("event=outage_changed outage={} state={} customers_out={}", id.value(), to_string(o.state), o.customers_out);
    }
    for (TicketId id : room->desk().take_changed()) {
      const Ticket& t = *room->desk().ticket(id);
      spdlog::debug("event=ticket_changed ticket={} kind={} state={} outage={}", id.value(), to_string(t.kind),
                    to_string(t.state), t.outage.valid() ? static_cast<std::int64_t>(t.outage.value()) : -1);
    }
    for (const PingRequest& p : engine->take_ping_requests()) {
      pings_requested->inc();
      std::string meter(model.service_point(p.meter).id);
      const std::int64_t outage_id = p.outage.valid() ? static_cast<std::int64_t>(p.outage.value()) : -1;
      spdlog::debug("event=ping_requested meter={} outage={} reason={}", meter, outage_id, p.reason);
      Json request = {{"meter", meter}, {"outage", p.outage.valid() ? Json(outage_id) : Json(nullptr)},
                      {"reason", std::string(p.reason)}, {"requested_at", format_rfc3339(clock->now())}};
      if (ping_publisher) (void)ping_publisher->publish(config.ping.mqtt_topic, request.dump(), 1);
      if (ping_webhook) ping_webhook->post(request.dump());
    }
    std::array<int, 8> by_state{};
    for (const Outage& o : engine->outages()) ++by_state[static_cast<int>(o.state)];
    for (int s = 0; s < 8; ++s) outages_by_state[s]->set(by_state[s]);
  }

  // Runs `f` on the core strand and answers with what it returns.
  template <typename F>
  void on_core(Responder responder, F f) {
    asio::post(core, [responder, f = std::move(f)]() mutable { responder.send(f()); });
  }

  // ---- HTTP --------------------------------------------------------------------------------

  void handle(HttpRequest&& req, Responder res) {
    const std::string& path = req.path;
    if (path == "/healthz") {
      return res.send(json_response(200, {{"status", "ok"}}));
    }
    auto refuse = [&](Permission p) -> bool {
      if (auto r = access->refuse(req.authorization, p)) {
        res.send(*r);
        return true;
      }
      return false;
    };
    if (path == "/readyz") {
      if (auto r = access->authenticate(req.authorization); !r) return res.send(unauthorized_response(r.error().message));
      bool ok = ready.load() && !stopped.load();
      return res.send(json_response(ok ? 200 : 503, {{"status", ok ? "ready" : stopped.load() ? "stopping" : "starting"}}));
    }
    if (path == "/metrics") {
      if (auto r = access->authenticate(req.authorization); !r) return res.send(unauthorized_response(r.error().message));
      HttpResponse m;
      m.content_type = "text/plain; version=0.0.4";
      m.body = metrics.render();
      return res.send(std::move(m));
    }
    if (path == "/v1/events") {
      if (req.method != "POST") return res.send(json_error(405, ErrorCode::invalid_input, "use POST for /v1/events"));
      if (refuse(Permission::post_events)) return;
      return ingest(std::move(req), res);
    }
    if (path == "/v1/clock") {
      if (req.method != "POST" && req.method != "GET") {
        return res.send(json_error(405, ErrorCode::invalid_input, "use GET or POST for /v1/clock"));
      }
      if (req.method == "GET") {
        if (auto r = access->authenticate(req.authorization); !r) return res.send(unauthorized_response(r.error().message));
        return res.send(json_response(200, {{"now", format_rfc3339(clock->now())}, {"mode", clock->simulated() ? "sim" : "wall"}}));
      }
      if (refuse(Permission::admin)) return;
      return set_clock(req, res);
    }
    if (path == "/v1/outages") {
      if (req.method != "GET") return res.send(json_error(405, ErrorCode::invalid_input, "use GET for /v1/outages"));
      if (refuse(Permission::read_outages)) return;
      std::string state = req.param("state") ? *req.param("state") : "active";
      bool known = state == "active" || state == "all";
      for (int st = 0; st < 8; ++st) known = known || to_string(static_cast<OutageState>(st)) == state;
      if (!known) {
        return res.send(json_error(400, ErrorCode::invalid_input,
                                   fmt::format("query 'state': unknown state '{}' (active, all, or one state)", state)));
      }
      return on_core(res, [this, state] {
        std::vector<OutageId> ids;
        for (const Outage& o : engine->outages()) {
          bool take = state == "all" || (state == "active" ? is_active(o.state) : to_string(o.state) == state);
          if (take) ids.push_back(o.id);
        }
        Json collection = outage_collection(*engine, ids);
        for (Json& f : collection["features"]) add_dispatch(f, *engine->outage(OutageId(f["id"].get<std::uint32_t>())));
        return json_response(200, collection);
      });
    }
    if (path == "/v1/status") {
      if (req.method != "GET") return res.send(json_error(405, ErrorCode::invalid_input, "use GET for /v1/status"));
      if (refuse(Permission::read_status)) return;
      return status(req, res);
    }
    if (path == "/v1/tickets") {
      if (req.method != "GET" && req.method != "POST") {
        return res.send(json_error(405, ErrorCode::invalid_input, "use GET or POST for /v1/tickets"));
      }
      if (refuse(Permission::manage_tickets)) return;
      if (req.method == "POST") return open_ticket(req, res);
      std::string state = req.param("state") ? *req.param("state") : "open";
      if (state != "open" && state != "all") {
        return res.send(json_error(400, ErrorCode::invalid_input, fmt::format("query 'state': expected open or all, got '{}'", state)));
      }
      return on_core(res, [this, state] {
        Json list = Json::array();
        Timestamp now = clock->now();
        if (state == "open") {
          for (TicketId id : room->desk().queue()) list.push_back(ticket_json(*room, *room->desk().ticket(id), false, now));
        } else {
          for (const Ticket& t : room->desk().tickets()) list.push_back(ticket_json(*room, t, false, now));
        }
        return json_response(200, {{"tickets", std::move(list)}});
      });
    }
    if (path.rfind("/v1/tickets/", 0) == 0) {
      std::string rest = path.substr(12);
      if (rest.size() > 7 && rest.compare(rest.size() - 7, 7, "/assign") == 0) {
        rest.resize(rest.size() - 7);
        if (req.method != "POST") return res.send(json_error(405, ErrorCode::invalid_input, "use POST to assign a ticket"));
        if (refuse(Permission::dispatch)) return;
        std::uint32_t id = 0;
        auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
        if (ec != std::errc() || p != rest.data() + rest.size()) {
          return res.send(json_error(404, ErrorCode::not_found, fmt::format("no ticket '{}'", rest)));
        }
        return assign_ticket(req, res, id);
      }
      if (req.method != "GET") return res.send(json_error(405, ErrorCode::invalid_input, "use GET for a ticket"));
      if (refuse(Permission::manage_tickets)) return;
      std::uint32_t id = 0;
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
      if (ec != std::errc() || p != rest.data() + rest.size()) {
        return res.send(json_error(404, ErrorCode::not_found, fmt::format("no ticket '{}'", rest)));
      }
      return on_core(res, [this, id] {
        const Ticket* t = room->desk().ticket(TicketId(id));
        if (!t) return json_error(404, ErrorCode::not_found, fmt::format("no ticket {}", id));
        return json_response(200, ticket_json(*room, *t, true, clock->now()));
      });
    }
    if (path == "/v1/crews") {
      if (req.method != "GET") return res.send(json_error(405, ErrorCode::invalid_input, "use GET for /v1/crews"));
      if (refuse(Permission::read_outages)) return;
      return on_core(res, [this] {
        return json_response(200, {{"crews", crews_json(*room, clock->now())},
                                   {"policy", std::string(to_string(room->dispatch_policy()))},
                                   {"alerts", plan_alerts_json(*room)}});
      });
    }
    if (path == "/v1/records") {
      if (req.method != "GET") return res.send(json_error(405, ErrorCode::invalid_input, "use GET for /v1/records"));
      if (refuse(Permission::read_outages)) return;
      bool all = req.param("cancelled") && *req.param("cancelled") == "true";
      return on_core(res, [this, all] { return json_response(200, {{"records", record_list(*engine, all)}}); });
    }
    if (path.rfind("/v1/outages/", 0) == 0) {
      std::string rest = path.substr(12);
      bool confirm = false, etr = false;
      if (rest.size() > 8 && rest.compare(rest.size() - 8, 8, "/confirm") == 0) {
        confirm = true;
        rest.resize(rest.size() - 8);
      } else if (rest.size() > 4 && rest.compare(rest.size() - 4, 4, "/etr") == 0) {
        etr = true;
        rest.resize(rest.size() - 4);
      }
      std::uint32_t id = 0;
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
      if (ec != std::errc() || p != rest.data() + rest.size()) {
        return res.send(json_error(404, ErrorCode::not_found, fmt::format("no outage '{}'", rest)));
      }
      if (etr) {
        if (req.method != "POST") return res.send(json_error(405, ErrorCode::invalid_input, "use POST to set an ETR"));
        if (refuse(Permission::dispatch)) return;
        return override_etr(req, res, id);
      }
      if (confirm) {
        if (req.method != "POST") return res.send(json_error(405, ErrorCode::invalid_input, "use POST to confirm"));
        if (refuse(Permission::dispatch)) return;
        auto who = access->identify(req.authorization);
        std::string source = "api:" + (who ? who->name : std::string("unknown"));
        // Journaled as an outage.confirm event, so that a restart keeps the confirmation.
        asio::post(core, [this, res, id, source] {
          const Outage* o = engine->outage(OutageId(id));
          if (!o) return res.send(json_error(404, ErrorCode::not_found, fmt::format("no outage {}", id)));
          if (!is_active(o->state)) {
            return res.send(json_error(409, ErrorCode::conflict, fmt::format("outage {} is {}, not active", id, to_string(o->state))));
          }
          Timestamp now = clock->now();
          Json event = {{"id", fmt::format("confirm-{}-{}", id, now.time_since_epoch().count())},
                        {"type", "outage.confirm"},
                        {"time", format_rfc3339(now)},
                        {"source", source},
                        {"outage", std::to_string(id)},
                        {"by", "dispatcher"}};
          submit_events(event.dump(), BodyFormat::json, [this, res, id](Result<IngestOutcome> r) {
            if (!r) return res.send(error_response(r.error()));
            if (!r->rejected.empty()) {
              return res.send(json_error(400, ErrorCode::invalid_input, r->rejected[0]["error"].get<std::string>()));
            }
            // The core applies the committed event before this (posted after it, same strand).
            on_core(res, [this, id] {
              publish();
              return json_response(200, outage_json(*engine->outage(OutageId(id)), true));
            });
          });
        });
        return;
      }
      if (req.method != "GET") return res.send(json_error(405, ErrorCode::invalid_input, "use GET for an outage"));
      if (refuse(Permission::read_outages)) return;
      return on_core(res, [this, id] {
        const Outage* o = engine->outage(OutageId(id));
        if (!o) return json_error(404, ErrorCode::not_found, fmt::format("no outage {}", id));
        return json_response(200, outage_json(*o, true));
      });
    }
    res.send(json_error(404, ErrorCode::not_found, fmt::format("no route for {} {}", req.method, path)));
  }

  // ---- hotline, tickets, ETR -----------------------------------------------------------------

  // An outage Feature with what the desk knows of it: ticket, crew, ETR.
  void add_dispatch(Json& feature, const Outage& o) {
    Json& p = feature["properties"];
    TicketId tid = room->desk().ticket_of(o.id);
    const Ticket* t = room->desk().ticket(tid);
    p["ticket"] = t ? Json(tid.value()) : Json(nullptr);
    p["crew"] = t && !t->crew.empty() ? Json(t->crew) : Json(nullptr);
    Etr e = room->desk().etr(*engine, o.id, clock->now());
    p["etr"] = e.known() ? Json({{"p50", format_rfc3339(e.p50)}, {"p90", format_rfc3339(e.p90)},
                                 {"confidence", e.confidence}, {"basis", std::string(e.basis)}})
                         : Json(nullptr);
  }

  Json outage_json(const Outage& o, bool detail) {
    Json f = outage_feature(*engine, o, detail);
    add_dispatch(f, o);
    return f;
  }

  // GET /v1/status: exactly one subject; the answer is composed on the core strand.
  void status(const HttpRequest& req, Responder res) {
    constexpr std::size_t kMaxSubject = 256;
    std::vector<std::string> given;
    for (const char* key : {"customer", "meter", "phone", "address", "lon", "lat", "x", "y"}) {
      auto v = req.param(key);
      if (!v) continue;
      if (v->empty()) return res.send(json_error(400, ErrorCode::invalid_input, fmt::format("query '{}': empty", key)));
      if (v->size() > kMaxSubject) {
        return res.send(json_error(400, ErrorCode::invalid_input,
                                   fmt::format("query '{}': longer than {} characters", key, kMaxSubject)));
      }
      given.emplace_back(key);
    }
    auto has = [&](const char* k) { return std::find(given.begin(), given.end(), k) != given.end(); };
    int subjects = has("customer") + has("meter") + has("phone") + has("address") + (has("lon") || has("lat")) +
                   (has("x") || has("y"));
    if (subjects == 0) {
      return res.send(json_error(400, ErrorCode::invalid_input,
                                 "query: give one subject: customer, meter, phone, address, lon and lat, or x and y"));
    }
    if (subjects > 1) {
      return res.send(json_error(400, ErrorCode::invalid_input,
                                 fmt::format("query: give one subject, not several ({})", fmt::join(given, ", "))));
    }
    CustomerId customer;
    ServicePointId sp;
    if (has("customer")) {
      customer = model.find_customer(*req.param("customer"));
      if (!customer.valid()) {
        return res.send(json_error(404, ErrorCode::not_found, fmt::format("customer '{}': unknown", *req.param("customer"))));
      }
    } else if (has("meter")) {
      sp = model.find_service_point(*req.param("meter"));
      if (!sp.valid()) return res.send(json_error(404, ErrorCode::not_found, fmt::format("meter '{}': unknown", *req.param("meter"))));
    } else if (has("phone")) {
      auto found = engine->resolver().customers_by_phone(*req.param("phone"));
      if (found.empty()) {
        return res.send(json_error(404, ErrorCode::not_found, fmt::format("phone '{}': no customer has it", *req.param("phone"))));
      }
      if (found.size() > 1) return res.send(candidates(found, fmt::format("phone '{}'", *req.param("phone"))));
      customer = found.front();
    } else if (has("address")) {
      auto found = address_search->find(model, *req.param("address"));
      if (!found) return res.send(error_response(found.error()));
      if (found->empty()) {
        return res.send(json_error(404, ErrorCode::not_found,
                                   fmt::format("address '{}': no customer's address is like it", *req.param("address"))));
      }
      if (found->size() > 1 && (*found)[0].similarity - (*found)[1].similarity < 0.1) {
        std::vector<CustomerId> ids;
        for (const AddressMatch& m : *found) ids.push_back(m.customer);
        return res.send(candidates(ids, fmt::format("address '{}'", *req.param("address"))));
      }
      customer = (*found)[0].customer;
    } else {
      const bool geo = has("lon") || has("lat");
      const char* kx = geo ? "lon" : "x";
      const char* ky = geo ? "lat" : "y";
      double x = 0, y = 0;
      for (auto [key, out] : {std::pair{kx, &x}, std::pair{ky, &y}}) {
        auto v = req.param(key);
        if (!v) return res.send(json_error(400, ErrorCode::invalid_input, fmt::format("query '{}': missing", key)));
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), *out);
        if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(*out)) {
          return res.send(json_error(400, ErrorCode::invalid_input, fmt::format("query '{}': not a number: '{}'", key, *v)));
        }
      }
      if (geo && (x < -180 || x > 180 || y < -90 || y > 90)) {
        return res.send(json_error(400, ErrorCode::invalid_input, "query 'lon'/'lat': outside [-180, 180] x [-90, 90]"));
      }
      sp = engine->resolver().nearest_service_point(Point{x, y});
      if (!sp.valid()) return res.send(json_error(404, ErrorCode::not_found, "position: the model has no positioned meters"));
    }
    if (customer.valid()) sp = model.customer(customer).service_point;
    on_core(res, [this, sp, customer] {
      StatusAnswer a = answer_status(*room, sp, clock->now(), answer_style);
      return json_response(200, status_json(model, a, sp, customer));
    });
  }

  // 300 with the customers a subject could mean.
  HttpResponse candidates(const std::vector<CustomerId>& ids, const std::string& what) {
    Json list = Json::array();
    for (CustomerId c : ids) {
      const Customer& cu = model.customer(c);
      list.push_back({{"customer", std::string(cu.id)}, {"name", std::string(cu.name)}, {"address", std::string(cu.address)},
                      {"meter", std::string(model.service_point(cu.service_point).id)}});
      if (list.size() == 10) break;
    }
    return json_response(300, {{"error", what + ": more than one customer; pick one"},
                               {"code", "ambiguous"},
                               {"candidates", std::move(list)}});
  }

  // Journals an event the API made (a ticket, an ETR), then answers from the core once applied.
  template <typename Then>
  void journal_and_answer(Json event, Responder res, Then then) {
    submit_events(event.dump(), BodyFormat::json, [this, res, then](Result<IngestOutcome> r) mutable {
      if (!r) return res.send(error_response(r.error()));
      if (!r->rejected.empty()) {
        return res.send(json_error(400, ErrorCode::invalid_input, r->rejected[0]["error"].get<std::string>()));
      }
      // The core applies the committed event before this (posted after it, on the same strand).
      on_core(res, [this, then]() mutable {
        publish();
        return then();
      });
    });
  }

  std::string api_source(const HttpRequest& req) {
    auto who = access->identify(req.authorization);
    return "api:" + (who ? who->name : std::string("unknown"));
  }

  // POST /v1/tickets: an agent's ticket, journaled as a ticket.open event.
  void open_ticket(const HttpRequest& req, Responder res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return res.send(json_error(400, ErrorCode::invalid_input, "body: expected a JSON object"));
    }
    for (const char* reserved : {"id", "type", "time", "source"}) body.erase(reserved);
    const Timestamp now = clock->now();
    const std::string source = api_source(req);
    const std::string id = fmt::format("ticket-{}-{}", now.time_since_epoch().count(), ticket_requests++);
    body["id"] = id;
    body["type"] = "ticket.open";
    body["time"] = format_rfc3339(now);
    body["source"] = source;
    journal_and_answer(std::move(body), res, [this, source, id] {
      TicketId t = room->ticket_opened_by(source, id);
      if (!t.valid()) return json_error(500, ErrorCode::internal, "the ticket was journaled but not opened (see the log)");
      return json_response(201, ticket_json(*room, *room->desk().ticket(t), true, clock->now()));
    });
  }

  // POST /v1/tickets/{id}/assign {"crew": id, "reason": text}: a dispatcher's choice of crew,
  // checked on the core strand, then journaled as ticket.assign; {"crew": null} or "" hands the
  // ticket back to the dispatch policy.
  void assign_ticket(const HttpRequest& req, Responder res, std::uint32_t id) {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return res.send(json_error(400, ErrorCode::invalid_input, "body: expected a JSON object"));
    }
    if (!body.contains("crew") || !(body["crew"].is_string() || body["crew"].is_null())) {
      return res.send(json_error(400, ErrorCode::invalid_input, "field 'crew': missing (a crew id, or null to hand the ticket back)"));
    }
    if (body.contains("reason") && !body["reason"].is_string()) {
      return res.send(json_error(400, ErrorCode::invalid_input, "field 'reason': expected text"));
    }
    const std::string crew = body["crew"].is_null() ? "" : body["crew"].get<std::string>();
    const std::string reason = body.value("reason", std::string());
    const std::string source = api_source(req);
    asio::post(core, [this, res, id, crew, reason, source] {
      const Timestamp now = clock->now();
      if (Status s = room->desk().check_pin(TicketId(id), crew, now); !s) return res.send(error_response(s.error()));
      Json event = {{"id", fmt::format("assign-{}-{}", id, now.time_since_epoch().count())},
                    {"type", "ticket.assign"},
                    {"time", format_rfc3339(now)},
                    {"source", source},
                    {"ticket", std::to_string(id)},
                    {"crew", crew}};
      if (!reason.empty()) event["reason"] = reason;
      journal_and_answer(std::move(event), res, [this, id, crew] {
        const Ticket& t = *room->desk().ticket(TicketId(id));
        if (t.pinned_crew != crew && t.crew != crew) {
          return json_error(409, ErrorCode::conflict,
                            fmt::format("ticket {} changed while the assignment was being recorded; it was not applied", id));
        }
        return json_response(200, ticket_json(*room, t, true, clock->now()));
      });
    });
  }

  // POST /v1/outages/{id}/etr {"etr": time}: a dispatcher's estimate, journaled as outage.etr.
  void override_etr(const HttpRequest& req, Responder res, std::uint32_t id) {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return res.send(json_error(400, ErrorCode::invalid_input, "body: expected a JSON object"));
    }
    if (!body.contains("etr") || !body["etr"].is_string()) {
      return res.send(json_error(400, ErrorCode::invalid_input, "field 'etr': missing (an RFC 3339 time)"));
    }
    const std::string source = api_source(req);
    asio::post(core, [this, res, id, source, etr = body["etr"].get<std::string>()] {
      const Outage* o = engine->outage(OutageId(id));
      if (!o) return res.send(json_error(404, ErrorCode::not_found, fmt::format("no outage {}", id)));
      if (!is_active(o->state)) {
        return res.send(json_error(409, ErrorCode::conflict, fmt::format("outage {} is {}, not active", id, to_string(o->state))));
      }
      Timestamp now = clock->now();
      Json event = {{"id", fmt::format("etr-{}-{}", id, now.time_since_epoch().count())},
                    {"type", "outage.etr"},
                    {"time", format_rfc3339(now)},
                    {"source", source},
                    {"outage", std::to_string(id)},
                    {"etr", etr}};
      journal_and_answer(std::move(event), res, [this, id] { return json_response(200, outage_json(*engine->outage(OutageId(id)), true)); });
    });
  }

  void set_clock(const HttpRequest& req, Responder res) {
    if (!clock->simulated()) {
      return res.send(json_error(409, ErrorCode::conflict, "the daemon runs on the wall clock (start it with --clock sim)"));
    }
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return res.send(json_error(400, ErrorCode::invalid_input, "body: expected a JSON object"));
    if (!body.contains("now") || !body["now"].is_string()) {
      return res.send(json_error(400, ErrorCode::invalid_input, "field 'now': missing (an RFC 3339 time)"));
    }
    auto t = parse_rfc3339(body["now"].get<std::string>());
    if (!t) return res.send(json_error(400, ErrorCode::invalid_input, "field 'now': not an RFC 3339 time with a zone"));
    if (*t < clock->now()) {
      return res.send(json_error(409, ErrorCode::conflict,
                                 fmt::format("field 'now': {} is before the daemon's time {}", format_rfc3339(*t),
                                             format_rfc3339(clock->now()))));
    }
    // Kept in the store first, so that a restart resumes from here (the journal does not hold it).
    if (Status s = state->put("sim_clock", format_rfc3339(*t)); !s) return res.send(error_response(s.error()));
    if (Status s = clock->set(*t); !s) return res.send(error_response(s.error()));
    on_core(res, [this] {
      room->advance(clock->now());
      publish();
      return json_response(200, {{"now", format_rfc3339(clock->now())}});
    });
  }

  // What became of a body of events: answered to HTTP as the 202 body; MQTT acknowledges on ok.
  struct IngestOutcome {
    std::size_t accepted = 0;
    std::size_t duplicates = 0;
    Json rejected = Json::array();
  };
  using IngestDone = std::function<void(Result<IngestOutcome>)>;

  // The one ingest path of every transport: decode, resolve, journal (group commit), then hand
  // the written events to the core in journal order. `done` is called once: with the outcome
  // after the commit, or with unavailable (overload, journal down: nothing was committed).
  void submit_events(std::string body, BodyFormat format, IngestDone done) {
    thread_local std::unique_ptr<EventDecoder> decoder;
    if (!decoder) decoder = std::make_unique<EventDecoder>(limits);
    Timestamp now = clock->now();
    auto batch = decoder->decode(body, format, now);
    if (!batch) return done(batch.error());
    CommitRequest commit;
    auto outcome = std::make_shared<IngestOutcome>();
    for (const EventRejection& r : batch->rejected) {
      outcome->rejected.push_back({{"index", r.index}, {"error", r.error}});
      commit.dead.push_back({now, r.source, r.id, r.type, r.error, std::string(r.raw)});
    }
    auto accepted = std::make_shared<std::vector<AcceptedEvent>>();
    accepted->reserve(batch->events.size());
    auto all_resolved = engine->resolver().resolve_all(batch->events);
    for (std::size_t i = 0; i < batch->events.size(); ++i) {
      DecodedEvent& d = batch->events[i];
      auto& resolved = all_resolved[i];
      std::vector<ServicePointId> area;
      if (resolved) {
        if (const OutageRecord* r = d.event.get<OutageRecord>(); r && !r->area.empty()) {
          auto found = areas->service_points_in(model, r->area);
          if (!found) resolved = found.error();
          else area = std::move(found).value();
        }
      }
      if (resolved) {
        if (const TicketOpen* t = d.event.get<TicketOpen>()) {
          if (Status st = TicketDesk::check(*t); !st) resolved = st.error();
        } else if (const TicketAssign* a = d.event.get<TicketAssign>()) {
          std::size_t n = 0;
          auto [p, ec] = std::from_chars(a->ticket.data(), a->ticket.data() + a->ticket.size(), n);
          if (ec != std::errc() || p != a->ticket.data() + a->ticket.size() || n >= tickets_known.load()) {
            resolved = not_found(fmt::format("field 'ticket': unknown ticket '{}'", a->ticket));
          }
        } else if (const CrewStatus* c = d.event.get<CrewStatus>(); c && !c->ticket.empty()) {
          // A crew names a ticket it was given: one the desk has made already.
          std::size_t n = 0;
          auto [p, ec] = std::from_chars(c->ticket.data(), c->ticket.data() + c->ticket.size(), n);
          if (ec != std::errc() || p != c->ticket.data() + c->ticket.size() || n >= tickets_known.load()) {
            resolved = not_found(fmt::format("field 'ticket': unknown ticket '{}'", c->ticket));
          }
        }
      }
      if (resolved) {
        std::lock_guard lock(records_mutex);
        if (const OutageRecord* r = d.event.get<OutageRecord>()) {
          record_names.insert(r->record);
        } else if (const RecordCancel* c = d.event.get<RecordCancel>(); c && !record_names.count(c->record)) {
          resolved = not_found(fmt::format("field 'record': unknown record '{}'", c->record));
        }
      }
      if (!resolved) {
        outcome->rejected.push_back({{"index", d.index}, {"error", resolved.error().message}});
        commit.dead.push_back({now, d.event.source, d.event.id, std::string(to_string(d.event.type())),
                               resolved.error().message, std::string(d.raw)});
        continue;
      }
      commit.rows.push_back({d.event.source, d.event.id, std::string(to_string(d.event.type())), d.event.time, now,
                             std::string(d.raw), 0});
      accepted->push_back({std::move(d.event), std::move(resolved).value(), std::move(area)});
    }
    events_rejected->inc(static_cast<double>(outcome->rejected.size()));
    if (commit.rows.empty() && commit.dead.empty()) return done(*outcome);
    bool queued = committer->submit(std::move(commit), [this, done, accepted, outcome, now](Result<CommitReceipt> receipt) {
      if (!receipt) return done(unavailable("journal: " + receipt.error().message));
      std::size_t dup = receipt->duplicates.size();
      std::size_t written = accepted->size() - dup;
      events_in->inc(static_cast<double>(written));
      events_duplicate->inc(static_cast<double>(dup));
      // Hand the written events to the core, in journal order (this callback runs in commit order).
      auto events = std::make_shared<std::vector<std::pair<AcceptedEvent, std::int64_t>>>();
      events->reserve(written);
      std::size_t d = 0;
      std::int64_t seq = receipt->first_seq;
      for (std::size_t i = 0; i < accepted->size(); ++i) {
        if (d < dup && receipt->duplicates[d] == i) {
          ++d;
          continue;
        }
        events->emplace_back(std::move((*accepted)[i]), seq++);
      }
      if (!events->empty()) {
        asio::post(core, [this, events, now] {
          for (auto& [event, s] : *events) {
            if (Status st = room->apply(event.event, event.resolved, now, s, event.area); !st) {
              spdlog::warn("event=apply_failed seq={} reason={}", s, st.error().message);
            }
          }
          tickets_known = room->desk().tickets().size();
        });
      }
      outcome->accepted = written;
      outcome->duplicates = dup;
      done(std::move(*outcome));
    });
    if (!queued) {
      requests_overloaded->inc();
      done(unavailable("ingest is overloaded: the journal queue is full"));
    }
  }

  void ingest(HttpRequest&& req, Responder res) {
    bool ndjson = req.content_type.rfind("application/x-ndjson", 0) == 0;
    submit_events(std::move(req.body), ndjson ? BodyFormat::ndjson : BodyFormat::json, [res](Result<IngestOutcome> r) {
      if (!r) {
        HttpResponse e = error_response(r.error());
        if (r.error().code == ErrorCode::unavailable) e.headers.emplace_back("Retry-After", "1");
        return res.send(std::move(e));
      }
      res.send(json_response(202, {{"accepted", r->accepted}, {"duplicates", r->duplicates}, {"rejected", r->rejected}}));
    });
  }

  // An MQTT message: acknowledged (PUBACK) once its events are durable or refused for good;
  // left unacknowledged (the broker delivers it again) when the journal could not take it.
  void on_mqtt(std::string_view topic, std::string payload, MqttAck ack) {
    std::string where(topic);
    submit_events(std::move(payload), BodyFormat::json, [ack, where](Result<IngestOutcome> r) {
      if (!r) {
        if (r.error().code == ErrorCode::invalid_input) {
          spdlog::warn("event=mqtt_refused topic={} reason=\"{}\"", where, r.error().message);
          ack.done();  // a malformed message will not get better by coming again
        } else {
          spdlog::warn("event=mqtt_retry topic={} reason=\"{}\"", where, r.error().message);
        }
        return;
      }
      if (!r->rejected.empty()) {
        spdlog::info("event=mqtt_rejected topic={} rejected={} first=\"{}\"", where, r->rejected.size(),
                     r->rejected[0]["error"].get<std::string>());
      }
      ack.done();
    });
  }
};

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Daemon::~Daemon() { stop(); }

Endpoint Daemon::endpoint() const { return impl_->http->local_endpoint(); }

Result<std::unique_ptr<Daemon>> Daemon::start(DaemonConfig config) {
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.config = std::move(config);
  bool sim = m.config.clock.mode == ClockMode::sim;
  m.clock = std::make_unique<DaemonClock>(sim, m.config.clock.start.value_or(wall_now()));
  m.limits.max_future = Duration(static_cast<std::int64_t>(m.config.ingest.max_future_s * 1000));
  m.limits.max_age = Duration(static_cast<std::int64_t>(m.config.ingest.max_age_s * 1000));
  m.access = std::make_unique<AccessControl>(m.config.tokens);
  if (m.config.tokens.empty()) spdlog::warn("event=no_tokens reason=\"no token is configured: every request but /healthz is refused\"");

  auto inference = parse_inference_config(m.config.inference_toml, m.config.origin.empty() ? "config" : m.config.origin);
  if (!inference) return inference.error();
  inference->ping_meters_per_transformer = m.config.ping.meters_per_transformer;
  if (Status s = m.load_model(); !s) return s.error();
  if (Status s = m.load_gateways(); !s) return s.error();
  std::vector<ServiceArea> service_areas;
  for (const AreaConfig& a : m.config.areas) {
    service_areas.push_back({a.name, a.area_class, std::chrono::minutes(a.arrival_limit_min), a.polygon});
  }
  m.room = std::make_unique<ControlRoom>(m.model, std::move(inference).value(), &m.gateways, m.config.tickets,
                                         ServiceAreas(std::move(service_areas)));
  // Before the replay: the policy's assignments are not journaled, the replayed ticks make them
  // again (a dispatcher's are: ticket.assign).
  m.room->set_dispatch_policy(m.config.dispatch.policy);
  m.room->set_planner(m.config.dispatch.planner, &m.steady, m.config.dispatch.replan_every);
  if (Status s = m.set_crews(); !s) return s.error();
  if (Status s = m.set_travel(); !s) return s.error();
  m.engine = &m.room->engine();
  m.answer_style = m.config.hotline;
  m.areas = std::make_unique<AreaLookup>(m.config.store.dsn);
  m.address_search = std::make_unique<AddressSearch>(m.config.store.dsn);
  m.state = std::make_unique<DaemonState>(m.config.store.dsn);
  if (sim) {
    // A simulated clock resumes where it was: never behind its last setting or the journal.
    auto stored = m.state->get("sim_clock");
    if (!stored) return stored.error();
    if (*stored) {
      if (auto t = parse_rfc3339(**stored)) m.clock->raise_to(*t);
    }
  }

  auto journal = Journal::open(m.config.store.dsn);
  if (!journal) return journal.error();
  m.replayed = &m.metrics.gauge("outage_journal_replayed_events", "Journal events replayed at start-up");
  if (Status s = m.replay(*journal); !s) return s.error();
  GroupCommitterOptions options;
  options.max_queued_rows = static_cast<std::size_t>(std::max<std::int64_t>(m.config.ingest.max_queued_rows, 1000));
  options.dedup_window = std::min<Duration>(m.limits.max_age, std::chrono::hours(24));
  options.retry_for = std::chrono::milliseconds(static_cast<std::int64_t>(m.config.ingest.commit_retry_s * 1000));
  auto committer = GroupCommitter::start(std::move(journal).value(), m.clock->now(), options);
  if (!committer) return committer.error();
  m.committer = std::move(committer).value();

  m.http = std::make_unique<HttpServer>(http_server_options(m.config.server),
                                        [&m](HttpRequest&& req, Responder res) { m.handle(std::move(req), res); });
  m.register_metrics();
  if (!m.config.ping.mqtt_topic.empty()) {
    MqttPublisherOptions po = mqtt_publisher_options(m.config.mqtt);
    m.ping_publisher = std::make_unique<MqttPublisher>(po);
    if (Status s = m.ping_publisher->start(); !s) return s.error();
  }
  if (!m.config.ping.webhook_url.empty()) {
    auto webhook = WebhookClient::start(m.config.ping.webhook_url);
    if (!webhook) return webhook.error();
    m.ping_webhook = std::move(webhook).value();
  }
  m.core_work.emplace(m.core.get_executor());
  m.ticker = std::make_unique<asio::steady_timer>(m.core);
  asio::post(m.core, [&m] { m.tick(); });
  m.core_thread = std::thread([&m] { m.core.run(); });
  if (Status s = m.http->start(); !s) {
    m.core_work.reset();
    m.core.stop();
    m.core_thread.join();
    return s.error();
  }
  if (m.config.mqtt.enabled) {
    m.mqtt = std::make_unique<MqttIngest>(mqtt_ingest_options(m.config.mqtt),
                                          [&m](std::string_view topic, std::string payload, MqttAck ack) {
                                            m.on_mqtt(topic, std::move(payload), std::move(ack));
                                          });
    if (Status s = m.mqtt->start(); !s) {
      m.http->stop(std::chrono::seconds(0));
      m.core_work.reset();
      m.core.stop();
      m.core_thread.join();
      return s.error();
    }
  }
  m.ready = true;
  spdlog::info("event=listening address={} clock={} model={} dispatch={}", m.http->local_endpoint().to_string(),
               sim ? "sim" : "wall", m.model.name, to_string(m.config.dispatch.policy));
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

void Daemon::stop(std::chrono::seconds grace) {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  Impl& m = *impl_;
  spdlog::info("event=stopping grace_s={}", grace.count());
  if (m.mqtt) m.mqtt->stop(grace);  // no new messages; those in flight are committed and acknowledged
  m.http->stop(grace);      // no new requests; those in flight finish (their commits included)
  m.committer->stop();      // commits what is queued; its callbacks post the last events to the core
  std::promise<void> drained;
  asio::post(m.core, [&m, &drained] {
    m.ticker->cancel();
    m.room->advance(m.clock->now());
    m.publish();
    drained.set_value();
  });
  drained.get_future().wait();
  m.core_work.reset();
  m.core.stop();
  if (m.core_thread.joinable()) m.core_thread.join();
  if (m.ping_publisher) m.ping_publisher->stop(std::chrono::seconds(1));
  if (m.ping_webhook) m.ping_webhook->stop();
  spdlog::info("event=stopped");
}

}  // namespace outage
