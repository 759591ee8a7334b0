// IP addresses and prefixes.
#include "model/address.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

namespace blackout {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  IpAddress ip;
  if (s.find(':') == std::string::npos) {
    ip.family = Family::v4;
    if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  } else {
    ip.family = Family::v6;
    if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  }
  return std::nullopt;
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress ip;
  ip.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
  ip.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
  ip.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
  ip.bytes[3] = static_cast<std::uint8_t>(host_order);
  return ip;
}

std::uint32_t IpAddress::v4_host_order() const {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | bytes[3];
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes.data(), buffer, sizeof buffer);
  return buffer;
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes[0] == 127;
  static const std::array<std::uint8_t, 16> v6_loopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return bytes == v6_loopback;
}

std::optional<Prefix> Prefix::parse(std::string_view text, bool allow_host_bits) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto ip = IpAddress::parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const std::string_view length_text = text.substr(slash + 1);
  if (length_text.empty() || length_text.size() > 3) return std::nullopt;
  unsigned length = 0;
  for (const char c : length_text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    length = length * 10 + static_cast<unsigned>(c - '0');
  }
  const unsigned max_length = ip->is_v4() ? 32 : 128;
  if (length > max_length) return std::nullopt;
  Prefix prefix{*ip, static_cast<std::uint8_t>(length)};
  Prefix masked = prefix;
  for (unsigned bit = length; bit < max_length; ++bit)
    masked.address.bytes[bit / 8] = static_cast<std::uint8_t>(masked.address.bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  if (masked != prefix && !allow_host_bits) return std::nullopt;
  return masked;
}

std::string Prefix::to_string() const { return address.to_string() + "/" + std::to_string(length); }

bool Prefix::contains(const IpAddress& ip) const {
  if (ip.family != address.family) return false;
  for (unsigned bit = 0; bit < length; ++bit) {
    const std::uint8_t mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
    if ((ip.bytes[bit / 8] & mask) != (address.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

bool Prefix::contains(const Prefix& other) const { return other.length >= length && contains(other.address); }

bool is_lab_address(const IpAddress& ip) {
  if (ip.is_loopback()) return true;
  static const Prefix lab_v4 = *Prefix::parse("198.18.0.0/15");
  static const Prefix lab_v6 = *Prefix::parse("fd00:198:18::/48");
  return lab_v4.contains(ip) || lab_v6.contains(ip);
}

}  // namespace blackout
