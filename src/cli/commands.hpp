// The subcommands: each registers its options on the app and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace blackout::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;  // an unknown option, a missing argument

// Each add_* registers a subcommand and returns the function that runs it.
using Runner = std::function<int()>;
Runner add_config_commands(CLI::App& app);
Runner add_probe_command(CLI::App& app);
Runner add_monitor_command(CLI::App& app);
Runner add_export_command(CLI::App& app);
Runner add_analyze_command(CLI::App& app);
Runner add_report_command(CLI::App& app);
Runner add_serve_command(CLI::App& app);
Runner add_lab_command(CLI::App& app);
Runner add_bgp_command(CLI::App& app);

}  // namespace blackout::cli
