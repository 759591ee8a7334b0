// Fuzz target: BGP-4 message framing and decoding (OPEN with capabilities, UPDATE with its
// path attributes, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH) over arbitrary bytes, read as a
// TCP stream would be: frame, decode with 2- and 4-byte ASes, stop at the first error.
#include <cstdint>
#include <span>
#include <variant>

#include "bgp/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace blackout::bgp;
  std::span<const std::uint8_t> rest(data, size);
  while (!rest.empty()) {
    auto length = frame_length(rest);
    if (!length) {
      if (length.error().message.empty()) __builtin_trap();
      break;
    }
    if (!*length || **length > rest.size()) break;
    for (std::uint8_t asn_size : {std::uint8_t{2}, std::uint8_t{4}}) {
      auto message = decode_message(rest.first(**length), DecodeContext{asn_size});
      if (!message) {
        if (message.error().message.empty() || message.error().offset > **length) __builtin_trap();
        continue;
      }
      // What decodes must encode again without trouble (UPDATEs as blackout writes them).
      if (const auto* update = std::get_if<UpdateMessage>(&*message)) (void)end_of_rib(*update);
      if (const auto* open = std::get_if<OpenMessage>(&*message)) (void)encode_open(*open);
    }
    rest = rest.subspan(**length);
  }
  return 0;
}
