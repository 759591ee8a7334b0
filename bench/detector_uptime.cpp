// Whether detection forgets: N targets of one vantage probed every interval for D days of
// virtual time, flapping — every target has outages of its own (a few minutes, now and then),
// and the whole country goes dark for twenty minutes twice a day — while the detector is
// drained as the monitor drains it (every state change at once, events and waves once a
// second of its clock) into an EventLog bounded as the dashboard's is. Prints, per day, the
// heap in use (the detector's and the log's: the log fills up to its limit, `kept`, then
// stays) and the cost per result over that day: both must stay flat however long it runs
// (they grew with uptime while the detector kept every event and state change it ever made,
// and the monitor's tick copied them all once a second).
// Usage: detector_uptime [TARGETS [DAYS [INTERVAL_SECONDS]]]   (default 10000 30 300)
#include <malloc.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "detect/detector.hpp"
#include "detect/event_log.hpp"
#include "inventory.hpp"

namespace {

using namespace blackout;

// A small, fast, reproducible generator (splitmix64).
struct Draw {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // True with chance 1 in `n`.
  bool one_in(std::uint64_t n) { return next() % n == 0; }
};

std::size_t heap_in_use() { return mallinfo2().uordblks; }

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
  const int days = argc > 2 ? std::atoi(argv[2]) : 30;
  const int interval_s = argc > 3 ? std::atoi(argv[3]) : 300;
  if (n == 0 || days <= 0 || interval_s <= 0) {
    std::fprintf(stderr, "usage: detector_uptime [TARGETS [DAYS [INTERVAL_SECONDS]]]\n");
    return 2;
  }
  const Duration interval = std::chrono::seconds(interval_s);
  const auto targets = bench::icmp_inventory(n, interval);
  const std::size_t heap_before = heap_in_use();
  Detector detector(targets, DetectionParams{});
  // The live monitor's own record of events, bounded as the dashboard's is.
  EventLog log(EventLog::dashboard_limits);
  Draw draw{42};
  // Per target: the round its own outage ends (0: none going on).
  std::vector<std::int64_t> own_outage_until(n, 0);
  const Timestamp t0{std::chrono::seconds(1'800'000'000)};
  const std::int64_t rounds_per_day = 86400 / interval_s;
  // Twice a day the country goes dark for twenty minutes.
  const std::int64_t country_every = rounds_per_day / 2, country_length = std::max<std::int64_t>(1, 1200 / interval_s);
  // Each target has an outage of its own about once in six hours, of two to twelve rounds.
  const std::uint64_t own_one_in = static_cast<std::uint64_t>(std::max<std::int64_t>(1, 6 * 3600 / interval_s));
  std::size_t events_told = 0, changes_told = 0;
  std::printf("%4s %12s %12s %12s %12s %10s %10s %8s\n", "day", "results", "ns/result", "heap MiB", "B/target", "changes",
              "events", "kept");
  std::int64_t round = 0;
  for (int day = 1; day <= days; ++day) {
    std::size_t results = 0;
    const auto started = std::chrono::steady_clock::now();
    for (std::int64_t r = 0; r < rounds_per_day; ++r, ++round) {
      const bool country_dark = round % country_every >= country_every - country_length;
      const Timestamp round_start = t0 + round * interval;
      Timestamp next_tick = round_start;
      for (std::size_t i = 0; i < n; ++i) {
        if (own_outage_until[i] <= round && draw.one_in(own_one_in))
          own_outage_until[i] = round + 2 + static_cast<std::int64_t>(draw.next() % 11);
        const bool down = country_dark || own_outage_until[i] > round;
        const Timestamp at = round_start + (interval * static_cast<std::int64_t>(i)) / static_cast<std::int64_t>(n);
        // Each failure comes with its two confirmations, as the scheduler sends them.
        for (int attempt = 0; attempt < (down ? 3 : 1); ++attempt) {
          Result result;
          result.time = at + std::chrono::milliseconds(300 * attempt);
          result.vantage = "v";
          result.target = targets[i].name;
          result.check = "icmp";
          result.kind = CheckKind::icmp;
          result.outcome = down ? Outcome::timeout : Outcome::ok;
          if (!down) result.rtt = std::chrono::microseconds(20'000 + static_cast<std::int64_t>(draw.next() % 2'000));
          result.confirmation = attempt > 0;
          detector.add(result);
          ++results;
          // As the monitor: changes at once, events and waves once a second.
          if (detector.has_new_state_changes()) changes_told += detector.take_new_state_changes().size();
          if (result.time >= next_tick) {
            const auto told = log.take_from(detector);
            events_told += told.events.size();
            next_tick = result.time + std::chrono::seconds(1);
          }
        }
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::size_t heap = heap_in_use() - heap_before;
    std::printf("%4d %12zu %12.0f %12.1f %12.0f %10zu %10zu %8zu\n", day, results, seconds * 1e9 / static_cast<double>(results),
                static_cast<double>(heap) / (1 << 20), static_cast<double>(heap) / static_cast<double>(n), changes_told,
                events_told, log.event_count());
    std::fflush(stdout);
  }
  return 0;
}
