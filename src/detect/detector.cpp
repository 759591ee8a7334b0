// The detector.
#include "detect/detector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_set>

namespace blackout {
namespace {

// The share of a layer's (or the network's) targets, by weight, that must have been degraded
// (stressed, or answering badly just before they failed) for its outage to be stress-led: a
// flood shows on many targets at once, while one site that was slow for its own reasons
// does not make a country-wide cut a flood.
constexpr double stress_led_share = 1.0 / 3;

std::string event_id(Scope scope, const std::string& subject, Timestamp start) {
  return std::string(to_string(scope)) + ":" + subject + ":" + std::to_string(start.time_since_epoch().count());
}

bool not_up(State s) { return s == State::stressed || s == State::down; }

std::int64_t units_of(double weight) { return static_cast<std::int64_t>(std::llround(weight * 1e6)); }

std::string seconds_text(Duration d) {
  char text[32];
  const double s = to_seconds(d);
  if (s < 10) std::snprintf(text, sizeof text, "%.1f s", s);
  else std::snprintf(text, sizeof text, "%.0f s", s);
  return text;
}

std::string rtt_text(Duration d) {
  char text[32];
  const double ms = to_milliseconds(d);
  if (ms < 1) std::snprintf(text, sizeof text, "%.2f ms", ms);
  else if (ms < 10) std::snprintf(text, sizeof text, "%.1f ms", ms);
  else std::snprintf(text, sizeof text, "%.0f ms", ms);
  return text;
}

// "2,900": a factor as a reader says it.
std::string factor_text(double factor) {
  if (factor < 10) {
    char text[16];
    std::snprintf(text, sizeof text, "%.1f", factor);
    return text;
  }
  std::string digits = std::to_string(std::llround(factor));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// The same for many values at once, in their order, without a quadratic scan when an event
// opens with thousands of targets.
void add_all_unique(std::vector<std::string>& list, const std::vector<std::string>& values) {
  if (values.size() <= 8) {
    for (const std::string& value : values) add_unique(list, value);
    return;
  }
  std::unordered_set<std::string> seen(list.begin(), list.end());
  for (const std::string& value : values)
    if (seen.insert(value).second) list.push_back(value);
}

Duration median_cadence(std::vector<Duration> cadences) {
  if (cadences.empty()) return std::chrono::seconds(10);
  const auto middle = cadences.begin() + static_cast<std::ptrdiff_t>((cadences.size() - 1) / 2);
  std::nth_element(cadences.begin(), middle, cadences.end());
  return *middle;
}

}  // namespace

Detector::Detector(const std::vector<Target>& targets, DetectionParams params) : params_(params) { set_targets(targets); }

void Detector::set_targets(const std::vector<Target>& targets) {
  for (const Target& target : targets) {
    TargetInfo info{target.layer, target.weight, target.control, std::chrono::seconds(10)};
    if (!target.checks.empty()) {
      info.cadence = target.checks.front().interval;
      for (const Check& check : target.checks) info.cadence = std::min(info.cadence, check.interval);
    }
    info_[target.name] = info;
  }
  // The typical cadence of each layer and of the network, for the spans counted in probe
  // intervals; and the weight of each, for the share of its targets a flood touched.
  std::map<Layer, std::vector<Duration>> by_layer;
  std::vector<Duration> all;
  layer_units_.clear();
  network_units_ = 0;
  for (const auto& [name, info] : info_) {
    if (info.control) continue;
    by_layer[info.layer].push_back(info.cadence);
    all.push_back(info.cadence);
    layer_units_[info.layer] += units_of(info.weight);
    network_units_ += units_of(info.weight);
  }
  for (auto& [layer, cadences] : by_layer) layer_cadence_[layer] = median_cadence(cadences);
  network_cadence_ = median_cadence(all);
  for (auto& [vantage, view] : vantages_) {
    for (auto& [name, tracker] : view.targets) tracker.set_cadence(info_of(name).cadence);
    // A target may have moved to another layer.
    view.congested_layers.clear();
    for (const auto& [name, since] : view.congested) ++view.congested_layers[info_of(name).layer];
  }
  // Layers and weights may have changed: the shares are counted again, and the open events,
  // whose signatures weigh them, are told again.
  rebuild_shares();
  for (const auto& [serial, open] : open_events_) dirty_events_.insert(serial);
}

const Detector::TargetInfo& Detector::info_of(const std::string& target) const {
  static const TargetInfo unknown{};
  const auto it = info_.find(target);
  return it == info_.end() ? unknown : it->second;
}

Duration Detector::cadence_of(const Event& event) const {
  if (event.scope == Scope::target) return info_of(event.subject).cadence;
  if (event.scope == Scope::layer && event.layer) {
    const auto it = layer_cadence_.find(*event.layer);
    if (it != layer_cadence_.end()) return it->second;
  }
  return network_cadence_;
}

std::vector<Event> Detector::take_changed_events() {
  // Closed and open ones together, in the order they were opened: the order an EventLog
  // keeps as theirs.
  std::vector<std::pair<std::uint64_t, Event>> changed = std::move(closed_events_);
  closed_events_.clear();
  for (const std::uint64_t serial : dirty_events_) changed.emplace_back(serial, signed_copy(open_events_.at(serial)));
  dirty_events_.clear();
  std::stable_sort(changed.begin(), changed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Event> out;
  out.reserve(changed.size());
  for (auto& [serial, event] : changed) out.push_back(std::move(event));
  return out;
}

std::vector<Wave> Detector::take_changed_waves() {
  std::vector<Wave> out = std::move(waves_.ended);
  waves_.ended.clear();
  if (waves_.current && waves_.changed) out.push_back(*waves_.current);
  waves_.changed = false;
  return out;
}

std::vector<Event> Detector::open_events() const {
  std::vector<Event> out;
  out.reserve(open_events_.size());
  for (const auto& [serial, open] : open_events_) out.push_back(signed_copy(open));
  return out;
}

std::size_t Detector::quorum() const {
  if (params_.quorum > 0) return static_cast<std::size_t>(params_.quorum);
  return vantages_.size() / 2 + 1;
}

void Detector::add(const Result& result) {
  latest_ = std::max(latest_, result.time);
  VantageView& view = vantages_[result.vantage];
  const auto [tracker_it, arriving] = view.targets.try_emplace(result.target);
  TargetTracker& tracker = tracker_it->second;
  const TargetInfo& info = info_of(result.target);
  if (arriving) {
    tracker.set_cadence(info.cadence);
    account(view, result.target, Standing{}, Standing{}, true);
  }
  const Standing before = view.standing[result.target];
  // The path into the network is congested when two or more of its other targets show it,
  // across layers or with a router among them: a flood over the border link, not one or two
  // sites' own trouble behind their own bottlenecks. Since the earliest of them.
  std::optional<Timestamp> path_congested;
  {
    const auto own = view.congested.find(result.target);
    const std::size_t others = view.congested.size() - (own != view.congested.end() ? 1 : 0);
    if (others >= 2) {
      // The layers of the others, from the count kept per layer (walking every congested
      // target here made each result cost as many lookups as a flood had congested).
      std::size_t layers = 0;
      bool router = false;
      for (const auto& [layer, count] : view.congested_layers) {
        const int of_others = count - (own != view.congested.end() && layer == info.layer ? 1 : 0);
        if (of_others <= 0) continue;
        ++layers;
        router = router || layer == Layer::router;
      }
      if (layers >= 2 || router) {
        auto first = view.congested_times.begin();
        if (own != view.congested.end() && *first == own->second) ++first;
        path_congested = *first;
      }
    }
  }
  const bool changed = tracker.add(result, params_, path_congested);
  if (!info.control) {
    if (const Reply a = classify(result.outcome); a == Reply::ok || a == Reply::refused) {
      Timestamp& last = view.last_answer[result.target];
      last = std::max(last, result.time);
    }
    const auto congested = tracker.unreachable() ? std::nullopt : tracker.congested_since(params_);
    const auto own = view.congested.find(result.target);
    if (own != view.congested.end() && (!congested || *congested != own->second)) {
      view.congested_times.erase(view.congested_times.find(own->second));
      view.congested.erase(own);
      --view.congested_layers[info.layer];
    }
    if (congested && !view.congested.contains(result.target)) {
      view.congested[result.target] = *congested;
      view.congested_times.insert(*congested);
      ++view.congested_layers[info.layer];
    }
  }
  const StressReading& stress = tracker.stress();

  const EntityKey target_key{Scope::target, result.target, result.vantage};
  if (changed) on_target_change(result.vantage, view, result.target, tracker, before);
  if (!info.control) weigh_silences(result.vantage, view, result.target, tracker);
  // Peaks, while the target still answers: of its own event, and of the layer and network
  // events it is part of. A silent target has no RTT and no loss rate to tell.
  if (not_up(tracker.state()) && !tracker.unreachable()) {
    for (const EntityKey& key : {target_key, EntityKey{Scope::layer, std::string(to_string(info.layer)), ""},
                                 EntityKey{Scope::network, "network", ""}}) {
      const auto it = entities_.find(key);
      if (it == entities_.end() || !it->second.open_event) continue;
      if (key.scope == Scope::network && info.control) continue;
      Event& event = open_events_.at(*it->second.open_event).event;
      bool raised = false;
      if (stress.stress > event.peak_stress) event.peak_stress = stress.stress, raised = true;
      if (stress.loss > event.peak_loss) event.peak_loss = stress.loss, raised = true;
      if (stress.inflation > event.peak_inflation) {
        event.peak_inflation = stress.inflation;
        event.peak_rtt = stress.rtt;
        event.normal_rtt = stress.normal;
        raised = true;
      }
      if (raised) dirty_events_.insert(*it->second.open_event);
    }
  }
  close_calm_wave_before(result.time);
}

void Detector::on_target_change(const std::string& vantage, VantageView& view, const std::string& target, TargetTracker& tracker,
                                Standing before) {
  const Standing after{tracker.state(), tracker.unreachable()};
  // Down straight from up, its spell begun earlier with signs of congestion: the shares and
  // events see it stressed from then, so that they start when the trouble did.
  const TroubleSpell& spell = tracker.spell();
  if (before.state == State::up && after.state == State::down && spell.stressed_since &&
      *spell.stressed_since < tracker.since()) {
    const Standing stressed{State::stressed, false};
    apply_target_change(vantage, view, target, tracker, before, stressed, *spell.stressed_since,
                        "congested before it fell silent");
    before = stressed;
  }
  apply_target_change(vantage, view, target, tracker, before, after, tracker.since(), tracker.reason());
}

void Detector::apply_target_change(const std::string& vantage, VantageView& view, const std::string& target,
                                   const TargetTracker& tracker, Standing before, Standing after, Timestamp since,
                                   const std::string& reason) {
  const TargetInfo& info = info_of(target);
  account(view, target, before, after, false);
  view.standing[target] = after;
  if (!info.control) {
    if (const auto entry = view.cut_entry.find(target); entry != view.cut_entry.end()) {
      view.cut.erase(entry->second);
      view.cut_entry.erase(entry);
    }
    if (after.state == State::down && after.unreachable) view.cut_entry[target] = view.cut.emplace(since, target);
  }
  const StressReading& stress = tracker.stress();
  set_state(EntityKey{Scope::target, target, vantage}, after.state, since, reason, info.layer, &stress, {target});
  update_vantage_aggregates(vantage, since);
  update_quorum(since, target);
  gather_target(vantage, target, tracker);
  update_waves(since);
}

void Detector::weigh_silences(const std::string& vantage, VantageView& view, const std::string& target,
                              const TargetTracker& tracker) {
  const Silence& silence = tracker.silence_now();
  const auto old = view.silent.find(target);
  if (old != view.silent.end()) {
    view.silent_log_chance -= old->second;
    view.silent.erase(old);
  }
  if (tracker.unreachable() || silence.failures < params_.fall || !silence.since) return;
  if (latest_ - *silence.since < params_.silence_span.at(tracker.cadence()) / 2) return;
  view.silent[target] = silence.log_chance;
  view.silent_log_chance += silence.log_chance;
  // Targets of two layers or more already down for silence, each fallen silent within a
  // silence span of this one: the path they share was cut, and this silence is likely the
  // same cut. They count as one more witness, worth half the doubt, beside the silent ones;
  // and this silence alone, judged by the target's own past rather than by a congested
  // path's prior (which expects three probes in four lost until answers say otherwise), needs
  // only to be beyond loss by half the doubt: a border router that answered every probe of a
  // flood, then nothing once the prefix was withdrawn, is not "stressed" for as long as that
  // prior allows.
  bool cut_around = false;
  {
    const Duration span = params_.silence_span.at(tracker.cadence());
    std::set<Layer> cut_layers;
    for (auto it = view.cut.lower_bound(*silence.since - span); it != view.cut.end() && it->first <= *silence.since + span;
         ++it) {
      if (it->second == target) continue;
      cut_layers.insert(info_of(it->second).layer);
      if (cut_layers.size() >= 2) break;
    }
    cut_around = cut_layers.size() >= 2;
  }
  const double doubt = std::log(params_.silence_chance);
  const double pooled = view.silent_log_chance + (cut_around ? doubt / 2 : 0);
  const bool together = view.silent.size() + (cut_around ? 1 : 0) >= 2 && pooled < doubt;
  const double own_log_chance = !together && cut_around ? tracker.silence_on_its_own_past(params_).log_chance : 0;
  const bool alone = !together && cut_around && own_log_chance < doubt / 2;
  if (!together && !alone) return;
  // Silent together only if no congested host answered after the last of them fell quiet: a
  // flood that loses most probes still lets some through, slowly, a cut none. Routers are
  // left out: one on the border answers from before a cut beyond it, slowly if the flood is
  // on its own link.
  // (Over the congested targets, few, not over every target: this runs for each silent
  // target's result while a country-wide cut is being weighed.)
  if (!view.congested.empty()) {
    Timestamp quiet_from = Timestamp::min();
    for (const auto& [name, log_chance] : view.silent) {
      const auto t = view.targets.find(name);
      if (t != view.targets.end() && t->second.silence_now().since)
        quiet_from = std::max(quiet_from, *t->second.silence_now().since);
    }
    for (const auto& [name, since] : view.congested) {
      if (view.silent.contains(name) || info_of(name).layer == Layer::router) continue;
      const auto answered = view.last_answer.find(name);
      if (answered != view.last_answer.end() && answered->second > quiet_from) return;
    }
  }
  // Together beyond doubt: every one of them is down, from its own first unanswered probe.
  char why[160];
  std::vector<std::string> names;
  if (alone) {
    std::snprintf(why, sizeof why, "as targets of two layers or more were cut (chance of loss alone, on its own past, %.1e)",
                  std::exp(own_log_chance));
    names.push_back(target);
    view.silent_log_chance -= view.silent[target];
    view.silent.erase(target);
  } else {
    if (view.silent.size() == 1)
      std::snprintf(why, sizeof why, "as targets of two layers or more were cut (chance of loss alone %.1e)",
                    std::exp(view.silent_log_chance));
    else
      std::snprintf(why, sizeof why, "with %zu targets silent at once%s (chance of loss alone %.1e)", view.silent.size(),
                    cut_around ? " as targets of two layers or more were cut" : "", std::exp(view.silent_log_chance));
    for (const auto& [name, log_chance] : view.silent) names.push_back(name);
    view.silent.clear();
    view.silent_log_chance = 0;
  }
  for (const std::string& name : names) {
    TargetTracker& other = view.targets[name];
    const Standing before = view.standing[name];
    if (other.declare_unreachable(why, params_)) on_target_change(vantage, view, name, other, before);
  }
}

void Detector::set_state(const EntityKey& key, State next, Timestamp at, const std::string& reason, std::optional<Layer> layer,
                         const StressReading* stress, const std::vector<std::string>& involved) {
  EntityState& entity = entities_[key];
  if (entity.state == next) {
    if (entity.open_event) {
      std::vector<std::string>& targets = open_events_.at(*entity.open_event).event.targets;
      const std::size_t before = targets.size();
      add_all_unique(targets, involved);
      if (targets.size() != before) dirty_events_.insert(*entity.open_event);
    }
    return;
  }
  changes_.push_back(StateChange{at, key.vantage, key.scope, key.subject, entity.state, next, reason});
  entity.state = next;
  // Per-vantage layer and network states are recorded as changes; events are made for
  // targets and for the quorum-combined layers and network.
  const bool makes_events = key.scope == Scope::target || key.vantage.empty();
  if (!makes_events) return;
  if (not_up(next)) {
    bool opened = false;
    if (!entity.open_event) {
      Event event;
      event.id = event_id(key.scope, key.scope == Scope::target ? key.vantage + "/" + key.subject : key.subject, at);
      event.scope = key.scope;
      event.layer = layer;
      event.subject = key.subject;
      event.kind = next == State::down ? State::down : State::stressed;
      event.start = at;
      if (key.scope == Scope::target) event.vantages.push_back(key.vantage);
      entity.open_event = next_serial_++;
      open_events_.emplace(*entity.open_event, OpenEvent{std::move(event), Evidence{}});
      opened = true;
    }
    const std::uint64_t serial = *entity.open_event;
    Event& event = open_events_.at(serial).event;
    dirty_events_.insert(serial);
    if (next == State::down && !event.down_at) {
      event.down_at = std::max(at, event.start);
      event.kind = State::down;
    }
    if (stress && key.scope == Scope::target && next == State::stressed) {
      event.peak_stress = std::max(event.peak_stress, stress->stress);
      event.peak_loss = std::max(event.peak_loss, stress->loss);
      if (stress->inflation > event.peak_inflation) {
        event.peak_inflation = stress->inflation;
        event.peak_rtt = stress->rtt;
        event.normal_rtt = stress->normal;
      }
    }
    add_all_unique(event.targets, involved);
    if (opened && key.scope != Scope::target) gather_all(serial);
  } else if (entity.open_event) {
    // Closed: signed for good, handed over at the next take, and forgotten.
    const std::uint64_t serial = *entity.open_event;
    const auto open = open_events_.find(serial);
    Event& event = open->second.event;
    event.end = std::max(at, event.start);
    sign(event, open->second.evidence);
    closed_events_.emplace_back(serial, std::move(event));
    open_events_.erase(open);
    dirty_events_.erase(serial);
    entity.open_event.reset();
  }
}

void Detector::account(VantageView& view, const std::string& target, Standing from, Standing to, bool arriving) {
  const TargetInfo& info = info_of(target);
  if (info.control) return;  // control targets tell about the vantage, not the network
  const std::int64_t units = units_of(info.weight);
  const auto move = [&](Share& share, bool from_down, bool to_down) {
    if (arriving) share.total += units;
    share.down += units * (static_cast<int>(to_down) - static_cast<int>(from_down));
    share.not_up += units * (static_cast<int>(not_up(to.state)) - static_cast<int>(not_up(from.state)));
    share.known += static_cast<std::size_t>(to.state != State::unknown) - static_cast<std::size_t>(from.state != State::unknown);
  };
  // A target counts as down when it fails at all, silent or refusing: a name server whose
  // nsd is gone is a dns outage, and a network where nearly everything refuses (a border
  // firewall that resets every connection) is dark to its users, whatever answers pings.
  move(view.layer_shares[info.layer], from.state == State::down, to.state == State::down);
  move(view.network_share, from.state == State::down, to.state == State::down);
}

void Detector::rebuild_shares() {
  for (auto& [vantage, view] : vantages_) {
    view.layer_shares.clear();
    view.network_share = Share{};
    for (const auto& [name, tracker] : view.targets) account(view, name, Standing{}, view.standing[name], true);
  }
}

void Detector::update_vantage_aggregates(const std::string& vantage, Timestamp at) {
  VantageView& view = vantages_[vantage];
  const auto state_of = [](const Share& share, double down_share, double stressed_share) {
    if (share.known == 0 || share.total <= 0) return State::unknown;
    const auto total = static_cast<double>(share.total);
    if (static_cast<double>(share.down) / total >= down_share) return State::down;
    if (static_cast<double>(share.not_up) / total >= stressed_share) return State::stressed;
    return State::up;
  };
  // Per-vantage states make no events, so they need no list of the targets involved.
  for (const auto& [layer, share] : view.layer_shares) {
    const State s = state_of(share, params_.layer_down_share, params_.layer_stressed_share);
    view.layers[layer] = s;
    char reason[96];
    const double total = share.total > 0 ? static_cast<double>(share.total) : 1;
    std::snprintf(reason, sizeof reason, "%.0f%% of its targets down, %.0f%% not up",
                  100 * static_cast<double>(share.down) / total, 100 * static_cast<double>(share.not_up) / total);
    set_state(EntityKey{Scope::layer, std::string(to_string(layer)), vantage}, s, at, reason, layer, nullptr, {});
  }
  view.network = state_of(view.network_share, params_.network_down_share, params_.network_stressed_share);
  char reason[96];
  const double total = view.network_share.total > 0 ? static_cast<double>(view.network_share.total) : 1;
  std::snprintf(reason, sizeof reason, "%.0f%% of its targets unreachable, %.0f%% not up",
                100 * static_cast<double>(view.network_share.down) / total,
                100 * static_cast<double>(view.network_share.not_up) / total);
  set_state(EntityKey{Scope::network, "network", vantage}, view.network, at, reason, std::nullopt, nullptr, {});
}

std::vector<std::string> Detector::targets_not_up(std::optional<Layer> layer) const {
  std::vector<std::string> out;
  for (const auto& [vantage, view] : vantages_)
    for (const auto& [name, tracker] : view.targets) {
      const TargetInfo& info = info_of(name);
      if (info.control || !not_up(tracker.state())) continue;
      if (layer && info.layer != *layer) continue;
      out.push_back(name);
    }
  return out;
}

void Detector::update_quorum(Timestamp at, const std::string& changed) {
  const std::size_t needed = quorum();
  std::map<Layer, std::pair<std::size_t, std::size_t>> layer_votes;  // down, not up
  std::map<Layer, bool> layer_known;
  std::size_t network_down = 0, network_not_up = 0;
  bool network_known = false;
  std::vector<std::string> seeing;
  for (const auto& [vantage, view] : vantages_) {
    for (const auto& [layer, state] : view.layers) {
      layer_known[layer] = layer_known[layer] || state != State::unknown;
      layer_votes[layer].first += state == State::down;
      layer_votes[layer].second += not_up(state);
    }
    network_known = network_known || view.network != State::unknown;
    network_down += view.network == State::down;
    network_not_up += not_up(view.network);
    if (not_up(view.network)) seeing.push_back(vantage);
  }
  const auto combined = [&](bool known, std::size_t down, std::size_t not_up_votes) {
    if (!known) return State::unknown;
    if (down >= needed) return State::down;
    if (not_up_votes >= needed) return State::stressed;
    return State::up;
  };
  const std::string reason = "quorum " + std::to_string(needed) + " of " + std::to_string(vantages_.size()) + " vantages";
  // The targets an event involves: all of them when a combined state changes (rare), else
  // only the one that just changed (it may have joined an event already open).
  const TargetInfo& changed_info = info_of(changed);
  bool changed_not_up = false;
  for (const auto& [vantage, view] : vantages_)
    if (const auto t = view.targets.find(changed); t != view.targets.end() && not_up(t->second.state())) changed_not_up = true;
  const auto involved_for = [&](const EntityKey& key, State next, std::optional<Layer> layer) {
    const auto entity = entities_.find(key);
    if (entity == entities_.end() || entity->second.state != next) return targets_not_up(layer);
    if (!changed_info.control && changed_not_up && (!layer || changed_info.layer == *layer))
      return std::vector<std::string>{changed};
    return std::vector<std::string>{};
  };
  for (const auto& [layer, votes] : layer_votes) {
    const EntityKey key{Scope::layer, std::string(to_string(layer)), ""};
    const State next = combined(layer_known[layer], votes.first, votes.second);
    set_state(key, next, at, reason, layer, nullptr, involved_for(key, next, layer));
    if (const auto& open = entities_[key].open_event) {
      std::vector<std::string>& vantages = open_events_.at(*open).event.vantages;
      const std::size_t before = vantages.size();
      for (const auto& [vantage, view] : vantages_)
        if (not_up(view.layers.count(layer) ? view.layers.at(layer) : State::unknown)) add_unique(vantages, vantage);
      if (vantages.size() != before) dirty_events_.insert(*open);
    }
  }
  const EntityKey network_key{Scope::network, "network", ""};
  const State network_next = combined(network_known, network_down, network_not_up);
  set_state(network_key, network_next, at, reason, std::nullopt, nullptr, involved_for(network_key, network_next, std::nullopt));
  if (const auto& open = entities_[network_key].open_event) {
    std::vector<std::string>& vantages = open_events_.at(*open).event.vantages;
    const std::size_t before = vantages.size();
    for (const std::string& vantage : seeing) add_unique(vantages, vantage);
    if (vantages.size() != before) dirty_events_.insert(*open);
  }
}

void Detector::gather(Evidence& evidence, const Event& event, const std::string& vantage, const std::string& target,
                      const TargetTracker& tracker) const {
  const TargetInfo& info = info_of(target);
  const TroubleSpell& spell = tracker.spell();
  const Duration spread = params_.clean_cut_spread.at(cadence_of(event));
  if (!spell.since) return;
  // A target whose trouble began with a failure long before this event (a site down for
  // hours) is not part of how this event came about.
  if (spell.down_since && *spell.down_since < event.start - spread &&
      (!spell.stressed_since || *spell.stressed_since > *spell.down_since))
    return;
  if (info.control) {
    if (event.scope != Scope::target && spell.down_since && *spell.down_since >= event.start - spread)
      evidence.control_down = target;
    return;
  }
  if (event.scope == Scope::layer && event.layer && info.layer != *event.layer) return;
  // Degraded before its failure, or still answering badly when the event's first failures
  // came: the flood's mark.
  bool degraded = spell.down_since ? spell.degraded_before_down : false;
  if (!spell.down_since && spell.stressed_since &&
      (!evidence.first_down || *spell.stressed_since <= *evidence.first_down + spread))
    degraded = true;
  if (degraded) {
    if (evidence.degraded.insert(target).second) evidence.degraded_units += units_of(info.weight);
    const Timestamp began = spell.stressed_since.value_or(*spell.since);
    if (!evidence.first_stressed || began < *evidence.first_stressed) evidence.first_stressed = began;
    evidence.worst_answer_ratio = std::min(evidence.worst_answer_ratio, spell.worst_answer_ratio);
    if (spell.worst_inflation > evidence.worst_inflation) {
      evidence.worst_inflation = spell.worst_inflation;
      evidence.worst_rtt = spell.worst_rtt;
      evidence.normal_rtt = spell.normal_rtt;
      evidence.worst_target = target;
    }
  }
  if (spell.down_since && *spell.down_since >= event.start - spread && evidence.counted_down.emplace(vantage, target).second) {
    const Timestamp at = *spell.down_since;
    if (!evidence.first_down || at < *evidence.first_down) {
      evidence.first_down = at;
      evidence.first_down_target = target;
    }
    // The prefixes' own departure is told apart: it is not one of the hosts falling silent.
    if (info.layer == Layer::bgp) {
      if (!evidence.routing_down || at < *evidence.routing_down) {
        evidence.routing_down = at;
        evidence.routing_seen = spell.answered_last;
      }
    } else {
      if (!evidence.first_host_down || at < *evidence.first_host_down) evidence.first_host_down = at;
      if (!evidence.last_first_down || at > *evidence.last_first_down) evidence.last_first_down = at;
    }
    (spell.unreachable ? evidence.unreachable : evidence.service_only) += 1;
  }
}

void Detector::gather_all(std::uint64_t serial) {
  OpenEvent& open = open_events_.at(serial);
  const Event& event = open.event;
  Evidence& evidence = open.evidence;
  dirty_events_.insert(serial);
  for (const auto& [vantage, view] : vantages_)
    for (const auto& [name, tracker] : view.targets)
      if (tracker.state() != State::up && tracker.state() != State::unknown) gather(evidence, event, vantage, name, tracker);
}

void Detector::gather_target(const std::string& vantage, const std::string& target, const TargetTracker& tracker) {
  const TargetInfo& info = info_of(target);
  // The evidence may sign it otherwise: it is told again at the next take.
  const auto gather_into = [&](std::uint64_t serial) {
    OpenEvent& open = open_events_.at(serial);
    gather(open.evidence, open.event, vantage, target, tracker);
    dirty_events_.insert(serial);
  };
  const auto into = [&](const EntityKey& key) {
    const auto it = entities_.find(key);
    if (it != entities_.end() && it->second.open_event) gather_into(*it->second.open_event);
  };
  into(EntityKey{Scope::target, target, vantage});
  if (info.control) {
    // The vantage's own uplink: every open layer and network event may be its doing.
    for (auto it = entities_.lower_bound(EntityKey{Scope::layer, "", ""}); it != entities_.end(); ++it)
      if (it->first.vantage.empty() && it->second.open_event) gather_into(*it->second.open_event);
    return;
  }
  into(EntityKey{Scope::layer, std::string(to_string(info.layer)), ""});
  into(EntityKey{Scope::network, "network", ""});
}

Event Detector::signed_copy(const OpenEvent& open) const {
  Event copy = open.event;
  sign(copy, open.evidence);
  return copy;
}

void Detector::sign(Event& event, const Evidence& e) const {
  event.evidence.clear();
  const Duration cadence = cadence_of(event);
  const Duration spread = params_.clean_cut_spread.at(cadence);
  char text[320];
  if (event.scope != Scope::target && !e.control_down.empty()) {
    event.signature = Signature::vantage_local;
    event.evidence.push_back("control target " + e.control_down +
                             " (outside the watched network) failed too: the vantage, not the network");
    return;
  }
  if (event.layer == Layer::bgp) {
    event.signature = Signature::routing_withdrawal;
    event.evidence.push_back("the watched prefixes left the routing table");
    return;
  }
  // What the flood looked like: the worst answers of the degraded targets.
  const auto degraded_text = [&] {
    std::string worst;
    char part[200];
    // Every probe answered, only late: the answers' delay is the whole story.
    const bool all_answered = e.worst_answer_ratio >= 0.995;
    std::snprintf(part, sizeof part, all_answered ? "answers came" : "answers fell to %.0f%%", e.worst_answer_ratio * 100);
    worst = part;
    const auto at = [&](Duration rtt, Duration normal) {
      const double raw = static_cast<double>(rtt.count()) / static_cast<double>(normal.count());
      worst += " at " + rtt_text(rtt) + ", " + factor_text(raw) + "x the normal " + rtt_text(normal);
    };
    if (e.worst_rtt && e.normal_rtt && e.normal_rtt->count() > 0) at(*e.worst_rtt, *e.normal_rtt);
    else if (event.peak_rtt && event.normal_rtt && event.normal_rtt->count() > 0) at(*event.peak_rtt, *event.normal_rtt);
    else if (all_answered) worst = "answers came late";
    return worst;
  };
  // The prefixes leaving the routing table later than the first failures (the border's
  // session dying once its link is gone) is how the outage ended up, not how it began.
  const std::optional<Timestamp> first_host_down = e.first_host_down;
  const auto routing_followed = [&] {
    if (!e.routing_down || !first_host_down || *e.routing_down <= *first_host_down) return;
    event.evidence.push_back("the watched prefixes left the routing table " + seconds_text(*e.routing_down - *first_host_down) +
                             " after the first failure");
  };

  if (event.scope == Scope::target) {
    if (event.kind == State::stressed) {
      event.signature = Signature::stress_only;
      event.evidence.push_back(degraded_text() + " without failing");
      return;
    }
    if (!e.degraded.empty()) {
      event.signature = Signature::stress_led;
      event.evidence.push_back(degraded_text() +
                               (e.first_stressed && e.first_down && *e.first_down > *e.first_stressed
                                    ? " for " + seconds_text(*e.first_down - *e.first_stressed) + " before it failed"
                                    : " as it failed"));
      return;
    }
    if (e.service_only > 0 && e.unreachable == 0) {
      event.signature = Signature::single_service;
      event.evidence.push_back("its service failed while the host still answered, with no stress before");
      return;
    }
    event.signature = Signature::clean_cut;
    event.evidence.push_back("answers at the normal RTT, then silence");
    return;
  }

  const std::int64_t scope_units = event.scope == Scope::layer && event.layer
                                       ? (layer_units_.count(*event.layer) ? layer_units_.at(*event.layer) : 0)
                                       : network_units_;
  const bool stress_led =
      scope_units > 0 && static_cast<double>(e.degraded_units) / static_cast<double>(scope_units) >= stress_led_share;
  if (stress_led || (event.kind == State::stressed && !e.degraded.empty())) {
    event.signature = Signature::stress_led;
    const std::string on = " on " + std::to_string(e.degraded.size()) + (e.degraded.size() == 1 ? " target" : " targets");
    if (e.first_down && e.first_stressed && *e.first_down >= *e.first_stressed)
      event.evidence.push_back(degraded_text() + on + ", from " + seconds_text(*e.first_down - *e.first_stressed) +
                               " before the first failure (" + e.first_down_target + ")");
    else if (e.first_down)
      event.evidence.push_back(degraded_text() + on + " as the first failures came (" + e.first_down_target + ")");
    else event.evidence.push_back(degraded_text() + on + ", without going down");
    routing_followed();
    return;
  }
  // A withdrawal is seen by the bgp check at its next probe, the silence it causes by the
  // hosts' next probes: within an interval or so of each other, whichever comes first. So the
  // prefixes left at or before the first failure if they were missed within two intervals of
  // it (the resolution of the probes), or last seen before it (give or take a lost probe that
  // dates the first failure an interval early, and the half interval between probes). A link whose BGP session outlives it by a
  // hold time shows the prefix for that long after the first failure: not a withdrawal.
  const Duration routing_lead = 2 * cadence;
  const bool routing_first = e.routing_down && (!first_host_down || *e.routing_down <= *first_host_down + routing_lead ||
                                                (e.routing_seen && *e.routing_seen < *first_host_down + cadence + cadence / 2));
  if (routing_first) {
    event.signature = Signature::routing_withdrawal;
    std::string when = "as the first failure came";
    if (first_host_down && *e.routing_down < *first_host_down)
      when = seconds_text(*first_host_down - *e.routing_down) + " before the first failure";
    else if (first_host_down && *e.routing_down > *first_host_down)
      when = seconds_text(*e.routing_down - *first_host_down) + " after the first failure";
    event.evidence.push_back("the watched prefixes left the routing table " + when +
                             ", with no stress before: the country was cut off in routing");
    return;
  }
  if (event.kind == State::stressed) {
    event.signature = Signature::stress_led;
    event.evidence.push_back("stressed without going down");
    return;
  }
  const int failed = e.unreachable + e.service_only;
  if (first_host_down && e.last_first_down && *e.last_first_down - *first_host_down <= spread) {
    event.signature = Signature::clean_cut;
    std::snprintf(text, sizeof text, "answers at the normal RTT, then %d %s within %s, with no degraded spell before", failed,
                  failed == 1 ? "target failed" : "targets failed", seconds_text(*e.last_first_down - *first_host_down).c_str());
    event.evidence.push_back(text);
    routing_followed();
    return;
  }
  event.signature = Signature::mixed;
  event.evidence.push_back(
      "targets failed over " +
      (first_host_down && e.last_first_down ? seconds_text(*e.last_first_down - *first_host_down) : std::string("?")) +
      " without stress before");
  routing_followed();
}

void Detector::update_waves(Timestamp at) {
  // The network's own trouble: the network (combined over the vantages) not up, or a layer
  // down. A layer merely stressed (two flooded sites of four) is not the country's trouble.
  bool trouble = false;
  for (auto it = entities_.lower_bound(EntityKey{Scope::layer, "", ""}); it != entities_.end(); ++it) {
    if (!it->first.vantage.empty()) continue;
    if ((it->first.scope == Scope::network && not_up(it->second.state)) ||
        (it->first.scope == Scope::layer && it->second.state == State::down))
      trouble = true;
  }
  const Duration gap = params_.wave_gap.at(network_cadence_);
  WaveBuilder& b = waves_;
  if (trouble && !b.in_trouble) {
    b.in_trouble = true;
    const bool continues = b.current && b.calm_since && at - *b.calm_since < gap;
    if (!continues) {
      if (b.current) b.ended.push_back(std::move(*b.current));
      // A new wave, from the earliest start of the layer and network events open now.
      Wave wave;
      wave.start = at;
      for (auto it = entities_.lower_bound(EntityKey{Scope::layer, "", ""}); it != entities_.end(); ++it)
        if (it->first.vantage.empty() && it->second.open_event)
          wave.start = std::min(wave.start, open_events_.at(*it->second.open_event).event.start);
      wave.id = "wave:" + std::to_string(wave.start.time_since_epoch().count());
      b.current = std::move(wave);
    }
    b.calm_since.reset();
  } else if (!trouble && b.in_trouble) {
    b.in_trouble = false;
    b.calm_since = at;
  }
  if (!b.current) return;
  b.changed = true;
  Wave& wave = *b.current;
  for (auto it = entities_.lower_bound(EntityKey{Scope::layer, "", ""}); it != entities_.end(); ++it) {
    if (!it->first.vantage.empty() || !it->second.open_event) continue;
    const Event& event = open_events_.at(*it->second.open_event).event;
    add_unique(wave.events, event.id);
    // The cascade is the order in which layers failed: stress alone is not a failure.
    if (event.scope == Scope::layer && event.layer && event.down_at) {
      const auto existing =
          std::find_if(wave.cascade.begin(), wave.cascade.end(), [&](const CascadeStep& s) { return s.layer == *event.layer; });
      if (existing == wave.cascade.end()) wave.cascade.push_back(CascadeStep{*event.layer, *event.down_at});
    }
  }
  wave.end = b.in_trouble ? std::nullopt : b.calm_since;
}

void Detector::close_calm_wave_before(Timestamp now) {
  WaveBuilder& b = waves_;
  if (b.current && !b.in_trouble && b.calm_since && now - *b.calm_since >= params_.wave_gap.at(network_cadence_)) {
    b.ended.push_back(std::move(*b.current));
    b.current.reset();
    b.changed = false;
  }
}

void Detector::finish() {}

std::vector<TargetStatus> Detector::target_statuses() const {
  std::vector<TargetStatus> out;
  for (const auto& [vantage, view] : vantages_) {
    for (const auto& [target, tracker] : view.targets) {
      TargetStatus status;
      status.vantage = vantage;
      status.target = target;
      status.layer = info_of(target).layer;
      status.state = tracker.state();
      status.stress = tracker.stress();
      out.push_back(std::move(status));
    }
  }
  return out;
}

std::vector<EntityStatus> Detector::aggregate_statuses() const {
  std::vector<EntityStatus> out;
  for (const auto& [key, entity] : entities_)
    if (key.scope != Scope::target) out.push_back(EntityStatus{key.scope, key.subject, key.vantage, entity.state});
  return out;
}

std::vector<StateChange> Detector::take_new_state_changes() {
  std::vector<StateChange> out = std::move(changes_);
  changes_.clear();
  return out;
}

}  // namespace blackout
