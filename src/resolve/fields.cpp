// The fields a resolve result carries.
#include "resolve/fields.hpp"

#include <array>

namespace blackout {

std::span<const FieldSpec> resolve_fields() {
  static constexpr std::array<FieldSpec, 11> fields{{
      {"host", FieldType::text, "the name looked up (the target's host)"},
      {"ipv4", FieldType::text, "the A records of the answer, space-separated"},
      {"ipv6", FieldType::text, "the AAAA records of the answer, space-separated"},
      {"a_status", FieldType::text, "how the A query ended: ok, nodata, nxdomain, servfail, refused-by-server, refused, timeout, bad-reply, error"},
      {"aaaa_status", FieldType::text, "how the AAAA query ended, in the same words"},
      {"ttl", FieldType::integer, "the smallest TTL of the records, in seconds"},
      {"next_lookup", FieldType::duration, "when the name is looked up again: the TTL within resolver.min_ttl and max_ttl, or the retry after a failure"},
      {"probing", FieldType::text, "the address the target's checks go to now (empty: none usable)"},
      {"stale", FieldType::boolean, "true when the checks go to the last known address because this lookup failed"},
      {"failing_for", FieldType::duration, "how long the name has not resolved: since the first failed lookup after the last good one"},
      {"refused", FieldType::text, "addresses of the answer that lab_only refuses (outside loopback and the lab ranges): never probed"},
  }};
  return fields;
}

}  // namespace blackout
