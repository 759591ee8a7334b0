// Test helpers for real sockets on loopback.
#include "support/net.hpp"

#include <arpa/inet.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace blackout::testing_support {

TcpListener::TcpListener(bool v6, int backlog, std::uint16_t port) {
  fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket");
  const int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  socklen_t length;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    in6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  }
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd_, backlog) != 0)
    throw std::runtime_error("bind/listen");
  getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length);
  port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
}

namespace {
std::uint16_t unused_port(int type) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in);
  socklen_t length = sizeof in;
  getsockname(fd, reinterpret_cast<sockaddr*>(&in), &length);
  ::close(fd);
  return ntohs(in.sin_port);
}
}  // namespace

std::uint16_t unused_tcp_port() { return unused_port(SOCK_STREAM); }
std::uint16_t unused_udp_port() { return unused_port(SOCK_DGRAM); }

NftRule::NftRule(const std::string& rule, const std::string& hook) {
  static std::atomic<int> counter{0};
  table_ = "blackout_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const std::string script = "nft add table inet " + table_ + " && nft add chain inet " + table_ + " c '{ type filter hook " +
                             hook + " priority 0 ; }' && nft add rule inet " + table_ + " c " + rule;
  if (std::system(script.c_str()) != 0) throw std::runtime_error("nft failed: " + script);
}

NftRule::~NftRule() { std::system(("nft delete table inet " + table_ + " 2>/dev/null").c_str()); }

Result run_probe(EventLoop& loop, Probe& probe, const Target& target, const Check& check, std::chrono::milliseconds limit) {
  std::optional<Result> result;
  ProbeRequest request{&target, &check, target.address, false};
  probe.start(request, [&](Result&& r) { result = std::move(r); });
  if (result) throw std::logic_error("the probe completed inside start(): the contract says never");
  loop.run_until([&] { return result.has_value(); }, loop.clock().now() + limit);
  if (!result) throw std::runtime_error("the probe did not complete within the test's limit");
  return std::move(*result);
}

Target make_target(CheckParams params, std::string address, Duration timeout) {
  Target target;
  target.name = "t";
  target.layer = Layer::host;
  if (!address.empty()) target.address = IpAddress::parse(address);
  Check check;
  check.kind = static_cast<CheckKind>(params.index());
  check.params = std::move(params);
  check.id = default_check_id(check.kind, check.params);
  check.timeout = timeout;
  check.interval = timeout + std::chrono::seconds(1);
  target.checks.push_back(std::move(check));
  return target;
}

const FieldValue& field_of(const Result& result, std::string_view name) {
  const FieldValue* value = result.field(name);
  if (!value)
    throw std::runtime_error("the result (" + std::string(to_string(result.outcome)) + ": " + result.detail + ") has no field " +
                             std::string(name));
  return *value;
}

}  // namespace blackout::testing_support
