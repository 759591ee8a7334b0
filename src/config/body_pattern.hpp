// body_match patterns: RE2 syntax, compiled the same way where the config is checked and
// where the http check matches, so that a pattern config check accepts is one the probe
// can run. RE2 rather than std::regex because the body is the server's to choose: RE2
// matches in time linear in the body and within a fixed memory budget, where a recursive
// backtracking engine can overflow the stack on one long line or take seconds on a
// pattern like (\w+\s?)*! (docs/architecture.md).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>

#include "util/expected.hpp"

namespace blackout {

// The most memory one compiled pattern may use (RE2's own budget, DFA states included).
inline constexpr std::int64_t body_pattern_max_memory = 8 << 20;

// The compiled pattern, or why RE2 refuses it (unsupported syntax such as backreferences
// or lookaround, a pattern too large for the memory budget).
Expected<std::unique_ptr<RE2>> compile_body_pattern(const std::string& pattern);

}  // namespace blackout
