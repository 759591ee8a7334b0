// The JSON report: the narrative, the series and, in the form of docs/events.md, every
// event and wave. Series values are null where nothing was measured.
#include <cmath>
#include <nlohmann/json.hpp>

#include "report/event_text.hpp"
#include "report/render.hpp"

namespace blackout::report {
namespace {

using Json = nlohmann::ordered_json;

Json optional_number(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return nullptr;
  return std::round(*value * 1000) / 1000;
}

}  // namespace

std::string render_json(const Report& report) {
  Json doc;
  doc["from"] = format_rfc3339(report.from);
  doc["to"] = format_rfc3339(report.to);
  doc["store"] = report.store;
  doc["results"] = report.results;
  doc["vantages"] = report.vantages;
  Json narrative;
  narrative["headline"] = report.narrative.headline;
  narrative["sections"] = Json::array();
  for (const NarrativeSection& s : report.narrative.sections)
    narrative["sections"].push_back({{"title", s.title}, {"lines", s.lines}});
  doc["narrative"] = std::move(narrative);
  Json series;
  series["bin_seconds"] = to_seconds(report.series.bin);
  series["source"] = report.series.source;
  series["stress_threshold"] = report.stress_threshold;
  series["layers"] = Json::array();
  for (const LayerSeries& ls : report.series.layers) {
    Json layer;
    layer["layer"] = std::string(to_string(ls.layer));
    layer["targets"] = ls.targets;
    layer["points"] = Json::array();
    for (const SeriesPoint& p : ls.points)
      layer["points"].push_back({{"start", format_rfc3339(p.start)},
                                 {"reachability", optional_number(p.reachability)},
                                 {"stress", optional_number(p.stress)}});
    series["layers"].push_back(std::move(layer));
  }
  doc["series"] = std::move(series);
  // The same documents the store keeps and `analyze --format json` prints.
  doc["events"] = Json::array();
  for (const Event& e : report.events) doc["events"].push_back(Json::parse(event_to_json(e)));
  doc["waves"] = Json::array();
  for (const Wave& w : report.waves) doc["waves"].push_back(Json::parse(wave_to_json(w)));
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace blackout::report
