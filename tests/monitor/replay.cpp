// Monitor scenarios: the reader, the scripted probes and the runner (see replay.hpp).
#include "monitor/replay.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "config/loader.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "engine/random.hpp"
#include "model/event_json.hpp"
#include "monitor/monitor.hpp"
#include "report/replay.hpp"
#include "store/store.hpp"
#include "support/process.hpp"

namespace blackout::testing_support {
namespace {

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Every kind answers from the script: the last answer whose target and check match, among
// those already in force when the probe is sent. A timeout takes the check's timeout.
class ScriptedProbe final : public Probe {
 public:
  ScriptedProbe(CheckKind kind, const std::vector<ScriptedAnswer>& answers, EventLoop& loop)
      : kind_(kind), answers_(answers), loop_(loop) {}
  [[nodiscard]] CheckKind kind() const override { return kind_; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override { return {}; }
  [[nodiscard]] std::vector<Counter> counters() const override { return {}; }
  void start(const ProbeRequest& request, ProbeDone done) override {
    const Duration now = loop_.clock().now().time_since_epoch();
    ScriptedAnswer answer;
    answer.outcome = Outcome::internal_error;  // a script that says nothing of this check
    for (const ScriptedAnswer& a : answers_)
      if (a.from <= now && (a.target == "*" || a.target == request.target->name) &&
          (a.check == "*" || a.check == request.check->id))
        answer = a;
    Result result;
    result.outcome = answer.outcome;
    result.detail = "scripted";
    Duration delay = answer.rtt;
    if (answer.outcome == Outcome::timeout) delay = request.check->timeout;
    else if (is_success(answer.outcome)) result.rtt = answer.rtt;
    loop_.after(delay, [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
  }

 private:
  CheckKind kind_;
  const std::vector<ScriptedAnswer>& answers_;
  EventLoop& loop_;
};

class RecordingSink final : public AlertSink {
 public:
  void submit(const Notification& notification) override { sent.push_back(notification); }
  std::size_t stop(std::chrono::milliseconds /*limit*/) override { return 0; }
  std::vector<Notification> sent;
};

Duration duration_at(const std::string& text, const std::string& where) {
  auto parsed = parse_duration(text);
  if (!parsed) throw std::runtime_error(where + ": " + text + ": " + parsed.error().message);
  return *parsed;
}

std::string format_seconds(Duration d) {
  std::ostringstream out;
  out << to_seconds(d) << "s";
  return out.str();
}

}  // namespace

std::string Expectation::describe() const { return "line " + std::to_string(line); }

MonitorScenario read_monitor_scenario(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot be read");
  MonitorScenario s;
  s.name = path.filename().string();
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  // An indented block after a line ending in ':' (config:, reload:), de-indented by two.
  std::size_t i = 0;
  const auto block = [&]() {
    std::string text;
    while (i + 1 < lines.size() && (lines[i + 1].rfind("  ", 0) == 0 || lines[i + 1].empty())) {
      ++i;
      text += (lines[i].size() >= 2 ? lines[i].substr(2) : "") + "\n";
    }
    return text;
  };
  for (; i < lines.size(); ++i) {
    const std::string where = path.string() + ":" + std::to_string(i + 1);
    auto w = words_of(lines[i]);
    if (w.empty() || w[0][0] == '#') continue;
    const auto bad = [&](const std::string& why) { return std::runtime_error(where + ": " + why + ": " + lines[i]); };
    if (w[0] == "config:") {
      s.config = block();
    } else if (w[0] == "store:" && w.size() == 2 && (w[1] == "sqlite" || w[1] == "none")) {
      s.sqlite_store = w[1] == "sqlite";
    } else if (w[0] == "at" && w.size() >= 3) {
      const Duration at = duration_at(w[1], where);
      if (w[2] == "answer" && (w.size() == 6 || (w.size() == 8 && w[6] == "rtt"))) {
        ScriptedAnswer a;
        a.from = at;
        a.target = w[3];
        a.check = w[4];
        const auto outcome = outcome_from_string(w[5]);
        if (!outcome) throw bad("not an outcome: " + w[5]);
        a.outcome = *outcome;
        if (w.size() == 8) a.rtt = duration_at(w[7], where);
        s.answers.push_back(a);
      } else if (w[2] == "reload:" && w.size() == 3) {
        s.actions.push_back(ScriptedAction{ScriptedAction::Kind::reload, at, block()});
      } else if (w[2] == "stop" && w.size() == 3) {
        s.actions.push_back(ScriptedAction{ScriptedAction::Kind::stop, at, {}});
      } else {
        throw bad("not an answer, a reload or a stop");
      }
    } else if (w[0] == "expect" && w.size() >= 2) {
      Expectation e;
      e.line = static_cast<int>(i + 1);
      const auto scope = [&](const std::string& name) {
        auto parsed = scope_from_string(name);
        if (!parsed) throw bad("not a scope: " + name);
        return *parsed;
      };
      if (w[1] == "change" && w.size() == 8 && w[5] == "between") {
        e.kind = Expectation::Kind::change;
        e.scope = scope(w[2]);
        e.subject = w[3];
        const auto arrow = w[4].find("->");
        const std::string from_word = arrow == std::string::npos ? "" : w[4].substr(0, arrow);
        const auto from = from_word == "*"             ? std::optional<State>(State::unknown)
                          : arrow == std::string::npos ? std::nullopt
                                                       : state_from_string(from_word);
        e.any_from = from_word == "*";
        const auto to = arrow == std::string::npos ? std::nullopt : state_from_string(w[4].substr(arrow + 2));
        if (!from || !to) throw bad("not FROM->TO states: " + w[4]);
        e.from = *from;
        e.to = *to;
        e.earliest = duration_at(w[6], where);
        e.latest = duration_at(w[7], where);
      } else if (w[1] == "no" && w.size() == 5 && w[2] == "change") {
        e.kind = Expectation::Kind::no_change;
        e.scope = scope(w[3]);
        e.subject = w[4];
      } else if (w[1] == "alert" && w.size() == 6 && w[3] == "between") {
        e.kind = Expectation::Kind::alert;
        e.name = w[2];
        if (e.name != "opened" && e.name != "update" && e.name != "resolved") throw bad("not an alert kind: " + e.name);
        e.earliest = duration_at(w[4], where);
        e.latest = duration_at(w[5], where);
      } else if (w[1] == "alerts" && w.size() == 3) {
        e.kind = Expectation::Kind::alert_count;
        e.value = std::stod(w[2]);
      } else if (w[1] == "stat" && w.size() == 4) {
        e.kind = Expectation::Kind::stat;
        e.name = w[2];
        e.value = std::stod(w[3]);
      } else if (lines[i] == "expect stored every result") {
        e.kind = Expectation::Kind::stored_results;
      } else if (lines[i] == "expect stored events as analyze recomputes them") {
        e.kind = Expectation::Kind::stored_events;
      } else {
        throw bad("not an expectation this reader knows");
      }
      s.expectations.push_back(e);
    } else {
      throw bad("not a line this reader knows");
    }
  }
  if (s.config.empty()) throw std::runtime_error(path.string() + ": no config: block");
  std::stable_sort(s.actions.begin(), s.actions.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  if (s.actions.empty() || s.actions.back().kind != ScriptedAction::Kind::stop)
    throw std::runtime_error(path.string() + ": the last action must be a stop (a scenario ends by itself)");
  return s;
}

std::vector<std::string> run_monitor_scenario(const MonitorScenario& s) {
  std::vector<std::string> failures;
  auto loaded = load_config_text(s.config, s.name + " config");
  if (!loaded) {
    for (const ConfigError& e : loaded.error()) failures.push_back("config: " + e.to_string());
    return failures;
  }
  const Config config = *loaded;
  TempDir dir;
  ManualClock clock;
  const Timestamp wall_start = clock.wall_now();
  EventLoop loop(clock);
  SeededRandom random(7);
  ProbeSet probes(loop, random, ProbeSet::KindSet{});
  for (std::size_t k = 0; k < check_kind_count; ++k)
    probes.install(std::make_unique<ScriptedProbe>(static_cast<CheckKind>(k), s.answers, loop));
  const std::string url = "sqlite:" + (dir.path() / "monitor.db").string();
  std::unique_ptr<StoreWriter> writer;
  if (s.sqlite_store) {
    auto store = open_store(url);
    if (!store) return {"store: " + store.error().message};
    writer = std::make_unique<StoreWriter>(std::move(*store), WriterOptions{}, clock);
  }
  auto sink = std::make_unique<RecordingSink>();
  const RecordingSink& alerts = *sink;
  std::string reload_text;
  MonitorParts parts{clock,
                     loop,
                     random,
                     probes,
                     [&] { return load_config_text(reload_text, s.name + " reload"); },
                     std::move(writer),
                     std::move(sink),
                     nullptr,
                     nullptr};
  std::vector<StateChange> changes;
  MonitorSettings settings;
  settings.config_name = s.name;
  settings.on_change = [&](const StateChange& c) { changes.push_back(c); };
  Monitor monitor(std::move(parts), *loaded, settings);

  // Virtual time: jump from timer to timer up to `until`; nothing sleeps.
  const auto step_to = [&](MonoTime until) {
    for (std::size_t turns = 0; turns < 10'000'000; ++turns) {
      loop.run_once(Duration{0});
      const auto next = loop.next_timer();
      if (!next || *next > until) break;
      if (*next > clock.now()) clock.set(*next);
    }
    if (clock.now() < until) clock.set(until);
    loop.run_once(Duration{0});
  };
  monitor.start();
  for (const ScriptedAction& action : s.actions) {
    step_to(MonoTime{action.at});
    if (action.kind == ScriptedAction::Kind::reload) {
      reload_text = action.config;
      monitor.reload();
    } else {
      monitor.stop("the scenario's stop");
    }
  }
  const MonoTime drain_limit = clock.now() + std::chrono::minutes(2);
  while (!monitor.drained() && clock.now() < drain_limit) step_to(clock.now() + std::chrono::seconds(1));
  if (!monitor.drained()) failures.push_back("the monitor did not drain within 2 minutes of its stop");
  if (!monitor.finish(std::chrono::seconds(10))) failures.push_back("the monitor left results unwritten");

  const auto since_start = [&](Timestamp t) { return Duration{t - wall_start}; };
  for (const Expectation& e : s.expectations) {
    const std::string at = s.name + ":" + std::to_string(e.line) + ": ";
    switch (e.kind) {
      case Expectation::Kind::change: {
        std::string seen;
        bool found = false;
        for (const StateChange& c : changes) {
          if (c.scope != e.scope || c.subject != e.subject) continue;
          seen += " " + std::string(to_string(c.from)) + "->" + std::string(to_string(c.to)) + " at " +
                  format_seconds(since_start(c.time)) + (c.vantage.empty() ? "" : " (" + c.vantage + ")");
          found |= (e.any_from || c.from == e.from) && c.to == e.to && since_start(c.time) >= e.earliest &&
                   since_start(c.time) <= e.latest;
        }
        if (!found)
          failures.push_back(at + "no change " + (e.any_from ? std::string("*") : std::string(to_string(e.from))) + "->" +
                             std::string(to_string(e.to)) + " of " + e.subject + " between " + format_seconds(e.earliest) +
                             " and " + format_seconds(e.latest) + "; seen:" + (seen.empty() ? " none" : seen));
        break;
      }
      case Expectation::Kind::no_change:
        for (const StateChange& c : changes)
          if (c.scope == e.scope && c.subject == e.subject && c.from != State::unknown)
            failures.push_back(at + e.subject + " changed " + std::string(to_string(c.from)) + "->" +
                               std::string(to_string(c.to)) + " at " + format_seconds(since_start(c.time)));
        break;
      case Expectation::Kind::alert: {
        bool found = false;
        for (const Notification& n : alerts.sent)
          found |= to_string(n.kind) == e.name && since_start(n.time) >= e.earliest && since_start(n.time) <= e.latest;
        if (!found)
          failures.push_back(at + "no " + e.name + " alert between " + format_seconds(e.earliest) + " and " +
                             format_seconds(e.latest) + " (" + std::to_string(alerts.sent.size()) + " sent)");
        break;
      }
      case Expectation::Kind::alert_count:
        if (static_cast<double>(alerts.sent.size()) != e.value)
          failures.push_back(at + std::to_string(alerts.sent.size()) + " alerts sent, not " + std::to_string(e.value));
        break;
      case Expectation::Kind::stat: {
        const auto value = monitor.stats().value(e.name);
        if (!value || *value != e.value)
          failures.push_back(at + e.name + " is " + (value ? std::to_string(*value) : "not registered") + ", not " +
                             std::to_string(e.value));
        break;
      }
      case Expectation::Kind::stored_results:
      case Expectation::Kind::stored_events: {
        if (!s.sqlite_store) {
          failures.push_back(at + "nothing is stored without 'store: sqlite'");
          break;
        }
        auto store = open_store(url, StoreAccess::read_only);
        if (!store) {
          failures.push_back(at + store.error().message);
          break;
        }
        if (e.kind == Expectation::Kind::stored_results) {
          const auto stored = (*store)->count_results({});
          if (!stored || *stored != static_cast<std::int64_t>(monitor.results()) || monitor.results() == 0)
            failures.push_back(at + std::to_string(stored.value_or(-1)) + " results stored of " +
                               std::to_string(monitor.results()) + " the monitor took");
          break;
        }
        auto stored_events = (*store)->read_events({});
        auto recomputed = analyze_store(**store, config.targets, config.detection, {});
        if (!stored_events || !recomputed) {
          failures.push_back(at + "the store could not be read back");
          break;
        }
        if (stored_events->empty()) failures.push_back(at + "no event was stored");
        std::map<std::string, std::string> by_id;
        for (const Event& ev : *stored_events) by_id[ev.id] = event_to_json(ev);
        if (recomputed->events.size() != stored_events->size())
          failures.push_back(at + std::to_string(recomputed->events.size()) + " events recomputed, " +
                             std::to_string(stored_events->size()) + " stored");
        for (const Event& ev : recomputed->events) {
          const auto it = by_id.find(ev.id);
          if (it == by_id.end()) failures.push_back(at + "analyze found " + ev.id + ", which the monitor did not store");
          else if (nlohmann::json::parse(it->second) != nlohmann::json::parse(event_to_json(ev)))
            failures.push_back(at + ev.id + " stored as " + it->second + ", recomputed as " + event_to_json(ev));
        }
        break;
      }
    }
  }
  return failures;
}

}  // namespace blackout::testing_support
