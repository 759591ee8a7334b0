// The dashboard's charts, drawn by the same SVG chart module as the reports: a layer's or
// the network's timeline (reachability and stress, its events shaded) exactly as a report
// draws a layer, and a target's drill-down (RTT and loss over time).
#pragma once

#include <string>
#include <vector>

#include "model/event.hpp"
#include "serve/history.hpp"

namespace blackout {

// A layer's timeline; `events` may hold any events (only the layer's are shaded).
std::string layer_chart_svg(Layer layer, std::size_t targets, const std::vector<HistoryPoint>& points,
                            const std::vector<Event>& events, double stress_threshold, int width);
// The whole network's timeline, its network-wide events shaded.
std::string network_chart_svg(const std::vector<HistoryPoint>& points, const std::vector<Event>& events, double stress_threshold,
                              int width);
// A target's RTT (left axis) and loss (right axis), its own events shaded.
std::string target_chart_svg(const std::string& name, const std::vector<HistoryPoint>& points, const std::vector<Event>& events,
                             int width);

}  // namespace blackout
