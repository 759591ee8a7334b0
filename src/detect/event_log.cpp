// The record of what detection told.
#include "detect/event_log.hpp"

#include <algorithm>
#include <set>

namespace blackout {

EventLog::Told EventLog::take_from(Detector& detector) {
  std::vector<Event> events = detector.take_changed_events();
  std::vector<Wave> waves = detector.take_changed_waves();
  return absorb(std::move(events), std::move(waves));
}

EventLog::Told EventLog::absorb(std::vector<Event> events, std::vector<Wave> waves) {
  Told out;
  std::set<std::string> waves_touched;
  for (Event& event : events) {
    const auto [it, fresh] = events_.try_emplace(event.id);
    if (fresh) it->second.order = next_order_++;
    const bool was_closed = !fresh && it->second.event.end.has_value();
    if (event.end && !was_closed) closed_order_.push_back(event.id);
    if (const auto in = waves_of_event_.find(event.id); in != waves_of_event_.end())
      for (const std::string& wave_id : in->second) {
        KeptWave& kept = waves_.at(wave_id);
        kept.members[event.id] = Member{event.start, event.scope, event.layer, event.signature};
        waves_touched.insert(wave_id);
      }
    it->second.event = std::move(event);
    out.events.push_back(it->second.event);
  }
  for (Wave& wave : waves) {
    const auto [it, fresh] = waves_.try_emplace(wave.id);
    KeptWave& kept = it->second;
    if (fresh) {
      kept.order = next_order_++;
      wave_order_.push_back(wave.id);
    }
    for (const std::string& member : wave.events) {
      if (kept.members.contains(member)) continue;
      std::vector<std::string>& of = waves_of_event_[member];
      if (std::find(of.begin(), of.end(), wave.id) == of.end()) of.push_back(wave.id);
      if (const auto e = events_.find(member); e != events_.end())
        kept.members[member] =
            Member{e->second.event.start, e->second.event.scope, e->second.event.layer, e->second.event.signature};
    }
    kept.wave = std::move(wave);
    waves_touched.insert(kept.wave.id);
  }
  for (const std::string& id : waves_touched) {
    const KeptWave& kept = waves_.at(id);
    if (!all_local(kept)) out.waves.push_back(told(kept));
  }
  forget_oldest();
  return out;
}

void EventLog::forget_oldest() {
  while (limits_.closed_events > 0 && closed_order_.size() > limits_.closed_events) {
    const std::string id = std::move(closed_order_.front());
    closed_order_.pop_front();
    events_.erase(id);
    waves_of_event_.erase(id);
  }
  while (limits_.waves > 0 && wave_order_.size() > limits_.waves) {
    const std::string id = std::move(wave_order_.front());
    wave_order_.pop_front();
    const auto it = waves_.find(id);
    if (it == waves_.end()) continue;
    for (const auto& [member, summary] : it->second.members) {
      const auto of = waves_of_event_.find(member);
      if (of == waves_of_event_.end()) continue;
      std::erase(of->second, id);
      if (of->second.empty()) waves_of_event_.erase(of);
    }
    waves_.erase(it);
  }
}

bool EventLog::all_local(const KeptWave& kept) {
  bool any = false;
  for (const std::string& id : kept.wave.events) {
    const auto m = kept.members.find(id);
    if (m == kept.members.end()) continue;
    any = true;
    if (m->second.signature != Signature::vantage_local) return false;
  }
  return any;
}

Wave EventLog::told(const KeptWave& kept) {
  Wave wave = kept.wave;
  // What it looked like: the network events' signatures in order (the layers' without one).
  std::vector<const Member*> members;
  for (const std::string& id : wave.events)
    if (const auto m = kept.members.find(id); m != kept.members.end()) members.push_back(&m->second);
  std::stable_sort(members.begin(), members.end(), [](const Member* a, const Member* b) { return a->start < b->start; });
  const bool has_network =
      std::any_of(members.begin(), members.end(), [](const Member* m) { return m->scope == Scope::network; });
  wave.signatures.clear();
  for (const Member* m : members)
    if ((m->scope == Scope::network || !has_network) && m->layer != Layer::bgp &&
        (wave.signatures.empty() || wave.signatures.back() != m->signature))
      wave.signatures.push_back(m->signature);
  std::stable_sort(wave.cascade.begin(), wave.cascade.end(),
                   [](const CascadeStep& a, const CascadeStep& b) { return a.at < b.at; });
  return wave;
}

std::vector<Event> EventLog::events() const {
  std::vector<const KeptEvent*> kept;
  kept.reserve(events_.size());
  for (const auto& [id, e] : events_) kept.push_back(&e);
  std::sort(kept.begin(), kept.end(), [](const KeptEvent* a, const KeptEvent* b) {
    return a->event.start != b->event.start ? a->event.start < b->event.start : a->order < b->order;
  });
  std::vector<Event> out;
  out.reserve(kept.size());
  for (const KeptEvent* e : kept) out.push_back(e->event);
  return out;
}

std::vector<Wave> EventLog::waves() const {
  std::vector<const KeptWave*> kept;
  for (const auto& [id, w] : waves_)
    if (!all_local(w)) kept.push_back(&w);
  std::sort(kept.begin(), kept.end(), [](const KeptWave* a, const KeptWave* b) { return a->order < b->order; });
  std::vector<Wave> out;
  out.reserve(kept.size());
  for (const KeptWave* w : kept) out.push_back(told(*w));
  return out;
}

}  // namespace blackout
