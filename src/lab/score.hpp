// Scoring a run: the events detection found against the ground truth of the scenario that
// was played. Each expected event is found or missed; found ones have start and end errors,
// the right kind, signature and cascade or not; detected layer and network events that match
// nothing are false events.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lab/declarations.hpp"
#include "lab/run.hpp"
#include "model/event.hpp"

namespace blackout::lab {

struct ExpectedOutcome {
  GroundTruthEvent truth;
  std::optional<Event> match;
  std::optional<Duration> start_error, end_error;  // detected minus true
  // From the fault to the live monitor's first word of it (stressed or down), when its log
  // was given: what a user at the console waits.
  std::optional<Duration> latency;
  int fragments = 0;  // further detected events inside the same true interval
  bool kind_ok = false, signature_ok = false, cascade_ok = false, timing_ok = false;
  std::string detected_cascade;  // "dns 06:40:01, router 06:52:00"
  [[nodiscard]] bool pass() const { return match && kind_ok && signature_ok && cascade_ok && timing_ok; }
};

// One injected fault (the randomised family lists them): was it found at its scope, and was
// a flood told as stress?
struct FaultOutcome {
  GroundTruthFault truth;
  bool found = false;       // an event of its scope and subject overlaps it (a flood too weak to queue: none does)
  bool told_right = false;  // stressed, or stress-led, for a flood; down for a cut
  std::string detected;     // "network stressed stress-led", or "nothing"
};

struct RunScore {
  std::string scenario;
  Duration tolerance{};
  std::vector<ExpectedOutcome> expected;
  std::vector<Event> false_events;  // layer and network events that match no expectation
  int target_events = 0;
  int target_events_unexpected = 0;  // target events matching no expectation (informational)
  int max_target_events = -1;
  std::optional<int> waves_expected;
  int waves_detected = 0;
  std::vector<FaultOutcome> faults;
  // Actions the lab failed to carry out: the run is void, whatever was detected.
  std::vector<std::string> lab_failures;
  [[nodiscard]] int found() const;
  // The longest latency of the layer and network events found, if any was measured.
  [[nodiscard]] std::optional<Duration> worst_latency() const;
  [[nodiscard]] bool pass() const;
};

// tolerance: how far a start or end may be from the truth (two probe intervals).
// declarations: the live monitor's state changes as it logged them (for latencies).
RunScore score_run(const GroundTruth& truth, const std::vector<Event>& events, const std::vector<Wave>& waves, Duration tolerance,
                   const std::vector<Declaration>& declarations = {});
std::string score_to_text(const RunScore& score);
// The live monitor's events (the documents it stored) against `analyze`'s over the same
// results: how many are the same (start, end, kind, signature), out of all either found.
std::pair<int, int> live_agreement(const std::vector<Event>& stored, const std::vector<Event>& offline);
std::string score_to_json(const RunScore& score);

}  // namespace blackout::lab
