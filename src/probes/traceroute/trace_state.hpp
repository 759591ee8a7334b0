// The in-flight state of one trace and the value it turns into: per TTL, who answered, how
// fast, and with what. Kept apart from the sockets so that the stored result never carries
// in-flight state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.hpp"
#include "model/address.hpp"
#include "model/result.hpp"

namespace blackout {

struct HopAnswer {
  IpAddress from;
  Duration rtt{0};
  enum class Kind : std::uint8_t { time_exceeded, destination, unreachable } kind = Kind::time_exceeded;
  std::uint8_t icmp_code = 0;
};

struct TraceState {
  IpAddress destination;
  int first_hop = 1;
  int max_hops = 30;
  std::vector<MonoTime> sent;                     // index ttl - first_hop
  std::vector<std::optional<HopAnswer>> answers;  // index ttl - first_hop
  int probes_sent = 0;

  void record(int ttl, HopAnswer answer);
  // The lowest TTL at which the destination answered, or an error stopped the path.
  [[nodiscard]] std::optional<int> end_ttl() const;
  // True when every TTL below the end has an answer: nothing more to wait for.
  [[nodiscard]] bool complete() const;
  [[nodiscard]] Result to_result(bool timed_out) const;
};

}  // namespace blackout
