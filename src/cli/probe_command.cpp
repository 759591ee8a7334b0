// blackout probe KIND TARGET: one check, once or --count times, like blackbox_exporter's /probe.
#include <algorithm>
#include <cstdio>
#include <thread>

#include "cli/commands.hpp"
#include "cli/validators.hpp"
#include "config/adhoc.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/oneshot.hpp"
#include "engine/random.hpp"
#include "engine/signals.hpp"
#include "engine/sweep.hpp"
#include "model/result_format.hpp"
#include "probes/registry.hpp"
#include "resolve/names.hpp"
#include "util/privileges.hpp"

namespace blackout::cli {
namespace {

struct SweepOutput {
  bool json = false;
  bool quiet = false;
};

template <typename Options>
int sweep(const std::vector<SweepWorker>& workers, const Target& target, const Prefix& prefix, const Options& o) {
  const Check& check = target.checks[0];
  for (const SweepWorker& worker : workers) {
    if (!worker.probe || !worker.probe->availability().available) {
      std::fprintf(stderr, "blackout probe: %s checks cannot run here: %s\n", std::string(to_string(check.kind)).c_str(),
                   worker.probe ? worker.probe->availability().reason.c_str() : "not built yet");
      return exit_failure;
    }
  }
  std::vector<IpAddress> addresses;
  try {
    addresses = expand_prefix(prefix);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "blackout probe: %s\n", e.what());
    return exit_failure;
  }
  if (o.adhoc.lab_only)
    for (const IpAddress& ip : {addresses.front(), addresses.back()})
      if (!is_lab_address(ip)) {
        std::fprintf(stderr, "blackout probe: %s is outside loopback and the lab ranges, and --lab-only is set\n",
                     prefix.to_string().c_str());
        return exit_failure;
      }
  std::size_t ok = 0;
  const SweepStats stats =
      run_parallel_sweep(workers, target, addresses, SweepPlan{o.rate, o.max_in_flight, "cli"}, [&](Result&& result) {
        if (is_success(result.outcome)) ++ok;
        if (!o.quiet) std::puts((o.json ? result_to_json(result) : result_to_line(result)).c_str());
      });
  std::fflush(stdout);
  std::fprintf(
      stderr, "swept %zu addresses of %s: %zu answered, %zu did not; sending %.3f s (%.0f probes/s), last answer after %.3f s\n",
      stats.completed, prefix.to_string().c_str(), ok, stats.completed - ok, to_seconds(stats.sending),
      stats.sending.count() > 0 ? static_cast<double>(stats.started) / to_seconds(stats.sending) : 0.0, to_seconds(stats.total));
  return ok == stats.completed ? exit_ok : exit_failure;
}

}  // namespace

