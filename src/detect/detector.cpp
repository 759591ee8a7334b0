// The detector.
#include "detect/detector.hpp"

#include <cmath>

#include <algorithm>
#include <cstdio>
#include <unordered_set>

namespace blackout {
namespace {

std::string event_id(Scope scope, const std::string& subject, Timestamp start) {
  return std::string(to_string(scope)) + ":" + subject + ":" + std::to_string(start.time_since_epoch().count());
}

bool not_up(State s) { return s == State::stressed || s == State::down; }

std::string seconds_text(Duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f s", to_seconds(d));
  return text;
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

}  // namespace

Detector::Detector(const std::vector<Target>& targets, DetectionParams params) : params_(params) { set_targets(targets); }

void Detector::set_targets(const std::vector<Target>& targets) {
  for (const Target& target : targets) info_[target.name] = TargetInfo{target.layer, target.weight, target.control};
  // Layers and weights may have changed: the shares are counted again.
  rebuild_shares();
}

std::vector<Event> Detector::take_changed_events() {
  std::vector<Event> out;
  for (const std::size_t index : dirty_events_) {
    out.push_back(events_[index]);
    if (!out.back().end) sign(out.back());
  }
  dirty_events_.clear();
  return out;
}

std::size_t Detector::quorum() const {
  if (params_.quorum > 0) return static_cast<std::size_t>(params_.quorum);
  return vantages_.size() / 2 + 1;
}

void Detector::add(const Result& result) {
  VantageView& view = vantages_[result.vantage];
  const auto [tracker_it, arriving] = view.targets.try_emplace(result.target);
  TargetTracker& tracker = tracker_it->second;
  if (arriving) account(view, result.target, State::unknown, State::unknown, true);
  const State before = tracker.state();
  const auto changed = tracker.add(result, params_);
  if (changed) account(view, result.target, before, *changed, false);
  const auto info_it = info_.find(result.target);
  const TargetInfo info = info_it == info_.end() ? TargetInfo{} : info_it->second;
  const StressReading& stress = tracker.stress();

  const EntityKey target_key{Scope::target, result.target, result.vantage};
  if (changed) {
    const Timestamp since = tracker.since();
    target_history_[result.vantage + "/" + result.target].emplace_back(since, *changed);
    set_state(target_key, *changed, since, tracker.reason(), info.layer, &stress, {result.target});
    update_vantage_aggregates(result.vantage, since);
    update_quorum(since, result.target);
  }
  // Peaks: of the target's own event, and of the layer and network events it is part of.
  for (const EntityKey& key : {target_key, EntityKey{Scope::layer, std::string(to_string(info.layer)), ""},
                               EntityKey{Scope::network, "network", ""}}) {
    const auto it = entities_.find(key);
    if (it == entities_.end() || !it->second.open_event || !not_up(tracker.state())) continue;
    if (key.scope == Scope::network && info.control) continue;
    Event& event = events_[*it->second.open_event];
    if (stress.stress > event.peak_stress || stress.inflation > event.peak_inflation || stress.loss > event.peak_loss)
      dirty_events_.insert(*it->second.open_event);
    event.peak_stress = std::max(event.peak_stress, stress.stress);
    event.peak_inflation = std::max(event.peak_inflation, stress.inflation);
    event.peak_loss = std::max(event.peak_loss, stress.loss);
  }
}

void Detector::set_state(const EntityKey& key, State next, Timestamp at, const std::string& reason, std::optional<Layer> layer,
                         const StressReading* stress, const std::vector<std::string>& involved) {
  EntityState& entity = entities_[key];
  if (entity.state == next) {
    if (entity.open_event) {
      const std::size_t before = events_[*entity.open_event].targets.size();
      add_all_unique(events_[*entity.open_event].targets, involved);
      if (events_[*entity.open_event].targets.size() != before) dirty_events_.insert(*entity.open_event);
    }
    return;
  }
  changes_.push_back(StateChange{at, key.vantage, key.scope, key.subject, entity.state, next, reason});
  entity.state = next;
  if (next == State::stressed && !entity.stressed_since) entity.stressed_since = at;
  // Per-vantage layer and network states are recorded as changes; events are made for
  // targets and for the quorum-combined layers and network.
  const bool makes_events = key.scope == Scope::target || key.vantage.empty();
  if (!makes_events) return;
  if (not_up(next)) {
    if (!entity.open_event) {
      Event event;
      event.id = event_id(key.scope, key.scope == Scope::target ? key.vantage + "/" + key.subject : key.subject, at);
      event.scope = key.scope;
      event.layer = layer;
      event.subject = key.subject;
      event.kind = next == State::down ? "down" : "stressed";
      event.start = at;
      if (key.scope == Scope::target) event.vantages.push_back(key.vantage);
      entity.open_event = events_.size();
      events_.push_back(std::move(event));
    }
    Event& event = events_[*entity.open_event];
    dirty_events_.insert(*entity.open_event);
    if (next == State::down && !event.down_at) {
      event.down_at = at;
      event.kind = "down";
    }
    if (stress) {
      event.peak_stress = std::max(event.peak_stress, stress->stress);
      event.peak_inflation = std::max(event.peak_inflation, stress->inflation);
      event.peak_loss = std::max(event.peak_loss, stress->loss);
    }
    add_all_unique(event.targets, involved);
  } else if (entity.open_event) {
    Event& event = events_[*entity.open_event];
    dirty_events_.insert(*entity.open_event);
    event.end = at;
    sign(event);
    entity.open_event.reset();
    entity.stressed_since.reset();
  }
}

void Detector::account(VantageView& view, const std::string& target, State from, State to, bool arriving) {
  const auto it = info_.find(target);
  const TargetInfo info = it == info_.end() ? TargetInfo{} : it->second;
  if (info.control) return;  // control targets tell about the vantage, not the network
  const auto units = static_cast<std::int64_t>(std::llround(info.weight * 1e6));
  for (Share* share : {&view.layer_shares[info.layer], &view.network_share}) {
    if (arriving) share->total += units;
    share->down += units * ((to == State::down) - (from == State::down));
    share->not_up += units * (static_cast<int>(not_up(to)) - static_cast<int>(not_up(from)));
    share->known += static_cast<std::size_t>(to != State::unknown) - static_cast<std::size_t>(from != State::unknown);
  }
}

void Detector::rebuild_shares() {
  for (auto& [vantage, view] : vantages_) {
    view.layer_shares.clear();
    view.network_share = Share{};
    for (const auto& [name, tracker] : view.targets) account(view, name, State::unknown, tracker.state(), true);
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
    std::snprintf(reason, sizeof reason, "%.0f%% of its targets down, %.0f%% not up", 100 * static_cast<double>(share.down) / total,
                  100 * static_cast<double>(share.not_up) / total);
    set_state(EntityKey{Scope::layer, std::string(to_string(layer)), vantage}, s, at, reason, layer, nullptr, {});
  }
  view.network = state_of(view.network_share, params_.network_down_share, params_.network_stressed_share);
  set_state(EntityKey{Scope::network, "network", vantage}, view.network, at, "network share", std::nullopt, nullptr, {});
}

std::vector<std::string> Detector::targets_not_up(std::optional<Layer> layer) const {
  std::vector<std::string> out;
  for (const auto& [vantage, view] : vantages_)
    for (const auto& [name, tracker] : view.targets) {
      const auto it = info_.find(name);
      const TargetInfo info = it == info_.end() ? TargetInfo{} : it->second;
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
  const auto changed_info = info_.find(changed);
  const bool changed_counts = changed_info != info_.end() && !changed_info->second.control;
  bool changed_not_up = false;
  for (const auto& [vantage, view] : vantages_)
    if (const auto t = view.targets.find(changed); t != view.targets.end() && not_up(t->second.state())) changed_not_up = true;
  const auto involved_for = [&](const EntityKey& key, State next, std::optional<Layer> layer) {
    const auto entity = entities_.find(key);
    if (entity == entities_.end() || entity->second.state != next) return targets_not_up(layer);
    if (changed_counts && changed_not_up && (!layer || changed_info->second.layer == *layer)) return std::vector<std::string>{changed};
    return std::vector<std::string>{};
  };
  for (const auto& [layer, votes] : layer_votes) {
    const EntityKey key{Scope::layer, std::string(to_string(layer)), ""};
    const State next = combined(layer_known[layer], votes.first, votes.second);
    set_state(key, next, at, reason, layer, nullptr, involved_for(key, next, layer));
    if (const auto& open = entities_[key].open_event) {
      const std::size_t before = events_[*open].vantages.size();
      for (const auto& [vantage, view] : vantages_)
        if (not_up(view.layers.count(layer) ? view.layers.at(layer) : State::unknown)) add_unique(events_[*open].vantages, vantage);
      if (events_[*open].vantages.size() != before) dirty_events_.insert(*open);
    }
  }
  const EntityKey network_key{Scope::network, "network", ""};
  const State network_next = combined(network_known, network_down, network_not_up);
  set_state(network_key, network_next, at, reason, std::nullopt, nullptr, involved_for(network_key, network_next, std::nullopt));
  if (const auto& open = entities_[network_key].open_event) {
    const std::size_t before = events_[*open].vantages.size();
    for (const std::string& vantage : seeing) add_unique(events_[*open].vantages, vantage);
    if (events_[*open].vantages.size() != before) dirty_events_.insert(*open);
  }
}

void Detector::sign(Event& event) const {
  event.evidence.clear();
  const Timestamp end = event.end.value_or(Timestamp::max());
  // First stressed and first down times of the targets involved, in the vantages that saw it.
  std::optional<Timestamp> first_stressed, first_down, last_first_down;
  std::optional<Timestamp> routing_first_down;  // the first bgp target of the event to go down
  bool control_down = false;
  std::string control_name;
  // The histories to read: a target's event needs only its own; a layer's or the
  // network's needs every target's (control targets too, for vantage-local). Membership goes
  // through a hash set: events of a country-wide outage name thousands of targets.
  std::vector<std::pair<std::string_view, const std::vector<std::pair<Timestamp, State>>*>> histories;
  if (event.scope == Scope::target) {
    for (const std::string& vantage : event.vantages)
      if (const auto it = target_history_.find(vantage + "/" + event.subject); it != target_history_.end()) histories.emplace_back(it->first, &it->second);
  } else {
    histories.reserve(target_history_.size());
    for (const auto& [key, history] : target_history_) histories.emplace_back(key, &history);
  }
  const std::unordered_set<std::string_view> involved_targets(event.targets.begin(), event.targets.end());
  const auto split = [](std::string_view key) { return std::pair{key.substr(0, key.find('/')), key.substr(key.find('/') + 1)}; };
  const auto seen_by = [&](std::string_view vantage) {
    return event.vantages.empty() || std::find(event.vantages.begin(), event.vantages.end(), vantage) != event.vantages.end();
  };
  for (const auto& [key, history] : histories) {
    const auto [vantage, target] = split(key);
    if (!seen_by(vantage)) continue;
    const auto info_it = info_.find(std::string(target));
    const bool control = info_it != info_.end() && info_it->second.control;
    const bool involved = involved_targets.contains(target);
    std::optional<Timestamp> target_first_down;
    for (const auto& [at, state] : *history) {
      // Stress counts from a little before the event: the build-up is what tells a flood.
      if (at > end || at + params_.stress_lead * 20 < event.start) continue;
      if (control && state == State::down && at >= event.start - params_.clean_cut_spread) {
        control_down = true;
        control_name = std::string(target);
      }
      if (!involved) continue;
      if (state == State::down && at >= event.start - params_.clean_cut_spread && !target_first_down) target_first_down = at;
    }
    if (target_first_down) {
      if (info_it != info_.end() && info_it->second.layer == Layer::bgp && (!routing_first_down || *target_first_down < *routing_first_down))
        routing_first_down = target_first_down;
      if (!first_down || *target_first_down < *first_down) first_down = target_first_down;
      if (!last_first_down || *target_first_down > *last_first_down) last_first_down = target_first_down;
    }
  }
  // The build-up: stress that was still going on when the first target failed. A burst of
  // stress that had passed before (a few lost probes a minute earlier) tells nothing about
  // how the failure came.
  for (const auto& [key, history] : histories) {
    const auto [vantage, target] = split(key);
    if (!seen_by(vantage) || !involved_targets.contains(target)) continue;
    const Timestamp judged_at = first_down.value_or(end);
    std::optional<Timestamp> stressed_since;
    for (const auto& [at, state] : *history) {
      if (at > judged_at) break;
      if (state == State::stressed && !stressed_since) stressed_since = at;
      if (state != State::stressed && at < judged_at) stressed_since.reset();
    }
    if (stressed_since && *stressed_since + params_.stress_lead * 20 >= event.start && (!first_stressed || *stressed_since < *first_stressed))
      first_stressed = stressed_since;
  }
  char text[200];
  if (event.scope != Scope::target && control_down) {
    event.signature = "vantage-local";
    event.evidence.push_back("control target " + control_name + " (outside the watched network) failed too: the vantage, not the network");
    return;
  }
  if (event.layer == Layer::bgp) {
    event.signature = "routing-withdrawal";
    event.evidence.push_back("the watched prefixes left the routing table");
    return;
  }
  // The prefixes leaving the routing table later than the first failures (the border's
  // session dying once its link is gone) is how the outage ended up, not how it began.
  const auto routing_followed = [&] {
    if (!routing_first_down || !first_down) return;
    event.evidence.push_back("the watched prefixes left the routing table " + seconds_text(*routing_first_down - *first_down) +
                             " after the first failure");
  };
  if (event.scope == Scope::target && event.kind == "stressed") {
    event.signature = "stress-only";
    std::snprintf(text, sizeof text, "stress peaked at %.2f (%.1fx RTT, %.0f%% loss) without failing", event.peak_stress,
                  event.peak_inflation, event.peak_loss * 100);
    event.evidence.push_back(text);
    return;
  }
  if (first_stressed && first_down && *first_down - *first_stressed >= params_.stress_lead) {
    event.signature = "stress-led";
    std::snprintf(text, sizeof text, "stress rose %s before the first failure, peaking at %.1fx RTT and %.0f%% loss",
                  seconds_text(*first_down - *first_stressed).c_str(), event.peak_inflation, event.peak_loss * 100);
    event.evidence.push_back(text);
    routing_followed();
    return;
  }
  if (event.scope != Scope::target && routing_first_down && first_down && *routing_first_down - *first_down <= params_.clean_cut_spread) {
    event.signature = "routing-withdrawal";
    event.evidence.push_back("the watched prefixes left the routing table " +
                             (*routing_first_down == *first_down ? std::string("as the first failure came") : seconds_text(*routing_first_down - *first_down) + " after the first failure") +
                             ", with no stress before: the country was cut off in routing");
    return;
  }
  if (event.scope == Scope::target) {
    event.signature = "single-service";
    event.evidence.push_back("this target failed without stress before it");
    return;
  }
  if (first_down && last_first_down && *last_first_down - *first_down <= params_.clean_cut_spread) {
    event.signature = "clean-cut";
    event.evidence.push_back("no stress before; " + std::to_string(event.targets.size()) + (event.targets.size() == 1 ? " target" : " targets") +
                             " failed within " + seconds_text(*last_first_down - *first_down));
    routing_followed();
    return;
  }
  if (event.kind == "stressed") {
    event.signature = "stress-led";
    std::snprintf(text, sizeof text, "stressed (%.1fx RTT, %.0f%% loss) without going down", event.peak_inflation, event.peak_loss * 100);
    event.evidence.push_back(text);
    return;
  }
  event.signature = "mixed";
  event.evidence.push_back("targets failed over " + (first_down && last_first_down ? seconds_text(*last_first_down - *first_down) : std::string("?")) +
                           " without stress before");
  routing_followed();
}

void Detector::finish() {}

std::vector<Event> Detector::events() const {
  std::vector<Event> out = events_;
  for (Event& event : out)
    if (!event.end) sign(event);
  std::stable_sort(out.begin(), out.end(), [](const Event& a, const Event& b) { return a.start < b.start; });
  return out;
}

std::vector<Wave> Detector::waves() const {
  std::vector<Event> wide;
  for (const Event& e : events())
    if (e.scope != Scope::target && e.signature != "vantage-local") wide.push_back(e);
  std::vector<Wave> waves;
  std::optional<Timestamp> wave_end;  // nullopt with an open event: the wave goes on
  bool open = false;
  for (const Event& e : wide) {
    const bool joins = !waves.empty() && (open || (wave_end && e.start <= *wave_end + params_.wave_gap));
    if (!joins) {
      Wave wave;
      wave.id = "wave:" + std::to_string(e.start.time_since_epoch().count());
      wave.start = e.start;
      waves.push_back(std::move(wave));
      open = false;
      wave_end.reset();
    }
    Wave& wave = waves.back();
    wave.events.push_back(e.id);
    if (!e.end) open = true;
    else wave_end = wave_end ? std::max(*wave_end, *e.end) : *e.end;
    wave.end = open ? std::nullopt : wave_end;
    // The cascade is the order in which layers failed: stress alone is not a failure.
    if (e.scope == Scope::layer && e.layer && e.down_at) {
      const Timestamp at = *e.down_at;
      const auto existing = std::find_if(wave.cascade.begin(), wave.cascade.end(), [&](const CascadeStep& s) { return s.layer == *e.layer; });
      if (existing == wave.cascade.end()) wave.cascade.push_back(CascadeStep{*e.layer, at});
      else existing->at = std::min(existing->at, at);
    }
  }
  for (Wave& wave : waves)
    std::stable_sort(wave.cascade.begin(), wave.cascade.end(), [](const CascadeStep& a, const CascadeStep& b) { return a.at < b.at; });
  return waves;
}

std::vector<TargetStatus> Detector::target_statuses() const {
  std::vector<TargetStatus> out;
  for (const auto& [vantage, view] : vantages_) {
    for (const auto& [target, tracker] : view.targets) {
      TargetStatus status;
      status.vantage = vantage;
      status.target = target;
      if (const auto info = info_.find(target); info != info_.end()) status.layer = info->second.layer;
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
  std::vector<StateChange> out(changes_.begin() + static_cast<std::ptrdiff_t>(changes_taken_), changes_.end());
  changes_taken_ = changes_.size();
  return out;
}

}  // namespace blackout
