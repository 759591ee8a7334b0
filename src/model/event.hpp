// What detection concludes, as plain values: states, state changes, events (intervals in
// which a target, a layer or the whole network is not up), waves and their cascades.
// docs/events.md describes the JSON form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/target.hpp"
#include "model/time.hpp"

namespace blackout {

enum class State : std::uint8_t { unknown, up, stressed, down };
std::string_view to_string(State state);

enum class Scope : std::uint8_t { target, layer, network };
std::string_view to_string(Scope scope);

struct StateChange {
  Timestamp time;
  std::string vantage;  // empty for quorum-combined layer and network states
  Scope scope = Scope::target;
  std::string subject;  // target name, layer name, or "network"
  State from = State::unknown, to = State::unknown;
  std::string reason;
};

struct Event {
  std::string id;       // "<scope>:<subject>:<start in µs>", stable across replays
  Scope scope = Scope::target;
  std::optional<Layer> layer;
  std::string subject;
  std::string kind;     // "down" or "stressed": the worst the subject reached
  Timestamp start;
  std::optional<Timestamp> end;       // nullopt while ongoing
  std::optional<Timestamp> down_at;   // when it first was down
  // The worst while its targets still answered: stress, RTT inflation (against a baseline no
  // faster than rtt_floor), the share of probes lost, and the recent and normal median RTT
  // of the most inflated target.
  double peak_stress = 0, peak_inflation = 1, peak_loss = 0;
  std::optional<Duration> peak_rtt, normal_rtt;
  std::vector<std::string> targets;   // those involved
  std::vector<std::string> vantages;  // those that saw it
  std::string signature;              // stress-led, stress-only, clean-cut, routing-withdrawal, single-service, vantage-local, mixed
  std::vector<std::string> evidence;
};

struct CascadeStep {
  Layer layer;
  Timestamp at;
};

struct Wave {
  std::string id;
  Timestamp start;
  std::optional<Timestamp> end;
  std::vector<std::string> events;  // ids
  std::vector<CascadeStep> cascade;
  // What the wave's failures looked like, in order: the signatures of its network events (or,
  // without one, of its layer events), each once ("stress-led", then "clean-cut").
  std::vector<std::string> signatures;
};

}  // namespace blackout
