// Loading scenarios.
#include "lab/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "lab/lab.hpp"
#include "lab/scenarios.hpp"
#include "lab/topology.hpp"

namespace blackout::lab {
namespace {

// Scenario errors are start-up errors: thrown inside the parser, returned by load_scenario.
struct ScenarioError {
  std::string message;
};

[[noreturn]] void fail(const std::string& origin, const YAML::Node& node, const std::string& message) {
  const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  throw ScenarioError{origin + ":" + std::to_string(line) + ": " + message};
}

void only_keys(const std::string& origin, const YAML::Node& map, const std::set<std::string>& allowed, const std::string& what) {
  if (!map.IsMap()) fail(origin, map, what + " must be a mapping");
  for (const auto& entry : map) {
    const auto key = entry.first.as<std::string>();
    if (!allowed.contains(key)) {
      std::string known;
      for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
      fail(origin, entry.first, "unknown key `" + key + "` in " + what + " (known: " + known + ")");
    }
  }
}

std::string scalar(const std::string& origin, const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) fail(origin, node, field + " must be a single value");
  return node.as<std::string>();
}

Duration duration(const std::string& origin, const YAML::Node& node, const std::string& field) {
  const auto parsed = parse_duration(scalar(origin, node, field));
  if (!parsed) fail(origin, node, field + ": " + parsed.error().message);
  return *parsed;
}

double number(const std::string& origin, const YAML::Node& node, const std::string& field) {
  const std::string text = scalar(origin, node, field);
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  fail(origin, node, field + ": not a number: " + text);
}

std::string site_name(const std::string& origin, const YAML::Node& node, const std::string& field, bool allow_link) {
  const std::string name = scalar(origin, node, field);
  if (allow_link && name == "link") return name;
  if (!find_site(name)) {
    std::string known;
    for (const LabSite& site : lab_sites()) known += (known.empty() ? "" : ", ") + site.name;
    fail(origin, node, field + ": no site `" + name + "` in the lab (sites: " + known + (allow_link ? ", or link" : "") + ")");
  }
  return name;
}

ScenarioAction parse_action(const std::string& origin, const YAML::Node& node) {
  std::set<std::string> allowed{"at"};
  std::string kinds;
  for (const ActionKindInfo& info : action_kind_table()) {
    allowed.insert(std::string(info.name));
    kinds += (kinds.empty() ? "" : ", ") + std::string(info.name);
  }
  only_keys(origin, node, allowed, "an action");
  if (!node["at"]) fail(origin, node, "an action needs `at` (story time, like 35m)");
  ScenarioAction action;
  action.line = node.Mark().line + 1;
  action.at = duration(origin, node["at"], "at");
  int kinds_seen = 0;
  for (const auto& entry : node) {
    const auto key = entry.first.as<std::string>();
    if (key == "at") continue;
    ++kinds_seen;
    action.kind = *action_kind_from_string(key);  // only_keys let only action names through
    const YAML::Node& value = entry.second;
    if (action.kind == ActionKind::flood) {
      only_keys(origin, value, {"target", "rate", "for"}, "flood");
      if (!value["target"] || !value["rate"] || !value["for"]) fail(origin, value, "flood needs target, rate and for");
      action.target = site_name(origin, value["target"], "flood.target", true);
      const auto rate = parse_bit_rate(scalar(origin, value["rate"], "flood.rate"));
      if (!rate) fail(origin, value["rate"], "flood.rate: " + rate.error().message);
      action.rate = *rate;
      action.length = duration(origin, value["for"], "flood.for");
    } else if (action.kind == ActionKind::flood_stop || action.kind == ActionKind::stop || action.kind == ActionKind::start ||
               action.kind == ActionKind::unblock) {
      action.target = site_name(origin, value, key, action.kind == ActionKind::flood_stop);
    } else if (action.kind == ActionKind::block) {
      if (value.IsScalar()) {
        action.target = site_name(origin, value, "block", false);
      } else {
        only_keys(origin, value, {"target", "mode"}, "block");
        action.target = site_name(origin, value["target"], "block.target", false);
        const std::string mode = value["mode"] ? scalar(origin, value["mode"], "block.mode") : "drop";
        if (mode != "drop" && mode != "reject") fail(origin, value["mode"], "block.mode: drop or reject");
        action.reject = mode == "reject";
      }
    } else if (action.kind == ActionKind::link_down || action.kind == ActionKind::link_up) {
      action.target = scalar(origin, value, key);
      if (action.target != "border" && action.target != "vantage") fail(origin, value, key + ": border or vantage");
    } else if (action.kind == ActionKind::withdraw || action.kind == ActionKind::announce) {
      action.target = "country";
    } else if (action.kind == ActionKind::queue) {
      only_keys(origin, value, {"target", "delay"}, "queue");
      if (!value["target"] || !value["delay"]) fail(origin, value, "queue needs target and delay");
      action.target = site_name(origin, value["target"], "queue.target", true);
      action.delay = duration(origin, value["delay"], "queue.delay");
      if (action.delay < std::chrono::milliseconds(5) || action.delay > std::chrono::seconds(2))
        fail(origin, value["delay"], "queue.delay: from 5ms to 2s");
    } else if (action.kind == ActionKind::cut_forwarding || action.kind == ActionKind::restore_forwarding) {
      action.target = scalar(origin, value, key);
      if (action.target != "border") fail(origin, value, key + ": border (the router that stops forwarding but still answers)");
    } else if (action.kind == ActionKind::loss) {
      action.percent = number(origin, value, "loss");
      if (action.percent < 0 || action.percent > 100) fail(origin, value, "loss: a percentage from 0 to 100");
    }
  }
  if (kinds_seen != 1) fail(origin, node, "an action has `at` and exactly one of: " + kinds);
  return action;
}

Scope parse_scope(const std::string& origin, const YAML::Node& node);

ExpectedEvent parse_expected(const std::string& origin, const YAML::Node& node) {
  only_keys(origin, node, {"scope", "subject", "kind", "from", "to", "signature", "cascade"}, "an expected event");
  for (const char* key : {"scope", "subject", "kind", "from", "to"})
    if (!node[key]) fail(origin, node, std::string("an expected event needs `") + key + "`");
  ExpectedEvent e;
  e.scope = parse_scope(origin, node["scope"]);
  e.subject = scalar(origin, node["subject"], "subject");
  if (e.scope == Scope::target) (void)site_name(origin, node["subject"], "subject", false);
  if (e.scope == Scope::layer && !layer_from_string(e.subject))
    fail(origin, node["subject"], "subject: a layer (web, mail, dns, router, host, bgp)");
  if (e.scope == Scope::network && e.subject != "network") fail(origin, node["subject"], "subject: network");
  const auto kind = state_from_string(scalar(origin, node["kind"], "kind"));
  if (kind != State::down && kind != State::stressed) fail(origin, node["kind"], "kind: down or stressed");
  e.kind = *kind;
  e.from = duration(origin, node["from"], "from");
  e.to = duration(origin, node["to"], "to");
  if (e.to <= e.from) fail(origin, node["to"], "to must come after from");
  if (node["signature"]) {
    e.signature = signature_from_string(scalar(origin, node["signature"], "signature"));
    if (!e.signature || *e.signature == Signature::none) {
      std::string names;
      for (const SignatureInfo& info : signature_table())
        if (info.signature != Signature::none) names += (names.empty() ? "" : ", ") + std::string(info.name);
      fail(origin, node["signature"], "signature: one of " + names);
    }
  }
  if (node["cascade"]) {
    if (!node["cascade"].IsSequence()) fail(origin, node["cascade"], "cascade: a list of layers");
    for (const auto& layer : node["cascade"]) {
      const std::string name = scalar(origin, layer, "cascade");
      if (!layer_from_string(name)) fail(origin, layer, "cascade: not a layer: " + name);
      e.cascade.push_back(name);
    }
  }
  return e;
}

Scope parse_scope(const std::string& origin, const YAML::Node& node) {
  if (const auto scope = scope_from_string(scalar(origin, node, "scope"))) return *scope;
  fail(origin, node, "scope: target, layer or network");
}

ScenarioFault parse_fault(const std::string& origin, const YAML::Node& node) {
  only_keys(origin, node, {"kind", "scope", "subject", "expect", "from", "to", "intensity", "delay"}, "a fault");
  for (const char* key : {"kind", "scope", "subject", "expect", "from", "to"})
    if (!node[key]) fail(origin, node, std::string("a fault needs `") + key + "`");
  ScenarioFault f;
  f.kind = scalar(origin, node["kind"], "kind");
  f.scope = parse_scope(origin, node["scope"]);
  f.subject = scalar(origin, node["subject"], "subject");
  f.expect = scalar(origin, node["expect"], "expect");
  if (f.expect != "stressed" && f.expect != "down" && f.expect != "none")
    fail(origin, node["expect"], "expect: stressed, down or none");
  f.from = duration(origin, node["from"], "from");
  f.to = duration(origin, node["to"], "to");
  if (node["intensity"]) f.intensity = number(origin, node["intensity"], "intensity");
  if (node["delay"]) f.delay = duration(origin, node["delay"], "delay");
  return f;
}

}  // namespace

