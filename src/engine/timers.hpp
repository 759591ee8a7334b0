// A queue of one-shot timers on monotonic time. Pure: it never reads a clock, the caller
// says what time it is, so tests fire timers by hand.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "engine/clock.hpp"

namespace blackout {

using TimerId = std::uint64_t;

class TimerQueue {
 public:
  using Callback = std::function<void()>;

  TimerId add(MonoTime at, Callback callback);
  // False when the timer already fired or was cancelled.
  bool cancel(TimerId id);
  [[nodiscard]] std::optional<MonoTime> next_deadline();
  // Runs, in deadline order, every timer due at or before `now` (including timers that
  // callbacks add for times already due). Returns how many ran.
  std::size_t fire_due(MonoTime now);
  [[nodiscard]] std::size_t size() const { return callbacks_.size(); }

 private:
  struct Entry {
    MonoTime at;
    TimerId id;
    bool operator>(const Entry& other) const { return at != other.at ? at > other.at : id > other.id; }
  };
  void drop_cancelled();

  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::unordered_map<TimerId, Callback> callbacks_;
  TimerId next_id_ = 1;
};

}  // namespace blackout
