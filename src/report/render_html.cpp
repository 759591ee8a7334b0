// The HTML report: one self-contained file — inline CSS, inline SVG charts, no scripts and
// nothing fetched from elsewhere — so that it can be mailed, archived and opened offline.
// Every text from the store or the config is escaped.
#include <algorithm>

#include "report/chart.hpp"
#include "report/escape.hpp"
#include "report/event_table.hpp"
#include "report/format.hpp"
#include "report/layer_charts.hpp"
#include "report/render.hpp"

namespace blackout::report {
namespace {

constexpr const char* style = R"(
body { margin: 0; background: #f7fafc; color: #1a202c; font: 15px/1.5 "DejaVu Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: #ffffff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid #e2e8f0; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 16px 0 4px; }
.meta { color: #4a5568; margin: 0 0 16px; }
.headline { font-size: 17px; background: #fff5f5; border-left: 4px solid #e53e3e; padding: 12px 16px; margin: 0; }
.headline.calm { background: #f0fff4; border-left-color: #38a169; }
.narrative ul { margin: 4px 0 8px; padding-left: 22px; }
.narrative li { margin: 2px 0; }
figure { margin: 12px 0 20px; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e2e8f0; }
figcaption { color: #4a5568; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
th { background: #edf2f7; position: sticky; top: 0; }
tr.down td.kind { color: #c53030; font-weight: bold; }
tr.stressed td.kind { color: #b7791f; font-weight: bold; }
tr.scope-target td { color: #4a5568; }
td.num { text-align: right; white-space: nowrap; }
td.evidence { min-width: 260px; }
footer { margin-top: 32px; color: #718096; font-size: 12px; }
)";

std::string element(const std::string& tag, const std::string& text, const std::string& attributes = "") {
  return "<" + tag + (attributes.empty() ? "" : " " + attributes) + ">" + xml_escape(text) + "</" + tag + ">";
}

}  // namespace

std::string render_html(const Report& report) {
  const std::string title = "Outage report: " + interval_text(report);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"blackout report\">\n";
  out += element("title", title) + "\n<style>" + style + "</style>\n</head>\n<body>\n<main>\n";
  out += "<header>\n" + element("h1", title) + "\n";
  out +=
      element("p",
              report.store + ", " + std::to_string(report.results) + " results from " + std::to_string(report.vantages.size()) +
                  (report.vantages.size() == 1 ? " vantage" : " vantages") + ". All times UTC.",
              "class=\"meta\"") +
      "\n</header>\n";
  out += element("p", report.narrative.headline, report.waves.empty() ? "class=\"headline calm\"" : "class=\"headline\"") + "\n";

  out += "<section class=\"narrative\">\n";
  for (const NarrativeSection& section : report.narrative.sections) {
    out += element("h2", section.title) + "\n<ul>\n";
    for (const std::string& line : section.lines) out += element("li", line) + "\n";
    out += "</ul>\n";
  }
  out += "</section>\n";

  out += "<section class=\"charts\">\n" + element("h2", "Layers over time") + "\n";
  out += element("p",
                 "Per layer: the share of its targets that were reachable (blue area, left axis) and the mean stress of those "
                 "that answered "
                 "(orange line, right axis; 1 is the threshold, dashed). Shaded: the layer's events. Bins of " +
                     human_duration(report.series.bin) + ", from " + report.series.source + ".",
                 "class=\"meta\"") +
         "\n";
  const auto charts = layer_charts(report);
  if (charts.empty()) out += element("p", "No results in the interval: nothing to draw.") + "\n";
  for (const chart::TimelineChart& c : charts) out += "<figure>\n" + chart::render_svg(c) + "</figure>\n";
  out += "</section>\n";

  const auto rows = event_rows(report);
  out += "<section class=\"events\">\n" + element("h2", "Every event (" + std::to_string(rows.size()) + ")") +
         "\n<table>\n<thead><tr>";
  for (const std::string& column : event_columns()) out += element("th", column);
  out += "</tr></thead>\n<tbody>\n";
  static const std::vector<std::string> numeric{"duration", "peak stress", "peak RTT", "peak loss"};
  const auto columns = event_columns();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const Event& e = report.events[r];
    out += "<tr class=\"" + std::string(to_string(e.kind)) + " scope-" + std::string(to_string(e.scope)) + "\">";
    for (std::size_t i = 0; i < rows[r].size(); ++i) {
      std::string cls;
      if (columns[i] == "kind") cls = "kind";
      else if (columns[i] == "evidence") cls = "evidence";
      else if (std::find(numeric.begin(), numeric.end(), columns[i]) != numeric.end()) cls = "num";
      out += element("td", rows[r][i], cls.empty() ? "" : "class=\"" + cls + "\"");
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";
  out += element("footer", "Made by blackout report from the stored results, with the same detector as the live monitor.") + "\n";
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace blackout::report
