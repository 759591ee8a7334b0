// The fields each check kind's results carry besides the common ones (common_result_fields):
// one catalog, as plain data, that the probes declare what they write with, the store reads
// each value's type back from, and the docs and `probe --list-fields` print. It lives here,
// not beside each probe, so that reading a stored result needs no sockets.
#pragma once

#include <span>

#include "model/check.hpp"
#include "model/result.hpp"

namespace blackout {

std::span<const FieldSpec> fields_of(CheckKind kind);

}  // namespace blackout
