// The fields an smtp result carries besides the common ones.
#pragma once

#include <span>

#include "model/result.hpp"

namespace blackout {
std::span<const FieldSpec> smtp_fields();
}
