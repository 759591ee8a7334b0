// The randomised scenario family and its oracle.
#include "lab/family.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "lab/topology.hpp"
#include "model/detection_params.hpp"

namespace blackout::lab {
namespace {

constexpr double link_capacity = 40e6;  // the border link's tbf (lab.cpp)
constexpr double site_capacity = 8e6;   // each site's htb class
// Offered load over a bottleneck at or above which its queue stays full: queueing delay for
// every probe, then loss. Below 0.9 it stays nearly empty. The family draws no load between.
constexpr double saturating_load = 1.1;
constexpr const char* prefix_target = "country-prefix";

enum class Truth { up, stressed, service, unreachable };

bool is_down(Truth t) { return t == Truth::service || t == Truth::unreachable; }

// The lab's condition during one stretch of story time.
struct World {
  bool link_down = false, forward_cut = false, withdrawn = false;
  bool session_down = false;  // the border's BGP session, gone with its link
  std::set<std::string> blocked, stopped;
  std::map<std::string, std::pair<double, Duration>> floods;  // target -> rate, end
  [[nodiscard]] double rate_at(const std::string& target, Duration t) const {
    const auto it = floods.find(target);
    return it != floods.end() && t < it->second.second ? it->second.first : 0;
  }
  [[nodiscard]] double link_load(Duration t) const {
    double total = 0;
    for (const auto& [target, flood] : floods)
      if (t < flood.second) total += flood.first;
    return total / link_capacity;
  }
};

// How long after its link goes the border's BGP session is gone, taking the prefix with it:
// at once in the lab (its BIRD sees the interface go down; measured 0.5 to 0.7 s), not a
// hold time later. So a link cut with no stress before is, from the vantage, the prefix
// leaving as the hosts fall silent: a routing withdrawal.
constexpr Duration session_hold = std::chrono::seconds(0);

World world_at(const Scenario& s, Duration t) {
  World w;
  std::optional<Duration> link_down_at;
  for (const ScenarioAction& a : s.actions) {
    if (a.at > t) break;
    if (a.kind == ActionKind::flood) w.floods[a.target] = {static_cast<double>(a.rate), a.at + a.length};
    else if (a.kind == ActionKind::flood_stop) w.floods.erase(a.target);
    else if (a.kind == ActionKind::stop) w.stopped.insert(a.target);
    else if (a.kind == ActionKind::start) w.stopped.erase(a.target);
    else if (a.kind == ActionKind::block) w.blocked.insert(a.target);
    else if (a.kind == ActionKind::unblock) w.blocked.erase(a.target);
    else if (a.kind == ActionKind::link_down && a.target == "border") w.link_down = true, link_down_at = a.at;
    else if (a.kind == ActionKind::link_up && a.target == "border") w.link_down = false, link_down_at.reset();
    else if (a.kind == ActionKind::withdraw) w.withdrawn = true;
    else if (a.kind == ActionKind::announce) w.withdrawn = false;
    else if (a.kind == ActionKind::cut_forwarding) w.forward_cut = true;
    else if (a.kind == ActionKind::restore_forwarding) w.forward_cut = false;
  }
  const Duration story_hold{static_cast<Duration::rep>(static_cast<double>(session_hold.count()) * s.speed)};
  w.session_down = link_down_at && t >= *link_down_at + story_hold;
  return w;
}

struct Member {
  std::string name;
  Layer layer;
};

std::vector<Member> members() {
  std::vector<Member> out;
  for (const LabSite& site : lab_sites()) out.push_back({site.name, site.layer});
  out.push_back({prefix_target, Layer::bgp});
  return out;
}

Truth truth_of(const Member& m, const World& w, Duration t) {
  const bool routed = !w.link_down && !w.withdrawn;
  const bool link_stressed = w.link_load(t) >= saturating_load;
  if (m.layer == Layer::bgp) return w.withdrawn || w.session_down ? Truth::unreachable : Truth::up;
  if (m.name == "border") {
    if (!routed || w.stopped.contains("border")) return Truth::unreachable;
    return link_stressed ? Truth::stressed : Truth::up;
  }
  if (!routed || w.forward_cut || w.stopped.contains("border") || w.stopped.contains("core") || w.blocked.contains(m.name))
    return Truth::unreachable;
  if (m.name != "core" && w.stopped.contains(m.name)) return Truth::service;
  if (link_stressed || w.rate_at(m.name, t) / site_capacity >= saturating_load) return Truth::stressed;
  return Truth::up;
}

// One stretch of story time and every member's truth in it.
struct Segment {
  Duration from, to;
  World world;
  std::map<std::string, Truth> truth;
};

std::vector<Segment> segments_of(const Scenario& s) {
  std::set<Duration> cuts{Duration::zero(), s.duration};
  const Duration story_hold{static_cast<Duration::rep>(static_cast<double>(session_hold.count()) * s.speed)};
  for (const ScenarioAction& a : s.actions) {
    cuts.insert(a.at);
    if (a.kind == ActionKind::flood) cuts.insert(std::min(a.at + a.length, s.duration));
    if (a.kind == ActionKind::link_down && a.at + story_hold < s.duration) cuts.insert(a.at + story_hold);
  }
  std::vector<Segment> out;
  const auto all = members();
  for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it) {
    Segment seg{*it, *std::next(it), world_at(s, *it), {}};
    for (const Member& m : all) seg.truth[m.name] = truth_of(m, seg.world, *it);
    out.push_back(std::move(seg));
  }
  return out;
}

// A subject's state in a segment: a target's own, a layer's or the network's by the shares
// of docs/detection.md (the defaults).
State subject_state(const Segment& seg, Scope scope, const std::string& subject) {
  const DetectionParams p;
  const auto all = members();
  if (scope == Scope::target) {
    const Truth t = seg.truth.at(subject);
    return is_down(t) ? State::down : t == Truth::stressed ? State::stressed : State::up;
  }
  double n = 0, down = 0, not_up = 0;
  for (const Member& m : all) {
    if (scope == Scope::layer && std::string(to_string(m.layer)) != subject) continue;
    const Truth t = seg.truth.at(m.name);
    ++n;
    down += is_down(t);
    not_up += t != Truth::up;
  }
  if (n == 0) return State::up;
  const double down_share = scope == Scope::network ? p.network_down_share : p.layer_down_share;
  const double stressed_share = scope == Scope::network ? p.network_stressed_share : p.layer_stressed_share;
  if (down / n >= down_share) return State::down;
  if (not_up / n >= stressed_share) return State::stressed;
  return State::up;
}

struct Spell {
  std::size_t first, last;  // segment indices
  bool down = false;
};

std::vector<Spell> spells_of(const std::vector<Segment>& segs, Scope scope, const std::string& subject) {
  std::vector<Spell> out;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const State st = subject_state(segs[i], scope, subject);
    if (st == State::up) continue;
    if (!out.empty() && out.back().last + 1 == i) out.back().last = i;
    else out.push_back(Spell{i, i, false});
    if (st == State::down) out.back().down = true;
  }
  return out;
}

