// SimRandom: the drill's randomness. A SplitMix64 stream (small, fast, the same on every
// platform) with Boost.Random's distributions, which, unlike the standard library's, give the
// same numbers everywhere.
//
// Streams are keyed: SimRandom(seed, what, whom, n) draws the same numbers for, say, the third
// outage of meter 17 whatever else happened in the drill, so that the engine, the calls-only
// baseline and any dispatcher are scored on the same last gasps and the same calls.
#pragma once

#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

#include "feeds/clock.h"
#include "sim/scenario.h"

namespace outage {

// What a stream is for: the first key of SimRandom.
enum class Stream : std::uint64_t {
  faults = 1, meter, call, gateway, ping, hazard, not_network, crew, repair, concentrator, sag,
};

class SimRandom {
 public:
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  explicit SimRandom(std::uint64_t seed) : state_(seed) {}
  SimRandom(std::uint64_t seed, Stream what, std::uint64_t whom, std::uint64_t n = 0)
      : state_(mix(mix(mix(seed ^ 0x6a09e667f3bcc909ULL) ^ static_cast<std::uint64_t>(what)) ^ whom) ^ n) {}

  result_type operator()() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    return mix_step(z);
  }

  double uniform() { return boost::random::uniform_01<double>()(*this); }
  bool chance(double p) { return p >= 1 || (p > 0 && uniform() < p); }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : (*this)() % n; }
  Duration between(const DurationRange& r) {
    return r.low + Duration(static_cast<Duration::rep>(uniform() * static_cast<double>((r.high - r.low).count())));
  }
  Duration lognormal(const LogNormalDuration& d) {
    if (d.sigma <= 0) return d.median;
    // exp(N(0, sigma)): median 1.
    const double z = boost::random::lognormal_distribution<double>(0.0, d.sigma)(*this);
    return Duration(static_cast<Duration::rep>(static_cast<double>(d.median.count()) * z));
  }
  double lognormal_factor(double sigma) { return lognormal(LogNormalDuration{Duration(1'000'000), sigma}).count() / 1e6; }
  std::uint64_t poisson(double mean) {
    if (mean <= 0) return 0;
    return boost::random::poisson_distribution<std::uint64_t, double>(mean)(*this);
  }

 private:
  static std::uint64_t mix(std::uint64_t z) { return mix_step(z + 0x9e3779b97f4a7c15ULL); }
  static std::uint64_t mix_step(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

}  // namespace outage
