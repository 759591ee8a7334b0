// A one-target config from command-line words (`blackout probe KIND TARGET -o key=value`),
// built as YAML and loaded through the same schema and validation as any config file, so
// that the CLI and config files accept exactly the same keys and values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/loader.hpp"

namespace blackout {

struct AdhocProbe {
  std::string kind;                                          // icmp, tcp, http, dns, smtp, traceroute
  std::string target;                                        // address or host name; a URL for http
  std::vector<std::pair<std::string, std::string>> options;  // the check's own keys
  std::string timeout = "2s";
  bool lab_only = false;
  std::vector<std::string> resolvers;  // resolver.servers; empty: the system's
};

// Splits "key=value"; false when there is no '='.
bool split_option(const std::string& text, std::pair<std::string, std::string>& out);

Expected<Config, ConfigErrors> adhoc_config(const AdhocProbe& probe);

}  // namespace blackout
