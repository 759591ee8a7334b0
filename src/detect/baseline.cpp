// RTT baselines.
#include "detect/baseline.hpp"

#include <algorithm>

namespace blackout {

void RttBaseline::add(Duration rtt) {
  if (capacity_ == 0) return;
  median_.reset();
  if (ring_.size() < capacity_) {
    ring_.push_back(rtt.count());
  } else {
    ring_[next_] = rtt.count();
    next_ = (next_ + 1) % capacity_;
  }
}

std::optional<Duration> RttBaseline::median() const {
  if (ring_.empty()) return std::nullopt;
  if (median_) return median_;
  std::vector<Duration::rep> copy = ring_;
  const auto middle = copy.begin() + static_cast<std::ptrdiff_t>(copy.size() / 2);
  std::nth_element(copy.begin(), middle, copy.end());
  median_ = Duration{*middle};
  return median_;
}

std::optional<double> median_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  // The lower middle of an even count: one slow probe in a window of two (just after an
  // outage, say) must not make the whole window look slow.
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>((values.size() - 1) / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace blackout
