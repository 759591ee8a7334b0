// State and scope names.
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

}  // namespace blackout
