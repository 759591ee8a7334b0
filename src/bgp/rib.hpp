// A small RIB for a collector: prefix -> the paths each peer gave for it. It remembers which
// session generation announced a path, so that after a session comes back the paths the
// peer did not announce again can be found (and only then withdrawn): a lost session is not
// a withdrawn prefix.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bgp/mrt_record.hpp"
#include "model/address.hpp"

namespace blackout::bgp {

struct RibPath {
  std::shared_ptr<const PathAttributes> attributes;
  std::uint64_t generation = 0;  // the peer's session generation that announced it
};

// The origin AS of a path: the last AS of its last AS_SEQUENCE (none for a path ending in a set).
std::optional<std::uint32_t> origin_as(const std::vector<AsPathSegment>& as_path);

class Rib {
 public:
  struct PathKey {
    std::string peer;
    std::uint32_t path_id = 0;
    auto operator<=>(const PathKey&) const = default;
  };
  using Paths = std::map<PathKey, RibPath>;

  void announce(const std::string& peer, const Prefix& prefix, std::uint32_t path_id,
                std::shared_ptr<const PathAttributes> attributes, std::uint64_t generation);
  // False when the peer had no such path.
  bool withdraw(const std::string& peer, const Prefix& prefix, std::uint32_t path_id);
  // Removes the peer's paths of one family (afi) older than `generation`; returns their prefixes.
  std::vector<Prefix> sweep_stale(const std::string& peer, std::uint64_t generation, std::uint16_t afi);

  [[nodiscard]] const Paths* paths(const Prefix& prefix) const;
  [[nodiscard]] std::size_t prefix_count() const { return prefixes_.size(); }
  [[nodiscard]] std::size_t path_count() const;
  [[nodiscard]] const std::map<Prefix, Paths>& prefixes() const { return prefixes_; }

 private:
  std::map<Prefix, Paths> prefixes_;
};

}  // namespace blackout::bgp
