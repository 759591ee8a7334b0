// ICMP packet building and parsing.
#include "probes/common/icmp_packet.hpp"

#include <cstring>

namespace blackout {
namespace {

std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

constexpr std::uint8_t icmp4_echo_reply = 0, icmp4_unreachable = 3, icmp4_echo_request = 8, icmp4_time_exceeded = 11;
constexpr std::uint8_t icmp6_unreachable = 1, icmp6_time_exceeded = 3, icmp6_echo_request = 128, icmp6_echo_reply = 129;

// The probe an error message quotes: an IPv4 header plus at least 8 bytes of its payload.
std::optional<QuotedProbe> parse_quote_v4(std::span<const std::uint8_t> quote) {
  if (quote.size() < 20 || (quote[0] >> 4) != 4) return std::nullopt;
  const std::size_t header_length = static_cast<std::size_t>(quote[0] & 0x0f) * 4;
  if (header_length < 20 || quote.size() < header_length + 8) return std::nullopt;
  QuotedProbe probe;
  probe.destination.family = IpAddress::Family::v4;
  std::memcpy(probe.destination.bytes.data(), quote.data() + 16, 4);
  probe.protocol = quote[9];
  probe.ttl = quote[8];
  const auto inner = quote.subspan(header_length);
  if (probe.protocol == 1) {
    if (inner[0] != icmp4_echo_request) return std::nullopt;
    probe.icmp_id = read16(inner, 4);
    probe.icmp_seq = read16(inner, 6);
  } else if (probe.protocol == 17) {
    probe.source_port = read16(inner, 0);
    probe.destination_port = read16(inner, 2);
  } else {
    return std::nullopt;
  }
  return probe;
}

std::optional<QuotedProbe> parse_quote_v6(std::span<const std::uint8_t> quote) {
  if (quote.size() < 40 + 8 || (quote[0] >> 4) != 6) return std::nullopt;
  QuotedProbe probe;
  probe.destination.family = IpAddress::Family::v6;
  std::memcpy(probe.destination.bytes.data(), quote.data() + 24, 16);
  probe.protocol = quote[6];  // we send no extension headers, so this is the payload's protocol
  const auto inner = quote.subspan(40);
  if (probe.protocol == 58) {
    if (inner[0] != icmp6_echo_request) return std::nullopt;
    probe.icmp_id = read16(inner, 4);
    probe.icmp_seq = read16(inner, 6);
  } else if (probe.protocol == 17) {
    probe.source_port = read16(inner, 0);
    probe.destination_port = read16(inner, 2);
  } else {
    return std::nullopt;
  }
  return probe;
}

}  // namespace

const char* to_string(IcmpParseError error) {
  switch (error) {
    case IcmpParseError::too_short: return "too short";
    case IcmpParseError::bad_ip_header: return "bad IP header";
    case IcmpParseError::not_icmp: return "not ICMP";
    case IcmpParseError::bad_quote: return "unusable quoted packet";
    case IcmpParseError::uninteresting: return "uninteresting ICMP type";
  }
  return "?";
}

std::optional<IcmpMessage> parse_icmp_message(bool v6, std::span<const std::uint8_t> message, const IpAddress& from, int ttl,
                                              IcmpParseError& error) {
  if (message.size() < 8) {
    error = IcmpParseError::too_short;
    return std::nullopt;
  }
  IcmpMessage out;
  out.type = message[0];
  out.code = message[1];
  out.from = from;
  out.ttl = ttl;
  const std::uint8_t echo_reply = v6 ? icmp6_echo_reply : icmp4_echo_reply;
  const std::uint8_t unreachable = v6 ? icmp6_unreachable : icmp4_unreachable;
  const std::uint8_t time_exceeded = v6 ? icmp6_time_exceeded : icmp4_time_exceeded;
  if (out.type == echo_reply) {
    out.kind = IcmpMessage::Kind::echo_reply;
    out.id = read16(message, 4);
    out.seq = read16(message, 6);
    out.payload = message.subspan(8);
    return out;
  }
  if (out.type == unreachable || out.type == time_exceeded) {
    out.kind = out.type == unreachable ? IcmpMessage::Kind::destination_unreachable : IcmpMessage::Kind::time_exceeded;
    out.quoted = v6 ? parse_quote_v6(message.subspan(8)) : parse_quote_v4(message.subspan(8));
    if (!out.quoted) {
      error = IcmpParseError::bad_quote;
      return std::nullopt;
    }
    return out;
  }
  error = IcmpParseError::uninteresting;
  return std::nullopt;
}

std::optional<IcmpMessage> parse_icmp_v4_packet(std::span<const std::uint8_t> packet, IcmpParseError& error) {
  if (packet.size() < 20) {
    error = IcmpParseError::too_short;
    return std::nullopt;
  }
  const std::size_t header_length = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  if ((packet[0] >> 4) != 4 || header_length < 20) {
    error = IcmpParseError::bad_ip_header;
    return std::nullopt;
  }
  if (packet.size() < header_length) {
    error = IcmpParseError::too_short;
    return std::nullopt;
  }
  if (packet[9] != 1) {
    error = IcmpParseError::not_icmp;
    return std::nullopt;
  }
  IpAddress from;
  from.family = IpAddress::Family::v4;
  std::memcpy(from.bytes.data(), packet.data() + 12, 4);
  return parse_icmp_message(false, packet.subspan(header_length), from, packet[8], error);
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += static_cast<std::uint32_t>((bytes[i] << 8) | bytes[i + 1]);
  if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> build_echo_request(bool v6, std::uint16_t id, std::uint16_t seq,
                                             std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> packet(8 + payload.size());
  packet[0] = v6 ? icmp6_echo_request : icmp4_echo_request;
  packet[4] = static_cast<std::uint8_t>(id >> 8);
  packet[5] = static_cast<std::uint8_t>(id);
  packet[6] = static_cast<std::uint8_t>(seq >> 8);
  packet[7] = static_cast<std::uint8_t>(seq);
  if (!payload.empty()) std::memcpy(packet.data() + 8, payload.data(), payload.size());
  if (!v6) {
    const std::uint16_t checksum = internet_checksum(packet);
    packet[2] = static_cast<std::uint8_t>(checksum >> 8);
    packet[3] = static_cast<std::uint8_t>(checksum);
  }
  return packet;
}

}  // namespace blackout
