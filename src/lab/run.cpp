// Playing scenarios.
#include "lab/run.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "lab/topology.hpp"

namespace blackout::lab {
namespace {

Timestamp now() { return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()); }

void sleep_until(Timestamp at) {
  const auto left = at - now();
  if (left > Duration::zero()) std::this_thread::sleep_for(left);
}

// How long a flood runs in the lab: iperf3 counts whole seconds.
std::chrono::seconds flood_lab_length(const ScenarioAction& a, double speed) {
  return std::chrono::seconds(std::max<std::int64_t>(1, std::llround(to_seconds(a.length) / speed)));
}

LabResult carry_out(Lab& lab, const ScenarioAction& a, double speed) {
  switch (a.kind) {
    case ActionKind::flood: return lab.start_flood(a.target, a.rate, flood_lab_length(a, speed));
    case ActionKind::flood_stop: return lab.stop_flood(a.target);
    case ActionKind::stop: return lab.stop_service(a.target);
    case ActionKind::start: return lab.start_service(a.target);
    case ActionKind::block: return lab.block(a.target, a.reject);
    case ActionKind::unblock: return lab.unblock(a.target);
    case ActionKind::link_down: return lab.set_link(a.target, false);
    case ActionKind::link_up: return lab.set_link(a.target, true);
    case ActionKind::withdraw: return lab.set_announced(false);
    case ActionKind::announce: return lab.set_announced(true);
    case ActionKind::loss: return lab.set_background_loss(a.percent);
    case ActionKind::queue: return lab.set_queue(a.target, a.delay);
    case ActionKind::cut_forwarding: return lab.set_forwarding(false);
    case ActionKind::restore_forwarding: return lab.set_forwarding(true);
  }
  return make_error("unknown action " + std::string(to_string(a.kind)));
}

// Actions whose effect is the country's route coming back, which takes a BGP session.
bool restores_route(const ScenarioAction& a) {
  return (a.kind == ActionKind::link_up && a.target == "border") || a.kind == ActionKind::announce;
}

bool transit_has_route(const Lab& lab) {
  const auto routes = run_command({"ip", "-n", lab.ns("transit"), "route", "show", country_prefix});
  return routes.exit_code == 0 && routes.output.find("198.18.64.0/22") != std::string::npos;
}

// Leaves the lab as `up` made it, whatever the scenario did.
void restore(Lab& lab) {
  for (const LabSite& site : lab_sites()) {
    (void)lab.unblock(site.name);
    (void)lab.start_service(site.name);
    (void)lab.stop_flood(site.name);
  }
  (void)lab.stop_flood("link");
  (void)lab.set_link("vantage", true);
  (void)lab.set_link("border", true);
  (void)lab.set_announced(true);
  (void)lab.set_forwarding(true);
  (void)lab.reset_queues();
  (void)lab.set_background_loss(0);
}

}  // namespace

std::string lab_monitor_config(const std::string& store_url, Duration interval) {
  // A probe may take most of its interval: a full queue of half a second is stress to tell,
  // not a silence. Confirmations follow at once, a tenth of a second apart. At a real-world
  // cadence (a minute) no probe waits for more than 5 s, as a monitor's would not.
  const Duration timeout = std::min<Duration>(interval * 9 / 10, std::chrono::seconds(5));
  const Duration jitter = interval / 10;
  std::string yaml =
      "# The monitor's config for the lab (blackout lab config prints it). One lab second stands\n"
      "# for one story minute: probes every second. Detection runs on its defaults, which are\n"
      "# counted in probe intervals and so hold at this cadence as at any other.\n"
      "vantage: lab-vantage\nstore: " +
      store_url +
      "\nlab_only: true\n"
      "defaults: { interval: " +
      format_duration(interval) + ", timeout: " + format_duration(timeout) + ", jitter: " + format_duration(jitter) +
      ", confirmations: 2, confirm_spacing: 100ms }\n"
      "groups:\n  government: Government and state media web sites\n  infrastructure: Name, mail and routing infrastructure\n"
      "# The transit's routing table, over a BGP session from the vantage: is the country's\n"
      "# prefix still in it?\n"
      "bgp:\n  local_as: " +
      std::to_string(vantage_as) + "\n  sessions:\n    - { name: transit, peer: " + vantage_gateway +
      ", peer_as: " + std::to_string(transit_as) + ", local: " + vantage_address +
      ", hold_time: 6 }\n"
      "targets:\n";
  for (const LabSite& site : lab_sites()) {
    yaml += "  - name: " + site.name + "\n    layer: " + std::string(to_string(site.layer)) + "\n    groups: [" +
            (site.layer == Layer::web ? "government" : "infrastructure") + "]\n    address: " + site.address + "\n    checks:\n";
    if (site.server == "nginx")
      yaml += "      - icmp\n      - tcp: 80\n      - http: { url: \"http://" + site.name +
              ".kp.test/\", expect_status: 200, body_match: \"" + site.name + "\" }\n";
    else if (site.server == "nsd")
      yaml += "      - icmp\n      - dns: { query: kp.test, type: SOA, expect_rcode: NOERROR, expect_authoritative: true }\n";
    else if (site.server == "smtpd") yaml += "      - icmp\n      - smtp: { port: 25 }\n";
    else yaml += "      - icmp\n";
  }
  yaml +=
      "  - name: country-prefix\n    layer: bgp\n    groups: [infrastructure]\n    description: The country's prefix in the "
      "transit's routing table\n"
      "    checks:\n      - bgp: { prefix: " +
      std::string(country_prefix) + " }\n";
  yaml +=
      "  - name: transit\n    layer: host\n    control: true\n    description: The vantage's upstream router, outside the "
      "country\n    address: " +
      std::string(vantage_gateway) + "\n    checks: [icmp]\n";
  return yaml;
}

