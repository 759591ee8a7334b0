// Names and descriptions of outcomes, in one table that docs and metrics read.
#include "model/outcome.hpp"

namespace blackout {

const std::array<OutcomeInfo, outcome_count>& outcome_table() {
  static const std::array<OutcomeInfo, outcome_count> table{{
      {Outcome::ok, "ok", "the check passed"},
      {Outcome::timeout, "timeout", "no answer within the check's timeout"},
      {Outcome::refused, "refused", "connection refused (TCP RST to SYN, or ICMP port unreachable)"},
      {Outcome::reset, "reset", "connection reset after it was established"},
      {Outcome::unreachable_net, "unreachable-net", "ICMP destination unreachable: network"},
      {Outcome::unreachable_host, "unreachable-host", "ICMP destination unreachable: host"},
      {Outcome::unreachable_admin, "unreachable-admin", "ICMP destination unreachable: administratively prohibited"},
      {Outcome::unreachable_other, "unreachable-other", "ICMP destination unreachable with another code"},
      {Outcome::ttl_exceeded, "ttl-exceeded", "ICMP time exceeded instead of an answer"},
      {Outcome::network_error, "network-error", "local network error (no route, send failed)"},
      {Outcome::resolve_error, "resolve-error", "the host name did not resolve"},
      {Outcome::tls_error, "tls-error", "TLS handshake or certificate verification failed"},
      {Outcome::cert_expiring, "cert-expiring", "TLS certificate expires within the warning window"},
      {Outcome::bad_status, "bad-status", "HTTP status not among those expected"},
      {Outcome::bad_body, "bad-body", "HTTP body did not match the expected pattern"},
      {Outcome::bad_answer, "bad-answer", "DNS answer did not meet the expectations"},
      {Outcome::servfail, "servfail", "DNS server answered SERVFAIL"},
      {Outcome::refused_by_server, "refused-by-server", "DNS server answered REFUSED"},
      {Outcome::nxdomain, "nxdomain", "DNS server answered NXDOMAIN"},
      {Outcome::smtp_rejected, "smtp-rejected", "SMTP server answered 4xx/5xx where 2xx was expected"},
      {Outcome::bad_reply, "bad-reply", "the reply broke the protocol (malformed, truncated, garbage)"},
      {Outcome::not_reached, "not-reached", "traceroute did not reach the destination"},
      {Outcome::withdrawn, "withdrawn", "BGP: the prefix is not visible"},
      {Outcome::not_permitted, "not-permitted",
       "the check may not run: it needs a privilege the monitor lacks (CAP_NET_RAW), or its address is outside the lab and "
       "lab_only is set"},
      {Outcome::internal_error, "internal-error", "an internal error in blackout (a bug)"},
      {Outcome::no_session, "no-session",
       "BGP: no collector session is up with its table, so nothing can be said about the prefix (a lost session is not a "
       "withdrawal)"},
  }};
  return table;
}

std::string_view to_string(Outcome outcome) { return outcome_table()[static_cast<std::size_t>(outcome)].name; }

std::optional<Outcome> outcome_from_string(std::string_view name) {
  for (const OutcomeInfo& info : outcome_table())
    if (info.name == name) return info.outcome;
  return std::nullopt;
}

}  // namespace blackout
