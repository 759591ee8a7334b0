// The Markdown report: headings, lists and tables, for tickets, wikis and incident reviews.
// Markdown has no safe way to carry the charts; the HTML report has them.
#include <cstdio>

#include "report/escape.hpp"
#include "report/event_table.hpp"
#include "report/format.hpp"
#include "report/layer_summary.hpp"
#include "report/render.hpp"

namespace blackout::report {
namespace {

std::string table_row(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const std::string& cell : cells) line += " " + markdown_escape(cell) + " |";
  return line + "\n";
}

}  // namespace

std::string render_markdown(const Report& report) {
  std::string out = "# Outage report: " + interval_text(report) + "\n\n";
  out += "*" + markdown_escape(report.store) + ", " + std::to_string(report.results) + " results from " +
         std::to_string(report.vantages.size()) + (report.vantages.size() == 1 ? " vantage" : " vantages") + ".*\n\n";
  out += markdown_escape(report.narrative.headline) + "\n";
  for (const NarrativeSection& section : report.narrative.sections) {
    out += "\n## " + markdown_escape(section.title) + "\n\n";
    for (const std::string& line : section.lines) out += "- " + markdown_escape(line) + "\n";
  }

  out += "\n## Layers\n\nBins of " + human_duration(report.series.bin) + ", from " + report.series.source +
         "; the charts are in the HTML report (`--format html`).\n\n";
  out += table_row({"layer", "targets", "lowest reachability", "at", "highest stress", "at"});
  out += "| --- | ---: | ---: | --- | ---: | --- |\n";
  for (const LayerSeries& ls : report.series.layers) {
    const LayerSummary s = summarize(ls);
    out += table_row(
        {std::string(to_string(ls.layer)), std::to_string(ls.targets),
         s.lowest_reachability ? percent(*s.lowest_reachability) : "-", s.lowest_reachability ? clock_time(s.lowest_at) : "-",
         s.highest_stress ? one_decimal(*s.highest_stress) : "-", s.highest_stress ? clock_time(s.highest_at) : "-"});
  }

  const auto rows = event_rows(report);
  out += "\n## Events (" + std::to_string(rows.size()) + ")\n\n";
  const auto columns = event_columns();
  out += table_row(columns);
  out += "|";
  for (std::size_t i = 0; i < columns.size(); ++i) out += " --- |";
  out += "\n";
  for (const auto& row : rows) out += table_row(row);
  return out;
}

}  // namespace blackout::report
