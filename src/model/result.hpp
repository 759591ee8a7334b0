// A result: one probe, as a plain value that gets stored. In-flight state (sockets,
// sequence numbers) never leaks into it. Each check kind declares the extra fields it fills
// once, as FieldSpecs; JSON output, storage and docs read that one list.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/check.hpp"
#include "model/outcome.hpp"
#include "model/time.hpp"

namespace blackout {

enum class FieldType : std::uint8_t { integer, real, boolean, text, duration };
std::string_view to_string(FieldType type);

struct FieldSpec {
  std::string_view name;
  FieldType type;
  std::string_view description;
};

using FieldValue = std::variant<std::int64_t, double, bool, std::string, Duration>;

struct ResultField {
  std::string_view name;  // a FieldSpec's name, or an interned one: either lives for the program
  FieldValue value;
};

// A field name read back from storage, as a view that lives for the program. Thread-safe.
std::string_view intern_field_name(std::string_view name);

struct PhaseTimings {
  std::optional<Duration> dns, connect, tls, first_byte, total;
};

struct Result {
  Timestamp time;  // when the probe was sent
  std::string vantage;
  std::string target;
  std::string check;  // the check's id within its target
  CheckKind kind = CheckKind::icmp;
  Outcome outcome = Outcome::internal_error;
  std::optional<Duration> rtt;
  PhaseTimings phases;
  std::vector<ResultField> fields;
  std::string detail;         // a short human explanation; never the only record of what happened
  bool confirmation = false;  // a re-probe sent to confirm a failure

  [[nodiscard]] const FieldValue* field(std::string_view name) const;
};

// Fields every result has, before the check's own.
std::span<const FieldSpec> common_result_fields();

}  // namespace blackout
