// The monitor's BGP feed: one Session per peer named in the config's `bgp` section, all
// feeding one Rib, which the bgp checks read (BgpProbe). It knows which peers count — an
// established session whose table of the family has fully arrived — and tells every
// session change to its handler: a lost session, a hold timer that expired, a peer that
// sent garbage are signals of their own, never withdrawals.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/rib.hpp"
#include "bgp/session.hpp"
#include "config/config.hpp"
#include "engine/loop.hpp"
#include "util/expected.hpp"
#include "util/stats.hpp"

namespace blackout::bgp {

// The Session settings for one configured peer.
SessionConfig session_config(const BgpFeedConfig& feed, const BgpSessionSpec& spec);

struct PeerStatus {
  std::string name;      // the config's name for the session
  std::string peer_key;  // the Rib's name for the peer ("address:port")
  SessionState state = SessionState::idle;
  bool table_complete_v4 = false, table_complete_v6 = false;
  DownReason last_down = DownReason::none;  // why the session last went down
  std::string last_down_detail;
  SessionCounters counters;
};

class Collector {
 public:
  using StateHandler = std::function<void(const std::string& session_name, const SessionChange&)>;

  Collector(EventLoop& loop, const BgpFeedConfig& feed, StateHandler on_state = {});
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Starts every session; the error names the session that cannot (a passive one whose
  // address cannot be listened on). Sessions that cannot connect yet keep trying.
  Expected<bool> start();
  void stop();

  [[nodiscard]] const Rib& rib() const { return rib_; }
  // Whether a peer's paths count for a family (afi_ipv4, afi_ipv6; nullopt: either).
  [[nodiscard]] bool counts(const std::string& peer_key, std::optional<std::uint16_t> afi) const;
  [[nodiscard]] std::size_t peers_counting(std::optional<std::uint16_t> afi) const;
  [[nodiscard]] std::vector<PeerStatus> peers() const;
  // blackout_bgp_*, one sample per session, for /metrics.
  void register_stats(Stats& stats) const;
  // Why no peer counts, for a result's detail: "transit: established, table not complete yet".
  [[nodiscard]] std::string describe_sessions() const;

 private:
  struct Peer {
    std::string name;
    std::unique_ptr<Session> session;
    DownReason last_down = DownReason::none;
    std::string last_down_detail;
  };
  [[nodiscard]] static bool complete(const Session& session, std::optional<std::uint16_t> afi);

  EventLoop& loop_;
  Rib rib_;
  std::vector<std::unique_ptr<Peer>> peers_;
  StateHandler on_state_;
};

}  // namespace blackout::bgp
