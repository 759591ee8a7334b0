// The fields an smtp result carries.
#include "probes/smtp/fields.hpp"

#include <array>

namespace blackout {

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

}  // namespace blackout
