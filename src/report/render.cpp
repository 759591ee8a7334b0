// Choosing a renderer.
#include "report/render.hpp"

#include "report/format.hpp"

namespace blackout::report {

std::optional<Format> format_from_string(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "markdown") return Format::markdown;
  if (name == "html") return Format::html;
  if (name == "json") return Format::json;
  if (name == "csv") return Format::csv;
  return std::nullopt;
}

std::string render(const Report& report, Format format) {
  switch (format) {
    case Format::text: return render_text(report);
    case Format::markdown: return render_markdown(report);
    case Format::html: return render_html(report);
    case Format::json: return render_json(report);
    case Format::csv: return render_csv(report);
  }
  return render_text(report);
}

std::string interval_text(const Report& report) {
  const Timestamp last = report.to > report.from ? report.to - Duration(1) : report.from;
  const std::string from = date_time(report.from), to = date_time(last);
  // The same day: say it once.
  if (from.substr(0, 10) == to.substr(0, 10)) return from.substr(0, 19) + " to " + to.substr(11);
  return from.substr(0, 19) + " to " + to;
}

}  // namespace blackout::report
