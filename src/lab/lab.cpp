// Building, acting on and removing the lab.
#include "lab/lab.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab/servers.hpp"
#include "lab/topology.hpp"

namespace blackout::lab {
namespace {

constexpr int iperf_port = 5201;

// Where a flood goes: a site's own address, or the core router for the link as a whole.
std::string flood_address(const std::string& target) {
  if (target == "link") return "198.18.64.1";
  if (const LabSite* site = find_site(target)) return site->address;
  return "";
}

std::string flood_role(const std::string& target) {
  if (target == "link") return "core";
  if (const LabSite* site = find_site(target)) return site->role;
  return "";
}

// Whether a TCP socket listens on IPv4 `address`:`port` in the network namespace of process
// `pid` (its /proc/PID/net/tcp lists the sockets of that namespace, the address as the
// kernel holds it, in network order, printed as a number).
bool listening_in(pid_t pid, const std::string& address, int port) {
  in_addr raw{};
  if (inet_pton(AF_INET, address.c_str(), &raw) != 1) return false;
  char wanted[24];
  std::snprintf(wanted, sizeof wanted, "%08X:%04X", raw.s_addr, static_cast<unsigned>(port));
  std::ifstream in("/proc/" + std::to_string(pid) + "/net/tcp");
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local == wanted) return true;
  }
  return false;
}

bool write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

LabResult ok() { return Done{}; }

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

}  // namespace

Lab::Lab(std::string name, std::filesystem::path state_dir) : name_(std::move(name)), state_dir_(std::move(state_dir)) {}

std::filesystem::path Lab::default_state_dir(const std::string& name) {
  return std::filesystem::path("/run/blackout-lab") / name;
}

LabResult Lab::ip(const std::string& role, const std::string& args) const {
  std::vector<std::string> argv = {"ip", "-n", ns(role)};
  for (std::string& word : split_words(args)) argv.push_back(std::move(word));
  if (auto done = run_checked(argv); !done) return done.error();
  return ok();
}

LabResult Lab::exec(const std::string& role, std::vector<std::string> argv) const {
  if (auto done = run_checked(in_namespace(ns(role), std::move(argv))); !done) return done.error();
  return ok();
}

LabResult Lab::nft(const std::string& role, const std::string& script) const {
  const auto file = state_dir_ / ("nft-" + role + ".nft");
  if (!write_text(file, script)) return make_error("cannot write " + file.string());
  return exec(role, {"nft", "-f", file.string()});
}

Expected<std::string> Lab::birdc(const std::string& role, const std::string& command) const {
  std::vector<std::string> argv = {"birdc", "-s", (state_dir_ / ("bird-" + role + ".ctl")).string()};
  for (std::string& word : split_words(command)) argv.push_back(std::move(word));
  return run_checked(argv);
}

std::vector<Daemon> Lab::load_daemons() const {
  std::vector<Daemon> daemons;
  std::ifstream in(state_dir_ / "daemons");
  Daemon d;
  while (in >> d.name >> d.pid >> d.start_time) daemons.push_back(d);
  return daemons;
}

void Lab::save_daemons(const std::vector<Daemon>& daemons) const {
  const auto path = state_dir_ / "daemons";
  const auto temporary = state_dir_ / "daemons.new";
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (const Daemon& d : daemons) out << d.name << ' ' << d.pid << ' ' << d.start_time << '\n';
  }
  std::filesystem::rename(temporary, path);
}

void Lab::record_daemon(const Daemon& daemon) const {
  // Appended at once: a `lab up` killed right after this still leaves the PID for `down`.
  std::ofstream out(state_dir_ / "daemons", std::ios::app);
  out << daemon.name << ' ' << daemon.pid << ' ' << daemon.start_time << '\n';
}

void Lab::forget_daemon(const std::string& name) {
  auto daemons = load_daemons();
  std::erase_if(daemons, [&](const Daemon& d) { return d.name == name; });
  save_daemons(daemons);
}

Expected<Daemon> Lab::launch(const std::string& name, const std::string& role, std::vector<std::string> argv) {
  auto daemon = start_daemon(name, in_namespace(ns(role), std::move(argv)), log_path(name));
  if (daemon) record_daemon(*daemon);
  return daemon;
}

