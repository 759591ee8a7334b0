// The built-in scenarios, embedded from src/lab/scenarios/*.yaml by embed_scenarios.cmake.
#pragma once

#include <span>
#include <string_view>
#include <utility>

namespace blackout::lab {

std::span<const std::pair<std::string_view, std::string_view>> builtin_scenario_texts();

}  // namespace blackout::lab
