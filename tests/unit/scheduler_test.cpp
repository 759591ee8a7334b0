// The scheduler in virtual time: a scripted probe answers with outcomes the test chooses,
// the test advances a ManualClock, and nothing sleeps.
#include "engine/scheduler.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "config/loader.hpp"
#include "engine/loop.hpp"

namespace blackout {
namespace {

// Completes each probe after `delay` with the next outcome scripted for its target.
class ScriptedProbe final : public Probe {
 public:
  ScriptedProbe(EventLoop& loop, CheckKind kind) : loop_(loop), kind_(kind) {}
  [[nodiscard]] CheckKind kind() const override { return kind_; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override { return {}; }
  void start(const ProbeRequest& request, ProbeDone done) override {
    ++started;
    starts.push_back(loop_.clock().now());
    auto& script = scripts[request.target->name];
    Outcome outcome = Outcome::ok;
    if (!script.empty()) {
      outcome = script.front();
      script.pop_front();
    }
    if (never_complete) {
      held.push_back(std::move(done));
      return;
    }
    loop_.after(delay, [done = std::move(done), outcome, this] {
      Result result;
      result.outcome = outcome;
      result.rtt = delay;
      done(std::move(result));
    });
  }
  [[nodiscard]] std::vector<Counter> counters() const override { return {}; }

  EventLoop& loop_;
  CheckKind kind_;
  Duration delay = 10ms;
  bool never_complete = false;
  std::map<std::string, std::deque<Outcome>> scripts;
  std::vector<MonoTime> starts;
  std::vector<ProbeDone> held;
  int started = 0;
};

struct Harness {
  ManualClock clock;
  EventLoop loop{clock};
  SeededRandom random{42};
  ScriptedProbe tcp{loop, CheckKind::tcp};
  std::vector<Result> results;
  Config config;

  explicit Harness(const std::string& yaml) {
    auto loaded = load_config_text(yaml, "test.yaml");
    if (!loaded) throw std::runtime_error(loaded.error()[0].to_string());
    config = std::move(*loaded);
  }
  std::array<Probe*, check_kind_count> probes() {
    std::array<Probe*, check_kind_count> table{};
    table[static_cast<std::size_t>(CheckKind::tcp)] = &tcp;
    return table;
  }
  // Advances virtual time in small steps, running the loop at each.
  void advance(Duration total, Duration step = 1ms) {
    for (Duration t{0}; t < total; t += step) {
      clock.advance(step);
      loop.run_once(Duration{0});
    }
  }
};

const char* one_target = R"(
defaults: { interval: 10s, timeout: 2s, jitter: 0s, confirmations: 2, confirm_spacing: 500ms }
targets:
  - { name: a, layer: web, address: 127.0.0.1, checks: [ {tcp: 80} ] }
)";

TEST(Scheduler, RunsEachCheckOncePerInterval) {
  Harness h(one_target);
  Scheduler scheduler(h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); });
  scheduler.start();
  h.advance(60s, 10ms);
  // First run somewhere in the first interval, then every 10s: 6 runs in 60s.
  EXPECT_EQ(h.tcp.started, 6);
  for (std::size_t i = 1; i < h.tcp.starts.size(); ++i) EXPECT_EQ(h.tcp.starts[i] - h.tcp.starts[i - 1], 10s);
  ASSERT_FALSE(h.results.empty());
  EXPECT_EQ(h.results[0].target, "a");
  EXPECT_EQ(h.results[0].check, "tcp:80");
  EXPECT_EQ(h.results[0].vantage, "v");
  EXPECT_EQ(h.results[0].kind, CheckKind::tcp);
}

TEST(Scheduler, ConfirmsAFailureAtOnceWithShortSpacing) {
  Harness h(one_target);
  h.tcp.scripts["a"] = {Outcome::ok, Outcome::timeout, Outcome::timeout, Outcome::timeout, Outcome::timeout};
  Scheduler scheduler(h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); });
  scheduler.start();
  h.advance(31s, 10ms);
  // ok, then a failure, two confirmations 500ms apart, then back to the 10s interval.
  ASSERT_GE(h.tcp.starts.size(), 5u);
  EXPECT_EQ(h.tcp.starts[1] - h.tcp.starts[0], 10s);
  EXPECT_EQ(h.tcp.starts[2] - h.tcp.starts[1], 510ms);  // 10ms probe + 500ms spacing
  EXPECT_EQ(h.tcp.starts[3] - h.tcp.starts[2], 510ms);
  EXPECT_EQ(h.tcp.starts[4] - h.tcp.starts[1], 10s);  // the schedule did not drift
  EXPECT_FALSE(h.results[1].confirmation);
  EXPECT_TRUE(h.results[2].confirmation);
  EXPECT_TRUE(h.results[3].confirmation);
  EXPECT_FALSE(h.results[4].confirmation);  // already failing: no new confirmation round
  EXPECT_EQ(scheduler.counters().confirmations, 2u);
}