std::optional<std::size_t> first_down_segment(const std::vector<Segment>& segs, const Spell& spell, Scope scope,
                                              const std::string& subject) {
  for (std::size_t i = spell.first; i <= spell.last; ++i)
    if (subject_state(segs[i], scope, subject) == State::down) return i;
  return std::nullopt;
}

// What a network or layer outage looked like, by docs/detection.md: stress-led when a third
// of its targets were degraded just before or as the first failures came; a routing
// withdrawal when the prefix left the table with them (withdrawn, not a link gone); else a
// clean cut.
Signature aggregate_signature(const std::vector<Segment>& segs, const Spell& spell, Scope scope, const std::string& subject) {
  const auto down = first_down_segment(segs, spell, scope, subject);
  if (!down) return Signature::stress_led;
  std::set<std::string> degraded;
  double n = 0;
  for (const Member& m : members()) {
    if (scope == Scope::layer && std::string(to_string(m.layer)) != subject) continue;
    ++n;
    if (segs[*down].truth.at(m.name) == Truth::stressed) degraded.insert(m.name);
    if (*down > 0 && segs[*down - 1].truth.at(m.name) == Truth::stressed) degraded.insert(m.name);
  }
  if (n > 0 && static_cast<double>(degraded.size()) / n >= 1.0 / 3) return Signature::stress_led;
  if (scope == Scope::network && (segs[*down].world.withdrawn || segs[*down].world.session_down))
    return Signature::routing_withdrawal;
  return Signature::clean_cut;
}

