// What `analyze`, `report` and `serve` replay a store with: the targets and detection
// parameters of --config when given, else the targets the store recorded and the defaults.
#pragma once

#include <string>
#include <vector>

#include "model/detection_params.hpp"
#include "model/target.hpp"
#include "store/store.hpp"

namespace blackout::cli {

struct DetectionInputs {
  std::vector<Target> targets;
  DetectionParams params;
};

// A config that does not load throws ConfigLoadError (reported by main, as everywhere).
StoreResult<DetectionInputs> detection_inputs(Store& store, const std::string& config_path);

}  // namespace blackout::cli
