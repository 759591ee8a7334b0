// A robust RTT baseline: the median of a ring of recent RTTs measured while the target was
// up and unstressed, so that an outage cannot teach the baseline that it is normal.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/time.hpp"

namespace blackout {

class RttBaseline {
 public:
  explicit RttBaseline(int capacity) : capacity_(static_cast<std::size_t>(capacity)) {}
  void add(Duration rtt);
  [[nodiscard]] std::size_t samples() const { return ring_.size(); }
  // The median of the ring; nullopt when empty. Kept until the next add: a result asks for it
  // many times (slow or not, inflation, stress), and a ring of 64 is worth sorting once.
  [[nodiscard]] std::optional<Duration> median() const;

 private:
  std::size_t capacity_;
  std::vector<Duration::rep> ring_;
  std::size_t next_ = 0;
  mutable std::optional<Duration> median_;
};

// The median of a few values, the lower middle one of an even count (copied; meant for
// small windows).
std::optional<double> median_of(std::vector<double> values);

}  // namespace blackout
