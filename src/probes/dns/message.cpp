// DNS message building and parsing.
#include "probes/dns/message.hpp"

#include <cctype>

#include "util/strings.hpp"

namespace blackout {
namespace {

std::uint16_t u16(std::span<const std::uint8_t> m, std::size_t at) {
  return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}
std::uint32_t u32(std::span<const std::uint8_t> m, std::size_t at) {
  return (std::uint32_t{m[at]} << 24) | (std::uint32_t{m[at + 1]} << 16) | (std::uint32_t{m[at + 2]} << 8) | m[at + 3];
}

// Reads a possibly compressed name at `at`; on success `at` moves past it in the message.
bool read_name(std::span<const std::uint8_t> m, std::size_t& at, std::string& name) {
  name.clear();
  std::size_t position = at;
  bool jumped = false;
  int jumps = 0;
  std::size_t wire_length = 0;
  while (true) {
    if (position >= m.size()) return false;
    const std::uint8_t length = m[position];
    if ((length & 0xc0) == 0xc0) {
      if (position + 1 >= m.size() || ++jumps > 64) return false;
      const std::size_t target = static_cast<std::size_t>(((length & 0x3f) << 8) | m[position + 1]);
      if (target >= position) return false;  // only backwards: no loops, no forward references
      if (!jumped) at = position + 2;
      jumped = true;
      position = target;
      continue;
    }
    if ((length & 0xc0) != 0) return false;  // 0x40 and 0x80 label types are obsolete
    if (length == 0) {
      if (!jumped) at = position + 1;
      return true;
    }
    if (position + 1 + length > m.size()) return false;
    wire_length += length + 1;
    if (wire_length > 255) return false;
    if (!name.empty()) name += '.';
    for (std::size_t i = 0; i < length; ++i) {
      const char c = static_cast<char>(m[position + 1 + i]);
      name += (c == '.' || static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) ? '?' : c;
    }
    position += 1 + length;
  }
}

bool read_records(std::span<const std::uint8_t> m, std::size_t& at, std::size_t count, std::vector<DnsRecord>& out) {
  for (std::size_t i = 0; i < count; ++i) {
    DnsRecord r;
    if (!read_name(m, at, r.name) || at + 10 > m.size()) return false;
    r.type = u16(m, at);
    r.klass = u16(m, at + 2);
    r.ttl = u32(m, at + 4);
    r.rdata_length = u16(m, at + 8);
    at += 10;
    if (at + r.rdata_length > m.size()) return false;
    r.rdata_offset = static_cast<std::uint16_t>(at);
    at += r.rdata_length;
    out.push_back(std::move(r));
  }
  return true;
}

std::optional<std::uint32_t> soa_serial_of(std::span<const std::uint8_t> m, const DnsRecord& r) {
  if (r.type != 6) return std::nullopt;
  std::size_t at = r.rdata_offset;
  std::string ignored;
  if (!read_name(m, at, ignored) || !read_name(m, at, ignored)) return std::nullopt;
  if (at + 4 > static_cast<std::size_t>(r.rdata_offset) + r.rdata_length) return std::nullopt;
  return u32(m, at);
}

}  // namespace

const char* to_string(DnsParseError error) {
  switch (error) {
    case DnsParseError::short_header: return "shorter than a DNS header";
    case DnsParseError::not_a_response: return "not a response (QR clear)";
    case DnsParseError::bad_name: return "malformed name (length, loop or pointer)";
    case DnsParseError::truncated: return "a section ends before its records";
    case DnsParseError::bad_question: return "not exactly one question";
  }
  return "?";
}

bool same_dns_name(const std::string& a, const std::string& b) {
  std::string_view x = a, y = b;
  if (!x.empty() && x.back() == '.') x.remove_suffix(1);
  if (!y.empty() && y.back() == '.') y.remove_suffix(1);
  return to_lower(x) == to_lower(y);
}

std::vector<std::uint8_t> build_dns_query(std::uint16_t id, const std::string& name, std::uint16_t qtype, std::uint16_t qclass,
                                          bool recursion_desired, std::uint16_t edns_udp_size) {
  std::vector<std::uint8_t> q{static_cast<std::uint8_t>(id >> 8),
                              static_cast<std::uint8_t>(id),
                              static_cast<std::uint8_t>(recursion_desired ? 0x01 : 0x00),
                              0,
                              0,
                              1,
                              0,
                              0,
                              0,
                              0,
                              0,
                              static_cast<std::uint8_t>(edns_udp_size ? 1 : 0)};
  if (name != ".") {
    for (const std::string& label : split(name, '.')) {
      if (label.empty()) continue;
      q.push_back(static_cast<std::uint8_t>(label.size()));
      q.insert(q.end(), label.begin(), label.end());
    }
  }
  q.push_back(0);
  for (const std::uint16_t v : {qtype, qclass}) {
    q.push_back(static_cast<std::uint8_t>(v >> 8));
    q.push_back(static_cast<std::uint8_t>(v));
  }
  if (edns_udp_size) {
    // OPT: root name, type 41, class = UDP size, TTL 0, no options.
    const std::uint8_t opt[] = {
        0, 0, 41, static_cast<std::uint8_t>(edns_udp_size >> 8), static_cast<std::uint8_t>(edns_udp_size), 0, 0, 0, 0, 0, 0};
    q.insert(q.end(), std::begin(opt), std::end(opt));
  }
  return q;
}

Expected<DnsResponse, DnsParseError> parse_dns_response(std::span<const std::uint8_t> m) {
  if (m.size() < 12) return DnsParseError::short_header;
  DnsResponse r;
  r.size = m.size();
  r.id = u16(m, 0);
  const std::uint16_t flags = u16(m, 2);
  if (!(flags & 0x8000)) return DnsParseError::not_a_response;
  r.authoritative = flags & 0x0400;
  r.truncated = flags & 0x0200;
  r.recursion_available = flags & 0x0080;
  r.rcode = flags & 0x000f;
  const std::size_t qd = u16(m, 4), an = u16(m, 6), ns = u16(m, 8), ar = u16(m, 10);
  if (qd != 1) return DnsParseError::bad_question;
  std::size_t at = 12;
  if (!read_name(m, at, r.qname)) return DnsParseError::bad_name;
  if (at + 4 > m.size()) return DnsParseError::truncated;
  r.qtype = u16(m, at);
  r.qclass = u16(m, at + 2);
  at += 4;
  // A truncated UDP answer may legitimately stop short of its declared records.
  if (!read_records(m, at, an, r.answers) || !read_records(m, at, ns, r.authority) || !read_records(m, at, ar, r.additional)) {
    if (!r.truncated) return DnsParseError::truncated;
  }
  for (const DnsRecord& record : r.additional)
    if (record.type == 41) r.rcode |= static_cast<int>((record.ttl >> 24) & 0xff) << 4;  // extended RCODE
  for (const auto* section : {&r.answers, &r.authority})
    for (const DnsRecord& record : *section)
      if (!r.soa_serial)
        if (const auto serial = soa_serial_of(m, record)) r.soa_serial = serial;
  return r;
}

}  // namespace blackout
