// The config schema table. Add a key here first; the loader refuses keys it does not list.
#include "config/schema.hpp"

#include <array>

namespace blackout {
namespace {

// Keys every check accepts, whatever its kind, are listed once under "<kind>".
constexpr auto schema = std::to_array<KeySpec>({
    {"vantage", "name", "the host name", false,
     "Name of this vantage point. Every result carries it; several vantages can share one store."},
    {"store", "store URL", "sqlite:var/blackout.db", false,
     "Where results go: `sqlite:PATH` (embedded, the default) or `postgresql://user@host:port/db` (shared by many vantages)."},
    {"lab_only", "boolean", "false", false,
     "Refuse any address outside loopback, 198.18.0.0/15 and fd00:198:18::/48. Set in every config the tests and the lab run."},
    {"retention", "mapping", "", false, "How long the store keeps what. State changes and events are kept forever."},
    {"retention.raw", "duration", "7d", false, "Raw results, one row per probe, are kept this long."},
    {"retention.rollups", "duration", "400d", false,
     "Per-minute rollups (count, successes, RTT min/median/p95/max) are kept this long."},
    {"detection", "mapping", "", false, "How results become states and events; docs/detection.md explains each parameter."},
    {"detection.fall", "integer 1..100", "3", false,
     "At least this many failures in a row (the first and its confirmations) before a check or target can fail."},
    {"detection.rise", "integer 1..100", "2", false, "Passes in a row that end a service's failure."},
    {"detection.silence_chance", "number 1e-12..0.5", "1e-5", false,
     "A target is down when the chance that its silence is only packet loss, judged from how it answered before, falls below "
     "this."},
    {"detection.silence_span", "duration or N intervals", "3 intervals", false,
     "A silence must also last this long before a target is down (several silent at once: half of it), so that a flood that "
     "strikes all at once shows itself first."},
    {"detection.baseline_samples", "integer 4..100000", "64", false,
     "RTTs kept per check, while its target is up and unstressed, to learn its normal."},
    {"detection.baseline_min_samples", "integer 1..100000", "8", false,
     "Below this many baseline RTTs, no latency inflation is computed."},
    {"detection.window", "integer 1..1000", "20", false,
     "Recent scheduled probes (probe intervals) per check over which loss and the recent median RTT are read."},
    {"detection.inflation_threshold", "number > 1", "3", false,
     "A probe this many times slower than its baseline is slow; a window this slow has stress 1 from latency alone."},
    {"detection.rtt_floor", "duration", "5ms", false,
     "A baseline RTT below this counts as this: a millisecond of jitter on a LAN-fast path is not stress."},
    {"detection.loss_threshold", "number 0..1", "0.3", false,
     "Share of recent probes lost (1 minus the answer ratio) at which loss alone makes stress 1."},
    {"detection.stress_odds", "number 10..1e12", "1e5", false,
     "A target is stressed once its slow answers and lost probes make stress this many times likelier than normal."},
    {"detection.stress_fall", "integer 1..100", "3", false,
     "Good answers in a row (answered, at the normal RTT) on every check that end stress (a tcp, http or smtp check beside an "
     "icmp or dns one: its last answer good)."},
    {"detection.layer_down_share", "number 0..1", "0.51", false,
     "Weighted share of a layer's targets that must be down for the layer to be down (0.51: a majority)."},
    {"detection.layer_stressed_share", "number 0..1", "0.51", false,
     "Weighted share of a layer's targets stressed or down for the layer to be stressed."},
    {"detection.network_down_share", "number 0..1", "0.8", false,
     "Weighted share of all (non-control) targets unreachable for the network to be down."},
    {"detection.network_stressed_share", "number 0..1", "0.51", false,
     "Weighted share of all targets stressed or down for the network to be stressed."},
    {"detection.wave_gap", "duration or N intervals", "4 intervals", false,
     "A recovery this long, every layer back up, ends a wave of the network's trouble."},
    {"detection.stress_lead", "duration or N intervals", "3 intervals", false,
     "How far before a failure to look for a degraded spell (lost or slow answers) that makes it stress-led."},
    {"detection.clean_cut_spread", "duration or N intervals", "3 intervals", false,
     "Failures this close together, with no degraded spell, make a clean cut; prefixes leaving this soon after the first "
     "failure, a routing withdrawal."},
    {"detection.quorum", "integer 0..1000", "0", false,
     "Vantages that must agree before anything is network-wide (0: a majority of those seen)."},
    {"alerts", "mapping", "", false,
     "Messages when something goes dark or comes back: channels to send to and rules that choose what to send (docs/alerts.md)."},
    {"alerts.group_window", "duration", "30s", false,
     "Changes that follow an alert within this window are sent together as one update of the same incident."},
    {"alerts.channels", "list", "", false, "Where messages go: each a webhook or an e-mail address list."},
    {"alerts.channels[].name", "name", "", true, "Name the rules refer to."},
    {"alerts.channels[].webhook", "mapping", "", false, "POST a JSON message to a URL."},
    {"alerts.channels[].webhook.url", "http(s) URL", "", true, "Where to POST."},
    {"alerts.channels[].webhook.format", "json, slack or matrix", "json", false,
     "The payload: blackout's own JSON, a Slack incoming-webhook `text` message, or a Matrix `m.text` event body."},
    {"alerts.channels[].email", "mapping", "", false, "Send an e-mail over SMTP."},
    {"alerts.channels[].email.server", "smtp:// or smtps:// URL", "", true, "The SMTP server, e.g. smtp://127.0.0.1:25."},
    {"alerts.channels[].email.from", "e-mail address", "", true, "Sender address."},
    {"alerts.channels[].email.to", "list of e-mail addresses", "", true, "Recipients."},
    {"alerts.rules", "list", "", false, "Which state changes send messages, and where."},
    {"alerts.rules[].name", "name", "rule<N>", false, "Name shown in messages."},
    {"alerts.rules[].scope", "target, layer, network or group", "network", false,
     "What the rule watches. `group` watches the targets of the groups in `subjects`."},
    {"alerts.rules[].subjects", "list of names", "[] (all)", false,
     "Target names, layer names, or (scope group) group names; empty: every subject of the scope."},
    {"alerts.rules[].kinds", "list of down, stressed, recovered", "[down, recovered]", false,
     "Which changes send a message: going down, becoming stressed, coming back up."},
    {"alerts.rules[].channels", "list of channel names", "", true, "Where to send."},
    {"bgp", "mapping", "", false,
     "The BGP feed of the bgp checks: sessions with route collectors or border routers on which blackout listens and never "
     "announces anything (docs/bgp.md). Read at start; a reload keeps the running sessions."},
    {"bgp.local_as", "AS number", "", true, "blackout's own AS in its sessions (a private AS such as 64999 is usual)."},
    {"bgp.router_id", "IPv4 address", "the session's local address", false,
     "blackout's BGP identifier; needed for sessions over IPv6."},
    {"bgp.sessions", "list", "", true, "One BGP-4 session per peer. Their tables together answer every bgp check."},
    {"bgp.sessions[].name", "name", "the peer's address", false, "Name of the session in logs, metrics and results."},
    {"bgp.sessions[].peer", "ADDRESS[:PORT]", "", true,
     "The peer, e.g. 198.18.0.1 or [fd00:198:18::1]:1179 (port 179 unless said)."},
    {"bgp.sessions[].peer_as", "AS number", "", true, "The peer's AS; its OPEN must say the same (0 accepts any)."},
    {"bgp.sessions[].local", "ADDRESS[:PORT]", "any", false,
     "Active: the address to connect from. Passive: where to listen (port 179 unless said)."},
    {"bgp.sessions[].passive", "boolean", "false", false, "Wait for the peer to connect instead of connecting to it."},
    {"bgp.sessions[].hold_time", "0 or integer 3..65535 (seconds)", "90", false,
     "Hold time to propose; the smaller of the two sides' wins. A peer silent this long is a lost session."},
    {"resolver", "mapping", "", false,
     "Where the `host` of a target without an `address` is resolved (A and AAAA, asynchronously with c-ares), and how often "
     "again. Each lookup is stored as a `resolve` result of the target (docs/checks.md). Read at start; a reload keeps it."},
    {"resolver.servers", "list of ADDRESS[:PORT]", "the system's (/etc/resolv.conf)", false,
     "Name servers to ask, in order, e.g. 127.0.0.1:5353 or [::1]:53 (port 53 unless said). They must answer for the names the "
     "targets use: a recursive resolver, or the authoritative server of their zone."},
    {"resolver.timeout", "duration", "1s", false,
     "How long one try waits for an answer; each round over the servers doubles it."},
    {"resolver.tries", "integer 1..10", "2", false,
     "Rounds over the servers before a lookup fails (as timeout, refused, servfail, ...)."},
    {"resolver.min_ttl", "duration", "5s", false,
     "Floor of the TTL: a name is never looked up again sooner, whatever its TTL (0 included); also the first wait before a "
     "failed lookup is retried."},
    {"resolver.max_ttl", "duration", "1m", false,
     "Ceiling of the TTL: a name is looked up again at least this often, so that a DNS outage shows within it; failed lookups "
     "are retried at min_ttl, doubling up to this."},
    {"defaults", "mapping", "", false, "Defaults for every check; a target or a check may override each of them."},
    {"defaults.interval", "duration", "10s", false, "Time between two runs of a check."},
    {"defaults.timeout", "duration", "2s", false, "How long a probe waits for its answer. Must be shorter than the interval."},
    {"defaults.jitter", "duration", "1s", false,
     "Random delay, up to this much, added to each run so that probes spread out. Must be shorter than the interval."},
    {"defaults.confirmations", "integer 0..10", "2", false,
     "When a passing check fails, re-probe it this many times at once before the failure counts: a lost packet is not an "
     "outage."},
    {"defaults.confirm_spacing", "duration", "500ms", false, "Time between confirmation re-probes."},
    {"groups", "mapping of name to text", "", false,
     "Named groups (owners, sectors) with a description. When present, every group a target names must be declared here."},
    {"targets", "list", "", true, "The things to watch. At least one."},
    {"targets[].name", "name", "", true, "Unique name of the target: letters, digits, `_`, `.`, `-`; at most 64 characters."},
    {"targets[].layer", "one of web, mail, dns, router, host, bgp", "", true,
     "Which layer of the network the target belongs to; detection aggregates per layer."},
    {"targets[].groups", "list of names", "[]", false, "Groups the target belongs to."},
    {"targets[].address", "IP address", "", false,
     "IPv4 or IPv6 address to probe. A target needs an address or a host, except a bgp target."},
    {"targets[].host", "host name", "", false,
     "DNS name of the target. Without an address, its checks go to the address it resolves to (IPv4 when it has one, else IPv6; "
     "the last known one while it does not resolve), and each lookup is a `resolve` result. Sent as the HTTP Host and TLS SNI "
     "name."},
    {"targets[].description", "text", "", false, "Free text shown in reports."},
    {"targets[].weight", "number 1e-6..1e6", "1", false, "The target's share in layer and network aggregates."},
    {"targets[].control", "boolean", "false", false,
     "A vantage control target (outside the watched network): when only control targets fail, the problem is the vantage's own."},
    {"targets[].interval", "duration", "defaults.interval", false, "Overrides the default interval for this target's checks."},
    {"targets[].timeout", "duration", "defaults.timeout", false, "Overrides the default timeout for this target's checks."},
    {"targets[].jitter", "duration", "defaults.jitter", false, "Overrides the default jitter for this target's checks."},
    {"targets[].confirmations", "integer 0..10", "defaults.confirmations", false,
     "Overrides the default confirmations for this target's checks."},
    {"targets[].checks", "list of checks", "", true,
     "How to probe the target. Each item is a check kind alone (`icmp`, `traceroute`, `smtp`) or a mapping from one kind to its "
     "parameters (`tcp: 443`, `http: {url: ...}`)."},
    {"targets[].checks[].<kind>", "mapping", "", false, "Keys every check kind accepts besides its own."},
    {"targets[].checks[].<kind>.name", "name", "derived from kind and parameters", false,
     "Id of the check within its target (default: e.g. `tcp:443`, `dns:kp.test/SOA`)."},
    {"targets[].checks[].<kind>.interval", "duration", "the target's", false, "Overrides the interval for this check."},
    {"targets[].checks[].<kind>.timeout", "duration", "the target's", false, "Overrides the timeout for this check."},
    {"targets[].checks[].<kind>.jitter", "duration", "the target's", false, "Overrides the jitter for this check."},
    {"targets[].checks[].<kind>.confirmations", "integer 0..10", "the target's", false,
     "Overrides the confirmations for this check."},
    {"targets[].checks[].<kind>.confirm_spacing", "duration", "defaults.confirm_spacing", false,
     "Overrides the confirmation spacing for this check."},
    {"targets[].checks[].icmp", "mapping or nothing", "", false,
     "ICMP echo (ping) over a raw socket, IPv4 or IPv6. Needs CAP_NET_RAW."},
    {"targets[].checks[].icmp.payload_size", "integer 0..1472", "56", false, "Bytes of payload after the ICMP header."},
    {"targets[].checks[].tcp", "port, or mapping", "", false,
     "TCP connect to a port: ok, refused, reset, timeout and unreachable told apart. `tcp: 443` is short for `tcp: {port: "
     "443}`."},
    {"targets[].checks[].tcp.port", "port 1..65535", "", true, "The port to connect to."},
    {"targets[].checks[].http", "mapping", "", false, "HTTP or HTTPS request with expectations and phase timings."},
    {"targets[].checks[].http.url", "http(s) URL", "", true,
     "The URL to fetch. Its host is connected to at the target's address when the target has one."},
    {"targets[].checks[].http.expect_status", "status or list of statuses", "200", false, "Status codes that count as success."},
    {"targets[].checks[].http.body_match", "regular expression", "", false,
     "Regular expression in RE2 syntax (no backreferences or lookaround) the first 1 MiB of the body must contain a match of; "
     "matched in linear time. A pattern RE2 cannot compile is a config error."},
    {"targets[].checks[].http.follow_redirects", "boolean", "false", false,
     "Follow redirects (up to 5) and judge the last answer."},
    {"targets[].checks[].http.tls_verify", "boolean", "true", false, "Verify the TLS certificate chain and name."},
    {"targets[].checks[].http.cert_expiry_warning", "duration", "14d", false,
     "Report `cert-expiring` when the certificate expires sooner than this."},
    {"targets[].checks[].http.method", "GET or HEAD", "GET", false, "HTTP method."},
    {"targets[].checks[].http.host_header", "host name", "the URL's host", false, "Host header (and TLS SNI name) to send."},
    {"targets[].checks[].dns", "mapping", "", false,
     "DNS query to a given server over UDP (TCP on truncation) with expectations."},
    {"targets[].checks[].dns.query", "domain name", "", true, "The name to ask for."},
    {"targets[].checks[].dns.type", "DNS type", "SOA", false, "Query type: A, AAAA, NS, MX, SOA, TXT, ... or TYPEnnn."},
    {"targets[].checks[].dns.class", "IN or CH", "IN", false, "Query class."},
    {"targets[].checks[].dns.server", "IP address", "the target's address", false, "Server to ask."},
    {"targets[].checks[].dns.port", "port 1..65535", "53", false, "Server port."},
    {"targets[].checks[].dns.expect_rcode", "DNS rcode", "NOERROR", false, "Expected response code: NOERROR, NXDOMAIN, ..."},
    {"targets[].checks[].dns.expect_authoritative", "boolean", "", false, "When set, the AA flag must have this value."},
    {"targets[].checks[].dns.min_answers", "integer >= 0", "0", false, "Fewest records the answer section must hold."},
    {"targets[].checks[].dns.tcp", "boolean", "false", false, "Always query over TCP."},
    {"targets[].checks[].dns.recursion_desired", "boolean", "false", false,
     "Set the RD flag (for checking a resolver rather than an authoritative server)."},
    {"targets[].checks[].smtp", "mapping or nothing", "", false,
     "SMTP banner (220), EHLO and its capabilities, optionally STARTTLS."},
    {"targets[].checks[].smtp.port", "port 1..65535", "25", false, "Server port."},
    {"targets[].checks[].smtp.starttls", "boolean", "false", false, "Also run STARTTLS and a TLS handshake."},
    {"targets[].checks[].smtp.ehlo_name", "host name", "blackout.invalid", false, "Name sent with EHLO."},
    {"targets[].checks[].traceroute", "mapping or nothing", "", false,
     "Probes with increasing TTL: hops, their RTTs, the last responsive hop, whether the destination was reached. Needs "
     "CAP_NET_RAW."},
    {"targets[].checks[].traceroute.method", "udp or icmp", "udp", false, "Probe packets: UDP to high ports, or ICMP echo."},
    {"targets[].checks[].traceroute.max_hops", "integer 1..64", "30", false, "Largest TTL tried."},
    {"targets[].checks[].traceroute.first_hop", "integer 1..64", "1", false, "Smallest TTL tried."},
    {"targets[].checks[].traceroute.port", "port 1..65535", "33434", false, "First destination port for UDP probes."},
    {"targets[].checks[].bgp", "mapping", "", false,
     "Visibility of a prefix or origin AS in BGP, from MRT feeds or a collector session."},
    {"targets[].checks[].bgp.prefix", "IP prefix", "", false,
     "Prefix to watch (covering and more-specific prefixes count). A bgp check needs a prefix or an origin_as."},
    {"targets[].checks[].bgp.origin_as", "AS number", "", false, "Origin AS whose prefixes to watch."},
    {"targets[].checks[].bgp.min_peers", "integer >= 1", "1", false,
     "Fewest collector peers that must see the prefix for it to count as visible."},
});

}  // namespace

std::span<const KeySpec> config_schema() { return schema; }

const KeySpec* find_key_spec(std::string_view path) {
  for (const KeySpec& spec : config_schema())
    if (spec.path == path) return &spec;
  return nullptr;
}

std::vector<std::string_view> child_keys(std::string_view parent) {
  std::vector<std::string_view> keys;
  for (const KeySpec& spec : config_schema()) {
    std::string_view path = spec.path;
    if (!parent.empty()) {
      if (path.size() <= parent.size() + 1 || path.substr(0, parent.size()) != parent || path[parent.size()] != '.') continue;
      path.remove_prefix(parent.size() + 1);
    }
    if (path.find('.') == std::string_view::npos && path.find('[') == std::string_view::npos && path != "<kind>")
      keys.push_back(path);
  }
  return keys;
}

std::string schema_markdown() {
  std::string out;
  std::string_view section;
  const auto section_of = [](std::string_view path) -> std::string_view {
    if (path.starts_with("targets[].checks[].")) {
      const std::string_view rest = path.substr(19);
      const std::size_t dot = rest.find('.');
      return path.substr(0, 19 + (dot == std::string_view::npos ? rest.size() : dot));
    }
    if (path.starts_with("targets[]")) return "targets[]";
    const std::size_t dot = path.find('.');
    return dot == std::string_view::npos ? std::string_view("top level") : path.substr(0, dot);
  };
  for (const KeySpec& spec : config_schema()) {
    const std::string_view this_section = section_of(spec.path);
    if (this_section != section) {
      section = this_section;
      out += "\n### `" + std::string(section) + "`\n\n| key | type | default | meaning |\n| --- | --- | --- | --- |\n";
    }
    std::string default_text =
        spec.required ? "**required**" : (spec.default_value.empty() ? "" : "`" + std::string(spec.default_value) + "`");
    out += "| `" + std::string(spec.path) + "` | " + std::string(spec.type) + " | " + default_text + " | " +
           std::string(spec.description) + " |\n";
  }
  return out;
}

}  // namespace blackout
