// Timer queue: a binary heap with lazy cancellation.
#include "engine/timers.hpp"

namespace blackout {

TimerId TimerQueue::add(MonoTime at, Callback callback) {
  const TimerId id = next_id_++;
  heap_.push(Entry{at, id});
  callbacks_.emplace(id, std::move(callback));
  return id;
}

bool TimerQueue::cancel(TimerId id) { return callbacks_.erase(id) > 0; }

void TimerQueue::drop_cancelled() {
  while (!heap_.empty() && !callbacks_.contains(heap_.top().id)) heap_.pop();
}

std::optional<MonoTime> TimerQueue::next_deadline() {
  drop_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().at;
}

std::size_t TimerQueue::fire_due(MonoTime now) {
  std::size_t fired = 0;
  while (true) {
    drop_cancelled();
    if (heap_.empty() || heap_.top().at > now) break;
    const TimerId id = heap_.top().id;
    heap_.pop();
    auto node = callbacks_.extract(id);
    node.mapped()();
    ++fired;
  }
  return fired;
}

}  // namespace blackout
