// body_match patterns with RE2.
#include "config/body_pattern.hpp"

namespace blackout {

Expected<std::unique_ptr<RE2>> compile_body_pattern(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // the error is returned, not printed on stderr
  options.set_max_mem(body_pattern_max_memory);
  auto compiled = std::make_unique<RE2>(pattern, options);
  if (!compiled->ok()) return make_error(compiled->error());
  return compiled;
}

}  // namespace blackout