Runner add_probe_command(CLI::App& app) {
  auto* probe = app.add_subcommand("probe", "Run one check against one target and print the results");
  struct Options {
    AdhocProbe adhoc;
    std::vector<std::string> raw_options;
    int port = 0;
    int count = 1;
    double rate = 10000;
    std::size_t max_in_flight = 65536;
    bool quiet = false;
    std::string user = "nobody";
    std::string interval = "1s";
    bool json = false;
    bool list_fields = false;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  };
  auto o = std::make_shared<Options>();
  auto* list_fields =
      probe->add_flag("--list-fields", o->list_fields, "Print every result field and outcome (Markdown) and exit");
  probe->add_option("kind", o->adhoc.kind, "Check kind: icmp, tcp, http, dns, smtp, traceroute")->excludes(list_fields);
  probe
      ->add_option(
          "target", o->adhoc.target,
          "Address or host name; the URL for http; the server for dns; a prefix (e.g. 198.19.0.0/16) to sweep every address once")
      ->excludes(list_fields);
  probe->add_option("-o,--option", o->raw_options, "A parameter of the check kind as key=value (see docs/config.md), repeatable");
  probe->add_option("-p,--port", o->port, "Port (short for -o port=N)");
  probe->add_option("-c,--count", o->count, "How many rounds to run")->check(CLI::Range(1, 1000000));
  probe->add_option("-i,--interval", o->interval, "Time between the starts of two rounds");
  probe->add_option("-t,--timeout", o->adhoc.timeout, "How long each probe waits for its answer");
  probe->add_flag("--lab-only", o->adhoc.lab_only, "Refuse any address outside loopback and the lab ranges");
  probe->add_option("--resolver", o->adhoc.resolvers,
                    "A name server (ADDRESS[:PORT]) to resolve a host name TARGET with, instead of the system's; repeatable");
  probe->add_flag("--json", o->json, "Print one JSON object per result");
  probe->add_flag("-q,--quiet", o->quiet, "Print no results, only the summary (sweeps)");
  probe->add_option("--rate", o->rate, "Sweeps: most probes started per second")->check(positive_number());
  probe->add_option("--max-in-flight", o->max_in_flight, "Sweeps: most probes in flight at once")->check(positive_number());
  probe->add_option("--threads", o->threads, "Sweeps: event loops, one thread each (default: one per core)")
      ->check(CLI::Range(1u, 64u));
  probe->add_option("--user", o->user, "When started as root: the user to become once privileged sockets are open")
      ->capture_default_str();

  return [o]() -> int {
    if (o->list_fields) {
      std::fputs(fields_markdown().c_str(), stdout);
      return exit_ok;
    }
    if (o->adhoc.kind.empty() || o->adhoc.target.empty()) {
      std::fprintf(stderr, "blackout probe: KIND and TARGET are required (see --help)\n");
      return exit_failure;
    }
    for (const std::string& raw : o->raw_options) {
      std::pair<std::string, std::string> pair;
      if (!split_option(raw, pair)) {
        std::fprintf(stderr, "blackout probe: -o takes key=value, got \"%s\"\n", raw.c_str());
        return exit_failure;
      }
      o->adhoc.options.push_back(pair);
    }
    if (o->port) o->adhoc.options.emplace_back("port", std::to_string(o->port));
    // A prefix means a sweep: the check is built for its first address, then aimed at each.
    const auto sweep_prefix = Prefix::parse(o->adhoc.target);
    if (sweep_prefix) {
      if (o->adhoc.kind == "traceroute") {
        std::fprintf(stderr, "blackout probe: traceroute checks cannot sweep a prefix\n");
        return exit_failure;
      }
      o->adhoc.target = sweep_prefix->address.to_string();
      // An http sweep fetches / from each address unless -o url=... says what to fetch.
      const bool has_url =
          std::any_of(o->adhoc.options.begin(), o->adhoc.options.end(), [](const auto& kv) { return kv.first == "url"; });
      if (o->adhoc.kind == "http" && !has_url) {
        const std::string host = sweep_prefix->address.is_v4() ? o->adhoc.target : "[" + o->adhoc.target + "]";
        o->adhoc.options.emplace_back("url", "http://" + host + "/");
      }
    }
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
    // Before any sweep thread starts: signals belong to the loop's signalfd.
    block_signals({SIGINT, SIGTERM});
    SystemClock clock;
    SystemRandom random;
    // One loop and one set of probes per sweep thread; a single one otherwise.
    const unsigned loops = sweep_prefix ? o->threads : 1u;
    std::vector<std::unique_ptr<EventLoop>> event_loops;
    std::vector<std::unique_ptr<ProbeSet>> probe_sets;
    for (unsigned i = 0; i < loops; ++i) {
      event_loops.push_back(std::make_unique<EventLoop>(clock));
      probe_sets.push_back(std::make_unique<ProbeSet>(*event_loops.back(), random, ProbeSet::kinds_of(config->targets)));
    }
    EventLoop& loop = *event_loops[0];
    const ProbeSet& probes = *probe_sets[0];
    if (auto dropped = drop_privileges(o->user); !dropped) {
      std::fprintf(stderr, "blackout probe: %s\n", dropped.error().message.c_str());
      return exit_failure;
    }
    SignalWatcher signals(loop, {SIGINT, SIGTERM}, [&](int) {
      for (const auto& l : event_loops) l->stop();
    });
    if (sweep_prefix) {
      std::vector<SweepWorker> workers;
      for (unsigned i = 0; i < loops; ++i)
        workers.push_back(SweepWorker{event_loops[i].get(), probe_sets[i]->get(config->targets[0].checks[0].kind)});
      return sweep(workers, config->targets[0], *sweep_prefix, *o);
    }
    int failures = 0;
    const auto print = [&](Result&& result) {
      if (!is_success(result.outcome)) ++failures;
      std::puts((o->json ? result_to_json(result) : result_to_line(result)).c_str());
      std::fflush(stdout);
    };
    // A host name is resolved on the loop first (its lookup printed as a resolve result), and
    // again as its TTL runs out while the rounds go on.
    std::unique_ptr<NameTable> names;
    OneShotPlan plan{o->count, *interval, "cli"};
    const Target& target = config->targets[0];
    if (!target.address && !target.host.empty()) {
      try {
        names = std::make_unique<NameTable>(loop, config->resolver, print);
      } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "blackout probe: resolver: %s\n", e.what());
        return exit_failure;
      }
      names->set_targets(config->targets, "cli", config->lab_only);
      loop.run_until([&] { return names->settled(); }, clock.now() + std::chrono::seconds(60));
      plan.addresses = names.get();
    }
    std::string error;
    const bool ran = run_one_shot(loop, probes.table(), target, plan, print, error);
    if (!ran) {
      std::fprintf(stderr, "blackout probe: %s\n", error.c_str());
      return exit_failure;
    }
    return failures == 0 ? exit_ok : exit_failure;
  };
}

}  // namespace blackout::cli
