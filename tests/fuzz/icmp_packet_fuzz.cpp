// Fuzz target: the ICMP parser over arbitrary bytes, as a raw IPv4 packet and as a bare
// ICMP/ICMPv6 message.
#include <cstdint>
#include <span>

#include "probes/common/icmp_packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  blackout::IcmpParseError error{};
  if (auto m = blackout::parse_icmp_v4_packet(bytes, error); m && m->quoted) (void)m->quoted->destination.to_string();
  const auto from = *blackout::IpAddress::parse("127.0.0.1");
  (void)blackout::parse_icmp_message(false, bytes, from, 64, error);
  (void)blackout::parse_icmp_message(true, bytes, from, 64, error);
  return 0;
}
