// Scenario: what a drill plays (docs/formats.md, "Drill scenarios"): a network model, a seed, a
// start and a duration; the weather over time and the fault rates by device kind and weather
// level; faults placed by hand; planned, temporary and load-shedding records; how the field's
// signals fall short (last-gasp waits, losses, delays, data concentrators, gateways, SCADA,
// fault indicators); who calls and when; crews, their depots and how long repairs take.
//
// Times inside a scenario are offsets from its start. The file reader is adapters/scenario_file.h;
// check() validates what no file format can: the schedule, the ranges, and (against the model)
// every device, customer and bus named.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/clock.h"
#include "feeds/event.h"
#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

// Weather levels, calm to typhoon: fault rates are given for each.
enum class Weather : std::uint8_t { calm, wind, storm, typhoon };
inline constexpr int kWeatherCount = 4;
std::string_view to_string(Weather w);
std::optional<Weather> weather_from_string(std::string_view text);

struct WeatherSpell {
  Duration from{};  // offset from the start; the level holds until the next spell
  Weather level = Weather::calm;
};

// Where a fault is, for its rate and its repair time.
enum class FaultKind : std::uint8_t { overhead_line, cable, transformer };
inline constexpr int kFaultKindCount = 3;
std::string_view to_string(FaultKind k);

// A log-normal duration: its median and the standard deviation of its logarithm.
struct LogNormalDuration {
  Duration median{};
  double sigma = 0.5;
};

// A uniform duration in [low, high].
struct DurationRange {
  Duration low{};
  Duration high{};
};

struct PlacedFault {
  std::string device;  // a line section or a transformer
  Duration at{};
  bool momentary = false;
};

struct FaultPlan {
  // Expected faults per hour, by weather level: per km of overhead line, and per transformer.
  std::array<double, kWeatherCount> line_per_km_hour{};
  std::array<double, kWeatherCount> transformer_per_hour{};
  double cable_factor = 0.1;       // an underground section faults this share as often as overhead
  std::vector<std::string> cables; // line sections that are underground cable
  double momentary_share = 0.3;    // of line faults, cleared by the next reclosing
  Duration reclose_after = std::chrono::seconds(2);
  std::vector<PlacedFault> placed;
};

struct RecordPlan {
  RecordKind kind = RecordKind::planned;
  std::string id;
  std::string reason;
  std::vector<std::string> devices;
  std::vector<std::string> customers;
  Duration start{};
  Duration end{};
  Duration notice{};  // when the system hears of it, from the record's start (negative: ahead)
};

struct SignalPlan {
  DurationRange last_gasp_wait{std::chrono::seconds(30), std::chrono::seconds(45)};
  double last_gasp_delivery = 0.7;
  DurationRange last_gasp_delay{std::chrono::seconds(1), std::chrono::seconds(20)};
  double power_on_delivery = 0.8;
  // A meter reports power back once it has stayed on this long (no report of a closing that
  // tripped again at once, onto a second fault: the power was never back for its customers).
  DurationRange power_on_wait{std::chrono::seconds(30), std::chrono::seconds(45)};
  DurationRange power_on_delay{std::chrono::seconds(1), std::chrono::seconds(30)};
  double concentrator_share = 0.2;  // meters whose messages a data concentrator batches
  Duration concentrator_period = std::chrono::minutes(15);
  std::vector<std::string> scada;   // telemetered devices: element kinds ("breaker") or ids
  Duration scada_delay = std::chrono::seconds(2);
  std::vector<std::string> fault_indicators;  // devices with a fault-current indicator
  Duration fci_delay = std::chrono::seconds(10);
  std::string gateways;             // the gateway registry (CSV, feeds/gateway_registry.h), "" for none
  double gateway_delivery = 0.98;
  DurationRange gateway_delay{std::chrono::seconds(5), std::chrono::seconds(30)};
  // Voltage sags meters report out of band (conductors clashing in the wind): noise the system
  // must not take for outages. Per meter and hour, by weather level.
  std::array<double, kWeatherCount> sags_per_meter_hour{};
  double ping_delivery = 0.9;
  DurationRange ping_delay{std::chrono::seconds(5), std::chrono::seconds(60)};
};

