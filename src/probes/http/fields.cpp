// The fields an http result carries.
#include "probes/http/fields.hpp"

#include <array>

namespace blackout {

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

}  // namespace blackout
