// Names of states, scopes and signatures: one table each, read by JSON, the store, reports and docs.
#include "model/event.hpp"

namespace blackout {

std::string_view to_string(State state) {
  switch (state) {
    case State::unknown: return "unknown";
    case State::up: return "up";
    case State::stressed: return "stressed";
    case State::down: return "down";
  }
  return "?";
}

std::string_view to_string(Scope scope) {
  switch (scope) {
    case Scope::target: return "target";
    case Scope::layer: return "layer";
    case Scope::network: return "network";
  }
  return "?";
}

std::optional<Scope> scope_from_string(std::string_view name) {
  for (const Scope scope : {Scope::target, Scope::layer, Scope::network})
    if (name == to_string(scope)) return scope;
  return std::nullopt;
}

std::optional<State> state_from_string(std::string_view name) {
  for (const State state : {State::unknown, State::up, State::stressed, State::down})
    if (name == to_string(state)) return state;
  return std::nullopt;
}

ChangeKind change_kind(const StateChange& c) {
  if (c.to == State::down) return ChangeKind::down;
  if (c.to == State::stressed && c.from != State::down) return ChangeKind::stressed;
  if (c.to == State::up && (c.from == State::down || c.from == State::stressed)) return ChangeKind::recovered;
  return ChangeKind::none;
}

std::string_view to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::none: return "none";
    case ChangeKind::down: return "down";
    case ChangeKind::stressed: return "stressed";
    case ChangeKind::recovered: return "recovered";
  }
  return "?";
}

std::optional<ChangeKind> change_kind_from_string(std::string_view name) {
  for (const ChangeKind kind : {ChangeKind::down, ChangeKind::stressed, ChangeKind::recovered})
    if (name == to_string(kind)) return kind;
  return std::nullopt;
}

const std::array<SignatureInfo, signature_count>& signature_table() {
  static const std::array<SignatureInfo, signature_count> table{{
      {Signature::none, "none", "not signed yet"},
      {Signature::stress_led, "stress-led", "stress rose before anything failed, the pattern of a flood"},
      {Signature::stress_only, "stress-only", "stressed but never down"},
      {Signature::clean_cut, "clean-cut", "everything failed at once with no stress before, a switch being thrown"},
      {Signature::routing_withdrawal, "routing-withdrawal", "the prefixes left the routing table"},
      {Signature::single_service, "single-service", "one target failed alone, with no stress before"},
      {Signature::vantage_local, "vantage-local", "a control target outside the network failed too: the vantage's own uplink"},
      {Signature::mixed, "mixed", "none of the clear patterns"},
  }};
  return table;
}

std::string_view to_string(Signature signature) { return signature_table()[static_cast<std::size_t>(signature)].name; }
std::string_view describe(Signature signature) { return signature_table()[static_cast<std::size_t>(signature)].description; }

std::optional<Signature> signature_from_string(std::string_view name) {
  for (const SignatureInfo& info : signature_table())
    if (info.name == name) return info.signature;
  return std::nullopt;
}

}  // namespace blackout
