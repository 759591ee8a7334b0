// Detection on conditions it was not tuned to: the randomised scenario family played in a
// model of the lab (src/lab/simulate.hpp) in virtual time, scored against its oracle, and
// metamorphic properties that must hold whatever the numbers: a stronger flood is still
// stress, a slower cadence gives the same verdict, light background loss makes no event, and
// a cut without the flood before it is a clean cut.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "detect/detector.hpp"
#include "lab/family.hpp"
#include "lab/robustness.hpp"
#include "lab/simulate.hpp"
#include "report/event_text.hpp"
#include "support/print.hpp"

namespace blackout::lab {
namespace {

struct Detected {
  std::vector<Event> events;
  std::vector<Wave> waves;
  RunScore score;
};

Detected detect(const Scenario& scenario, std::uint64_t noise = 1) {
  SimulatedRun run = simulate_and_detect(scenario, noise);
  return Detected{std::move(run.analysis.events), std::move(run.analysis.waves), std::move(run.score)};
}

const Event* network_event(const Detected& d) {
  for (const Event& e : d.events)
    if (e.scope == Scope::network && e.kind == State::down) return &e;
  return nullptr;
}

ScenarioAction act(double at_minutes, ActionKind kind, const std::string& target = "") {
  ScenarioAction a;
  a.at = std::chrono::seconds(static_cast<std::int64_t>(at_minutes * 60));
  a.kind = kind;
  a.target = target;
  return a;
}

// A flood over the whole border link (at `load` times its 40 Mbit/s, filling a queue of
// `queue`), then, unless `cut` is empty, the cut `cut` from minute 12 to 24.
Scenario flood_then(double load, Duration queue, const std::string& cut, Duration interval = std::chrono::seconds(1),
                    double loss = 0.5) {
  Scenario s;
  s.name = "flood-then-" + cut;
  s.speed = 60;
  s.interval = interval;
  s.duration = std::chrono::minutes(40);
  s.actions.push_back(act(0, ActionKind::loss));
  s.actions.back().percent = loss;
  if (load > 0) {
    s.actions.push_back(act(5, ActionKind::queue, "link"));
    s.actions.back().delay = queue;
    s.actions.push_back(act(5, ActionKind::flood, "link"));
    s.actions.back().rate = static_cast<std::uint64_t>(load * 40e6);
    s.actions.back().length = std::chrono::minutes(10);
    ScenarioFault flood;
    flood.kind = "flood";
    flood.scope = Scope::network;
    flood.subject = "network";
    flood.expect = "stressed";
    flood.from = std::chrono::minutes(5);
    flood.to = std::chrono::minutes(15);
    flood.intensity = load;
    s.faults.push_back(flood);
  }
  if (cut == "link-down") {
    s.actions.push_back(act(12, ActionKind::link_down, "border"));
    s.actions.push_back(act(24, ActionKind::link_up, "border"));
  } else if (cut == "withdrawal") {
    s.actions.push_back(act(12, ActionKind::withdraw, "country"));
    s.actions.push_back(act(24, ActionKind::announce, "country"));
  } else if (cut == "forward-drop") {
    s.actions.push_back(act(12, ActionKind::cut_forwarding, "border"));
    s.actions.push_back(act(24, ActionKind::restore_forwarding, "border"));
  }
  if (!cut.empty()) {
    ScenarioFault f;
    f.kind = cut;
    f.scope = Scope::network;
    f.subject = "network";
    f.expect = "down";
    f.from = std::chrono::minutes(12);
    f.to = std::chrono::minutes(24);
    s.faults.push_back(f);
  }
  std::stable_sort(s.actions.begin(), s.actions.end(),
                   [](const ScenarioAction& a, const ScenarioAction& b) { return a.at < b.at; });
  derive_truth(s);
  return s;
}

TEST(DetectionFamily, TheSameSeedDrawsTheSameScenario) {
  EXPECT_EQ(scenario_to_yaml(random_scenario(7)), scenario_to_yaml(random_scenario(7)));
  EXPECT_NE(scenario_to_yaml(random_scenario(7)), scenario_to_yaml(random_scenario(8)));
  // And it reads back as the same scenario, to be replayed from the file a run keeps.
  const Scenario drawn = random_scenario(11);
  const auto read = parse_scenario(scenario_to_yaml(drawn), "drawn");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(scenario_to_yaml(*read), scenario_to_yaml(drawn));
}

TEST(DetectionFamily, TheFamilyCoversWhatTheIssueAsksFor) {
  std::set<std::string> cuts;
  std::set<Duration> intervals;
  double weakest = 10, strongest = 0;
  Duration shallowest = std::chrono::hours(1), deepest{};
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const Scenario s = random_scenario(seed);
    intervals.insert(s.interval);
    for (const ScenarioFault& f : s.faults) {
      cuts.insert(f.kind);
      if (f.kind == "flood") {
        weakest = std::min(weakest, f.intensity);
        strongest = std::max(strongest, f.intensity);
        shallowest = std::min(shallowest, f.delay);
        deepest = std::max(deepest, f.delay);
      }
    }
  }
  for (const char* kind : {"flood", "link-down", "forward-drop", "withdrawal", "service-stop", "blackhole"})
    EXPECT_TRUE(cuts.contains(kind)) << kind;
  EXPECT_EQ(intervals.size(), 2u);
  EXPECT_LT(weakest, 0.8);
  EXPECT_GT(strongest, 3.5);
  EXPECT_LT(shallowest, std::chrono::milliseconds(40));
  EXPECT_GT(deepest, std::chrono::milliseconds(450));
}

// The acceptance figures of issue 12, on the simulated family: 60 seeds.
TEST(DetectionFamily, SimulatedFamilyMeetsTheTargets) {
  std::vector<RobustnessRun> runs;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) runs.push_back(simulate_and_score(random_scenario(seed), seed, false));
  const RobustnessTotals t = add_up(runs);
  const std::string table = robustness_table(runs, t);
  EXPECT_GE(t.signatures_right * 100, t.signatures_judged * 95) << table;
  EXPECT_EQ(t.waves_right, t.waves_judged) << table;
  EXPECT_EQ(t.faults_found, t.faults) << table;
  // Every flood told as stress is the target; measured, one in about a hundred is not (a flood
  // on one site heavy enough to lose every probe for the first intervals): docs/detection.md.
  EXPECT_GE(t.floods_told * 100, t.floods * 98) << table;
  EXPECT_EQ(t.false_events, 0) << table;
  EXPECT_GE(t.boundaries_right * 100, t.boundaries_judged * 95) << table;
}

