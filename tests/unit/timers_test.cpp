// Timer queue and loop in virtual time.
#include "engine/timers.hpp"

#include <gtest/gtest.h>

#include "engine/loop.hpp"

namespace blackout {
namespace {

TEST(TimerQueue, FiresInOrderAndHonoursCancel) {
  TimerQueue timers;
  std::vector<int> fired;
  const MonoTime t0{};
  timers.add(t0 + 3s, [&] { fired.push_back(3); });
  const TimerId two = timers.add(t0 + 2s, [&] { fired.push_back(2); });
  timers.add(t0 + 1s, [&] { fired.push_back(1); });
  EXPECT_TRUE(timers.cancel(two));
  EXPECT_FALSE(timers.cancel(two));
  EXPECT_EQ(timers.fire_due(t0 + 500ms), 0u);
  EXPECT_EQ(timers.fire_due(t0 + 5s), 2u);
  EXPECT_EQ(fired, (std::vector<int>{1, 3}));
  EXPECT_FALSE(timers.next_deadline());
}

TEST(TimerQueue, CallbacksMayAddDueTimers) {
  TimerQueue timers;
  int count = 0;
  const MonoTime t0{};
  timers.add(t0 + 1s, [&] {
    ++count;
    timers.add(t0 + 1s, [&] { ++count; });
  });
  timers.fire_due(t0 + 1s);
  EXPECT_EQ(count, 2);
}

TEST(EventLoop, PostedCallsRunOnTheNextTurnNotInside) {
  ManualClock clock;
  EventLoop loop(clock);
  bool ran = false;
  loop.post([&] { ran = true; });
  EXPECT_FALSE(ran);
  loop.run_once(Duration{0});
  EXPECT_TRUE(ran);
}

TEST(EventLoop, ManualClockNeverBlocks) {
  ManualClock clock;
  EventLoop loop(clock);
  bool fired = false;
  loop.after(10s, [&] { fired = true; });
  loop.run_once(1h);  // would block an hour with a real clock
  EXPECT_FALSE(fired);
  clock.advance(10s);
  loop.run_once(1h);
  EXPECT_TRUE(fired);
}

}  // namespace
}  // namespace blackout
