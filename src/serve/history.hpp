// What the dashboard and the series API draw: recent history held in bounded memory. Every
// result adds to its (vantage, target)'s current bin (answers, losses, RTT); each snapshot
// closes the bins with the detector's view at that instant (state, stress) and adds one
// point per layer and for the network. Each series is a ring: a fixed budget of points is
// shared by all targets, so memory does not grow with uptime.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detect/detector.hpp"
#include "model/result.hpp"
#include "model/target.hpp"

namespace blackout {

struct HistoryPoint {
  Timestamp at;                        // the end of the bin
  State state = State::unknown;        // at the end of the bin (the worst target's for aggregates: see reachability)
  std::optional<double> reachability;  // share not down (1 or 0 for a target); nullopt: nothing known yet
  std::optional<double> stress;        // the detector's stress index (mean over answering targets for aggregates)
  std::optional<double> rtt_ms;        // mean RTT of the bin's answers (mean of the targets' for aggregates)
  std::optional<double> loss;          // share of the bin's probes that failed (mean over targets for aggregates)
};

struct HistoryOptions {
  std::size_t point_budget = 400'000;  // points over all targets together (about 80 bytes each)
  std::size_t max_points = 720;        // per series, whatever the budget allows
  std::size_t min_points = 32;         // per target, even with very many targets
};

class History {
 public:
  explicit History(HistoryOptions options = {});

  void add(const Result& result);
  // Closes the current bins at `at` with the detector's statuses.
  void snapshot(Timestamp at, const std::vector<TargetStatus>& statuses);

  // Series, oldest first; empty when the subject is unknown. Targets are per vantage; an
  // empty vantage picks the first vantage that saw the target.
  [[nodiscard]] std::vector<HistoryPoint> target(const std::string& name, const std::string& vantage = "") const;
  [[nodiscard]] std::vector<HistoryPoint> layer(Layer layer) const;
  [[nodiscard]] std::vector<HistoryPoint> network() const;
  [[nodiscard]] std::size_t per_target_capacity() const { return per_target_; }
  [[nodiscard]] std::size_t points_held() const;

 private:
  struct Bin {
    std::uint32_t answers = 0, failures = 0;
    double rtt_sum_ms = 0;
  };
  struct Track {
    Bin open;
    std::deque<HistoryPoint> points;
  };
  void push(std::deque<HistoryPoint>& ring, HistoryPoint point, std::size_t capacity);

  HistoryOptions options_;
  std::size_t per_target_;
  std::map<std::pair<std::string, std::string>, Track> targets_;  // by (target, vantage)
  std::map<Layer, std::deque<HistoryPoint>> layers_;
  std::deque<HistoryPoint> network_;
};

}  // namespace blackout
