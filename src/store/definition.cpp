// Target definitions as JSON.
#include "store/definition.hpp"

#include <nlohmann/json.hpp>

namespace blackout {

std::string target_definition(const Target& target) {
  nlohmann::ordered_json doc;
  doc["name"] = target.name;
  doc["layer"] = std::string(to_string(target.layer));
  doc["groups"] = target.groups;
  if (target.address) doc["address"] = target.address->to_string();
  if (!target.host.empty()) doc["host"] = target.host;
  if (!target.description.empty()) doc["description"] = target.description;
  doc["weight"] = target.weight;
  doc["control"] = target.control;
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const Check& check : target.checks) {
    checks.push_back({{"id", check.id},
                      {"kind", std::string(to_string(check.kind))},
                      {"interval_us", check.interval.count()},
                      {"timeout_us", check.timeout.count()},
                      {"confirmations", check.confirmations}});
  }
  doc["checks"] = checks;
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<Target> target_from_definition(const std::string& definition) {
  const auto doc = nlohmann::json::parse(definition, nullptr, false);
  if (!doc.is_object() || !doc.contains("name") || !doc["name"].is_string() || !doc.contains("layer") ||
      !doc["layer"].is_string())
    return std::nullopt;
  Target target;
  target.name = doc["name"].get<std::string>();
  const auto layer = layer_from_string(doc["layer"].get<std::string>());
  if (!layer) return std::nullopt;
  target.layer = *layer;
  if (doc.contains("groups") && doc["groups"].is_array())
    for (const auto& g : doc["groups"])
      if (g.is_string()) target.groups.push_back(g.get<std::string>());
  if (doc.contains("address") && doc["address"].is_string()) target.address = IpAddress::parse(doc["address"].get<std::string>());
  if (doc.contains("host") && doc["host"].is_string()) target.host = doc["host"].get<std::string>();
  if (doc.contains("weight") && doc["weight"].is_number()) target.weight = doc["weight"].get<double>();
  if (doc.contains("control") && doc["control"].is_boolean()) target.control = doc["control"].get<bool>();
  if (doc.contains("checks") && doc["checks"].is_array()) {
    for (const auto& c : doc["checks"]) {
      if (!c.is_object() || !c.contains("id") || !c.contains("kind") || !c["id"].is_string() || !c["kind"].is_string()) continue;
      const auto kind = check_kind_from_string(c["kind"].get<std::string>());
      if (!kind) continue;
      Check check;
      check.id = c["id"].get<std::string>();
      check.kind = *kind;
      if (c.contains("interval_us") && c["interval_us"].is_number_integer())
        check.interval = Duration{c["interval_us"].get<std::int64_t>()};
      if (c.contains("timeout_us") && c["timeout_us"].is_number_integer())
        check.timeout = Duration{c["timeout_us"].get<std::int64_t>()};
      if (c.contains("confirmations") && c["confirmations"].is_number_integer())
        check.confirmations = c["confirmations"].get<int>();
      target.checks.push_back(std::move(check));
    }
  }
  return target;
}

}  // namespace blackout
