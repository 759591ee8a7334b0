// Turning a report's series and events into chart descriptions.
#include "report/layer_charts.hpp"

#include "report/format.hpp"

namespace blackout::report {

std::vector<chart::TimelineChart> layer_charts(const Report& report) {
  std::vector<chart::TimelineChart> charts;
  for (const LayerSeries& ls : report.series.layers) {
    const std::string layer(to_string(ls.layer));
    chart::TimelineChart c;
    c.title = "Layer " + layer + " (" + std::to_string(ls.targets) + (ls.targets == 1 ? " target)" : " targets)");
    c.id = "chart-" + layer;
    c.from = report.from;
    c.to = report.to;
    c.left = chart::ValueAxis{"reachable", 0, 1, true, std::nullopt, ""};
    c.right = chart::ValueAxis{"stress", 0, 0, false, report.stress_threshold, "stress threshold"};
    c.right_axis = true;
    chart::Series reach{
        "reachable (share of targets not down)", "#2b6cb0", chart::Axis::left, chart::Style::area, report.series.bin, {}};
    chart::Series stress{"stress (1 = threshold)", "#dd6b20", chart::Axis::right, chart::Style::line, report.series.bin, {}};
    for (const SeriesPoint& p : ls.points) {
      reach.points.push_back({p.start, p.reachability});
      stress.points.push_back({p.start, p.stress});
    }
    c.series = {std::move(reach), std::move(stress)};
    for (const Event& e : report.events) {
      if (e.scope != Scope::layer || e.layer != ls.layer) continue;
      const Timestamp end = e.end ? *e.end : report.to;
      const std::string tooltip = layer + " " + std::string(to_string(e.kind)) + " " + clock_time(e.start) + " to " +
                                  (e.end ? clock_time(*e.end) : "ongoing") + ", " + std::string(to_string(e.signature));
      if (e.down_at && *e.down_at > e.start) c.bands.push_back({e.start, *e.down_at, "layer stressed", "#d69e2e", tooltip});
      if (e.down_at) c.bands.push_back({*e.down_at, end, "layer down", "#e53e3e", tooltip});
      else c.bands.push_back({e.start, end, "layer stressed", "#d69e2e", tooltip});
    }
    charts.push_back(std::move(c));
  }
  return charts;
}

}  // namespace blackout::report
