// Results as text: one JSON object per line (the field names are those the check kinds
// declare), and a compact human line for terminals.
#pragma once

#include <string>

#include "model/result.hpp"

namespace blackout {

std::string result_to_json(const Result& result);
// "2026-11-25T06:40:00.123Z demo web tcp:18080 ok 0.21ms port=18080"
std::string result_to_line(const Result& result);
std::string field_value_to_string(const FieldValue& value);

// CSV (RFC 4180): a header and one row per result; the kind's own fields go into one
// column as a JSON object, so that every row has the same columns.
std::string csv_header();
std::string result_to_csv(const Result& result);

}  // namespace blackout
