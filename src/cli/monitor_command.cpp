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
#include "bgp/bgp_probe.hpp"
#include "bgp/collector.hpp"
#include "cli/commands.hpp"
#include "cli/validators.hpp"
#include "config/loader.hpp"
#include "config/values.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/random.hpp"
#include "engine/signals.hpp"
#include "model/result_format.hpp"
#include "monitor/monitor.hpp"
#include "probes/registry.hpp"
#include "serve/http_server.hpp"
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
    std::unique_ptr<Store> store;
    if (config->store != "none") {
      auto opened = open_store(config->store);
      if (!opened) {
        std::fprintf(stderr, "blackout monitor: store %s: %s\n", config->store.c_str(), opened.error().message.c_str());
        return exit_failure;
      }
      auto locked = lock_store_for_monitor(config->store);
      if (!locked) {
        std::fprintf(stderr, "blackout monitor: store %s: %s\n", config->store.c_str(), locked.error().message.c_str());
        return exit_failure;
      }
      store_lock = std::move(*locked);
      store = std::move(*opened);
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
      collector = std::make_unique<bgp::Collector>(loop, config->bgp, log_session_change);
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

    std::unique_ptr<AlertSink> alerts;
    if (!config->alerts.rules.empty()) {
      DeliveryOptions options;
      options.vantage = config->vantage;
      alerts = std::make_unique<AlertDelivery>(config->alerts.channels, options, clock);
    }
    std::unique_ptr<StoreWriter> writer;
    if (store) {
      WriterOptions options;
      options.max_queue = o->max_queue;
      options.raw_retention = config->retention.raw;
      options.rollup_retention = config->retention.rollups;
      options.status_file = o->status_file;
      writer = std::make_unique<StoreWriter>(std::move(store), options, clock);
    }
    MonitorSettings settings;
    settings.config_name = o->config;
    settings.limits.max_probes_per_second = o->rate;
    settings.limits.max_in_flight = o->max_in_flight;
    if (!o->quiet)
      settings.on_result = [json = o->json](const Result& result) {
        std::puts((json ? result_to_json(result) : result_to_line(result)).c_str());
        std::fflush(stdout);
      };
    MonitorParts parts{clock,
                       loop,
                       random,
                       probes,
                       [path = o->config] { return load_config_file(path); },
                       std::move(writer),
                       std::move(alerts),
                       collector.get(),
                       http.get()};
    std::unique_ptr<Monitor> running;
    try {
      running = std::make_unique<Monitor>(std::move(parts), std::move(*config), std::move(settings));
    } catch (const std::runtime_error& e) {
      std::fprintf(stderr, "blackout monitor: resolver: %s\n", e.what());
      return exit_failure;
    }
    SignalWatcher signals(loop, {SIGINT, SIGTERM, SIGHUP}, [&](int signal) {
      if (signal == SIGHUP) {
        if (!running->stopping()) running->reload();
        return;
      }
      running->stop(signal == SIGINT ? "SIGINT" : "SIGTERM");
    });
    if (duration) loop.after(*duration, [&] { running->stop("duration reached"); });
    if (http)
      log::info("http.listening", {{"address", http->address()},
                                   {"paths", "/ /metrics /api/v1/{state,targets,events,series,chart,stream} /healthz"},
                                   {"token", o->token_file.empty() ? "none" : "required"}});
    running->start();
    running->run();
    const bool all_written = running->finish(std::chrono::seconds(10));
    return all_written ? exit_ok : exit_failure;
  };
}

}  // namespace blackout::cli
