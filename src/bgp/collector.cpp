// The monitor's BGP feed; see collector.hpp.
#include "bgp/collector.hpp"

namespace blackout::bgp {

SessionConfig session_config(const BgpFeedConfig& feed, const BgpSessionSpec& spec) {
  SessionConfig config;
  config.peer_address = spec.peer_address;
  config.peer_port = spec.peer_port;
  config.passive = spec.passive;
  // Unset: the kernel chooses (active) or every address of the family is listened on.
  config.local_address = spec.local_address.value_or(spec.peer_address.is_v4() ? IpAddress{} : *IpAddress::parse("::"));
  config.local_port = spec.local_port;
  config.local_as = feed.local_as;
  config.peer_as = spec.peer_as;
  if (feed.router_id) config.router_id = *feed.router_id;
  config.hold_time = spec.hold_time;
  // A short hold time asks for quick answers: reconnect as quickly after a loss.
  if (spec.hold_time != 0 && spec.hold_time < 30) config.retry_max = std::chrono::seconds(std::max<int>(spec.hold_time, 3));
  return config;
}

Collector::Collector(EventLoop& loop, const BgpFeedConfig& feed, StateHandler on_state)
    : loop_(loop), on_state_(std::move(on_state)) {
  for (const BgpSessionSpec& spec : feed.sessions) {
    auto peer = std::make_unique<Peer>();
    peer->name = spec.name;
    Peer* raw = peer.get();
    Session::Handlers handlers;
    handlers.on_state = [this, raw](const SessionChange& change) {
      if (change.reason != DownReason::none) {
        raw->last_down = change.reason;
        raw->last_down_detail = change.detail;
      }
      if (on_state_) on_state_(raw->name, change);
    };
    peer->session = std::make_unique<Session>(loop_, session_config(feed, spec), rib_, std::move(handlers));
    peers_.push_back(std::move(peer));
  }
}

Collector::~Collector() = default;

Expected<bool> Collector::start() {
  for (const auto& peer : peers_) {
    if (auto started = peer->session->start(); !started)
      return make_error("bgp session " + peer->name + ": " + started.error().message);
  }
  return true;
}

void Collector::stop() {
  for (const auto& peer : peers_) peer->session->stop();
}

bool Collector::complete(const Session& session, std::optional<std::uint16_t> afi) {
  if (afi) return session.table_complete(*afi);
  return session.table_complete(afi_ipv4) || session.table_complete(afi_ipv6);
}

bool Collector::counts(const std::string& peer_key, std::optional<std::uint16_t> afi) const {
  for (const auto& peer : peers_)
    if (peer->session->peer_key() == peer_key) return complete(*peer->session, afi);
  return false;
}

std::size_t Collector::peers_counting(std::optional<std::uint16_t> afi) const {
  std::size_t n = 0;
  for (const auto& peer : peers_) n += complete(*peer->session, afi) ? 1 : 0;
  return n;
}

std::vector<PeerStatus> Collector::peers() const {
  std::vector<PeerStatus> out;
  for (const auto& peer : peers_) {
    const Session& s = *peer->session;
    out.push_back(PeerStatus{peer->name, s.peer_key(), s.state(), s.table_complete(afi_ipv4), s.table_complete(afi_ipv6),
                             peer->last_down, peer->last_down_detail, s.counters()});
  }
  return out;
}

std::string Collector::describe_sessions() const {
  if (peers_.empty()) return "no collector session is configured";
  std::string out;
  for (const auto& peer : peers_) {
    const Session& s = *peer->session;
    if (!out.empty()) out += "; ";
    out += peer->name + ": " + to_string(s.state());
    if (s.state() == SessionState::established) {
      out += ", table not complete yet";
    } else if (peer->last_down != DownReason::none) {
      out += " (last down: " + std::string(to_string(peer->last_down)) +
             (peer->last_down_detail.empty() ? "" : ", " + peer->last_down_detail) + ")";
    }
  }
  return out;
}

void Collector::register_stats(Stats& stats) const {
  const auto each = [&](const char* name, StatType type, const char* help, auto value) {
    stats.family(name, type, help, [this, value] {
      std::vector<StatSample> samples;
      for (const PeerStatus& peer : peers())
        samples.push_back(StatSample{{{"session", peer.name}}, static_cast<double>(value(peer))});
      return samples;
    });
  };
  each("blackout_bgp_session_up", StatType::gauge,
       "1 while the BGP session is established with its table complete (its paths count), else 0.", [](const PeerStatus& p) {
         return p.state == SessionState::established && (p.table_complete_v4 || p.table_complete_v6) ? 1 : 0;
       });
  each("blackout_bgp_session_established", StatType::gauge, "1 while the BGP session is established, else 0.",
       [](const PeerStatus& p) { return p.state == SessionState::established ? 1 : 0; });
  each("blackout_bgp_sessions_established_total", StatType::counter, "Times the BGP session came up.",
       [](const PeerStatus& p) { return p.counters.established; });
  each("blackout_bgp_updates_total", StatType::counter, "UPDATE messages received.",
       [](const PeerStatus& p) { return p.counters.updates; });
  each("blackout_bgp_announcements_total", StatType::counter, "Prefixes announced to blackout.",
       [](const PeerStatus& p) { return p.counters.announcements; });
  each("blackout_bgp_withdrawals_total", StatType::counter, "Prefixes withdrawn from blackout.",
       [](const PeerStatus& p) { return p.counters.withdrawals; });
  each("blackout_bgp_malformed_messages_total", StatType::counter,
       "Malformed messages received (each ends the session with a NOTIFICATION).",
       [](const PeerStatus& p) { return p.counters.malformed; });
}

}  // namespace blackout::bgp
