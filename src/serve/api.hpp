// The read-only JSON API's documents (docs/api.md): the current state of every target,
// layer and the network as detection sees it.
#pragma once

#include <string>
#include <vector>

#include "detect/detector.hpp"

namespace blackout {

// {"time": ..., "network": [...], "layers": [...], "targets": [...]}
std::string state_to_json(Timestamp now, const std::vector<TargetStatus>& targets, const std::vector<EntityStatus>& aggregates);

}  // namespace blackout
