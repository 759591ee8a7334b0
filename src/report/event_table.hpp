// The table of every event as human-readable cells, shared by the text, Markdown and HTML
// renderers so that they show the same columns in the same order.
#pragma once

#include <string>
#include <vector>

#include "report/report.hpp"

namespace blackout::report {

std::vector<std::string> event_columns();
// One row per event, in order of start; cells are plain text (renderers escape).
std::vector<std::vector<std::string>> event_rows(const Report& report);

}  // namespace blackout::report