Expected<GroundTruth> play_scenario(Lab& lab, const Scenario& scenario, const RunOptions& options, const Progress& progress) {
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return make_error("cannot create " + options.out_dir.string() + ": " + ec.message());
  const auto store = options.out_dir / "results.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(store.string() + suffix, ec);
  // A run in the same folder as an earlier one starts afresh: its log is this run's alone
  // (the monitor appends to it), and the earlier run's score and MRT files are not this one's.
  for (const char* stale : {"monitor.log", "score.json", "events.json", "status.json"})
    std::filesystem::remove(options.out_dir / stale, ec);
  std::filesystem::remove_all(options.out_dir / "mrt", ec);
  // The scenario as played, with its ground truth: a drawn one replays from this file.
  std::ofstream(options.out_dir / "scenario.yaml", std::ios::trunc) << scenario_to_yaml(scenario);
  const auto config = options.out_dir / "lab.yaml";
  {
    std::ofstream out(config, std::ios::trunc);
    out << lab_monitor_config("sqlite:" + std::filesystem::absolute(store).string(), scenario.interval);
    if (!out) return make_error("cannot write " + config.string());
  }
  restore(lab);
  const Duration warmup = options.warmup.at(scenario.interval);
  progress("monitor starts in " + lab.ns("vantage") + "; baselines for " + format_duration(warmup));
  auto monitor = start_daemon(
      "monitor",
      in_namespace(lab.ns("vantage"), {options.blackout_binary, "monitor", std::filesystem::absolute(config).string(), "--user",
                                       "root", "--status-file", (options.out_dir / "status.json").string()}),
      options.out_dir / "monitor.log");
  if (!monitor) return monitor.error();
  lab.adopt(*monitor);
  std::this_thread::sleep_for(warmup);
  if (!is_running(*monitor))
    return make_error("the monitor stopped during warm-up; see " + (options.out_dir / "monitor.log").string());

  GroundTruth truth;
  truth.scenario = scenario.name;
  truth.speed = scenario.speed;
  truth.waves = scenario.waves;
  truth.max_target_events = scenario.max_target_events;
  truth.interval = scenario.interval;
  truth.seed = scenario.seed;
  truth.t0 = now();
  const auto at = [&](Duration story) { return truth.t0 + scenario.lab_time(story); };
  std::vector<std::size_t> awaiting_route;  // played actions whose effect is the route's return
  // Floods just started, by target, watched until their client reports traffic sent: it
  // takes effect then. A client that exits before (its server refused the control
  // connection: "unable to read from stream socket", over a lossy link) is started again,
  // up to three times; a flood that never flows fails its action, and the run is void
  // rather than scored against a flood that was not there.
  struct StartingFlood {
    std::size_t index;
    std::uintmax_t log_from;
    Timestamp started;
    Timestamp until;  // its planned end
    int tries = 1;
  };
  std::map<std::string, StartingFlood> floods;
  // How long each played flood was asked to run (iperf3 counts from its first packets).
  std::map<std::size_t, Duration> flood_length;
  const auto watch_floods = [&] {
    for (auto it = floods.begin(); it != floods.end();) {
      StartingFlood& f = it->second;
      PlayedAction& flood = truth.actions[f.index];
      auto state = lab.flood_state(it->first, f.log_from);
      if (state.kind == Lab::FloodState::starting && now() - f.started > std::chrono::seconds(5))
        state = {Lab::FloodState::failed, "no traffic reported 5 s after its start"};
      if (state.kind == Lab::FloodState::flowing) {
        // Its first report comes a second after its first packets.
        flood.effective = std::max(f.started, now() - Duration(std::chrono::seconds(1)));
        it = floods.erase(it);
        continue;
      }
      if (state.kind == Lab::FloodState::failed) {
        const auto left = std::chrono::duration_cast<std::chrono::seconds>(f.until - now());
        if (f.tries < 3 && left >= std::chrono::seconds(2)) {
          progress("story " + format_duration(flood.action.at) + ": " + flood.action.describe() + " did not start (" + state.why +
                   "); starting it again");
          f.log_from = lab.flood_log_size(it->first);
          f.started = now();
          ++f.tries;
          flood_length[f.index] = left;
          if (auto again = lab.start_flood(it->first, flood.action.rate, left); again) {
            ++it;
            continue;
          } else {
            state.why = again.error().message;
          }
        }
        flood.effective.reset();
        flood.error = "the flood never flowed (" + std::to_string(f.tries) + " tries): " + state.why;
        progress("story " + format_duration(flood.action.at) + ": " + flood.action.describe() + " FAILED: " + flood.error);
        it = floods.erase(it);
        continue;
      }
      ++it;
    }
  };
  const auto wait_until = [&](Timestamp until) {
    while (now() < until) {
      if (!awaiting_route.empty() && transit_has_route(lab)) {
        for (const std::size_t i : awaiting_route) truth.actions[i].effective = now();
        awaiting_route.clear();
      }
      watch_floods();
      sleep_until(std::min(until, now() + Duration(std::chrono::milliseconds(50))));
    }
  };
  for (const ScenarioAction& action : scenario.actions) {
    wait_until(at(action.at));
    PlayedAction played{action, at(action.at), now(), std::nullopt, ""};
    if (action.kind == ActionKind::flood || action.kind == ActionKind::flood_stop) floods.erase(action.target);
    const std::uintmax_t flood_log_from = action.kind == ActionKind::flood ? lab.flood_log_size(action.target) : 0;
    if (auto done = carry_out(lab, action, scenario.speed); !done) played.error = done.error().message;
    played.done = now();
    if (played.error.empty() && !restores_route(action)) played.effective = played.done;
    progress("story " + format_duration(action.at) + ": " + action.describe() +
             (played.error.empty() ? "" : " FAILED: " + played.error));
    truth.actions.push_back(played);
    if (played.error.empty() && restores_route(action)) awaiting_route.push_back(truth.actions.size() - 1);
    if (played.error.empty() && action.kind == ActionKind::flood) {
      flood_length[truth.actions.size() - 1] = flood_lab_length(action, scenario.speed);
      floods[action.target] =
          StartingFlood{truth.actions.size() - 1, flood_log_from, played.done, played.done + scenario.lab_time(action.length)};
    }
  }
  wait_until(at(scenario.duration));
  truth.end = now();
  progress("story over; the monitor watches the recovery for " + format_duration(options.cooldown));
  wait_until(now() + options.cooldown);
  stop_daemon(*monitor, std::chrono::milliseconds(15000));
  lab.release(monitor->name);
  restore(lab);
  // The collector's MRT files as they are now (its RIB dumps and the updates since the lab
  // came up), kept with the run: the same story as routing archives tell it.
  {
    std::error_code copy_error;
    const auto kept = options.out_dir / "mrt";
    std::filesystem::remove_all(kept, copy_error);
    std::filesystem::copy(lab.mrt_dir(), kept, std::filesystem::copy_options::recursive, copy_error);
    if (copy_error) progress("the collector's MRT files were not kept: " + copy_error.message());
  }

  // A perfect monitor's events: the story's times in real time, moved to when the action at
  // that instant took effect (a route comes back some seconds after its link).
  const auto effective_at = [&](Duration story) {
    Timestamp t = at(story);
    for (const PlayedAction& p : truth.actions)
      if (p.action.at == story && p.effective) t = std::max(t, *p.effective);
    return t;
  };
  // A spell of trouble that saw a route come back ends no sooner than the route did: until the
  // transit has the country's route again, nothing behind the border answers, whatever else
  // (a flood's end) the story says ended first.
  // And a spell that ends with a flood ends when the flood did: iperf3 runs its whole seconds
  // from its first packets, which come once its control connection is up (9m40s of story
  // at 60x is 10 s of flood, begun some tenths of a second after the action).
  const auto effective_end = [&](Duration from, Duration to) {
    Timestamp t = effective_at(to);
    std::map<std::string, std::size_t> last_flood;  // by target: the flood under way at `to`
    for (std::size_t i = 0; i < truth.actions.size(); ++i) {
      const PlayedAction& p = truth.actions[i];
      if (p.action.at >= from && p.action.at <= to && restores_route(p.action) && p.effective) t = std::max(t, *p.effective);
      if (p.action.at <= to && (p.action.kind == ActionKind::flood || p.action.kind == ActionKind::flood_stop))
        last_flood[p.action.target] = i;
    }
    for (const auto& [target, i] : last_flood) {
      const PlayedAction& p = truth.actions[i];
      const auto length = flood_length.find(i);
      if (p.action.kind != ActionKind::flood || !p.effective || length == flood_length.end()) continue;
      if (std::chrono::abs(p.action.at + p.action.length - to) <= std::chrono::seconds(1))
        t = std::max(t, *p.effective + length->second);
    }
    return t;
  };
  for (const PlayedAction& p : truth.actions)
    if (!p.error.empty())
      truth.lab_failures.push_back("story " + format_duration(p.action.at) + ": " + p.action.describe() + ": " + p.error);
  for (const ExpectedEvent& e : scenario.expect)
    truth.events.push_back(GroundTruthEvent{e, effective_at(e.from), effective_end(e.from, e.to)});
  for (const ScenarioFault& f : scenario.faults)
    truth.faults.push_back(GroundTruthFault{f, effective_at(f.from), effective_end(f.from, f.to)});
  std::ofstream out(options.out_dir / "ground-truth.json", std::ios::trunc);
  out << ground_truth_to_json(truth) << '\n';
  if (!out) return make_error("cannot write " + (options.out_dir / "ground-truth.json").string());
  return truth;
}

