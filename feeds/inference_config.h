// InferenceConfig: the dispatcher-facing rules of outage inference, stated once, here.
//
// The defaults are the shipped configuration (config/outage.toml, section [inference], repeats
// them); docs/operations.md explains how to tune them. Every duration is on the daemon's clock.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "feeds/clock.h"
#include "geo/network_model.h"

namespace outage {

// The levels at which an outage can be predicted, from the customer's meter up to the feeder head.
enum class DeviceLevel : std::uint8_t {
  service_point,  // a single premise
  transformer,    // a service (distribution) transformer and the meters behind it
  fuse,           // fuses and sectionalizers
  recloser,
  breaker,        // feeder breakers, substation relays, and the feeder's source itself
};
inline constexpr int kDeviceLevelCount = 5;
std::string_view to_string(DeviceLevel level);

// When a device is predicted out: at least `min_evidence` distinct service points below it are
// dark, and the trust-weighted share of dark service points below it reaches `min_share`.
// The highest device (nearest the source) that passes, and that no live evidence below vetoes,
// is the prediction.
struct LevelThreshold {
  int min_evidence = 1;
  double min_share = 0.0;
};

// How much one signal of each kind counts towards a device's share (0..1). A service point's
// weight is that of its most trusted off-signal.
struct TrustWeights {
  double last_gasp = 1.0;    // meter.power_off
  double iot_alarm = 1.0;    // iot.alarm voltage_loss / phase_loss from a watched gateway
  double ping_dead = 1.0;    // meter.ping energized=false
  double voltage_loss = 0.9; // meter.voltage below the loss ratio
  double call = 0.7;         // call.report no_power / partial_power / wire_down / fire
};

struct InferenceConfig {
  std::array<LevelThreshold, kDeviceLevelCount> thresholds = {{
      {1, 0.0},   // service_point: one dark meter or one call is a single-premise outage
      {2, 0.5},   // transformer
      {2, 0.3},   // fuse (and lateral taps)
      {4, 0.3},   // recloser
      {5, 0.3},   // breaker
  }};
  TrustWeights trust;

  // A prediction stays `unconfirmed` this long after its first evidence; power back within it
  // makes the interruption momentary (counted for MAIFI, no ticket). After it: `probable`.
  Duration settle = std::chrono::seconds(60);
  // A SCADA open followed by a close within this long is a momentary interruption (reclosing).
  Duration reclose_window = std::chrono::seconds(60);
  // Power-on, energized pings and normal voltage count as live evidence (vetoing the devices
  // above) for this long after their time.
  Duration live_window = std::chrono::minutes(15);
  // A meter.voltage below this share of nominal is a loss; between it and `normal_low` a sag;
  // from `normal_low` up, normal (live evidence).
  double voltage_loss_ratio = 0.5;
  double voltage_normal_low = 0.9;
  // A predicted outage is restored once this share of its dark service points report power
  // back (power-on, energized pings, iot restored). A SCADA close of its device restores it at once.
  double restore_share = 0.5;
  // After an outage is restored, service points that stayed dark this long (no power-on, no
  // energized ping) form a nested outage, back-dated to when they lost power.
  Duration nested_grace = std::chrono::minutes(5);

  // Outbound pings: how many meters to read per transformer below a prediction (the daemon sets
  // it from [ping] meters_per_transformer), at most how many per outage, and how long to wait
  // before asking again about the same meter.
  int ping_meters_per_transformer = 2;
  int ping_max_per_outage = 20;
  Duration ping_repeat_after = std::chrono::minutes(30);

  // Devices with SCADA: a device is telemetered once a scada.switch event names it, or when its
  // id is listed here. The engine never predicts at a telemetered device that SCADA shows closed.
  std::vector<std::string> telemetered;

  // A record explains darkness from `record_early` before its start to `record_late` after its end.
  Duration record_early = std::chrono::minutes(30);
  Duration record_late = std::chrono::minutes(60);

  // Service commitments on notice: planned work must be announced this long before it starts,
  // temporary work this long; a record noticed later is flagged `late_notice`.
  Duration planned_notice = std::chrono::hours(24 * 7);
  Duration temporary_notice = std::chrono::hours(24);

  const LevelThreshold& threshold(DeviceLevel level) const { return thresholds[static_cast<int>(level)]; }
};

}  // namespace outage
