// DNS messages: building a query and parsing a response as untrusted bytes (RFC 1035,
// EDNS0 per RFC 6891). Every length and pointer is checked; name decompression follows at
// most 64 pointers, each pointing backwards; a malformed message is a typed error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/expected.hpp"

namespace blackout {

enum class DnsParseError : std::uint8_t {
  short_header,    // fewer than 12 bytes
  not_a_response,  // QR bit clear
  bad_name,        // label or name too long, pointer loop, pointer forward or out of range
  truncated,       // a section ends before its declared records do
  bad_question,    // not exactly one question
};
const char* to_string(DnsParseError error);

struct DnsRecord {
  std::string name;
  std::uint16_t type = 0, klass = 0;
  std::uint32_t ttl = 0;
  std::uint16_t rdata_offset = 0, rdata_length = 0;
};

struct DnsResponse {
  std::uint16_t id = 0;
  bool authoritative = false, truncated = false, recursion_available = false;
  int rcode = 0;  // with the EDNS extended bits when an OPT record is present
  std::string qname;
  std::uint16_t qtype = 0, qclass = 0;
  std::vector<DnsRecord> answers, authority, additional;
  std::optional<std::uint32_t> soa_serial;  // from the answer, or the authority section
  std::size_t size = 0;
};

std::vector<std::uint8_t> build_dns_query(std::uint16_t id, const std::string& name, std::uint16_t qtype, std::uint16_t qclass,
                                          bool recursion_desired, std::uint16_t edns_udp_size);
Expected<DnsResponse, DnsParseError> parse_dns_response(std::span<const std::uint8_t> message);
// Names compare case-insensitively, without a trailing dot.
bool same_dns_name(const std::string& a, const std::string& b);

}  // namespace blackout
