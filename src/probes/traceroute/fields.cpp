// The fields a traceroute result carries.
#include "probes/traceroute/fields.hpp"

#include <array>

namespace blackout {

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

}  // namespace blackout
