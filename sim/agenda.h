// Agenda: the drill's things to do, in order of virtual time (ties in the order they were put
// in), so that the same scenario and seed always play out the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "feeds/clock.h"

namespace outage {

class Agenda {
 public:
  using Action = std::function<void(Timestamp)>;

  void at(Timestamp t, Action action) { queue_.push(Item{t, next_++, std::move(action)}); }

  // Runs every action due by `until` (actions may add more, which run too if due).
  void run_until(Timestamp until) {
    while (!queue_.empty() && queue_.top().time <= until) {
      Item item = std::move(const_cast<Item&>(queue_.top()));  // popped next: moving out is safe
      queue_.pop();
      item.action(item.time);
    }
  }

  bool empty() const { return queue_.empty(); }
  std::size_t size() const { return queue_.size(); }

 private:
  struct Item {
    Timestamp time;
    std::uint64_t seq;
    Action action;
    bool operator>(const Item& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue_;
  std::uint64_t next_ = 0;
};

}  // namespace outage