const std::array<ActionKindInfo, action_kind_count>& action_kind_table() {
  static const std::array<ActionKindInfo, action_kind_count> table{{
      {ActionKind::flood, "flood", "a bounded flood through a site or the border link: { target, rate, for }"},
      {ActionKind::flood_stop, "flood_stop", "end a flood early"},
      {ActionKind::stop, "stop", "stop a site's service (its host still answers)"},
      {ActionKind::start, "start", "start a site's service again"},
      {ActionKind::block, "block", "drop (or reject) all traffic to a site: a site, or { target, mode: drop | reject }"},
      {ActionKind::unblock, "unblock", "let traffic to a site through again"},
      {ActionKind::link_down, "link_down", "take a link down: border or vantage"},
      {ActionKind::link_up, "link_up", "bring a link up again"},
      {ActionKind::withdraw, "withdraw", "withdraw the country's prefix from BGP"},
      {ActionKind::announce, "announce", "announce the country's prefix again"},
      {ActionKind::loss, "loss", "background loss on the border, in percent"},
      {ActionKind::queue, "queue", "a standing queue at a site or the link: { target, delay }"},
      {ActionKind::cut_forwarding, "cut_forwarding", "the border stops forwarding but still answers itself"},
      {ActionKind::restore_forwarding, "restore_forwarding", "the border forwards again"},
  }};
  return table;
}

