// Running the programs the lab is made of (ip, tc, nft, birdc, nginx, nsd, ...): one-shot
// commands whose failure is reported with the command line and what it printed, and
// long-running servers started detached, whose PID and start time are recorded so that
// `lab down` stops exactly them and never a process that merely reused the PID.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/expected.hpp"

namespace blackout::lab {

struct CommandOutput {
  int exit_code = 0;
  std::string output;  // stdout and stderr, interleaved as printed
};

// Runs argv[0] (found in PATH) and waits. Never throws: a program that cannot be started
// has exit code 127.
CommandOutput run_command(const std::vector<std::string>& argv);
// Runs and requires exit code 0; the error names the command and carries its output.
Expected<std::string> run_checked(const std::vector<std::string>& argv);
std::string describe(const std::vector<std::string>& argv);

// The argv that runs `argv` inside network namespace `ns`.
std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv);

// A process that the lab started and may stop.
struct Daemon {
  std::string name;
  pid_t pid = 0;
  unsigned long long start_time = 0;  // field 22 of /proc/PID/stat: tells a reused PID apart
};

// Starts argv detached (its own session, stdout and stderr to log_file), outliving the
// caller. Returns once the program is exec'd; whether it then stays up is for the caller to
// check (servers are asked to run in the foreground so that the PID is theirs).
Expected<Daemon> start_daemon(const std::string& name, const std::vector<std::string>& argv,
                              const std::filesystem::path& log_file);
// The start time of a running process, or nothing when there is no such process.
std::optional<unsigned long long> process_start_time(pid_t pid);
// True when the process is the one recorded (same PID and start time) and alive.
bool is_running(const Daemon& daemon);
// SIGTERM, then SIGKILL after `grace` if it is still there. Only the recorded process.
void stop_daemon(const Daemon& daemon, std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

}  // namespace blackout::lab