std::string ground_truth_to_json(const GroundTruth& truth) {
  nlohmann::ordered_json j;
  j["scenario"] = truth.scenario;
  j["speed"] = truth.speed;
  j["start"] = format_rfc3339(truth.t0);
  j["end"] = format_rfc3339(truth.end);
  if (truth.waves) j["waves"] = *truth.waves;
  if (truth.max_target_events >= 0) j["max_target_events"] = truth.max_target_events;
  j["interval"] = format_duration(truth.interval);
  if (truth.seed) j["seed"] = *truth.seed;
  j["actions"] = nlohmann::ordered_json::array();
  for (const PlayedAction& p : truth.actions) {
    nlohmann::ordered_json a;
    a["story_at"] = format_duration(p.action.at);
    a["action"] = p.action.describe();
    a["kind"] = p.action.kind;
    a["target"] = p.action.target;
    a["planned"] = format_rfc3339(p.planned);
    a["done"] = format_rfc3339(p.done);
    a["effective"] = p.effective ? nlohmann::ordered_json(format_rfc3339(*p.effective)) : nlohmann::ordered_json(nullptr);
    if (!p.error.empty()) a["error"] = p.error;
    j["actions"].push_back(a);
  }
  j["events"] = nlohmann::ordered_json::array();
  for (const GroundTruthEvent& e : truth.events) {
    nlohmann::ordered_json o;
    o["scope"] = std::string(to_string(e.expected.scope));
    o["subject"] = e.expected.subject;
    o["kind"] = std::string(to_string(e.expected.kind));
    o["start"] = format_rfc3339(e.start);
    o["end"] = format_rfc3339(e.end);
    o["story_from"] = format_duration(e.expected.from);
    o["story_to"] = format_duration(e.expected.to);
    if (e.expected.signature) o["signature"] = std::string(to_string(*e.expected.signature));
    if (!e.expected.cascade.empty()) o["cascade"] = e.expected.cascade;
    j["events"].push_back(o);
  }
  j["faults"] = nlohmann::ordered_json::array();
  for (const GroundTruthFault& f : truth.faults) {
    nlohmann::ordered_json o;
    o["kind"] = f.fault.kind;
    o["scope"] = std::string(to_string(f.fault.scope));
    o["subject"] = f.fault.subject;
    o["expect"] = f.fault.expect;
    o["start"] = format_rfc3339(f.start);
    o["end"] = format_rfc3339(f.end);
    o["story_from"] = format_duration(f.fault.from);
    o["story_to"] = format_duration(f.fault.to);
    if (f.fault.intensity > 0) o["intensity"] = f.fault.intensity;
    if (f.fault.delay > Duration::zero()) o["delay"] = format_duration(f.fault.delay);
    j["faults"].push_back(o);
  }
  return j.dump(2);
}

