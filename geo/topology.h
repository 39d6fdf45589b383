// Topology: the live connectivity of a NetworkModel, on a Boost.Graph CSR graph of buses.
//
// Buses are vertices; branch elements are edges. An edge conducts when the element and every
// device mounted on it (a fuse on a line) are closed. The network is cut into *feeders*: each
// source starts one, and so does each HV/MV transformer (high side >= 30 kV, low side < 30 kV:
// the substation transformer at a feeder's head). A feeder is the radial tree grown from its
// head bus through conducting edges, not crossing another feeder's head; it carries a pre-order
// numbering (tin/tout) and prefix sums so that "is X below Y" and "customers below Y" are O(1)
// within a feeder and O(feeder depth) across feeders. Child feeders (below a substation) count
// towards the buses and customers of the bus that supplies them.
//
// Changing one element's state rebuilds only the feeders that own its ends, then the prefix
// sums of their ancestors and every feeder's energized flag (O(feeders)).
//
// Loops (a conducting edge between two buses already in the tree, other than a parallel unit of
// the same bank) and islands (buses no source reaches) are reported, never fatal.
//
// The Topology keeps a reference to the model, which must outlive it and must not change.
// Not thread-safe: one writer; readers need external synchronisation with that writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

struct Feeder {
  std::string_view name;    // the head element's id
  ElementId head_element;   // a source, or an HV/MV transformer
  BusId head_bus;           // where the tree starts
  BusId supply_bus;         // the bus above the head element; invalid for a source
  FeederId parent;          // the feeder that owns supply_bus now; invalid if none
  bool energized = false;
  std::vector<BusId> order;                 // buses in pre-order
  std::vector<std::uint32_t> prefix_buses;  // size order.size()+1, weights include child feeders
  std::vector<std::uint32_t> prefix_service_points;
  std::vector<std::uint32_t> prefix_customers;
  std::vector<ElementId> loops;             // conducting edges that close a loop, found in the last build
};

struct TieSwitch {
  ElementId element;
  FeederId feeder1;  // feeder of bus1's side (invalid if that side is dead)
  FeederId feeder2;
};

class Topology {
 public:
  // Builds the graph and the feeders with every element in its normal (shelf) state.
  explicit Topology(const NetworkModel& model);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  const NetworkModel& model() const { return model_; }

  // Live state of an element (an element mounted on a branch opens that branch).
  bool is_open(ElementId e) const { return open_[e.value()] != 0; }
  bool conducts(ElementId e) const { return open_[e.value()] == 0 && mounted_open_[e.value()] == 0; }
  // Opens or closes an element and rebuilds what it touched. Returns the feeders rebuilt.
  std::vector<FeederId> set_open(ElementId e, bool open);
  // Puts every element back in its normal state and rebuilds every feeder.
  void reset_to_normal();
  // Rebuilds every feeder from the current states (the "full energization").
  void rebuild_all();

  // Feeders.
  std::size_t feeder_count() const { return feeders_.size(); }
  const Feeder& feeder(FeederId f) const { return feeders_[f.value()]; }
  FeederId feeder_of(BusId b) const { return feeder_of_[b.value()]; }
  // The feeder whose head element is `e`, if any.
  FeederId feeder_headed_by(ElementId e) const;

  // Energization.
  bool energized(BusId b) const {
    FeederId f = feeder_of_[b.value()];
    return f.valid() && feeders_[f.value()].energized;
  }
  std::size_t energized_bus_count() const;

  // Tree queries. All are O(1) within a feeder, O(feeder depth) across feeders.
  // True when x is y or lies below y in the current tree.
  bool is_below(BusId x, BusId y) const;
  std::uint32_t buses_below(BusId b) const;           // including b
  std::uint32_t service_points_below(BusId b) const;
  std::uint32_t customers_below(BusId b) const;
  // The element through which b is fed (a source for a source bus); invalid if b is dead.
  ElementId parent_element(BusId b) const;
  BusId parent_bus(BusId b) const;
  // The end of a branch (or the branch a device is mounted on) that is fed through it; invalid
  // when the element is not part of the tree (open, dead, or closing a loop). A source's bus.
  BusId downstream_bus(ElementId e) const;

  // Lists (O(answer)).
  std::vector<BusId> buses_below_list(BusId b) const;
  std::vector<ServicePointId> service_points_at(BusId b) const;
  std::uint32_t customers_at(BusId b) const { return customers_at_[b.value()]; }
  // Protective devices between the element (or bus) and its source, nearest first. An element's
  // own mounted devices count (a fused line lists its fuse); a device does not list itself.
  // An element outside the tree (opened, or dead) lists its own devices, then those above the
  // end of it that is still fed.
  std::vector<ElementId> upstream_protective(ElementId e) const;
  std::vector<ElementId> upstream_protective(BusId b) const;
  // Devices mounted on a branch.
  std::vector<ElementId> mounted_on(ElementId branch) const;
  // The source feeding b (invalid if dead).
  ElementId source_of(BusId b) const;

  // Abnormal structure, for reports.
  std::vector<ElementId> loops() const;
  std::vector<std::vector<BusId>> islands() const;  // groups of dead buses joined by conducting edges
  // Switchable branches that are open now, with the feeders on either side.
  std::vector<TieSwitch> open_switches() const;

 private:
  struct Graph;
  const NetworkModel& model_;
  std::unique_ptr<Graph> graph_;
  std::vector<Feeder> feeders_;
  std::vector<FeederId> feeder_of_;          // per bus
  std::vector<ElementId> parent_edge_;       // per bus
  std::vector<std::uint32_t> tin_, tout_;    // per bus, positions in its feeder's order
  std::vector<std::uint8_t> open_;           // per element
  std::vector<std::uint8_t> mounted_open_;   // per element: open devices mounted on it
  std::vector<FeederId> headed_;             // per element: feeder it heads
  std::unordered_map<std::uint32_t, std::vector<ElementId>> mounted_;   // branch -> devices
  std::unordered_map<std::uint32_t, std::vector<FeederId>> children_at_;  // supply bus -> feeders
  std::vector<std::uint32_t> sp_offset_;     // per bus, CSR into sp_list_
  std::vector<ServicePointId> sp_list_;
  std::vector<std::uint32_t> customers_at_;  // per bus

  BusId other_end(ElementId e, BusId b) const;
  void grow(FeederId f);
  void rebuild(std::vector<FeederId> touched);
  void refresh_hierarchy(const std::vector<FeederId>& touched);
  void compute_prefix(FeederId f);
  template <typename F>
  void for_each_upstream(BusId start, ElementId skip, F&& visit) const;
};

}  // namespace outage
