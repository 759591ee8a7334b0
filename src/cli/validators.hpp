// Option validators of our own where CLI11's fall short: its PositiveNumber lets nan
// through and, refusing 0, prints its bound as a 300-digit number.
#pragma once

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <string>

namespace blackout::cli {

// A finite number above zero.
inline CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) || value <= 0)
          return "expected a number above 0, got " + text;
        return {};
      },
      "POSITIVE");
}

}  // namespace blackout::cli