Signature target_signature(const std::vector<Segment>& segs, const Spell& spell, const std::string& target) {
  const auto down = first_down_segment(segs, spell, Scope::target, target);
  if (!down) return Signature::stress_only;
  if (segs[*down].truth.at(target) == Truth::stressed ||
      (*down > spell.first && segs[*down - 1].truth.at(target) == Truth::stressed))
    return Signature::stress_led;
  return segs[*down].truth.at(target) == Truth::service ? Signature::single_service : Signature::clean_cut;
}

// Uniform doubles from the generator's raw bits: std::uniform_real_distribution is not the
// same on every standard library, and a seed must draw the same scenario everywhere.
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : rng_(seed) {}
  double uniform(double a, double b) { return a + (b - a) * static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  int below(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  bool chance(double p) { return uniform(0, 1) < p; }

 private:
  std::mt19937_64 rng_;
};

Duration minutes(double m) { return std::chrono::seconds(static_cast<std::int64_t>(std::llround(m * 60))); }

}  // namespace

void derive_truth(Scenario& s) {
  s.expect.clear();
  const auto segs = segments_of(s);
  std::set<std::string> fault_targets;
  for (const ScenarioFault& f : s.faults)
    if (f.scope == Scope::target) fault_targets.insert(f.subject);
  const auto add = [&](Scope scope, const std::string& subject, const Spell& spell, std::optional<Signature> signature) {
    ExpectedEvent e;
    e.scope = scope;
    e.subject = subject;
    e.kind = spell.down ? State::down : State::stressed;
    e.from = segs[spell.first].from;
    e.to = segs[spell.last].to;
    e.signature = signature;
    s.expect.push_back(std::move(e));
  };
  // The network, and its cascade: the layers in the order they went down, one per moment
  // (layers that fall together have no order to judge), the bgp layer left out: when a link
  // goes, the prefix leaves with it, give or take a second.
  for (const Spell& spell : spells_of(segs, Scope::network, "network")) {
    add(Scope::network, "network", spell, aggregate_signature(segs, spell, Scope::network, "network"));
    if (!spell.down) continue;
    std::map<Duration, std::string> fell;
    for (const Layer layer : {Layer::router, Layer::dns, Layer::web, Layer::mail}) {
      const std::string name(to_string(layer));
      for (const Spell& ls : spells_of(segs, Scope::layer, name)) {
        if (segs[ls.last].to <= segs[spell.first].from || segs[ls.first].from >= segs[spell.last].to) continue;
        if (const auto d = first_down_segment(segs, ls, Scope::layer, name); d && !fell.contains(segs[*d].from))
          fell[segs[*d].from] = name;
      }
    }
    if (fell.size() >= 2)
      for (const auto& [at, layer] : fell) s.expect.back().cascade.push_back(layer);
  }
  for (const Layer layer : {Layer::web, Layer::dns, Layer::mail, Layer::router, Layer::bgp}) {
    const std::string name(to_string(layer));
    for (const Spell& spell : spells_of(segs, Scope::layer, name)) {
      if (layer == Layer::bgp) {
        add(Scope::layer, name, spell, Signature::routing_withdrawal);
      } else {
        add(Scope::layer, name, spell, std::nullopt);
      }
    }
  }
  for (const std::string& target : fault_targets)
    for (const Spell& spell : spells_of(segs, Scope::target, target))
      add(Scope::target, target, spell, target_signature(segs, spell, target));

  // Waves: the network's spells of trouble (the network not up, or a layer down), joined
  // across calm shorter than the default wave gap.
  const Duration gap = DetectionParams{}.wave_gap.at(s.interval);
  const Duration story_gap{static_cast<Duration::rep>(static_cast<double>(gap.count()) * s.speed)};
  int waves = 0;
  std::optional<Duration> calm_since;
  bool in_trouble = false;
  for (const Segment& seg : segs) {
    bool trouble = subject_state(seg, Scope::network, "network") != State::up;
    for (const Layer layer : {Layer::web, Layer::dns, Layer::mail, Layer::router, Layer::bgp})
      trouble = trouble || subject_state(seg, Scope::layer, std::string(to_string(layer))) == State::down;
    if (trouble && !in_trouble) {
      if (!calm_since || seg.from - *calm_since >= story_gap) ++waves;
      in_trouble = true;
    } else if (!trouble && in_trouble) {
      in_trouble = false;
      calm_since = seg.from;
    }
  }
  s.waves = waves;
  s.max_target_events = -1;
}

