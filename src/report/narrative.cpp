// Writing the narrative. Every number in it comes from an event or a wave; nothing is
// guessed, and a story with no waves says so rather than inventing one.
#include "report/narrative.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "report/format.hpp"

namespace blackout::report {
namespace {

constexpr std::size_t brunt_targets = 5;

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string stress_words(double inflation, double loss) {
  return one_decimal(inflation) + "x the normal round-trip time and " + percent(loss) + " loss";
}

Timestamp end_of(const Event& e, Timestamp to) { return e.end ? *e.end : std::max(to, e.start); }

std::string layer_name(Layer layer) {
  const std::string name(to_string(layer));
  return name == "dns" ? "DNS" : name == "bgp" ? "BGP" : name;
}

std::string capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

// The bgp layer's own events are routing-withdrawals by definition: they say when the
// prefixes left, not what an outage looked like.
bool of_bgp_layer(const Event* e) { return e->scope == Scope::layer && e->layer == Layer::bgp; }

std::string subject_of(const Event& e) {
  return e.scope == Scope::network ? std::string("the network") : e.subject + " (" + std::string(to_string(e.scope)) + ")";
}

struct WaveFacts {
  const Wave* wave;
  std::vector<const Event*> events;
  const Event* network = nullptr;
  double peak_inflation = 1, peak_loss = 0, peak_stress = 0;
  std::string peak_subject;
};

std::vector<WaveFacts> facts_of(const std::vector<Wave>& waves, const std::vector<Event>& events) {
  std::map<std::string, const Event*> by_id;
  for (const Event& e : events) by_id[e.id] = &e;
  std::vector<WaveFacts> out;
  for (const Wave& w : waves) {
    WaveFacts f{&w, {}, nullptr, 1, 0, 0, {}};
    for (const std::string& id : w.events) {
      const auto it = by_id.find(id);
      if (it == by_id.end()) continue;
      const Event* e = it->second;
      f.events.push_back(e);
      if (e->scope == Scope::network && (!f.network || (!f.network->down_at && e->down_at))) f.network = e;
      if (e->peak_inflation > f.peak_inflation) {
        f.peak_inflation = e->peak_inflation;
        f.peak_subject = e->scope == Scope::network ? "the network" : e->subject;
      }
      f.peak_loss = std::max(f.peak_loss, e->peak_loss);
      f.peak_stress = std::max(f.peak_stress, e->peak_stress);
    }
    out.push_back(std::move(f));
  }
  return out;
}

NarrativeSection waves_section(const std::vector<WaveFacts>& facts, const NarrativeInput& in) {
  NarrativeSection s{"Waves", {}};
  for (std::size_t i = 0; i < facts.size(); ++i) {
    const Wave& w = *facts[i].wave;
    const Timestamp end = w.end ? *w.end : in.to;
    std::string line = "Wave " + std::to_string(i + 1) + ": " + clock_time(w.start) + " to " +
                       (w.end ? clock_time(*w.end) : "the end of the report, still going") + " UTC (" +
                       human_duration(end - w.start) + ").";
    if (const Event* n = facts[i].network) {
      if (n->down_at)
        line += " The whole network was down from " + clock_time(*n->down_at) + " to " +
                (n->end ? clock_time(*n->end) : "the end") + " (" + human_duration(end_of(*n, in.to) - *n->down_at) + ").";
      else line += " The whole network was stressed from " + clock_time(n->start) + " but never entirely down.";
    } else {
      line += " Not the whole network: only some layers.";
    }
    if (i > 0 && facts[i - 1].wave->end)
      line += " It began " + human_duration(w.start - *facts[i - 1].wave->end) + " after the previous one ended.";
    s.lines.push_back(line);
  }
  return s;
}

NarrativeSection cascade_section(const std::vector<WaveFacts>& facts) {
  NarrativeSection s{"Cascade", {}};
  std::set<std::string> firsts;
  for (std::size_t i = 0; i < facts.size(); ++i) {
    const auto& cascade = facts[i].wave->cascade;
    if (cascade.empty()) {
      s.lines.push_back("Wave " + std::to_string(i + 1) + ": no layer went down; the layers were stressed only.");
      continue;
    }
    std::string line = "Wave " + std::to_string(i + 1) + ": " + capitalised(layer_name(cascade.front().layer)) +
                       " fell first, at " + clock_time(cascade.front().at);
    firsts.insert(std::string(to_string(cascade.front().layer)));
    for (std::size_t k = 1; k < cascade.size(); ++k) {
      line += k == 1 ? "; then " : ", ";
      line += layer_name(cascade[k].layer) + " at " + clock_time(cascade[k].at) + " (+" +
              human_duration(cascade[k].at - cascade.front().at) + ")";
    }
    s.lines.push_back(line + ".");
  }
  if (facts.size() > 1 && firsts.size() == 1) {
    const auto layer = layer_from_string(*firsts.begin());
    s.lines.push_back("In every wave " + (layer ? layer_name(*layer) : *firsts.begin()) + " fell first.");
  }
  return s;
}

NarrativeSection stress_section(const std::vector<WaveFacts>& facts, const std::vector<Event>& events) {
  NarrativeSection s{"Stress and loss", {}};
  for (std::size_t i = 0; i < facts.size(); ++i) {
    const WaveFacts& f = facts[i];
    s.lines.push_back("Wave " + std::to_string(i + 1) + ": stress peaked at " + stress_words(f.peak_inflation, f.peak_loss) +
                      (f.peak_subject.empty() ? "" : " (highest RTT at " + f.peak_subject + ")") + "; stress index " +
                      one_decimal(f.peak_stress) + " (1.0 is the threshold).");
  }
  if (facts.empty()) {
    const Event* worst = nullptr;
    for (const Event& e : events)
      if (!worst || e.peak_stress > worst->peak_stress) worst = &e;
    if (worst)
      s.lines.push_back("The highest stress was at " + worst->subject + ": " +
                        stress_words(worst->peak_inflation, worst->peak_loss) + ".");
  }
  if (s.lines.empty()) s.lines.push_back("No stress and no loss called an event.");
  return s;
}

NarrativeSection brunt_section(const NarrativeInput& in) {
  struct Impact {
    std::string name;
    Duration down{0}, not_up{0};
    std::size_t events = 0;
    double inflation = 1, loss = 0, stress = 0;
  };
  std::map<std::string, Impact> by_target;
  for (const Event& e : in.events) {
    if (e.scope != Scope::target) continue;
    // Target events are named vantage/target; the brunt is per target, over vantages.
    const auto slash = e.subject.find('/');
    const std::string name = slash == std::string::npos ? e.subject : e.subject.substr(slash + 1);
    Impact& impact = by_target[name];
    impact.name = name;
    ++impact.events;
    const Timestamp end = end_of(e, in.to);
    impact.not_up += end - e.start;
    if (e.down_at) impact.down += end - *e.down_at;
    impact.inflation = std::max(impact.inflation, e.peak_inflation);
    impact.loss = std::max(impact.loss, e.peak_loss);
    impact.stress = std::max(impact.stress, e.peak_stress);
  }
  std::vector<Impact> ranked;
  for (auto& [name, impact] : by_target) ranked.push_back(impact);
  std::sort(ranked.begin(), ranked.end(), [](const Impact& a, const Impact& b) {
    if (a.down != b.down) return a.down > b.down;
    if (a.stress != b.stress) return a.stress > b.stress;
    return a.name < b.name;
  });
  std::map<std::string, Layer> layers;
  for (const Target& t : in.targets) layers[t.name] = t.layer;
  NarrativeSection s{"Targets that took the brunt", {}};
  for (std::size_t i = 0; i < ranked.size() && i < brunt_targets; ++i) {
    const Impact& r = ranked[i];
    const auto layer = layers.find(r.name);
    std::string line = r.name + (layer == layers.end() ? "" : " (" + std::string(to_string(layer->second)) + ")") + ": ";
    line += r.down.count() > 0 ? "down " + human_duration(r.down) + ", not up " + human_duration(r.not_up)
                               : "stressed " + human_duration(r.not_up) + ", never down";
    line += " in " + plural(r.events, "event", "events") + "; up to " + stress_words(r.inflation, r.loss) + ".";
    s.lines.push_back(line);
  }
  if (ranked.size() > brunt_targets)
    s.lines.push_back(plural(ranked.size() - brunt_targets, "more target", "more targets") + " had events; see the table.");
  if (ranked.empty()) s.lines.push_back("No target had an event.");
  return s;
}

NarrativeSection signature_section(const std::vector<WaveFacts>& facts, const std::vector<Event>& events) {
  NarrativeSection s{"Signature", {}};
  std::vector<const Event*> wide;
  for (const Event& e : events)
    if (e.scope != Scope::target) wide.push_back(&e);
  const bool only_targets = wide.empty();
  if (only_targets)
    for (const Event& e : events) wide.push_back(&e);
  if (wide.empty()) {
    s.lines.push_back("Nothing to sign: there was no event.");
    return s;
  }
  // The bgp layer's events are told apart.
  std::size_t routing_layer_events = 0;
  if (!only_targets) {
    const auto others = std::count_if(wide.begin(), wide.end(), [&](const Event* e) { return !of_bgp_layer(e); });
    if (others > 0) {
      routing_layer_events = wide.size() - static_cast<std::size_t>(others);
      std::erase_if(wide, of_bgp_layer);
    }
  }
  std::map<Signature, std::size_t> counts;
  for (const Event* e : wide) ++counts[e->signature];
  const std::string what = only_targets ? "target events" : "layer and network events";
  if (counts.size() == 1) {
    s.lines.push_back((wide.size() == 1 ? "The only one of the " + what + " is "
                                        : "All " + std::to_string(wide.size()) + " " + what + " are ") +
                      std::string(to_string(counts.begin()->first)) + ": " + std::string(describe(counts.begin()->first)) + ".");
  } else {
    std::vector<std::pair<std::size_t, Signature>> order;
    for (const auto& [signature, n] : counts) order.emplace_back(n, signature);
    // Most common first; ties by name, as the words read.
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : to_string(a.second) < to_string(b.second);
    });
    std::string line = "Of the " + std::to_string(wide.size()) + " " + what + ": ";
    for (std::size_t i = 0; i < order.size(); ++i)
      line += (i ? ", " : "") + std::to_string(order[i].first) + " " + std::string(to_string(order[i].second)) + " (" +
              std::string(describe(order[i].second)) + ")";
    s.lines.push_back(line + ".");
  }
  if (routing_layer_events > 0)
    s.lines.back() += std::string(" The BGP layer's ") +
                      (routing_layer_events == 1 ? "event says" : std::to_string(routing_layer_events) + " events say") +
                      " when the watched prefixes left the routing table (see the cascade).";
  // The evidence: the network's event of each wave, or the first event when none.
  std::vector<const Event*> evidence;
  for (const WaveFacts& f : facts) evidence.push_back(f.network ? f.network : f.events.empty() ? nullptr : f.events.front());
  if (facts.empty()) evidence.push_back(wide.front());
  for (std::size_t i = 0; i < evidence.size(); ++i) {
    const Event* e = evidence[i];
    if (!e) continue;
    std::string line = std::string(facts.empty() ? "" : "Wave " + std::to_string(i + 1) + ", ") + subject_of(*e) + ", " +
                       std::string(to_string(e->signature)) + ": ";
    for (std::size_t k = 0; k < e->evidence.size(); ++k) line += (k ? "; " : "") + e->evidence[k];
    if (e->evidence.empty()) line += "no evidence recorded";
    s.lines.push_back(line + ".");
  }
  return s;
}

