// A report's charts: one timeline per layer — reachability as an area on the left axis,
// stress as a line on the right with the threshold dashed, and the layer's events shaded.
#pragma once

#include <vector>

#include "report/chart.hpp"
#include "report/report.hpp"

namespace blackout::report {

std::vector<chart::TimelineChart> layer_charts(const Report& report);

}  // namespace blackout::report
