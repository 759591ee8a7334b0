// Per vantage and target: the state machine over results. Each check keeps its baseline,
// its recent window and its run of passes or failures; the target is down when at least
// half of its checks (by count) are failing, stressed when its stress stays at or above the
// threshold, with hysteresis both ways so that a flapping target does not flap its state.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>

#include "detect/baseline.hpp"
#include "detect/params.hpp"
#include "model/event.hpp"
#include "model/result.hpp"

namespace blackout {

struct StressReading {
  double stress = 0;     // 1.0 = at the threshold (see docs/detection.md)
  double inflation = 1;  // recent median RTT / baseline median RTT
  double loss = 0;       // failed share of recent results, up to the last answer
};

class CheckTracker {
 public:
  explicit CheckTracker(const DetectionParams& params) : baseline_(params.baseline_samples) {}
  void add(const Result& result, bool learn, const DetectionParams& params);
  [[nodiscard]] bool failing() const { return failing_; }
  [[nodiscard]] bool known() const { return known_; }
  [[nodiscard]] double loss() const;
  // Recent median RTT over the baseline's median; nullopt until the baseline has enough.
  [[nodiscard]] std::optional<double> inflation(const DetectionParams& params) const;
  [[nodiscard]] Outcome last_outcome() const { return last_outcome_; }
  // When the current run of failures (or of passes) began: the first failed probe of an
  // outage is when it was first seen, not the confirmation that made it certain.
  [[nodiscard]] Timestamp failing_since() const { return failing_since_; }
  [[nodiscard]] Timestamp passing_since() const { return passing_since_; }
  // When the stress now in the window began: the first bad sample (lost, or slower than
  // inflation_threshold x the baseline) of the latest run of bad ones, a run that single
  // good samples do not break; nullopt when the window holds no bad sample.
  [[nodiscard]] std::optional<Timestamp> trouble_onset(const DetectionParams& params) const;

 private:
  RttBaseline baseline_;
  struct Sample {
    Timestamp time;
    bool ok;
    std::optional<Duration> rtt;
  };
  std::deque<Sample> window_;
  int passes_ = 0, failures_ = 0;
  bool failing_ = false, known_ = false;
  Outcome last_outcome_ = Outcome::ok;
  Timestamp failing_since_{}, passing_since_{};
};

class TargetTracker {
 public:
  // Returns the new state when it changed.
  std::optional<State> add(const Result& result, const DetectionParams& params);
  [[nodiscard]] State state() const { return state_; }
  // When the state returned by the last change began: for down, the first failure of the
  // checks that make it down; for stressed, the onset of the trouble in the windows; for a
  // recovery from down, the first pass of the check that ended it; otherwise the result
  // that changed it.
  [[nodiscard]] Timestamp since() const { return since_; }
  [[nodiscard]] const StressReading& stress() const { return stress_; }
  [[nodiscard]] std::string reason() const { return reason_; }

 private:
  std::map<std::string, CheckTracker, std::less<>> checks_;
  State state_ = State::unknown;
  Timestamp since_{};
  StressReading stress_;
  int above_ = 0, below_ = 0;
  bool stressed_ = false;
  std::string reason_;
};

}  // namespace blackout
