// Prefix visibility: what a collector's Rib says about one bgp check (a prefix, with its
// covering and more-specific prefixes, or an origin AS): through how many peers and paths it
// is seen, and with which AS paths. Pure: the monitor turns it into a Result (ok when seen
// by at least min_peers peers, withdrawn otherwise). Only peers whose session is up count:
// when none is, the answer is "no session", never "withdrawn" — a lost session is not a
// withdrawn prefix.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bgp/rib.hpp"
#include "model/check.hpp"
#include "model/outcome.hpp"
#include "model/result.hpp"

namespace blackout::bgp {

struct Visibility {
  std::size_t peers_up = 0;     // peers whose session is established (the ones that count)
  std::set<std::string> peers;  // of those, the ones that have a matching path
  std::size_t paths = 0;
  std::set<Prefix> prefixes;  // the matching prefixes seen
  std::set<std::uint32_t> origins;
  std::vector<AsPathSegment> shortest_path;  // one of the shortest AS paths seen

  // ok when at least min_peers peers see it; withdrawn when sessions are up and too few see
  // it; no_session when no session is up (nothing can be said).
  [[nodiscard]] Outcome outcome(int min_peers) const;
  // "seen by 2 of 2 peers, 3 paths, 1 prefix; origin AS 65001; shortest AS path 65001"
  [[nodiscard]] std::string describe() const;
};

// The Result a bgp check stores for it (outcome, detail and the fields of model/result_fields):
// what the live BgpProbe and the archive replay both give.
Result to_result(const Visibility& seen, const BgpParams& check);

// `peer_is_up` says which of the Rib's peers (Session::peer_key()) have a session up.
Visibility visibility(const Rib& rib, const BgpParams& check, std::size_t peers_up,
                      const std::function<bool(const std::string&)>& peer_is_up);

}  // namespace blackout::bgp
