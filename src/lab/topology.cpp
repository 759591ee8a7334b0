// The lab's topology as data.
#include "lab/topology.hpp"

namespace blackout::lab {

const std::vector<LabLink>& lab_links() {
  static const std::vector<LabLink> links = {
      {"vantage", "198.18.0.2/30", "transit", "198.18.0.1/30"},
      {"transit", "198.18.1.1/30", "border", "198.18.1.2/30"},  // the border link
      {"collector", "198.18.2.2/30", "transit", "198.18.2.1/30"},
      {"attacker", "198.18.3.2/30", "transit", "198.18.3.1/30"},
      {"border", "198.18.67.1/30", "core", "198.18.67.2/30"},
  };
  return links;
}

const std::vector<LanHost>& lab_lan_hosts() {
  static const std::vector<LanHost> hosts = {
      {"web", {"198.18.64.10/24", "198.18.64.11/24", "198.18.64.12/24", "198.18.64.13/24"}},
      {"dns1", {"198.18.64.20/24"}},
      {"dns2", {"198.18.64.21/24"}},
      {"mail", {"198.18.64.30/24"}},
  };
  return hosts;
}

const std::vector<LabRoute>& lab_routes() {
  // The transit learns the country's prefix from BGP (BIRD installs it); everything else is static.
  static const std::vector<LabRoute> routes = {
      {"vantage", "default via 198.18.0.1"}, {"collector", "default via 198.18.2.1"},      {"attacker", "default via 198.18.3.1"},
      {"border", "default via 198.18.1.1"},  {"border", "198.18.64.0/24 via 198.18.67.2"}, {"core", "default via 198.18.67.1"},
      {"web", "default via 198.18.64.1"},    {"dns1", "default via 198.18.64.1"},          {"dns2", "default via 198.18.64.1"},
      {"mail", "default via 198.18.64.1"},
  };
  return routes;
}

const std::vector<LabSite>& lab_sites() {
  static const std::vector<LabSite> sites = {
      {"mfa", Layer::web, "web", "198.18.64.10", "nginx"},      {"naenara", Layer::web, "web", "198.18.64.11", "nginx"},
      {"airkoryo", Layer::web, "web", "198.18.64.12", "nginx"}, {"kcna", Layer::web, "web", "198.18.64.13", "nginx"},
      {"ns1", Layer::dns, "dns1", "198.18.64.20", "nsd"},       {"ns2", Layer::dns, "dns2", "198.18.64.21", "nsd"},
      {"mail", Layer::mail, "mail", "198.18.64.30", "smtpd"},   {"border", Layer::router, "border", "198.18.67.1", "router"},
      {"core", Layer::router, "core", "198.18.64.1", "router"},
  };
  return sites;
}

const LabSite* find_site(const std::string& name) {
  for (const LabSite& site : lab_sites())
    if (site.name == name) return &site;
  return nullptr;
}

bool is_router_role(const std::string& role) { return role == "transit" || role == "border" || role == "core"; }

}  // namespace blackout::lab
