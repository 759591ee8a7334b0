// A check: one way of probing a target (icmp, tcp, http, dns, smtp, traceroute, bgp), with
// its parameters and schedule. Plain values, filled by config/ and read by engine/ and probes/.
// The kind resolve is not written in configs: the resolver (resolve/) records each lookup of
// a target's host name as a result of that kind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/address.hpp"
#include "model/time.hpp"

namespace blackout {

// Later kinds go at the end: code and tables index by the kind's number.
enum class CheckKind : std::uint8_t { icmp, tcp, http, dns, smtp, traceroute, bgp, resolve };
inline constexpr std::size_t check_kind_count = 8;

std::string_view to_string(CheckKind kind);
std::optional<CheckKind> check_kind_from_string(std::string_view name);

struct IcmpParams {
  std::uint16_t payload_size = 56;  // bytes after the ICMP header, as ping's default
};

struct TcpParams {
  std::uint16_t port = 0;
};

struct HttpParams {
  std::string url;
  std::vector<int> expect_status{200};
  std::string body_match;  // ECMAScript regex searched in the body; empty: no match
  bool follow_redirects = false;
  bool tls_verify = true;
  Duration cert_expiry_warning = std::chrono::hours(24 * 14);
  std::string method = "GET";
  std::string host_header;  // sent as Host: when probing an address for a named site
  bool lab_only = false;    // the config's lab_only: no connection outside the lab, redirects included
};

struct DnsParams {
  std::string query;
  std::uint16_t qtype = 6;          // SOA
  std::uint16_t qclass = 1;         // IN
  std::optional<IpAddress> server;  // default: the target's address
  std::uint16_t port = 53;
  int expect_rcode = 0;  // NOERROR
  std::optional<bool> expect_authoritative;
  int min_answers = 0;
  bool tcp = false;  // always use TCP (else UDP, TCP on truncation)
  bool recursion_desired = false;
};

struct SmtpParams {
  std::uint16_t port = 25;
  bool starttls = false;
  std::string ehlo_name = "blackout.invalid";
};

struct TracerouteParams {
  enum class Method : std::uint8_t { udp, icmp };
  Method method = Method::udp;
  int max_hops = 30;
  int first_hop = 1;
  std::uint16_t port = 33434;
};

struct BgpParams {
  std::optional<Prefix> prefix;
  std::optional<std::uint32_t> origin_as;
  int min_peers = 1;
};

// The lookup of the target's host name (A and AAAA) by the resolver; nothing to set per check.
struct ResolveParams {};

using CheckParams =
    std::variant<IcmpParams, TcpParams, HttpParams, DnsParams, SmtpParams, TracerouteParams, BgpParams, ResolveParams>;

struct Check {
  std::string id;  // unique within its target: "icmp", "tcp:443", "dns:kp.test/SOA", or a given name
  CheckKind kind = CheckKind::icmp;
  CheckParams params;
  Duration interval = 10s;
  Duration timeout = 2s;
  Duration jitter = 1s;
  int confirmations = 2;  // re-probes before a failure of a passing check counts
  Duration confirm_spacing = 500ms;
};

// The default id of a check, from its kind and parameters (used when no name is given).
std::string default_check_id(CheckKind kind, const CheckParams& params);

// Whether the check is sent to its target's address: the config's, or, for a target named
// only by host, the one its name resolves to. Not a dns check that names its own server,
// nor a bgp check.
bool goes_to_target_address(const Check& check);

// DNS type and class mnemonics: "A", "AAAA", "SOA", "TYPE65"; "IN", "CH".
std::optional<std::uint16_t> dns_type_from_string(std::string_view name);
std::string dns_type_name(std::uint16_t type);
std::optional<int> dns_rcode_from_string(std::string_view name);
std::string dns_rcode_name(int rcode);

}  // namespace blackout
