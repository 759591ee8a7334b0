// Alerts, the deciding half: from the detector's state changes and the config's rules to the
// messages to send. Pure and deterministic (time comes from the changes and from tick()),
// so that every alert the live monitor sends can be replayed in a test.
//
// Per rule, an incident opens with the first change the rule selects (one message at once);
// what follows while it is open is gathered for `group_window` and sent as one update of the
// same incident (a cascade is one thread, not a storm); once every subject is back up and
// stays up for `group_window`, one recovery message closes it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "model/event.hpp"
#include "model/target.hpp"

namespace blackout {

struct Notification {
  enum class Kind : std::uint8_t { opened, update, resolved };
  std::string incident;  // "<rule>:<opening time in µs>": the thread every message of it joins
  int sequence = 0;      // 0 for the opening message, then 1, 2, ...
  Kind kind = Kind::opened;
  std::string rule;
  std::vector<std::string> channels;
  Timestamp time;
  std::vector<StateChange> changes;  // what this message reports, in order
  std::vector<std::string> not_up;   // subjects of the incident not up when it was sent
  std::string title;                 // one line
  std::string text;                  // plain text, one line per change
};

std::string_view to_string(Notification::Kind kind);

class Notifier {
 public:
  Notifier(const AlertsConfig& alerts, const std::vector<Target>& targets);

  // Changes in time order (the detector's). Returns the messages due now.
  std::vector<Notification> add(const StateChange& change);
  // Sends what has waited its window: updates gathered, recoveries that held.
  std::vector<Notification> tick(Timestamp now);
  // The end of the stream (the monitor stopping): everything gathered goes out now.
  std::vector<Notification> flush(Timestamp now);

 private:
  struct Incident {
    std::string id;
    int next_sequence = 1;
    std::map<std::string, State> not_up;  // subject -> state
    std::vector<StateChange> pending;     // gathered for the next update
    std::optional<Timestamp> pending_since;
    std::optional<Timestamp> all_up_since;  // every subject up: resolving
    std::vector<StateChange> resolution;    // the recoveries the resolved message reports
  };
  [[nodiscard]] bool selects(const AlertRule& rule, const StateChange& change) const;
  Notification message(const AlertRule& rule, Incident& incident, Notification::Kind kind, Timestamp at,
                       std::vector<StateChange> changes) const;
  void due(Timestamp now, bool everything, std::vector<Notification>& out);

  AlertsConfig alerts_;
  std::map<std::string, std::vector<std::string>> groups_of_;  // target -> groups
  std::map<std::string, Incident> open_;                       // rule name -> open incident
};

// "network down", "layer dns stressed", "target mfa (v1) up": how a change reads in a message.
std::string describe_change(const StateChange& change);

}  // namespace blackout
