// Text forms of timestamps and durations.
#include "model/time.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace blackout {
namespace {

bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return true;
}

bool expect_char(std::string_view text, std::size_t& pos, char wanted) {
  if (pos >= text.size() || text[pos] != wanted) return false;
  ++pos;
  return true;
}

}  // namespace

std::string format_rfc3339(Timestamp time, int fraction_digits) {
  const auto micros = time.time_since_epoch().count();
  auto seconds = micros / 1'000'000;
  auto fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    seconds -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[48];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  if (fraction_digits == 3) {
    n += static_cast<std::size_t>(
        std::snprintf(buffer + n, sizeof buffer - n, ".%03lld", static_cast<long long>(fraction / 1000)));
  } else if (fraction_digits == 6) {
    n += static_cast<std::size_t>(std::snprintf(buffer + n, sizeof buffer - n, ".%06lld", static_cast<long long>(fraction)));
  }
  std::snprintf(buffer + n, sizeof buffer - n, "Z");
  return buffer;
}

Expected<Timestamp> parse_rfc3339(std::string_view text) {
  const auto fail = [&] {
    return make_error("bad time \"" + std::string(text) + "\": expected RFC 3339, e.g. 2026-11-25T06:40:00Z");
  };
  std::size_t pos = 0;
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, pos, 4, year) || !expect_char(text, pos, '-') || !read_digits(text, pos, 2, month) ||
      !expect_char(text, pos, '-') || !read_digits(text, pos, 2, day))
    return fail();
  long long micros = 0;
  int offset_seconds = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return fail();
    ++pos;
    if (!read_digits(text, pos, 2, hour) || !expect_char(text, pos, ':') || !read_digits(text, pos, 2, minute) ||
        !expect_char(text, pos, ':') || !read_digits(text, pos, 2, second))
      return fail();
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      long long scale = 100'000;
      std::size_t digits = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (digits < 6) micros += (text[pos] - '0') * scale;
        scale /= 10;
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return fail();
    }
    if (pos >= text.size()) return fail();
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      const int sign = text[pos] == '+' ? 1 : -1;
      ++pos;
      int oh, om;
      if (!read_digits(text, pos, 2, oh) || !expect_char(text, pos, ':') || !read_digits(text, pos, 2, om)) return fail();
      offset_seconds = sign * (oh * 3600 + om * 60);
    } else {
      return fail();
    }
  }
  if (pos != text.size()) return fail();
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return fail();
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return fail();
  const auto days = std::chrono::sys_days{ymd};
  const auto seconds_total = std::chrono::seconds{hour * 3600 + minute * 60 + second - offset_seconds};
  return Timestamp{std::chrono::duration_cast<Duration>(days.time_since_epoch() + seconds_total) + Duration{micros}};
}

std::string format_duration(Duration duration) {
  long long micros = duration.count();
  if (micros == 0) return "0s";
  std::string out;
  if (micros < 0) {
    out = "-";
    micros = -micros;
  }
  if (micros % 1000 != 0) return out + std::to_string(micros) + "us";
  if (micros % 1'000'000 != 0) {
    if (micros < 1'000'000) return out + std::to_string(micros / 1000) + "ms";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3gs", static_cast<double>(micros) / 1e6);
    if (micros < 60'000'000) return out + buffer;
    return out + std::to_string(micros / 1000) + "ms";
  }
  long long seconds = micros / 1'000'000;
  const long long hours = seconds / 3600;
  seconds %= 3600;
  const long long minutes = seconds / 60;
  seconds %= 60;
  if (hours) out += std::to_string(hours) + "h";
  if (minutes) out += std::to_string(minutes) + "m";
  if (seconds) out += std::to_string(seconds) + "s";
  return out;
}

Expected<Duration> parse_duration(std::string_view text) {
  const auto fail = [&](const char* why) { return make_error("bad duration \"" + std::string(text) + "\": " + why); };
  if (text.empty()) return fail("empty; use e.g. 500ms, 10s, 1m30s");
  double total_micros = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t number_start = pos;
    while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.')) ++pos;
    if (pos == number_start) return fail("expected a number; use e.g. 500ms, 10s, 1m30s");
    const std::string number(text.substr(number_start, pos - number_start));
    if (number.find('.') != number.rfind('.')) return fail("malformed number");
    const double value = std::strtod(number.c_str(), nullptr);
    const std::size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    double scale;
    if (unit == "us") scale = 1;
    else if (unit == "ms") scale = 1e3;
    else if (unit == "s") scale = 1e6;
    else if (unit == "m") scale = 60e6;
    else if (unit == "h") scale = 3600e6;
    else if (unit == "d") scale = 86400e6;
    else if (unit.empty()) return fail("missing unit (us, ms, s, m, h, d)");
    else return fail("unknown unit; use us, ms, s, m, h or d");
    total_micros += value * scale;
  }
  if (total_micros > 1e17) return fail("too long");
  return Duration{static_cast<long long>(std::llround(total_micros))};
}

double to_milliseconds(Duration duration) { return static_cast<double>(duration.count()) / 1e3; }
double to_seconds(Duration duration) { return static_cast<double>(duration.count()) / 1e6; }

}  // namespace blackout
