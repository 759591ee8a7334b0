// The contract between the scheduler and a check kind (ZMap's probe modules, in C++).
//
// A Probe owns the sockets of its kind and runs any number of probes at once on the event
// loop. For each start() it calls `done` exactly once, later, from the loop (never from
// inside start()), with a Result whose outcome, rtt, phases, fields and detail it filled.
// The scheduler fills the rest (time, vantage, target, check, kind, confirmation).
//
// - The probe enforces the check's timeout itself; the scheduler's watchdog reports a probe
//   that never completes as internal-error and ignores a later completion.
// - Replies are matched to probes by tokens carried in the packet and validated; stray,
//   late, duplicated or forged replies are rejected and counted, never credited.
// - Expected failures are outcomes, never exceptions.
// - fields() lists, once, every extra field the kind puts into its results.
// - counters() names every failure path (sent, timeouts, parse errors, mismatches, ...).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/address.hpp"
#include "model/result.hpp"
#include "model/target.hpp"

namespace blackout {

struct ProbeRequest {
  const Target* target = nullptr;
  const Check* check = nullptr;
  std::optional<IpAddress> address;  // where to send; absent for checks that resolve themselves (http by URL)
  bool confirmation = false;
};

using ProbeDone = std::function<void(Result&&)>;

struct Counter {
  std::string_view name;
  std::uint64_t value;
};

struct Availability {
  bool available = true;
  std::string reason;  // why not: "needs CAP_NET_RAW", ...
};

class Probe {
 public:
  virtual ~Probe() = default;
  [[nodiscard]] virtual CheckKind kind() const = 0;
  [[nodiscard]] virtual std::span<const FieldSpec> fields() const = 0;
  [[nodiscard]] virtual Availability availability() const { return {}; }
  virtual void start(const ProbeRequest& request, ProbeDone done) = 0;
  [[nodiscard]] virtual std::vector<Counter> counters() const = 0;
};

}  // namespace blackout
