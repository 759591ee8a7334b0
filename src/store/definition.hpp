// A target's definition as stable JSON text, so that the store can tell whether a target
// changed between two configs and keep the history of what was watched when.
#pragma once

#include <optional>
#include <string>

#include "model/target.hpp"

namespace blackout {
std::string target_definition(const Target& target);
// Back from a definition: name, layer, groups, address, host, weight, control, and checks
// with their id, kind and schedule (enough for detection); nullopt if it is not one.
std::optional<Target> target_from_definition(const std::string& definition);
}  // namespace blackout