std::string_view to_string(ActionKind kind) { return action_kind_table()[static_cast<std::size_t>(kind)].name; }

std::optional<ActionKind> action_kind_from_string(std::string_view name) {
  for (const ActionKindInfo& info : action_kind_table())
    if (info.name == name) return info.kind;
  return std::nullopt;
}

std::string ScenarioAction::describe() const {
  switch (kind) {
    case ActionKind::flood:
      return "flood " + target + " at " + std::to_string(rate / 1'000'000) + " Mbit/s for " + format_duration(length);
    case ActionKind::loss: {
      std::ostringstream text;
      text << "background loss " << percent << "%";
      return text.str();
    }
    case ActionKind::block: return std::string(reject ? "reject" : "drop") + " traffic to " + target;
    case ActionKind::withdraw: return "withdraw the country's prefix";
    case ActionKind::announce: return "announce the country's prefix";
    case ActionKind::link_down: return "link " + target + " down";
    case ActionKind::link_up: return "link " + target + " up";
    case ActionKind::queue: return "queue at " + target + " holds " + format_duration(delay);
    case ActionKind::cut_forwarding: return target + " stops forwarding (it still answers)";
    case ActionKind::restore_forwarding: return target + " forwards again";
    case ActionKind::flood_stop:
    case ActionKind::stop:
    case ActionKind::start:
    case ActionKind::unblock: break;
  }
  return std::string(to_string(kind)) + " " + target;
}

