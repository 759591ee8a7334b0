// A real nsd started by a test on loopback (127.0.0.1, a free port), serving zones the test
// writes; it can be stopped and restarted with new zone text on the same port, so that a
// test can take DNS away or change an answer while the code under test runs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "support/process.hpp"

namespace blackout::testing_support {

class Nsd {
 public:
  // origin (e.g. "kp.test") -> zone file text.
  explicit Nsd(std::map<std::string, std::string> zones);
  ~Nsd();
  Nsd(const Nsd&) = delete;
  Nsd& operator=(const Nsd&) = delete;
  static bool available();
  void start();
  // Returns once nothing listens on the port any more: a query then is refused at once.
  void stop();
  // Rewrites one zone and restarts (nsd re-reads every zone at start).
  void set_zone(const std::string& origin, const std::string& text);
  // Serves these zones instead and restarts: names of a zone no longer served are REFUSED.
  void set_zones(std::map<std::string, std::string> zones);
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void write_config();
  TempDir dir_;
  std::uint16_t port_;
  std::map<std::string, std::string> zones_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace blackout::testing_support
