// The lab in virtual time: the results the monitor would store while a scenario is played,
// made from a model of the lab instead of the lab itself. Each probe crosses the border
// link's bottleneck and, for a site, its own; a flood above a bottleneck's rate fills its
// queue (delay grows until the queue holds its depth, then the surplus is dropped), below
// it leaves the queue empty. Cuts, withdrawals, stopped services and blackholes answer the
// way the real ones do (silence, ICMP unreachable, RST). The scheduler is played with its
// interval, jitter, timeout and confirmation re-probes.
//
// It is no substitute for the lab (real queues are burstier, real BGP slower); it is how
// detection is checked on hundreds of conditions in a second, how metamorphic properties
// (twice the interval, twice the flood) are tested, and how a failing seed is studied.
#pragma once

#include <cstdint>
#include <vector>

#include "lab/robustness.hpp"
#include "lab/run.hpp"
#include "lab/scenario.hpp"
#include "model/detection_params.hpp"
#include "model/result.hpp"
#include "model/target.hpp"
#include "report/replay.hpp"

namespace blackout::lab {

struct Simulation {
  std::vector<Target> targets;  // the lab's monitor config, at the scenario's interval
  DetectionParams detection;    // that config's (the defaults)
  std::vector<Result> results;  // in the order the monitor would see them (by completion)
  GroundTruth truth;            // the scenario's expectations in the simulation's time
};

struct SimulationOptions {
  // Probing before the story starts and after it ends (lab time), at least 15 and 5 probe
  // intervals: baselines need probes, whatever the cadence.
  Duration warmup = std::chrono::seconds(30);
  Duration cooldown = std::chrono::seconds(10);
  std::uint64_t noise_seed = 1;  // jitter, loss draws, probe phases
};

Simulation simulate(const Scenario& scenario, const SimulationOptions& options = {});

// Simulates, detects with the lab config's parameters and scores against the ground truth;
// prints the events when asked.
// A scenario simulated, detected and scored against its truth.
struct SimulatedRun {
  Analysis analysis;
  RunScore score;
};
SimulatedRun simulate_and_detect(const Scenario& scenario, std::uint64_t noise_seed);
RobustnessRun simulate_and_score(const Scenario& scenario, std::uint64_t noise_seed, bool print_events);

}  // namespace blackout::lab
