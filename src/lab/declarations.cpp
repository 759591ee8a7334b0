// Reading state-change declarations from a monitor log.
#include "lab/declarations.hpp"

#include <sstream>

namespace blackout::lab {

std::vector<Declaration> read_declarations(std::istream& log) {
  // 2026-11-27T02:10:50.859Z info state.change scope=network subject=network from=up to=down at=2026-...Z
  std::vector<Declaration> out;
  std::string line;
  while (std::getline(log, line)) {
    std::istringstream words(line);
    std::string time, level, what, word;
    if (!(words >> time >> level >> what) || what != "state.change") continue;
    const auto declared = parse_rfc3339(time);
    if (!declared) continue;
    Declaration d;
    d.declared = *declared;
    bool have_scope = false, have_at = false;
    while (words >> word) {
      const auto equals = word.find('=');
      if (equals == std::string::npos) continue;
      const std::string key = word.substr(0, equals), value = word.substr(equals + 1);
      if (key == "scope") {
        have_scope = true;
        if (value == "network") d.scope = Scope::network;
        else if (value == "layer") d.scope = Scope::layer;
        else if (value == "target") d.scope = Scope::target;
        else have_scope = false;
      } else if (key == "subject") {
        d.subject = value;
      } else if (key == "to") {
        d.to = value;
      } else if (key == "at") {
        if (const auto at = parse_rfc3339(value)) {
          d.at = *at;
          have_at = true;
        }
      }
    }
    if (have_scope && have_at && !d.subject.empty() && !d.to.empty()) out.push_back(d);
  }
  return out;
}

}  // namespace blackout::lab
