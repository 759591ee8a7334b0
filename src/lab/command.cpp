// Running commands and daemons for the lab.
#include "lab/command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "util/strings.hpp"

namespace blackout::lab {
namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const std::string& arg : argv) out.push_back(const_cast<char*>(arg.c_str()));
  out.push_back(nullptr);
  return out;
}

// Closes every descriptor above stderr in a freshly forked child, so that daemons do not
// hold the caller's sockets, pipes or database files open.
void close_inherited_descriptors() {
  const long max = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max > 0 ? max : 1024); ++fd) close(static_cast<int>(fd));
}

void reset_signals_in_child() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
}

}  // namespace

std::string describe(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) {
    if (!text.empty()) text += ' ';
    text += arg.find(' ') == std::string::npos ? arg : "'" + arg + "'";
  }
  return text;
}

CommandOutput run_command(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return {127, "pipe: " + std::string(errno_text(errno))};
  const pid_t child = fork();
  if (child < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return {127, "fork: " + std::string(errno_text(errno))};
  }
  if (child == 0) {
    reset_signals_in_child();
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    const int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    close_inherited_descriptors();
    auto args = c_argv(argv);
    execvp(args[0], args.data());
    // The forked child, about to exit: one thread, nothing to share strerror's buffer with.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    const std::string message = "cannot run " + argv[0] + ": " + strerror(errno) + "\n";
    (void)!write(STDERR_FILENO, message.data(), message.size());
    _exit(127);
  }
  close(pipe_fds[1]);
  CommandOutput result;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      result.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return result;
}

Expected<std::string> run_checked(const std::vector<std::string>& argv) {
  CommandOutput result = run_command(argv);
  if (result.exit_code != 0) {
    std::string output = result.output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return make_error("`" + describe(argv) + "` exited with " + std::to_string(result.exit_code) +
                      (output.empty() ? "" : ": " + output));
  }
  return std::move(result.output);
}

std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
  return argv;
}

std::optional<unsigned long long> process_start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!in || !std::getline(in, text)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: fields are counted after
  // its last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  char state = 0;
  fields >> state;
  if (state == 'Z' || state == 'X') return std::nullopt;
  // After ')' come fields 3 (state) .. ; start time is field 22, the 20th after the state.
  for (int i = 4; i <= 22 && fields >> field; ++i)
    if (i == 22) return std::stoull(field);
  return std::nullopt;
}

bool is_running(const Daemon& daemon) {
  if (daemon.pid <= 0) return false;
  const auto start = process_start_time(daemon.pid);
  return start && *start == daemon.start_time;
}

Expected<Daemon> start_daemon(const std::string& name, const std::vector<std::string>& argv,
                              const std::filesystem::path& log_file) {
  // fork, setsid, fork: the server is nobody's child but init's, so it outlives `lab up`;
  // the middle process reports the server's PID through a pipe whose write end closes on exec.
  int pid_pipe[2], exec_pipe[2];
  if (pipe2(pid_pipe, O_CLOEXEC) != 0) return make_error("pipe: " + std::string(errno_text(errno)));
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    close(pid_pipe[0]);
    close(pid_pipe[1]);
    return make_error("pipe: " + std::string(errno_text(errno)));
  }
  const pid_t middle = fork();
  if (middle < 0) return make_error("fork: " + std::string(errno_text(errno)));
  if (middle == 0) {
    setsid();
    const pid_t server = fork();
    if (server == 0) {
      reset_signals_in_child();
      const int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
      }
      if (null >= 0) dup2(null, STDIN_FILENO);
      // Keep only the exec pipe's write end (close-on-exec: EOF tells the parent exec worked).
      const long max = sysconf(_SC_OPEN_MAX);
      for (long fd = 3; fd < (max > 0 ? max : 1024); ++fd)
        if (fd != exec_pipe[1]) close(static_cast<int>(fd));
      auto args = c_argv(argv);
      execvp(args[0], args.data());
      const int error = errno;
      (void)!write(exec_pipe[1], &error, sizeof error);
      _exit(127);
    }
    (void)!write(pid_pipe[1], &server, sizeof server);
    _exit(server > 0 ? 0 : 1);
  }
  close(pid_pipe[1]);
  close(exec_pipe[1]);
  pid_t server = -1;
  const bool got_pid = read(pid_pipe[0], &server, sizeof server) == static_cast<ssize_t>(sizeof server);
  close(pid_pipe[0]);
  int exec_error = 0;
  const bool exec_failed = read(exec_pipe[0], &exec_error, sizeof exec_error) == static_cast<ssize_t>(sizeof exec_error);
  close(exec_pipe[0]);
  int status = 0;
  waitpid(middle, &status, 0);
  if (!got_pid || server <= 0) return make_error("cannot start " + name + ": fork failed");
  if (exec_failed) return make_error("cannot start " + name + " (`" + describe(argv) + "`): " + errno_text(exec_error));
  const auto start = process_start_time(server);
  if (!start) return make_error(name + " (`" + describe(argv) + "`) exited at once; see " + log_file.string());
  return Daemon{name, server, *start};
}

void stop_daemon(const Daemon& daemon, std::chrono::milliseconds grace) {
  if (!is_running(daemon)) return;
  kill(daemon.pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!is_running(daemon)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (is_running(daemon)) kill(daemon.pid, SIGKILL);
  for (int i = 0; i < 100 && is_running(daemon); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace blackout::lab
