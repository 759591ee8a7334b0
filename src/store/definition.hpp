// A target's definition as stable JSON text, so that the store can tell whether a target
// changed between two configs and keep the history of what was watched when.
#pragma once

#include <string>

#include "model/target.hpp"

namespace blackout {
std::string target_definition(const Target& target);
}
