// Server configurations for the lab.
#include "lab/servers.hpp"

#include "lab/topology.hpp"

namespace blackout::lab {

std::string nginx_config(const std::string& site, const std::string& address, const std::filesystem::path& dir) {
  const std::string d = dir.string();
  return "daemon off;\nworker_processes 1;\npid " + d + "/nginx.pid;\nerror_log " + d +
         "/error.log warn;\nevents { worker_connections 512; }\nhttp {\n  access_log off;\n"
         "  client_body_temp_path " +
         d + "/tmp;\n  proxy_temp_path " + d + "/tmp;\n  fastcgi_temp_path " + d + "/tmp;\n  uwsgi_temp_path " + d +
         "/tmp;\n  scgi_temp_path " + d + "/tmp;\n  server {\n    listen " + address + ":80;\n    server_name " + site +
         ".kp.test;\n    location / { default_type text/html; return 200 \"<title>" + site + "</title>blackout lab: " + site +
         "\\n\"; }\n  }\n}\n";
}

std::string nsd_config(const std::string& address, const std::filesystem::path& dir) {
  const std::string d = dir.string();
  return "server:\n  ip-address: " + address +
         "\n  port: 53\n  server-count: 1\n  username: \"\"\n  chroot: \"\"\n  zonesdir: \"" + d +
         "\"\n  database: \"\"\n  pidfile: \"" + d + "/nsd.pid\"\n  xfrdfile: \"" + d + "/xfrd.state\"\n  zonelistfile: \"" + d +
         "/zone.list\"\n  logfile: \"" + d +
         "/nsd.log\"\n  rrl-ratelimit: 0\n  verbosity: 1\nremote-control:\n  control-enable: no\nzone:\n  name: " +
         std::string(lab_zone) + "\n  zonefile: " + lab_zone + ".zone\n";
}

std::string zone_file() {
  std::string zone =
      "$ORIGIN kp.test.\n$TTL 300\n@ IN SOA ns1.kp.test. hostmaster.kp.test. 2026112501 3600 600 86400 300\n"
      "@ IN NS ns1.kp.test.\n@ IN NS ns2.kp.test.\n@ IN MX 10 mail.kp.test.\n";
  for (const LabSite& site : lab_sites()) zone += site.name + " IN A " + site.address + "\n";
  zone += "www IN A 198.18.64.11\n";
  return zone;
}

std::string smtpd_config(const std::string& address) {
  return "listen on " + address +
         " port 25 hostname mail.kp.test\naction \"local\" mbox\nmatch from any for local action \"local\"\n";
}

std::string bird_config(const std::string& role, const std::filesystem::path& state_dir) {
  const std::string log = "log \"" + (state_dir / ("bird-" + role + ".log")).string() + "\" all;\n";
  // Short timers: the lab plays hours of story in minutes; a session that dies is seen in
  // seconds and a link that comes back is used again at once.
  const std::string timers = "  hold time 6; keepalive time 2; connect retry time 2; error wait time 1, 4;\n";
  if (role == "transit") {
    return log + "router id " + transit_border_address +
           ";\nprotocol device {}\n"
           "protocol kernel { ipv4 { export all; }; }\n"
           "protocol bgp border {\n  local " +
           transit_border_address + " as " + std::to_string(transit_as) + ";\n  neighbor " + border_transit_address + " as " +
           std::to_string(country_as) + ";\n" + timers +
           "  ipv4 { import all; export none; };\n}\n"
           "protocol bgp collector {\n  local " +
           transit_collector_address + " as " + std::to_string(transit_as) + ";\n  neighbor " + collector_transit_address +
           " as " + std::to_string(collector_as) + ";\n" + timers +
           "  ipv4 { import none; export all; };\n}\n"
           // The monitor's BGP feed: it connects from the vantage and hears the transit's table.
           "protocol bgp vantage {\n  local " +
           std::string(vantage_gateway) + " as " + std::to_string(transit_as) + ";\n  neighbor " + vantage_address + " as " +
           std::to_string(vantage_as) + ";\n  passive on;\n" + timers + "  ipv4 { import none; export all; };\n}\n";
  }
  if (role == "border") {
    return log + "router id " + border_transit_address +
           ";\nprotocol device {}\n"
           "protocol static country { ipv4; route " +
           std::string(country_prefix) +
           " unreachable; }\n"
           "protocol bgp transit {\n  local " +
           border_transit_address + " as " + std::to_string(country_as) + ";\n  neighbor " + transit_border_address + " as " +
           std::to_string(transit_as) + ";\n" + timers + "  ipv4 { import none; export where proto = \"country\"; };\n}\n";
  }
  // The collector: takes everything, gives nothing, and writes what it hears as MRT
  // (BGP4MP messages as they arrive, TABLE_DUMP_V2 snapshots of its table).
  const std::string mrt = (state_dir / "mrt").string();
  return log + "router id " + collector_transit_address + ";\nmrtdump \"" + mrt +
         "/updates.mrt\";\nmrtdump protocols { messages, states };\n"
         "protocol device {}\n"
         "protocol bgp transit {\n  local " +
         collector_transit_address + " as " + std::to_string(collector_as) + ";\n  neighbor " + transit_collector_address +
         " as " + std::to_string(transit_as) + ";\n" + timers +
         "  ipv4 { import all; export none; };\n  mrtdump all;\n}\n"
         "protocol mrt rib { table \"master4\"; filename \"" +
         mrt + "/rib.%Y%m%d.%H%M%S.mrt\"; period 10; }\n";
}

}  // namespace blackout::lab
