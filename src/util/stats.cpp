// The stats registry.
#include "util/stats.hpp"

#include <algorithm>
#include <stdexcept>

namespace blackout {

void Stats::counter(std::string name, std::string help, std::function<double()> read) {
  family(std::move(name), StatType::counter, std::move(help), [read = std::move(read)] {
    return std::vector<StatSample>{StatSample{{}, read()}};
  });
}

void Stats::gauge(std::string name, std::string help, std::function<double()> read) {
  family(std::move(name), StatType::gauge, std::move(help), [read = std::move(read)] {
    return std::vector<StatSample>{StatSample{{}, read()}};
  });
}

void Stats::family(std::string name, StatType type, std::string help, std::function<std::vector<StatSample>()> read) {
  if (std::any_of(families_.begin(), families_.end(), [&](const StatFamily& f) { return f.name == name; }))
    throw std::logic_error("stat " + name + " registered twice");
  families_.push_back(StatFamily{std::move(name), type, std::move(help), std::move(read)});
}

std::optional<double> Stats::value(std::string_view name) const {
  for (const StatFamily& f : families_)
    if (f.name == name) {
      for (const StatSample& s : f.read())
        if (s.labels.empty()) return s.value;
      return std::nullopt;
    }
  return std::nullopt;
}

std::string_view to_string(StatType type) { return type == StatType::counter ? "counter" : "gauge"; }

}  // namespace blackout
