// Check kinds, default ids and DNS mnemonics.
#include "model/check.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

#include "util/strings.hpp"

namespace blackout {
namespace {

constexpr std::array<std::string_view, check_kind_count> kind_names{"icmp", "tcp",        "http", "dns",
                                                                    "smtp", "traceroute", "bgp",  "resolve"};

constexpr std::array<std::pair<std::string_view, std::uint16_t>, 17> dns_types{{
    {"A", 1},
    {"NS", 2},
    {"CNAME", 5},
    {"SOA", 6},
    {"PTR", 12},
    {"MX", 15},
    {"TXT", 16},
    {"AAAA", 28},
    {"SRV", 33},
    {"NAPTR", 35},
    {"DS", 43},
    {"RRSIG", 46},
    {"DNSKEY", 48},
    {"HTTPS", 65},
    {"CAA", 257},
    {"AXFR", 252},
    {"ANY", 255},
}};

constexpr std::array<std::string_view, 11> rcode_names{"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                                       "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};

}  // namespace

std::string_view to_string(CheckKind kind) { return kind_names[static_cast<std::size_t>(kind)]; }

std::optional<CheckKind> check_kind_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kind_names.size(); ++i)
    if (kind_names[i] == name) return static_cast<CheckKind>(i);
  return std::nullopt;
}

std::optional<std::uint16_t> dns_type_from_string(std::string_view name) {
  const std::string upper = [&] {
    std::string s(name);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }();
  for (const auto& [mnemonic, value] : dns_types)
    if (mnemonic == upper) return value;
  if (starts_with(upper, "TYPE") && upper.size() > 4) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(upper.data() + 4, upper.data() + upper.size(), value);
    if (ec == std::errc{} && end == upper.data() + upper.size() && value <= 65535) return static_cast<std::uint16_t>(value);
  }
  return std::nullopt;
}

std::string dns_type_name(std::uint16_t type) {
  for (const auto& [mnemonic, value] : dns_types)
    if (value == type) return std::string(mnemonic);
  return "TYPE" + std::to_string(type);
}

std::optional<int> dns_rcode_from_string(std::string_view name) {
  for (std::size_t i = 0; i < rcode_names.size(); ++i)
    if (rcode_names[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

std::string dns_rcode_name(int rcode) {
  if (rcode >= 0 && static_cast<std::size_t>(rcode) < rcode_names.size())
    return std::string(rcode_names[static_cast<std::size_t>(rcode)]);
  return "RCODE" + std::to_string(rcode);
}

std::string default_check_id(CheckKind kind, const CheckParams& params) {
  std::string id(to_string(kind));
  if (const auto* tcp = std::get_if<TcpParams>(&params)) id += ":" + std::to_string(tcp->port);
  if (const auto* http = std::get_if<HttpParams>(&params)) id += ":" + http->url;
  if (const auto* dns = std::get_if<DnsParams>(&params)) {
    id += ":" + dns->query + "/" + dns_type_name(dns->qtype);
    if (dns->server) id += "@" + dns->server->to_string();
  }
  if (const auto* smtp = std::get_if<SmtpParams>(&params)) id += ":" + std::to_string(smtp->port);
  if (const auto* trace = std::get_if<TracerouteParams>(&params))
    id += trace->method == TracerouteParams::Method::icmp ? ":icmp" : ":udp";
  if (const auto* bgp = std::get_if<BgpParams>(&params)) {
    if (bgp->prefix) id += ":" + bgp->prefix->to_string();
    if (bgp->origin_as) id += ":AS" + std::to_string(*bgp->origin_as);
  }
  return id;
}

bool goes_to_target_address(const Check& check) {
  switch (check.kind) {
    case CheckKind::icmp:
    case CheckKind::tcp:
    case CheckKind::http:
    case CheckKind::smtp:
    case CheckKind::traceroute: return true;
    case CheckKind::dns: return !std::get<DnsParams>(check.params).server.has_value();
    case CheckKind::bgp:
    case CheckKind::resolve: return false;
  }
  return false;
}

}  // namespace blackout
