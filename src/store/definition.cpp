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

}  // namespace blackout
