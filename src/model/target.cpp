// Layer names.
#include "model/target.hpp"

#include <array>

namespace blackout {
namespace {
constexpr std::array<std::string_view, layer_count> layer_names{"web", "mail", "dns", "router", "host", "bgp"};
}

std::string_view to_string(Layer layer) { return layer_names[static_cast<std::size_t>(layer)]; }

std::optional<Layer> layer_from_string(std::string_view name) {
  for (std::size_t i = 0; i < layer_names.size(); ++i)
    if (layer_names[i] == name) return static_cast<Layer>(i);
  return std::nullopt;
}

}  // namespace blackout
