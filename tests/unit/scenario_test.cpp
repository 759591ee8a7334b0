// Scenarios: every built-in one loads, keeps to the lab's sites and its own duration, and
// says what a perfect monitor reports; malformed scenario files are refused naming the line.
#include "lab/scenario.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "lab/declarations.hpp"
#include "lab/robustness.hpp"
#include "lab/run.hpp"
#include "lab/score.hpp"
#include "support/print.hpp"

namespace blackout::lab {
namespace {

TEST(Scenario, EveryBuiltInLoads) {
  const auto names = builtin_scenarios();
  for (const char* required : {"reuters", "quiet", "dns-only", "bgp-cut", "single-site", "flapping", "vantage-down"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  for (const std::string& name : names) {
    const auto s = load_scenario(name);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->name, name);
    EXPECT_FALSE(s->description.empty()) << name;
    for (const auto& e : s->expect) EXPECT_LE(e.to, s->duration) << name;
  }
}

TEST(Scenario, ReutersIsTwoStressLedWavesOverTwoAndAHalfHours) {
  const auto s = load_scenario("reuters");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->duration, std::chrono::minutes(150));
  EXPECT_EQ(s->waves, 2);
  int network = 0;
  for (const auto& e : s->expect)
    if (e.scope == Scope::network) {
      ++network;
      EXPECT_EQ(e.signature, Signature::stress_led);
      EXPECT_EQ(e.cascade, (std::vector<std::string>{"dns", "router"}));
    }
  EXPECT_EQ(network, 2);
  // Played at 60x, the story lasts two and a half minutes.
  EXPECT_EQ(s->lab_time(s->duration), std::chrono::seconds(150));
}

TEST(Scenario, QuietExpectsNothing) {
  const auto s = load_scenario("quiet");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->expect.empty());
}

TEST(Scenario, MalformedFilesAreRefusedNamingTheLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"name: x\nduration: 10m\nactions:\n  - { at: 1m, explode: mfa }\n", ":4: unknown key `explode`"},
      {"name: x\nduration: 10m\nactions:\n  - { at: 1m, stop: pyongyang }\n", "no site `pyongyang`"},
      {"name: x\nduration: 10m\nactions:\n  - { at: 20m, stop: mfa }\n", "after the end"},
      {"name: x\nduration: 10m\nactions:\n  - { at: 1m, flood: { target: mfa, rate: fast, for: 1m } }\n", "flood.rate"},
      {"name: x\nduration: 10m\nactions:\n  - { at: 1m, stop: mfa, start: mfa }\n", "exactly one of"},
      {"name: x\nduration: 10m\nactions:\n  - { stop: mfa }\n", "needs `at`"},
      {"name: x\nduration: ten\n", "duration"},
      {"duration: 10m\n", "needs a `name`"},
      {"name: x\nduration: 10m\nexpect:\n  - { scope: planet, subject: x, kind: down, from: 1m, to: 2m }\n",
       "scope: target, layer or network"},
      {"name: x\nduration: 10m\nexpect:\n  - { scope: layer, subject: web, kind: down, from: 3m, to: 2m }\n", "after from"},
      {"name: x\nduration: 10m\nactions: [ { at: 1m, loss: 150 } ]\n", "percentage"},
      {"name: x\nduration: 10m\nactions: [ { at: 1m, link_down: moon } ]\n", "border or vantage"},
      {"name: x\nduration: 10m\nexpect:\n  - { scope: layer, subject: web, kind: dark, from: 1m, to: 2m }\n",
       "kind: down or stressed"},
      // A misspelt signature would be a judgement that never matches: refused, with the names.
      {"name: x\nduration: 10m\nexpect:\n  - { scope: layer, subject: web, kind: down, from: 1m, to: 2m, signature: stress-lead "
       "}\n",
       ":4: signature: one of stress-led, stress-only, clean-cut"},
      {"name: x\nduration: 10m\nexpect:\n  - { scope: layer, subject: web, kind: down, from: 1m, to: 2m, signature: none }\n",
       "signature: one of"},
      {"name: [x\n", "scenario-file:"},
  };
  for (const auto& [text, expected] : cases) {
    const auto s = parse_scenario(text, "scenario-file");
    ASSERT_FALSE(s) << text;
    EXPECT_NE(s.error().message.find(expected), std::string::npos) << s.error().message;
    EXPECT_EQ(s.error().message.rfind("scenario-file:", 0), 0u) << s.error().message;
  }
}

