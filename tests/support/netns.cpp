// Network namespaces for tests.
#include "support/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace blackout::testing_support {

void run_command(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("command failed: " + command);
}

NetnsLab::NetnsLab() : prefix_("bot" + std::to_string(getpid()) + "-") {}

NetnsLab::~NetnsLab() {
  for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it)
    std::system(("ip netns delete " + *it + " >/dev/null 2>&1").c_str());
}

std::string NetnsLab::add(const std::string& name) {
  const std::string ns = prefix_ + name;
  run_command("ip netns add " + ns);
  namespaces_.push_back(ns);
  run_command("ip -n " + ns + " link set lo up");
  run_command("ip netns exec " + ns + " sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0");
  return ns;
}

void NetnsLab::link(const std::string& a, const std::string& a_address, const std::string& b, const std::string& b_address) {
  // Interface names are at most 15 characters: keep them short and unique per lab.
  const std::string n = std::to_string(veth_counter_++);
  const std::string a_if = "v" + n + "a", b_if = "v" + n + "b";
  run_command("ip link add " + a_if + " netns " + full_name(a) + " type veth peer name " + b_if + " netns " + full_name(b));
  run_command("ip -n " + full_name(a) + " addr add " + a_address + " dev " + a_if);
  run_command("ip -n " + full_name(b) + " addr add " + b_address + " dev " + b_if);
  run_command("ip -n " + full_name(a) + " link set " + a_if + " up");
  run_command("ip -n " + full_name(b) + " link set " + b_if + " up");
}

void NetnsLab::ip(const std::string& ns, const std::string& args) { run_command("ip -n " + full_name(ns) + " " + args); }

void NetnsLab::exec(const std::string& ns, const std::string& command) {
  run_command("ip netns exec " + full_name(ns) + " " + command);
}

void NetnsLab::enable_forwarding(const std::string& ns) {
  exec(ns, "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
}

std::string NetnsLab::run_in(const std::string& ns, const std::function<std::string()>& fn) const {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork");
  if (child == 0) {
    close(pipe_fds[0]);
    const int ns_fd = open(("/var/run/netns/" + full_name(ns)).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0 || setns(ns_fd, CLONE_NEWNET) != 0) _exit(90);
    std::string output;
    try {
      output = fn();
    } catch (const std::exception& e) {
      output = std::string("exception: ") + e.what();
    }
    std::size_t written = 0;
    while (written < output.size()) {
      const ssize_t n = write(pipe_fds[1], output.data() + written, output.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string output;
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) output.append(buffer, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("child in namespace " + ns + " failed");
  return output;
}

}  // namespace blackout::testing_support
