// Monitor scenarios: the whole monitor (scheduler, detection, store writer, alerts, reload)
// run on a ManualClock with scripted probes, from a file that says what the network answers
// when and what must follow, the way Unbound's replay tests run its real loop:
//
//   config:                         the config, indented (the one schema)
//     targets: [ ... ]
//   store: sqlite                   a real SQLite store in a temporary folder (default: none)
//   at 60s answer mfa * refused     from 60 s on, every check of mfa is refused
//   at 90s answer * tcp:80 ok rtt 20ms
//   at 100s reload:                 the config read again: this text, indented
//     targets: [ broken
//   at 300s stop                    the monitor stops; probes in flight finish
//   expect change network network up->down between 60s 75s     (or *->down: from any state)
//   expect no change layer dns
//   expect alert opened between 60s 80s
//   expect alerts 2
//   expect stat blackout_config_reload_failures_total 1
//   expect stored every result
//   expect stored events as analyze recomputes them
//
// Times count from the monitor's start. A line the parser does not know is an error that
// names its file and line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/outcome.hpp"
#include "model/time.hpp"

namespace blackout::testing_support {

struct ScriptedAnswer {
  Duration from{0};
  std::string target = "*", check = "*";
  Outcome outcome = Outcome::ok;
  Duration rtt = std::chrono::milliseconds(10);
};

struct ScriptedAction {
  enum class Kind { reload, stop } kind = Kind::stop;
  Duration at{0};
  std::string config;  // reload
};

struct Expectation {
  enum class Kind { change, no_change, alert, alert_count, stat, stored_results, stored_events } kind = Kind::change;
  int line = 0;
  Scope scope = Scope::network;
  std::string subject;
  State from = State::unknown, to = State::unknown;
  bool any_from = false;  // "*->down": from whatever state
  Duration earliest{0}, latest{0};
  std::string name;  // alert kind, stat name
  double value = 0;  // alert count, stat value
  [[nodiscard]] std::string describe() const;
};

struct MonitorScenario {
  std::string name;
  std::string config;
  bool sqlite_store = false;
  std::vector<ScriptedAnswer> answers;
  std::vector<ScriptedAction> actions;
  std::vector<Expectation> expectations;
};

// Throws std::runtime_error naming the file and line of what it cannot read.
MonitorScenario read_monitor_scenario(const std::filesystem::path& path);

// Runs it; returns one line per expectation that did not hold (empty: all held).
std::vector<std::string> run_monitor_scenario(const MonitorScenario& scenario);

}  // namespace blackout::testing_support
