// A sweep: one check against many addresses, each probed once, started as fast as a rate
// limit and a cap on probes in flight allow — `blackout probe icmp 198.19.0.0/16`. Every
// probe keeps its full state until its answer or timeout; nothing is fire-and-forget.
#pragma once

#include <functional>
#include <vector>

#include "engine/loop.hpp"
#include "engine/probe.hpp"

namespace blackout {

struct SweepPlan {
  double max_probes_per_second = 10000;
  std::size_t max_in_flight = 65536;
  std::string vantage;
};

struct SweepStats {
  std::size_t started = 0;
  std::size_t completed = 0;
  Duration sending{0};  // from the first probe to the last one started
  Duration total{0};    // from the first probe to the last result
};

// Probes `check` of `target` at each address; results go to sink as they arrive.
SweepStats run_sweep(EventLoop& loop, Probe& probe, const Target& target, const std::vector<IpAddress>& addresses,
                     const SweepPlan& plan, const std::function<void(Result&&)>& sink);

// The same sweep spread over several loops, one thread each (one per core at most): the
// addresses are dealt out in turn, the rate and the cap are shared out evenly, and results
// reach `sink` one at a time. Each loop needs its own probe (its own sockets).
struct SweepWorker {
  EventLoop* loop;
  Probe* probe;
};
SweepStats run_parallel_sweep(const std::vector<SweepWorker>& workers, const Target& target,
                              const std::vector<IpAddress>& addresses, const SweepPlan& plan,
                              const std::function<void(Result&&)>& sink);

// Every address of a prefix (at most 2^24 of them), network and broadcast included.
std::vector<IpAddress> expand_prefix(const Prefix& prefix);

}  // namespace blackout