TEST(Scenario, BitRates) {
  EXPECT_EQ(*parse_bit_rate("9M"), 9'000'000u);
  EXPECT_EQ(*parse_bit_rate("500k"), 500'000u);
  EXPECT_EQ(*parse_bit_rate("1.5G"), 1'500'000'000u);
  EXPECT_FALSE(parse_bit_rate("fast"));
  EXPECT_FALSE(parse_bit_rate("-3M"));
  EXPECT_FALSE(parse_bit_rate("100T"));
}

TEST(Scenario, GroundTruthRoundTripsThroughJson) {
  GroundTruth truth;
  truth.scenario = "x";
  truth.t0 = Timestamp{std::chrono::seconds(1'800'000'000)};
  truth.end = truth.t0 + std::chrono::seconds(35);
  truth.waves = 1;
  GroundTruthEvent e;
  e.expected.scope = Scope::layer;
  e.expected.subject = "dns";
  e.expected.kind = State::down;
  e.expected.from = std::chrono::minutes(10);
  e.expected.to = std::chrono::minutes(25);
  e.expected.cascade = {"dns"};
  e.expected.signature = Signature::clean_cut;
  e.start = truth.t0 + std::chrono::seconds(10);
  e.end = truth.t0 + std::chrono::seconds(25);
  truth.events.push_back(e);
  const auto back = ground_truth_from_json(ground_truth_to_json(truth));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->t0, truth.t0);
  ASSERT_EQ(back->events.size(), 1u);
  EXPECT_EQ(back->events[0].start, e.start);
  EXPECT_EQ(back->events[0].expected.from, e.expected.from);
  EXPECT_EQ(back->events[0].expected.cascade, e.expected.cascade);
  EXPECT_EQ(back->events[0].expected.kind, State::down);
  EXPECT_EQ(back->events[0].expected.signature, Signature::clean_cut);
  EXPECT_FALSE(ground_truth_from_json("{\"scenario\": 3}"));
  // A ground truth whose words are not ours is refused, not read as something else.
  std::string bad = ground_truth_to_json(truth);
  bad.replace(bad.find("\"clean-cut\""), 11, "\"cleancut\"");
  const auto refused = ground_truth_from_json(bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("signature cleancut"), std::string::npos) << refused.error().message;
}

TEST(Scenario, EveryActionWritesAndReadsBackAndIsInLabMd) {
  std::ifstream in(std::string(BLACKOUT_SOURCE_DIR) + "/docs/lab.md");
  ASSERT_TRUE(in);
  std::stringstream doc;
  doc << in.rdbuf();
  for (const ActionKindInfo& info : action_kind_table()) {
    EXPECT_EQ(action_kind_from_string(info.name), info.kind) << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_NE(doc.str().find("`" + std::string(info.name) + ":"), std::string::npos)
        << "docs/lab.md does not say what " << info.name << " does";
  }
  EXPECT_FALSE(action_kind_from_string("explode"));
  // Every kind of action survives scenario_to_yaml and parse_scenario.
  Scenario s;
  s.name = "every-action";
  s.duration = std::chrono::minutes(30);
  for (const ActionKindInfo& info : action_kind_table()) {
    ScenarioAction a;
    a.at = std::chrono::minutes(1 + static_cast<int>(info.kind));
    a.kind = info.kind;
    a.target = info.kind == ActionKind::link_down || info.kind == ActionKind::link_up ||
                       info.kind == ActionKind::cut_forwarding || info.kind == ActionKind::restore_forwarding
                   ? "border"
                   : "mfa";
    if (info.kind == ActionKind::flood) a.rate = 9'000'000, a.length = std::chrono::minutes(2);
    if (info.kind == ActionKind::queue) a.delay = std::chrono::milliseconds(300);
    if (info.kind == ActionKind::loss) a.percent = 2;
    s.actions.push_back(a);
  }
  const auto back = parse_scenario(scenario_to_yaml(s), "every-action");
  ASSERT_TRUE(back) << back.error().message << "\n" << scenario_to_yaml(s);
  ASSERT_EQ(back->actions.size(), s.actions.size());
  for (std::size_t i = 0; i < s.actions.size(); ++i) {
    EXPECT_EQ(back->actions[i].kind, s.actions[i].kind) << i;
    EXPECT_EQ(back->actions[i].describe(), s.actions[i].describe()) << i;
  }
}

TEST(Score, LatencyIsFromTheFaultToTheMonitorsFirstWordOfIt) {
  // The monitor's log as it writes it, with lines that are not state changes and a broken one.
  std::istringstream log(
      "2026-11-27T02:10:20.000Z info monitor.started config=x\n"
      "2026-11-27T02:10:49.858Z info state.change scope=layer subject=dns from=up to=stressed at=2026-11-27T02:10:48.149Z\n"
      "2026-11-27T02:10:50.859Z info state.change scope=layer subject=dns from=stressed to=down at=2026-11-27T02:10:48.251Z\n"
      "2026-11-27T02:10:51.000Z info state.change scope=layer subject=dns from=stressed to=down at=not-a-time\n"
      "garbage\n"
      "2026-11-27T02:11:04.867Z info state.change scope=layer subject=dns from=down to=up at=2026-11-27T02:11:03.591Z\n");
  const auto declarations = read_declarations(log);
  ASSERT_EQ(declarations.size(), 3u);
  EXPECT_EQ(declarations[1].to, "down");
  EXPECT_EQ(format_rfc3339(declarations[1].at), "2026-11-27T02:10:48.251Z");

  GroundTruth truth;
  truth.scenario = "dns-only";
  truth.t0 = *parse_rfc3339("2026-11-27T02:10:38.000Z");
  truth.end = truth.t0 + std::chrono::seconds(60);
  GroundTruthEvent g;
  g.expected.scope = Scope::layer;
  g.expected.subject = "dns";
  g.expected.kind = State::down;
  g.start = truth.t0 + std::chrono::seconds(10);  // 02:10:48
  g.end = truth.t0 + std::chrono::seconds(25);    // 02:11:03
  truth.events.push_back(g);
  Event e;
  e.id = "layer:dns:1";
  e.scope = Scope::layer;
  e.subject = "dns";
  e.kind = State::down;
  e.start = *parse_rfc3339("2026-11-27T02:10:48.149Z");
  e.end = *parse_rfc3339("2026-11-27T02:11:03.591Z");
  const auto score = score_run(truth, {e}, {}, std::chrono::seconds(2), declarations);
  ASSERT_TRUE(score.expected[0].latency);
  EXPECT_EQ(*score.expected[0].latency, std::chrono::milliseconds(1858));
  EXPECT_EQ(score.worst_latency(), score.expected[0].latency);
  EXPECT_TRUE(score.pass()) << score_to_text(score);
  EXPECT_NE(score_to_text(score).find("told after 1.9s"), std::string::npos) << score_to_text(score);
}

// A flood whose client never ran loaded nothing: the run is void, said as such, and left out
// of the robustness table's totals rather than counted as detection's miss.
TEST(Score, ARunWhoseLabFailedAnActionIsVoidAndLeftOutOfTheTotals) {
  GroundTruth truth;
  truth.scenario = "random-28";
  truth.seed = 28;
  truth.t0 = Timestamp{std::chrono::seconds(1'800'000'000)};
  truth.end = truth.t0 + std::chrono::seconds(60);
  PlayedAction flood;
  flood.action.kind = ActionKind::flood;
  flood.action.target = "link";
  flood.action.rate = 48'000'000;
  flood.action.at = std::chrono::minutes(3);
  flood.action.length = std::chrono::minutes(28);
  flood.planned = flood.done = truth.t0 + std::chrono::seconds(3);
  flood.error = "the flood stopped 0.1s after it started: flood-link is not running";
  truth.actions.push_back(flood);
  truth.lab_failures.push_back("story 3m: flood link: " + flood.error);
  const auto back = ground_truth_from_json(ground_truth_to_json(truth));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->lab_failures.size(), 1u);
  EXPECT_NE(back->lab_failures[0].find("flood-link is not running"), std::string::npos) << back->lab_failures[0];

  const auto score = score_run(*back, {}, {}, std::chrono::seconds(4));
  EXPECT_FALSE(score.pass());
  EXPECT_NE(score_to_text(score).find("LAB FAILED story 3m"), std::string::npos) << score_to_text(score);
  GroundTruth clean = *back;
  clean.lab_failures.clear();
  clean.seed = 29;
  const std::vector<RobustnessRun> runs = {{"random-28", 28, score, std::nullopt},
                                           {"random-29", 29, score_run(clean, {}, {}, std::chrono::seconds(4)), std::nullopt}};
  const auto totals = add_up(runs);
  EXPECT_EQ(totals.runs, 1);
  EXPECT_EQ(totals.passed, 1);
  ASSERT_EQ(totals.void_runs.size(), 1u);
  EXPECT_NE(robustness_table(runs, totals).find("Runs left out, the lab having failed an action"), std::string::npos);
}

TEST(LabConfig, TheMonitorConfigOfTheLabMatchesTheExample) {
  std::ifstream in(std::string(BLACKOUT_SOURCE_DIR) + "/examples/lab.yaml");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), lab_monitor_config("sqlite:var/lab.db")) << "regenerate with: blackout lab config > examples/lab.yaml";
}

}  // namespace
}  // namespace blackout::lab
