// c-ares driven by blackout's event loop: c-ares says which of its sockets to watch (its
// socket-state callback) and when it next needs to run (ares_timeout); the loop does all
// the waiting. No thread per lookup and nothing blocks, so thousands of names cost a few
// sockets. Answers come back on the loop, never from inside query().
#pragma once

#include <ares.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "engine/loop.hpp"

namespace blackout {

class AresChannel {
 public:
  // status is c-ares's (ARES_SUCCESS, ARES_ENOTFOUND, ARES_ETIMEOUT, ...); answer holds the
  // reply's bytes when there was one.
  using Callback = std::function<void(int status, const std::vector<unsigned char>& answer)>;

  // Servers empty: the system's (/etc/resolv.conf). Throws std::runtime_error, naming the
  // reason, when c-ares cannot start: a start-up error.
  AresChannel(EventLoop& loop, const ResolverConfig& config);
  ~AresChannel();
  AresChannel(const AresChannel&) = delete;
  AresChannel& operator=(const AresChannel&) = delete;

  // One query (class IN, no search list). Calls back exactly once, later, from the loop;
  // never after the channel is destroyed.
  void query(const std::string& name, int type, Callback callback);
  [[nodiscard]] std::size_t in_flight() const { return in_flight_; }
  // The servers asked, as c-ares has them ("127.0.0.1:5353 [::1]:53"), for logs.
  [[nodiscard]] std::string servers() const;

 private:
  static void on_socket_state(void* self, ares_socket_t fd, int readable, int writable);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* answer, int length);
  void process(ares_socket_t read_fd, ares_socket_t write_fd);
  void arm_timer();

  EventLoop& loop_;
  ares_channel channel_ = nullptr;
  std::optional<TimerId> timer_;
  std::size_t in_flight_ = 0;
  // Posted answers hold it weakly: an answer posted before the channel went is dropped.
  std::shared_ptr<AresChannel*> self_;
};

}  // namespace blackout
