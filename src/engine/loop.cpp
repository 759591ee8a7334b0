// The epoll event loop.
#include "engine/loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "util/strings.hpp"

namespace blackout {

EventLoop::EventLoop(Clock& clock) : clock_(clock), epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + errno_text(errno));
}

EventLoop::~EventLoop() { close(epoll_fd_); }

bool EventLoop::watch(int fd, std::uint32_t events, IoCallback callback) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  const bool known = watches_.contains(fd);
  if (epoll_ctl(epoll_fd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0) return false;
  watches_[fd] = std::make_shared<IoCallback>(std::move(callback));
  return true;
}

bool EventLoop::modify(int fd, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) == 0;
}

void EventLoop::unwatch(int fd) {
  if (watches_.erase(fd) > 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::run_posted() {
  // Only what was posted before this turn: a callback that posts again waits a turn, so a
  // busy poster cannot starve I/O.
  std::size_t count = posted_.size();
  while (count-- > 0 && !posted_.empty()) {
    Callback callback = std::move(posted_.front());
    posted_.pop_front();
    callback();
  }
}

void EventLoop::run_once(Duration max_wait) {
  Duration wait = max_wait;
  if (!posted_.empty() || clock_.is_manual()) wait = Duration{0};
  if (const auto next = timers_.next_deadline()) {
    const Duration until = *next - clock_.now();
    if (until < wait) wait = until < Duration{0} ? Duration{0} : until;
  }
  // Round up so that we do not wake a little early and spin until the timer is due.
  const auto wait_ms = static_cast<int>((wait.count() + 999) / 1000);
  std::array<epoll_event, 256> events{};
  const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), wait_ms);
  for (int i = 0; i < n; ++i) {
    const auto it = watches_.find(events[static_cast<std::size_t>(i)].data.fd);
    if (it == watches_.end()) continue;
    const std::shared_ptr<IoCallback> callback = it->second;
    (*callback)(events[static_cast<std::size_t>(i)].events);
  }
  timers_.fire_due(clock_.now());
  run_posted();
}

bool EventLoop::run_until(const std::function<bool()>& done, MonoTime deadline) {
  while (!done() && !stopped() && clock_.now() < deadline) {
    run_once(std::min<Duration>(deadline - clock_.now(), Duration{std::chrono::milliseconds(100)}));
  }
  return done();
}

}  // namespace blackout
