// JSON documents of the API.
#include "serve/api.hpp"

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

}  // namespace blackout
