// The monitor's Prometheus metrics: what every check answered (counters per outcome, the
// last RTT), what detection makes of each target, layer and the network (state and stress
// gauges), and the monitor's own health from the stats registry (util/stats.hpp). Rendered in the text exposition
// format (version 0.0.4) that Prometheus scrapes and `promtool check metrics` accepts.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detect/detector.hpp"
#include "model/outcome.hpp"
#include "model/result.hpp"
#include "util/stats.hpp"

namespace blackout {

// Per check, as results arrive: a few bytes each, whatever the monitor's uptime.
class ResultTally {
 public:
  void add(const Result& result);
  struct Check {
    std::string vantage, target, check;
    std::array<std::uint64_t, outcome_count> outcomes{};
    std::optional<Duration> last_rtt;
    Timestamp last_time{};
  };
  [[nodiscard]] const std::map<std::string, Check>& checks() const { return checks_; }

 private:
  std::map<std::string, Check> checks_;  // by vantage/target/check
};

std::string render_prometheus(const ResultTally& tally, const std::vector<TargetStatus>& targets,
                              const std::vector<EntityStatus>& aggregates, const Stats& stats);

}  // namespace blackout
