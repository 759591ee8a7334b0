// blackout report: a report on an interval of the store — narrative, charts and every
// event — as text, Markdown, one self-contained HTML file, JSON or CSV.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"
#include "cli/detection_inputs.hpp"
#include "config/loader.hpp"
#include "report/builder.hpp"
#include "report/render.hpp"
#include "store/store.hpp"
#include "util/strings.hpp"

namespace blackout::cli {

Runner add_report_command(CLI::App& app) {
  auto* command = app.add_subcommand("report", "Render a report (text, markdown, html, json, csv) from the store");
  struct Options {
    std::string store, from, to, config, output;
    std::string format = "text";
  };
  auto o = std::make_shared<Options>();
  command->add_option("--store", o->store, "Store URL: sqlite:PATH or postgresql://...")->required();
  command->add_option("--from", o->from, "First instant, RFC 3339, inclusive (default: the first result)");
  command->add_option("--to", o->to, "Last instant, RFC 3339, exclusive (default: just after the last result)");
  command->add_option("--config", o->config,
                      "Take targets (layers, weights, control) and the detection section from this config instead of the store's "
                      "history and the defaults");
  command->add_option("--format", o->format, "text, markdown, html, json or csv")
      ->check(CLI::IsMember({"text", "markdown", "html", "json", "csv"}))
      ->capture_default_str();
  command->add_option("-o,--output", o->output, "Write here instead of standard output");

  return [o]() -> int {
    report::ReportRequest request;
    for (auto [text, slot, name] : {std::tuple{&o->from, &request.from, "--from"}, std::tuple{&o->to, &request.to, "--to"}}) {
      if (text->empty()) continue;
      const auto parsed = parse_rfc3339(*text);
      if (!parsed) {
        std::fprintf(stderr, "blackout report: %s: %s\n", name, parsed.error().message.c_str());
        return exit_failure;
      }
      *slot = *parsed;
    }
    if (request.from && request.to && *request.to <= *request.from) {
      std::fprintf(stderr, "blackout report: --to must be after --from\n");
      return exit_failure;
    }
    auto store = open_store(o->store, StoreAccess::read_only);
    if (!store) {
      std::fprintf(stderr, "blackout report: store %s: %s\n", o->store.c_str(), store.error().message.c_str());
      return exit_failure;
    }
    auto inputs = detection_inputs(**store, o->config);
    if (!inputs) {
      std::fprintf(stderr, "blackout report: %s\n", inputs.error().message.c_str());
      return exit_failure;
    }
    request.targets = std::move(inputs->targets);
    request.params = inputs->params;
    const auto built = report::build_report(**store, request);
    if (!built) {
      std::fprintf(stderr, "blackout report: %s\n", built.error().message.c_str());
      return exit_failure;
    }
    const std::string text = report::render(*built, *report::format_from_string(o->format));

    std::FILE* out = stdout;
    if (!o->output.empty()) {
      out = std::fopen(o->output.c_str(), "w");
      if (!out) {
        std::fprintf(stderr, "blackout report: cannot write %s: %s\n", o->output.c_str(), errno_text(errno).c_str());
        return exit_failure;
      }
    }
    const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
    const bool closed = out == stdout ? std::fflush(out) == 0 : std::fclose(out) == 0;
    if (!written || !closed) {
      std::fprintf(stderr, "blackout report: writing %s failed\n", o->output.empty() ? "the report" : o->output.c_str());
      return exit_failure;
    }
    std::fprintf(stderr, "reported on %lld results, %zu events, %zu waves\n", static_cast<long long>(built->results),
                 built->events.size(), built->waves.size());
    return exit_ok;
  };
}

}  // namespace blackout::cli
