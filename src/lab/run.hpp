// Playing a scenario in the lab: the monitor's config for the lab, the monitor started in
// the vantage namespace, the scenario's actions at their times, and the ground truth: every
// action as it was carried out and every event a perfect monitor reports, in real time.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lab/lab.hpp"
#include "lab/scenario.hpp"
#include "model/detection_params.hpp"
#include "model/event.hpp"

namespace blackout::lab {

// The monitor config for the lab: every site with its checks, the transit as the vantage's
// control target, probes every second; detection on its defaults (counted in probe intervals).
std::string lab_monitor_config(const std::string& store_url, Duration interval = std::chrono::seconds(1));

struct PlayedAction {
  ScenarioAction action;
  Timestamp planned, done;
  std::optional<Timestamp> effective;  // when it took effect (a route back after link up)
  std::string error;                   // empty when it worked
};

struct GroundTruthEvent {
  ExpectedEvent expected;
  Timestamp start, end;
};

struct GroundTruthFault {
  ScenarioFault fault;
  Timestamp start, end;
};

struct GroundTruth {
  std::string scenario;
  double speed = 60;
  Timestamp t0, end;
  std::vector<PlayedAction> actions;
  std::vector<GroundTruthEvent> events;
  std::optional<int> waves;
  int max_target_events = -1;
  Duration interval = std::chrono::seconds(1);  // the monitor's probe interval
  std::optional<std::uint64_t> seed;            // a randomised scenario's
  std::vector<GroundTruthFault> faults;
  // The actions the lab failed to carry out ("story 3m: flood link ...: why"): read back
  // from the file without the rest of the actions.
  std::vector<std::string> lab_failures;
};

std::string ground_truth_to_json(const GroundTruth& truth);
Expected<GroundTruth> ground_truth_from_json(const std::string& text);

struct RunOptions {
  std::filesystem::path out_dir;  // lab.yaml, results.db, monitor.log, ground-truth.json
  std::string blackout_binary;    // the program to run as `monitor` in the vantage
  // Monitoring before the story starts, so that every check has a baseline (its RTT and its
  // fate) when the first fault strikes: counted in probe intervals, since a baseline is a
  // number of probes (detection.baseline_min_samples, 8, and the fate's learning lag, 4).
  Span warmup = Span::of_intervals(12);
  Duration cooldown = std::chrono::seconds(8);  // recoveries are seen before the monitor stops
};

// Plays the scenario in a lab that is up. The monitor stores into out_dir/results.db.
Expected<GroundTruth> play_scenario(Lab& lab, const Scenario& scenario, const RunOptions& options, const Progress& progress);

}  // namespace blackout::lab
