// A target: one thing to watch (a web site, a mail server, a name server, a router, a host,
// a prefix), the layer it belongs to, its groups and its checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/address.hpp"
#include "model/check.hpp"

namespace blackout {

enum class Layer : std::uint8_t { web, mail, dns, router, host, bgp };
inline constexpr std::size_t layer_count = 6;

std::string_view to_string(Layer layer);
std::optional<Layer> layer_from_string(std::string_view name);

struct Target {
  std::string name;
  Layer layer = Layer::host;
  std::vector<std::string> groups;
  std::optional<IpAddress> address;
  std::string host;  // DNS name, resolved at start-up when no address is given
  std::string description;
  double weight = 1.0;   // its share in layer and network aggregates
  bool control = false;  // a vantage control target: when only these fail, it is the vantage
  std::vector<Check> checks;
};

}  // namespace blackout