NarrativeSection vantages_section(const NarrativeInput& in) {
  NarrativeSection s{"What the vantages saw", {}};
  std::set<std::string> names;
  for (const auto& [v, n] : in.results_per_vantage) names.insert(v);
  std::size_t wide_events = 0;
  std::map<std::string, std::size_t> wide_seen, target_events;
  std::map<std::string, std::set<std::string>> targets_down;
  std::set<std::string> controls;
  for (const Target& t : in.targets)
    if (t.control) controls.insert(t.name);
  std::map<std::string, std::set<std::string>> controls_failed;
  for (const Event& e : in.events) {
    for (const std::string& v : e.vantages) names.insert(v);
    if (e.scope != Scope::target) {
      ++wide_events;
      for (const std::string& v : e.vantages) ++wide_seen[v];
      continue;
    }
    const auto slash = e.subject.find('/');
    const std::string target = slash == std::string::npos ? e.subject : e.subject.substr(slash + 1);
    for (const std::string& v : e.vantages) {
      ++target_events[v];
      if (e.down_at) targets_down[v].insert(target);
      if (controls.count(target) && e.down_at) controls_failed[v].insert(target);
    }
  }
  for (const std::string& v : names) {
    const auto results = in.results_per_vantage.find(v);
    std::string line =
        v + ": " +
        (results == in.results_per_vantage.end() ? std::string("no results in the interval")
                                                 : plural(static_cast<std::size_t>(results->second), "result", "results"));
    line += "; " + plural(target_events[v], "target event", "target events") + ", " +
            plural(targets_down[v].size(), "target", "targets") + " down";
    if (wide_events > 0)
      line += "; in " + std::to_string(wide_seen[v]) + " of the " + std::to_string(wide_events) + " layer and network events";
    if (!controls_failed[v].empty()) {
      line += "; its control target";
      line += controls_failed[v].size() == 1 ? " " : "s ";
      std::size_t k = 0;
      for (const std::string& c : controls_failed[v]) line += (k++ ? ", " : "") + c;
      line += " failed too: its own uplink, not the watched network";
    }
    s.lines.push_back(line + ".");
  }
  if (names.size() == 1) s.lines.push_back("Only one vantage reported: no second viewpoint confirms or contradicts it.");
  if (names.empty()) s.lines.push_back("No vantage reported in the interval.");
  return s;
}

