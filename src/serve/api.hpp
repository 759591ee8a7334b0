// The read-only JSON API's documents (docs/api.md): the current state of every target,
// layer and the network as detection sees it, the inventory, and recent series.
#pragma once

#include <string>
#include <vector>

#include "detect/detector.hpp"
#include "model/target.hpp"
#include "serve/history.hpp"

namespace blackout {

// {"time": ..., "network": [...], "layers": [...], "targets": [...]}
std::string state_to_json(Timestamp now, const std::vector<TargetStatus>& targets, const std::vector<EntityStatus>& aggregates);

// {"time": ..., "targets": [{"target", "layer", "groups", "control", "states": [{vantage, state, stress}]}]}
std::string targets_to_json(Timestamp now, const std::vector<Target>& targets, const std::vector<TargetStatus>& statuses);

// {"scope", "subject", "vantage", "points": [{"time", "state", "reachability", "stress", "rtt_ms", "loss"}]}
std::string series_to_json(const std::string& scope, const std::string& subject, const std::string& vantage,
                           const std::vector<HistoryPoint>& points);

}  // namespace blackout
