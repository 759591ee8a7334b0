// How a result's fields are written into one text column and read back: a JSON object with
// durations as integer microseconds. Reading uses the kind's declared fields to restore
// each value's type, and keeps a field it does not know (from a newer blackout) as text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"

namespace blackout {

std::string encode_fields(const std::vector<ResultField>& fields);
// Malformed JSON yields no fields and sets `ok` to false; it is never thrown.
std::vector<ResultField> decode_fields(std::string_view text, CheckKind kind, bool& ok);

}  // namespace blackout
