// blackout analyze: recompute states, events and waves from stored results, with the same
// detector the live monitor runs.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/detection_inputs.hpp"
#include "config/loader.hpp"
#include "report/event_text.hpp"
#include "report/replay.hpp"
#include "store/store.hpp"

namespace blackout::cli {

Runner add_analyze_command(CLI::App& app) {
  auto* command = app.add_subcommand("analyze", "Recompute states, events and waves from stored results");
  struct Options {
    std::string store, from, to, config;
    std::string format = "text";
  };
  auto o = std::make_shared<Options>();
  command->add_option("--store", o->store, "Store URL: sqlite:PATH or postgresql://...")->required();
  command->add_option("--from", o->from, "First instant, RFC 3339, inclusive");
  command->add_option("--to", o->to, "Last instant, RFC 3339, exclusive");
  command->add_option("--config", o->config,
                      "Take targets (layers, weights, control) and the detection section from this config instead of the store's "
                      "history and the defaults");
  command->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();

  return [o]() -> int {
    ResultQuery query;
    query.arrival_order = true;
    for (auto [text, slot, name] : {std::tuple{&o->from, &query.from, "--from"}, std::tuple{&o->to, &query.to, "--to"}}) {
      if (text->empty()) continue;
      const auto parsed = parse_rfc3339(*text);
      if (!parsed) {
        std::fprintf(stderr, "blackout analyze: %s: %s\n", name, parsed.error().message.c_str());
        return exit_failure;
      }
      *slot = *parsed;
    }
    auto store = open_store(o->store, StoreAccess::read_only);
    if (!store) {
      std::fprintf(stderr, "blackout analyze: store %s: %s\n", o->store.c_str(), store.error().message.c_str());
      return exit_failure;
    }
    const auto inputs = detection_inputs(**store, o->config);
    if (!inputs) {
      std::fprintf(stderr, "blackout analyze: %s\n", inputs.error().message.c_str());
      return exit_failure;
    }
    const auto analysis = analyze_store(**store, inputs->targets, inputs->params, query);
    if (!analysis) {
      std::fprintf(stderr, "blackout analyze: %s\n", analysis.error().message.c_str());
      return exit_failure;
    }
    const auto& events = analysis->events;
    const auto& waves = analysis->waves;
    if (o->format == "json") std::printf("%s\n", events_to_json(events, waves).c_str());
    else std::fputs(events_to_text(events, waves).c_str(), stdout);
    std::fprintf(stderr, "analyzed %lld results\n", static_cast<long long>(analysis->results));
    return exit_ok;
  };
}

}  // namespace blackout::cli
