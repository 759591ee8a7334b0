// The monitor's runtime (see monitor.hpp).
#include "monitor/monitor.hpp"

#include "model/time.hpp"
#include "util/log.hpp"

namespace blackout {

void log_session_change(const std::string& session, const bgp::SessionChange& change) {
  if (change.reason == bgp::DownReason::stopped) return;
  const bool lost = change.from == bgp::SessionState::established;
  const bool up = change.to == bgp::SessionState::established;
  if (!lost && !up && (change.reason == bgp::DownReason::none || change.reason == bgp::DownReason::connect_failed)) return;
  log::logger().write(up ? log::Level::info : log::Level::warn,
                      up     ? "bgp.session_established"
                      : lost ? "bgp.session_lost"
                             : "bgp.session_failed",
                      {{"session", session},
                       {"from", bgp::to_string(change.from)},
                       {"to", bgp::to_string(change.to)},
                       {"reason", bgp::to_string(change.reason)},
                       {"detail", change.detail}});
}

Monitor::Monitor(MonitorParts parts, Config config, MonitorSettings settings)
    : parts_(std::move(parts)),
      settings_(std::move(settings)),
      detector_(config.targets, config.detection),
      current_{std::make_unique<Config>(std::move(config)), nullptr},
      started_at_(parts_.clock.now()) {
  // Alerts follow the config the monitor started with (a reload does not change them).
  if (parts_.alerts && !current_.config->alerts.rules.empty())
    notifier_ = std::make_unique<Notifier>(current_.config->alerts, current_.config->targets);
  // Host names, resolved on the loop; each lookup is a resolve result through the same path
  // as a probe's. The resolver's settings are read at start; a reload changes its names only.
  names_ = std::make_unique<NameTable>(parts_.loop, current_.config->resolver, [this](Result&& r) { take(std::move(r)); });

  register_scheduler_stats(stats_, [this]() -> const SchedulerCounters& { return current_.scheduler->counters(); });
  if (parts_.writer) parts_.writer->register_stats(stats_);
  if (parts_.alerts) parts_.alerts->register_stats(stats_);
  if (parts_.collector) parts_.collector->register_stats(stats_);
  stats_.counter("blackout_config_reloads_total", "Reloads (SIGHUP) that replaced the running config.",
                 [this] { return static_cast<double>(reloads_); });
  stats_.counter("blackout_config_reload_failures_total", "Reloads refused because the file did not load; the config stayed.",
                 [this] { return static_cast<double>(failed_reloads_); });
  if (parts_.http) parts_.http->register_stats(stats_);
  stats_.gauge("blackout_uptime_seconds", "Seconds since the monitor started.",
               [this] { return to_seconds(parts_.clock.now() - started_at_); });

  start_generation();
  if (parts_.writer) parts_.writer->submit_config(*current_.config, parts_.clock.wall_now());
  if (parts_.http) serve(*parts_.http);
  log_unavailable();
}

Monitor::~Monitor() = default;

void Monitor::start_generation() {
  names_->set_targets(current_.config->targets, current_.config->vantage, current_.config->lab_only);
  current_.scheduler = std::make_unique<Scheduler>(
      parts_.loop, parts_.random, current_.config->targets, parts_.probes.table(), current_.config->vantage,
      [this](Result&& r) { take(std::move(r)); }, settings_.limits);
  current_.scheduler->set_address_book(names_.get());
}

void Monitor::log_unavailable() const {
  for (const auto& [kind, reason] : parts_.probes.unavailable()) {
    std::size_t affected = 0;
    for (const Target& target : current_.config->targets)
      for (const Check& check : target.checks) affected += check.kind == kind ? 1 : 0;
    if (affected > 0) log::warn("checks.cannot_run", {{"kind", to_string(kind)}, {"checks", affected}, {"reason", reason}});
  }
}

void Monitor::start() {
  if (names_->size() > 0) {
    // The first lookups before the first probes, so that no check starts with "not resolved
    // yet". c-ares ends each lookup by itself; the bound only guards against a bug.
    const ResolverConfig& r = current_.config->resolver;
    const int servers = static_cast<int>(std::max<std::size_t>(1, r.servers.size()));
    const Duration bound =
        std::min<Duration>(r.timeout * (1 << r.tries) * servers + std::chrono::seconds(1), std::chrono::seconds(60));
    if (!parts_.clock.is_manual()) parts_.loop.run_until([&] { return names_->settled(); }, parts_.clock.now() + bound);
    log::info("resolve.started",
              {{"names", names_->size()}, {"servers", names_->servers()}, {"settled", names_->settled() ? "yes" : "no"}});
  }
  parts_.loop.after(std::chrono::seconds(1), [this] { tick(); });
  log::info("monitor.started", {{"config", settings_.config_name},
                                {"vantage", current_.config->vantage},
                                {"targets", current_.config->targets.size()},
                                {"checks", current_.scheduler->scheduled()},
                                {"names", names_->size()},
                                {"store", parts_.writer ? parts_.writer->describe() : "none"},
                                {"bgp_sessions", current_.config->bgp.sessions.size()}});
  if (!stopping_) current_.scheduler->start();  // a signal may have come during the first lookups
}

void Monitor::take(Result&& result) {
  ++results_;
  tally_.add(result);
  detector_.add(result);
  if (dashboard_) dashboard_->add(result);
  // A state change is told (logged, stored, alerted) at once: the tick only refreshes open events.
  if (detector_.has_new_state_changes()) flush_detection(true);
  if (settings_.on_result) settings_.on_result(result);
  if (parts_.writer) parts_.writer->submit(std::move(result));
}

void Monitor::send_alerts(const std::vector<Notification>& notifications) {
  for (const Notification& n : notifications) {
    log::info("alert", {{"incident", n.incident}, {"kind", to_string(n.kind)}, {"title", n.title}});
    parts_.alerts->submit(n);
  }
}

// changes_only: the state changes go out at once (log, store, alerts, dashboard); events and
// waves, signed as they stand, wait for the once-a-second tick so that a mass outage of
// thousands of targets costs one signing a second, not one each. Only what changed since
// the last tick is taken (and stored): the detector forgets what it handed over.
void Monitor::flush_detection(bool changes_only) {
  auto changes = detector_.take_new_state_changes();
  if (dashboard_) dashboard_->publish(changes);
  if (notifier_)
    for (const StateChange& c : changes) send_alerts(notifier_->add(c));
  for (const StateChange& c : changes)
    if (c.scope != Scope::target && c.vantage.empty())
      log::info("state.change", {{"scope", to_string(c.scope)},
                                 {"subject", c.subject},
                                 {"from", to_string(c.from)},
                                 {"to", to_string(c.to)},
                                 {"at", format_rfc3339(c.time)}});
  if (settings_.on_change)
    for (const StateChange& c : changes) settings_.on_change(c);
  EventLog::Told events;
  if (!changes_only) events = told_.take_from(detector_);
  if (!parts_.writer || (changes.empty() && events.events.empty() && events.waves.empty())) return;
  parts_.writer->submit_detection(std::move(changes), std::move(events.events), std::move(events.waves));
}

void Monitor::tick() {
  flush_detection(false);
  // The dashboard's history gets a point every 2 s: 720 points then hold 24 minutes.
  if (dashboard_ && ++ticks_ % 2 == 0) dashboard_->snapshot(parts_.clock.wall_now());
  if (notifier_) send_alerts(notifier_->tick(parts_.clock.wall_now()));
  if (!drained()) parts_.loop.after(std::chrono::seconds(1), [this] { tick(); });
}

bool Monitor::reload() {
  auto reloaded = parts_.load_config();
  if (!reloaded) {
    ++failed_reloads_;
    for (const ConfigError& error : reloaded.error()) log::error("config.reload_failed", {{"error", error.to_string()}});
    log::warn("config.kept",
              {{"config", settings_.config_name}, {"why", "the new file does not load; the running config stays"}});
    return false;
  }
  auto next = std::make_unique<Config>(std::move(*reloaded));
  // Where results go and under which name is the monitor's, not the file's, to change.
  next->vantage = current_.config->vantage;
  next->store = current_.config->store;
  current_.scheduler->stop();
  retiring_.push_back(std::move(current_));
  current_ = Generation{std::move(next), nullptr};
  start_generation();
  if (!stopping_) current_.scheduler->start();
  detector_.set_targets(current_.config->targets);
  if (parts_.writer) parts_.writer->submit_config(*current_.config, parts_.clock.wall_now());
  ++reloads_;
  log_unavailable();
  log::info("config.reloaded", {{"config", settings_.config_name},
                                {"targets", current_.config->targets.size()},
                                {"checks", current_.scheduler->scheduled()}});
  return true;
}

void Monitor::stop(std::string_view why) {
  if (stopping_) return;
  stopping_ = true;
  log::info("monitor.stopping", {{"why", std::string(why)}, {"in_flight", current_.scheduler->counters().in_flight}});
  current_.scheduler->stop();
}

bool Monitor::drained() {
  retiring_.remove_if([](const Generation& g) { return g.scheduler->idle(); });
  return stopping_ && current_.scheduler->idle() && retiring_.empty();
}

void Monitor::run() {
  parts_.loop.run_until([this] { return drained(); }, MonoTime::max());
}

bool Monitor::finish(Duration limit) {
  if (parts_.collector) parts_.collector->stop();
  flush_detection(false);
  if (notifier_) {
    send_alerts(notifier_->flush(parts_.clock.wall_now()));
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(limit);
    if (const std::size_t left = parts_.alerts->stop(wait); left > 0)
      log::warn("alerts.undelivered",
                {{"messages", left}, {"why", "the monitor is stopping and the receivers did not take them in time"}});
  }
  const SchedulerCounters& c = current_.scheduler->counters();
  bool all_written = true;
  if (parts_.writer) all_written = parts_.writer->flush_and_stop(limit);
  log::info("monitor.stopped", {{"results", results_},
                                {"launched", c.launched},
                                {"confirmations", c.confirmations},
                                {"lost", c.lost},
                                {"stored", parts_.writer ? parts_.writer->counters().committed.load() : 0},
                                {"dropped", parts_.writer ? parts_.writer->counters().dropped.load() : 0}});
  return all_written;
}

std::string Monitor::metrics() const {
  return render_prometheus(tally_, detector_.target_statuses(), detector_.aggregate_statuses(), stats_);
}

void Monitor::serve(HttpServer& http) {
  http.route("/metrics", [this] {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics();
    return r;
  });
  // The dashboard at /, the JSON API under /api/v1/ and its live stream.
  DashboardSources sources;
  sources.detector = &detector_;
  sources.events = &told_;
  sources.targets = [this]() -> const std::vector<Target>& { return current_.config->targets; };
  sources.now = [this] { return parts_.clock.wall_now(); };
  sources.stress_threshold = stress_index_threshold;
  dashboard_ = std::make_unique<Dashboard>(http, std::move(sources));
  http.route("/healthz", [this] {
    HttpResponse r;
    const bool healthy = !parts_.writer || parts_.writer->counters().healthy.load();
    r.status = healthy ? 200 : 503;
    r.body = healthy ? "ok\n" : "the store is not accepting writes\n";
    return r;
  });
}

}  // namespace blackout
