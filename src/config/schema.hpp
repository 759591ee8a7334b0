// The config schema: every key blackout reads, with its type, default and meaning, in one
// table. The loader rejects keys that are not in it, `blackout config schema` prints it, and
// docs/config.md embeds that print-out (a test fails when they drift apart).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace blackout {

struct KeySpec {
  std::string_view path;           // "defaults.interval", "targets[].checks[].http.url"
  std::string_view type;           // "duration", "address", "list of names", ...
  std::string_view default_value;  // "" when required or no default
  bool required;
  std::string_view description;
};

std::span<const KeySpec> config_schema();
const KeySpec* find_key_spec(std::string_view path);
// The keys allowed directly under a mapping at schema path `parent` ("" for the top level).
std::vector<std::string_view> child_keys(std::string_view parent);

// The schema as Markdown tables, one per section (the reference part of docs/config.md).
std::string schema_markdown();

}  // namespace blackout
