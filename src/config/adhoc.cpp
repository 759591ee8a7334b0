// Command-line probes as configs.
#include "config/adhoc.hpp"

#include <yaml-cpp/yaml.h>

#include "config/values.hpp"
#include "model/address.hpp"

namespace blackout {

bool split_option(const std::string& text, std::pair<std::string, std::string>& out) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) return false;
  out = {text.substr(0, equals), text.substr(equals + 1)};
  return true;
}

Expected<Config, ConfigErrors> adhoc_config(const AdhocProbe& probe) {
  const auto timeout = parse_duration(probe.timeout);
  if (!timeout) return ConfigErrors{ConfigError{"command line", 0, 0, "--timeout", timeout.error().message}};
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "vantage" << YAML::Value << "cli";
  out << YAML::Key << "lab_only" << YAML::Value << (probe.lab_only ? "true" : "false");
  if (!probe.resolvers.empty()) {
    out << YAML::Key << "resolver" << YAML::Value << YAML::BeginMap << YAML::Key << "servers" << YAML::Value << YAML::BeginSeq;
    for (const std::string& server : probe.resolvers) out << server;
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::Key << "targets" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << "probe";
  out << YAML::Key << "layer" << YAML::Value << "host";
  bool has_url = false;
  bool has_server = false;
  for (const auto& [key, value] : probe.options) {
    has_url = has_url || key == "url";
    has_server = has_server || key == "server";
  }
  if (probe.kind == "http" && !has_url) {
    // The target is the URL; connect where it points.
  } else if (probe.kind == "dns" && has_server) {
    // The server is given; the target is only a label.
  } else if (IpAddress::parse(probe.target)) {
    out << YAML::Key << "address" << YAML::Value << probe.target;
  } else {
    out << YAML::Key << "host" << YAML::Value << probe.target;
  }
  out << YAML::Key << "checks" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << probe.kind << YAML::Value << YAML::BeginMap;
  if (probe.kind == "http" && !has_url) out << YAML::Key << "url" << YAML::Value << probe.target;
  for (const auto& [key, value] : probe.options) out << YAML::Key << key << YAML::Value << value;
  out << YAML::Key << "timeout" << YAML::Value << probe.timeout;
  // The interval only has to be longer than the timeout; rounds are paced by --interval.
  out << YAML::Key << "interval" << YAML::Value << format_duration(*timeout + std::chrono::seconds(1));
  out << YAML::Key << "jitter" << YAML::Value << "0s";
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  auto config = load_config_text(out.c_str(), "command line");
  if (!config) {
    // Point at the option, not at a line of YAML the user never wrote.
    ConfigErrors errors = config.error();
    for (ConfigError& error : errors) {
      error.line = 0;
      error.column = 0;
      const std::string prefix = "targets[0].checks[0].";
      if (error.field.rfind(prefix, 0) == 0) error.field = "-o " + error.field.substr(prefix.size() + probe.kind.size() + 1);
      else if (error.field == "targets[0].checks[0]") error.field = probe.kind;
      else if (error.field.rfind("targets[0].", 0) == 0) error.field = "target";
      else if (error.field.rfind("resolver.servers", 0) == 0) error.field = "--resolver";
    }
    return errors;
  }
  return config;
}

}  // namespace blackout
