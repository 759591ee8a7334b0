// blackout export: raw results from a store as CSV or JSON lines, for sharing.
#include <cstdio>

#include "cli/commands.hpp"
#include "model/result_format.hpp"
#include "store/store.hpp"

namespace blackout::cli {

Runner add_export_command(CLI::App& app) {
  auto* command = app.add_subcommand("export", "Export raw results from a store as CSV or JSON lines");
  struct Options {
    std::string store;
    std::string from, to, vantage, target;
    std::string format = "jsonl";
    std::string output;
  };
  auto o = std::make_shared<Options>();
  command->add_option("--store", o->store, "Store URL: sqlite:PATH or postgresql://...")->required();
  command->add_option("--from", o->from, "First instant, RFC 3339 (e.g. 2026-11-25T06:00:00Z), inclusive");
  command->add_option("--to", o->to, "Last instant, RFC 3339, exclusive");
  command->add_option("--vantage", o->vantage, "Only this vantage");
  command->add_option("--target", o->target, "Only this target");
  command->add_option("--format", o->format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}))->capture_default_str();
  command->add_option("-o,--output", o->output, "Write here instead of standard output");

  return [o]() -> int {
    ResultQuery query;
    for (auto [text, slot, name] : {std::tuple{&o->from, &query.from, "--from"}, std::tuple{&o->to, &query.to, "--to"}}) {
      if (text->empty()) continue;
      const auto parsed = parse_rfc3339(*text);
      if (!parsed) {
        std::fprintf(stderr, "blackout export: %s: %s\n", name, parsed.error().message.c_str());
        return exit_failure;
      }
      *slot = *parsed;
    }
    if (!o->vantage.empty()) query.vantage = o->vantage;
    if (!o->target.empty()) query.target = o->target;
    auto store = open_store(o->store, StoreAccess::read_only);
    if (!store) {
      std::fprintf(stderr, "blackout export: store %s: %s\n", o->store.c_str(), store.error().message.c_str());
      return exit_failure;
    }
    std::FILE* out = stdout;
    if (!o->output.empty()) {
      out = std::fopen(o->output.c_str(), "w");
      if (!out) {
        std::fprintf(stderr, "blackout export: cannot write %s\n", o->output.c_str());
        return exit_failure;
      }
    }
    const bool csv = o->format == "csv";
    if (csv) std::fprintf(out, "%s\n", csv_header().c_str());
    bool write_failed = false;
    const auto read = (*store)->read_results(query, [&](Result&& result) {
      const std::string line = csv ? result_to_csv(result) : result_to_json(result);
      if (std::fprintf(out, "%s\n", line.c_str()) < 0) write_failed = true;
      return !write_failed;
    });
    if (std::fflush(out) != 0) write_failed = true;
    if (out != stdout) std::fclose(out);
    if (!read) {
      std::fprintf(stderr, "blackout export: %s\n", read.error().message.c_str());
      return exit_failure;
    }
    if (write_failed) {
      std::fprintf(stderr, "blackout export: writing the output failed after %lld results\n", static_cast<long long>(*read));
      return exit_failure;
    }
    std::fprintf(stderr, "exported %lld results\n", static_cast<long long>(*read));
    return exit_ok;
  };
}

}  // namespace blackout::cli