Expected<GroundTruth> ground_truth_from_json(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    GroundTruth truth;
    truth.scenario = j.at("scenario").get<std::string>();
    truth.speed = j.at("speed").get<double>();
    const auto time = [](const nlohmann::json& v) -> Timestamp {
      auto parsed = parse_rfc3339(v.get<std::string>());
      if (!parsed) throw std::runtime_error(parsed.error().message);
      return *parsed;
    };
    truth.t0 = time(j.at("start"));
    truth.end = time(j.at("end"));
    if (j.contains("waves")) truth.waves = j["waves"].get<int>();
    if (j.contains("max_target_events")) truth.max_target_events = j["max_target_events"].get<int>();
    if (j.contains("interval"))
      if (auto d = parse_duration(j["interval"].get<std::string>())) truth.interval = *d;
    if (j.contains("seed")) truth.seed = j["seed"].get<std::uint64_t>();
    if (j.contains("actions"))
      for (const auto& a : j["actions"])
        if (a.contains("error") && a["error"].is_string())
          truth.lab_failures.push_back("story " + a.value("story_at", std::string("?")) + ": " +
                                       a.value("action", std::string("?")) + ": " + a["error"].get<std::string>());
    const auto scope_of = [](const std::string& name) {
      const auto scope = scope_from_string(name);
      if (!scope) throw std::runtime_error("scope " + name + ": not target, layer or network");
      return *scope;
    };
    for (const auto& e : j.at("events")) {
      GroundTruthEvent g;
      const std::string scope = e.at("scope").get<std::string>();
      g.expected.scope = scope_of(scope);
      g.expected.subject = e.at("subject").get<std::string>();
      const std::string kind = e.at("kind").get<std::string>();
      const auto state = state_from_string(kind);
      if (state != State::down && state != State::stressed) throw std::runtime_error("kind " + kind + ": not down or stressed");
      g.expected.kind = *state;
      g.start = time(e.at("start"));
      for (auto [key, slot] : {std::pair{"story_from", &g.expected.from}, std::pair{"story_to", &g.expected.to}})
        if (e.contains(key))
          if (auto d = parse_duration(e[key].get<std::string>())) *slot = *d;
      g.end = time(e.at("end"));
      if (e.contains("signature")) {
        const std::string name = e["signature"].get<std::string>();
        g.expected.signature = signature_from_string(name);
        if (!g.expected.signature) throw std::runtime_error("signature " + name + ": not a signature");
      }
      if (e.contains("cascade")) g.expected.cascade = e["cascade"].get<std::vector<std::string>>();
      truth.events.push_back(g);
    }
    if (j.contains("faults"))
      for (const auto& f : j["faults"]) {
        GroundTruthFault g;
        g.fault.kind = f.at("kind").get<std::string>();
        g.fault.scope = scope_of(f.at("scope").get<std::string>());
        g.fault.subject = f.at("subject").get<std::string>();
        g.fault.expect = f.at("expect").get<std::string>();
        g.start = time(f.at("start"));
        g.end = time(f.at("end"));
        for (auto [key, slot] : {std::pair{"story_from", &g.fault.from}, std::pair{"story_to", &g.fault.to}})
          if (f.contains(key))
            if (auto d = parse_duration(f[key].get<std::string>())) *slot = *d;
        if (f.contains("intensity")) g.fault.intensity = f["intensity"].get<double>();
        if (f.contains("delay"))
          if (auto d = parse_duration(f["delay"].get<std::string>())) g.fault.delay = *d;
        truth.faults.push_back(g);
      }
    return truth;
  } catch (const std::exception& e) {
    return make_error(std::string("not a ground-truth file: ") + e.what());
  }
}

}  // namespace blackout::lab
