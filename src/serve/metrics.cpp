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
  void sample(const std::string& name, const StatLabels& labels, double value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_ += ',';
        out_ += labels[i].first;
        out_ += "=\"";
        out_ += label_value(labels[i].second);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += number(value);
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
                              const std::vector<EntityStatus>& aggregates, const Stats& stats) {
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

  // The monitor's own health: whatever its parts registered, in the order they did.
  for (const StatFamily& f : stats.families()) {
    const std::vector<StatSample> samples = f.read();
    if (samples.empty()) continue;
    w.family(f.name.c_str(), std::string(to_string(f.type)).c_str(), f.help.c_str());
    for (const StatSample& sample : samples) w.sample(f.name, sample.labels, sample.value);
  }
  return out;
}

}  // namespace blackout
