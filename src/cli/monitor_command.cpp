// blackout monitor CONFIG: run every check on its schedule, print and store the results.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <list>

#include "alert/delivery.hpp"
#include "alert/notifier.hpp"
#include "bgp/bgp_probe.hpp"
#include "bgp/collector.hpp"
#include "cli/commands.hpp"
#include "cli/validators.hpp"
#include "config/loader.hpp"
#include "config/values.hpp"
#include "detect/detector.hpp"
#include "detect/event_log.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/random.hpp"
#include "engine/scheduler.hpp"
#include "engine/signals.hpp"
#include "model/address.hpp"
#include "model/result_format.hpp"
#include "probes/registry.hpp"
#include "report/event_text.hpp"
#include "resolve/names.hpp"
#include "serve/dashboard.hpp"
#include "serve/http_server.hpp"
#include "serve/metrics.hpp"
#include "store/writer.hpp"
#include "util/log.hpp"
#include "util/privileges.hpp"
#include "util/strings.hpp"

namespace blackout::cli {
namespace {

// The SQLite files must stay writable once root is dropped: they become the user's, each
// through a descriptor that does not follow a symbolic link (store/sqlite/files.hpp).
Expected<Done> hand_store_to(const std::string& store_url, const std::string& user) {
  if (geteuid() != 0 || user == "root" || store_url == "none") return Done{};
  // No other thread looks users up (getpwnam's buffer is shared only with getpw* calls).
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  const passwd* entry = getpwnam(user.c_str());
  if (!entry) return Done{};  // drop_privileges says so
  if (auto handed = hand_store_files_to(store_url, entry->pw_uid, entry->pw_gid); !handed)
    return make_error(handed.error().message);
  return Done{};
}

void log_unavailable(const ProbeSet& probes, const Config& config) {
  for (const auto& [kind, reason] : probes.unavailable()) {
    std::size_t affected = 0;
    for (const Target& target : config.targets)
      for (const Check& check : target.checks) affected += check.kind == kind ? 1 : 0;
    if (affected > 0) log::warn("checks.cannot_run", {{"kind", to_string(kind)}, {"checks", affected}, {"reason", reason}});
  }
}

}  // namespace

Runner add_monitor_command(CLI::App& app) {
  auto* monitor = app.add_subcommand("monitor", "Run the checks of a config on their schedule, print and store the results");
  struct Options {
    std::string config;
    std::string vantage;
    std::string store;
    std::string duration;
    std::string status_file;
    double rate = 5000;
    std::size_t max_in_flight = 4096;
    std::size_t max_queue = 1'000'000;
    bool json = false;
    bool quiet = false;
    std::string user = "nobody";
    std::string listen;
    std::string token_file;
    std::vector<std::string> allow_hosts;
  };
  auto o = std::make_shared<Options>();
  monitor->add_option("config", o->config, "Config file")->required();
  monitor->add_option("--vantage", o->vantage, "Vantage name (overrides the config's)");
  monitor->add_option("--store", o->store,
                      "Store URL: sqlite:PATH or postgresql://... (overrides the config's); 'none' stores nothing");
  monitor->add_option("--duration", o->duration, "Stop by itself after this long (e.g. 30s); default: run until SIGINT/SIGTERM");
  monitor->add_option("--rate", o->rate, "Most probes started per second, all checks together")->check(positive_number());
  monitor->add_option("--max-in-flight", o->max_in_flight, "Most probes in flight at once")->check(positive_number());
  monitor->add_option("--max-queue", o->max_queue, "Most results held in memory while the store cannot take them")
      ->check(positive_number());
  monitor->add_option("--status-file", o->status_file, "Rewrite this file with the store writer's counters after each commit");
  monitor->add_flag("--json", o->json, "Print one JSON object per result");
  monitor->add_flag("-q,--quiet", o->quiet, "Print no results, only the closing summary");
  monitor->add_option("--user", o->user, "When started as root: the user to become once privileged sockets are open")
      ->capture_default_str();
  monitor->add_option("--listen", o->listen,
                      "Serve the dashboard (/), Prometheus metrics (/metrics) and the JSON API (/api/v1/...) on ADDRESS:PORT, "
                      "e.g. 127.0.0.1:9813; off by default");
  monitor->add_option("--token-file", o->token_file,
                      "File holding the bearer token every request to --listen must carry; required for an address off loopback");
  monitor->add_option(
      "--allow-host", o->allow_hosts,
      "A name clients may reach --listen by (their Host header), repeatable; IP addresses and localhost always may");

  return [o]() -> int {
    // Before the store writer's thread starts: signals belong to the loop's signalfd.
    block_signals({SIGINT, SIGTERM, SIGHUP});
    auto loaded = load_config_file(o->config);
    if (!loaded) throw ConfigLoadError(loaded.error());
    auto config = std::make_unique<Config>(std::move(*loaded));
    if (!o->vantage.empty()) config->vantage = o->vantage;
    if (!o->store.empty()) config->store = o->store;
    std::optional<Duration> duration;
    if (!o->duration.empty()) {
      auto parsed = parse_duration(o->duration);
      if (!parsed) {
        std::fprintf(stderr, "blackout monitor: --duration: %s\n", parsed.error().message.c_str());
        return exit_failure;
      }
      duration = *parsed;
    }

    // The store first: a monitor that cannot record what it sees says so and does not start.
    // Then one monitor per SQLite file (locked once the file is known to be a store, so that
    // someone else's database gets no lock file beside it).
    std::unique_ptr<StoreLock> store_lock;  // outlives the writer, whose last writes it guards
    std::unique_ptr<StoreWriter> writer;
    if (config->store != "none") {
      auto store = open_store(config->store);
      if (!store) {
        std::fprintf(stderr, "blackout monitor: store %s: %s\n", config->store.c_str(), store.error().message.c_str());
        return exit_failure;
      }
      auto locked = lock_store_for_monitor(config->store);
      if (!locked) {
        std::fprintf(stderr, "blackout monitor: store %s: %s\n", config->store.c_str(), locked.error().message.c_str());
        return exit_failure;
      }
      store_lock = std::move(*locked);
      WriterOptions options;
      options.max_queue = o->max_queue;
      options.raw_retention = config->retention.raw;
      options.rollup_retention = config->retention.rollups;
      options.status_file = o->status_file;
      writer = std::make_unique<StoreWriter>(std::move(*store), options);
    }

    SystemClock clock;
    EventLoop loop(clock);
    SystemRandom random;
    // Every kind, so that a reload may add kinds without needing privileges again.
    ProbeSet probes(loop, random);
    // The BGP feed of the bgp checks, started before privileges go (a passive session may
    // listen on port 179). Its sessions stay as they are across reloads.
    std::unique_ptr<bgp::Collector> collector;
    if (!config->bgp.sessions.empty()) {
      collector =
          std::make_unique<bgp::Collector>(loop, config->bgp, [](const std::string& name, const bgp::SessionChange& change) {
            // A lost session is worth a warning; connection attempts that fail while the peer
            // is away are not news each time, and closing our own sessions at stop is none.
            if (change.reason == bgp::DownReason::stopped) return;
            const bool lost = change.from == bgp::SessionState::established;
            const bool up = change.to == bgp::SessionState::established;
            if (!lost && !up && (change.reason == bgp::DownReason::none || change.reason == bgp::DownReason::connect_failed))
              return;
            log::logger().write(up ? log::Level::info : log::Level::warn,
                                up     ? "bgp.session_established"
                                : lost ? "bgp.session_lost"
                                       : "bgp.session_failed",
                                {{"session", name},
                                 {"from", bgp::to_string(change.from)},
                                 {"to", bgp::to_string(change.to)},
                                 {"reason", bgp::to_string(change.reason)},
                                 {"detail", change.detail}});
          });
      if (auto started = collector->start(); !started) {
        std::fprintf(stderr, "blackout monitor: %s\n", started.error().message.c_str());
        return exit_failure;
      }
      probes.install(std::make_unique<bgp::BgpProbe>(loop, *collector));
    }
    if (auto handed = hand_store_to(config->store, o->user); !handed) {
      std::fprintf(stderr, "blackout monitor: store %s: %s\n", config->store.c_str(), handed.error().message.c_str());
      return exit_failure;
    }
    if (!o->status_file.empty()) {
      // Created now, while we may still be root, and handed to the user we become.
      // Not through a symbolic link: root would hand the file it points at to the user.
      const int fd = ::open(o->status_file.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0) {
        std::fprintf(stderr, "blackout monitor: --status-file %s: %s\n", o->status_file.c_str(), errno_text(errno).c_str());
        return exit_failure;
      }
      // NOLINTNEXTLINE(concurrency-mt-unsafe): as in hand_store_to
      if (const passwd* entry = getpwnam(o->user.c_str()); entry && geteuid() == 0)
        (void)fchown(fd, entry->pw_uid, entry->pw_gid);
      ::close(fd);
    }
    // The metrics and state endpoint, bound before privileges go (a port under 1024 may be
    // asked for). Read-only; off loopback only with a token.
    std::unique_ptr<HttpServer> http;
    if (!o->listen.empty()) {
      HttpServerOptions options;
      options.listen = o->listen;
      options.allowed_hosts = o->allow_hosts;
      if (!o->token_file.empty()) {
        auto token = read_bearer_token(o->token_file);
        if (!token) {
          std::fprintf(stderr, "blackout monitor: --token-file %s\n", token.error().message.c_str());
          return exit_failure;
        }
        options.bearer_token = std::move(*token);
      }
      auto started = HttpServer::start(loop, options);
      if (!started) {
        std::fprintf(stderr, "blackout monitor: --listen: %s\n", started.error().message.c_str());
        return exit_failure;
      }
      http = std::move(*started);
    }
    if (auto dropped = drop_privileges(o->user); !dropped) {
      std::fprintf(stderr, "blackout monitor: %s\n", dropped.error().message.c_str());
      return exit_failure;
    } else {
      log::info("privileges", {{"state", *dropped}});
    }
    log_unavailable(probes, *config);

    // Detection runs on every result as it arrives, in the order it arrives: the order the
    // store keeps, so that `blackout analyze` replays exactly what happened here.
    Detector detector(config->targets, config->detection);
    // What it told, for the dashboard: the latest events and waves (the store keeps them all).
    EventLog told(EventLog::dashboard_limits);
    // Alerts follow the config the monitor started with (a reload does not change them).
    std::unique_ptr<Notifier> notifier;
    std::unique_ptr<AlertDelivery> delivery;
    if (!config->alerts.rules.empty()) {
      notifier = std::make_unique<Notifier>(config->alerts, config->targets);
      DeliveryOptions options;
      options.vantage = config->vantage;
      delivery = std::make_unique<AlertDelivery>(config->alerts.channels, options);
    }
    const auto send_alerts = [&](const std::vector<Notification>& notifications) {
      for (const Notification& n : notifications) {
        log::info("alert", {{"incident", n.incident}, {"kind", to_string(n.kind)}, {"title", n.title}});
        delivery->submit(n);
      }
    };
    // The dashboard and its API, when --listen is given (set up with the routes below).
    std::unique_ptr<Dashboard> dashboard;
    // changes_only: the state changes go out at once (log, store, alerts, dashboard); events
    // and waves, signed as they stand, wait for the once-a-second tick so that a mass outage
    // of thousands of targets costs one signing a second, not one each. Only what changed
    // since the last tick is taken (and stored): the detector forgets what it handed over.
    const auto flush_detection = [&](bool changes_only = false) {
      auto changes = detector.take_new_state_changes();
      if (dashboard) dashboard->publish(changes);
      if (notifier)
        for (const StateChange& c : changes) send_alerts(notifier->add(c));
      for (const StateChange& c : changes)
        if (c.scope != Scope::target && c.vantage.empty())
          log::info("state.change", {{"scope", to_string(c.scope)},
                                     {"subject", c.subject},
                                     {"from", to_string(c.from)},
                                     {"to", to_string(c.to)},
                                     {"at", format_rfc3339(c.time)}});
      EventLog::Told events;
      if (!changes_only) events = told.take_from(detector);
      if (!writer || (changes.empty() && events.events.empty() && events.waves.empty())) return;
      writer->submit_detection(std::move(changes), std::move(events.events), std::move(events.waves));
    };

    std::uint64_t results = 0;
    ResultTally tally;
    SchedulerLimits limits;
    limits.max_probes_per_second = o->rate;
    limits.max_in_flight = o->max_in_flight;
    const auto sink = [&](Result&& result) {
      ++results;
      tally.add(result);
      detector.add(result);
      if (dashboard) dashboard->add(result);
      // A state change is told (logged, stored) at once: the tick only refreshes open events.
      if (detector.has_new_state_changes()) flush_detection(true);
      if (!o->quiet) {
        std::puts((o->json ? result_to_json(result) : result_to_line(result)).c_str());
        std::fflush(stdout);
      }
      if (writer) writer->submit(std::move(result));
    };
    // A reload replaces the config and the scheduler; the old ones retire once their probes
    // in flight have completed (their results are still delivered and stored).
    struct Generation {
      std::unique_ptr<Config> config;
      std::unique_ptr<Scheduler> scheduler;
    };
    std::list<Generation> retiring;
    Generation current{std::move(config), nullptr};
    // Host names, resolved on the loop; each lookup is a resolve result through the same sink.
    // The resolver's settings are read at start; a reload changes its names only.
    std::unique_ptr<NameTable> names;
    try {
      names = std::make_unique<NameTable>(loop, current.config->resolver, sink);
    } catch (const std::runtime_error& e) {
      std::fprintf(stderr, "blackout monitor: resolver: %s\n", e.what());
      return exit_failure;
    }
    names->set_targets(current.config->targets, current.config->vantage, current.config->lab_only);
    current.scheduler =
        std::make_unique<Scheduler>(loop, random, current.config->targets, probes.table(), current.config->vantage, sink, limits);
    current.scheduler->set_address_book(names.get());
    if (writer) writer->submit_config(*current.config, clock.wall_now());

    bool stopping = false;
    const auto begin_stop = [&](const char* why) {
      if (stopping) return;
      stopping = true;
      log::info("monitor.stopping", {{"why", why}, {"in_flight", current.scheduler->counters().in_flight}});
      current.scheduler->stop();
    };
    const auto reload = [&] {
      auto reloaded = load_config_file(o->config);
      if (!reloaded) {
        for (const ConfigError& error : reloaded.error()) log::error("config.reload_failed", {{"error", error.to_string()}});
        log::warn("config.kept", {{"config", o->config}, {"why", "the new file does not load; the running config stays"}});
        return;
      }
      auto next = std::make_unique<Config>(std::move(*reloaded));
      next->vantage = current.config->vantage;
      next->store = current.config->store;
      current.scheduler->stop();
      retiring.push_back(std::move(current));
      current = Generation{std::move(next), nullptr};
      names->set_targets(current.config->targets, current.config->vantage, current.config->lab_only);
      current.scheduler = std::make_unique<Scheduler>(loop, random, current.config->targets, probes.table(),
                                                      current.config->vantage, sink, limits);
      current.scheduler->set_address_book(names.get());
      current.scheduler->start();
      detector.set_targets(current.config->targets);
      if (writer) writer->submit_config(*current.config, clock.wall_now());
      log_unavailable(probes, *current.config);
      log::info("config.reloaded",
                {{"config", o->config}, {"targets", current.config->targets.size()}, {"checks", current.scheduler->scheduled()}});
    };
    SignalWatcher signals(loop, {SIGINT, SIGTERM, SIGHUP}, [&](int signal) {
      if (signal == SIGHUP) {
        if (!stopping) reload();
        return;
      }
      begin_stop(signal == SIGINT ? "SIGINT" : "SIGTERM");
    });
    if (duration) loop.after(*duration, [&] { begin_stop("duration reached"); });
    std::uint64_t detection_ticks = 0;
    std::function<void()> detection_tick = [&] {
      flush_detection();
      // The dashboard's history gets a point every 2 s: 720 points then hold 24 minutes.
      if (dashboard && ++detection_ticks % 2 == 0) dashboard->snapshot(clock.wall_now());
      if (notifier) send_alerts(notifier->tick(clock.wall_now()));
      loop.after(std::chrono::seconds(1), detection_tick);
    };
    loop.after(std::chrono::seconds(1), detection_tick);
    const MonoTime started_at = clock.now();
    if (http) {
      http->route("/metrics", [&] {
        HealthReading health;
        const SchedulerCounters& c = current.scheduler->counters();
        health.probes_launched = c.launched;
        health.probes_completed = c.completed;
        health.confirmations = c.confirmations;
        health.late_ticks = c.late_ticks;
        health.lost_probes = c.lost;
        health.in_flight = c.in_flight;
        health.ready = c.ready;
        if (writer) {
          const WriterCounters& w = writer->counters();
          health.store_configured = true;
          health.store_healthy = w.healthy.load();
          health.results_stored = w.committed.load();
          health.results_dropped = w.dropped.load();
          health.failed_writes = w.failed_writes.load();
          health.store_queue = w.queued.load();
          health.last_write_seconds = static_cast<double>(w.last_write_us.load()) / 1e6;
        }
        if (delivery) {
          const DeliveryCounters& a = delivery->counters();
          health.alerts_configured = true;
          health.alerts_delivered = a.delivered.load();
          health.alert_failed_attempts = a.failed_attempts.load();
          health.alerts_given_up = a.given_up.load();
          health.alerts_dropped = a.dropped.load();
          health.alerts_queued = a.queued.load();
        }
        if (collector)
          for (const bgp::PeerStatus& peer : collector->peers())
            health.bgp_sessions.push_back(BgpSessionReading{
                peer.name, peer.state == bgp::SessionState::established, peer.table_complete_v4 || peer.table_complete_v6,
                peer.counters.established, peer.counters.updates, peer.counters.announcements, peer.counters.withdrawals,
                peer.counters.malformed});
        health.http_requests = http->counters().requests;
        health.http_rejected = http->counters().rejected;
        health.uptime_seconds = to_seconds(clock.now() - started_at);
        HttpResponse r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = render_prometheus(tally, detector.target_statuses(), detector.aggregate_statuses(), health);
        return r;
      });
      // The dashboard at /, the JSON API under /api/v1/ and its live stream.
      DashboardSources sources;
      sources.detector = &detector;
      sources.events = &told;
      sources.targets = [&]() -> const std::vector<Target>& { return current.config->targets; };
      sources.now = [&] { return clock.wall_now(); };
      sources.stress_threshold = stress_index_threshold;
      dashboard = std::make_unique<Dashboard>(*http, std::move(sources));
      http->route("/healthz", [&] {
        HttpResponse r;
        const bool healthy = !writer || writer->counters().healthy.load();
        r.status = healthy ? 200 : 503;
        r.body = healthy ? "ok\n" : "the store is not accepting writes\n";
        return r;
      });
      log::info("http.listening", {{"address", http->address()},
                                   {"paths", "/ /metrics /api/v1/{state,targets,events,series,chart,stream} /healthz"},
                                   {"token", o->token_file.empty() ? "none" : "required"}});
    }
    if (names->size() > 0) {
      // The first lookups before the first probes, so that no check starts with "not resolved
      // yet". c-ares ends each lookup by itself; the bound only guards against a bug.
      const ResolverConfig& r = current.config->resolver;
      const int servers = static_cast<int>(std::max<std::size_t>(1, r.servers.size()));
      const Duration bound =
          std::min<Duration>(r.timeout * (1 << r.tries) * servers + std::chrono::seconds(1), std::chrono::seconds(60));
      loop.run_until([&] { return names->settled(); }, clock.now() + bound);
      log::info("resolve.started",
                {{"names", names->size()}, {"servers", names->servers()}, {"settled", names->settled() ? "yes" : "no"}});
    }
    log::info("monitor.started", {{"config", o->config},
                                  {"vantage", current.config->vantage},
                                  {"targets", current.config->targets.size()},
                                  {"checks", current.scheduler->scheduled()},
                                  {"names", names->size()},
                                  {"store", writer ? writer->describe() : "none"},
                                  {"bgp_sessions", current.config->bgp.sessions.size()}});
    if (!stopping) current.scheduler->start();  // a signal may have come during the first lookups
    loop.run_until(
        [&] {
          retiring.remove_if([](const Generation& g) { return g.scheduler->idle(); });
          return stopping && current.scheduler->idle() && retiring.empty();
        },
        MonoTime::max());
    if (collector) collector->stop();
    flush_detection();
    if (notifier) {
      send_alerts(notifier->flush(clock.wall_now()));
      if (const std::size_t left = delivery->stop(std::chrono::seconds(10)); left > 0)
        log::warn("alerts.undelivered",
                  {{"messages", left}, {"why", "the monitor is stopping and the receivers did not take them in 10 s"}});
    }
    const SchedulerCounters& c = current.scheduler->counters();
    bool all_written = true;
    if (writer) all_written = writer->flush_and_stop(std::chrono::seconds(10));
    log::info("monitor.stopped", {{"results", results},
                                  {"launched", c.launched},
                                  {"confirmations", c.confirmations},
                                  {"lost", c.lost},
                                  {"stored", writer ? writer->counters().committed.load() : 0},
                                  {"dropped", writer ? writer->counters().dropped.load() : 0}});
    return all_written ? exit_ok : exit_failure;
  };
}

}  // namespace blackout::cli
