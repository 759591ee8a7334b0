// The text report: for a terminal, wrapped to 100 columns, aligned columns for the events.
#include <algorithm>
#include <cstdio>

#include "report/event_table.hpp"
#include "report/format.hpp"
#include "report/layer_summary.hpp"
#include "report/render.hpp"

namespace blackout::report {
namespace {

constexpr std::size_t text_width = 100;

std::string wrapped(const std::string& text, const std::string& first_indent, const std::string& indent) {
  std::string out = first_indent, word;
  std::size_t column = first_indent.size();
  bool line_empty = true;
  auto flush = [&] {
    if (word.empty()) return;
    if (!line_empty && column + 1 + word.size() > text_width) {
      out += "\n" + indent;
      column = indent.size();
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_empty = false;
    word.clear();
  };
  for (const char c : text) {
    if (c == ' ' || c == '\n') flush();
    else word += c;
  }
  flush();
  return out + "\n";
}

// Terminal output must not carry control characters from a stored name or evidence.
std::string plain(std::string text) {
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text;
}

}  // namespace

std::string render_text(const Report& report) {
  std::string out = "blackout report: " + interval_text(report) + "\n";
  out += plain(report.store) + ", " + std::to_string(report.results) + " results from " + std::to_string(report.vantages.size()) +
         (report.vantages.size() == 1 ? " vantage" : " vantages") + "\n\n";
  out += wrapped(plain(report.narrative.headline), "", "");
  for (const NarrativeSection& section : report.narrative.sections) {
    out += "\n" + section.title + "\n";
    for (const std::string& line : section.lines) out += wrapped(plain(line), "  - ", "    ");
  }

  if (report.series.layers.empty()) out += "\nLayers: no data\n";
  else out += "\nLayers (bins of " + human_duration(report.series.bin) + ", from " + report.series.source + ")\n";
  for (const LayerSeries& ls : report.series.layers) {
    const LayerSummary s = summarize(ls);
    char line[256];
    std::snprintf(line, sizeof line, "  %-7s %3zu target%s  lowest reachability %4s at %s, highest stress %5s at %s\n",
                  std::string(to_string(ls.layer)).c_str(), ls.targets, ls.targets == 1 ? " " : "s",
                  s.lowest_reachability ? percent(*s.lowest_reachability).c_str() : "-",
                  s.lowest_reachability ? clock_time(s.lowest_at).c_str() : "-",
                  s.highest_stress ? one_decimal(*s.highest_stress).c_str() : "-",
                  s.highest_stress ? clock_time(s.highest_at).c_str() : "-");
    out += line;
  }

  const auto columns = event_columns();
  const auto rows = event_rows(report);
  out += "\nEvents (" + std::to_string(rows.size()) + ")\n";
  // Every column but the last (the evidence, free text) is padded to its widest cell.
  std::vector<std::size_t> widths(columns.size(), 0);
  for (std::size_t i = 0; i < columns.size(); ++i) widths[i] = columns[i].size();
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line = " ";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      line += " " + plain(cells[i]);
      if (i + 1 < cells.size()) line += std::string(widths[i] - cells[i].size(), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(columns);
  for (const auto& row : rows) emit(row);
  return out;
}

}  // namespace blackout::report
