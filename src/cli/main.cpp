// blackout's command line: parse, call a module, print. No logic lives here.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "config/loader.hpp"
#include "util/log.hpp"

int main(int argc, char** argv) {
  using namespace blackout::cli;
  CLI::App app{"blackout: watches a network's presence on the Internet and tells, with evidence, when and how it goes dark."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("blackout ") + BLACKOUT_VERSION);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "Log level: debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  bool log_json = false;
  app.add_flag("--log-json", log_json, "Write log lines as JSON objects");

  const Runner monitor = add_monitor_command(app);
  const Runner probe = add_probe_command(app);
  const Runner analyze = add_analyze_command(app);
  const Runner report = add_report_command(app);
  const Runner serve = add_serve_command(app);
  const Runner exporter = add_export_command(app);
  const Runner lab = add_lab_command(app);
  const Runner bgp = add_bgp_command(app);
  const Runner config = add_config_commands(app);
  auto* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that succeed; every other one is a usage error: 2.
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }

  blackout::log::Level level = blackout::log::Level::info;
  blackout::log::parse_level(log_level, level);
  blackout::log::logger().set_level(level);
  if (log_json) blackout::log::logger().set_format(blackout::log::Format::json);

  try {
    if (*version) {
      std::printf("blackout %s\n", BLACKOUT_VERSION);
      return exit_ok;
    }
    if (app.got_subcommand("config")) return config();
    if (app.got_subcommand("monitor")) return monitor();
    if (app.got_subcommand("probe")) return probe();
    if (app.got_subcommand("analyze")) return analyze();
    if (app.got_subcommand("report")) return report();
    if (app.got_subcommand("serve")) return serve();
    if (app.got_subcommand("export")) return exporter();
    if (app.got_subcommand("lab")) return lab();
    if (app.got_subcommand("bgp")) return bgp();
  } catch (const blackout::ConfigLoadError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return exit_failure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "blackout: %s\n", e.what());
    return exit_failure;
  }
  return exit_failure;
}
