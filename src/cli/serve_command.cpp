// blackout serve: the dashboard and JSON API over a store, without probing. The store's
// results are replayed through the same detector as the live monitor (so the events are the
// ones `blackout analyze` finds), then re-read every --refresh for what a monitor writing to
// the same store has added since.
#include <cstdio>
#include <fstream>
#include <optional>
#include <set>
#include <tuple>

#include "cli/commands.hpp"
#include "cli/detection_inputs.hpp"
#include "config/loader.hpp"
#include "detect/detector.hpp"
#include "detect/event_log.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/signals.hpp"
#include "model/address.hpp"
#include "report/replay.hpp"
#include "serve/dashboard.hpp"
#include "serve/http_server.hpp"
#include "store/store.hpp"
#include "util/log.hpp"

namespace blackout::cli {
namespace {

// Results seen recently, to read an overlapping window again without counting any twice:
// a monitor's results may be written a little out of time order.
class RecentResults {
 public:
  explicit RecentResults(Duration margin) : margin_(margin) {}
  // True the first time a result is offered.
  bool first_time(const Result& r) {
    if (!seen_.insert({r.time, r.vantage, r.target, r.check, r.confirmation}).second) return false;
    if (!high_ || r.time > *high_) high_ = r.time;
    return true;
  }
  // Where the next read starts; forgets what is older than that.
  std::optional<Timestamp> next_from() {
    if (!high_) return std::nullopt;
    const Timestamp from = *high_ - margin_;
    while (!seen_.empty() && std::get<0>(*seen_.begin()) < from) seen_.erase(seen_.begin());
    return from;
  }

 private:
  Duration margin_;
  std::optional<Timestamp> high_;
  std::set<std::tuple<Timestamp, std::string, std::string, std::string, bool>> seen_;
};

}  // namespace

Runner add_serve_command(CLI::App& app) {
  auto* command = app.add_subcommand("serve", "Serve the dashboard and the JSON API from a store (replayed with the detector)");
  struct Options {
    std::string store, config, token_file;
    std::vector<std::string> allow_hosts;
    std::string listen = "127.0.0.1:8080";
    std::string refresh = "5s";
    std::string step = "10s";
  };
  auto o = std::make_shared<Options>();
  command->add_option("--store", o->store, "Store URL: sqlite:PATH or postgresql://...")->required();
  command->add_option("--config", o->config,
                      "Take targets and the detection section from this config instead of the store's history and the defaults");
  command->add_option("--listen", o->listen, "ADDRESS:PORT to serve on")->capture_default_str();
  command->add_option("--token-file", o->token_file,
                      "File holding the bearer token every request must carry; required off loopback");
  command->add_option(
      "--allow-host", o->allow_hosts,
      "A name clients may reach the server by (their Host header), repeatable; IP addresses and localhost always may");
  command->add_option("--refresh", o->refresh, "How often to read what a monitor has added to the store since")
      ->capture_default_str();
  command->add_option("--step", o->step, "The time between two points of the dashboard's series")->capture_default_str();

  return [o]() -> int {
    block_signals({SIGINT, SIGTERM});
    const auto refresh = parse_duration(o->refresh), step = parse_duration(o->step);
    if (!refresh || !step || *refresh <= Duration(0) || *step <= Duration(0)) {
      std::fprintf(stderr, "blackout serve: --refresh and --step take positive durations, e.g. 5s\n");
      return exit_failure;
    }
    auto store = open_store(o->store, StoreAccess::read_only);
    if (!store) {
      std::fprintf(stderr, "blackout serve: store %s: %s\n", o->store.c_str(), store.error().message.c_str());
      return exit_failure;
    }
    auto inputs = detection_inputs(**store, o->config);
    if (!inputs) {
      std::fprintf(stderr, "blackout serve: %s\n", inputs.error().message.c_str());
      return exit_failure;
    }
    const std::vector<Target> targets = std::move(inputs->targets);
    const DetectionParams params = inputs->params;

    HttpServerOptions options;
    options.listen = o->listen;
    options.allowed_hosts = o->allow_hosts;
    if (!o->token_file.empty()) {
      auto token = read_bearer_token(o->token_file);
      if (!token) {
        std::fprintf(stderr, "blackout serve: --token-file %s\n", token.error().message.c_str());
        return exit_failure;
      }
      options.bearer_token = std::move(*token);
    }
    SystemClock clock;
    EventLoop loop(clock);
    auto started = HttpServer::start(loop, options);
    if (!started) {
      std::fprintf(stderr, "blackout serve: --listen: %s\n", started.error().message.c_str());
      return exit_failure;
    }
    HttpServer& http = **started;

    Detector detector(targets, params);
    EventLog told(EventLog::dashboard_limits);
    if (auto told_stored = tell_stored_before_results(**store, told); !told_stored) {
      std::fprintf(stderr, "blackout serve: cannot read the store %s: %s\n", (*store)->describe().c_str(),
                   told_stored.error().message.c_str());
      return exit_failure;
    }
    DashboardSources sources;
    sources.detector = &detector;
    sources.events = &told;
    sources.targets = [&]() -> const std::vector<Target>& { return targets; };
    sources.now = [&] { return clock.wall_now(); };
    sources.stress_threshold = stress_index_threshold;
    Dashboard dashboard(http, std::move(sources));
    http.route("/healthz", [] {
      HttpResponse r;
      r.body = "ok\n";
      return r;
    });

    // Points of the series fall on multiples of --step in the results' own time.
    std::optional<Timestamp> next_point;
    const std::size_t most_points = HistoryOptions{}.max_points;
    RecentResults recent(std::chrono::minutes(2));
    std::int64_t replayed = 0;
    const auto read_new = [&]() -> bool {
      ResultQuery query;
      query.arrival_order = true;
      query.from = recent.next_from();
      const auto read = (*store)->read_results(query, [&](Result&& r) {
        if (!recent.first_time(r)) return true;
        if (!next_point) next_point = Timestamp(r.time - r.time.time_since_epoch() % *step) + *step;
        // A long silence: skip to the last points that can be kept rather than fill the gap.
        if (r.time - *next_point > *step * static_cast<std::int64_t>(most_points))
          next_point = Timestamp(r.time - r.time.time_since_epoch() % *step) - *step * static_cast<std::int64_t>(most_points);
        while (r.time >= *next_point) {
          dashboard.snapshot(*next_point);
          *next_point += *step;
        }
        detector.add(r);
        dashboard.add(r);
        ++replayed;
        return true;
      });
      if (!read) {
        log::warn("serve.read_failed", {{"store", (*store)->describe()}, {"error", read.error().message}});
        return false;
      }
      dashboard.publish(detector.take_new_state_changes());
      told.take_from(detector);
      return true;
    };
    if (!read_new()) {
      std::fprintf(stderr, "blackout serve: cannot read the store %s\n", (*store)->describe().c_str());
      return exit_failure;
    }
    log::info("serve.listening", {{"address", http.address()},
                                  {"store", (*store)->describe()},
                                  {"results", replayed},
                                  {"events", told.event_count()},
                                  {"token", o->token_file.empty() ? "none" : "required"}});
    std::function<void()> refresh_tick = [&] {
      read_new();
      loop.after(*refresh, refresh_tick);
    };
    loop.after(*refresh, refresh_tick);
    bool stopping = false;
    SignalWatcher signals(loop, {SIGINT, SIGTERM}, [&](int) { stopping = true; });
    loop.run_until([&] { return stopping; }, MonoTime::max());
    log::info("serve.stopped", {{"results", replayed}});
    return exit_ok;
  };
}

}  // namespace blackout::cli
