// Signals as loop events (signalfd): SIGINT/SIGTERM for a graceful stop, SIGHUP for reload.
// The signals are blocked for the process so that they arrive only through the loop.
#pragma once

#include <csignal>
#include <functional>
#include <initializer_list>

#include "engine/loop.hpp"

namespace blackout {

// Blocks the signals in the calling thread and every thread it starts afterwards. Call it
// before starting any thread (a store writer, sweep workers): a signal that is not blocked
// in some thread is delivered there and kills the process.
void block_signals(std::initializer_list<int> signals);

class SignalWatcher {
 public:
  SignalWatcher(EventLoop& loop, std::initializer_list<int> signals, std::function<void(int)> handler);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  EventLoop& loop_;
  int fd_;
  std::function<void(int)> handler_;
};

}  // namespace blackout
