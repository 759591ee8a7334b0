// The time series behind a report's charts: per layer and time bin, the share of its
// targets that were reachable and how stressed the answering ones were. From raw results
// each (vantage, target) pair is replayed through the detector's own TargetTracker, so the
// stress drawn is the stress the events were decided on; when only rollups remain (raw
// results pruned), an approximation is drawn from them per minute.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detect/params.hpp"
#include "detect/tracker.hpp"
#include "model/result.hpp"
#include "model/target.hpp"
#include "report/report.hpp"
#include "store/store.hpp"

namespace blackout::report {

// Bins are round, UTC-aligned steps (1 s, 2 s, 10 s, 30 s, 1 min ... 1 day), the finest
// that keeps a series within `max_points`.
Duration bin_for(Duration span, std::size_t max_points, Duration finest = std::chrono::seconds(1));

// What one (vantage, target) pair did in one bin: its worst state, its state at the end of
// the bin (carried into bins without results), and its stress while it answered.
struct SeriesCell {
  State worst = State::unknown;
  State last = State::unknown;
  std::optional<double> max_stress, last_stress;
};

class SeriesBuilder {
 public:
  // When the interval is not known in advance, bins start at 1 s and grow as results
  // arrive, merging what they hold, so that memory stays bounded by `max_points`.
  SeriesBuilder(const std::vector<Target>& targets, DetectionParams params, std::size_t max_points,
                std::optional<Duration> span = std::nullopt);

  // Results in the order the monitor saw them (as the detector gets them).
  void add(const Result& result);

  [[nodiscard]] std::optional<Timestamp> first_result() const { return first_; }
  [[nodiscard]] std::optional<Timestamp> last_result() const { return last_; }
  [[nodiscard]] const std::map<std::string, std::int64_t>& results_per_vantage() const { return per_vantage_; }

  // The series over [from, to), one point per bin.
  [[nodiscard]] TimeSeries finish(Timestamp from, Timestamp to) const;

 private:
  struct Pair {
    Layer layer = Layer::host;
    double weight = 1;
    TargetTracker tracker;
    std::map<std::int64_t, SeriesCell> cells;  // by bin index (time since the epoch / bin)
  };
  struct TargetInfo {
    Layer layer = Layer::host;
    double weight = 1;
    bool control = false;
    Duration cadence = std::chrono::seconds(10);  // its fastest check's interval, as the detector takes it
  };

  void coarsen();

  DetectionParams params_;
  std::size_t max_points_;
  Duration bin_;
  std::map<std::string, TargetInfo> info_;
  std::map<std::pair<std::string, std::string>, Pair> pairs_;  // by (vantage, target)
  std::optional<std::int64_t> low_bin_, high_bin_;
  std::optional<Timestamp> first_, last_;
  std::map<std::string, std::int64_t> per_vantage_;
};

// From per-minute rollups: a target counts as down in a minute when fewer than half of its
// probes passed; its stress is the loss and the median RTT against its quietest minutes.
TimeSeries series_from_rollups(const std::vector<Rollup>& rollups, const std::vector<Target>& targets,
                               const DetectionParams& params, Timestamp from, Timestamp to, std::size_t max_points);

}  // namespace blackout::report
