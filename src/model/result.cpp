// Result helpers and the fields every result carries.
#include "model/result.hpp"

#include <array>
#include <mutex>
#include <set>
#include <string>

namespace blackout {

std::string_view to_string(FieldType type) {
  switch (type) {
    case FieldType::integer: return "integer";
    case FieldType::real: return "real";
    case FieldType::boolean: return "boolean";
    case FieldType::text: return "text";
    case FieldType::duration: return "duration";
  }
  return "?";
}

std::string_view intern_field_name(std::string_view name) {
  static std::mutex mutex;
  static std::set<std::string, std::less<>> names;
  const std::lock_guard lock(mutex);
  auto it = names.find(name);
  if (it == names.end()) it = names.emplace(name).first;
  return *it;
}

const FieldValue* Result::field(std::string_view name) const {
  for (const ResultField& f : fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

std::span<const FieldSpec> common_result_fields() {
  static constexpr std::array<FieldSpec, 13> fields{{
      {"time", FieldType::text, "when the probe was sent, RFC 3339 UTC"},
      {"vantage", FieldType::text, "where the probe ran from"},
      {"target", FieldType::text, "the target's name"},
      {"check", FieldType::text, "the check's id within the target"},
      {"kind", FieldType::text, "the check kind: icmp, tcp, http, dns, smtp, traceroute, bgp, resolve"},
      {"outcome", FieldType::text, "the typed outcome (see the outcome table)"},
      {"rtt", FieldType::duration, "round-trip time, or total time for multi-step checks"},
      {"phase_dns", FieldType::duration, "time spent resolving a name"},
      {"phase_connect", FieldType::duration, "time to establish the TCP connection"},
      {"phase_tls", FieldType::duration, "time for the TLS handshake"},
      {"phase_first_byte", FieldType::duration, "time until the first byte of the answer"},
      {"confirmation", FieldType::boolean, "true for a re-probe sent to confirm a failure"},
      {"detail", FieldType::text, "a short human explanation of the outcome"},
  }};
  return fields;
}

}  // namespace blackout
