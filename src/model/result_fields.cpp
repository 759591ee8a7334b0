// The fields each check kind's results carry besides the common ones.
#include "model/result_fields.hpp"

#include <array>

namespace blackout {
namespace {

std::span<const FieldSpec> icmp_fields() {
  static constexpr std::array<FieldSpec, 6> fields{{
      {"ttl", FieldType::integer, "TTL (hop limit) of the reply as it arrived"},
      {"reply_from", FieldType::text, "address that answered: the target, or a router reporting an error"},
      {"seq", FieldType::integer, "ICMP sequence number of the probe (with the id, its token on the wire)"},
      {"icmp_type", FieldType::integer, "type of an ICMP error received instead of a reply"},
      {"icmp_code", FieldType::integer, "code of an ICMP error received instead of a reply"},
      {"payload_size", FieldType::integer, "bytes of payload sent after the ICMP header"},
  }};
  return fields;
}

std::span<const FieldSpec> tcp_fields() {
  static constexpr std::array<FieldSpec, 2> fields{{
      {"port", FieldType::integer, "the port connected to"},
      {"local_port", FieldType::integer, "the local port of the attempt (its token on the wire)"},
  }};
  return fields;
}

std::span<const FieldSpec> traceroute_fields() {
  static constexpr std::array<FieldSpec, 7> fields{{
      {"reached", FieldType::boolean, "whether the destination itself answered"},
      {"hop_count", FieldType::integer, "the TTL at which the destination answered (0 if it did not)"},
      {"last_responsive_hop", FieldType::integer, "the highest TTL from which anything answered"},
      {"last_responsive_address", FieldType::text, "who answered at that TTL: where along the path traffic dies"},
      {"hops", FieldType::text, "each TTL with its answering address and RTT, or * for silence, separated by ' | '"},
      {"stopped_by", FieldType::text, "why the trace ended: reached, unreachable (an ICMP error from a router), or timeout"},
      {"probes_sent", FieldType::integer, "how many probe packets the trace sent"},
  }};
  return fields;
}

std::span<const FieldSpec> dns_fields() {
  static constexpr std::array<FieldSpec, 11> fields{{
      {"rcode", FieldType::text, "response code: NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ..."},
      {"authoritative", FieldType::boolean, "the AA flag of the answer"},
      {"truncated", FieldType::boolean, "the UDP answer had the TC flag (and the query was retried over TCP)"},
      {"transport", FieldType::text, "udp or tcp: how the accepted answer came"},
      {"answers", FieldType::integer, "records in the answer section"},
      {"authority", FieldType::integer, "records in the authority section"},
      {"additional", FieldType::integer, "records in the additional section"},
      {"soa_serial", FieldType::integer, "SOA serial from the answer (or the authority section)"},
      {"response_size", FieldType::integer, "bytes of the accepted answer"},
      {"dns_id", FieldType::integer, "the query's id (with the question and the source port, its token)"},
      {"server", FieldType::text, "the server asked"},
  }};
  return fields;
}

std::span<const FieldSpec> http_fields() {
  static constexpr std::array<FieldSpec, 11> fields{{
      {"status", FieldType::integer, "HTTP status of the (last) answer"},
      {"http_version", FieldType::text, "HTTP version of the answer: 1.0, 1.1, 2"},
      {"body_bytes", FieldType::integer, "bytes of body received"},
      {"header_bytes", FieldType::integer, "bytes of headers received"},
      {"redirects", FieldType::integer, "redirects followed"},
      {"final_url", FieldType::text, "the URL of the last answer"},
      {"remote_address", FieldType::text, "the address connected to"},
      {"body_matched", FieldType::boolean, "whether the body matched body_match (when set)"},
      {"cert_expires", FieldType::text, "when the server's TLS certificate expires (RFC 3339)"},
      {"cert_days_left", FieldType::real, "days until the certificate expires"},
      {"url", FieldType::text, "the URL asked for"},
  }};
  return fields;
}

std::span<const FieldSpec> smtp_fields() {
  static constexpr std::array<FieldSpec, 8> fields{{
      {"banner_code", FieldType::integer, "the code of the greeting (220 when all is well)"},
      {"banner", FieldType::text, "the greeting's first line (at most 200 characters, escaped)"},
      {"ehlo_code", FieldType::integer, "the code of the answer to EHLO"},
      {"capabilities", FieldType::text, "the EHLO keywords, space-separated (STARTTLS, SIZE, 8BITMIME, ...)"},
      {"starttls_offered", FieldType::boolean, "whether the server offers STARTTLS"},
      {"tls_version", FieldType::text, "the TLS version after STARTTLS"},
      {"tls_cipher", FieldType::text, "the TLS cipher after STARTTLS"},
      {"stage", FieldType::text, "how far the conversation got: connect, banner, ehlo, starttls, tls, quit"},
  }};
  return fields;
}

std::span<const FieldSpec> bgp_fields() {
  static constexpr std::array<FieldSpec, 6> fields{{
      {"peers_seen", FieldType::integer, "collector peers through which the prefix (or origin AS) is visible"},
      {"peers_up", FieldType::integer,
       "collector peers whose session is established with its table complete (the ones that count)"},
      {"paths", FieldType::integer, "paths to the prefix, its covering and more-specific prefixes, over all peers"},
      {"prefixes", FieldType::integer, "distinct matching prefixes seen"},
      {"origin_as", FieldType::text, "origin ASes of the paths seen, space-separated"},
      {"as_path", FieldType::text, "one of the shortest AS paths seen, as bgpdump prints it"},
  }};
  return fields;
}

std::span<const FieldSpec> resolve_fields() {
  static constexpr std::array<FieldSpec, 11> fields{{
      {"host", FieldType::text, "the name looked up (the target's host)"},
      {"ipv4", FieldType::text, "the A records of the answer, space-separated"},
      {"ipv6", FieldType::text, "the AAAA records of the answer, space-separated"},
      {"a_status", FieldType::text,
       "how the A query ended: ok, nodata, nxdomain, servfail, refused-by-server, refused, timeout, bad-reply, error"},
      {"aaaa_status", FieldType::text, "how the AAAA query ended, in the same words"},
      {"ttl", FieldType::integer, "the smallest TTL of the records, in seconds"},
      {"next_lookup", FieldType::duration,
       "when the name is looked up again: the TTL within resolver.min_ttl and max_ttl, or the retry after a failure"},
      {"probing", FieldType::text, "the address the target's checks go to now (empty: none usable)"},
      {"stale", FieldType::boolean, "true when the checks go to the last known address because this lookup failed"},
      {"failing_for", FieldType::duration,
       "how long the name has not resolved: since the first failed lookup after the last good one"},
      {"refused", FieldType::text,
       "addresses of the answer that lab_only refuses (outside loopback and the lab ranges): never probed"},
  }};
  return fields;
}

}  // namespace

std::span<const FieldSpec> fields_of(CheckKind kind) {
  switch (kind) {
    case CheckKind::icmp: return icmp_fields();
    case CheckKind::tcp: return tcp_fields();
    case CheckKind::traceroute: return traceroute_fields();
    case CheckKind::dns: return dns_fields();
    case CheckKind::http: return http_fields();
    case CheckKind::smtp: return smtp_fields();
    case CheckKind::bgp: return bgp_fields();
    case CheckKind::resolve: return resolve_fields();
    default: return {};
  }
}

}  // namespace blackout
