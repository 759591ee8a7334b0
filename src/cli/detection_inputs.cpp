// Targets and detection parameters for replaying a store.
#include "cli/detection_inputs.hpp"

#include "config/loader.hpp"

namespace blackout::cli {

StoreResult<DetectionInputs> detection_inputs(Store& store, const std::string& config_path) {
  DetectionInputs inputs;
  if (!config_path.empty()) {
    auto config = load_config_file(config_path);
    if (!config) throw ConfigLoadError(config.error());
    inputs.targets = std::move(config->targets);
    inputs.params = config->detection;
    return inputs;
  }
  auto stored = store.current_targets();
  if (!stored) return stored.error();
  inputs.targets = std::move(*stored);
  return inputs;
}

}  // namespace blackout::cli
