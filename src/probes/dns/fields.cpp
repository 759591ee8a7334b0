// The fields a dns result carries.
#include "probes/dns/fields.hpp"

#include <array>

namespace blackout {

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

}  // namespace blackout
