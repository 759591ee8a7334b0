// The typed outcome of one probe. Every result carries one; it is stored by its stable name
// ("unreachable-net"), never as free text alone. Metrics keep one counter per outcome.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace blackout {

enum class Outcome : unsigned char {
  ok,
  timeout,
  refused,            // TCP RST in answer to SYN, or ICMP port unreachable for UDP
  reset,              // connection reset after it was established
  unreachable_net,    // ICMP destination unreachable: network
  unreachable_host,   // ICMP destination unreachable: host
  unreachable_admin,  // ICMP destination unreachable: administratively prohibited
  unreachable_other,  // any other ICMP destination unreachable code
  ttl_exceeded,       // an ICMP time exceeded came back instead of the answer
  network_error,      // a local error: no route, send failed, address family unsupported
  resolve_error,      // the target's host name did not resolve
  tls_error,          // TLS handshake failed or the certificate did not verify
  cert_expiring,      // TLS worked, but the certificate expires within the warning window
  bad_status,         // HTTP status not among those expected
  bad_body,           // HTTP body did not match
  bad_answer,         // DNS answer did not meet expectations (rcode, flags, answers)
  servfail,           // DNS SERVFAIL
  refused_by_server,  // DNS REFUSED
  nxdomain,           // DNS NXDOMAIN when an answer was expected
  smtp_rejected,      // SMTP server answered with a 4xx/5xx code where 2xx was expected
  bad_reply,          // the reply broke the protocol: malformed, truncated, garbage
  not_reached,        // traceroute: the destination never answered within max hops
  withdrawn,          // BGP: the prefix is not visible from this collector peer
  not_permitted,      // the check may not run: no CAP_NET_RAW, or an address lab_only refuses
  internal_error,     // a bug: reported, counted, never silent
  // Later additions go here, at the end: the stores keep an outcome by its number.
  no_session,  // BGP: no collector session is up with its table: nothing can be said
};

inline constexpr std::size_t outcome_count = static_cast<std::size_t>(Outcome::no_session) + 1;

struct OutcomeInfo {
  Outcome outcome;
  std::string_view name;
  std::string_view description;
};

const std::array<OutcomeInfo, outcome_count>& outcome_table();
std::string_view to_string(Outcome outcome);
std::optional<Outcome> outcome_from_string(std::string_view name);
// True for the outcomes that say the target answered and did its job.
inline bool is_success(Outcome outcome) { return outcome == Outcome::ok || outcome == Outcome::cert_expiring; }

}  // namespace blackout