LabResult Lab::start(const std::string& name, const std::string& role, std::vector<std::string> argv) {
  auto daemon = launch(name, role, std::move(argv));
  if (!daemon) return daemon.error();
  return ok();
}

void Lab::stop_named(const std::string& name, std::chrono::milliseconds grace) {
  for (const Daemon& daemon : load_daemons())
    if (daemon.name == name) stop_daemon(daemon, grace);
  forget_daemon(name);
}

LabResult Lab::up(const Progress& progress) {
  if (getuid() != 0) return make_error("the lab needs root (network namespaces, traffic control, servers on port 53, 25 and 80)");
  const LabStatus now = status();
  if (now.up()) {
    progress("lab " + name_ + " is already up");
    return ok();
  }
  if (!now.absent()) {
    progress("lab " + name_ + " is half there (a killed run?): taking it down first");
    if (auto done = down(progress); !done) return done;
  }
  if (auto built = build(progress); !built) {
    const Error error = built.error();
    progress("lab up failed: " + error.message + "; removing what was built");
    (void)down([](const std::string&) {});
    return error;
  }
  return ok();
}

LabResult Lab::build(const Progress& progress) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir_ / "logs", ec);
  std::filesystem::create_directories(mrt_dir(), ec);
  if (ec) return make_error("cannot create " + state_dir_.string() + ": " + ec.message());
  // Servers that drop privileges (nsd, smtpd, nginx workers) must be able to read their configs.
  for (auto path = state_dir_; !path.empty() && path != path.root_path(); path = path.parent_path()) chmod(path.c_str(), 0755);
  progress("namespaces, links and routes");
  if (auto done = build_network(); !done) return done;
  progress("traffic control: a tbf bottleneck on the border link, htb classes per site");
  if (auto done = build_traffic_control(); !done) return done;
  if (auto done = build_firewalls(); !done) return done;
  if (auto done = start_servers(progress); !done) return done;
  progress("waiting for BGP: the border announces " + std::string(country_prefix));
  if (auto done = wait_for_route(std::chrono::seconds(30)); !done) return done;
  return all_servers_running();
}

LabResult Lab::all_servers_running() const {
  // A server that exits at start (a missing folder, a port taken) must stop `lab up` with
  // its own words, not leave a lab that fails its checks for reasons nobody sees.
  for (const Daemon& daemon : load_daemons()) {
    if (is_running(daemon)) continue;
    std::ifstream log(log_path(daemon.name));
    std::string line, last_lines;
    std::deque<std::string> tail;
    while (std::getline(log, line)) {
      tail.push_back(line);
      if (tail.size() > 5) tail.pop_front();
    }
    for (const std::string& l : tail) last_lines += "\n  " + l;
    return make_error(daemon.name + " exited after it was started; its log (" + log_path(daemon.name).string() +
                      ") ends:" + (last_lines.empty() ? std::string(" (empty)") : last_lines));
  }
  return ok();
}

LabResult Lab::build_network() {
  for (const std::string& role : lab_roles) {
    if (auto done = run_checked({"ip", "netns", "add", ns(role)}); !done) return done.error();
    if (auto done = ip(role, "link set lo up"); !done) return done;
    // Deterministic answers: no ICMP rate limit; routers forward.
    if (auto done = exec(role, {"sysctl", "-qw", "net.ipv4.icmp_ratelimit=0",
                                "net.ipv4.ip_forward=" + std::string(is_router_role(role) ? "1" : "0")});
        !done)
      return done;
  }
  for (const LabLink& link : lab_links()) {
    const std::string a_if = "to-" + link.b, b_if = "to-" + link.a;
    if (auto done = run_checked(
            {"ip", "link", "add", a_if, "netns", ns(link.a), "type", "veth", "peer", "name", b_if, "netns", ns(link.b)});
        !done)
      return done.error();
    if (auto done = ip(link.a, "addr add " + link.a_address + " dev " + a_if); !done) return done;
    if (auto done = ip(link.b, "addr add " + link.b_address + " dev " + b_if); !done) return done;
    if (auto done = ip(link.a, "link set " + a_if + " up"); !done) return done;
    if (auto done = ip(link.b, "link set " + b_if + " up"); !done) return done;
  }
  // The country's LAN: a bridge in the core router, one veth per host namespace.
  if (auto done = ip("core", "link add lan type bridge"); !done) return done;
  if (auto done = ip("core", std::string("addr add ") + lan_gateway + " dev lan"); !done) return done;
  if (auto done = ip("core", "link set lan up"); !done) return done;
  for (const LanHost& host : lab_lan_hosts()) {
    const std::string core_if = "to-" + host.role;
    if (auto done = run_checked({"ip", "link", "add", core_if, "netns", ns("core"), "type", "veth", "peer", "name", "to-core",
                                 "netns", ns(host.role)});
        !done)
      return done.error();
    if (auto done = ip("core", "link set " + core_if + " master lan up"); !done) return done;
    for (const std::string& address : host.addresses)
      if (auto done = ip(host.role, "addr add " + address + " dev to-core"); !done) return done;
    if (auto done = ip(host.role, "link set to-core up"); !done) return done;
  }
  for (const LabRoute& route : lab_routes())
    if (auto done = ip(route.role, "route add " + route.route); !done) return done;
  return ok();
}

