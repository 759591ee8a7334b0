// Scenarios: YAML timelines of what happens to the lab (floods, services stopping, traffic
// dropped, links and BGP going down, background loss) in story time, played at a speed
// (story seconds per lab second), together with what a perfect monitor should report. Built-in
// scenarios ship inside the program (src/lab/scenarios/*.yaml); a path loads any other file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/time.hpp"
#include "util/expected.hpp"

namespace blackout::lab {

struct ScenarioAction {
  Duration at{};       // story time from the start of the scenario
  std::string kind;    // flood, flood_stop, stop, start, block, unblock, link_down, link_up, withdraw, announce, loss
  std::string target;  // a site, "link" (floods), or a link name (border, vantage)
  std::uint64_t rate = 0;    // flood: bits per second
  Duration length{};         // flood: story time it lasts
  bool reject = false;       // block: reject (ICMP admin-prohibited) instead of drop
  double percent = 0;        // loss
  int line = 0;              // in the scenario file, for messages
  [[nodiscard]] std::string describe() const;
};

// What a perfect monitor reports: an event of this scope and subject, of this kind, from
// `from` to `to` (story time), with this signature when one is given.
struct ExpectedEvent {
  Scope scope = Scope::network;
  std::string subject;  // target name, layer name, or "network"
  std::string kind;     // down or stressed
  Duration from{}, to{};
  std::string signature;  // empty: not judged
  std::vector<std::string> cascade;  // network events: the layers in the order they fell
};

struct Scenario {
  std::string name;
  std::string description;
  double speed = 60;                 // story seconds per lab second
  Duration duration{};               // story time the scenario lasts
  std::vector<ScenarioAction> actions;
  std::vector<ExpectedEvent> expect;
  // Scopes at which any event not expected is a false event (the quiet scenario lists all).
  std::optional<int> waves;          // how many waves a perfect monitor finds
  int max_target_events = -1;        // flapping: at most this many target events (hysteresis)
  // Lab seconds for a story duration.
  [[nodiscard]] Duration lab_time(Duration story) const {
    return Duration{static_cast<Duration::rep>(static_cast<double>(story.count()) / speed)};
  }
};

// Names of the built-in scenarios, in a sensible order to run them.
std::vector<std::string> builtin_scenarios();
// A built-in name or a path to a YAML file. Errors name the file, line and field.
Expected<Scenario> load_scenario(const std::string& name_or_path);
Expected<Scenario> parse_scenario(const std::string& text, const std::string& origin);

}  // namespace blackout::lab
