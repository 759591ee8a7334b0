// The fields an icmp result carries.
#include "probes/icmp/fields.hpp"

#include <array>

namespace blackout {

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

}  // namespace blackout
