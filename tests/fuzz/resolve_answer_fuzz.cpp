// Fuzz target: the resolver's answer reader (c-ares's A and AAAA parsers behind
// resolve/lookup.cpp) over arbitrary bytes, as if a hostile server had sent them.
#include <ares.h>

#include <cstdint>
#include <vector>

#include "resolve/lookup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<unsigned char> bytes(data, data + size);
  for (const bool v6 : {false, true}) {
    std::vector<blackout::IpAddress> addresses;
    std::optional<std::uint32_t> ttl;
    const blackout::QueryEnd end = blackout::read_answer(ARES_SUCCESS, bytes, v6, addresses, ttl);
    if (addresses.size() > 64) __builtin_trap();
    if (end != blackout::QueryEnd::ok && !addresses.empty()) __builtin_trap();
    for (const blackout::IpAddress& ip : addresses)
      if (ip.is_v4() == v6) __builtin_trap();
  }
  return 0;
}
