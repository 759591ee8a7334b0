// Injected time. The engine never reads the system clock directly: SystemClock in
// production, ManualClock in tests, which advance time by hand and never sleep.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "model/time.hpp"

namespace blackout {

// Monotonic time for timers and intervals; never jumps when the wall clock is set.
using MonoTime = std::chrono::time_point<std::chrono::steady_clock, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual MonoTime now() const = 0;        // for timers and measuring
  [[nodiscard]] virtual Timestamp wall_now() const = 0;  // for stamping results
  // True when time only moves by hand: the loop must not block waiting for it.
  [[nodiscard]] virtual bool is_manual() const { return false; }
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] MonoTime now() const override;
  [[nodiscard]] Timestamp wall_now() const override;
};

// The process's one SystemClock, for parts whose clock is injected but that most callers
// run on real time.
[[nodiscard]] const Clock& system_clock();

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp wall_start = Timestamp{std::chrono::seconds{1'800'000'000}}) : wall_start_(wall_start) {}
  [[nodiscard]] MonoTime now() const override { return MonoTime{Duration{elapsed_.load()}}; }
  [[nodiscard]] Timestamp wall_now() const override { return wall_start_ + Duration{elapsed_.load()}; }
  [[nodiscard]] bool is_manual() const override { return true; }
  // Atomic: the store writer's and alert delivery's threads read the time the test sets.
  void advance(Duration by) { elapsed_ += by.count(); }
  void set(MonoTime to) { elapsed_ = to.time_since_epoch().count(); }

 private:
  Timestamp wall_start_;
  std::atomic<Duration::rep> elapsed_{0};
};

// Blocks a thread on `wake` until pred() holds or `deadline` passes on `clock`; returns
// pred(). On a ManualClock the deadline is virtual time, which only the test moves: the
// wait then looks again every millisecond of real time, so that a back-off of an hour takes
// as long as the test's advance() and no longer.
template <class Predicate>
bool wait_until(const Clock& clock, std::condition_variable& wake, std::unique_lock<std::mutex>& lock, MonoTime deadline,
                Predicate pred) {
  if (!clock.is_manual()) {
    if (deadline == MonoTime::max()) {
      wake.wait(lock, pred);
      return true;
    }
    const Duration left = deadline - clock.now();
    if (left <= Duration::zero()) return pred();
    // Bounded so that the conversion to the condition variable's nanoseconds cannot overflow.
    return wake.wait_for(lock, std::min<Duration>(left, std::chrono::hours(24)), pred);
  }
  while (!pred()) {
    if (clock.now() >= deadline) return false;
    wake.wait_for(lock, std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace blackout
