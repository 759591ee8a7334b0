// The lab: builds the emulated country (namespaces, veth pairs, routes, traffic control,
// nftables, nginx, nsd, OpenSMTPD, BIRD, iperf3 servers), acts on it for scenarios, and
// removes exactly what it made. Everything it creates is named after the lab ("N-<role>")
// or recorded in its state folder, so that `down` works after a killed `up` too.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "lab/command.hpp"
#include "model/time.hpp"
#include "util/expected.hpp"

namespace blackout::lab {

struct Done {};
using LabResult = Expected<Done>;
using Progress = std::function<void(const std::string&)>;

struct LabStatus {
  std::vector<std::string> namespaces_present;
  std::vector<std::string> namespaces_missing;
  std::vector<Daemon> running;
  std::vector<Daemon> dead;
  std::string bgp;  // the collector's view of the country prefix, one line
  [[nodiscard]] bool up() const { return namespaces_missing.empty() && dead.empty() && !running.empty(); }
  [[nodiscard]] bool absent() const { return namespaces_present.empty() && running.empty(); }
};

class Lab {
 public:
  // name: a short word (letters, digits); namespaces are "<name>-<role>". state_dir holds
  // server configs, logs, control sockets, MRT files and the list of started processes.
  Lab(std::string name, std::filesystem::path state_dir);
  static std::filesystem::path default_state_dir(const std::string& name);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::filesystem::path& state_dir() const { return state_dir_; }
  [[nodiscard]] std::string ns(const std::string& role) const { return name_ + "-" + role; }
  [[nodiscard]] std::filesystem::path mrt_dir() const { return state_dir_ / "mrt"; }

  // Builds the whole lab; on failure removes what it built and says what failed.
  LabResult up(const Progress& progress);
  // Idempotent: stops the recorded processes (checked by PID and start time) and anything
  // still running in the lab's namespaces, deletes the namespaces by name, removes state.
  LabResult down(const Progress& progress);
  [[nodiscard]] LabStatus status() const;
  // Waits until the transit has the country's route (BGP established), up to `timeout`.
  LabResult wait_for_route(std::chrono::seconds timeout) const;
  LabResult all_servers_running() const;

  // --- scenario actions; `site` is a name from lab_sites() ---
  LabResult stop_service(const std::string& site);
  LabResult start_service(const std::string& site);
  // A bounded UDP flood from the attacker (iperf3) at `bits_per_second` for `duration`;
  // target "link" floods the border link as a whole (towards the core router).
  LabResult start_flood(const std::string& target, std::uint64_t bits_per_second, std::chrono::seconds duration);
  LabResult stop_flood(const std::string& target);
  // The flood at `target` as its iperf3 client's log tells it from byte `from` on: flowing
  // (a report of traffic sent), failed (the client exited before one, with why), or not yet.
  struct FloodState {
    enum Kind { starting, flowing, failed } kind = starting;
    std::string why;
  };
  [[nodiscard]] FloodState flood_state(const std::string& target, std::uintmax_t from) const;
  [[nodiscard]] std::uintmax_t flood_log_size(const std::string& target) const;
  LabResult block(const std::string& site, bool reject);
  LabResult unblock(const std::string& site);
  // link: "border" (transit–border) or "vantage" (the vantage's own uplink).
  LabResult set_link(const std::string& link, bool up);
  LabResult set_announced(bool announced);
  LabResult set_background_loss(double percent);
  // How much queue a bottleneck holds: the delay a flood that fills it adds to every probe
  // (`link`: the border link's tbf; a site: its htb class's packet queue). The defaults are
  // the link's 100 ms and the sites' 60 packets (about 84 ms at 8 Mbit/s).
  LabResult set_queue(const std::string& target, Duration delay);
  LabResult reset_queues();
  // The border stops (or resumes) forwarding into the country, while it still answers and
  // keeps its BGP session: the routes stay, the traffic dies at the border.
  LabResult set_forwarding(bool forwarding);
  // Processes started for the lab by others (the monitor of a run): recorded so that `down`
  // stops them too, and forgotten once they are stopped.
  void adopt(const Daemon& daemon) const { record_daemon(daemon); }
  void release(const std::string& name) { forget_daemon(name); }
  // True when the collector's BIRD has the country's prefix.
  [[nodiscard]] Expected<bool> collector_has_prefix() const;

 private:
  LabResult build(const Progress& progress);
  LabResult build_network();
  LabResult build_traffic_control();
  LabResult build_firewalls();
  LabResult start_servers(const Progress& progress);
  LabResult start_bird(const std::string& role, const std::string& config);
  LabResult start_site_server(const std::string& site);
  // The iperf3 server that receives floods at `target` (a site, or `link`), started afresh
  // and listening when this returns.
  LabResult restart_flood_server(const std::string& target);
  LabResult start(const std::string& name, const std::string& role, std::vector<std::string> argv);
  // Where the daemon called `name` writes its output.
  [[nodiscard]] std::filesystem::path log_path(const std::string& name) const { return state_dir_ / "logs" / (name + ".log"); }
  // start(), giving the daemon it started and recorded.
  Expected<Daemon> launch(const std::string& name, const std::string& role, std::vector<std::string> argv);
  // Stops the recorded daemons called `name` (SIGTERM, then SIGKILL after `grace`) and
  // forgets them.
  void stop_named(const std::string& name, std::chrono::milliseconds grace = std::chrono::milliseconds(3000));
  LabResult ip(const std::string& role, const std::string& args) const;
  LabResult exec(const std::string& role, std::vector<std::string> argv) const;
  LabResult nft(const std::string& role, const std::string& script) const;
  [[nodiscard]] Expected<std::string> birdc(const std::string& role, const std::string& command) const;
  [[nodiscard]] std::vector<Daemon> load_daemons() const;
  void save_daemons(const std::vector<Daemon>& daemons) const;
  void record_daemon(const Daemon& daemon) const;
  void forget_daemon(const std::string& name);

  std::string name_;
  std::filesystem::path state_dir_;
};

// Parses "30M", "500k", "1G" or a plain number of bits per second.
Expected<std::uint64_t> parse_bit_rate(const std::string& text);

}  // namespace blackout::lab
