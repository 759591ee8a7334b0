// Prometheus text exposition of the monitor's state.
#include "serve/metrics.hpp"

#include <cstdio>

namespace blackout {
namespace {

// Label values are escaped as the exposition format asks: backslash, quote, newline.
std::string label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string number(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(const char* name, std::initializer_list<std::pair<const char*, std::string_view>> labels, double value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [key, text] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += key;
        out_ += "=\"";
        out_ += label_value(text);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += number(value);
    out_ += '\n';
  }

 private:
  std::string& out_;
};

constexpr std::array<State, 4> all_states = {State::unknown, State::up, State::stressed, State::down};

}  // namespace

void ResultTally::add(const Result& result) {
  Check& c = checks_[result.vantage + "/" + result.target + "/" + result.check];
  if (c.target.empty()) {
    c.vantage = result.vantage;
    c.target = result.target;
    c.check = result.check;
  }
  ++c.outcomes[static_cast<std::size_t>(result.outcome)];
  if (is_success(result.outcome) && result.rtt) c.last_rtt = result.rtt;
  c.last_time = result.time;
}

std::string render_prometheus(const ResultTally& tally, const std::vector<TargetStatus>& targets,
                              const std::vector<EntityStatus>& aggregates, const HealthReading& health) {
  std::string out;
  Writer w(out);

  w.family("blackout_check_results_total", "counter", "Results per check and outcome (ok, timeout, refused, ...).");
  for (const auto& [key, c] : tally.checks())
    for (std::size_t i = 0; i < outcome_count; ++i)
      if (c.outcomes[i] > 0)
        w.sample(
            "blackout_check_results_total",
            {{"vantage", c.vantage}, {"target", c.target}, {"check", c.check}, {"outcome", to_string(static_cast<Outcome>(i))}},
            static_cast<double>(c.outcomes[i]));
  w.family("blackout_check_rtt_seconds", "gauge", "Round-trip time of the last successful result of a check.");
  for (const auto& [key, c] : tally.checks())
    if (c.last_rtt)
      w.sample("blackout_check_rtt_seconds", {{"vantage", c.vantage}, {"target", c.target}, {"check", c.check}},
               to_seconds(*c.last_rtt));
  w.family("blackout_check_last_result_timestamp_seconds", "gauge", "When the last result of a check was taken (Unix time).");
  for (const auto& [key, c] : tally.checks())
    w.sample("blackout_check_last_result_timestamp_seconds", {{"vantage", c.vantage}, {"target", c.target}, {"check", c.check}},
             to_seconds(c.last_time.time_since_epoch()));

  // States as one series per possible state (1 for the current one), the usual way to
  // expose an enum: alerting rules and Grafana can select on the label.
  w.family("blackout_target_state", "gauge", "1 for the target's current state as its vantage sees it, 0 for the others.");
  for (const TargetStatus& t : targets)
    for (const State s : all_states)
      w.sample("blackout_target_state",
               {{"vantage", t.vantage}, {"target", t.target}, {"layer", to_string(t.layer)}, {"state", to_string(s)}},
               t.state == s ? 1 : 0);
  w.family("blackout_target_stress", "gauge", "The target's stress index (1 = at the threshold; see docs/detection.md).");
  for (const TargetStatus& t : targets)
    w.sample("blackout_target_stress", {{"vantage", t.vantage}, {"target", t.target}, {"layer", to_string(t.layer)}},
             t.stress.stress);
  w.family("blackout_target_rtt_inflation", "gauge",
           "Recent median RTT over the baseline median, mean over the target's checks.");
  for (const TargetStatus& t : targets)
    w.sample("blackout_target_rtt_inflation", {{"vantage", t.vantage}, {"target", t.target}, {"layer", to_string(t.layer)}},
             t.stress.inflation);
  w.family("blackout_target_loss_ratio", "gauge", "Share of recent probes lost, mean over the target's checks.");
  for (const TargetStatus& t : targets)
    w.sample("blackout_target_loss_ratio", {{"vantage", t.vantage}, {"target", t.target}, {"layer", to_string(t.layer)}},
             t.stress.loss);

  w.family("blackout_layer_state", "gauge",
           "1 for a layer's current state (vantage \"\": combined over the vantages under the quorum).");
  for (const EntityStatus& e : aggregates)
    if (e.scope == Scope::layer)
      for (const State s : all_states)
        w.sample("blackout_layer_state", {{"vantage", e.vantage}, {"layer", e.subject}, {"state", to_string(s)}},
                 e.state == s ? 1 : 0);
  w.family("blackout_network_state", "gauge",
           "1 for the network's current state (vantage \"\": combined over the vantages under the quorum).");
  for (const EntityStatus& e : aggregates)
    if (e.scope == Scope::network)
      for (const State s : all_states)
        w.sample("blackout_network_state", {{"vantage", e.vantage}, {"state", to_string(s)}}, e.state == s ? 1 : 0);

  w.family("blackout_probes_launched_total", "counter", "Probes sent, confirmations included.");
  w.sample("blackout_probes_launched_total", {}, static_cast<double>(health.probes_launched));
  w.family("blackout_probes_completed_total", "counter", "Probes that completed with a result.");
  w.sample("blackout_probes_completed_total", {}, static_cast<double>(health.probes_completed));
  w.family("blackout_confirmations_total", "counter", "Re-probes sent at once to confirm a failure.");
  w.sample("blackout_confirmations_total", {}, static_cast<double>(health.confirmations));
  w.family("blackout_late_ticks_total", "counter", "Scheduled runs skipped because the schedule fell behind.");
  w.sample("blackout_late_ticks_total", {}, static_cast<double>(health.late_ticks));
  w.family("blackout_probes_lost_total", "counter", "Probes the watchdog gave up on (a bug in a probe if not zero).");
  w.sample("blackout_probes_lost_total", {}, static_cast<double>(health.lost_probes));
  w.family("blackout_probes_in_flight", "gauge", "Probes sent and not yet answered or timed out.");
  w.sample("blackout_probes_in_flight", {}, static_cast<double>(health.in_flight));
  w.family("blackout_probes_ready", "gauge", "Probes due and waiting for the rate limit or a concurrency cap.");
  w.sample("blackout_probes_ready", {}, static_cast<double>(health.ready));
  if (health.store_configured) {
    w.family("blackout_store_healthy", "gauge", "1 while the store accepts writes.");
    w.sample("blackout_store_healthy", {}, health.store_healthy ? 1 : 0);
    w.family("blackout_store_results_total", "counter", "Results committed to the store.");
    w.sample("blackout_store_results_total", {}, static_cast<double>(health.results_stored));
    w.family("blackout_store_dropped_total", "counter", "Results refused because the store's queue was full.");
    w.sample("blackout_store_dropped_total", {}, static_cast<double>(health.results_dropped));
    w.family("blackout_store_failed_writes_total", "counter", "Store transactions that failed (and were retried).");
    w.sample("blackout_store_failed_writes_total", {}, static_cast<double>(health.failed_writes));
    w.family("blackout_store_queue_depth", "gauge", "Results waiting to be written.");
    w.sample("blackout_store_queue_depth", {}, static_cast<double>(health.store_queue));
    w.family("blackout_store_last_write_seconds", "gauge", "How long the store's last transaction took.");
    w.sample("blackout_store_last_write_seconds", {}, health.last_write_seconds);
  }
  if (health.alerts_configured) {
    w.family("blackout_alerts_delivered_total", "counter", "Alert messages a receiver took (one per channel).");
    w.sample("blackout_alerts_delivered_total", {}, static_cast<double>(health.alerts_delivered));
    w.family("blackout_alert_failed_attempts_total", "counter", "Deliveries that failed and were retried.");
    w.sample("blackout_alert_failed_attempts_total", {}, static_cast<double>(health.alert_failed_attempts));
    w.family("blackout_alerts_given_up_total", "counter", "Messages given up after retrying for an hour.");
    w.sample("blackout_alerts_given_up_total", {}, static_cast<double>(health.alerts_given_up));
    w.family("blackout_alerts_dropped_total", "counter", "Messages dropped because the delivery queue was full.");
    w.sample("blackout_alerts_dropped_total", {}, static_cast<double>(health.alerts_dropped));
    w.family("blackout_alerts_queued", "gauge", "Messages waiting for delivery or a retry.");
    w.sample("blackout_alerts_queued", {}, static_cast<double>(health.alerts_queued));
  }
  if (!health.bgp_sessions.empty()) {
    const auto each = [&](const char* name, const char* type, const char* help, auto value) {
      w.family(name, type, help);
      for (const BgpSessionReading& s : health.bgp_sessions)
        w.sample(name, {{"session", s.session}}, static_cast<double>(value(s)));
    };
    each("blackout_bgp_session_up", "gauge",
         "1 while the BGP session is established with its table complete (its paths count), else 0.",
         [](const BgpSessionReading& s) { return s.established && s.table_complete ? 1 : 0; });
    each("blackout_bgp_session_established", "gauge", "1 while the BGP session is established, else 0.",
         [](const BgpSessionReading& s) { return s.established ? 1 : 0; });
    each("blackout_bgp_sessions_established_total", "counter", "Times the BGP session came up.",
         [](const BgpSessionReading& s) { return s.established_count; });
    each("blackout_bgp_updates_total", "counter", "UPDATE messages received.",
         [](const BgpSessionReading& s) { return s.updates; });
    each("blackout_bgp_announcements_total", "counter", "Prefixes announced to blackout.",
         [](const BgpSessionReading& s) { return s.announcements; });
    each("blackout_bgp_withdrawals_total", "counter", "Prefixes withdrawn from blackout.",
         [](const BgpSessionReading& s) { return s.withdrawals; });
    each("blackout_bgp_malformed_messages_total", "counter",
         "Malformed messages received (each ends the session with a NOTIFICATION).",
         [](const BgpSessionReading& s) { return s.malformed; });
  }
  w.family("blackout_http_requests_total", "counter", "Requests this endpoint answered.");
  w.sample("blackout_http_requests_total", {}, static_cast<double>(health.http_requests));
  w.family("blackout_http_rejected_total", "counter",
           "Requests refused: malformed, too large, too slow, unauthorised or over the connection cap.");
  w.sample("blackout_http_rejected_total", {}, static_cast<double>(health.http_rejected));
  w.family("blackout_uptime_seconds", "gauge", "Seconds since the monitor started.");
  w.sample("blackout_uptime_seconds", {}, health.uptime_seconds);
  return out;
}

}  // namespace blackout
