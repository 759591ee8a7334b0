// The CSV report: one row per event (RFC 4180 quoting, LF line ends), with full RFC 3339
// times and plain numbers, for spreadsheets and scripts.
#include <cstdio>

#include "report/escape.hpp"
#include "report/render.hpp"

namespace blackout::report {
namespace {

std::string number(double value, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

}  // namespace

std::string render_csv(const Report& report) {
  std::string out =
      "id,scope,layer,subject,kind,start,end,down_at,duration_s,peak_stress,peak_inflation,peak_loss,signature,targets,vantages,"
      "evidence\n";
  for (const Event& e : report.events) {
    const std::vector<std::string> cells{
        e.id,
        std::string(to_string(e.scope)),
        e.layer ? std::string(to_string(*e.layer)) : "",
        e.subject,
        std::string(to_string(e.kind)),
        format_rfc3339(e.start),
        e.end ? format_rfc3339(*e.end) : "",
        e.down_at ? format_rfc3339(*e.down_at) : "",
        number(to_seconds((e.end ? *e.end : report.to) - e.start), "%.3f"),
        number(e.peak_stress, "%.3f"),
        number(e.peak_inflation, "%.3f"),
        number(e.peak_loss, "%.3f"),
        std::string(to_string(e.signature)),
        joined(e.targets, ";"),
        joined(e.vantages, ";"),
        joined(e.evidence, "; "),
    };
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + csv_field(cells[i]);
    out += line + "\n";
  }
  return out;
}

}  // namespace blackout::report
