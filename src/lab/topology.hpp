// The emulated country, as data: which namespaces exist, how veth pairs join them, their
// addresses and routes, which servers run where, and the country's sites as the monitor and
// the scenarios name them. Every address comes from 198.18.0.0/15.
//
//   vantage ─┐                                  ┌─ web   (mfa, naenara, airkoryo, kcna)
//  collector ─┼─ transit ══ border link ══ border ─ core ─┼─ dns1  (ns1)
//   attacker ─┘  (AS64500)   (tbf)       (AS64511)  (lan)  ├─ dns2  (ns2)
//                                                        └─ mail  (mail)
//
// The border announces the country's /22 to the transit over eBGP; the transit passes it to
// the collector and installs it in its kernel table, so a withdrawal really makes the country
// unreachable. Floods come from the attacker through the same border link as the probes.
#pragma once

#include <string>
#include <vector>

#include "model/target.hpp"

namespace blackout::lab {

// Roles of the namespaces; a lab named N has namespaces "N-<role>".
inline const std::vector<std::string> lab_roles = {"vantage", "transit", "collector", "attacker", "border",
                                                   "core",    "web",     "dns1",      "dns2",     "mail"};

struct LabLink {
  std::string a, a_address;  // namespace role and address/prefix length on its end
  std::string b, b_address;
  // Interface names: "to-<other role>" on each side (at most 15 characters).
};

struct LabRoute {
  std::string role;
  std::string route;  // as `ip route add` takes it
};

// A site of the country: something a scenario can act on and the monitor watches.
struct LabSite {
  std::string name;  // mfa, ns1, border, ...
  Layer layer = Layer::host;
  std::string role;     // the namespace it lives in
  std::string address;  // its IPv4 address
  std::string server;   // nginx, nsd, smtpd, router
};

inline constexpr const char* country_prefix = "198.18.64.0/22";
inline constexpr const char* country_lan = "198.18.64.0/24";
inline constexpr const char* border_link_role_a = "transit";
inline constexpr const char* border_link_role_b = "border";
inline constexpr int transit_as = 64500;
inline constexpr int country_as = 64511;
inline constexpr int collector_as = 64600;
inline constexpr int vantage_as = 64999;  // the monitor's own AS in its session with the transit

const std::vector<LabLink>& lab_links();
// Hosts on the country's LAN: joined to a bridge in `core`.
struct LanHost {
  std::string role;
  std::vector<std::string> addresses;  // the first is the interface's; the others are added
};
const std::vector<LanHost>& lab_lan_hosts();
inline constexpr const char* lan_gateway = "198.18.64.1/24";
const std::vector<LabRoute>& lab_routes();
const std::vector<LabSite>& lab_sites();
const LabSite* find_site(const std::string& name);
// Namespaces that forward packets (routers).
bool is_router_role(const std::string& role);
// Addresses of the routers' BGP speakers.
inline constexpr const char* transit_border_address = "198.18.1.1";
inline constexpr const char* border_transit_address = "198.18.1.2";
inline constexpr const char* transit_collector_address = "198.18.2.1";
inline constexpr const char* collector_transit_address = "198.18.2.2";
inline constexpr const char* attacker_address = "198.18.3.2";
inline constexpr const char* vantage_address = "198.18.0.2";
inline constexpr const char* vantage_gateway = "198.18.0.1";

}  // namespace blackout::lab
