// A layer's series in one line of numbers, for the formats that cannot draw: its lowest
// reachability and highest stress, and when.
#pragma once

#include <optional>

#include "report/report.hpp"

namespace blackout::report {

struct LayerSummary {
  std::optional<double> lowest_reachability;
  Timestamp lowest_at;
  std::optional<double> highest_stress;
  Timestamp highest_at;
};

LayerSummary summarize(const LayerSeries& series);

}  // namespace blackout::report
