// Time in blackout: UTC timestamps and durations with microsecond resolution, and their
// text forms (RFC 3339 for instants, "1m30s"-style for durations, as in the config).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace blackout {

using Duration = std::chrono::microseconds;
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Duration>;

using namespace std::chrono_literals;

// "2026-11-25T06:40:00.123Z"; fraction_digits is 0, 3 or 6.
std::string format_rfc3339(Timestamp time, int fraction_digits = 3);
// Accepts "2026-11-25T06:40:00Z", with an optional fraction of up to 9 digits and a "Z" or
// "+hh:mm"/"-hh:mm" offset; also a bare date "2026-11-25" (midnight UTC).
Expected<Timestamp> parse_rfc3339(std::string_view text);

// "250ms", "10s", "1m30s", "2h"; "0s" for zero. Sub-millisecond values print as "us".
std::string format_duration(Duration duration);
// Parses a sequence of <number><unit> with units us, ms, s, m, h, d (e.g. "1m30s", "1.5s").
// A bare number is rejected: a duration without a unit is ambiguous.
Expected<Duration> parse_duration(std::string_view text);

double to_milliseconds(Duration duration);
double to_seconds(Duration duration);

}  // namespace blackout
