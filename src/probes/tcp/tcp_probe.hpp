// tcp: a non-blocking connect to a port. ok, refused, reset, timeout and unreachable are
// told apart from the socket error the kernel reports (which carries the ICMP error, if any).
#pragma once

#include <unordered_map>

#include "engine/loop.hpp"
#include "engine/probe.hpp"

namespace blackout {

class TcpProbe final : public Probe {
 public:
  explicit TcpProbe(EventLoop& loop) : loop_(loop) {}
  ~TcpProbe() override;
  [[nodiscard]] CheckKind kind() const override { return CheckKind::tcp; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override;
  void start(const ProbeRequest& request, ProbeDone done) override;
  [[nodiscard]] std::vector<Counter> counters() const override;

 private:
  struct Session {
    ProbeDone done;
    MonoTime started;
    TimerId timer = 0;
    std::uint16_t port = 0;
  };
  void finish(int fd, Outcome outcome, std::string detail);

  EventLoop& loop_;
  std::unordered_map<int, Session> sessions_;
  std::uint64_t sent_ = 0, ok_ = 0, refused_ = 0, timeouts_ = 0, unreachable_ = 0, other_errors_ = 0;
};

}  // namespace blackout
