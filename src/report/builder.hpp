// Building a report from a store: the results of [from, to) replayed through the detector
// (the same code as the live monitor and `blackout analyze`) for the events and waves, and
// again through the per-target trackers for the layers' time series — or, when the raw
// results of the interval have been pruned, the per-minute rollups for the series.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "detect/params.hpp"
#include "model/target.hpp"
#include "report/report.hpp"
#include "store/store.hpp"

namespace blackout::report {

struct ReportRequest {
  std::optional<Timestamp> from;  // inclusive; default: the first result
  std::optional<Timestamp> to;    // exclusive; default: just after the last result
  std::vector<Target> targets;    // layers, weights and control flags
  DetectionParams params;
  std::size_t max_points = 300;  // per layer series: bins grow to stay within this
};

StoreResult<Report> build_report(Store& store, const ReportRequest& request);

}  // namespace blackout::report
