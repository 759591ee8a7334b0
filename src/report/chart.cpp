// The SVG timeline chart. Coordinates are written with one decimal and every text escaped,
// so the output is small, deterministic and safe to inline into any HTML page.
#include "report/chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "report/escape.hpp"

namespace blackout::chart {
namespace {

using report::xml_escape;

constexpr int margin_top = 52, margin_bottom = 44, margin_left = 64;
constexpr double char_width = 6.6;  // of the 12 px sans-serif labels, for laying out the legend

std::string num(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

struct Frame {
  double left, top, width, height;
  Timestamp from, to;

  [[nodiscard]] double x(Timestamp t) const {
    const double span = to_seconds(to - from);
    const double share = span > 0 ? to_seconds(t - from) / span : 0;
    return left + width * std::clamp(share, 0.0, 1.0);
  }
  [[nodiscard]] double y(double value, const ValueAxis& axis) const {
    const double share = axis.max > axis.min ? (value - axis.min) / (axis.max - axis.min) : 0;
    return top + height * (1 - std::clamp(share, 0.0, 1.0));
  }
  [[nodiscard]] double bottom() const { return top + height; }
  [[nodiscard]] double right() const { return left + width; }
};

// 1, 2 or 5 times a power of ten, at least `raw`.
double nice_step(double raw) {
  if (raw <= 0) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw - 1e-12) return m * magnitude;
  return 10 * magnitude;
}

ValueAxis fitted(ValueAxis axis, const std::vector<Series>& series, Axis which) {
  if (axis.max > axis.min) return axis;
  double top = axis.reference ? *axis.reference * 1.5 : axis.min + 1;
  for (const Series& s : series)
    if (s.axis == which)
      for (const Point& p : s.points)
        if (p.value && std::isfinite(*p.value)) top = std::max(top, *p.value);
  const double step = nice_step((top - axis.min) / 4);
  axis.max = axis.min + step * std::ceil((top - axis.min) / step - 1e-9);
  return axis;
}

std::vector<double> value_ticks(const ValueAxis& axis) {
  std::vector<double> ticks;
  const double step = axis.percent ? 0.25 * (axis.max - axis.min) : nice_step((axis.max - axis.min) / 4);
  for (double v = axis.min; v <= axis.max + step * 1e-6; v += step) ticks.push_back(v);
  return ticks;
}

std::string tick_label(double value, const ValueAxis& axis) {
  char text[32];
  if (axis.percent) std::snprintf(text, sizeof text, "%.0f%%", value * 100);
  else if (std::fabs(value - std::round(value)) < 1e-9) std::snprintf(text, sizeof text, "%.0f", value);
  else std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string time_label(Timestamp t, Duration step) {
  const std::string text = format_rfc3339(t, 0);  // 2026-11-27T02:26:35Z
  if (step >= std::chrono::hours(24)) return text.substr(5, 5);
  if (step >= std::chrono::minutes(1)) return text.substr(11, 5);
  return text.substr(11, 8);
}

// The path of one series: runs of measured points, broken where nothing was measured.
std::vector<std::vector<std::pair<double, double>>> runs_of(const Series& s, const Frame& frame, const ValueAxis& axis) {
  std::vector<std::vector<std::pair<double, double>>> runs;
  std::vector<std::pair<double, double>> run;
  std::optional<Timestamp> expected_next;
  for (const Point& p : s.points) {
    const bool gap = !p.value || !std::isfinite(*p.value) || p.at >= frame.to ||
                     (s.step.count() > 0 && expected_next && p.at != *expected_next);
    if (gap && !run.empty()) {
      runs.push_back(std::move(run));
      run.clear();
    }
    expected_next.reset();
    if (!p.value || !std::isfinite(*p.value) || p.at >= frame.to) continue;
    const double y = frame.y(*p.value, axis);
    if (s.step.count() > 0) {
      run.emplace_back(frame.x(p.at), y);
      run.emplace_back(frame.x(p.at + s.step), y);
      expected_next = p.at + s.step;
    } else {
      run.emplace_back(frame.x(p.at), y);
    }
  }
  if (!run.empty()) runs.push_back(std::move(run));
  return runs;
}

std::string line_path(const std::vector<std::pair<double, double>>& run) {
  std::string d;
  for (std::size_t i = 0; i < run.size(); ++i) d += (i == 0 ? "M" : " L") + num(run[i].first) + " " + num(run[i].second);
  return d;
}

}  // namespace

Duration time_tick_step(Duration span, int plot_width) {
  using namespace std::chrono;
  static constexpr std::array<seconds, 21> steps{1s,    2s, 5s, 10s, 15s, 30s, 1min, 2min, 5min, 10min, 15min,
                                                 30min, 1h, 2h, 3h,  6h,  12h, 24h,  48h,  168h, 720h};
  const double most = std::max(2.0, plot_width / 110.0);
  for (const seconds step : steps)
    if (to_seconds(span) / static_cast<double>(step.count()) <= most) return step;
  return steps.back();
}

std::string render_svg(const TimelineChart& chart) {
  const ValueAxis left = fitted(chart.left, chart.series, Axis::left);
  const ValueAxis right = fitted(chart.right, chart.series, Axis::right);
  const int margin_right = chart.right_axis ? 64 : 24;
  const Frame frame{margin_left,
                    margin_top,
                    static_cast<double>(chart.width - margin_left - margin_right),
                    static_cast<double>(chart.height - margin_top - margin_bottom),
                    chart.from,
                    chart.to > chart.from ? chart.to : chart.from + 1s};
  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\"";
  if (!chart.id.empty()) svg += " id=\"" + xml_escape(chart.id) + "\"";
  svg += " class=\"timeline\" width=\"" + std::to_string(chart.width) + "\" height=\"" + std::to_string(chart.height) +
         "\" viewBox=\"0 0 " + std::to_string(chart.width) + " " + std::to_string(chart.height) +
         "\" role=\"img\" aria-label=\"" + xml_escape(chart.title) +
         "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  svg += "<title>" + xml_escape(chart.title) + "</title>\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(chart.width) + "\" height=\"" + std::to_string(chart.height) +
         "\" fill=\"#ffffff\"/>\n";
  svg += "<text x=\"" + num(frame.left) + "\" y=\"18\" font-size=\"14\" font-weight=\"bold\" fill=\"#1a202c\">" +
         xml_escape(chart.title) + "</text>\n";

  // Grid and the left axis.
  for (const double v : value_ticks(left)) {
    const double y = frame.y(v, left);
    svg += "<line x1=\"" + num(frame.left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(frame.right()) + "\" y2=\"" + num(y) +
           "\" stroke=\"#e2e8f0\" stroke-width=\"1\"/>\n";
    svg += "<text x=\"" + num(frame.left - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\" fill=\"#4a5568\">" +
           xml_escape(tick_label(v, left)) + "</text>\n";
  }
  svg += "<text transform=\"translate(14 " + num(frame.top + frame.height / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" fill=\"#4a5568\">" + xml_escape(left.label) + "</text>\n";
  if (chart.right_axis) {
    for (const double v : value_ticks(right)) {
      svg += "<text x=\"" + num(frame.right() + 6) + "\" y=\"" + num(frame.y(v, right) + 4) + "\" fill=\"#4a5568\">" +
             xml_escape(tick_label(v, right)) + "</text>\n";
    }
    svg += "<text transform=\"translate(" + num(chart.width - 10.0) + " " + num(frame.top + frame.height / 2) +
           ") rotate(90)\" text-anchor=\"middle\" fill=\"#4a5568\">" + xml_escape(right.label) + "</text>\n";
  }

  // The time axis: round, UTC-aligned ticks.
  const Duration step = time_tick_step(frame.to - frame.from, static_cast<int>(frame.width));
  const auto step_us = step.count();
  const auto first_us = frame.from.time_since_epoch().count();
  Timestamp tick{Duration((first_us + step_us - 1) / step_us * step_us)};
  if (first_us < 0) tick = Timestamp{Duration(first_us / step_us * step_us)};
  for (; tick <= frame.to; tick += step) {
    const double x = frame.x(tick);
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(frame.top) + "\" x2=\"" + num(x) + "\" y2=\"" + num(frame.bottom() + 4) +
           "\" stroke=\"#edf2f7\" stroke-width=\"1\"/>\n";
    svg += "<text x=\"" + num(x) + "\" y=\"" + num(frame.bottom() + 17) + "\" text-anchor=\"middle\" fill=\"#4a5568\">" +
           xml_escape(time_label(tick, step)) + "</text>\n";
  }
  const std::string from_day = format_rfc3339(frame.from, 0).substr(0, 10),
                    to_day = format_rfc3339(frame.to - 1us, 0).substr(0, 10);
  svg += "<text x=\"" + num(frame.left + frame.width / 2) + "\" y=\"" + num(frame.bottom() + 35) +
         "\" text-anchor=\"middle\" fill=\"#4a5568\">" +
         xml_escape("time (UTC), " + (from_day == to_day ? from_day : from_day + " to " + to_day)) + "</text>\n";
  svg += "<rect x=\"" + num(frame.left) + "\" y=\"" + num(frame.top) + "\" width=\"" + num(frame.width) + "\" height=\"" +
         num(frame.height) + "\" fill=\"none\" stroke=\"#a0aec0\" stroke-width=\"1\"/>\n";

  // Reference lines, then the data.
  for (const auto* axis : {&left, &right}) {
    if (!axis->reference || (axis == &right && !chart.right_axis)) continue;
    const double y = frame.y(*axis->reference, *axis);
    svg += "<line class=\"reference\" x1=\"" + num(frame.left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(frame.right()) +
           "\" y2=\"" + num(y) + "\" stroke=\"#718096\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n";
    if (!axis->reference_label.empty())
      svg += "<text x=\"" + num(frame.right() - 4) + "\" y=\"" + num(y - 4) +
             "\" text-anchor=\"end\" font-size=\"11\" fill=\"#718096\">" + xml_escape(axis->reference_label) + "</text>\n";
  }
  for (const Series& s : chart.series) {
    if (s.style != Style::area) continue;
    const ValueAxis& axis = s.axis == Axis::left ? left : right;
    const std::string base = num(frame.y(axis.min, axis));
    for (const auto& run : runs_of(s, frame, axis))
      svg += "<path class=\"area\" d=\"" + line_path(run) + " L" + num(run.back().first) + " " + base + " L" +
             num(run.front().first) + " " + base + " Z\" fill=\"" + xml_escape(s.colour) +
             "\" fill-opacity=\"0.14\" stroke=\"none\"/>\n";
  }
  // Bands over the filled areas (so that their colour stays true) and under the lines, with
  // a solid strip along the top that marks them even where an area is dark.
  for (const Band& band : chart.bands) {
    if (band.to <= chart.from || band.from >= chart.to) continue;
    const double x0 = frame.x(band.from), x1 = frame.x(band.to);
    const std::string width = num(std::max(1.0, x1 - x0)), colour = xml_escape(band.colour);
    svg += "<g class=\"band\">";
    if (!band.tooltip.empty()) svg += "<title>" + xml_escape(band.tooltip) + "</title>";
    svg += "<rect x=\"" + num(x0) + "\" y=\"" + num(frame.top) + "\" width=\"" + width + "\" height=\"" + num(frame.height) +
           "\" fill=\"" + colour + "\" fill-opacity=\"0.2\"/>";
    svg +=
        "<rect x=\"" + num(x0) + "\" y=\"" + num(frame.top) + "\" width=\"" + width + "\" height=\"5\" fill=\"" + colour + "\"/>";
    svg += "</g>\n";
  }
  for (const Series& s : chart.series) {
    const ValueAxis& axis = s.axis == Axis::left ? left : right;
    for (const auto& run : runs_of(s, frame, axis))
      svg += "<path class=\"series\" d=\"" + line_path(run) + "\" fill=\"none\" stroke=\"" + xml_escape(s.colour) +
             "\" stroke-width=\"1.8\" stroke-linejoin=\"round\"/>\n";
  }

  // The legend, on one row under the title.
  double x = frame.left;
  const double y = 38;
  auto entry = [&](const std::string& label, const std::string& colour, const char* kind) {
    const std::string c = xml_escape(colour);
    if (std::string_view(kind) == "band")
      svg += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 9) + "\" width=\"14\" height=\"10\" fill=\"" + c +
             "\" fill-opacity=\"0.45\"/>\n";
    else if (std::string_view(kind) == "area")
      svg += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 9) + "\" width=\"14\" height=\"10\" fill=\"" + c +
             "\" fill-opacity=\"0.14\" stroke=\"" + c + "\"/>\n";
    else
      svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(y - 4) + "\" x2=\"" + num(x + 14) + "\" y2=\"" + num(y - 4) +
             "\" stroke=\"" + c + "\" stroke-width=\"2\"/>\n";
    svg += "<text x=\"" + num(x + 19) + "\" y=\"" + num(y) + "\" fill=\"#2d3748\">" + xml_escape(label) + "</text>\n";
    x += 19 + char_width * static_cast<double>(label.size()) + 18;
  };
  svg += "<g class=\"legend\">\n";
  for (const Series& s : chart.series) entry(s.label, s.colour, s.style == Style::area ? "area" : "line");
  std::vector<std::string> seen;
  for (const Band& band : chart.bands) {
    if (band.legend.empty() || std::find(seen.begin(), seen.end(), band.legend) != seen.end()) continue;
    seen.push_back(band.legend);
    entry(band.legend, band.colour, "band");
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

}  // namespace blackout::chart
