// Injected time. The engine never reads the system clock directly: SystemClock in
// production, ManualClock in tests, which advance time by hand and never sleep.
#pragma once

#include <chrono>

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

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp wall_start = Timestamp{std::chrono::seconds{1'800'000'000}}) : wall_start_(wall_start) {}
  [[nodiscard]] MonoTime now() const override { return MonoTime{elapsed_}; }
  [[nodiscard]] Timestamp wall_now() const override { return wall_start_ + elapsed_; }
  [[nodiscard]] bool is_manual() const override { return true; }
  void advance(Duration by) { elapsed_ += by; }
  void set(MonoTime to) { elapsed_ = to.time_since_epoch(); }

 private:
  Timestamp wall_start_;
  Duration elapsed_{0};
};

}  // namespace blackout
