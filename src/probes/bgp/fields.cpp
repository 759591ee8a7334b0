// The fields a bgp result carries.
#include "probes/bgp/fields.hpp"

#include <array>

namespace blackout {

std::span<const FieldSpec> bgp_fields() {
  static constexpr std::array<FieldSpec, 6> fields{{
      {"peers_seen", FieldType::integer, "collector peers through which the prefix (or origin AS) is visible"},
      {"peers_up", FieldType::integer, "collector peers whose session is established with its table complete (the ones that count)"},
      {"paths", FieldType::integer, "paths to the prefix, its covering and more-specific prefixes, over all peers"},
      {"prefixes", FieldType::integer, "distinct matching prefixes seen"},
      {"origin_as", FieldType::text, "origin ASes of the paths seen, space-separated"},
      {"as_path", FieldType::text, "one of the shortest AS paths seen, as bgpdump prints it"},
  }};
  return fields;
}

}  // namespace blackout
