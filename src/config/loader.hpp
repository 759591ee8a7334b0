// Loading and validating a config file. Every problem is reported at once, each naming
// file, line, column and field, so that a user fixes a file in one pass.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "util/expected.hpp"

namespace blackout {

struct ConfigError {
  std::string file;
  int line = 0;       // 1-based; 0 when unknown
  int column = 0;     // 1-based; 0 when unknown
  std::string field;  // "targets[2].checks[0].http.expect_status"
  std::string message;

  [[nodiscard]] std::string to_string() const;  // "file:line:column: field: message"
};

using ConfigErrors = std::vector<ConfigError>;

// The largest config file read; a larger one, a directory or anything but a regular file is
// refused before it is read.
inline constexpr std::uint64_t max_config_bytes = 64 * 1024 * 1024;

Expected<Config, ConfigErrors> load_config_file(const std::string& path);
Expected<Config, ConfigErrors> load_config_text(std::string_view text, const std::string& source_name);

// Thrown by cli/ at start-up when a config does not load: its what() lists every error.
class ConfigLoadError : public std::exception {
 public:
  explicit ConfigLoadError(ConfigErrors errors);
  [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }
  [[nodiscard]] const ConfigErrors& errors() const { return errors_; }

 private:
  ConfigErrors errors_;
  std::string message_;
};

}  // namespace blackout
