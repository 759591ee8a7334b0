// Fuzz target: the DNS response parser over arbitrary bytes.
#include <cstdint>
#include <span>

#include "probes/dns/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = blackout::parse_dns_response(std::span(data, size));
  if (parsed) {
    for (const auto& record : parsed->answers)
      if (static_cast<std::size_t>(record.rdata_offset) + record.rdata_length > size) __builtin_trap();
  }
  return 0;
}
