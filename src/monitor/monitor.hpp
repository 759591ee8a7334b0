// The monitor's runtime: the scheduler's results go to detection, the store writer, the
// dashboard and the alerts; state changes are told at once, events and waves once a second;
// a reload swaps the config and the scheduler while the old one's probes finish. Everything
// that touches the world comes in from outside (clock, loop, randomness, probes, store
// writer, alert sink, BGP feed, HTTP server), so that a test runs the whole monitor on a
// ManualClock with scripted probes (tests/monitor/), and `blackout monitor` only wires the
// real ones and prints.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/delivery.hpp"
#include "alert/notifier.hpp"
#include "bgp/collector.hpp"
#include "config/loader.hpp"
#include "detect/detector.hpp"
#include "detect/event_log.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/random.hpp"
#include "engine/scheduler.hpp"
#include "probes/registry.hpp"
#include "resolve/names.hpp"
#include "serve/dashboard.hpp"
#include "serve/http_server.hpp"
#include "serve/metrics.hpp"
#include "store/writer.hpp"
#include "util/stats.hpp"

namespace blackout {

// A BGP session's change as the monitor logs it: a lost session is worth a warning;
// connection attempts that fail while the peer is away are not news each time, and
// closing our own sessions at stop is none.
void log_session_change(const std::string& session, const bgp::SessionChange& change);

// What the monitor is built from. The references must outlive it.
struct MonitorParts {
  Clock& clock;
  EventLoop& loop;
  Random& random;
  ProbeSet& probes;
  // Reads the config again for a reload (SIGHUP): the file the monitor started from.
  std::function<Expected<Config, ConfigErrors>()> load_config;
  std::unique_ptr<StoreWriter> writer;  // null: nothing is stored
  // Where the alert rules' notifications go; null: alerts are not sent.
  std::unique_ptr<AlertSink> alerts;
  bgp::Collector* collector = nullptr;  // the bgp checks' feed, if the config has sessions
  HttpServer* http = nullptr;           // the dashboard, /metrics and the API, if --listen
};

struct MonitorSettings {
  std::string config_name;  // named in the log
  SchedulerLimits limits;
  // Each result as it arrives, before it is stored (the command prints it); may be empty.
  std::function<void(const Result&)> on_result;
  // Each state change as detection tells it (after the store, alerts and dashboard have it); may be empty.
  std::function<void(const StateChange&)> on_change;
};

class Monitor {
 public:
  // Throws std::runtime_error when the resolver cannot start (a start-up error).
  Monitor(MonitorParts parts, Config config, MonitorSettings settings);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Looks the targets' names up (bounded), then starts probing. The loop does the rest.
  void start();
  // The config read again through MonitorParts::load_config. A config that does not load is
  // reported and the running one stays; returns whether the new one was taken.
  bool reload();
  // Launches nothing more; probes in flight complete and are delivered. Idempotent.
  void stop(std::string_view why);
  // True once stopping and every probe in flight, of every generation, has completed.
  [[nodiscard]] bool drained();
  // Turns the loop until drained() (on a SystemClock; a test turns a ManualClock's loop itself).
  void run();
  // After the loop: the last detection, alerts and results written (each bounded by `limit`).
  // Returns true if nothing was left unwritten.
  bool finish(Duration limit = std::chrono::seconds(10));

  [[nodiscard]] bool stopping() const { return stopping_; }
  [[nodiscard]] const Config& config() const { return *current_.config; }
  [[nodiscard]] const Detector& detector() const { return detector_; }
  [[nodiscard]] const EventLog& told() const { return told_; }
  [[nodiscard]] const Stats& stats() const { return stats_; }
  [[nodiscard]] const ResultTally& tally() const { return tally_; }
  [[nodiscard]] const StoreWriter* writer() const { return parts_.writer.get(); }
  [[nodiscard]] std::uint64_t results() const { return results_; }
  // The Prometheus text of /metrics, as a scrape would read it now.
  [[nodiscard]] std::string metrics() const;

 private:
  // A config and the scheduler that runs it; a reload retires the old pair once its probes
  // in flight have completed (their results are still delivered and stored).
  struct Generation {
    std::unique_ptr<Config> config;
    std::unique_ptr<Scheduler> scheduler;
  };

  void take(Result&& result);
  void flush_detection(bool changes_only);
  void send_alerts(const std::vector<Notification>& notifications);
  void tick();
  void start_generation();
  void serve(HttpServer& http);
  void log_unavailable() const;

  MonitorParts parts_;
  MonitorSettings settings_;
  Stats stats_;
  Detector detector_;
  EventLog told_{EventLog::dashboard_limits};  // the latest events and waves (the store keeps them all)
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<Dashboard> dashboard_;
  ResultTally tally_;
  Generation current_;
  std::list<Generation> retiring_;
  std::unique_ptr<NameTable> names_;
  std::uint64_t results_ = 0;
  std::uint64_t ticks_ = 0;
  std::uint64_t reloads_ = 0, failed_reloads_ = 0;
  bool stopping_ = false;
  MonoTime started_at_;
};

}  // namespace blackout
