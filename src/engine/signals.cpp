// signalfd-based signal delivery.
#include "engine/signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "util/strings.hpp"

namespace blackout {

void block_signals(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal : signals) sigaddset(&set, signal);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) throw std::runtime_error("pthread_sigmask failed");
}

SignalWatcher::SignalWatcher(EventLoop& loop, std::initializer_list<int> signals, std::function<void(int)> handler)
    : loop_(loop), handler_(std::move(handler)) {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal : signals) sigaddset(&set, signal);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) throw std::runtime_error(std::string("sigprocmask: ") + errno_text(errno));
  fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(std::string("signalfd: ") + errno_text(errno));
  loop_.watch(fd_, io_readable, [this](std::uint32_t) {
    signalfd_siginfo info{};
    while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) handler_(static_cast<int>(info.ssi_signo));
  });
}

SignalWatcher::~SignalWatcher() {
  loop_.unwatch(fd_);
  ::close(fd_);
}

}  // namespace blackout
