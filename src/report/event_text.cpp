// Events and waves told for a terminal.
#include "report/event_text.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace blackout {
namespace {

std::string clock_time(Timestamp t) { return format_rfc3339(t, 0).substr(11, 8); }

std::string span(Timestamp from, std::optional<Timestamp> to) {
  if (!to) return "ongoing";
  const double minutes = to_seconds(*to - from) / 60;
  char text[32];
  if (minutes < 1) std::snprintf(text, sizeof text, "%.0f s", to_seconds(*to - from));
  else if (minutes < 120) std::snprintf(text, sizeof text, "%.0f min", minutes);
  else std::snprintf(text, sizeof text, "%.1f h", minutes / 60);
  return text;
}

}  // namespace

std::string events_to_text(const std::vector<Event>& events, const std::vector<Wave>& waves) {
  std::map<std::string, const Event*> by_id;
  for (const Event& e : events) by_id[e.id] = &e;
  std::string out;
  char line[512];
  if (waves.empty()) out += "No layer or network-wide outage.\n";
  else {
    const Timestamp first = waves.front().start;
    const auto last_end = waves.back().end;
    std::snprintf(line, sizeof line, "%zu wave%s of outages over %s (from %s).\n", waves.size(), waves.size() == 1 ? "" : "s",
                  span(first, last_end).c_str(), format_rfc3339(first, 0).c_str());
    out += line;
  }
  for (std::size_t i = 0; i < waves.size(); ++i) {
    const Wave& w = waves[i];
    std::snprintf(line, sizeof line, "\nWave %zu: %s to %s (%s)\n", i + 1, clock_time(w.start).c_str(),
                  w.end ? clock_time(*w.end).c_str() : "now", span(w.start, w.end).c_str());
    out += line;
    if (!w.cascade.empty()) {
      out += "  cascade:";
      for (const CascadeStep& step : w.cascade)
        out += " " + std::string(to_string(step.layer)) + " " + clock_time(step.at) + " ->";
      out.resize(out.size() - 3);
      out += "\n";
    }
    double peak_inflation = 1, peak_loss = 0;
    for (const std::string& id : w.events) {
      const Event* e = by_id[id];
      if (!e) continue;
      peak_inflation = std::max(peak_inflation, e->peak_inflation);
      peak_loss = std::max(peak_loss, e->peak_loss);
      std::snprintf(line, sizeof line, "  %-7s %-8s %-8s %s, %s to %s, %s: %s\n", std::string(to_string(e->scope)).c_str(),
                    e->subject.c_str(), std::string(to_string(e->kind)).c_str(),
                    e->down_at ? ("down at " + clock_time(*e->down_at)).c_str() : "never down", clock_time(e->start).c_str(),
                    e->end ? clock_time(*e->end).c_str() : "now", std::string(to_string(e->signature)).c_str(),
                    e->evidence.empty() ? "" : e->evidence[0].c_str());
      out += line;
    }
    std::snprintf(line, sizeof line, "  peak stress: %.1fx the normal round-trip time, %.0f%% loss\n", peak_inflation,
                  peak_loss * 100);
    out += line;
  }
  std::size_t target_events = 0;
  for (const Event& e : events) target_events += e.scope == Scope::target ? 1 : 0;
  std::snprintf(line, sizeof line, "\n%zu target events in all.\n", target_events);
  out += line;
  return out;
}

}  // namespace blackout