Scenario random_scenario(std::uint64_t seed) {
  Draw draw(seed);
  Scenario s;
  s.name = "random-" + std::to_string(seed);
  s.seed = seed;
  s.speed = 60;
  s.interval = draw.chance(0.5) ? std::chrono::seconds(2) : std::chrono::seconds(1);
  const double background = std::round(draw.uniform(0, 5) * 10) / 10;
  char description[96];
  std::snprintf(description, sizeof description, "randomised scenario (seed %llu), %.1f%% background loss",
                static_cast<unsigned long long>(seed), background);
  s.description = description;
  const auto action = [&](double at_minutes, ActionKind kind, const std::string& target) {
    ScenarioAction a;
    a.at = minutes(at_minutes);
    a.kind = kind;
    a.target = target;
    s.actions.push_back(a);
    return &s.actions.back();
  };
  action(0, ActionKind::loss, "")->percent = background;
  static const std::vector<std::string> web = {"mfa", "naenara", "airkoryo", "kcna"};
  const int wave_count = 1 + draw.below(3);
  double t = 3;
  for (int w = 0; w < wave_count; ++w) {
    const double wave_start = t;
    // The lead-in: a flood of the whole border link, of one or two sites, or none.
    const int lead = draw.below(10);
    enum { none, link_flood, site_flood } stress = lead < 4 ? link_flood : lead < 7 ? site_flood : none;
    // The cut.
    static const std::vector<std::string> cuts = {"link-down", "forward-drop", "withdrawal", "dns-stop",
                                                  "blackhole", "service-stop", "none"};
    std::string cut = cuts[static_cast<std::size_t>(draw.below(static_cast<int>(cuts.size())))];
    if (stress == none && cut == "none") cut = "link-down";
    // Phases last some probe intervals at least (a story minute is a lab second): a flood of
    // two probes is not there to be told.
    const double round = to_seconds(s.interval);
    const double fault_at = wave_start + (stress == none ? 0 : round * draw.uniform(4, 10));
    const double fault_length = round * draw.uniform(5, 12);
    const double flood_end =
        cut == "none" ? wave_start + round * draw.uniform(8, 16)
                      : std::max(wave_start + 8 * round, fault_at + round * draw.uniform(1, 5) + draw.uniform(0, fault_length));
    double wave_end = cut == "none" ? flood_end : std::max(flood_end, fault_at + fault_length);

    if (stress != none) {
      std::vector<std::string> targets = {"link"};
      double max_load = 5, capacity = link_capacity;
      if (stress == site_flood) {
        targets = {web[static_cast<std::size_t>(draw.below(4))]};
        if (draw.chance(0.4)) {
          std::string second = web[static_cast<std::size_t>(draw.below(4))];
          if (second != targets[0]) targets.push_back(second);
        }
        max_load = targets.size() == 1 ? 4 : 2;
        capacity = site_capacity;
      }
      // A weak flood now and then: under the bottleneck, it must make no event at all.
      const bool weak = draw.chance(0.15);
      const double load = weak ? draw.uniform(0.5, 0.8) : draw.uniform(1.2, max_load);
      const double delay_ms = std::exp(draw.uniform(std::log(20.0), std::log(600.0)));
      const bool ramp = !weak && draw.chance(0.3);
      for (const std::string& target : targets) {
        ScenarioAction* q = action(wave_start, ActionKind::queue, target);
        q->delay = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(delay_ms)));
        const int steps = ramp ? 3 : 1;
        for (int step = 1; step <= steps; ++step) {
          const double at = wave_start + (flood_end - wave_start) * (step - 1) / 6.0;
          ScenarioAction* f = action(at, ActionKind::flood, target);
          f->rate = static_cast<std::uint64_t>(load * capacity * step / steps);
          f->length = minutes(flood_end - at);
        }
        ScenarioFault fault;
        fault.kind = "flood";
        fault.scope = target == "link" ? Scope::network : Scope::target;
        fault.subject = target == "link" ? "network" : target;
        fault.expect = weak ? "none" : "stressed";
        // A ramp stresses once its rate saturates the bottleneck.
        double stressed_from = wave_start;
        if (ramp)
          for (int step = 1; step <= 3; ++step)
            if (load * step / 3 >= saturating_load) {
              stressed_from = wave_start + (flood_end - wave_start) * (step - 1) / 6.0;
              break;
            }
        fault.from = minutes(stressed_from);
        fault.to = minutes(flood_end);
        fault.intensity = std::round(load * 100) / 100;
        fault.delay = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(delay_ms)));
        s.faults.push_back(fault);
      }
    }
    const double fault_end = fault_at + fault_length;
    ScenarioFault fault;
    fault.from = minutes(fault_at);
    fault.to = minutes(fault_end);
    fault.expect = "down";
    if (cut == "link-down") {
      action(fault_at, ActionKind::link_down, "border");
      action(fault_end, ActionKind::link_up, "border");
      fault.kind = cut, fault.scope = Scope::network, fault.subject = "network";
    } else if (cut == "forward-drop") {
      action(fault_at, ActionKind::cut_forwarding, "border");
      action(fault_end, ActionKind::restore_forwarding, "border");
      fault.kind = cut, fault.scope = Scope::network, fault.subject = "network";
    } else if (cut == "withdrawal") {
      action(fault_at, ActionKind::withdraw, "country");
      action(fault_end, ActionKind::announce, "country");
      fault.kind = cut, fault.scope = Scope::network, fault.subject = "network";
    } else if (cut == "dns-stop") {
      for (const char* ns : {"ns1", "ns2"}) action(fault_at, ActionKind::stop, ns);
      for (const char* ns : {"ns1", "ns2"}) action(fault_end, ActionKind::start, ns);
      fault.kind = "service-stop", fault.scope = Scope::layer, fault.subject = "dns";
    } else if (cut == "blackhole" || cut == "service-stop") {
      const std::string site = web[static_cast<std::size_t>(draw.below(4))];
      action(fault_at, cut == "blackhole" ? ActionKind::block : ActionKind::stop, site);
      action(fault_end, cut == "blackhole" ? ActionKind::unblock : ActionKind::start, site);
      fault.kind = cut, fault.scope = Scope::target, fault.subject = site;
    }
    if (cut != "none") s.faults.push_back(fault);
    wave_end = std::max(wave_end, fault_end);
    t = wave_end + draw.uniform(11, 25);
  }
  s.duration = minutes(std::ceil(t));
  std::stable_sort(s.actions.begin(), s.actions.end(),
                   [](const ScenarioAction& a, const ScenarioAction& b) { return a.at < b.at; });
  derive_truth(s);
  return s;
}

}  // namespace blackout::lab
