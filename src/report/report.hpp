// A report as a plain value: what happened over an interval, told in the order a reader
// wants it — the narrative first, then the time series of each layer (for charts), then
// every event. The builder (builder.hpp) fills it from a store; the renderers (render.hpp)
// only format it, so every format says the same thing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/target.hpp"
#include "model/time.hpp"

namespace blackout::report {

// One part of the narrative: a heading and its sentences (plain text; renderers escape).
struct NarrativeSection {
  std::string title;
  std::vector<std::string> lines;
};

struct Narrative {
  std::string headline;  // the one paragraph a reporter quotes
  std::vector<NarrativeSection> sections;
};

// One bin of a layer's time series.
struct SeriesPoint {
  Timestamp start;                     // the bin is [start, start + bin)
  std::optional<double> reachability;  // weighted share of the layer's targets not down; nullopt: no data yet
  std::optional<double> stress;        // mean stress index of the targets that answered (1.0 = threshold)
};

struct LayerSeries {
  Layer layer = Layer::host;
  std::size_t targets = 0;  // watched (non-control) targets of the layer
  std::vector<SeriesPoint> points;
};

struct TimeSeries {
  Duration bin{0};
  std::string source;  // "results" (replayed at full resolution) or "rollups" (per minute)
  std::vector<LayerSeries> layers;
};

struct Report {
  std::string store;   // where the data came from (no password)
  Timestamp from, to;  // the interval reported on, [from, to)
  std::int64_t results = 0;
  std::vector<std::string> vantages;
  double stress_threshold = 1.0;  // where stress counts as stress (the chart's dashed line)
  Narrative narrative;
  TimeSeries series;
  std::vector<Event> events;  // every event, in order of start
  std::vector<Wave> waves;
};

}  // namespace blackout::report
