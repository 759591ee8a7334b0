// Fuzz target: the SMTP reply parser over arbitrary bytes, fed whole and byte by byte.
#include <cstdint>
#include <string_view>

#include "probes/smtp/reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  blackout::SmtpReplyParser whole;
  whole.feed(bytes);
  while (auto reply = whole.next())
    if (!*reply) break;
  blackout::SmtpReplyParser piecewise;
  for (const char c : bytes) {
    piecewise.feed(std::string_view(&c, 1));
    if (auto reply = piecewise.next(); reply && !*reply) break;
  }
  return 0;
}
