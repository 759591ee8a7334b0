// Deciding which alerts to send.
#include "alert/notifier.hpp"

#include <algorithm>

namespace blackout {
namespace {

template <typename T>
bool contains(const std::vector<T>& list, const T& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string subject_key(const StateChange& c) { return c.vantage.empty() ? c.subject : c.subject + " (" + c.vantage + ")"; }

std::string clock_time(Timestamp t) {
  const std::string full = format_rfc3339(t, 0);  // 2026-11-27T03:10:00Z
  return full.substr(11);
}

}  // namespace

std::string_view to_string(Notification::Kind kind) {
  switch (kind) {
    case Notification::Kind::opened: return "opened";
    case Notification::Kind::update: return "update";
    case Notification::Kind::resolved: return "resolved";
  }
  return "?";
}

std::string describe_change(const StateChange& c) {
  std::string out = c.scope == Scope::network ? "network" : std::string(to_string(c.scope)) + " " + c.subject;
  if (!c.vantage.empty()) out += " (from " + c.vantage + ")";
  return out + " " + std::string(to_string(c.to));
}

Notifier::Notifier(const AlertsConfig& alerts, const std::vector<Target>& targets) : alerts_(alerts) {
  for (const Target& t : targets) groups_of_[t.name] = t.groups;
}

bool Notifier::selects(const AlertRule& rule, const StateChange& c) const {
  if (c.scope != rule.scope) return false;
  // Layers and the network: the state combined over the vantages, not each vantage's view.
  if (c.scope != Scope::target && !c.vantage.empty()) return false;
  if (!rule.subjects.empty() && !contains(rule.subjects, c.subject)) return false;
  if (!rule.groups.empty()) {
    const auto groups = groups_of_.find(c.subject);
    if (groups == groups_of_.end()) return false;
    if (std::none_of(groups->second.begin(), groups->second.end(),
                     [&](const std::string& g) { return contains(rule.groups, g); }))
      return false;
  }
  return true;
}

Notification Notifier::message(const AlertRule& rule, Incident& incident, Notification::Kind kind, Timestamp at,
                               std::vector<StateChange> changes) const {
  Notification n;
  n.incident = incident.id;
  n.sequence = kind == Notification::Kind::opened ? 0 : incident.next_sequence++;
  n.kind = kind;
  n.rule = rule.name;
  n.channels = rule.channels;
  n.time = at;
  n.changes = std::move(changes);
  for (const auto& [subject, state] : incident.not_up) n.not_up.push_back(subject + " " + std::string(to_string(state)));
  std::string what;
  for (const StateChange& c : n.changes) {
    if (!what.empty()) what += ", ";
    what += describe_change(c);
  }
  switch (kind) {
    case Notification::Kind::opened: n.title = "blackout: " + what; break;
    case Notification::Kind::update: n.title = "blackout update: " + what; break;
    case Notification::Kind::resolved: n.title = "blackout resolved: " + what; break;
  }
  n.text = "rule " + rule.name + ", incident " + incident.id + "\n";
  for (const StateChange& c : n.changes)
    n.text += clock_time(c.time) + "  " + describe_change(c) + " (was " + std::string(to_string(c.from)) + ")" +
              (c.reason.empty() ? "" : ": " + c.reason) + "\n";
  if (kind != Notification::Kind::resolved) {
    n.text += n.not_up.empty() ? "everything watched by this rule is up\n" : "not up now: ";
    for (std::size_t i = 0; i < n.not_up.size(); ++i)
      n.text += (i ? ", " : "") + n.not_up[i] + (i + 1 == n.not_up.size() ? "\n" : "");
  }
  return n;
}

std::vector<Notification> Notifier::add(const StateChange& change) {
  std::vector<Notification> out;
  due(change.time, false, out);
  const ChangeKind kind = change_kind(change);
  for (const AlertRule& rule : alerts_.rules) {
    if (!selects(rule, change)) continue;
    const auto open = open_.find(rule.name);
    if (open == open_.end()) {
      // Only a change the rule asks for opens an incident; recoveries of nothing are silence.
      if (kind == ChangeKind::none || kind == ChangeKind::recovered || !contains(rule.kinds, kind)) continue;
      Incident incident;
      incident.id = rule.name + ":" + std::to_string(change.time.time_since_epoch().count());
      incident.not_up[subject_key(change)] = change.to;
      auto& placed = open_[rule.name] = std::move(incident);
      out.push_back(message(rule, placed, Notification::Kind::opened, change.time, {change}));
      continue;
    }
    Incident& incident = open->second;
    if (change.to == State::up) incident.not_up.erase(subject_key(change));
    else incident.not_up[subject_key(change)] = change.to;
    if (incident.not_up.empty()) {
      // Everything up: resolved once it has held for the window. The recoveries wait with it.
      if (!incident.all_up_since) incident.all_up_since = change.time;
      incident.resolution.push_back(change);
      continue;
    }
    if (incident.all_up_since) {
      // Back down before the recovery held: the same incident goes on; what recovered and
      // fell again is part of the next update.
      incident.all_up_since.reset();
      for (StateChange& c : incident.resolution) incident.pending.push_back(std::move(c));
      incident.resolution.clear();
    }
    // Updates carry what the rule asks for, and every recovery inside the incident (a
    // subject back up is news to whoever got the opening message).
    if (kind == ChangeKind::recovered || (kind != ChangeKind::none && contains(rule.kinds, kind))) {
      if (!incident.pending_since) incident.pending_since = change.time;
      incident.pending.push_back(change);
    }
  }
  return out;
}

void Notifier::due(Timestamp now, bool everything, std::vector<Notification>& out) {
  for (const AlertRule& rule : alerts_.rules) {
    const auto open = open_.find(rule.name);
    if (open == open_.end()) continue;
    Incident& incident = open->second;
    if (!incident.pending.empty() && incident.pending_since &&
        (everything || now >= *incident.pending_since + alerts_.group_window)) {
      out.push_back(message(rule, incident, Notification::Kind::update, now, std::move(incident.pending)));
      incident.pending.clear();
      incident.pending_since.reset();
    }
    if (incident.all_up_since && (everything || now >= *incident.all_up_since + alerts_.group_window)) {
      if (contains(rule.kinds, ChangeKind::recovered))
        out.push_back(message(rule, incident, Notification::Kind::resolved, now, std::move(incident.resolution)));
      open_.erase(open);
    }
  }
}

std::vector<Notification> Notifier::tick(Timestamp now) {
  std::vector<Notification> out;
  due(now, false, out);
  return out;
}

std::vector<Notification> Notifier::flush(Timestamp now) {
  std::vector<Notification> out;
  due(now, true, out);
  return out;
}

}  // namespace blackout
