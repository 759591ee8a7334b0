// The fields a resolve result carries besides the common ones. Declared here rather than in
// probes/resolve/, because the resolver comes before probes/ in the module order; the
// registry of check kinds lists them from here.
#pragma once

#include <span>

#include "model/result.hpp"

namespace blackout {
std::span<const FieldSpec> resolve_fields();
}
