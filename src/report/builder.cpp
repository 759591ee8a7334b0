// Building a report: detect, draw the series, write the narrative.
#include "report/builder.hpp"

#include <algorithm>
#include <set>

#include "report/narrative.hpp"
#include "report/replay.hpp"
#include "report/series.hpp"

namespace blackout::report {

StoreResult<Report> build_report(Store& store, const ReportRequest& request) {
  ResultQuery query;
  query.from = request.from;
  query.to = request.to;
  query.arrival_order = true;
  auto analysis = analyze_store(store, request.targets, request.params, query);
  if (!analysis) return analysis.error();

  std::optional<Duration> span;
  if (request.from && request.to) span = *request.to - *request.from;
  SeriesBuilder series(request.targets, request.params, request.max_points, span);
  const auto read = store.read_results(query, [&](Result&& r) {
    series.add(r);
    return true;
  });
  if (!read) return read.error();

  Report report;
  bool stored_events = false;
  report.store = store.describe();
  report.results = analysis->results;
  report.stress_threshold = stress_index_threshold;
  std::map<std::string, std::int64_t> per_vantage = series.results_per_vantage();
  if (series.first_result()) {
    report.from = request.from.value_or(*series.first_result());
    report.to = request.to.value_or(*series.last_result() + Duration(1));
    report.series = series.finish(report.from, report.to);
  } else {
    // The raw results of the interval are gone (pruned): the rollups still tell the shape.
    auto rollups = store.read_rollups(query);
    if (!rollups) return rollups.error();
    Timestamp first = request.from.value_or(Timestamp{}), last = request.to.value_or(first);
    if (!rollups->empty()) {
      const auto [lo, hi] = std::minmax_element(rollups->begin(), rollups->end(),
                                                [](const Rollup& a, const Rollup& b) { return a.minute < b.minute; });
      first = request.from.value_or(lo->minute);
      last = request.to.value_or(hi->minute + std::chrono::minutes(1));
      for (const Rollup& r : *rollups) per_vantage[r.vantage] += r.count;
    }
    report.from = first;
    report.to = std::max(last, first);
    if (!rollups->empty())
      report.series = series_from_rollups(*rollups, request.targets, request.params, report.from, report.to, request.max_points);
    // Nothing left to detect from: the events and waves the monitor stored as it ran tell
    // the story (the store keeps them for good).
    if (analysis->events.empty()) {
      const EventQuery period{request.from, request.to};
      auto events = store.read_events(period);
      if (!events) return events.error();
      auto waves = store.read_waves(period);
      if (!waves) return waves.error();
      if (!events->empty()) {
        if (!request.from) report.from = std::min(report.from, events->front().start);
        for (const Event& e : *events) report.to = std::max(report.to, e.end.value_or(e.start) + Duration(1));
        analysis->events = std::move(*events);
        analysis->waves = std::move(*waves);
        stored_events = true;
      }
    }
  }
  std::set<std::string> vantages;
  for (const auto& [v, n] : per_vantage) vantages.insert(v);
  for (const Event& e : analysis->events) vantages.insert(e.vantages.begin(), e.vantages.end());
  report.vantages.assign(vantages.begin(), vantages.end());
  if (per_vantage.empty() && analysis->events.empty())
    report.narrative.headline = "No results and no rollups in the store for this interval: nothing to report.";
  else
    report.narrative = write_narrative({analysis->events, analysis->waves, request.targets, per_vantage, report.from, report.to});
  if (stored_events)
    report.narrative.sections.push_back(
        {"Source",
         {"The raw results of this period are gone (pruned after the raw retention): its events and waves are those the monitor "
          "stored as it ran, and its layers are drawn from the per-minute rollups."}});
  report.events = std::move(analysis->events);
  report.waves = std::move(analysis->waves);
  return report;
}

}  // namespace blackout::report
