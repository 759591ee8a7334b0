// JSON documents of the API.
#include "serve/api.hpp"

#include <map>
#include <nlohmann/json.hpp>

namespace blackout {

std::string state_to_json(Timestamp now, const std::vector<TargetStatus>& targets, const std::vector<EntityStatus>& aggregates) {
  nlohmann::ordered_json j;
  j["time"] = format_rfc3339(now);
  j["network"] = nlohmann::ordered_json::array();
  j["layers"] = nlohmann::ordered_json::array();
  for (const EntityStatus& e : aggregates) {
    nlohmann::ordered_json o;
    if (e.scope == Scope::layer) o["layer"] = e.subject;
    o["vantage"] = e.vantage.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.vantage);
    o["state"] = std::string(to_string(e.state));
    (e.scope == Scope::network ? j["network"] : j["layers"]).push_back(std::move(o));
  }
  j["targets"] = nlohmann::ordered_json::array();
  for (const TargetStatus& t : targets) {
    nlohmann::ordered_json o;
    o["vantage"] = t.vantage;
    o["target"] = t.target;
    o["layer"] = std::string(to_string(t.layer));
    o["state"] = std::string(to_string(t.state));
    o["stress"] = t.stress.stress;
    o["rtt_inflation"] = t.stress.inflation;
    o["loss"] = t.stress.loss;
    j["targets"].push_back(std::move(o));
  }
  return j.dump(2) + "\n";
}

namespace {

nlohmann::ordered_json optional_number(std::optional<double> v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string targets_to_json(Timestamp now, const std::vector<Target>& targets, const std::vector<TargetStatus>& statuses) {
  // One pass over the statuses, by name: the inventory must stay cheap with 10,000 targets.
  std::map<std::string, std::vector<const TargetStatus*>> by_name;
  for (const TargetStatus& s : statuses) by_name[s.target].push_back(&s);
  nlohmann::ordered_json j;
  j["time"] = format_rfc3339(now);
  j["targets"] = nlohmann::ordered_json::array();
  for (const Target& t : targets) {
    nlohmann::ordered_json o;
    o["target"] = t.name;
    o["layer"] = std::string(to_string(t.layer));
    o["groups"] = t.groups;
    o["control"] = t.control;
    o["states"] = nlohmann::ordered_json::array();
    if (const auto it = by_name.find(t.name); it != by_name.end())
      for (const TargetStatus* s : it->second)
        o["states"].push_back(
            {{"vantage", s->vantage}, {"state", std::string(to_string(s->state))}, {"stress", s->stress.stress}});
    j["targets"].push_back(std::move(o));
  }
  return j.dump() + "\n";
}

std::string series_to_json(const std::string& scope, const std::string& subject, const std::string& vantage,
                           const std::vector<HistoryPoint>& points) {
  nlohmann::ordered_json j;
  j["scope"] = scope;
  j["subject"] = subject;
  j["vantage"] = vantage.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(vantage);
  j["points"] = nlohmann::ordered_json::array();
  for (const HistoryPoint& p : points)
    j["points"].push_back({{"time", format_rfc3339(p.at)},
                           {"state", std::string(to_string(p.state))},
                           {"reachability", optional_number(p.reachability)},
                           {"stress", optional_number(p.stress)},
                           {"rtt_ms", optional_number(p.rtt_ms)},
                           {"loss", optional_number(p.loss)}});
  return j.dump() + "\n";
}

}  // namespace blackout
