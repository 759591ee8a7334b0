// Event table cells.
#include "report/event_table.hpp"

#include "report/format.hpp"

namespace blackout::report {
namespace {

// Clock times alone are ambiguous once a report spans more than one UTC day.
std::string stamp(Timestamp t, bool one_day) {
  if (one_day) return clock_time(t);
  const std::string text = format_rfc3339(t, 0);
  return text.substr(5, 5) + " " + text.substr(11, 8);
}

}  // namespace

std::vector<std::string> event_columns() {
  return {"start",       "end",      "duration",  "scope",     "subject",  "kind",    "down at",
          "peak stress", "peak RTT", "peak loss", "signature", "vantages", "evidence"};
}

std::vector<std::vector<std::string>> event_rows(const Report& report) {
  std::vector<std::vector<std::string>> rows;
  const bool one_day = format_rfc3339(report.from, 0).substr(0, 10) == format_rfc3339(report.to - Duration(1), 0).substr(0, 10);
  for (const Event& e : report.events) {
    std::string vantages, evidence;
    for (const std::string& v : e.vantages) vantages += (vantages.empty() ? "" : ", ") + v;
    for (const std::string& text : e.evidence) evidence += (evidence.empty() ? "" : "; ") + text;
    const Timestamp end = e.end ? *e.end : report.to;
    rows.push_back({stamp(e.start, one_day), e.end ? stamp(*e.end, one_day) : "ongoing", human_duration(end - e.start),
                    std::string(to_string(e.scope)), e.subject, std::string(to_string(e.kind)),
                    e.down_at ? stamp(*e.down_at, one_day) : "-", one_decimal(e.peak_stress), one_decimal(e.peak_inflation) + "x",
                    percent(e.peak_loss), std::string(to_string(e.signature)), vantages, evidence});
  }
  return rows;
}

}  // namespace blackout::report
