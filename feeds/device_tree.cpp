#include "feeds/device_tree.h"

#include <algorithm>
#include <bit>

namespace outage {

std::string_view to_string(DeviceLevel level) {
  switch (level) {
    case DeviceLevel::service_point: return "service_point";
    case DeviceLevel::transformer: return "transformer";
    case DeviceLevel::fuse: return "fuse";
    case DeviceLevel::recloser: return "recloser";
    case DeviceLevel::breaker: return "breaker";
  }
  return "breaker";
}

DeviceTree::DeviceTree(const NetworkModel& model) : model_(model) {
  sp_bus_.reserve(model.service_points().size());
  for (const ServicePoint& sp : model.service_points()) sp_bus_.push_back(sp.bus.value());
  mounted_.resize(model.elements().size());
  for (std::uint32_t i = 0; i < model.elements().size(); ++i) {
    const Element& e = model.elements()[i];
    if (e.host.valid() && is_protective(e.kind)) mounted_[e.host.value()].push_back(ElementId(i));
  }
}

std::optional<DeviceLevel> DeviceTree::level_of(const Element& e) {
  switch (e.kind) {
    case ElementKind::source:
    case ElementKind::breaker: return DeviceLevel::breaker;
    case ElementKind::recloser: return DeviceLevel::recloser;
    case ElementKind::fuse:
    case ElementKind::sectionalizer: return DeviceLevel::fuse;
    case ElementKind::transformer:
      if (e.kv2 < 1.0f) return DeviceLevel::transformer;  // service transformer (or low side unknown)
      return std::nullopt;
    default: return std::nullopt;
  }
}

void DeviceTree::build(const Topology& topology) {
  nodes_.clear();
  bus_node_.assign(model_.buses().size(), kNoNode);
  element_node_.assign(model_.elements().size(), kNoNode);

  auto add_node = [&](ElementId e, DeviceLevel level, NodeIndex parent, BusId bus) {
    DeviceNode n;
    n.element = e;
    n.level = level;
    n.parent = parent;
    n.bus = bus;
    n.depth = parent == kNoNode ? 0 : static_cast<std::uint16_t>(nodes_[parent].depth + 1);
    n.service_points = topology.service_points_below(bus);
    n.customers = topology.customers_below(bus);
    nodes_.push_back(n);
    NodeIndex index = static_cast<NodeIndex>(nodes_.size() - 1);
    element_node_[e.value()] = index;
    return index;
  };

  // Parent feeders before their children (a child's root hangs below its supply bus's node).
  std::vector<std::pair<int, std::uint32_t>> order;
  for (std::uint32_t f = 0; f < topology.feeder_count(); ++f) {
    int depth = 0;
    for (FeederId p = topology.feeder(FeederId(f)).parent; p.valid(); p = topology.feeder(p).parent) ++depth;
    order.emplace_back(depth, f);
  }
  std::sort(order.begin(), order.end());

  for (auto [depth, f] : order) {
    const Feeder& feeder = topology.feeder(FeederId(f));
    if (!feeder.energized || feeder.order.empty()) continue;
    NodeIndex parent = feeder.supply_bus.valid() ? bus_node_[feeder.supply_bus.value()] : kNoNode;
    NodeIndex root = add_node(feeder.head_element, DeviceLevel::breaker, parent, feeder.head_bus);
    bus_node_[feeder.head_bus.value()] = root;
    for (std::size_t i = 1; i < feeder.order.size(); ++i) {
      BusId b = feeder.order[i];
      ElementId e = topology.parent_element(b);
      NodeIndex p = bus_node_[topology.parent_bus(b).value()];
      if (e.valid()) {
        const Element& element = model_.element(e);
        bool device = false;
        if (auto level = level_of(element)) p = add_node(e, *level, p, b), device = true;
        for (ElementId m : mounted_[e.value()]) {
          if (auto level = level_of(model_.element(m))) p = add_node(m, *level, p, b), device = true;
        }
        if (!device && element.kind == ElementKind::line) {
          // A lateral tap: fewer phases than the line feeding it. Where a model leaves laterals
          // unfused it is still where a crew would isolate, and where outages group.
          ElementId up = topology.parent_element(topology.parent_bus(b));
          if (up.valid() && std::popcount(element.phases) < std::popcount(model_.element(up).phases) &&
              model_.element(up).kind != ElementKind::transformer) {
            p = add_node(e, DeviceLevel::fuse, p, b);
            nodes_[p].lateral_tap = true;
          }
        }
      }
      bus_node_[b.value()] = p;
    }
  }
  suppress_protected_taps();
  number_preorder();
}

void DeviceTree::suppress_protected_taps() {
  // A tap above a real protective device stands aside: the device is where the lateral is cut.
  for (NodeIndex n = 0; n < nodes_.size(); ++n) {
    if (nodes_[n].lateral_tap || nodes_[n].level == DeviceLevel::transformer) continue;
    for (NodeIndex a = nodes_[n].parent; a != kNoNode; a = nodes_[a].parent) {
      if (nodes_[a].lateral_tap) nodes_[a].suppressed = true;
    }
  }
}

void DeviceTree::number_preorder() {
  // Every node comes after its parent, so subtree sizes accumulate backwards and preorder
  // numbers hand out forwards: each child takes the next free block of its parent's range.
  std::vector<std::uint32_t> size(nodes_.size(), 1);
  for (NodeIndex n = static_cast<NodeIndex>(nodes_.size()); n-- > 0;) {
    if (nodes_[n].parent != kNoNode) size[nodes_[n].parent] += size[n];
  }
  std::vector<std::uint32_t> next(nodes_.size());
  std::uint32_t roots = 0;
  for (NodeIndex n = 0; n < nodes_.size(); ++n) {
    DeviceNode& node = nodes_[n];
    if (node.parent == kNoNode) {
      node.pre = roots;
      roots += size[n];
    } else {
      node.pre = next[node.parent];
      next[node.parent] += size[n];
    }
    node.pre_end = node.pre + size[n];
    next[n] = node.pre + 1;
  }
}

}  // namespace outage