namespace {

// The per-site queue in packets for a queueing delay at 8 Mbit/s, with the 1400-byte
// datagrams the floods send.
int site_queue_packets(Duration delay) {
  const double packets = to_seconds(delay) * 8e6 / (1400.0 * 8);
  return std::max(2, static_cast<int>(std::lround(packets)));
}

std::string milliseconds_text(Duration delay) {
  return std::to_string(std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(delay).count())) + "ms";
}

constexpr auto default_link_queue = std::chrono::milliseconds(100);
constexpr int default_site_queue = 60;

}  // namespace

LabResult Lab::build_traffic_control() {
  // The border link into the country: 40 Mbit/s with at most 100 ms of queue. A flood
  // larger than that fills the queue: real queueing delay for every probe, then real loss.
  if (auto done = exec("transit", {"tc", "qdisc", "add", "dev", "to-border", "root", "tbf", "rate", "40mbit", "burst", "32kb",
                                   "latency", milliseconds_text(default_link_queue)});
      !done)
    return done;
  // Each site behind the border has its own 8 Mbit/s class with a 60-packet queue (about
  // 90 ms): a flood at one site stresses that site, not its neighbours.
  if (auto done = exec("border", {"tc", "qdisc", "add", "dev", "to-core", "root", "handle", "1:", "htb", "default", "99"}); !done)
    return done;
  if (auto done =
          exec("border", {"tc", "class", "add", "dev", "to-core", "parent", "1:", "classid", "1:1", "htb", "rate", "1gbit"});
      !done)
    return done;
  if (auto done = exec("border", {"tc", "class", "add", "dev", "to-core", "parent", "1:1", "classid", "1:99", "htb", "rate",
                                  "900mbit", "ceil", "1gbit"});
      !done)
    return done;
  int minor = 10;
  for (const LabSite& site : lab_sites()) {
    if (site.server == "router") continue;
    const std::string classid = "1:" + std::to_string(minor);
    if (auto done = exec("border", {"tc", "class", "add", "dev", "to-core", "parent", "1:1", "classid", classid, "htb", "rate",
                                    "8mbit", "ceil", "8mbit"});
        !done)
      return done;
    if (auto done = exec("border", {"tc", "qdisc", "add", "dev", "to-core", "parent", classid, "handle",
                                    std::to_string(minor) + ":", "pfifo", "limit", std::to_string(default_site_queue)});
        !done)
      return done;
    if (auto done = exec("border", {"tc", "filter", "add", "dev", "to-core", "parent", "1:", "protocol", "ip", "prio", "1", "u32",
                                    "match", "ip", "dst", site.address + "/32", "flowid", classid});
        !done)
      return done;
    ++minor;
  }
  return ok();
}

LabResult Lab::build_firewalls() {
  // Border: hosts whose traffic a scenario drops or rejects. Transit: background loss on
  // the way into the country, by nftables' random number generator.
  if (auto done = nft("border",
                      "table ip blackout_lab {\n"
                      "  set dropped { type ipv4_addr; }\n  set rejected { type ipv4_addr; }\n"
                      "  chain forward { type filter hook forward priority 0; policy accept;\n"
                      "    ip daddr @dropped drop\n    ip saddr @dropped drop\n"
                      "    ip daddr @rejected reject with icmp type admin-prohibited\n  }\n"
                      "  chain input { type filter hook input priority 0; policy accept;\n    ip daddr @dropped drop\n  }\n}\n");
      !done)
    return done;
  return set_background_loss(0);
}

