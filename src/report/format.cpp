// Times, durations and numbers for humans.
#include "report/format.hpp"

#include <cmath>
#include <cstdio>

namespace blackout::report {

std::string clock_time(Timestamp time) { return format_rfc3339(time, 0).substr(11, 8); }

std::string date_time(Timestamp time) {
  const std::string text = format_rfc3339(time, 0);
  return text.substr(0, 10) + " " + text.substr(11, 8) + " UTC";
}

std::string human_duration(Duration duration) {
  const double seconds = to_seconds(duration);
  char text[32];
  if (seconds < 90) std::snprintf(text, sizeof text, "%.0f s", seconds);
  else if (seconds < 120 * 60) std::snprintf(text, sizeof text, "%.0f min", seconds / 60);
  else if (seconds < 48 * 3600) std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
  else std::snprintf(text, sizeof text, "%.1f days", seconds / 86400);
  return text;
}

std::string percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", share * 100);
  return text;
}

std::string one_decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", std::isfinite(value) ? value : 0.0);
  return text;
}

}  // namespace blackout::report
