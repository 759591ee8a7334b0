// The lab in virtual time.
#include "lab/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <utility>

#include "config/loader.hpp"
#include "detect/detector.hpp"
#include "lab/topology.hpp"
#include "report/event_text.hpp"

namespace blackout::lab {
namespace {

constexpr double link_capacity = 40e6;
constexpr double site_capacity = 8e6;
constexpr Duration default_link_queue = std::chrono::milliseconds(100);
constexpr Duration default_site_queue = std::chrono::milliseconds(84);
// How long the real lab takes to bring the route back once a link is up or the prefix is
// announced (a BGP session to re-establish), and to lose it once a link is gone (at once:
// BIRD sees its interface go down, not a hold timer; measured 0.5 to 0.7 s).
constexpr Duration route_back_after_link = std::chrono::seconds(2);
constexpr Duration route_back_after_announce = std::chrono::milliseconds(500);
constexpr Duration session_lost_after_link = std::chrono::milliseconds(700);  // BIRD sees its interface go

// Uniform draws from the raw bits (the same on every standard library).
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : rng_(seed) {}
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }

 private:
  std::mt19937_64 rng_;
};

// The scenario's state at a moment of story time, with when each part of it began.
struct Moment {
  bool link_down = false, forward_cut = false, withdrawn = false;
  Duration link_changed{}, announce_changed{};  // story time of the last link_down/up and withdraw/announce
  std::set<std::string> blocked, rejected, stopped;
  struct Flood {
    double rate;
    Duration start, end;
  };
  std::map<std::string, Flood> floods;
  std::map<std::string, Duration> queues;
  double loss_percent = 0;
};

Moment moment_at(const Scenario& s, Duration t) {
  Moment m;
  for (const ScenarioAction& a : s.actions) {
    if (a.at > t) break;
    if (a.kind == ActionKind::flood) m.floods[a.target] = {static_cast<double>(a.rate), a.at, a.at + a.length};
    else if (a.kind == ActionKind::flood_stop) m.floods.erase(a.target);
    else if (a.kind == ActionKind::stop) m.stopped.insert(a.target);
    else if (a.kind == ActionKind::start) m.stopped.erase(a.target);
    else if (a.kind == ActionKind::block) (a.reject ? m.rejected : m.blocked).insert(a.target);
    else if (a.kind == ActionKind::unblock) m.blocked.erase(a.target), m.rejected.erase(a.target);
    else if ((a.kind == ActionKind::link_down || a.kind == ActionKind::link_up) && a.target == "border")
      m.link_down = a.kind == ActionKind::link_down, m.link_changed = a.at;
    else if (a.kind == ActionKind::withdraw || a.kind == ActionKind::announce)
      m.withdrawn = a.kind == ActionKind::withdraw, m.announce_changed = a.at;
    else if (a.kind == ActionKind::cut_forwarding) m.forward_cut = true;
    else if (a.kind == ActionKind::restore_forwarding) m.forward_cut = false;
    else if (a.kind == ActionKind::queue) m.queues[a.target] = a.delay;
    else if (a.kind == ActionKind::loss) m.loss_percent = a.percent;
  }
  return m;
}

// A bottleneck's queueing delay and loss at story time t, in lab seconds of delay.
struct Path {
  double delay = 0;  // seconds, one way, into the country
  double loss = 0;   // of each packet into the country
};

void cross(Path& path, double load, Duration queue, double elapsed_lab_seconds) {
  if (load <= 1) {
    // Below the rate the queue holds only the flood's own bursts.
    path.delay += 0.0005 * load;
    return;
  }
  const double depth = to_seconds(queue);
  const double delay = std::min(depth, (load - 1) * elapsed_lab_seconds);
  path.delay += delay;
  if (delay >= depth * 0.98) path.loss = 1 - (1 - path.loss) * (1 / load);
}

struct Scheduled {
  Duration at;        // lab time the probe is sent
  std::size_t check;  // index into the flattened checks
  bool confirmation;
  bool operator>(const Scheduled& o) const { return at > o.at; }
};

}  // namespace

