// The scheduler: runs every check of every target at its interval with jitter, under a
// global probe-rate limit and concurrency caps, and re-probes at once to confirm a failure
// of a check that was passing. Time, timers and randomness come from the loop and the
// injected Random, so tests drive it in virtual time.
//
// Per scheduled check it keeps 24 bytes of state plus a 16-byte heap entry: a million
// checks fit in well under 512 bytes each, with the targets' config shared.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "engine/addresses.hpp"
#include "engine/loop.hpp"
#include "engine/probe.hpp"
#include "engine/random.hpp"
#include "model/outcome.hpp"
#include "model/target.hpp"
#include "util/stats.hpp"

namespace blackout {

struct SchedulerLimits {
  double max_probes_per_second = 5000;
  std::size_t max_in_flight = 4096;
  // 0: no cap of its own beyond max_in_flight.
  std::array<std::size_t, check_kind_count> max_in_flight_per_kind{};
  Duration watchdog_grace = std::chrono::seconds(5);  // past the check's timeout
};

struct SchedulerCounters {
  std::uint64_t launched = 0;
  std::uint64_t completed = 0;
  std::uint64_t confirmations = 0;      // re-probes sent to confirm a failure
  std::uint64_t late_ticks = 0;         // runs skipped because the schedule fell behind
  std::uint64_t lost = 0;               // probes the watchdog gave up on (a bug in a probe)
  std::uint64_t stale_completions = 0;  // completions after the watchdog gave up
  std::uint64_t unavailable = 0;        // checks skipped because their kind cannot run here
  std::uint64_t unaddressed = 0;        // runs not sent: the target's name gave no usable address
  std::array<std::uint64_t, outcome_count> outcomes{};
  std::size_t in_flight = 0;
  std::size_t max_in_flight_seen = 0;
  std::size_t ready = 0;  // due, waiting for the rate limit or a cap
};

// The scheduler's counters for /metrics (blackout_probes_*, ...), read through `current`:
// a reload replaces the scheduler, and the metrics follow the one running.
void register_scheduler_stats(Stats& stats, std::function<const SchedulerCounters&()> current);

class Scheduler {
 public:
  using Sink = std::function<void(Result&&)>;

  // `targets` must outlive the scheduler; `probes` is indexed by CheckKind (nullptr: none).
  Scheduler(EventLoop& loop, Random& random, const std::vector<Target>& targets, std::array<Probe*, check_kind_count> probes,
            std::string vantage, Sink sink, SchedulerLimits limits = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Where checks of targets named only by host go (the resolver); without one they are sent
  // with no address, and the probe says so. Must outlive the scheduler.
  void set_address_book(const AddressBook* book) { addresses_ = book; }
  // Spreads the first run of each check uniformly over its interval and starts.
  void start();
  // Launches nothing more; probes in flight complete and are delivered.
  void stop();
  [[nodiscard]] bool idle() const { return counters_.in_flight == 0; }
  [[nodiscard]] const SchedulerCounters& counters() const { return counters_; }
  [[nodiscard]] std::size_t scheduled() const { return entries_.size(); }

 private:
  struct Entry {
    MonoTime next_nominal;  // the schedule without jitter, so that jitter does not drift
    std::uint32_t target;
    std::uint16_t check;
    std::uint8_t confirming;  // confirmation re-probes still to send
    std::uint8_t flags;
    std::uint32_t generation;      // bumps at each launch; a stale completion does not match
    std::uint32_t in_flight_slot;  // index into in_flight_ while in flight
  };
  struct InFlight {
    std::uint32_t entry;
    std::uint32_t generation;
    MonoTime deadline;
  };
  static constexpr std::uint8_t flag_in_flight = 1;
  static constexpr std::uint8_t flag_passing = 2;
  static constexpr std::uint8_t flag_confirmation = 4;

  void push(std::uint32_t index, MonoTime due);
  void pump();
  void arm(MonoTime when);
  bool take_token();
  void launch(std::uint32_t index);
  void complete(std::uint32_t index, std::uint32_t generation, Result&& result);
  void watchdog();
  [[nodiscard]] const Check& check_of(const Entry& entry) const;

  EventLoop& loop_;
  Random& random_;
  const std::vector<Target>& targets_;
  std::array<Probe*, check_kind_count> probes_;
  std::string vantage_;
  Sink sink_;
  SchedulerLimits limits_;
  const AddressBook* addresses_ = nullptr;

  std::vector<Entry> entries_;
  std::vector<std::pair<MonoTime, std::uint32_t>> heap_;  // min-heap on due time
  std::array<std::deque<std::uint32_t>, check_kind_count> ready_;
  std::array<std::size_t, check_kind_count> in_flight_per_kind_{};
  std::vector<InFlight> in_flight_;
  std::size_t next_ready_kind_ = 0;

  double tokens_ = 0;
  MonoTime tokens_at_{};
  std::optional<TimerId> timer_;
  std::optional<MonoTime> timer_at_;
  std::optional<TimerId> watchdog_timer_;
  bool running_ = false;
  SchedulerCounters counters_;
  // Completions hold a weak reference so that a probe finishing after the scheduler is gone
  // does nothing.
  std::shared_ptr<Scheduler*> self_;
};

}  // namespace blackout