TEST(DetectionMetamorphic, AStrongerFloodIsStillStressLed) {
  for (const double load : {1.3, 2.0, 3.0, 5.0})
    for (const auto queue : {std::chrono::milliseconds(30), std::chrono::milliseconds(150), std::chrono::milliseconds(500)}) {
      const Detected d = detect(flood_then(load, queue, "link-down"));
      const Event* network = network_event(d);
      ASSERT_NE(network, nullptr) << load << "x, " << queue.count() << " ms";
      EXPECT_EQ(network->signature, Signature::stress_led)
          << load << "x, " << queue.count() << " ms: " << events_to_text(d.events, d.waves);
    }
}

TEST(DetectionMetamorphic, RemovingTheFloodMakesTheCutClean) {
  // Forwarding dropped at the border: clean without the flood. A link that goes takes the
  // BGP session with it at once (the lab's BIRD sees its interface go), so without the flood
  // the prefix leaving as the hosts fall silent is what the cut looked like.
  for (const auto& [cut, clean] :
       {std::pair<std::string, Signature>{"forward-drop", Signature::clean_cut}, {"link-down", Signature::routing_withdrawal}}) {
    const Detected with = detect(flood_then(2.0, std::chrono::milliseconds(200), cut));
    const Detected without = detect(flood_then(0, {}, cut));
    ASSERT_NE(network_event(with), nullptr) << cut;
    ASSERT_NE(network_event(without), nullptr) << cut;
    EXPECT_EQ(network_event(with)->signature, Signature::stress_led) << cut << ": " << events_to_text(with.events, with.waves);
    EXPECT_EQ(network_event(without)->signature, clean) << cut << ": " << events_to_text(without.events, without.waves);
  }
  // A withdrawal with the link up: routing, with or without the noise of light loss.
  const Detected withdrawal = detect(flood_then(0, {}, "withdrawal"));
  ASSERT_NE(network_event(withdrawal), nullptr);
  EXPECT_EQ(network_event(withdrawal)->signature, Signature::routing_withdrawal)
      << events_to_text(withdrawal.events, withdrawal.waves);
}

