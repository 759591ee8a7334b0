// The dashboard's charts: layers go through the report's own layer_charts, so that the
// dashboard and a report draw a layer the same way.
#include "serve/dashboard_charts.hpp"

#include "report/chart.hpp"
#include "report/layer_charts.hpp"
#include "report/report.hpp"

namespace blackout {

namespace {

// A chart needs an interval: the points', or the last minute when there are none yet.
std::pair<Timestamp, Timestamp> span_of(const std::vector<HistoryPoint>& points) {
  if (points.empty()) {
    const auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    return {now - std::chrono::minutes(1), now};
  }
  const Timestamp from =
      points.size() > 1 ? points.front().at - (points[1].at - points[0].at) : points.front().at - std::chrono::seconds(1);
  return {from, points.back().at};
}

// History points mark the end of their bin; report series points mark the start.
report::TimeSeries as_report_series(Layer layer, std::size_t targets, const std::vector<HistoryPoint>& points) {
  report::TimeSeries series;
  series.source = "live";
  series.bin = points.size() > 1 ? points[1].at - points[0].at : Duration(std::chrono::seconds(1));
  report::LayerSeries ls;
  ls.layer = layer;
  ls.targets = targets;
  Timestamp start = span_of(points).first;
  for (const HistoryPoint& p : points) {
    ls.points.push_back({start, p.reachability, p.stress});
    start = p.at;
  }
  series.layers.push_back(std::move(ls));
  return series;
}

std::string layer_like_chart(Layer layer, std::size_t targets, const std::vector<HistoryPoint>& points,
                             const std::vector<Event>& events, double stress_threshold, int width) {
  report::Report r;
  std::tie(r.from, r.to) = span_of(points);
  r.stress_threshold = stress_threshold;
  r.series = as_report_series(layer, targets, points);
  r.events = events;
  auto charts = report::layer_charts(r);
  charts.front().width = width;
  return chart::render_svg(charts.front());
}

}  // namespace

std::string layer_chart_svg(Layer layer, std::size_t targets, const std::vector<HistoryPoint>& points,
                            const std::vector<Event>& events, double stress_threshold, int width) {
  return layer_like_chart(layer, targets, points, events, stress_threshold, width);
}

std::string network_chart_svg(const std::vector<HistoryPoint>& points, const std::vector<Event>& events, double stress_threshold,
                              int width) {
  // Drawn as a layer chart whose events are the network's, then titled for the network.
  std::vector<Event> network_events;
  for (const Event& e : events) {
    if (e.scope != Scope::network) continue;
    Event copy = e;
    copy.scope = Scope::layer;
    copy.layer = Layer::host;
    network_events.push_back(std::move(copy));
  }
  report::Report r;
  std::tie(r.from, r.to) = span_of(points);
  r.stress_threshold = stress_threshold;
  r.series = as_report_series(Layer::host, 0, points);
  r.events = std::move(network_events);
  auto charts = report::layer_charts(r);
  charts.front().title = "Network";
  charts.front().id = "chart-network";
  for (chart::Band& band : charts.front().bands) band.legend.replace(0, 5, "network");  // "layer down" -> "network down"
  charts.front().width = width;
  return chart::render_svg(charts.front());
}

std::string target_chart_svg(const std::string& name, const std::vector<HistoryPoint>& points, const std::vector<Event>& events,
                             int width) {
  chart::TimelineChart c;
  c.title = "Target " + name;
  c.id = "chart-target";
  std::tie(c.from, c.to) = span_of(points);
  c.width = width;
  c.height = 240;
  c.left = chart::ValueAxis{"RTT (ms)", 0, 0, false, std::nullopt, ""};
  c.right = chart::ValueAxis{"loss", 0, 1, true, std::nullopt, ""};
  c.right_axis = true;
  const Duration step = points.size() > 1 ? points[1].at - points[0].at : Duration(0);
  chart::Series rtt{"RTT (ms)", "#2b6cb0", chart::Axis::left, chart::Style::line, Duration(0), {}};
  chart::Series loss{"loss", "#e53e3e", chart::Axis::right, chart::Style::area, step, {}};
  Timestamp start = c.from;
  for (const HistoryPoint& p : points) {
    rtt.points.push_back({p.at, p.rtt_ms});
    loss.points.push_back({start, p.loss});
    start = p.at;
  }
  c.series = {std::move(rtt), std::move(loss)};
  for (const Event& e : events) {
    if (e.scope != Scope::target || e.subject != name) continue;
    const Timestamp end = e.end ? *e.end : c.to;
    c.bands.push_back({e.down_at ? *e.down_at : e.start, end, e.down_at ? "down" : "stressed", e.down_at ? "#e53e3e" : "#d69e2e",
                       name + " " + std::string(to_string(e.kind))});
  }
  return chart::render_svg(c);
}

}  // namespace blackout
