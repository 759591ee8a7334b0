// Rollups: per vantage, target, check and minute — how many probes, how many passed, and
// the RTT's min, median, 95th percentile and max. Built from the result stream as it goes;
// a minute is closed once results are `grace` past its end (late and confirmation results
// still land in the right minute). Pure: no clock of its own, no I/O.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "store/store.hpp"

namespace blackout {

class RollupBuilder {
 public:
  explicit RollupBuilder(Duration grace = std::chrono::seconds(90)) : grace_(grace) {}
  void add(const Result& result);
  // The rollups of every minute that ended more than `grace` before the newest result seen.
  std::vector<Rollup> take_closed();
  // Everything still open (at shutdown).
  std::vector<Rollup> take_all();
  [[nodiscard]] std::size_t open_minutes() const { return open_.size(); }

 private:
  struct Key {
    Timestamp minute;
    std::string vantage, target, check;
    auto operator<=>(const Key&) const = default;
  };
  struct Accumulator {
    CheckKind kind = CheckKind::icmp;
    std::int64_t count = 0, successes = 0;
    std::vector<Duration::rep> rtts;
  };
  static Rollup finish(const Key& key, Accumulator& accumulator);

  Duration grace_;
  Timestamp newest_{};
  std::map<Key, Accumulator> open_;
};

Timestamp minute_of(Timestamp time);

}  // namespace blackout
