// IP addresses and prefixes as plain values (IPv4 and IPv6), parsed and printed in their
// standard text forms. Used by targets, probes and the BGP reader alike.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blackout {

struct IpAddress {
  enum class Family : std::uint8_t { v4, v6 };
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};  // v4 uses the first 4

  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::uint32_t host_order);
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] bool is_v4() const { return family == Family::v4; }
  [[nodiscard]] std::uint32_t v4_host_order() const;
  [[nodiscard]] bool is_loopback() const;
  auto operator<=>(const IpAddress&) const = default;
};

struct Prefix {
  IpAddress address;  // bits beyond length are zero
  std::uint8_t length = 0;

  // "198.18.64.0/22", "fd00:198:18::/48". Rejects host bits set unless allow_host_bits.
  static std::optional<Prefix> parse(std::string_view text, bool allow_host_bits = false);
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] bool contains(const IpAddress& ip) const;
  [[nodiscard]] bool contains(const Prefix& other) const;
  auto operator<=>(const Prefix&) const = default;
};

// The addresses blackout's own tests and lab may use: loopback, 198.18.0.0/15 and
// fd00:198:18::/48 (see docs/architecture.md, "Network rule").
bool is_lab_address(const IpAddress& ip);

}  // namespace blackout