TEST(Scheduler, ASingleLossIsConfirmedAwayAndTheScheduleGoesOn) {
  Harness h(one_target);
  h.tcp.scripts["a"] = {Outcome::ok, Outcome::timeout, Outcome::ok, Outcome::ok, Outcome::timeout};
  Scheduler scheduler(h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); });
  scheduler.start();
  h.advance(41s, 10ms);
  ASSERT_GE(h.results.size(), 5u);
  EXPECT_TRUE(h.results[2].confirmation);
  EXPECT_EQ(h.results[2].outcome, Outcome::ok);
  EXPECT_FALSE(h.results[3].confirmation);
  EXPECT_EQ(h.tcp.starts[3] - h.tcp.starts[1], 10s);
  // The check passed again, so the next failure starts a new confirmation round.
  EXPECT_EQ(h.results[4].outcome, Outcome::timeout);
  EXPECT_EQ(h.tcp.starts.size(), 6u);
  EXPECT_EQ(h.tcp.starts[5] - h.tcp.starts[4], 510ms);
}

TEST(Scheduler, GlobalRateLimitSpreadsABurst) {
  std::string yaml = "defaults: { interval: 10s, timeout: 1s, jitter: 0s }\ntargets:\n";
  for (int i = 0; i < 100; ++i)
    yaml += "  - { name: t" + std::to_string(i) + ", layer: host, address: 127.0.0.1, checks: [ {tcp: 80} ] }\n";
  Harness h(yaml);
  SchedulerLimits limits;
  limits.max_probes_per_second = 20;  // 100 checks need at least 5s
  Scheduler scheduler(
      h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); }, limits);
  scheduler.start();
  h.advance(10s, 1ms);
  // Over any one second window no more than rate + burst (20 + 2) probes started.
  for (std::size_t i = 0; i < h.tcp.starts.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < h.tcp.starts.size() && h.tcp.starts[j] - h.tcp.starts[i] < 1s; ++j) ++in_window;
    EXPECT_LE(in_window, 22u);
  }
  EXPECT_GE(h.tcp.started, 100);
}

TEST(Scheduler, ConcurrencyCapHoldsProbesBack) {
  std::string yaml = "defaults: { interval: 10s, timeout: 5s, jitter: 0s }\ntargets:\n";
  for (int i = 0; i < 50; ++i)
    yaml += "  - { name: t" + std::to_string(i) + ", layer: host, address: 127.0.0.1, checks: [ {tcp: 80} ] }\n";
  Harness h(yaml);
  h.tcp.delay = 3s;
  SchedulerLimits limits;
  limits.max_in_flight = 1000;
  limits.max_in_flight_per_kind[static_cast<std::size_t>(CheckKind::tcp)] = 5;
  Scheduler scheduler(
      h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); }, limits);
  scheduler.start();
  for (int i = 0; i < 400; ++i) {
    h.advance(100ms, 10ms);
    EXPECT_LE(scheduler.counters().in_flight, 5u);
  }
  EXPECT_EQ(scheduler.counters().max_in_flight_seen, 5u);
}

TEST(Scheduler, WatchdogReportsAProbeThatNeverCompletes) {
  Harness h(one_target);
  h.tcp.never_complete = true;
  Scheduler scheduler(h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); });
  scheduler.start();
  h.advance(20s, 10ms);
  ASSERT_FALSE(h.results.empty());
  EXPECT_EQ(h.results[0].outcome, Outcome::internal_error);
  EXPECT_GE(scheduler.counters().lost, 1u);
  // A completion that arrives after the watchdog gave up is ignored and counted.
  ASSERT_FALSE(h.tcp.held.empty());
  const std::size_t before = h.results.size();
  Result late;
  late.outcome = Outcome::ok;
  h.tcp.held[0](std::move(late));
  EXPECT_EQ(h.results.size(), before);
  EXPECT_EQ(scheduler.counters().stale_completions, 1u);
}

TEST(Scheduler, StopLetsProbesInFlightFinish) {
  Harness h(one_target);
  h.tcp.delay = 1s;
  Scheduler scheduler(h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); });
  scheduler.start();
  while (h.tcp.started == 0) h.advance(10ms);
  scheduler.stop();
  EXPECT_FALSE(scheduler.idle());
  h.advance(2s);
  EXPECT_TRUE(scheduler.idle());
  EXPECT_EQ(h.results.size(), 1u);
  h.advance(30s, 100ms);
  EXPECT_EQ(h.tcp.started, 1);
}

TEST(Scheduler, KindsWithoutAProbeAreCountedNotScheduled) {
  Harness h(R"(
targets:
  - { name: a, layer: web, address: 127.0.0.1, checks: [ icmp, {tcp: 80} ] }
)");
  Scheduler scheduler(h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); });
  EXPECT_EQ(scheduler.scheduled(), 1u);
  EXPECT_EQ(scheduler.counters().unavailable, 1u);
}

TEST(Scheduler, JitterStaysWithinItsBound) {
  Harness h(R"(
defaults: { interval: 10s, timeout: 1s, jitter: 2s, confirmations: 0 }
targets:
  - { name: a, layer: web, address: 127.0.0.1, checks: [ {tcp: 80} ] }
)");
  Scheduler scheduler(h.loop, h.random, h.config.targets, h.probes(), "v", [&](Result&& r) { h.results.push_back(r); });
  scheduler.start();
  h.advance(200s, 10ms);
  ASSERT_GE(h.tcp.starts.size(), 18u);
  bool varied = false;
  for (std::size_t i = 1; i < h.tcp.starts.size(); ++i) {
    const Duration gap = h.tcp.starts[i] - h.tcp.starts[i - 1];
    EXPECT_GE(gap, 8s);
    EXPECT_LE(gap, 12s + 10ms);
    if (gap != 10s) varied = true;
  }
  EXPECT_TRUE(varied);
}

}  // namespace
}  // namespace blackout
