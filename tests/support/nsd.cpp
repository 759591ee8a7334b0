// nsd for tests.
#include "support/nsd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "support/net.hpp"

namespace blackout::testing_support {

Nsd::Nsd(std::map<std::string, std::string> zones) : port_(0), zones_(std::move(zones)) {
  // A port free for UDP may be taken for TCP, and then nsd cannot bind both: try others.
  for (int attempt = 1;; ++attempt) {
    port_ = unused_udp_port();
    write_config();
    try {
      start();
      return;
    } catch (const std::runtime_error&) {
      process_.reset();
      if (attempt == 3) throw;
    }
  }
}

Nsd::~Nsd() { stop(); }

bool Nsd::available() { return !find_program("nsd").empty(); }

void Nsd::write_config() {
  const std::string d = dir_.path().string();
  // No response rate limiting: a test's burst of queries from loopback is not an attack.
  std::string conf = "server:\n  ip-address: 127.0.0.1\n  port: " + std::to_string(port_) +
                     "\n  server-count: 1\n  rrl-ratelimit: 0\n  username: \"\"\n"
                     "  chroot: \"\"\n  zonesdir: \"" +
                     d + "\"\n  database: \"\"\n  pidfile: \"" + d + "/nsd.pid\"\n  xfrdfile: \"" + d +
                     "/xfrd.state\"\n  zonelistfile: \"" + d + "/zone.list\"\n  logfile: \"" + d +
                     "/nsd.log\"\n"
                     "remote-control:\n  control-enable: no\n";
  for (const auto& [origin, text] : zones_) {
    dir_.write(origin + ".zone", text);
    conf += "zone:\n  name: " + origin + "\n  zonefile: " + origin + ".zone\n";
  }
  dir_.write("nsd.conf", conf);
}

namespace {

// True once nsd answers a UDP query for the zone's SOA: its sockets are bound before its
// server process has loaded the zones, and a test must not take that delay for its own.
bool answers_over_udp(std::uint16_t port, const std::string& origin) {
  std::vector<std::uint8_t> query{0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  std::size_t start = 0;
  while (start <= origin.size()) {
    const std::size_t dot = std::min(origin.find('.', start), origin.size());
    query.push_back(static_cast<std::uint8_t>(dot - start));
    query.insert(query.end(), origin.begin() + static_cast<std::ptrdiff_t>(start),
                 origin.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  for (const std::uint8_t b : std::vector<std::uint8_t>{0x00, 0x00, 0x06, 0x00, 0x01}) query.push_back(b);
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{0, 50000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  std::uint8_t reply[4096];
  const ssize_t n = ::recv(fd, reply, sizeof reply, 0);
  ::close(fd);
  return n >= 12 && reply[0] == 0x12 && reply[1] == 0x34 && (reply[3] & 0x0f) == 0;
}

// True when nothing holds the UDP port any more: nsd's server process can outlive the main
// one for a moment, still holding the socket, and a query sent then is silently dropped
// rather than refused.
bool udp_port_free(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) == 0;
  ::close(fd);
  return free;
}

}  // namespace

void Nsd::start() {
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"nsd", "-d", "-c", (dir_.path() / "nsd.conf").string()},
                                            dir_.path() / "out.log");
  // nsd that cannot bind its port exits: no need to wait the whole limit for it.
  if (!wait_until([&] { return tcp_port_open("127.0.0.1", port_) || !process_->running(); }) || !process_->running())
    throw std::runtime_error("nsd did not start on port " + std::to_string(port_) + ": " + read_file(dir_.path() / "out.log") +
                             read_file(dir_.path() / "nsd.log"));
  const std::string origin = zones_.empty() ? std::string() : zones_.begin()->first;
  if (!origin.empty() && !wait_until([&] { return answers_over_udp(port_, origin); }))
    throw std::runtime_error("nsd does not answer for " + origin + ": " + read_file(dir_.path() / "out.log"));
}

void Nsd::stop() {
  if (!process_) return;
  process_.reset();
  if (!wait_until([&] { return udp_port_free(port_); })) throw std::runtime_error("nsd stopped but its UDP port is still held");
}

void Nsd::set_zones(std::map<std::string, std::string> zones) {
  stop();
  zones_ = std::move(zones);
  write_config();
  start();
}

void Nsd::set_zone(const std::string& origin, const std::string& text) {
  stop();
  zones_[origin] = text;
  write_config();
  start();
}

}  // namespace blackout::testing_support
