// blackout config check | schema
#include <cstdio>

#include "cli/commands.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"

namespace blackout::cli {

Runner add_config_commands(CLI::App& app) {
  auto* config = app.add_subcommand("config", "Work with config files");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate config files; every error names file, line, column and field");
  struct Options {
    std::vector<std::string> files;
    bool quiet = false;
  };
  auto options = std::make_shared<Options>();
  check->add_option("files", options->files, "Config files")->required();
  check->add_flag("-q,--quiet", options->quiet, "Print nothing when a file is valid");
  auto* schema = config->add_subcommand("schema", "Print every config key with its type, default and meaning (Markdown)");

  return [check, schema, options]() -> int {
    if (*schema) {
      std::fputs(schema_markdown().c_str(), stdout);
      return exit_ok;
    }
    if (!*check) return exit_failure;
    int status = exit_ok;
    for (const std::string& file : options->files) {
      auto loaded = load_config_file(file);
      if (!loaded) {
        for (const ConfigError& error : loaded.error()) std::fprintf(stderr, "%s\n", error.to_string().c_str());
        std::fprintf(stderr, "%s: %zu error%s\n", file.c_str(), loaded.error().size(), loaded.error().size() == 1 ? "" : "s");
        status = exit_failure;
        continue;
      }
      if (!options->quiet)
        std::printf("%s: ok: vantage %s, store %s, %zu targets, %zu checks%s\n", file.c_str(), loaded->vantage.c_str(),
                    loaded->store.c_str(), loaded->targets.size(), loaded->check_count(), loaded->lab_only ? ", lab only" : "");
    }
    return status;
  };
}

}  // namespace blackout::cli
