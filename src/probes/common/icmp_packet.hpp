// ICMP and ICMPv6 packets: building echo requests and parsing what comes back (echo replies,
// destination unreachable, time exceeded, with the probe they quote). Pure functions over
// untrusted bytes: every length is checked, a malformed packet is a typed error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/address.hpp"

namespace blackout {

enum class IcmpParseError : std::uint8_t {
  too_short,      // shorter than the headers it claims
  bad_ip_header,  // not IPv4, or a header length out of range
  not_icmp,       // an IPv4 packet that does not carry ICMP
  bad_quote,      // an error message whose quoted packet is unusable
  uninteresting,  // a valid ICMP message of a type we do not follow
};
const char* to_string(IcmpParseError error);

struct QuotedProbe {
  IpAddress destination;                                // where the original packet went
  std::uint8_t protocol = 0;                            // 1 ICMP, 58 ICMPv6, 17 UDP
  std::uint16_t icmp_id = 0, icmp_seq = 0;              // when the quoted packet was an echo request
  std::uint16_t source_port = 0, destination_port = 0;  // when it was UDP
  std::uint8_t ttl = 0;                                 // the quoted packet's remaining TTL (IPv4 only)
};

struct IcmpMessage {
  enum class Kind : std::uint8_t { echo_reply, destination_unreachable, time_exceeded };
  Kind kind = Kind::echo_reply;
  std::uint8_t type = 0, code = 0;
  IpAddress from;  // who sent this message
  int ttl = -1;    // TTL / hop limit of the message as it arrived; -1 unknown
  // Echo replies:
  std::uint16_t id = 0, seq = 0;
  std::span<const std::uint8_t> payload;
  // Errors:
  std::optional<QuotedProbe> quoted;
};

// A whole IPv4 packet as a raw IPPROTO_ICMP socket returns it (IP header first).
std::optional<IcmpMessage> parse_icmp_v4_packet(std::span<const std::uint8_t> packet, IcmpParseError& error);
// An ICMP or ICMPv6 message without its IP header (raw IPv6 sockets, ICMP datagram sockets);
// the sender and TTL come from the socket.
std::optional<IcmpMessage> parse_icmp_message(bool v6, std::span<const std::uint8_t> message, const IpAddress& from, int ttl,
                                              IcmpParseError& error);

// An echo request: type 8 (v4) or 128 (v6), the id, sequence and payload. The v4 checksum is
// filled in; for ICMPv6 the kernel computes it.
std::vector<std::uint8_t> build_echo_request(bool v6, std::uint16_t id, std::uint16_t seq, std::span<const std::uint8_t> payload);
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

}  // namespace blackout
