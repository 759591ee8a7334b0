// Prefix visibility over the Rib; see visibility.hpp. A prefix check looks up its covering
// prefixes one length at a time and walks its more-specific ones as a range of the sorted
// Rib; an origin AS check has to look at every path.
#include "bgp/visibility.hpp"

#include "bgp/bgpdump_lines.hpp"
#include "bgp/path_attributes.hpp"

namespace blackout::bgp {
namespace {

Prefix masked(const Prefix& prefix, std::uint8_t length) {
  Prefix out{prefix.address, length};
  for (std::size_t bit = length; bit < out.address.bytes.size() * 8; ++bit)
    out.address.bytes[bit / 8] = static_cast<std::uint8_t>(out.address.bytes[bit / 8] & ~(0x80U >> (bit % 8)));
  return out;
}

void count(Visibility& out, const Prefix& prefix, const Rib::Paths& paths, const BgpParams& check,
           const std::function<bool(const std::string&)>& peer_is_up) {
  for (const auto& [key, path] : paths) {
    if (!peer_is_up(key.peer)) continue;
    const auto origin = origin_as(path.attributes->as_path);
    if (check.origin_as && origin != check.origin_as) continue;
    out.peers.insert(key.peer);
    ++out.paths;
    out.prefixes.insert(prefix);
    if (origin) out.origins.insert(*origin);
    if (out.shortest_path.empty() || as_path_length(path.attributes->as_path) < as_path_length(out.shortest_path))
      out.shortest_path = path.attributes->as_path;
  }
}

}  // namespace

Visibility visibility(const Rib& rib, const BgpParams& check, std::size_t peers_up,
                      const std::function<bool(const std::string&)>& peer_is_up) {
  Visibility out;
  out.peers_up = peers_up;
  const auto& table = rib.prefixes();
  if (!check.prefix) {
    if (check.origin_as)
      for (const auto& [prefix, paths] : table) count(out, prefix, paths, check, peer_is_up);
    return out;
  }
  const Prefix wanted = masked(*check.prefix, check.prefix->length);
  for (std::uint8_t length = 0; length < wanted.length; ++length) {
    const auto found = table.find(masked(wanted, length));
    if (found != table.end()) count(out, found->first, found->second, check, peer_is_up);
  }
  for (auto it = table.lower_bound(wanted); it != table.end() && wanted.contains(it->first.address); ++it)
    if (wanted.contains(it->first)) count(out, it->first, it->second, check, peer_is_up);
  return out;
}

Result to_result(const Visibility& seen, const BgpParams& check) {
  Result result;
  result.outcome = seen.outcome(check.min_peers);
  result.detail = seen.describe();
  if (result.outcome == Outcome::no_session) return result;
  if (result.outcome == Outcome::withdrawn && !seen.peers.empty())
    result.detail += "; fewer than the " + std::to_string(check.min_peers) + " peers needed";
  result.fields.push_back({"peers_seen", static_cast<std::int64_t>(seen.peers.size())});
  result.fields.push_back({"peers_up", static_cast<std::int64_t>(seen.peers_up)});
  result.fields.push_back({"paths", static_cast<std::int64_t>(seen.paths)});
  result.fields.push_back({"prefixes", static_cast<std::int64_t>(seen.prefixes.size())});
  if (!seen.origins.empty()) {
    std::string origins;
    for (std::uint32_t origin : seen.origins) origins += (origins.empty() ? "" : " ") + std::to_string(origin);
    result.fields.push_back({"origin_as", std::move(origins)});
  }
  if (!seen.shortest_path.empty()) {
    std::string path;
    append_as_path(path, seen.shortest_path);
    result.fields.push_back({"as_path", std::move(path)});
  }
  return result;
}

Outcome Visibility::outcome(int min_peers) const {
  if (peers_up == 0) return Outcome::no_session;
  return static_cast<int>(peers.size()) >= std::max(min_peers, 1) ? Outcome::ok : Outcome::withdrawn;
}

std::string Visibility::describe() const {
  if (peers_up == 0) return "no collector session is up";
  std::string out = "seen by " + std::to_string(peers.size()) + " of " + std::to_string(peers_up) + " peers, " +
                    std::to_string(paths) + " paths, " + std::to_string(prefixes.size()) +
                    (prefixes.size() == 1 ? " prefix" : " prefixes");
  if (!origins.empty()) {
    out += "; origin AS";
    for (std::uint32_t origin : origins) out += " " + std::to_string(origin);
  }
  if (!shortest_path.empty()) {
    out += "; shortest AS path ";
    append_as_path(out, shortest_path);
  }
  return out;
}

}  // namespace blackout::bgp
