// Sweeps.
#include "engine/sweep.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace blackout {

std::vector<IpAddress> expand_prefix(const Prefix& prefix) {
  const unsigned bits = (prefix.address.is_v4() ? 32u : 128u) - prefix.length;
  if (bits > 24) throw std::invalid_argument("prefix " + prefix.to_string() + " holds more than 2^24 addresses");
  std::vector<IpAddress> out;
  out.reserve(std::size_t{1} << bits);
  for (std::uint32_t i = 0; i < (std::uint32_t{1} << bits); ++i) {
    IpAddress ip = prefix.address;
    // Add i to the low bits (big-endian), which are zero in a prefix.
    std::uint32_t carry = i;
    for (int byte = ip.is_v4() ? 3 : 15; byte >= 0 && carry; --byte) {
      const std::uint32_t sum = ip.bytes[static_cast<std::size_t>(byte)] + (carry & 0xff);
      ip.bytes[static_cast<std::size_t>(byte)] = static_cast<std::uint8_t>(sum);
      carry = (carry >> 8) + (sum >> 8);
    }
    out.push_back(ip);
  }
  return out;
}

SweepStats run_sweep(EventLoop& loop, Probe& probe, const Target& target, const std::vector<IpAddress>& addresses,
                     const SweepPlan& plan, const std::function<void(Result&&)>& sink) {
  const Check& check = target.checks.at(0);
  SweepStats stats;
  std::size_t in_flight = 0;
  std::size_t next = 0;
  bool pump_pending = false;
  std::optional<TimerId> refill_timer;
  const MonoTime begin = loop.clock().now();
  MonoTime last_start = begin;
  MonoTime last_result = begin;
  // Token bucket with a burst of 1 ms worth of probes but never more than 256, so that
  // sending yields to receiving regularly: replies are read (and timed) promptly, and the
  // kernel's queues between here and the targets are not flooded into dropping answers.
  double tokens = 1;
  MonoTime tokens_at = begin;
  const double burst = std::clamp(plan.max_probes_per_second / 1000, 1.0, 256.0);
  const auto stopping = [&] { return loop.stopped(); };

  std::function<void()> pump;
  const auto schedule_pump = [&] {
    if (pump_pending || refill_timer || stopping()) return;
    pump_pending = true;
    loop.post([&] { pump(); });
  };
  pump = [&] {
    pump_pending = false;
    const MonoTime now = loop.clock().now();
    tokens = std::min(burst, tokens + to_seconds(now - tokens_at) * plan.max_probes_per_second);
    tokens_at = now;
    while (next < addresses.size() && in_flight < plan.max_in_flight && tokens >= 1 && !stopping()) {
      tokens -= 1;
      const IpAddress address = addresses[next++];
      ++in_flight;
      ++stats.started;
      last_start = loop.clock().now();
      const Timestamp sent = loop.clock().wall_now();
      probe.start(ProbeRequest{&target, &check, address, false}, [&, sent, address](Result&& result) {
        --in_flight;
        ++stats.completed;
        last_result = loop.clock().now();
        result.time = sent;
        result.vantage = plan.vantage;
        result.target = address.to_string();
        result.check = check.id;
        result.kind = check.kind;
        sink(std::move(result));
        schedule_pump();
      });
    }
    if (next < addresses.size() && in_flight < plan.max_in_flight && !stopping()) {
      // Out of tokens: come back when one is due.
      const auto wait =
          Duration{std::max<Duration::rep>(1, static_cast<Duration::rep>((1 - tokens) / plan.max_probes_per_second * 1e6))};
      refill_timer = loop.after(wait, [&] {
        refill_timer.reset();
        pump();
      });
    }
  };
  pump();
  // Until every started probe has completed, even when stopped early: their completions
  // refer to this frame.
  while (in_flight > 0 || (next < addresses.size() && !stopping())) loop.run_once(std::chrono::milliseconds(100));
  if (refill_timer) loop.cancel(*refill_timer);
  // A pump posted by the last completion must not outlive this frame.
  while (pump_pending) loop.run_once(Duration{0});
  stats.sending = last_start - begin;
  stats.total = last_result - begin;
  return stats;
}

SweepStats run_parallel_sweep(const std::vector<SweepWorker>& workers, const Target& target,
                              const std::vector<IpAddress>& addresses, const SweepPlan& plan,
                              const std::function<void(Result&&)>& sink) {
  if (workers.empty()) throw std::invalid_argument("a sweep needs at least one worker");
  if (workers.size() == 1) return run_sweep(*workers[0].loop, *workers[0].probe, target, addresses, plan, sink);
  const std::size_t n = workers.size();
  std::vector<std::vector<IpAddress>> shares(n);
  for (std::size_t i = 0; i < addresses.size(); ++i) shares[i % n].push_back(addresses[i]);
  SweepPlan share_plan = plan;
  share_plan.max_probes_per_second = plan.max_probes_per_second / static_cast<double>(n);
  share_plan.max_in_flight = std::max<std::size_t>(1, plan.max_in_flight / n);
  std::mutex sink_mutex;
  std::vector<SweepStats> stats(n);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < n; ++w) {
    threads.emplace_back([&, w] {
      stats[w] = run_sweep(*workers[w].loop, *workers[w].probe, target, shares[w], share_plan, [&](Result&& result) {
        const std::lock_guard lock(sink_mutex);
        sink(std::move(result));
      });
      // One loop stopping (a signal) stops them all.
      if (workers[w].loop->stopped())
        for (const SweepWorker& other : workers) other.loop->stop();
    });
  }
  for (std::thread& thread : threads) thread.join();
  SweepStats total;
  for (const SweepStats& s : stats) {
    total.started += s.started;
    total.completed += s.completed;
    total.sending = std::max(total.sending, s.sending);
    total.total = std::max(total.total, s.total);
  }
  return total;
}

}  // namespace blackout
