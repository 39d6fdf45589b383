// DeviceTree: the devices at which an outage can be predicted, as a tree over the live topology.
//
// A node is a place where the network can be cut: a feeder's head (its source or HV/MV
// transformer, at breaker level), a breaker, a recloser, a fuse or sectionalizer (a branch of its
// own or mounted on a line), a service transformer (low side under 1 kV, or unknown), or a
// lateral tap (an unprotected line with fewer phases than the line feeding it, at fuse level:
// where a crew would isolate, and where outages group on feeders modelled without fuses; a tap
// with a fuse or other protective device below it stands aside for that device). Each
// node's parent is the next such device towards the source; each energized service point hangs
// below the lowest node above it. Every node carries the number of service points and customers
// below it in the current topology (child feeders included).
//
// Rebuilt whole from a Topology after switching (O(buses)). Read-only between builds.
#pragma once

#include <cstdint>
#include <vector>

#include "feeds/inference_config.h"
#include "geo/topology.h"

namespace outage {

using NodeIndex = std::uint32_t;
inline constexpr NodeIndex kNoNode = UINT32_MAX;

struct DeviceNode {
  ElementId element;      // the device; a feeder head's element at a root
  DeviceLevel level = DeviceLevel::breaker;
  NodeIndex parent = kNoNode;
  BusId bus;              // the bus it feeds
  std::uint16_t depth = 0;  // 0 at a root
  std::uint32_t service_points = 0;
  std::uint32_t customers = 0;
  bool lateral_tap = false;
  bool suppressed = false;  // a lateral tap with a protective device below it: never predicted
  // Preorder numbers: the nodes at or below this one are exactly those numbered [pre, pre_end).
  std::uint32_t pre = 0;
  std::uint32_t pre_end = 0;
};

class DeviceTree {
 public:
  explicit DeviceTree(const NetworkModel& model);

  // Rebuilds every node from the topology's current state.
  void build(const Topology& topology);

  std::size_t size() const { return nodes_.size(); }
  const DeviceNode& node(NodeIndex n) const { return nodes_[n]; }
  // The lowest node above a bus or service point; kNoNode when it is dead.
  NodeIndex node_of_bus(BusId b) const { return bus_node_[b.value()]; }
  NodeIndex node_of(ServicePointId sp) const { return bus_node_[sp_bus_[sp.value()]]; }
  // The node of a device; kNoNode when the device is not a node now (dead, open, or not a device).
  NodeIndex node_of_element(ElementId e) const { return element_node_[e.value()]; }
  // True when node a is b or below it. O(1).
  bool is_below(NodeIndex a, NodeIndex b) const {
    if (a == kNoNode || b == kNoNode) return false;
    return nodes_[b].pre <= nodes_[a].pre && nodes_[a].pre < nodes_[b].pre_end;
  }

  // The level a device would have as a node, or nullopt when it cannot be one.
  static std::optional<DeviceLevel> level_of(const Element& e);

 private:
  void suppress_protected_taps();
  void number_preorder();
  const NetworkModel& model_;
  std::vector<DeviceNode> nodes_;
  std::vector<NodeIndex> bus_node_;
  std::vector<NodeIndex> element_node_;
  std::vector<std::uint32_t> sp_bus_;
  std::vector<std::vector<ElementId>> mounted_;  // per element: protective devices mounted on it
};

}  // namespace outage
