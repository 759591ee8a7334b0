// The event loop: epoll for sockets, a TimerQueue for time, and a queue of deferred calls.
// Single-threaded: every callback runs on the thread that calls run_*(). Nothing in a
// callback may block. With a ManualClock the loop never sleeps: timers fire when the test
// advances the clock.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>

#include "engine/clock.hpp"
#include "engine/timers.hpp"

namespace blackout {

// Bits for watch(); the same values as EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP.
inline constexpr std::uint32_t io_readable = 0x001;
inline constexpr std::uint32_t io_writable = 0x004;
inline constexpr std::uint32_t io_error = 0x008;
inline constexpr std::uint32_t io_hangup = 0x010;

class EventLoop {
 public:
  using IoCallback = std::function<void(std::uint32_t events)>;
  using Callback = std::function<void()>;

  explicit EventLoop(Clock& clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches fd for `events` (io_readable | io_writable); replaces an earlier watch of fd.
  // Errors and hang-ups are always reported. Returns false if epoll refuses the fd.
  bool watch(int fd, std::uint32_t events, IoCallback callback);
  bool modify(int fd, std::uint32_t events);
  void unwatch(int fd);

  TimerId at(MonoTime when, Callback callback) { return timers_.add(when, std::move(callback)); }
  TimerId after(Duration delay, Callback callback) { return timers_.add(clock_.now() + delay, std::move(callback)); }
  bool cancel(TimerId id) { return timers_.cancel(id); }
  // Runs callback on the next turn of the loop, never from inside the caller.
  void post(Callback callback) { posted_.push_back(std::move(callback)); }

  // One turn: waits for I/O up to max_wait (less if a timer is due sooner; never with a
  // manual clock), runs I/O callbacks, due timers and posted calls.
  void run_once(Duration max_wait);
  // Turns until done() or stop() or the deadline (monotonic) passes. Returns done().
  bool run_until(const std::function<bool()>& done, MonoTime deadline);
  // May be called from another thread (a signal handler's loop stopping its siblings).
  void stop() { stopped_.store(true, std::memory_order_relaxed); }
  [[nodiscard]] bool stopped() const { return stopped_.load(std::memory_order_relaxed); }

  [[nodiscard]] Clock& clock() const { return clock_; }
  [[nodiscard]] std::size_t watched() const { return watches_.size(); }
  [[nodiscard]] std::size_t pending_timers() const { return timers_.size(); }
  // When the next timer is due: a test driving a ManualClock jumps to it.
  [[nodiscard]] std::optional<MonoTime> next_timer() { return timers_.next_deadline(); }

 private:
  void run_posted();

  Clock& clock_;
  int epoll_fd_;
  TimerQueue timers_;
  std::deque<Callback> posted_;
  // shared_ptr so that a callback that unwatches its own fd does not destroy itself mid-call.
  std::unordered_map<int, std::shared_ptr<IoCallback>> watches_;
  std::atomic<bool> stopped_{false};
};

}  // namespace blackout
