// Scenarios: YAML timelines of what happens to the lab (floods, services stopping, traffic
// dropped, links and BGP going down, background loss) in story time, played at a speed
// (story seconds per lab second), together with what a perfect monitor should report. Built-in
// scenarios ship inside the program (src/lab/scenarios/*.yaml); a path loads any other file.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/time.hpp"
#include "util/expected.hpp"

namespace blackout::lab {

// What an action does to the lab. The names are the scenario files' keys.
enum class ActionKind : std::uint8_t {
  flood,
  flood_stop,
  stop,
  start,
  block,
  unblock,
  link_down,
  link_up,
  withdraw,
  announce,
  loss,
  queue,
  cut_forwarding,
  restore_forwarding,
};

inline constexpr std::size_t action_kind_count = static_cast<std::size_t>(ActionKind::restore_forwarding) + 1;

struct ActionKindInfo {
  ActionKind kind;
  std::string_view name;
  std::string_view description;
};

const std::array<ActionKindInfo, action_kind_count>& action_kind_table();
std::string_view to_string(ActionKind kind);
std::optional<ActionKind> action_kind_from_string(std::string_view name);

struct ScenarioAction {
  Duration at{};  // story time from the start of the scenario
  ActionKind kind = ActionKind::stop;
  std::string target;      // a site, "link" (floods, queues), or a link or router name (border, vantage)
  std::uint64_t rate = 0;  // flood: bits per second
  Duration length{};       // flood: story time it lasts
  bool reject = false;     // block: reject (ICMP admin-prohibited) instead of drop
  double percent = 0;      // loss
  Duration delay{};        // queue: the queueing delay a saturating flood adds there
  int line = 0;            // in the scenario file, for messages
  [[nodiscard]] std::string describe() const;
};

// What a perfect monitor reports: an event of this scope and subject, of this kind, from
// `from` to `to` (story time), with this signature when one is given.
struct ExpectedEvent {
  Scope scope = Scope::network;
  std::string subject;       // target name, layer name, or "network"
  State kind = State::down;  // down or stressed
  Duration from{}, to{};
  std::optional<Signature> signature;  // none: not judged
  std::vector<std::string> cascade;    // network events: the layers in the order they fell
};

// A fault injected by a scenario, as a perfect monitor sees it: at which scope, on which
// subject, and whether it is stress (told as stress: a stressed event or a stress-led one)
// or an outage. The randomised family records them so that a run can be scored per fault.
struct ScenarioFault {
  std::string kind;  // flood, link-down, forward-drop, withdrawal, service-stop, blackhole
  Scope scope = Scope::network;
  std::string subject;  // a target, a layer, or "network"
  std::string expect;   // "stressed" or "down"; "none" for a flood too weak to queue
  Duration from{}, to{};
  double intensity = 0;  // floods: offered rate over the bottleneck's
  Duration delay{};      // floods: the queueing delay the bottleneck adds when full
};

struct Scenario {
  std::string name;
  std::string description;
  double speed = 60;    // story seconds per lab second
  Duration duration{};  // story time the scenario lasts
  std::vector<ScenarioAction> actions;
  std::vector<ExpectedEvent> expect;
  // Scopes at which any event not expected is a false event (the quiet scenario lists all).
  std::optional<int> waves;                     // how many waves a perfect monitor finds
  int max_target_events = -1;                   // flapping: at most this many target events (hysteresis)
  Duration interval = std::chrono::seconds(1);  // the monitor's probe interval in the lab
  std::vector<ScenarioFault> faults;            // what was injected, per fault (the randomised family)
  std::optional<std::uint64_t> seed;            // the randomised family's seed that drew it
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
// The scenario as a file parse_scenario reads back the same (a drawn scenario, kept with its run).
std::string scenario_to_yaml(const Scenario& scenario);

}  // namespace blackout::lab
