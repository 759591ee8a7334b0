// How reports write times, durations and numbers, the same in every format: clock times in
// UTC, durations a reader takes in at a glance ("48 s", "12 min", "2.5 h").
#pragma once

#include <optional>
#include <string>

#include "model/time.hpp"

namespace blackout::report {

// "02:26:35"
std::string clock_time(Timestamp time);
// "2026-11-27 02:26:35 UTC"
std::string date_time(Timestamp time);
// "48 s", "12 min", "2.5 h", "3.1 days"
std::string human_duration(Duration duration);
// "83%"
std::string percent(double share);
// "%.1f" without a locale's decimal comma.
std::string one_decimal(double value);

}  // namespace blackout::report