TEST(DetectionMetamorphic, TwiceTheProbeIntervalKeepsTheVerdict) {
  // Scenarios drawn for a 2 s interval (each phase some intervals long at that cadence),
  // probed every 2 s and every 1 s: the same story must be told.
  int played = 0;
  for (std::uint64_t seed = 1; seed <= 40 && played < 12; ++seed) {
    Scenario slow = random_scenario(seed);
    if (slow.interval != std::chrono::seconds(2)) continue;
    ++played;
    Scenario fast = slow;
    fast.interval = std::chrono::seconds(1);
    derive_truth(fast);
    const Detected a = detect(fast, seed), b = detect(slow, seed);
    EXPECT_EQ(a.waves.size(), b.waves.size()) << "seed " << seed;
    std::vector<Signature> sa, sb;
    // The verdict is what each of the network's events looked like. (Whether it reached down
    // may differ: a cut inside a heavy flood needs more probes of silence at 2 s than the
    // cut lasts; docs/detection.md names the case.)
    for (const Event& e : a.events)
      if (e.scope == Scope::network) sa.push_back(e.signature);
    for (const Event& e : b.events)
      if (e.scope == Scope::network) sb.push_back(e.signature);
    EXPECT_EQ(sa, sb) << "seed " << seed << "\n1 s:\n"
                      << events_to_text(a.events, a.waves) << "2 s:\n"
                      << events_to_text(b.events, b.waves);
  }
  EXPECT_EQ(played, 12);
}

TEST(DetectionMetamorphic, TheSameStoryProbedEvery10sOr60sIsToldRight) {
  // The parameters are counted in probe intervals, so the lab's time-compressed story (a
  // story minute per second, probes every second) played in real time and probed every
  // minute, or at six story seconds per second and probed every 10 s, is told as right, with
  // no retuning: the network's and the layers' events found, of the right kind and
  // signature, and the waves counted right. (Not always the same signature as at 1 s: the
  // border's BGP session goes 0.7 s after its link, most of a 1 s interval, nothing of a
  // minute; the truth says so.)
  int played = 0;
  for (std::uint64_t seed = 1; seed <= 80 && played < 16; ++seed) {
    const Scenario lab = random_scenario(seed);
    if (lab.interval != std::chrono::seconds(1)) continue;
    ++played;
    for (const auto& [speed, interval] : {std::pair{6.0, std::chrono::seconds(10)}, std::pair{1.0, std::chrono::seconds(60)}}) {
      Scenario slow = lab;
      slow.speed = speed;
      slow.interval = interval;
      derive_truth(slow);
      const Detected d = detect(slow, seed);
      const std::string where =
          "seed " + std::to_string(seed) + " every " + std::to_string(interval.count()) + " s\n" + score_to_text(d.score);
      EXPECT_EQ(d.score.waves_detected, d.score.waves_expected.value_or(-1)) << where;
      EXPECT_TRUE(d.score.false_events.empty()) << where;
      for (const ExpectedOutcome& o : d.score.expected) {
        if (o.truth.expected.scope == Scope::target) continue;
        EXPECT_TRUE(o.match && o.kind_ok && o.signature_ok) << where;
      }
    }
  }
  EXPECT_EQ(played, 16);
}

TEST(DetectionMetamorphic, TwoPercentLossMakesNoEvent) {
  for (std::uint64_t noise = 1; noise <= 5; ++noise) {
    const Detected quiet = detect(flood_then(0, {}, "", std::chrono::seconds(1), 2.0), noise);
    EXPECT_TRUE(quiet.events.empty()) << events_to_text(quiet.events, quiet.waves);
  }
}

}  // namespace
}  // namespace blackout::lab
