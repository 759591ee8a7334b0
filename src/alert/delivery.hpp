// Alerts, the sending half: webhooks (blackout's JSON, Slack- or Matrix-shaped) and e-mail
// over SMTP, on a thread of its own so that a slow or dead receiver never holds up probing.
// A message that cannot be delivered is retried with exponential back-off (1 s, 2 s, 4 s, ...
// at most 5 min apart) until it gets through, or gives up after `max_age`; the queue is
// bounded, and what is dropped or given up is counted and logged, never silently lost.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alert/notifier.hpp"
#include "config/config.hpp"
#include "engine/clock.hpp"
#include "util/stats.hpp"

namespace blackout {

struct DeliveryOptions {
  std::chrono::milliseconds first_retry{1000};
  std::chrono::milliseconds max_retry{300'000};
  std::chrono::milliseconds max_age{3'600'000};
  std::chrono::milliseconds request_timeout{10'000};
  std::size_t max_queue = 1000;
  std::string vantage;  // named in every message
};

struct DeliveryCounters {
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> failed_attempts{0};
  std::atomic<std::uint64_t> given_up{0};
  std::atomic<std::uint64_t> dropped{0};  // the queue was full
  std::atomic<std::size_t> queued{0};
};

// The bodies, one per format (exposed for tests and docs).
std::string webhook_payload(const AlertChannel& channel, const Notification& n, const std::string& vantage);
// A whole RFC 5322 message; updates and the resolution reply to the opening message, so that
// mail clients thread an incident.
std::string email_message(const AlertChannel& channel, const Notification& n, const std::string& vantage, Timestamp date);

// Where the monitor's notifications go: AlertDelivery in production; a test may record them.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Returns at once; never waits for a receiver.
  virtual void submit(const Notification& notification) = 0;
  // Waits up to `limit` for what is queued to go out; returns how many were left undelivered.
  virtual std::size_t stop(std::chrono::milliseconds limit) = 0;
  virtual void register_stats(Stats& /*stats*/) const {}
};

class AlertDelivery final : public AlertSink {
 public:
  // Back-off and the give-up age run on `clock`: a ManualClock tests them in virtual time.
  AlertDelivery(std::vector<AlertChannel> channels, DeliveryOptions options, const Clock& clock = system_clock());
  ~AlertDelivery() override;
  AlertDelivery(const AlertDelivery&) = delete;
  AlertDelivery& operator=(const AlertDelivery&) = delete;

  // One item per channel of the notification; returns at once.
  void submit(const Notification& notification) override;
  // Waits up to `limit` for the queue to empty (the monitor stopping), then stops the thread.
  // Returns how many messages were still undelivered.
  std::size_t stop(std::chrono::milliseconds limit) override;
  [[nodiscard]] const DeliveryCounters& counters() const { return counters_; }
  // blackout_alert*_total and blackout_alerts_queued, for /metrics.
  void register_stats(Stats& stats) const override;

 private:
  struct Item {
    const AlertChannel* channel;
    Notification notification;
    int attempts = 0;
    MonoTime first_try, next_try;
  };
  void run();
  bool send(const Item& item, std::string& error);

  std::vector<AlertChannel> channels_;
  DeliveryOptions options_;
  const Clock& clock_;
  DeliveryCounters counters_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  MonoTime stop_deadline_{};
  std::thread thread_;
};

}  // namespace blackout
