// blackout monitor CONFIG: run every check on its schedule and print the results.
#include <cstdio>

#include "cli/commands.hpp"
#include "config/loader.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/random.hpp"
#include "engine/scheduler.hpp"
#include "engine/signals.hpp"
#include "model/result_format.hpp"
#include "probes/registry.hpp"
#include "util/log.hpp"
#include "util/privileges.hpp"

namespace blackout::cli {

Runner add_monitor_command(CLI::App& app) {
  auto* monitor = app.add_subcommand("monitor", "Run the checks of a config on their schedule and print the results");
  struct Options {
    std::string config;
    std::string vantage;
    std::string duration;
    double rate = 5000;
    std::size_t max_in_flight = 4096;
    bool json = false;
    bool quiet = false;
    std::string user = "nobody";
  };
  auto o = std::make_shared<Options>();
  monitor->add_option("config", o->config, "Config file")->required();
  monitor->add_option("--vantage", o->vantage, "Vantage name (overrides the config's)");
  monitor->add_option("--duration", o->duration, "Stop by itself after this long (e.g. 30s); default: run until SIGINT/SIGTERM");
  monitor->add_option("--rate", o->rate, "Most probes started per second, all checks together")->check(CLI::PositiveNumber);
  monitor->add_option("--max-in-flight", o->max_in_flight, "Most probes in flight at once")->check(CLI::PositiveNumber);
  monitor->add_flag("--json", o->json, "Print one JSON object per result");
  monitor->add_flag("-q,--quiet", o->quiet, "Print no results, only the closing summary");
  monitor->add_option("--user", o->user, "When started as root: the user to become once privileged sockets are open")->capture_default_str();

  return [o]() -> int {
    auto loaded = load_config_file(o->config);
    if (!loaded) throw ConfigLoadError(loaded.error());
    Config config = std::move(*loaded);
    if (!o->vantage.empty()) config.vantage = o->vantage;
    std::optional<Duration> duration;
    if (!o->duration.empty()) {
      auto parsed = parse_duration(o->duration);
      if (!parsed) {
        std::fprintf(stderr, "blackout monitor: --duration: %s\n", parsed.error().message.c_str());
        return exit_failure;
      }
      duration = *parsed;
    }

    SystemClock clock;
    EventLoop loop(clock);
    SystemRandom random;
    ProbeSet probes(loop, random, ProbeSet::kinds_of(config.targets));
    if (auto dropped = drop_privileges(o->user); !dropped) {
      std::fprintf(stderr, "blackout monitor: %s\n", dropped.error().message.c_str());
      return exit_failure;
    } else {
      log::info("privileges", {{"state", *dropped}});
    }
    for (const auto& [kind, reason] : probes.unavailable()) {
      std::size_t affected = 0;
      for (const Target& target : config.targets)
        for (const Check& check : target.checks) affected += check.kind == kind ? 1 : 0;
      if (affected > 0)
        log::warn("checks.cannot_run", {{"kind", to_string(kind)}, {"checks", affected}, {"reason", reason}});
    }

    std::uint64_t printed = 0;
    SchedulerLimits limits;
    limits.max_probes_per_second = o->rate;
    limits.max_in_flight = o->max_in_flight;
    Scheduler scheduler(loop, random, config.targets, probes.table(), config.vantage,
                        [&](Result&& result) {
                          ++printed;
                          if (o->quiet) return;
                          std::puts((o->json ? result_to_json(result) : result_to_line(result)).c_str());
                          std::fflush(stdout);
                        },
                        limits);
    bool stopping = false;
    const auto begin_stop = [&](const char* why) {
      if (stopping) return;
      stopping = true;
      log::info("monitor.stopping", {{"why", why}, {"in_flight", scheduler.counters().in_flight}});
      scheduler.stop();
    };
    SignalWatcher signals(loop, {SIGINT, SIGTERM}, [&](int signal) { begin_stop(signal == SIGINT ? "SIGINT" : "SIGTERM"); });
    if (duration) loop.after(*duration, [&] { begin_stop("duration reached"); });
    log::info("monitor.started", {{"config", o->config}, {"vantage", config.vantage}, {"targets", config.targets.size()},
                                  {"checks", scheduler.scheduled()}});
    scheduler.start();
    loop.run_until([&] { return stopping && scheduler.idle(); }, MonoTime::max());
    const SchedulerCounters& c = scheduler.counters();
    log::info("monitor.stopped", {{"results", printed}, {"launched", c.launched}, {"confirmations", c.confirmations},
                                  {"lost", c.lost}, {"late_ticks", c.late_ticks}});
    return exit_ok;
  };
}

}  // namespace blackout::cli
