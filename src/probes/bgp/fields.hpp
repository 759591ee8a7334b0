// The fields a bgp result carries besides the common ones. The probe itself lives in bgp/
// (it reads the collector's table); the list is here so that the registry can document it.
#pragma once

#include <span>

#include "model/result.hpp"

namespace blackout {
std::span<const FieldSpec> bgp_fields();
}
