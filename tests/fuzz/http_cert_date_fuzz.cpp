// Fuzz target: the certificate date parser over arbitrary text.
#include <cstdint>
#include <string_view>

#include "probes/http/cert_date.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)blackout::parse_cert_date(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
