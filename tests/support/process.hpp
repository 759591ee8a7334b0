// Real servers for tests: a child process started by the test, stopped by PID in the
// destructor (SIGTERM, then SIGKILL), a temporary directory removed afterwards, and waits
// on a condition with a deadline (never a bare sleep).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace blackout::testing_support {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // Writes a file under the directory and returns its full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

class ChildProcess {
 public:
  // argv[0] is looked up in PATH. stdout and stderr go to log_file (if given).
  explicit ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log_file = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] bool running();
  // Once running() said false: the exit status (128 + the signal if it was killed).
  [[nodiscard]] int exit_code() const { return exit_code_; }
  // SIGTERM, wait up to 5 s, then SIGKILL. Idempotent.
  void stop();
  void signal(int signal_number) const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
};

// Polls `condition` every 10 ms until it holds or `limit` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit = std::chrono::milliseconds(10000));
// True once something accepts TCP connections on address:port.
bool tcp_port_open(const std::string& address, std::uint16_t port);
bool wait_for_tcp_port(const std::string& address, std::uint16_t port,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(10000));
// The full path of a program, searching PATH and /usr/sbin, /sbin; empty if absent.
std::string find_program(const std::string& name);
std::string read_file(const std::filesystem::path& path);

}  // namespace blackout::testing_support