Simulation simulate(const Scenario& scenario, const SimulationOptions& options) {
  Simulation sim;
  auto config = load_config_text(lab_monitor_config("sqlite:unused.db", scenario.interval), "lab config");
  if (!config) throw std::runtime_error("the lab's monitor config does not load: " + config.error()[0].to_string());
  sim.targets = config->targets;
  sim.detection = config->detection;

  const Timestamp start{std::chrono::seconds(1'900'000'000)};
  const Duration warmup = std::max(options.warmup, scenario.interval * 15);
  const Duration cooldown = std::max(options.cooldown, scenario.interval * 5);
  const Timestamp story_start = start + warmup;
  const auto story_of = [&](Duration lab) {
    return Duration{static_cast<Duration::rep>(static_cast<double>(lab.count()) * scenario.speed)};
  };
  const auto lab_of = [&](Duration story) { return scenario.lab_time(story); };
  const Duration end = warmup + lab_of(scenario.duration) + cooldown;
  Noise noise(options.noise_seed);

  struct Flat {
    const Target* target;
    const Check* check;
  };
  std::vector<Flat> checks;
  for (const Target& target : sim.targets)
    for (const Check& check : target.checks) checks.push_back({&target, &check});
  std::priority_queue<Scheduled, std::vector<Scheduled>, std::greater<>> due;
  std::vector<bool> passing(checks.size(), true);
  std::vector<int> confirming(checks.size(), 0);
  std::vector<Duration> nominal(checks.size());
  for (std::size_t i = 0; i < checks.size(); ++i) {
    // First runs spread over the interval, as the scheduler does.
    nominal[i] = Duration{static_cast<Duration::rep>(noise.uniform() * static_cast<double>(checks[i].check->interval.count()))};
    due.push({nominal[i], i, false});
  }

  struct Completed {
    Duration at;
    Result result;
  };
  std::vector<Completed> done;

  while (!due.empty()) {
    const Scheduled probe = due.top();
    due.pop();
    if (probe.at >= end) continue;
    const Flat& flat = checks[probe.check];
    const Target& target = *flat.target;
    const Check& check = *flat.check;
    const Duration story = probe.at >= warmup ? story_of(probe.at - warmup) : Duration{-1};
    const Moment m = story >= Duration::zero() ? moment_at(scenario, story) : Moment{};
    const LabSite* site = find_site(target.name);
    const bool country = site != nullptr || target.layer == Layer::bgp;

    // Routing: is the country in the transit's table now?
    const auto lab_since = [&](Duration story_at) {
      return Duration{static_cast<Duration::rep>(static_cast<double>((story - story_at).count()) / scenario.speed)};
    };
    bool routed = true;
    if (story >= Duration::zero()) {
      if (m.link_down) routed = false;
      else if (m.link_changed > Duration::zero() && lab_since(m.link_changed) < route_back_after_link) routed = false;
      if (m.withdrawn) routed = false;
      else if (m.announce_changed > Duration::zero() && lab_since(m.announce_changed) < route_back_after_announce) routed = false;
    }
    Result r;
    r.vantage = "lab-vantage";
    r.target = target.name;
    r.check = check.id;
    r.kind = check.kind;
    r.confirmation = probe.confirmation;
    r.time = start + probe.at;
    Duration took = check.timeout;
    if (check.kind == CheckKind::bgp) {
      // The monitor's session with the transit: the prefix goes when it is withdrawn, or as
      // soon as the border's session is gone with its link.
      bool visible = !m.withdrawn || lab_since(m.announce_changed) < std::chrono::milliseconds(200);
      if (m.link_down && lab_since(m.link_changed) >= session_lost_after_link) visible = false;
      if (!m.link_down && m.link_changed > Duration::zero() && lab_since(m.link_changed) < route_back_after_link) visible = false;
      if (!m.withdrawn && m.announce_changed > Duration::zero() && lab_since(m.announce_changed) < route_back_after_announce)
        visible = false;
      r.outcome = visible ? Outcome::ok : Outcome::withdrawn;
      took = std::chrono::microseconds(50);
    } else if (!country) {
      // The control target, the vantage's own upstream: always there.
      r.outcome = Outcome::ok;
      r.rtt = std::chrono::microseconds(40 + static_cast<int>(noise.uniform() * 30));
      took = *r.rtt;
    } else {
      // Into the country: the border link, then the site's own class.
      Path path;
      double link_load = 0;
      Duration link_started = Duration::max();
      for (const auto& [flooded, flood] : m.floods)
        if (story < flood.end) {
          link_load += flood.rate / link_capacity;
          link_started = std::min(link_started, flood.start);
        }
      if (link_load > 0)
        cross(path, link_load, m.queues.count("link") ? m.queues.at("link") : default_link_queue,
              to_seconds(lab_since(link_started)));
      if (site && site->server != "router")
        if (const auto f = m.floods.find(site->name); f != m.floods.end() && story < f->second.end)
          cross(path, f->second.rate / site_capacity, m.queues.count(site->name) ? m.queues.at(site->name) : default_site_queue,
                to_seconds(lab_since(f->second.start)));
      const double background = m.loss_percent / 100;
      const bool behind_border = site && site->name != "border";
      const bool is_server = site && site->server != "router";
      const bool blackholed = site && m.blocked.contains(site->name);
      const bool rejected = site && m.rejected.contains(site->name);
      const bool forwarding = !m.forward_cut || !behind_border;
      // Packets into the country per probe (replies leave by an uncongested direction), and
      // round trips before the answer.
      int packets = 1, trips = 1;
      if (check.kind == CheckKind::http) packets = 3, trips = 2;
      if (check.kind == CheckKind::smtp) packets = 2, trips = 2;
      double survive = 1;
      for (int p = 0; p < packets; ++p) survive *= (1 - path.loss) * (1 - background);
      const double base = 0.00008 + noise.uniform() * 0.00004;
      const double rtt_seconds = trips * (base + path.delay) + (check.kind == CheckKind::http ? 0.0004 : 0);
      if (!routed) {
        r.outcome = Outcome::unreachable_net;
        took = std::chrono::microseconds(60);
      } else if (rejected) {
        r.outcome = Outcome::unreachable_admin;
        took = std::chrono::microseconds(80);
      } else if (blackholed || !forwarding || !noise.chance(survive)) {
        r.outcome = Outcome::timeout;
      } else if (rtt_seconds >= to_seconds(check.timeout)) {
        r.outcome = Outcome::timeout;
      } else if (is_server && m.stopped.contains(site->name) && check.kind != CheckKind::icmp) {
        r.outcome = Outcome::refused;
        took = Duration{static_cast<Duration::rep>(rtt_seconds * 1e6)};
      } else {
        r.outcome = Outcome::ok;
        r.rtt = Duration{static_cast<Duration::rep>(rtt_seconds * 1e6)};
        took = *r.rtt;
      }
    }
    done.push_back({probe.at + took, r});

    // What the scheduler does next: a confirmation re-probe, or the next run.
    const std::size_t i = probe.check;
    const bool success = is_success(r.outcome);
    bool confirm_next = false;
    if (success) {
      confirming[i] = 0;
      passing[i] = true;
    } else if (confirming[i] > 0) {
      --confirming[i];
      confirm_next = confirming[i] > 0;
      if (!confirm_next) passing[i] = false;
    } else if (passing[i] && check.confirmations > 0) {
      confirming[i] = check.confirmations;
      confirm_next = true;
    } else {
      passing[i] = false;
    }
    const Duration completed = probe.at + took;
    if (confirm_next) {
      due.push({completed + check.confirm_spacing, i, true});
    } else {
      nominal[i] += check.interval;
      if (nominal[i] + check.interval < completed) nominal[i] += check.interval * ((completed - nominal[i]) / check.interval);
      const Duration jitter{static_cast<Duration::rep>(noise.uniform() * static_cast<double>(check.jitter.count()))};
      due.push({std::max(completed, nominal[i] + jitter), i, false});
    }
  }
  std::stable_sort(done.begin(), done.end(), [](const Completed& a, const Completed& b) { return a.at < b.at; });
  sim.results.reserve(done.size());
  for (Completed& d : done) sim.results.push_back(std::move(d.result));

  // The ground truth in the simulation's time, moved to when each action took effect.
  GroundTruth& truth = sim.truth;
  truth.scenario = scenario.name;
  truth.speed = scenario.speed;
  truth.t0 = story_start;
  truth.end = story_start + lab_of(scenario.duration);
  truth.waves = scenario.waves;
  truth.max_target_events = scenario.max_target_events;
  truth.interval = scenario.interval;
  truth.seed = scenario.seed;
  const auto effective_at = [&](Duration story) {
    Timestamp t = story_start + lab_of(story);
    for (const ScenarioAction& a : scenario.actions) {
      if (a.at != story) continue;
      if (a.kind == ActionKind::link_up && a.target == "border")
        t = std::max(t, story_start + lab_of(story) + route_back_after_link);
      if (a.kind == ActionKind::announce) t = std::max(t, story_start + lab_of(story) + route_back_after_announce);
    }
    return t;
  };
  for (const ExpectedEvent& e : scenario.expect)
    truth.events.push_back(GroundTruthEvent{e, effective_at(e.from), effective_at(e.to)});
  for (const ScenarioFault& f : scenario.faults)
    truth.faults.push_back(GroundTruthFault{f, effective_at(f.from), effective_at(f.to)});
  return sim;
}

SimulatedRun simulate_and_detect(const Scenario& scenario, std::uint64_t noise_seed) {
  SimulationOptions options;
  options.noise_seed = noise_seed;
  const Simulation sim = simulate(scenario, options);
  SimulatedRun run{analyze_results(sim.results, sim.targets, sim.detection), {}};
  run.score = score_run(sim.truth, run.analysis.events, run.analysis.waves, 2 * scenario.interval);
  return run;
}

RobustnessRun simulate_and_score(const Scenario& scenario, std::uint64_t noise_seed, bool print_events) {
  SimulatedRun simulated = simulate_and_detect(scenario, noise_seed);
  if (print_events) std::fputs(events_to_text(simulated.analysis.events, simulated.analysis.waves).c_str(), stdout);
  RobustnessRun run;
  run.name = scenario.name;
  run.seed = scenario.seed;
  run.score = std::move(simulated.score);
  return run;
}

}  // namespace blackout::lab
