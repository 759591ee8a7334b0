// Memory per monitored target-check in steady state: 1,000,000 icmp checks scheduled at a
// 60 s interval against the benchmark world (every address of 198.19.0.0/16 answers), run
// for a while with real probes, then the process's resident memory is divided by the
// number of checks. Stored history is not part of it (nothing is stored here).
// Usage (root, in the world's vantage namespace; bench/memory.sh does this):
//   scheduler_memory [CHECKS] [SECONDS]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/random.hpp"
#include "engine/scheduler.hpp"
#include "probes/registry.hpp"

namespace {

double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace blackout;
  const std::size_t checks = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 30;
  const double before = resident_bytes();

  std::vector<Target> targets;
  targets.reserve(checks);
  for (std::size_t i = 0; i < checks; ++i) {
    Target target;
    char name[32];
    std::snprintf(name, sizeof name, "h%07zu", i);
    target.name = name;
    target.layer = Layer::host;
    target.address = IpAddress::v4(0xc6130000u | static_cast<std::uint32_t>(i % 65536));  // 198.19.x.y
    Check check;
    check.kind = CheckKind::icmp;
    check.params = IcmpParams{16};
    check.id = "icmp";
    check.interval = std::chrono::seconds(60);
    check.timeout = std::chrono::seconds(2);
    check.jitter = std::chrono::seconds(5);
    target.checks.push_back(std::move(check));
    targets.push_back(std::move(target));
  }
  const double after_config = resident_bytes();

  SystemClock clock;
  EventLoop loop(clock);
  SeededRandom random(1);
  ProbeSet probes(loop, random, ProbeSet::kinds_of(targets));
  std::uint64_t results = 0, ok = 0;
  SchedulerLimits limits;
  limits.max_probes_per_second = 100000;
  limits.max_in_flight = 65536;
  Scheduler scheduler(
      loop, random, targets, probes.table(), "bench",
      [&](Result&& r) {
        ++results;
        ok += r.outcome == Outcome::ok;
      },
      limits);
  scheduler.start();
  loop.run_until([] { return false; }, clock.now() + std::chrono::seconds(seconds));
  const double after_run = resident_bytes();
  const double n = static_cast<double>(checks);
  std::printf("checks: %zu scheduled; ran %d s: %llu results (%llu ok), %.0f probes/s\n", scheduler.scheduled(), seconds,
              static_cast<unsigned long long>(results), static_cast<unsigned long long>(ok),
              static_cast<double>(results) / seconds);
  std::printf("resident memory: %.1f MiB at start, %.1f MiB with the config, %.1f MiB after running\n", before / 1048576,
              after_config / 1048576, after_run / 1048576);
  std::printf("bytes per target-check: %.0f (config %.0f + engine %.0f); target: under 512\n", (after_run - before) / n,
              (after_config - before) / n, (after_run - after_config) / n);
  return 0;
}
