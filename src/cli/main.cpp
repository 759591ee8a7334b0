// blackout's command line: parse, call a module, print. No logic lives here.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "config/loader.hpp"
#include "config/schema.hpp"
#include "util/log.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_not_built = 2;

int not_built(const std::string& command, const std::string& issue) {
  std::fprintf(stderr, "blackout %s: not built yet (%s). Nothing was done.\n", command.c_str(), issue.c_str());
  return exit_not_built;
}

int config_check(const std::vector<std::string>& files, bool quiet) {
  int status = exit_ok;
  for (const std::string& file : files) {
    auto config = blackout::load_config_file(file);
    if (!config) {
      for (const blackout::ConfigError& error : config.error()) std::fprintf(stderr, "%s\n", error.to_string().c_str());
      std::fprintf(stderr, "%s: %zu error%s\n", file.c_str(), config.error().size(), config.error().size() == 1 ? "" : "s");
      status = exit_failure;
      continue;
    }
    if (!quiet)
      std::printf("%s: ok: vantage %s, store %s, %zu targets, %zu checks%s\n", file.c_str(), config->vantage.c_str(),
                  config->store.c_str(), config->targets.size(), config->check_count(), config->lab_only ? ", lab only" : "");
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"blackout: watches a network's presence on the Internet and tells, with evidence, when and how it goes dark."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("blackout ") + BLACKOUT_VERSION);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "Log level: debug, info, warn, error")->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  bool log_json = false;
  app.add_flag("--log-json", log_json, "Write log lines as JSON objects");

  std::string config_path;
  auto* monitor = app.add_subcommand("monitor", "Run the checks of a config on their schedule, detect and store");
  monitor->add_option("config", config_path, "Config file")->required();

  auto* probe = app.add_subcommand("probe", "Run one check once and print its result");
  std::string probe_kind, probe_target;
  probe->add_option("kind", probe_kind, "Check kind: icmp, tcp, http, dns, smtp, traceroute")->required();
  probe->add_option("target", probe_target, "Address, host name or URL")->required();

  auto* analyze = app.add_subcommand("analyze", "Recompute states, events and waves from stored results");
  auto* report = app.add_subcommand("report", "Render a report (text, markdown, html, json, csv) from the store");
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API, dashboard and metrics from the store");
  auto* exporter = app.add_subcommand("export", "Export raw results from the store as CSV or JSON lines");
  auto* lab = app.add_subcommand("lab", "Build the emulated network and play scenarios in it (root)");
  lab->allow_extras();
  auto* bgp = app.add_subcommand("bgp", "Read MRT files and follow BGP sessions");
  bgp->allow_extras();

  auto* config = app.add_subcommand("config", "Work with config files");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate config files; every error names file, line, column and field");
  std::vector<std::string> check_files;
  bool check_quiet = false;
  check->add_option("files", check_files, "Config files")->required();
  check->add_flag("-q,--quiet", check_quiet, "Print nothing when a file is valid");
  auto* schema = config->add_subcommand("schema", "Print every config key with its type, default and meaning (Markdown)");

  auto* version = app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  blackout::log::Level level;
  blackout::log::parse_level(log_level, level);
  blackout::log::logger().set_level(level);
  if (log_json) blackout::log::logger().set_format(blackout::log::Format::json);

  try {
    if (*version) {
      std::printf("blackout %s\n", BLACKOUT_VERSION);
      return exit_ok;
    }
    if (*check) return config_check(check_files, check_quiet);
    if (*schema) {
      std::fputs(blackout::schema_markdown().c_str(), stdout);
      return exit_ok;
    }
    if (*monitor) return not_built("monitor", "issue 3: probe engine and checks");
    if (*probe) return not_built("probe", "issue 3: probe engine and checks");
    if (*analyze) return not_built("analyze", "issue 6: detection");
    if (*report) return not_built("report", "issue 7: reports");
    if (*serve) return not_built("serve", "issue 7: dashboard and API");
    if (*exporter) return not_built("export", "issue 4: storage");
    if (*lab) return not_built("lab", "issue 5: the lab");
    if (*bgp) return not_built("bgp", "issue 8: BGP visibility");
  } catch (const blackout::ConfigLoadError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return exit_failure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "blackout: %s\n", e.what());
    return exit_failure;
  }
  return exit_failure;
}
