// blackout probe KIND TARGET: one check, once or --count times, like blackbox_exporter's /probe.
#include <cstdio>

#include "cli/commands.hpp"
#include "config/adhoc.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/oneshot.hpp"
#include "engine/random.hpp"
#include "engine/signals.hpp"
#include "model/result_format.hpp"
#include "probes/registry.hpp"

namespace blackout::cli {

Runner add_probe_command(CLI::App& app) {
  auto* probe = app.add_subcommand("probe", "Run one check against one target and print the results");
  struct Options {
    AdhocProbe adhoc;
    std::vector<std::string> raw_options;
    int port = 0;
    int count = 1;
    std::string interval = "1s";
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  probe->add_option("kind", o->adhoc.kind, "Check kind: icmp, tcp, http, dns, smtp, traceroute")->required();
  probe->add_option("target", o->adhoc.target, "Address or host name; the URL for http; the server for dns")->required();
  probe->add_option("-o,--option", o->raw_options, "A parameter of the check kind as key=value (see docs/config.md), repeatable");
  probe->add_option("-p,--port", o->port, "Port (short for -o port=N)");
  probe->add_option("-c,--count", o->count, "How many rounds to run")->check(CLI::Range(1, 1000000));
  probe->add_option("-i,--interval", o->interval, "Time between the starts of two rounds");
  probe->add_option("-t,--timeout", o->adhoc.timeout, "How long each probe waits for its answer");
  probe->add_flag("--lab-only", o->adhoc.lab_only, "Refuse any address outside loopback and the lab ranges");
  probe->add_flag("--json", o->json, "Print one JSON object per result");

  return [o]() -> int {
    for (const std::string& raw : o->raw_options) {
      std::pair<std::string, std::string> pair;
      if (!split_option(raw, pair)) {
        std::fprintf(stderr, "blackout probe: -o takes key=value, got \"%s\"\n", raw.c_str());
        return exit_failure;
      }
      o->adhoc.options.push_back(pair);
    }
    if (o->port) o->adhoc.options.emplace_back("port", std::to_string(o->port));
    auto config = adhoc_config(o->adhoc);
    if (!config) {
      for (const ConfigError& error : config.error()) std::fprintf(stderr, "blackout probe: %s\n", error.to_string().c_str());
      return exit_failure;
    }
    const auto interval = parse_duration(o->interval);
    if (!interval) {
      std::fprintf(stderr, "blackout probe: --interval: %s\n", interval.error().message.c_str());
      return exit_failure;
    }
    SystemClock clock;
    EventLoop loop(clock);
    SystemRandom random;
    ProbeSet probes(loop, random);
    SignalWatcher signals(loop, {SIGINT, SIGTERM}, [&](int) { loop.stop(); });
    int failures = 0;
    std::string error;
    const bool ran = run_one_shot(loop, probes.table(), config->targets[0], OneShotPlan{o->count, *interval, "cli"},
                                  [&](Result&& result) {
                                    if (!is_success(result.outcome)) ++failures;
                                    std::puts((o->json ? result_to_json(result) : result_to_line(result)).c_str());
                                    std::fflush(stdout);
                                  },
                                  error);
    if (!ran) {
      std::fprintf(stderr, "blackout probe: %s\n", error.c_str());
      return exit_failure;
    }
    return failures == 0 ? exit_ok : exit_failure;
  };
}

}  // namespace blackout::cli
