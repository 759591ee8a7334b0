// blackout bgp read: MRT files in, bgpdump -m lines or a summary out (src/bgp does the work).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bgp/bgpdump_lines.hpp"
#include "bgp/mrt_reader.hpp"
#include "bgp/mrt_summary.hpp"
#include "cli/commands.hpp"

namespace blackout::cli {
namespace {

struct BgpReadOptions {
  std::vector<std::string> files;
  std::string format = "lines";
  std::vector<std::string> prefixes;
  std::string match = "exact";
};

// Errors past this many per file are counted, not printed: a damaged archive should not
// bury the terminal.
constexpr std::uint64_t errors_printed_per_file = 20;

bool flush(std::string& buffer) {
  const bool ok = std::fwrite(buffer.data(), 1, buffer.size(), stdout) == buffer.size();
  buffer.clear();
  return ok;
}

int run_bgp_read(const BgpReadOptions& o) {
  bgp::PrefixFilter filter;
  for (const std::string& text : o.prefixes) {
    const auto prefix = Prefix::parse(text, true);
    if (!prefix) {
      std::fprintf(stderr, "blackout bgp read: --prefix %s is not a prefix (like 175.45.176.0/22 or 2001:db8::/32)\n", text.c_str());
      return exit_failure;
    }
    filter.prefixes.push_back(bgp::NlriPrefix{prefix->address, prefix->length, 0}.prefix());
  }
  filter.match = o.match == "more-specific" ? bgp::PrefixMatch::more_specific : o.match == "covering" ? bgp::PrefixMatch::covering : bgp::PrefixMatch::exact;
  const bool lines = o.format == "lines";

  bgp::MrtSummary summary;
  std::string buffer;
  std::uint64_t records = 0, line_count = 0, errors = 0;
  bool write_failed = false;
  for (const std::string& file : o.files) {
    auto reader = bgp::MrtReader::open(file);
    if (!reader) {
      std::fprintf(stderr, "blackout bgp read: %s: %s\n", file.c_str(), reader.error().message.c_str());
      ++errors;
      continue;
    }
    std::uint64_t file_errors = 0;
    for (;;) {
      auto record = reader->next();
      if (!record) {
        if (++file_errors <= errors_printed_per_file)
          std::fprintf(stderr, "blackout bgp read: %s: %s\n", file.c_str(), record.error().describe().c_str());
        continue;
      }
      if (!*record) break;
      ++records;
      if (lines) {
        line_count += bgp::append_bgpdump_lines(**record, filter, buffer);
        if (buffer.size() >= (1U << 20) && !flush(buffer)) write_failed = true;
      } else {
        summary.add(**record, filter);
      }
      if (write_failed) break;
    }
    if (file_errors > errors_printed_per_file)
      std::fprintf(stderr, "blackout bgp read: %s: %llu more errors not shown\n", file.c_str(),
                   static_cast<unsigned long long>(file_errors - errors_printed_per_file));
    errors += file_errors;
    summary.add_reader(reader->stats(), reader->offset());
    if (write_failed) break;
  }
  if (lines) {
    if (!flush(buffer)) write_failed = true;
  } else {
    buffer = summary.text();
    if (!flush(buffer)) write_failed = true;
  }
  if (std::fflush(stdout) != 0) write_failed = true;
  if (write_failed) {
    std::fprintf(stderr, "blackout bgp read: writing the output failed\n");
    return exit_failure;
  }
  if (lines)
    std::fprintf(stderr, "read %llu records from %zu files: %llu lines, %llu errors\n", static_cast<unsigned long long>(records), o.files.size(),
                 static_cast<unsigned long long>(line_count), static_cast<unsigned long long>(errors));
  return errors == 0 ? exit_ok : exit_failure;
}

}  // namespace

Runner add_bgp_command(CLI::App& app) {
  auto* command = app.add_subcommand("bgp", "Read MRT files (BGP archives from route collectors)");
  command->require_subcommand(1);
  auto* read = command->add_subcommand("read", "Read MRT files (plain, gzip or bzip2) and print their prefix records as bgpdump -m does, or a summary");
  auto o = std::make_shared<BgpReadOptions>();
  read->add_option("files", o->files, "MRT files: TABLE_DUMP, TABLE_DUMP_V2 RIB dumps, BGP4MP/BGP4MP_ET updates")->required();
  read->add_option("--format", o->format, "lines (one line per prefix record, the layout of bgpdump -m) or summary (counts)")
      ->check(CLI::IsMember({"lines", "summary"}))
      ->capture_default_str();
  read->add_option("--prefix", o->prefixes, "Only records for this prefix (repeatable)");
  read->add_option("--match", o->match, "How --prefix matches: exact, more-specific (the prefix or inside it) or covering (the prefix or containing it)")
      ->check(CLI::IsMember({"exact", "more-specific", "covering"}))
      ->capture_default_str();
  return [o, read]() -> int {
    if (read->parsed()) return run_bgp_read(*o);
    return exit_failure;
  };
}

}  // namespace blackout::cli
