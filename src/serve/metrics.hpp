// The monitor's Prometheus metrics: what every check answered (counters per outcome, the
// last RTT), what detection makes of each target, layer and the network (state and stress
// gauges), and the engine's and the store's own health. Rendered in the text exposition
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

// The engine's and the store's health at the moment of a scrape.
// One BGP collector session of the monitor's feed.
struct BgpSessionReading {
  std::string session;
  bool established = false;
  bool table_complete = false;
  std::uint64_t established_count = 0, updates = 0, announcements = 0, withdrawals = 0, malformed = 0;
};

struct HealthReading {
  std::uint64_t probes_launched = 0, probes_completed = 0, confirmations = 0, late_ticks = 0, lost_probes = 0;
  std::size_t in_flight = 0, ready = 0;
  bool store_configured = false, store_healthy = true;
  std::uint64_t results_stored = 0, results_dropped = 0, failed_writes = 0;
  std::size_t store_queue = 0;
  double last_write_seconds = 0;
  std::uint64_t http_requests = 0, http_rejected = 0;
  bool alerts_configured = false;
  std::uint64_t alerts_delivered = 0, alert_failed_attempts = 0, alerts_given_up = 0, alerts_dropped = 0;
  std::size_t alerts_queued = 0;
  double uptime_seconds = 0;
  std::vector<BgpSessionReading> bgp_sessions;
};

std::string render_prometheus(const ResultTally& tally, const std::vector<TargetStatus>& targets,
                              const std::vector<EntityStatus>& aggregates, const HealthReading& health);

}  // namespace blackout
