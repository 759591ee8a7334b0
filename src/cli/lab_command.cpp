// blackout lab: bring the emulated country up or down, show its state, play scenarios.
#include <cstdio>

#include "cli/commands.hpp"
#include "lab/lab.hpp"
#include "lab/topology.hpp"

namespace blackout::cli {
namespace {

struct LabOptions {
  std::string name = "bo";
  std::string state_dir;
};

lab::Lab make_lab(const LabOptions& o) {
  return lab::Lab(o.name, o.state_dir.empty() ? lab::Lab::default_state_dir(o.name) : std::filesystem::path(o.state_dir));
}

void print_progress(const std::string& line) {
  std::printf("lab: %s\n", line.c_str());
  std::fflush(stdout);
}

void add_common(CLI::App* command, LabOptions& o) {
  command->add_option("--name", o.name, "Lab name: namespaces are NAME-<role>")
      ->check([](const std::string& name) -> std::string {
        if (name.empty() || name.size() > 8) return "1 to 8 letters or digits";
        for (const char c : name)
          if (!std::isalnum(static_cast<unsigned char>(c))) return "1 to 8 letters or digits";
        return "";
      })
      ->capture_default_str();
  command->add_option("--state-dir", o.state_dir, "Where the lab keeps configs, logs, sockets and MRT files (default /run/blackout-lab/NAME)");
}

}  // namespace

Runner add_lab_command(CLI::App& app) {
  auto* command = app.add_subcommand("lab", "Build the emulated network and play scenarios in it (root)");
  command->require_subcommand(1);
  auto o = std::make_shared<LabOptions>();
  auto* up = command->add_subcommand("up", "Build the lab: namespaces, links, BGP, servers");
  auto* down = command->add_subcommand("down", "Remove exactly what `lab up` made (idempotent)");
  auto* status = command->add_subcommand("status", "Say what of the lab is there and running");
  for (auto* sub : {up, down, status}) add_common(sub, *o);

  return [=]() -> int {
    lab::Lab lab = make_lab(*o);
    if (*up) {
      if (auto done = lab.up(print_progress); !done) {
        std::fprintf(stderr, "blackout lab up: %s\n", done.error().message.c_str());
        return exit_failure;
      }
      print_progress("lab " + lab.name() + " is up: run things in it with `ip netns exec " + lab.ns("vantage") + " ...`");
      return exit_ok;
    }
    if (*down) {
      if (auto done = lab.down(print_progress); !done) {
        std::fprintf(stderr, "blackout lab down: %s\n", done.error().message.c_str());
        return exit_failure;
      }
      return exit_ok;
    }
    const lab::LabStatus s = lab.status();
    std::printf("lab %s: %s\n", lab.name().c_str(), s.up() ? "up" : s.absent() ? "down" : "partly there (run `blackout lab down`)");
    std::printf("namespaces: %zu of %zu present\n", s.namespaces_present.size(), lab::lab_roles.size());
    for (const auto& missing : s.namespaces_missing)
      if (!s.absent()) std::printf("  missing %s\n", missing.c_str());
    std::printf("processes: %zu running, %zu gone\n", s.running.size(), s.dead.size());
    for (const auto& d : s.running) std::printf("  %-18s pid %d\n", d.name.c_str(), static_cast<int>(d.pid));
    for (const auto& d : s.dead) std::printf("  %-18s gone (was pid %d)\n", d.name.c_str(), static_cast<int>(d.pid));
    if (!s.absent()) std::printf("bgp: %s\n", s.bgp.c_str());
    return s.up() ? exit_ok : exit_failure;
  };
}

}  // namespace blackout::cli
