// The dashboard's routes and live updates.
#include "serve/dashboard.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "report/event_text.hpp"
#include "serve/api.hpp"
#include "serve/dashboard_charts.hpp"

namespace blackout {

namespace {

HttpResponse json(std::string body) {
  HttpResponse r;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

constexpr std::size_t max_limit = 1'000'000;

// A whole number written in decimal digits only, at most `most`; nothing else.
std::optional<std::size_t> whole_number(const std::string& text, std::size_t most) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value > most) return std::nullopt;
  return value;
}

HttpResponse bad_request(std::string why) {
  HttpResponse r;
  r.status = 400;
  r.body = std::move(why) + "\n";
  return r;
}

}  // namespace

Dashboard::Dashboard(HttpServer& server, DashboardSources sources, HistoryOptions history)
    : server_(server), sources_(std::move(sources)), history_(history) {
  if (!sources_.detector || !sources_.events) throw std::invalid_argument("Dashboard: a detector and its event log are required");
  install();
}

void Dashboard::install() {
  server_.route("/", [] {
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(dashboard_html());
    return r;
  });
  server_.route("/api/v1/state", [this] {
    return json(state_to_json(sources_.now(), sources_.detector->target_statuses(), sources_.detector->aggregate_statuses()));
  });
  server_.route("/api/v1/targets", [this] {
    return json(targets_to_json(sources_.now(), sources_.targets(), sources_.detector->target_statuses()));
  });
  server_.route("/api/v1/events", [this](const HttpRequest& request) {
    std::vector<Event> events = sources_.events->events();
    // ?limit=N: the N latest only, so that a page on a wall need not take every target event.
    // Anything but a whole number from 0 to 1,000,000 is the client's mistake, said as such
    // (it was an empty list with 200 for -1, abc or 1e23).
    if (const std::string limit = query_parameter(request.query, "limit"); !limit.empty()) {
      const auto keep = whole_number(limit, max_limit);
      if (!keep) return bad_request("limit: expected a whole number from 0 to " + std::to_string(max_limit) + ", got " + limit);
      if (events.size() > *keep) events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(*keep));
    }
    return json(events_to_json(events, sources_.events->waves()) + "\n");
  });
  server_.route("/api/v1/series", [this](const HttpRequest& request) { return series(request); });
  server_.route("/api/v1/chart", [this](const HttpRequest& request) { return chart(request); });
  server_.stream("/api/v1/stream",
                 [this] { return "event: hello\ndata: {\"time\":\"" + format_rfc3339(sources_.now()) + "\"}\n\n"; });
}

HttpResponse Dashboard::series(const HttpRequest& request) const {
  const std::string scope = query_parameter(request.query, "scope"), subject = query_parameter(request.query, "subject");
  const std::string vantage = query_parameter(request.query, "vantage");
  if (scope == "network") return json(series_to_json("network", "network", "", history_.network()));
  if (scope == "layer") {
    const auto layer = layer_from_string(subject);
    if (!layer) return bad_request("subject: not a layer: " + subject);
    return json(series_to_json("layer", subject, "", history_.layer(*layer)));
  }
  if (scope == "target") {
    if (subject.empty()) return bad_request("subject: a target name is required");
    auto points = history_.target(subject, vantage);
    if (points.empty()) {
      HttpResponse r = bad_request("no such target: " + subject);
      r.status = 404;
      return r;
    }
    return json(series_to_json("target", subject, vantage, points));
  }
  return bad_request("scope: target, layer or network");
}

HttpResponse Dashboard::chart(const HttpRequest& request) const {
  const std::string scope = query_parameter(request.query, "scope"), subject = query_parameter(request.query, "subject");
  std::string layer_name = query_parameter(request.query, "layer");
  int width = 1040;
  if (const std::string w = query_parameter(request.query, "width"); !w.empty()) {
    const auto asked = whole_number(w, 1'000'000);
    if (!asked) return bad_request("width: expected a whole number of pixels, got " + w);
    width = static_cast<int>(std::clamp<std::size_t>(*asked, 320, 2400));
  }
  HttpResponse r;
  r.content_type = "image/svg+xml";
  const std::vector<Event> events = sources_.events->events();
  if (!layer_name.empty() || scope == "layer") {
    if (layer_name.empty()) layer_name = subject;
    const auto layer = layer_from_string(layer_name);
    if (!layer) return bad_request("not a layer: " + layer_name);
    std::size_t targets = 0;
    for (const Target& t : sources_.targets()) targets += t.layer == *layer && !t.control ? 1 : 0;
    r.body = layer_chart_svg(*layer, targets, history_.layer(*layer), events, sources_.stress_threshold, width);
  } else if (scope == "network") {
    r.body = network_chart_svg(history_.network(), events, sources_.stress_threshold, width);
  } else if (scope == "target") {
    auto points = history_.target(subject, query_parameter(request.query, "vantage"));
    if (points.empty()) {
      HttpResponse missing = bad_request("no such target: " + subject);
      missing.status = 404;
      return missing;
    }
    r.body = target_chart_svg(subject, points, events, width);
  } else {
    return bad_request("layer=NAME, or scope=target|layer|network and subject=NAME");
  }
  return r;
}

void Dashboard::snapshot(Timestamp at) {
  history_.snapshot(at, sources_.detector->target_statuses());
  if (server_.stream_clients() > 0) server_.broadcast("tick", "{\"time\":\"" + format_rfc3339(at) + "\"}");
}

void Dashboard::publish(const std::vector<StateChange>& changes) {
  if (changes.empty() || server_.stream_clients() == 0) return;
  nlohmann::json list = nlohmann::json::array();
  for (const StateChange& c : changes)
    list.push_back({{"time", format_rfc3339(c.time)},
                    {"scope", std::string(to_string(c.scope))},
                    {"subject", c.subject},
                    {"vantage", c.vantage},
                    {"state", std::string(to_string(c.to))}});
  server_.broadcast("change", list.dump());  // one line: JSON never holds a raw newline
}

}  // namespace blackout
