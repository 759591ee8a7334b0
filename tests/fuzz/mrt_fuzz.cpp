// Fuzz target: the MRT reader (decompression, record framing, record and attribute
// decoding), the bgpdump -m and summary renderings, and the archive replay of bgp checks
// (records in any order, any peers, any states) over arbitrary bytes.
#include <cstdint>
#include <span>
#include <string>

#include "bgp/archive_feed.hpp"
#include "bgp/bgpdump_lines.hpp"
#include "bgp/mrt_reader.hpp"
#include "bgp/mrt_summary.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace blackout::bgp;
  MrtReader reader(memory_source(std::span(data, size)), MrtReaderLimits{1U << 20});
  MrtSummary summary;
  const PrefixFilter everything;
  std::string lines;
  static const std::vector<blackout::Target> targets = [] {
    blackout::Target target;
    target.name = "p";
    target.layer = blackout::Layer::bgp;
    blackout::Check by_prefix;
    by_prefix.id = "prefix";
    by_prefix.kind = blackout::CheckKind::bgp;
    by_prefix.params = blackout::BgpParams{blackout::Prefix::parse("0.0.0.0/1"), std::nullopt, 1};
    by_prefix.interval = std::chrono::seconds(3600);
    blackout::Check by_origin = by_prefix;
    by_origin.id = "origin";
    by_origin.params = blackout::BgpParams{std::nullopt, 1U, 1};
    target.checks = {by_prefix, by_origin};
    return std::vector<blackout::Target>{target};
  }();
  ArchiveFeed feed(targets, "fuzz");
  std::vector<blackout::Result> answers;
  // Every call consumes at least a header or ends the stream, so this loop ends.
  for (;;) {
    auto record = reader.next();
    if (!record) {
      if (record.error().message.empty()) __builtin_trap();
      continue;
    }
    if (!*record) break;
    append_bgpdump_lines(**record, everything, lines);
    summary.add(**record, everything);
    lines.clear();
    feed.add(**record, answers);
    // Hourly answers over arbitrary timestamps: bounded by the 6-hour gap rule.
    if (answers.size() > 100'000) __builtin_trap();
    answers.clear();
  }
  feed.finish(answers);
  summary.add_reader(reader.stats(), reader.offset());
  if (summary.text().empty()) __builtin_trap();
  return 0;
}
