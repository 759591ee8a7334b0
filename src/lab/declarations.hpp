// When the live monitor declared each layer and network state: read back from its log (the
// `state.change` lines it writes the moment a change is decided). The log line's own time
// is the declaration; the change's `at` is when the state began. Their difference to the
// fault is the detection latency a user at the console experiences.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "model/event.hpp"

namespace blackout::lab {

struct Declaration {
  Timestamp declared;  // when the monitor logged it
  Timestamp at;        // when, by the evidence, the state began
  Scope scope = Scope::layer;
  std::string subject;
  std::string to;  // "down", "stressed", "up"
};

// Lines that are not state changes, or do not parse, are skipped: the log is the monitor's
// and may hold anything else.
std::vector<Declaration> read_declarations(std::istream& log);

}  // namespace blackout::lab
