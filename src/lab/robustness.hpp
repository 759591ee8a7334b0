// The robustness table: many scored runs of the randomised family (played in the lab, or
// simulated), added up into the figures docs/detection.md reports: signatures right, wave
// counts right, boundaries within two probe intervals, every fault found at its scope, every
// flood told as stress, false layer or network events (with their seeds), and, for live
// runs, how often the live monitor's events equal `analyze`'s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lab/score.hpp"

namespace blackout::lab {

struct RobustnessRun {
  std::string name;  // the run's folder or scenario name
  std::optional<std::uint64_t> seed;
  RunScore score;
  // Live against offline: events the live monitor stored that `analyze` finds the same
  // (start, end, kind, signature), out of all the events either found; nullopt when the run
  // has no live record (a simulation).
  std::optional<std::pair<int, int>> live_agreement;
};

struct RobustnessTotals {
  int runs = 0;
  int signatures_right = 0, signatures_judged = 0;
  int waves_right = 0, waves_judged = 0;
  int boundaries_right = 0, boundaries_judged = 0;
  int faults_found = 0, faults = 0;
  int floods_told = 0, floods = 0;
  int quiet_floods_silent = 0, quiet_floods = 0;  // floods under the bottleneck: no event
  int false_events = 0;
  int live_same = 0, live_events = 0;
  int passed = 0;
  std::vector<std::string> failing;    // "seed 17: 1 false event (layer web), waves 2 of 1"
  std::vector<std::string> void_runs;  // runs where the lab failed an action: not counted
};

RobustnessTotals add_up(const std::vector<RobustnessRun>& runs);
// Markdown: one line per run, then the totals against the targets.
std::string robustness_table(const std::vector<RobustnessRun>& runs, const RobustnessTotals& totals);

}  // namespace blackout::lab