std::string headline(const std::vector<WaveFacts>& facts, const NarrativeInput& in) {
  if (facts.empty()) {
    std::size_t target_events = 0, wide = 0, local = 0;
    for (const Event& e : in.events) {
      target_events += e.scope == Scope::target ? 1 : 0;
      wide += e.scope != Scope::target ? 1 : 0;
      local += e.scope != Scope::target && e.signature == Signature::vantage_local ? 1 : 0;
    }
    std::string line = "No wave of outages of the watched network from " + date_time(in.from) + " to " + date_time(in.to) + ".";
    if (wide > 0 && local == wide)
      line += " " + plural(wide, "layer or network event", "layer and network events") +
              ", all vantage-local: the vantage's own uplink failed, not the network.";
    else if (wide > 0)
      line += " " + plural(wide, "layer or network event", "layer and network events") + " outside any wave; see below.";
    else if (target_events > 0)
      line += " No layer or network-wide outage; " + plural(target_events, "event", "events") + " of single targets; see below.";
    else line += " No event at all.";
    return line;
  }
  const Wave& first = *facts.front().wave;
  const Wave& last = *facts.back().wave;
  const Timestamp last_end = last.end ? *last.end : in.to;
  double inflation = 1, loss = 0;
  Duration dark{0};
  std::map<Signature, std::size_t> signatures;
  std::set<std::string> firsts;
  for (const WaveFacts& f : facts) {
    inflation = std::max(inflation, f.peak_inflation);
    loss = std::max(loss, f.peak_loss);
    if (f.network && f.network->down_at) dark += end_of(*f.network, in.to) - *f.network->down_at;
    // What a wave looked like is what its network event looked like, when it has one.
    if (f.network) {
      ++signatures[f.network->signature];
    } else {
      for (const Event* e : f.events)
        if (!of_bgp_layer(e)) ++signatures[e->signature];
    }
    if (!f.wave->cascade.empty()) firsts.insert(layer_name(f.wave->cascade.front().layer));
  }
  std::string line = plural(facts.size(), "wave", "waves") + " of outages over " + human_duration(last_end - first.start) +
                     ", from " + date_time(first.start) + " to " + clock_time(last_end) + " UTC; stress peaked at " +
                     stress_words(inflation, loss) + ".";
  if (firsts.size() == 1)
    line += " " + capitalised(*firsts.begin()) + " fell first" + (facts.size() > 1 ? " in every wave" : "") + ".";
  if (dark.count() > 0) line += " The whole network was unreachable for " + human_duration(dark) + " in all.";
  if (signatures.size() == 1)
    line += " It looked " + std::string(to_string(signatures.begin()->first)) + ": " +
            std::string(describe(signatures.begin()->first)) + ".";
  return line;
}

}  // namespace

Narrative write_narrative(const NarrativeInput& input) {
  const auto facts = facts_of(input.waves, input.events);
  Narrative n;
  n.headline = headline(facts, input);
  if (!facts.empty()) {
    n.sections.push_back(waves_section(facts, input));
    n.sections.push_back(cascade_section(facts));
  }
  n.sections.push_back(stress_section(facts, input.events));
  n.sections.push_back(brunt_section(input));
  n.sections.push_back(signature_section(facts, input.events));
  n.sections.push_back(vantages_section(input));
  return n;
}

}  // namespace blackout::report