LabResult Lab::start_servers(const Progress& progress) {
  progress("BIRD: transit (AS" + std::to_string(transit_as) + "), border (AS" + std::to_string(country_as) + "), collector (AS" +
           std::to_string(collector_as) + ", MRT)");
  for (const char* role : {"transit", "border", "collector"})
    if (auto done = start_bird(role, bird_config(role, state_dir_)); !done) return done;
  progress("nginx for mfa, naenara, airkoryo, kcna; nsd for ns1, ns2; OpenSMTPD for mail");
  for (const LabSite& site : lab_sites())
    if (site.server != "router")
      if (auto done = start_site_server(site.name); !done) return done;
  progress("iperf3 servers to receive the floods");
  for (const std::string target : {"mfa", "naenara", "airkoryo", "kcna", "ns1", "ns2", "mail", "link"})
    if (auto done = restart_flood_server(target); !done) return done;
  return ok();
}

LabResult Lab::restart_flood_server(const std::string& target) {
  const std::string name = "iperf3-" + target;
  stop_named(name, std::chrono::milliseconds(500));
  const auto server =
      launch(name, flood_role(target), {"iperf3", "-s", "-B", flood_address(target), "-p", std::to_string(iperf_port)});
  if (!server) return server.error();
  // A client that connects before the server listens is refused, and its flood never starts.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!listening_in(server->pid, flood_address(target), iperf_port)) {
    if (std::chrono::steady_clock::now() > deadline)
      return make_error(name + " does not listen on port " + std::to_string(iperf_port) + " after 3 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ok();
}

LabResult Lab::start_bird(const std::string& role, const std::string& config) {
  const auto file = state_dir_ / ("bird-" + role + ".conf");
  if (!write_text(file, config)) return make_error("cannot write " + file.string());
  if (auto parsed = run_checked({"bird", "-p", "-c", file.string()}); !parsed)
    return make_error("BIRD rejects " + file.string() + ": " + parsed.error().message);
  return start("bird-" + role, role,
               {"bird", "-f", "-c", file.string(), "-s", (state_dir_ / ("bird-" + role + ".ctl")).string(), "-P",
                (state_dir_ / ("bird-" + role + ".pid")).string()});
}

LabResult Lab::start_site_server(const std::string& name) {
  const LabSite* site = find_site(name);
  if (!site) return make_error("no site " + name);
  const auto dir = state_dir_ / name;
  std::error_code ec;
  std::filesystem::create_directories(dir / "tmp", ec);
  chmod(dir.c_str(), 0755);
  if (site->server == "nginx") {
    if (!write_text(dir / "nginx.conf", nginx_config(name, site->address, dir)))
      return make_error("cannot write " + (dir / "nginx.conf").string());
    return start("server-" + name, site->role,
                 {"nginx", "-c", (dir / "nginx.conf").string(), "-e", (dir / "error.log").string()});
  }
  if (site->server == "nsd") {
    if (!write_text(dir / "nsd.conf", nsd_config(site->address, dir)) ||
        !write_text(dir / (std::string(lab_zone) + ".zone"), zone_file()))
      return make_error("cannot write the nsd configuration in " + dir.string());
    return start("server-" + name, site->role, {"nsd", "-d", "-c", (dir / "nsd.conf").string()});
  }
  if (site->server == "smtpd") {
    if (!write_text(dir / "smtpd.conf", smtpd_config(site->address)))
      return make_error("cannot write " + (dir / "smtpd.conf").string());
    chmod((dir / "smtpd.conf").c_str(), 0644);
    // OpenSMTPD keeps its control socket in /run and its queue in /var/spool/smtpd: in a
    // private /run and spool (this mount namespace only, made by `ip netns exec`) it cannot
    // collide with another smtpd on this machine. The spool's mount point exists only once
    // some smtpd has run here (the package does not ship it), so it is made first. Its config is copied in first: the lab's
    // state folder may itself be under /run. It looks up each client's name before its
    // greeting; a resolver on 127.0.0.1 (nothing there) fails at once instead of making
    // the greeting wait for a name server the lab does not have.
    return start("server-" + name, site->role,
                 {"sh", "-c",
                  "conf=$(cat " + (dir / "smtpd.conf").string() +
                      ") && mount -t tmpfs -o mode=755 lab-run /run && mkdir -p -m 711 /var/spool/smtpd && mount -t tmpfs -o "
                      "mode=711 lab-spool /var/spool/smtpd && "
                      "printf '%s\\n' \"$conf\" >/run/smtpd.conf && chmod 644 /run/smtpd.conf && "
                      "echo 'nameserver 127.0.0.1' >/run/resolv.conf && mount --bind /run/resolv.conf /etc/resolv.conf && "
                      "exec smtpd -d -f /run/smtpd.conf"});
  }
  return make_error(name + " is a router: it has no server to start");
}

LabResult Lab::wait_for_route(std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto routes = run_command({"ip", "-n", ns("transit"), "route", "show", country_prefix});
    if (routes.exit_code == 0 && routes.output.find("198.18.64.0/22") != std::string::npos) return ok();
    last = routes.output;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::string sessions;
  if (auto shown = birdc("transit", "show protocols"); shown) sessions = *shown;
  return make_error("the transit has no route to " + std::string(country_prefix) + " after " + std::to_string(timeout.count()) +
                    " s (BGP not established?); BIRD says:\n" + sessions);
}

LabStatus Lab::status() const {
  LabStatus status;
  const auto listed = run_command({"ip", "netns", "list"});
  const auto names = split_words(listed.output);
  for (const std::string& role : lab_roles) {
    const bool present = std::find(names.begin(), names.end(), ns(role)) != names.end();
    (present ? status.namespaces_present : status.namespaces_missing).push_back(ns(role));
  }
  for (const Daemon& daemon : load_daemons()) (is_running(daemon) ? status.running : status.dead).push_back(daemon);
  if (auto has = collector_has_prefix(); has)
    status.bgp = *has ? std::string(country_prefix) + " seen by the collector"
                      : std::string(country_prefix) + " not in the collector's table";
  else status.bgp = "collector unreachable: " + has.error().message;
  return status;
}

Expected<bool> Lab::collector_has_prefix() const {
  // birdc exits 1 on "Network not found": an answer, not a failure to ask.
  const auto shown =
      run_command({"birdc", "-s", (state_dir_ / "bird-collector.ctl").string(), "show", "route", std::string(country_prefix)});
  if (shown.output.find("Network not found") != std::string::npos) return false;
  if (shown.exit_code != 0) return make_error("birdc at the collector: " + shown.output);
  return shown.output.find(std::string(country_prefix)) != std::string::npos && shown.output.find("unicast") != std::string::npos;
}

LabResult Lab::down(const Progress& progress) {
  if (getuid() != 0) return make_error("the lab needs root");
  // The processes we recorded, each checked by start time so a reused PID is left alone.
  for (const Daemon& daemon : load_daemons())
    if (is_running(daemon)) {
      progress("stopping " + daemon.name + " (pid " + std::to_string(daemon.pid) + ")");
      stop_daemon(daemon);
    }
  // Anything else still inside our namespaces (a flood client, a server started by a run
  // that was killed before it could record it) lives in a namespace we made.
  for (const std::string& role : lab_roles) {
    const auto pids = run_command({"ip", "netns", "pids", ns(role)});
    if (pids.exit_code != 0) continue;
    for (const std::string& word : split_words(pids.output)) {
      const pid_t pid = static_cast<pid_t>(std::stol(word));
      if (const auto start = process_start_time(pid)) {
        progress("stopping pid " + word + " left in " + ns(role));
        stop_daemon(Daemon{"leftover", pid, *start}, std::chrono::milliseconds(1000));
      }
    }
  }
  std::string failures;
  const auto listed = split_words(run_command({"ip", "netns", "list"}).output);
  for (const std::string& role : lab_roles) {
    if (std::find(listed.begin(), listed.end(), ns(role)) == listed.end()) continue;
    if (auto done = run_checked({"ip", "netns", "delete", ns(role)}); !done) failures += done.error().message + "\n";
  }
  std::error_code ec;
  std::filesystem::remove_all(state_dir_, ec);
  if (!failures.empty()) return make_error("lab down left something behind:\n" + failures);
  progress("lab " + name_ + " is down");
  return ok();
}

LabResult Lab::stop_service(const std::string& name) {
  const LabSite* site = find_site(name);
  if (!site) return make_error("no site " + name);
  if (site->server == "router") {
    // A router that stops: it neither answers nor forwards (its addresses and its transit
    // traffic are dropped at its own firewall).
    return nft(site->role,
               "table ip blackout_router_down {\n  chain input { type filter hook input priority -10; policy drop;\n"
               "    tcp dport 179 accept\n    tcp sport 179 accept\n  }\n"
               "  chain forward { type filter hook forward priority -10; policy drop; }\n}\n");
  }
  stop_named("server-" + name);
  return ok();
}

LabResult Lab::start_service(const std::string& name) {
  const LabSite* site = find_site(name);
  if (!site) return make_error("no site " + name);
  if (site->server == "router") {
    run_command(in_namespace(ns(site->role), {"nft", "delete", "table", "ip", "blackout_router_down"}));
    return ok();
  }
  for (const Daemon& daemon : load_daemons())
    if (daemon.name == "server-" + name && is_running(daemon)) return ok();
  forget_daemon("server-" + name);
  return start_site_server(name);
}

LabResult Lab::start_flood(const std::string& target, std::uint64_t bits_per_second, std::chrono::seconds duration) {
  const std::string address = flood_address(target);
  if (address.empty()) return make_error("no flood target " + target + " (a site name or `link`)");
  if (duration.count() <= 0 || duration > std::chrono::hours(1)) return make_error("a flood lasts between 1 s and 1 h");
  (void)stop_flood(target);
  // A flood stopped early leaves its server in the test until the test's own end, and a
  // server in a test refuses the next client ("unable to read from stream socket"): a flood
  // drawn at the same site a few seconds later would never start. So each flood gets a fresh
  // server.
  if (auto done = restart_flood_server(target); !done) return done;
  // iperf3 stops by itself after -t seconds: every flood is bounded even if we die. Its
  // reports are flushed each second, so that the run sees when the flood flows (to a file,
  // they would wait for a full buffer).
  return start("flood-" + target, "attacker",
               {"iperf3", "-c", address, "-p", std::to_string(iperf_port), "-u", "-b", std::to_string(bits_per_second), "-l",
                "1400", "-t", std::to_string(duration.count()), "-B", attacker_address, "--forceflush"});
}

std::uintmax_t Lab::flood_log_size(const std::string& target) const {
  std::error_code ec;
  const auto size = std::filesystem::file_size(log_path("flood-" + target), ec);
  return ec ? 0 : size;
}

Lab::FloodState Lab::flood_state(const std::string& target, std::uintmax_t from) const {
  const std::string name = "flood-" + target;
  const auto path = log_path(name);
  // Read the log before asking whether the client runs: a client that reported and then
  // exited has flowed.
  std::ifstream log(path);
  log.seekg(static_cast<std::streamoff>(from));
  std::string line, last;
  while (std::getline(log, line)) {
    if (line.find("bits/sec") != std::string::npos) return {FloodState::flowing, ""};
    if (!line.empty()) last = line;
  }
  for (const Daemon& daemon : load_daemons())
    if (daemon.name == name && is_running(daemon)) return {FloodState::starting, ""};
  return {FloodState::failed,
          name + " exited before it sent anything; its log (" + path.string() + ") ends: " + (last.empty() ? "(empty)" : last)};
}

LabResult Lab::stop_flood(const std::string& target) {
  stop_named("flood-" + target, std::chrono::milliseconds(500));
  return ok();
}

LabResult Lab::block(const std::string& name, bool reject) {
  const LabSite* site = find_site(name);
  if (!site) return make_error("no site " + name);
  return exec("border",
              {"nft", "add", "element", "ip", "blackout_lab", reject ? "rejected" : "dropped", "{", site->address, "}"});
}

LabResult Lab::unblock(const std::string& name) {
  const LabSite* site = find_site(name);
  if (!site) return make_error("no site " + name);
  for (const char* set : {"dropped", "rejected"})
    run_command(in_namespace(ns("border"), {"nft", "delete", "element", "ip", "blackout_lab", set, "{", site->address, "}"}));
  return ok();
}

LabResult Lab::set_link(const std::string& link, bool up) {
  std::string near, far;
  if (link == "border") near = "transit", far = "border";
  else if (link == "vantage") near = "transit", far = "vantage";
  else return make_error("no link " + link + " (border or vantage)");
  const std::string state = up ? "up" : "down";
  if (auto done = ip(near, "link set to-" + far + " " + state); !done) return done;
  if (auto done = ip(far, "link set to-" + near + " " + state); !done) return done;
  if (up) {
    // The kernel flushed the routes through the link when it went down: put them back.
    for (const LabRoute& route : lab_routes())
      if (route.role == near || route.role == far) {
        std::vector<std::string> argv = {"ip", "-n", ns(route.role), "route", "replace"};
        for (std::string& word : split_words(route.route)) argv.push_back(std::move(word));
        if (auto done = run_checked(argv); !done) return done.error();
      }
  }
  return ok();
}

LabResult Lab::set_announced(bool announced) {
  if (auto done = birdc("border", std::string(announced ? "enable" : "disable") + " country"); !done) return done.error();
  return ok();
}

LabResult Lab::set_background_loss(double percent) {
  if (percent < 0 || percent > 100) return make_error("background loss is a percentage between 0 and 100");
  const int per_mille = static_cast<int>(std::lround(percent * 10));
  std::string script =
      "table ip blackout_loss\ndelete table ip blackout_loss\ntable ip blackout_loss {\n"
      "  chain forward { type filter hook forward priority 0; policy accept;\n";
  if (per_mille > 0)
    script +=
        "    ip daddr " + std::string(country_prefix) + " numgen random mod 1000 < " + std::to_string(per_mille) + " drop\n";
  script += "  }\n}\n";
  return nft("transit", script);
}

LabResult Lab::set_queue(const std::string& target, Duration delay) {
  if (delay < std::chrono::milliseconds(1) || delay > std::chrono::seconds(2))
    return make_error("a queue holds between 1 ms and 2 s");
  if (target == "link")
    return exec("transit", {"tc", "qdisc", "change", "dev", "to-border", "root", "tbf", "rate", "40mbit", "burst", "32kb",
                            "latency", milliseconds_text(delay)});
  // The sites' classes are numbered in the order of lab_sites(), routers left out.
  int minor = 10;
  for (const LabSite& site : lab_sites()) {
    if (site.server == "router") continue;
    if (site.name == target)
      return exec("border", {"tc", "qdisc", "change", "dev", "to-core", "parent", "1:" + std::to_string(minor), "handle",
                             std::to_string(minor) + ":", "pfifo", "limit", std::to_string(site_queue_packets(delay))});
    ++minor;
  }
  return make_error("no queue at " + target + " (a site with a server, or link)");
}

LabResult Lab::reset_queues() {
  if (auto done = set_queue("link", default_link_queue); !done) return done;
  int minor = 10;
  for (const LabSite& site : lab_sites()) {
    if (site.server == "router") continue;
    if (auto done = exec("border", {"tc", "qdisc", "change", "dev", "to-core", "parent", "1:" + std::to_string(minor), "handle",
                                    std::to_string(minor) + ":", "pfifo", "limit", std::to_string(default_site_queue)});
        !done)
      return done;
    ++minor;
  }
  return ok();
}

LabResult Lab::set_forwarding(bool forwarding) {
  if (!forwarding)
    return nft("border",
               "table ip blackout_no_forwarding {\n  chain forward { type filter hook forward priority -10; policy accept;\n"
               "    ip daddr " +
                   std::string(country_prefix) + " drop\n    ip saddr " + std::string(country_prefix) + " drop\n  }\n}\n");
  run_command(in_namespace(ns("border"), {"nft", "delete", "table", "ip", "blackout_no_forwarding"}));
  return ok();
}

Expected<std::uint64_t> parse_bit_rate(const std::string& text) {
  if (text.empty()) return make_error("empty bit rate");
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return make_error("not a bit rate: " + text + " (like 30M, 500k, 1G)");
  }
  const std::string unit = text.substr(used);
  double scale = 1;
  if (unit == "k" || unit == "K") scale = 1e3;
  else if (unit == "M" || unit == "m") scale = 1e6;
  else if (unit == "G" || unit == "g") scale = 1e9;
  else if (!unit.empty()) return make_error("not a bit rate: " + text + " (like 30M, 500k, 1G)");
  if (value <= 0 || value * scale > 1e10) return make_error("bit rate out of range: " + text);
  return static_cast<std::uint64_t>(value * scale);
}

}  // namespace blackout::lab
