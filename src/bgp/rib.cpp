// The collector's RIB; see rib.hpp.
#include "bgp/rib.hpp"

namespace blackout::bgp {

std::optional<std::uint32_t> origin_as(const std::vector<AsPathSegment>& as_path) {
  for (auto segment = as_path.rbegin(); segment != as_path.rend(); ++segment) {
    if (segment->type == as_segment::confed_sequence || segment->type == as_segment::confed_set) continue;
    if (segment->type != as_segment::sequence || segment->asns.empty()) return std::nullopt;
    return segment->asns.back();
  }
  return std::nullopt;
}

void Rib::announce(const std::string& peer, const Prefix& prefix, std::uint32_t path_id,
                   std::shared_ptr<const PathAttributes> attributes, std::uint64_t generation) {
  prefixes_[prefix][PathKey{peer, path_id}] = RibPath{std::move(attributes), generation};
}

bool Rib::withdraw(const std::string& peer, const Prefix& prefix, std::uint32_t path_id) {
  const auto found = prefixes_.find(prefix);
  if (found == prefixes_.end()) return false;
  const bool erased = found->second.erase(PathKey{peer, path_id}) > 0;
  if (found->second.empty()) prefixes_.erase(found);
  return erased;
}

std::vector<Prefix> Rib::sweep_stale(const std::string& peer, std::uint64_t generation, std::uint16_t afi) {
  std::vector<Prefix> swept;
  for (auto prefix = prefixes_.begin(); prefix != prefixes_.end();) {
    const bool family = (afi == afi_ipv4) == prefix->first.address.is_v4();
    if (family) {
      for (auto path = prefix->second.begin(); path != prefix->second.end();) {
        if (path->first.peer == peer && path->second.generation < generation) {
          path = prefix->second.erase(path);
          if (swept.empty() || swept.back() != prefix->first) swept.push_back(prefix->first);
        } else {
          ++path;
        }
      }
    }
    prefix = prefix->second.empty() ? prefixes_.erase(prefix) : std::next(prefix);
  }
  return swept;
}

const Rib::Paths* Rib::paths(const Prefix& prefix) const {
  const auto found = prefixes_.find(prefix);
  return found == prefixes_.end() ? nullptr : &found->second;
}

std::size_t Rib::path_count() const {
  std::size_t count = 0;
  for (const auto& [prefix, paths] : prefixes_) count += paths.size();
  return count;
}

}  // namespace blackout::bgp
