// How detection scales with the size of the inventory: N targets of one vantage (spread over
// the web, dns, mail and router layers), ten rounds up, ten rounds of a country-wide outage
// (every target down, then back), ten rounds up again — the worst case for a detector, since
// every target changes state twice. Prints results per second and nanoseconds per result for
// each N, so that the cost per result can be compared across sizes (flat is the goal; it
// grew with N before the layer and network shares were kept incrementally).
// Usage: detector_scale [N...]   (default 100 1000 10000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "detect/detector.hpp"
#include "detect/event_log.hpp"
#include "inventory.hpp"

using namespace blackout;

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(static_cast<std::size_t>(std::strtoull(argv[i], nullptr, 10)));
  if (sizes.empty()) sizes = {100, 1000, 10000};
  std::printf("%10s %12s %14s %14s %8s\n", "targets", "results", "results/s", "ns/result", "events");
  for (const std::size_t n : sizes) {
    const auto targets = bench::icmp_inventory(n);
    Detector detector(targets, DetectionParams{});
    const Timestamp t0{std::chrono::seconds(1'800'000'000)};
    std::size_t results = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int round = 0; round < 30; ++round) {
      const bool down = round >= 10 && round < 20;
      for (std::size_t i = 0; i < n; ++i) {
        // Each failure comes with its two confirmations, as the scheduler sends them.
        for (int attempt = 0; attempt < (down ? 3 : 1); ++attempt) {
          Result r;
          r.time =
              t0 + std::chrono::seconds(round * 10) + std::chrono::microseconds(i * 10 + static_cast<std::size_t>(attempt) * 3);
          r.vantage = "v";
          r.target = targets[i].name;
          r.check = "icmp";
          r.kind = CheckKind::icmp;
          r.outcome = down ? Outcome::timeout : Outcome::ok;
          if (!down) r.rtt = std::chrono::milliseconds(20);
          r.confirmation = attempt > 0;
          detector.add(r);
          ++results;
        }
      }
    }
    detector.finish();
    EventLog told;
    told.take_from(detector);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("%10zu %12zu %14.0f %14.0f %8zu\n", n, results, static_cast<double>(results) / seconds,
                seconds * 1e9 / static_cast<double>(results), told.event_count());
  }
  return 0;
}
