// The system clock.
#include "engine/clock.hpp"

namespace blackout {

MonoTime SystemClock::now() const { return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now()); }

Timestamp SystemClock::wall_now() const { return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()); }

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace blackout
