// Network namespaces for tests: several hosts on one machine, joined by veth pairs, with
// addresses from the lab ranges. Everything it creates is named with the test's PID and
// deleted by name in the destructor. Code runs inside a namespace in a forked child.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace blackout::testing_support {

class NetnsLab {
 public:
  NetnsLab();
  ~NetnsLab();
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  // Creates a namespace (loopback up, ICMP rate limits off so answers are deterministic)
  // and returns its full name.
  std::string add(const std::string& name);
  // A veth pair between two namespaces with an address (CIDR) on each end.
  void link(const std::string& a, const std::string& a_address, const std::string& b, const std::string& b_address);
  // Runs `ip -n NS ARGS` (e.g. "route add default via 198.18.10.2"); throws on failure.
  void ip(const std::string& ns, const std::string& args);
  // Runs a shell command inside the namespace; throws on failure.
  void exec(const std::string& ns, const std::string& command);
  void enable_forwarding(const std::string& ns);
  [[nodiscard]] std::string full_name(const std::string& name) const { return prefix_ + name; }

  // Forks, enters the namespace, runs fn, and returns what it returned (through a pipe).
  // The child has its own copy of the test's memory; it cannot touch the parent's.
  std::string run_in(const std::string& ns, const std::function<std::string()>& fn) const;

 private:
  std::string prefix_;
  std::vector<std::string> namespaces_;
  int veth_counter_ = 0;
};

void run_command(const std::string& command);

}  // namespace blackout::testing_support
