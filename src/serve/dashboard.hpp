// The dashboard and its API on an HttpServer (docs/api.md): the page at `/`, the JSON
// documents (state, targets, events, series), charts as SVG from the reports' chart module,
// and live updates as Server-Sent Events on /api/v1/stream. The monitor feeds it results
// as they come and the serve command as it replays a store; both through the same detector.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/detector.hpp"
#include "detect/event_log.hpp"
#include "serve/history.hpp"
#include "serve/http_server.hpp"

namespace blackout {

struct DashboardSources {
  const Detector* detector = nullptr;
  const EventLog* events = nullptr;                     // what the detector told, as its owner takes it
  std::function<const std::vector<Target>&()> targets;  // the running config's (a reload changes them)
  std::function<Timestamp()> now;
  double stress_threshold = 1.0;
};

class Dashboard {
 public:
  Dashboard(HttpServer& server, DashboardSources sources, HistoryOptions history = {});

  // Each result, as the detector got it.
  void add(const Result& result) { history_.add(result); }
  // Closes the history's bins at `at` and tells stream clients to refresh their charts.
  void snapshot(Timestamp at);
  // Tells stream clients what changed state (targets, layers, the network).
  void publish(const std::vector<StateChange>& changes);

  [[nodiscard]] const History& history() const { return history_; }

 private:
  void install();
  HttpResponse series(const HttpRequest& request) const;
  HttpResponse chart(const HttpRequest& request) const;

  HttpServer& server_;
  DashboardSources sources_;
  History history_;
};

// The dashboard page, embedded from web/dashboard.html at build time.
std::string_view dashboard_html();

}  // namespace blackout
