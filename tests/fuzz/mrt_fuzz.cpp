// Fuzz target: the MRT reader (decompression, record framing, record and attribute
// decoding) and the bgpdump -m and summary renderings over arbitrary bytes.
#include <cstdint>
#include <span>
#include <string>

#include "bgp/bgpdump_lines.hpp"
#include "bgp/mrt_reader.hpp"
#include "bgp/mrt_summary.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace blackout::bgp;
  MrtReader reader(memory_source(std::span(data, size)), MrtReaderLimits{1U << 20});
  MrtSummary summary;
  const PrefixFilter everything;
  std::string lines;
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
  }
  summary.add_reader(reader.stats(), reader.offset());
  if (summary.text().empty()) __builtin_trap();
  return 0;
}
