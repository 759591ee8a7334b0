// The loaded configuration: what one blackout process watches, from where, and where it
// stores what it sees. Produced only by load_config(), which validates everything.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/address.hpp"
#include "model/detection_params.hpp"
#include "model/event.hpp"
#include "model/target.hpp"
#include "model/time.hpp"

namespace blackout {

struct CheckDefaults {
  Duration interval = 10s;
  Duration timeout = 2s;
  Duration jitter = 1s;
  int confirmations = 2;
  Duration confirm_spacing = 500ms;
};

// Alerts (docs/alerts.md): where messages go and which state changes send them.
struct AlertChannel {
  enum class Kind : std::uint8_t { webhook, email };
  std::string name;
  Kind kind = Kind::webhook;
  std::string url;              // webhook: http(s) URL to POST to
  std::string format = "json";  // webhook: json, slack or matrix
  std::string server;           // email: smtp://host:port or smtps://host:port
  std::string from;             // email
  std::vector<std::string> to;  // email
};

struct AlertRule {
  std::string name;
  Scope scope = Scope::network;       // target, layer or network; a group rule watches targets
  std::vector<std::string> subjects;  // target or layer names; empty: every one of the scope
  std::vector<std::string> groups;    // target rules: only targets in one of these groups
  std::vector<ChangeKind> kinds = {ChangeKind::down, ChangeKind::recovered};
  std::vector<std::string> channels;
};

struct AlertsConfig {
  // Changes that follow an alert within this window are sent together as one update.
  Duration group_window = 30s;
  std::vector<AlertChannel> channels;
  std::vector<AlertRule> rules;
};

// The BGP feed of the bgp checks (docs/bgp.md): sessions with route collectors or border
// routers, on which blackout listens and never announces anything.
struct BgpSessionSpec {
  std::string name;  // the session's name in logs and metrics (default: the peer's address)
  IpAddress peer_address;
  std::uint16_t peer_port = 179;
  std::optional<IpAddress> local_address;  // active: where to connect from; passive: where to listen
  std::uint16_t local_port = 0;            // passive: 179 unless said
  bool passive = false;
  std::uint32_t peer_as = 0;  // 0: whatever AS the peer says
  std::uint16_t hold_time = 90;
};

struct BgpFeedConfig {
  std::uint32_t local_as = 0;
  std::optional<IpAddress> router_id;  // unset: each session's local IPv4 address
  std::vector<BgpSessionSpec> sessions;
};

// Where host names are resolved (resolve/): the system's servers (/etc/resolv.conf) unless
// the config names its own, and how often a name is looked up again.
struct ResolverServer {
  IpAddress address;
  std::uint16_t port = 53;
};

struct ResolverConfig {
  std::vector<ResolverServer> servers;  // empty: the system's resolver
  Duration timeout = 1s;                // one try; c-ares doubles it on each round of tries
  int tries = 2;
  Duration min_ttl = 5s;   // a name is looked up again when its TTL runs out,
  Duration max_ttl = 60s;  // but never sooner than min_ttl nor later than max_ttl
};

struct Retention {
  Duration raw = std::chrono::hours(24 * 7);
  Duration rollups = std::chrono::hours(24 * 400);
};

struct Config {
  std::string source;  // file name, or a label for configs loaded from text
  std::string vantage;
  std::string store = "sqlite:var/blackout.db";
  bool lab_only = false;  // refuse any address outside loopback and the lab ranges
  Retention retention;
  DetectionParams detection;  // the `detection` section; defaults in model/detection_params.hpp
  CheckDefaults defaults;
  std::map<std::string, std::string> groups;  // name -> description
  std::vector<Target> targets;
  AlertsConfig alerts;
  BgpFeedConfig bgp;
  ResolverConfig resolver;

  [[nodiscard]] std::size_t check_count() const;
};

}  // namespace blackout
