// Clock: where the core gets "now". The core never reads the wall clock; the daemon passes a
// wall clock, the simulator and tests a ManualClock they advance themselves.
//
// Thread-safety: ManualClock is not synchronised; whoever owns the core's strand owns its clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace outage {

// Milliseconds since the Unix epoch, UTC. Every time in the core is one of these.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

inline constexpr Timestamp kNoTime = Timestamp::min();

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start) {}
  Timestamp now() const override { return now_; }
  void set(Timestamp t) { now_ = t; }
  void advance(Duration d) { now_ += d; }

 private:
  Timestamp now_;
};

}  // namespace outage
