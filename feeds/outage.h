// Outage: one interruption the engine knows of, predicted from evidence or reported by SCADA,
// with everything that made it (its evidence) and its life so far.
//
// Life: unconfirmed (predicted, inside the settling window) -> probable (still out after it) ->
// confirmed (by SCADA, a crew or a dispatcher) -> restored. Power back inside the settling
// window ends it as momentary (counted for MAIFI, no ticket). A single-premise prediction from
// calls alone whose meter answers a ping as energized ends as customer_side. A prediction that
// grows into a higher device's ends as merged (merged_into names the survivor); one that live
// evidence disproves ends as revised. restored, momentary, customer_side, merged and revised
// are final.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "feeds/clock.h"
#include "feeds/inference_config.h"
#include "geo/network_model.h"
#include "geo/strong_id.h"

namespace outage {

struct OutageTag {};
using OutageId = StrongId<OutageTag>;  // dense: the n-th outage the engine made

enum class OutageState : std::uint8_t {
  unconfirmed,
  probable,
  confirmed,
  restored,
  momentary,
  customer_side,
  merged,
  revised,
};
std::string_view to_string(OutageState s);
constexpr bool is_active(OutageState s) {
  return s == OutageState::unconfirmed || s == OutageState::probable || s == OutageState::confirmed;
}

enum class ConfirmedBy : std::uint8_t { none, scada, crew, dispatcher };
std::string_view to_string(ConfirmedBy c);

// fault: an unplanned interruption; switching: a device opened by hand with no record to explain it.
enum class OutageCause : std::uint8_t { fault, switching };
std::string_view to_string(OutageCause c);

enum class EvidenceKind : std::uint8_t {
  last_gasp,
  power_on,
  ping_dead,
  ping_live,
  voltage_loss,
  voltage_normal,
  iot_alarm,
  iot_restored,
  call,
  hazard_call,
  scada_open,
  scada_close,
  fci,
  relay_distance,
  crew,
  dispatcher,
};
std::string_view to_string(EvidenceKind k);

// One signal behind an outage. subject: a ServicePointId for meter-level kinds, an ElementId for
// scada/fci/relay. seq: the journal position of the event (0 when it did not come from the journal).
struct Evidence {
  Timestamp time;
  std::int64_t seq = 0;
  std::uint32_t subject = 0;
  EvidenceKind kind = EvidenceKind::last_gasp;
};

// A step of restoration: at `time`, `customers` got power back.
struct RestorationStep {
  Timestamp time;
  std::uint32_t customers = 0;
};

struct Outage {
  OutageId id;
  DeviceLevel level = DeviceLevel::service_point;
  ElementId device;               // invalid for a single premise
  ServicePointId service_point;   // set for a single premise
  BusId bus;                      // the bus the device feeds (the premise's bus)
  OutageState state = OutageState::unconfirmed;
  OutageCause cause = OutageCause::fault;
  ConfirmedBy confirmed_by = ConfirmedBy::none;
  bool device_open = false;       // the device is open in the live topology (SCADA or confirmed)

  Timestamp start;                // when its customers lost power (back-dated for nested outages)
  Timestamp counted_from;         // from when its customer-minutes count: `start`, but for a nested
                                  // outage the time its parent gave its customers back
  Timestamp detected_at;          // engine time of the input (event, timer) that first made it predicted
  Timestamp probable_at = kNoTime;
  Timestamp confirmed_at = kNoTime;
  Timestamp restored_at = kNoTime;  // restored, momentary, customer_side: when power was back
  Timestamp updated_at;

  OutageId parent;                // the outage this one is nested in, if any
  OutageId merged_into;

  std::uint32_t customers_out = 0;       // now
  std::uint32_t customers_affected = 0;  // the most it has had out
  std::vector<ServicePointId> dark;      // service points with off-evidence attached to it
  std::uint32_t dark_peak = 0;
  std::uint32_t returned = 0;            // of `dark`, how many reported power back
  Timestamp returned_at = kNoTime;       // when the latest of them did (field time)
  std::vector<ServicePointId> island;    // device_open: the service points it cut off, still out
  // device_open: service points it cut off that an older prediction below kept (take_island's
  // rule); each joins `island` if it leaves that prediction while the device is still open.
  std::vector<ServicePointId> behind;
  std::vector<Evidence> evidence;
  std::vector<RestorationStep> restorations;
  std::vector<ElementId> fault_indicators;  // flagged below the device since it started
  double relay_distance_m = -1;             // distance to fault reported for it, -1 if none
  bool pinged = false;
};

}  // namespace outage
