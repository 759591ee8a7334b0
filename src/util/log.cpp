// Structured logging: see log.hpp.
#include "util/log.hpp"

#include <chrono>
#include <ctime>

#include "util/strings.hpp"

namespace blackout::log {
namespace {

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "?";
}

std::string now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03lldZ", static_cast<long long>(millis % 1000));
  return buffer;
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

void Logger::write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line;
  if (format_ == Format::json) {
    line = "{\"ts\":" + json_string(now_rfc3339()) + ",\"level\":\"" + level_name(level) + "\",\"event\":" + json_string(event);
    for (const Field& field : fields) line += "," + json_string(field.key) + ":" + json_string(field.value);
    line += "}\n";
  } else {
    line = now_rfc3339() + " " + level_name(level) + " " + std::string(event);
    for (const Field& field : fields) {
      line += " ";
      line += field.key;
      line += "=";
      line += needs_quotes(field.value) ? quoted(field.value) : field.value;
    }
    line += "\n";
  }
  const std::lock_guard lock(mutex_);
  std::fputs(line.c_str(), sink_);
  std::fflush(sink_);
}

Logger& logger() {
  static Logger instance;
  return instance;
}

bool parse_level(std::string_view text, Level& level) {
  if (text == "debug") level = Level::debug;
  else if (text == "info") level = Level::info;
  else if (text == "warn") level = Level::warn;
  else if (text == "error") level = Level::error;
  else return false;
  return true;
}

}  // namespace blackout::log