Expected<Scenario> parse_scenario(const std::string& text, const std::string& origin) {
  try {
    const YAML::Node root = YAML::Load(text);
    only_keys(origin, root,
              {"name", "description", "speed", "duration", "interval", "seed", "actions", "expect", "faults", "waves",
               "max_target_events"},
              "a scenario");
    Scenario s;
    if (!root["name"]) fail(origin, root, "a scenario needs a `name`");
    s.name = scalar(origin, root["name"], "name");
    if (root["description"]) s.description = scalar(origin, root["description"], "description");
    if (root["speed"]) {
      s.speed = number(origin, root["speed"], "speed");
      if (s.speed < 1 || s.speed > 3600) fail(origin, root["speed"], "speed: from 1 to 3600 story seconds per lab second");
    }
    if (root["interval"]) {
      s.interval = duration(origin, root["interval"], "interval");
      if (s.interval < std::chrono::milliseconds(500) || s.interval > std::chrono::seconds(60))
        fail(origin, root["interval"], "interval: from 500ms to 60s");
    }
    if (root["seed"]) {
      const std::string digits = scalar(origin, root["seed"], "seed");
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 19)
        fail(origin, root["seed"], "seed: a whole number");
      s.seed = std::stoull(digits);
    }
    if (!root["duration"]) fail(origin, root, "a scenario needs a `duration` (story time)");
    s.duration = duration(origin, root["duration"], "duration");
    if (root["actions"]) {
      if (!root["actions"].IsSequence()) fail(origin, root["actions"], "actions: a list");
      for (const auto& node : root["actions"]) s.actions.push_back(parse_action(origin, node));
    }
    for (const ScenarioAction& action : s.actions)
      if (action.at > s.duration)
        throw ScenarioError{origin + ":" + std::to_string(action.line) + ": action at " + format_duration(action.at) +
                            " is after the end (" + format_duration(s.duration) + ")"};
    std::stable_sort(s.actions.begin(), s.actions.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    if (root["expect"]) {
      if (!root["expect"].IsSequence()) fail(origin, root["expect"], "expect: a list");
      for (const auto& node : root["expect"]) s.expect.push_back(parse_expected(origin, node));
    }
    if (root["faults"]) {
      if (!root["faults"].IsSequence()) fail(origin, root["faults"], "faults: a list");
      for (const auto& node : root["faults"]) s.faults.push_back(parse_fault(origin, node));
    }
    if (root["waves"]) s.waves = static_cast<int>(number(origin, root["waves"], "waves"));
    if (root["max_target_events"])
      s.max_target_events = static_cast<int>(number(origin, root["max_target_events"], "max_target_events"));
    return s;
  } catch (const ScenarioError& e) {
    return make_error(e.message);
  } catch (const YAML::Exception& e) {
    return make_error(origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

std::string scenario_to_yaml(const Scenario& s) {
  std::ostringstream out;
  const auto d = [](Duration duration) { return format_duration(duration); };
  out << "name: " << s.name << "\n";
  if (!s.description.empty()) out << "description: \"" << s.description << "\"\n";
  if (s.seed) out << "seed: " << *s.seed << "\n";
  out << "speed: " << s.speed << "\nduration: " << d(s.duration) << "\ninterval: " << d(s.interval) << "\n";
  out << "actions:\n";
  for (const ScenarioAction& a : s.actions) {
    out << "  - { at: " << d(a.at) << ", ";
    if (a.kind == ActionKind::flood)
      out << "flood: { target: " << a.target << ", rate: " << a.rate << ", for: " << d(a.length) << " }";
    else if (a.kind == ActionKind::queue) out << "queue: { target: " << a.target << ", delay: " << d(a.delay) << " }";
    else if (a.kind == ActionKind::block)
      out << "block: { target: " << a.target << ", mode: " << (a.reject ? "reject" : "drop") << " }";
    else if (a.kind == ActionKind::withdraw || a.kind == ActionKind::announce) out << to_string(a.kind) << ": true";
    else if (a.kind == ActionKind::loss) out << "loss: " << a.percent;
    else out << to_string(a.kind) << ": " << a.target;
    out << " }\n";
  }
  if (s.waves) out << "waves: " << *s.waves << "\n";
  if (s.max_target_events >= 0) out << "max_target_events: " << s.max_target_events << "\n";
  if (!s.faults.empty()) {
    out << "faults:\n";
    for (const ScenarioFault& f : s.faults) {
      out << "  - { kind: " << f.kind << ", scope: " << to_string(f.scope) << ", subject: " << f.subject
          << ", expect: " << f.expect << ", from: " << d(f.from) << ", to: " << d(f.to);
      if (f.intensity > 0) out << ", intensity: " << f.intensity;
      if (f.delay > Duration::zero()) out << ", delay: " << d(f.delay);
      out << " }\n";
    }
  }
  out << "expect:" << (s.expect.empty() ? " []" : "") << "\n";
  for (const ExpectedEvent& e : s.expect) {
    out << "  - { scope: " << to_string(e.scope) << ", subject: " << e.subject << ", kind: " << to_string(e.kind)
        << ", from: " << d(e.from) << ", to: " << d(e.to);
    if (e.signature) out << ", signature: " << to_string(*e.signature);
    if (!e.cascade.empty()) {
      out << ", cascade: [";
      for (std::size_t i = 0; i < e.cascade.size(); ++i) out << (i ? ", " : "") << e.cascade[i];
      out << "]";
    }
    out << " }\n";
  }
  return out.str();
}

std::vector<std::string> builtin_scenarios() {
  std::vector<std::string> names;
  for (const auto& [name, text] : builtin_scenario_texts()) names.emplace_back(name);
  return names;
}

Expected<Scenario> load_scenario(const std::string& name_or_path) {
  for (const auto& [name, text] : builtin_scenario_texts())
    if (name == name_or_path) return parse_scenario(std::string(text), "scenario " + std::string(name));
  std::ifstream in(name_or_path);
  if (!in) {
    std::string known;
    for (const auto& name : builtin_scenarios()) known += (known.empty() ? "" : ", ") + name;
    return make_error("no scenario " + name_or_path + ": not a built-in one (" + known + ") and not a readable file");
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), name_or_path);
}

}  // namespace blackout::lab
