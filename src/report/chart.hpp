// The SVG timeline chart that reports and the dashboard share: values over time on one or
// two y axes (lines or filled areas, with gaps where nothing was measured), intervals shaded
// as bands (events), a UTC time axis and a legend. The output is one self-contained <svg>
// element (no scripts, no fonts or images from elsewhere) with a fixed viewBox and explicit
// width and height, and it is deterministic: the same chart gives the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/time.hpp"

namespace blackout::chart {

enum class Axis : std::uint8_t { left, right };
enum class Style : std::uint8_t { line, area };

struct Point {
  Timestamp at;
  std::optional<double> value;  // nullopt: nothing measured, the line breaks here
};

struct Series {
  std::string label;   // in the legend
  std::string colour;  // a CSS colour, e.g. "#2b6cb0"
  Axis axis = Axis::left;
  Style style = Style::line;
  // When positive, each point's value holds from its time until `step` later (binned data,
  // drawn as steps); when zero, points are joined by straight lines.
  Duration step{0};
  std::vector<Point> points;
};

struct Band {
  Timestamp from, to;
  std::string legend;  // bands with the same legend share one legend entry
  std::string colour;
  std::string tooltip;  // shown by browsers on hover (an SVG <title>, not a script)
};

struct ValueAxis {
  std::string label;
  double min = 0;
  // When max <= min the axis fits the data: a round number at or above the largest value.
  double max = 1;
  bool percent = false;             // tick labels as 0%..100% of a 0..1 value
  std::optional<double> reference;  // a dashed line, e.g. a threshold
  std::string reference_label;
};

struct TimelineChart {
  std::string title;
  std::string id;  // an id attribute for the <svg> (for links and tests); may be empty
  Timestamp from, to;
  ValueAxis left, right;
  bool right_axis = false;  // whether any series uses the right axis
  std::vector<Series> series;
  std::vector<Band> bands;
  int width = 1040, height = 280;
};

// The chart as one <svg> element.
std::string render_svg(const TimelineChart& chart);

// The spacing of time-axis ticks a chart of this span and width uses: a round step (1 s,
// 5 s, 1 min, 1 h, 1 day ...) that gives at most about one label per 110 pixels.
Duration time_tick_step(Duration span, int plot_width);

}  // namespace blackout::chart
