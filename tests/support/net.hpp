// Test helpers for real sockets on loopback: listeners, nftables rules that drop or reject
// a port's packets (root; removed by the destructor, by table name), and running one probe
// to completion on a real clock.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/probe.hpp"
#include "model/target.hpp"

namespace blackout::testing_support {

inline bool is_root() { return geteuid() == 0; }

// A TCP listener on 127.0.0.1 or ::1 with a kernel-chosen port.
class TcpListener {
 public:
  explicit TcpListener(bool v6 = false, int backlog = 16, std::uint16_t port = 0);
  ~TcpListener() { close(); }
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A port no one listens on (bound then closed; good enough on an idle loopback).
std::uint16_t unused_tcp_port();
std::uint16_t unused_udp_port();

// nftables rules in a table of their own, deleted by name on destruction.
class NftRule {
 public:
  // e.g. NftRule("tcp dport 5555 drop") or NftRule("udp dport 5353 reject with icmp type admin-prohibited")
  explicit NftRule(const std::string& rule, const std::string& hook = "output");
  ~NftRule();
  NftRule(const NftRule&) = delete;
  NftRule& operator=(const NftRule&) = delete;

 private:
  std::string table_;
};

// Runs one probe on the given loop (which must use a real clock) until it completes.
Result run_probe(EventLoop& loop, Probe& probe, const Target& target, const Check& check,
                 std::chrono::milliseconds limit = std::chrono::milliseconds(10000));

// A target with one check of the given params, on 127.0.0.1 unless an address is given.
// A result's field, or an exception naming it: a test then reports the missing field as a
// failure instead of crashing on a null pointer.
const FieldValue& field_of(const Result& result, std::string_view name);

Target make_target(CheckParams params, std::string address = "127.0.0.1", Duration timeout = std::chrono::seconds(2));

}  // namespace blackout::testing_support
