// nsd for tests.
#include "support/nsd.hpp"

#include <stdexcept>

#include "support/net.hpp"

namespace blackout::testing_support {

Nsd::Nsd(std::map<std::string, std::string> zones) : port_(unused_udp_port()), zones_(std::move(zones)) {
  write_config();
  start();
}

Nsd::~Nsd() { stop(); }

bool Nsd::available() { return !find_program("nsd").empty(); }

void Nsd::write_config() {
  const std::string d = dir_.path().string();
  std::string conf = "server:\n  ip-address: 127.0.0.1\n  port: " + std::to_string(port_) + "\n  server-count: 1\n  username: \"\"\n"
                     "  chroot: \"\"\n  zonesdir: \"" + d + "\"\n  database: \"\"\n  pidfile: \"" + d + "/nsd.pid\"\n  xfrdfile: \"" + d +
                     "/xfrd.state\"\n  zonelistfile: \"" + d + "/zone.list\"\n  logfile: \"" + d + "/nsd.log\"\n"
                     "remote-control:\n  control-enable: no\n";
  for (const auto& [origin, text] : zones_) {
    dir_.write(origin + ".zone", text);
    conf += "zone:\n  name: " + origin + "\n  zonefile: " + origin + ".zone\n";
  }
  dir_.write("nsd.conf", conf);
}

void Nsd::start() {
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"nsd", "-d", "-c", (dir_.path() / "nsd.conf").string()}, dir_.path() / "out.log");
  if (!wait_for_tcp_port("127.0.0.1", port_)) throw std::runtime_error("nsd did not start: " + read_file(dir_.path() / "out.log"));
}

void Nsd::stop() { process_.reset(); }

void Nsd::set_zone(const std::string& origin, const std::string& text) {
  stop();
  zones_[origin] = text;
  write_config();
  start();
}

}  // namespace blackout::testing_support
