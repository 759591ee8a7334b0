// What detection concludes, as plain values: states, state changes, events (intervals in
// which a target, a layer or the whole network is not up), waves and their cascades.
// docs/events.md describes the JSON form.
#pragma once

#include <array>
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
std::optional<Scope> scope_from_string(std::string_view name);
std::optional<State> state_from_string(std::string_view name);

// What an event's failure looked like, told from its evidence (docs/detection.md). The names
// are those of the JSON documents and the store; the descriptions are the report's words.
enum class Signature : std::uint8_t {
  none,                // not signed yet (an event the detector has not told)
  stress_led,          // stress rose before anything failed: a flood
  stress_only,         // stressed, never down
  clean_cut,           // everything failed at once with no stress before
  routing_withdrawal,  // the prefixes left the routing table first
  single_service,      // one target's service failed alone while its host answered
  vantage_local,       // a control target outside the network failed too
  mixed,               // none of the clear patterns
};

inline constexpr std::size_t signature_count = static_cast<std::size_t>(Signature::mixed) + 1;

struct SignatureInfo {
  Signature signature;
  std::string_view name;
  std::string_view description;
};

const std::array<SignatureInfo, signature_count>& signature_table();
std::string_view to_string(Signature signature);
std::string_view describe(Signature signature);
std::optional<Signature> signature_from_string(std::string_view name);
// Stress-led or stress-only: what a flood looks like.
inline bool is_stress(Signature signature) { return signature == Signature::stress_led || signature == Signature::stress_only; }

struct StateChange {
  Timestamp time;
  std::string vantage;  // empty for quorum-combined layer and network states
  Scope scope = Scope::target;
  std::string subject;  // target name, layer name, or "network"
  State from = State::unknown, to = State::unknown;
  std::string reason;
};

// What a state change means to whoever is alerted: going down, becoming stressed, coming back
// up, or none of these (unknown to up, down to stressed). Alert rules name the kinds they want.
enum class ChangeKind : std::uint8_t { none, down, stressed, recovered };
ChangeKind change_kind(const StateChange& change);
std::string_view to_string(ChangeKind kind);
std::optional<ChangeKind> change_kind_from_string(std::string_view name);

struct Event {
  std::string id;  // "<scope>:<subject>:<start in µs>", stable across replays
  Scope scope = Scope::target;
  std::optional<Layer> layer;
  std::string subject;
  State kind = State::stressed;  // down or stressed: the worst the subject reached
  Timestamp start;
  std::optional<Timestamp> end;      // nullopt while ongoing
  std::optional<Timestamp> down_at;  // when it first was down
  // The worst while its targets still answered: stress, RTT inflation (against a baseline no
  // faster than rtt_floor), the share of probes lost, and the recent and normal median RTT
  // of the most inflated target.
  double peak_stress = 0, peak_inflation = 1, peak_loss = 0;
  std::optional<Duration> peak_rtt, normal_rtt;
  std::vector<std::string> targets;   // those involved
  std::vector<std::string> vantages;  // those that saw it
  Signature signature = Signature::none;
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
  // without one, of its layer events), each once (stress-led, then clean-cut).
  std::vector<Signature> signatures;
};

}  // namespace blackout
