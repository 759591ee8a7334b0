// traceroute: probes with increasing TTL — UDP to high ports, or ICMP echo — all sent at
// once, answered by time-exceeded messages from the routers along the path and by the
// destination itself (port unreachable, or echo reply). Tokens: the UDP source port of the
// trace (or its ICMP id) and the destination port (or sequence) per TTL, checked against
// the destination each answer quotes. Needs a raw ICMP socket (CAP_NET_RAW).
#pragma once

#include <unordered_map>

#include "engine/loop.hpp"
#include "engine/probe.hpp"
#include "engine/random.hpp"
#include "probes/common/icmp_socket.hpp"
#include "probes/traceroute/trace_state.hpp"

namespace blackout {

class TracerouteProbe final : public Probe {
 public:
  TracerouteProbe(EventLoop& loop, Random& random);
  ~TracerouteProbe() override;
  [[nodiscard]] CheckKind kind() const override { return CheckKind::traceroute; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override;
  [[nodiscard]] Availability availability() const override;
  void start(const ProbeRequest& request, ProbeDone done) override;
  [[nodiscard]] std::vector<Counter> counters() const override;
  [[nodiscard]] std::size_t in_flight() const { return traces_.size(); }

 private:
  struct Trace {
    TraceState state;
    ProbeDone done;
    TracerouteParams::Method method = TracerouteParams::Method::udp;
    std::uint16_t base_port = 0;
    std::uint16_t token = 0;  // UDP source port, or ICMP id
    FileDescriptor udp;
    TimerId deadline = 0;
    std::optional<TimerId> grace;
  };

  void on_message(const IcmpSocket::Received& received);
  void after_answer(std::uint64_t id);
  void finish(std::uint64_t id, bool timed_out);
  void fail_later(ProbeDone done, Outcome outcome, std::string detail);

  EventLoop& loop_;
  Random& random_;
  IcmpSocket v4_;
  IcmpSocket v6_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Trace> traces_;
  std::unordered_map<std::uint16_t, std::uint64_t> by_udp_port_;
  std::unordered_map<std::uint16_t, std::uint64_t> by_icmp_id_;

  std::uint64_t traces_started_ = 0, probes_sent_ = 0, answers_ = 0, reached_ = 0, not_reached_ = 0, timeouts_ = 0;
  std::uint64_t send_errors_ = 0, mismatched_ = 0, late_ = 0, malformed_ = 0;
};

}  // namespace blackout
