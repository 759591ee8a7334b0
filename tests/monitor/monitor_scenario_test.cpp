// Every monitor scenario under tests/monitor/scenarios/ runs the whole monitor in virtual
// time (replay.hpp); and the reader refuses what it does not know, naming the line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "monitor/replay.hpp"
#include "support/process.hpp"

namespace blackout::testing_support {
namespace {

const std::filesystem::path scenarios = std::filesystem::path(BLACKOUT_SOURCE_DIR) / "tests/monitor/scenarios";

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(scenarios))
    if (entry.path().extension() == ".scenario") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class MonitorScenarios : public testing::TestWithParam<std::string> {};

TEST_P(MonitorScenarios, EveryExpectationHolds) {
  const MonitorScenario scenario = read_monitor_scenario(scenarios / (GetParam() + ".scenario"));
  ASSERT_FALSE(scenario.expectations.empty());
  for (const std::string& failure : run_monitor_scenario(scenario)) ADD_FAILURE() << failure;
}

INSTANTIATE_TEST_SUITE_P(Files, MonitorScenarios, testing::ValuesIn(scenario_names()),
                         [](const testing::TestParamInfo<std::string>& file) { return file.param; });

// The runner can fail: the same run with its states, windows and counts changed fails every
// expectation, each naming its line.
TEST(MonitorScenario, WrongExpectationsFail) {
  MonitorScenario scenario = read_monitor_scenario(scenarios / "network_down_and_back.scenario");
  for (Expectation& e : scenario.expectations) {
    if (e.kind == Expectation::Kind::change && e.to == State::down) e.to = State::unknown;  // never gone back to
    if (e.kind == Expectation::Kind::change || e.kind == Expectation::Kind::alert)
      e.earliest = e.latest + std::chrono::seconds(1);
    if (e.kind == Expectation::Kind::alert_count) e.value += 1;
  }
  Expectation quiet;
  quiet.kind = Expectation::Kind::no_change;
  quiet.line = 1000;
  quiet.scope = Scope::target;
  quiet.subject = "kcna";
  scenario.expectations.push_back(quiet);
  scenario.sqlite_store = false;  // the stored-* expectations then fail too
  const auto failures = run_monitor_scenario(scenario);
  for (const Expectation& e : scenario.expectations) {
    const std::string line = scenario.name + ":" + std::to_string(e.line) + ": ";
    EXPECT_TRUE(std::any_of(failures.begin(), failures.end(), [&](const std::string& f) { return f.rfind(line, 0) == 0; }))
        << line << "held\n"
        << testing::PrintToString(failures);
  }
}

TEST(MonitorScenario, WhatTheReaderDoesNotKnowIsRefusedNamingTheLine) {
  TempDir dir;
  const std::string config = "config:\n  targets: []\n";
  for (const auto& [text, says] : std::vector<std::pair<std::string, std::string>>{
           {config + "at 5s answer * * fine\nat 9s stop\n", ":3: not an outcome: fine"},
           {config + "at 5x stop\n", ":3: 5x"},
           {config + "at 9s stop\nexpect change network network up-down between 1s 2s\n", ":4: not FROM->TO states"},
           {config + "at 9s stop\nexpect change country kp up->down between 1s 2s\n", ":4: not a scope: country"},
           {config + "at 9s stop\nexpect alert sent between 1s 2s\n", ":4: not an alert kind"},
           {config + "at 9s stop\nexpect it to work\n", ":4: not an expectation"},
           {config + "wait 5s\n", ":3: not a line this reader knows"},
           {config + "at 5s answer * * ok\n", "the last action must be a stop"},
           {"at 9s stop\n", "no config: block"},
       }) {
    const auto path = dir.write("bad.scenario", text);
    try {
      (void)read_monitor_scenario(path);
      ADD_FAILURE() << "accepted:\n" << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace blackout::testing_support