struct CallPlan {
  double share = 0.1;               // of customers out who call (8-12 % in practice)
  LogNormalDuration delay{std::chrono::minutes(12), 0.9};
  double record_share = 0.03;       // of customers inside a planned or temporary record
  double not_network_per_hour = 0.2;  // calls about a customer's own breaker
  double hazard_share = 0.1;        // of permanent overhead-line faults someone reports a wire down
  LogNormalDuration hazard_delay{std::chrono::minutes(6), 0.6};
};

struct CrewPlan {
  std::string id;
  std::string depot_bus;           // the depot at this bus's position, or:
  std::optional<Point> depot;      // a position in the model's coordinates
};

// Where a crew's depot is in the model's coordinates: its x and y, else its bus's position;
// nullopt when neither is known.
std::optional<Point> depot_position(const CrewPlan& crew, const NetworkModel& model);

struct RepairPlan {
  std::array<LogNormalDuration, kFaultKindCount> by_kind{{
      {std::chrono::minutes(90), 0.6},   // overhead line
      {std::chrono::minutes(240), 0.5},  // cable
      {std::chrono::minutes(120), 0.5},  // transformer
  }};
  Duration patrol = std::chrono::minutes(30);   // looking for a fault that is not there
  Duration assess = std::chrono::minutes(15);   // on site until the crew calls in its estimate
  double estimate_sigma = 0.3;                  // the crew's estimate against the real repair time
  DurationRange reaction{std::chrono::minutes(1), std::chrono::minutes(4)};  // from order to departure
};

struct TravelPlan {
  double speed_kmh = 30;
  double detour = 1.4;
  double noise_sigma = 0.25;                    // log-normal noise on each trip
  Duration position_every = std::chrono::minutes(5);
  LogNormalDuration without_positions{std::chrono::minutes(30), 0.4};  // a trip on a model without coordinates
};

struct Scenario {
  std::string name;
  std::string description;
  std::string model;          // as written: a path (absolute, or relative to the data folder or the file)
  std::string customers;      // an optional customers file for the model
  std::uint64_t seed = 1;
  Timestamp start = kNoTime;
  Duration duration = std::chrono::hours(1);
  Duration tick = std::chrono::seconds(5);  // how often the system is advanced
  // After `duration` the drill runs on, with no new faults, until every lasting fault is
  // repaired and every crew is idle, or no crew has had an order for an hour (what is left, the
  // system never found), for at most this long: each dispatcher is scored on its whole storm,
  // not on a window that hides the tail of the slower one (its later tickets' limits, its last
  // customers' minutes). 0: it ends at `duration`.
  Duration run_out = std::chrono::hours(24);
  std::vector<WeatherSpell> weather;        // in order of `from`; empty: calm throughout
  FaultPlan faults;
  std::vector<RecordPlan> records;
  SignalPlan signals;
  CallPlan calls;
  std::vector<CrewPlan> crews;
  RepairPlan repair;
  TravelPlan travel;

  Weather weather_at(Duration offset) const;
  // The weather spells from the start: `weather`, with calm before the first (or throughout).
  std::vector<WeatherSpell> spells() const;
};

// Ranges and schedule, without the model: invalid_input naming the field and the reason
// (negative rates, shares outside [0, 1], spells out of order, a record that ends before it
// starts or lies outside the drill, a fault after the end, duplicate crews or records).
Status check(const Scenario& scenario);
// Names against the model: unknown devices, cables, customers, depots, telemetered devices and
// fault indicators; a fault placed on something that is neither a line nor a transformer.
Status check(const Scenario& scenario, const NetworkModel& model);

}  // namespace outage
