// Structured logging: one line per event, an event name and key=value fields (or one JSON
// object per line). One logging system for the whole program; tests assert on counters and
// records, never on log text.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace blackout::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

struct Field {
  std::string_view key;
  std::string value;
  Field(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  template <typename Number>
  requires std::is_arithmetic_v<Number> Field(std::string_view k, Number v) : key(k), value(std::to_string(v)) {}
};

class Logger {
 public:
  explicit Logger(std::FILE* sink = stderr) : sink_(sink) {}
  void set_level(Level level) { level_ = level; }
  void set_format(Format format) { format_ = format; }
  [[nodiscard]] bool enabled(Level level) const { return level >= level_; }
  void write(Level level, std::string_view event, std::initializer_list<Field> fields);

 private:
  std::FILE* sink_;
  Level level_ = Level::info;
  Format format_ = Format::text;
  std::mutex mutex_;
};

// The process's logger. Set up once by cli/ from --log-level and --log-format.
Logger& logger();

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (logger().enabled(Level::debug)) logger().write(Level::debug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) { logger().write(Level::info, event, fields); }
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) { logger().write(Level::warn, event, fields); }
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  logger().write(Level::error, event, fields);
}

bool parse_level(std::string_view text, Level& level);

}  // namespace blackout::log
