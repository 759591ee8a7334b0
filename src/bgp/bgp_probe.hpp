// The bgp check kind: answers a bgp check (a prefix with its covering and more-specific
// prefixes, or an origin AS) from the Collector's table, so that prefix visibility goes
// through the same scheduler, store and detector as every other check. ok when at least
// min_peers counting peers see it, withdrawn when too few do, no-session when no peer counts
// (nothing can be said: a lost session is not a withdrawn prefix).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bgp/collector.hpp"
#include "engine/loop.hpp"
#include "engine/probe.hpp"

namespace blackout::bgp {

class BgpProbe : public Probe {
 public:
  BgpProbe(EventLoop& loop, const Collector& collector);
  ~BgpProbe() override;
  [[nodiscard]] CheckKind kind() const override { return CheckKind::bgp; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override;
  void start(const ProbeRequest& request, ProbeDone done) override;
  [[nodiscard]] std::vector<Counter> counters() const override;

  // The answer now, as a Result (outcome, detail, fields); public for tests.
  [[nodiscard]] Result evaluate(const BgpParams& check) const;

 private:
  EventLoop& loop_;
  const Collector& collector_;
  std::uint64_t evaluations_ = 0, visible_ = 0, withdrawn_ = 0, no_session_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace blackout::bgp
