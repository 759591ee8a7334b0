// Rollup building.
#include "store/rollup.hpp"

#include <algorithm>
#include <cmath>

namespace blackout {

Timestamp minute_of(Timestamp time) {
  const auto us = time.time_since_epoch().count();
  const auto minute = std::int64_t{60'000'000};
  return Timestamp{Duration{us - ((us % minute) + minute) % minute}};
}

void RollupBuilder::add(const Result& result) {
  newest_ = std::max(newest_, result.time);
  Accumulator& a = open_[Key{minute_of(result.time), result.vantage, result.target, result.check}];
  a.kind = result.kind;
  ++a.count;
  if (is_success(result.outcome)) {
    ++a.successes;
    if (result.rtt) a.rtts.push_back(result.rtt->count());
  }
}

Rollup RollupBuilder::finish(const Key& key, Accumulator& a) {
  Rollup r;
  r.minute = key.minute;
  r.vantage = key.vantage;
  r.target = key.target;
  r.check = key.check;
  r.kind = a.kind;
  r.count = a.count;
  r.successes = a.successes;
  if (!a.rtts.empty()) {
    std::sort(a.rtts.begin(), a.rtts.end());
    // Nearest-rank percentiles: an RTT that was actually measured, never an interpolation.
    const auto rank = [&](double p) {
      const auto index = static_cast<std::size_t>(std::max(1.0, std::ceil(p * static_cast<double>(a.rtts.size())))) - 1;
      return Duration{a.rtts[std::min(index, a.rtts.size() - 1)]};
    };
    r.rtt_min = Duration{a.rtts.front()};
    r.rtt_median = rank(0.5);
    r.rtt_p95 = rank(0.95);
    r.rtt_max = Duration{a.rtts.back()};
  }
  return r;
}

std::vector<Rollup> RollupBuilder::take_closed() {
  std::vector<Rollup> out;
  const Timestamp cutoff = newest_ - grace_;
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->first.minute + std::chrono::minutes(1) <= cutoff) {
      out.push_back(finish(it->first, it->second));
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<Rollup> RollupBuilder::take_all() {
  std::vector<Rollup> out;
  for (auto& [key, accumulator] : open_) out.push_back(finish(key, accumulator));
  open_.clear();
  return out;
}

}  // namespace blackout
