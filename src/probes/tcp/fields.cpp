// The fields a tcp result carries.
#include "probes/tcp/fields.hpp"

#include <array>

namespace blackout {

std::span<const FieldSpec> tcp_fields() {
  static constexpr std::array<FieldSpec, 2> fields{{
      {"port", FieldType::integer, "the port connected to"},
      {"local_port", FieldType::integer, "the local port of the attempt (its token on the wire)"},
  }};
  return fields;
}

}  // namespace blackout
