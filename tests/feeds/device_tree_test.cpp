// DeviceTree over the IEEE 123 and 8500-node feeders: the preorder ranges answer "is a below b"
// exactly as walking up the parents does, before and after switching.
#include "feeds/device_tree.h"

#include <gtest/gtest.h>

#include "tests/geo/feeders.h"

namespace outage {
namespace {

// The reference: a is b or below it when b is on a's path to its root.
bool below_by_walking(const DeviceTree& tree, NodeIndex a, NodeIndex b) {
  for (NodeIndex n = a; n != kNoNode; n = tree.node(n).parent) {
    if (n == b) return true;
  }
  return false;
}

void expect_ranges_match_parents(const DeviceTree& tree) {
  ASSERT_GT(tree.size(), 0u);
  for (NodeIndex a = 0; a < tree.size(); ++a) {
    for (NodeIndex b = 0; b < tree.size(); ++b) {
      ASSERT_EQ(tree.is_below(a, b), below_by_walking(tree, a, b)) << "nodes " << a << " and " << b;
    }
  }
}

TEST(DeviceTree, PreorderRangesAgreeWithTheParentsOnIeee123) {
  NetworkModel model = testing::read_feeder("ieee123/Run_IEEE123Bus.DSS");
  Topology topology(model);
  DeviceTree tree(model);
  tree.build(topology);
  expect_ranges_match_parents(tree);
}

TEST(DeviceTree, PreorderNumbersAreAPermutationAndRangesNest) {
  NetworkModel model = testing::read_feeder("ieee123/Run_IEEE123Bus.DSS");
  Topology topology(model);
  DeviceTree tree(model);
  tree.build(topology);
  std::vector<int> seen(tree.size(), 0);
  for (NodeIndex n = 0; n < tree.size(); ++n) {
    const DeviceNode& node = tree.node(n);
    ASSERT_LT(node.pre, tree.size());
    ++seen[node.pre];
    // A node's range holds itself and all of its descendants, so it is at least one wide and
    // lies inside its parent's range.
    EXPECT_GT(node.pre_end, node.pre);
    if (node.parent != kNoNode) {
      EXPECT_GT(node.pre, tree.node(node.parent).pre);
      EXPECT_LE(node.pre_end, tree.node(node.parent).pre_end);
    }
  }
  for (int count : seen) EXPECT_EQ(count, 1);
}

TEST(DeviceTree, RangesFollowTheTopologyAfterSwitching) {
  NetworkModel model = testing::read_feeder("ieee8500/Run_RecloserSiting.DSS");
  Topology topology(model);
  DeviceTree tree(model);
  tree.build(topology);
  // Open the first fuse that is a node: its node disappears and the tree is renumbered.
  ElementId fuse;
  for (std::uint32_t i = 0; i < model.elements().size() && !fuse.valid(); ++i) {
    if (model.elements()[i].kind == ElementKind::fuse && tree.node_of_element(ElementId(i)) != kNoNode) fuse = ElementId(i);
  }
  ASSERT_TRUE(fuse.valid());
  std::size_t before = tree.size();
  topology.set_open(fuse, true);
  tree.build(topology);
  EXPECT_EQ(tree.node_of_element(fuse), kNoNode);
  EXPECT_LT(tree.size(), before);
  // The 8500 has thousands of nodes: check every pair against a sample of ancestors instead.
  for (NodeIndex a = 0; a < tree.size(); a += 7) {
    for (NodeIndex b = 0; b < tree.size(); b += 13) {
      ASSERT_EQ(tree.is_below(a, b), below_by_walking(tree, a, b)) << "nodes " << a << " and " << b;
    }
    for (NodeIndex b = tree.node(a).parent; b != kNoNode; b = tree.node(b).parent) ASSERT_TRUE(tree.is_below(a, b));
  }
}

}  // namespace
}  // namespace outage
