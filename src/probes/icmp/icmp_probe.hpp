// icmp: echo requests over raw sockets (IPv4 and IPv6), or unprivileged ICMP datagram
// sockets where the system allows them. Replies are matched to probes by the ICMP id and
// sequence, which index a table of probes in flight, and validated by a keyed cookie in the
// payload and the sender's address: stray, late, duplicated and forged replies are counted,
// never credited. ICMP errors quoting a probe end it as unreachable or ttl-exceeded.
#pragma once

#include <queue>
#include <vector>

#include "engine/loop.hpp"
#include "engine/probe.hpp"
#include "engine/random.hpp"
#include "probes/common/icmp_socket.hpp"

namespace blackout {

class IcmpProbe final : public Probe {
 public:
  IcmpProbe(EventLoop& loop, Random& random);
  ~IcmpProbe() override;
  [[nodiscard]] CheckKind kind() const override { return CheckKind::icmp; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override;
  [[nodiscard]] Availability availability() const override;
  void start(const ProbeRequest& request, ProbeDone done) override;
  [[nodiscard]] std::vector<Counter> counters() const override;
  [[nodiscard]] std::size_t in_flight() const { return slots_.size() - free_.size(); }
  // The ICMP ids this probe uses (its raw sockets see no echo replies outside them).
  [[nodiscard]] std::pair<std::uint16_t, std::uint16_t> id_range() const;

 private:
  struct Slot {
    ProbeDone done;
    IpAddress destination;
    MonoTime sent;
    Timestamp sent_wall;
    std::uint64_t cookie = 0;
    std::uint32_t generation = 0;
    std::uint16_t payload_size = 0;
    bool active = false;
  };
  struct Deadline {
    MonoTime at;
    std::uint32_t slot;
    std::uint32_t generation;
    bool operator>(const Deadline& other) const { return at > other.at; }
  };

  IcmpSocket& socket_for(const IpAddress& address) { return address.is_v4() ? v4_ : v6_; }
  std::uint32_t allocate_slot();
  [[nodiscard]] std::uint64_t cookie_for(std::uint32_t slot, std::uint32_t generation, const IpAddress& destination) const;
  void on_readable(IcmpSocket& socket);
  void on_message(const IcmpSocket& socket, const IcmpSocket::Received& received);
  std::optional<std::uint32_t> slot_for(const IcmpSocket& socket, std::uint16_t id, std::uint16_t seq) const;
  void arm_deadline_timer();
  void expire_deadlines();
  void complete(std::uint32_t slot, Result&& result);
  void fail_later(ProbeDone done, Outcome outcome, std::string detail, std::uint16_t payload_size);

  EventLoop& loop_;
  IcmpSocket v4_;
  IcmpSocket v6_;
  std::uint16_t id_base_;
  std::uint64_t secret_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
  std::optional<TimerId> deadline_timer_;
  std::optional<MonoTime> deadline_timer_at_;

  std::uint64_t sent_ = 0, replies_ = 0, errors_received_ = 0, timeouts_ = 0, send_errors_ = 0;
  std::uint64_t late_or_duplicate_ = 0, forged_ = 0, foreign_ = 0, malformed_ = 0;
};

}  // namespace blackout
