// Scoring runs against ground truth.
#include "lab/score.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "report/event_text.hpp"

namespace blackout::lab {
namespace {

Timestamp end_or(const Event& e, Timestamp fallback) { return e.end.value_or(fallback); }

Duration overlap(Timestamp a0, Timestamp a1, Timestamp b0, Timestamp b1) {
  const auto lo = std::max(a0, b0), hi = std::min(a1, b1);
  return hi > lo ? hi - lo : Duration::zero();
}

std::string seconds(Duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.1fs", to_seconds(d));
  return text;
}

}  // namespace

int RunScore::found() const {
  return static_cast<int>(std::count_if(expected.begin(), expected.end(), [](const auto& e) { return e.match.has_value(); }));
}

bool RunScore::pass() const {
  if (!lab_failures.empty()) return false;
  for (const auto& e : expected)
    if (!e.pass()) return false;
  if (!false_events.empty()) return false;
  if (max_target_events >= 0 && target_events > max_target_events) return false;
  if (waves_expected && *waves_expected != waves_detected) return false;
  for (const auto& f : faults)
    if (!f.found || !f.told_right) return false;
  return true;
}

std::optional<Duration> RunScore::worst_latency() const {
  std::optional<Duration> worst;
  for (const auto& e : expected)
    if (e.latency && e.truth.expected.scope != Scope::target && (!worst || *e.latency > *worst)) worst = e.latency;
  return worst;
}

RunScore score_run(const GroundTruth& truth, const std::vector<Event>& events, const std::vector<Wave>& waves, Duration tolerance,
                   const std::vector<Declaration>& declarations) {
  RunScore score;
  score.scenario = truth.scenario;
  score.tolerance = tolerance;
  score.max_target_events = truth.max_target_events;
  score.waves_expected = truth.waves;
  score.waves_detected = static_cast<int>(waves.size());
  score.lab_failures = truth.lab_failures;
  const Timestamp horizon = truth.end + std::chrono::hours(1);
  std::vector<bool> used(events.size(), false);
  for (const GroundTruthEvent& g : truth.events) {
    ExpectedOutcome o;
    o.truth = g;
    std::optional<std::size_t> best;
    Duration best_overlap{-1};
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      if (e.scope != g.expected.scope || e.subject != g.expected.subject) continue;
      const Duration shared = overlap(e.start, end_or(e, horizon), g.start - tolerance, g.end + tolerance);
      if (shared <= Duration::zero()) continue;
      if (shared > best_overlap) {
        best_overlap = shared;
        best = i;
      }
    }
    if (best) {
      const Event& e = events[*best];
      used[*best] = true;
      o.match = e;
      o.start_error = e.start - g.start;
      if (e.end) o.end_error = *e.end - g.end;
      o.kind_ok = e.kind == g.expected.kind;
      o.signature_ok = !g.expected.signature || e.signature == *g.expected.signature;
      o.timing_ok = std::chrono::abs(*o.start_error) <= tolerance && o.end_error && std::chrono::abs(*o.end_error) <= tolerance;
      for (const Declaration& d : declarations) {
        if (d.scope != g.expected.scope || d.subject != g.expected.subject || d.to == "up") continue;
        if (d.declared < g.start - tolerance || d.declared > g.end) continue;
        o.latency = d.declared - g.start;
        break;
      }
      // Further events of the same subject inside the true interval: the event came apart.
      for (std::size_t i = 0; i < events.size(); ++i) {
        if (i == *best || events[i].scope != g.expected.scope || events[i].subject != g.expected.subject) continue;
        if (overlap(events[i].start, end_or(events[i], horizon), g.start, g.end) > Duration::zero()) {
          ++o.fragments;
          used[i] = true;
        }
      }
      o.cascade_ok = true;
      if (!g.expected.cascade.empty()) {
        const Wave* wave = nullptr;
        for (const Wave& w : waves)
          if (std::find(w.events.begin(), w.events.end(), e.id) != w.events.end()) wave = &w;
        std::vector<std::string> order;
        if (wave)
          for (const CascadeStep& step : wave->cascade) {
            order.emplace_back(to_string(step.layer));
            o.detected_cascade += (o.detected_cascade.empty() ? "" : ", ") + std::string(to_string(step.layer)) + " " +
                                  seconds(step.at - truth.t0).substr(1);
          }
        // The expected layers must appear in the detected cascade in the expected order.
        std::size_t position = 0;
        for (const std::string& layer : g.expected.cascade) {
          const auto it =
              std::find(order.begin() + static_cast<std::ptrdiff_t>(std::min(position, order.size())), order.end(), layer);
          if (it == order.end()) {
            o.cascade_ok = false;
            break;
          }
          position = static_cast<std::size_t>(it - order.begin()) + 1;
        }
      }
    }
    score.expected.push_back(o);
  }
  // Faults: found at their scope, and told as what they were.
  for (const GroundTruthFault& f : truth.faults) {
    FaultOutcome o;
    o.truth = f;
    // A flood too weak to queue must make no event of its own: it is judged until another
    // fault begins, less the tolerance of a boundary (an event dated a lost probe early is that
    // fault's, not the flood's).
    Timestamp judged_end = f.end;
    if (f.fault.expect == "none")
      for (const GroundTruthFault& other : truth.faults)
        if (&other != &f && other.fault.expect != "none" && other.end > f.start && other.start < judged_end)
          judged_end = std::max(f.start, other.start - tolerance);
    const Event* best = nullptr;
    Duration best_overlap{-1};
    for (const Event& e : events) {
      if (e.scope != f.fault.scope || e.subject != f.fault.subject) continue;
      const Duration shared = f.fault.expect == "none"
                                  ? overlap(e.start, end_or(e, horizon), f.start, judged_end)
                                  : overlap(e.start, end_or(e, horizon), f.start - tolerance, f.end + tolerance);
      if (shared > best_overlap && shared > Duration::zero()) {
        best_overlap = shared;
        best = &e;
      }
    }
    if (f.fault.expect == "none") {
      o.found = best == nullptr;
      o.told_right = o.found;
    } else if (best) {
      o.found = true;
      o.told_right =
          f.fault.expect == "stressed" ? best->kind == State::stressed || is_stress(best->signature) : best->kind == State::down;
    }
    o.detected = best ? std::string(to_string(best->scope)) + " " + best->subject + " " + std::string(to_string(best->kind)) +
                            " " + std::string(to_string(best->signature))
                      : "nothing";
    score.faults.push_back(std::move(o));
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.scope == Scope::target) {
      ++score.target_events;
      if (!used[i]) ++score.target_events_unexpected;
      continue;
    }
    if (!used[i] && e.start >= truth.t0) score.false_events.push_back(e);
  }
  return score;
}

std::pair<int, int> live_agreement(const std::vector<Event>& stored, const std::vector<Event>& offline) {
  // As the document tells them (times to the millisecond).
  const auto key = [](const Event& e) {
    return format_rfc3339(e.start) + "|" + (e.end ? format_rfc3339(*e.end) : std::string("open")) + "|" +
           std::string(to_string(e.kind)) + "|" + std::string(to_string(e.signature));
  };
  std::map<std::string, std::string> live, replayed;
  for (const Event& e : stored) live[e.id] = key(e);
  for (const Event& e : offline) replayed[e.id] = key(e);
  std::set<std::string> ids;
  for (const auto& [id, k] : live) ids.insert(id);
  for (const auto& [id, k] : replayed) ids.insert(id);
  int same = 0;
  for (const std::string& id : ids)
    if (live.contains(id) && replayed.contains(id) && live[id] == replayed[id]) ++same;
  return {same, static_cast<int>(ids.size())};
}

std::string score_to_text(const RunScore& s) {
  std::string out = "score for " + s.scenario + " (tolerance " + format_duration(s.tolerance) + "):\n";
  for (const std::string& failure : s.lab_failures) out += "  LAB FAILED " + failure + " (the run is void: replay it)\n";
  char line[512];
  for (const ExpectedOutcome& o : s.expected) {
    const auto& x = o.truth.expected;
    const std::string what = std::string(to_string(x.scope)) + " " + x.subject + " " + std::string(to_string(x.kind)) +
                             " story " + format_duration(x.from) + "-" + format_duration(x.to);
    if (!o.match) {
      std::snprintf(line, sizeof line, "  MISSED %-44s\n", what.c_str());
    } else {
      std::snprintf(
          line, sizeof line, "  %-6s %-44s start %s end %s%s kind %s%s%s%s%s\n", o.pass() ? "ok" : "WRONG", what.c_str(),
          seconds(*o.start_error).c_str(), o.end_error ? seconds(*o.end_error).c_str() : "open",
          o.latency ? (" told after " + seconds(*o.latency).substr(1)).c_str() : "",
          std::string(to_string(o.match->kind)).c_str(),
          !x.signature ? ""
                       : (" signature " + std::string(to_string(o.match->signature)) +
                          (o.signature_ok ? "" : " (expected " + std::string(to_string(*x.signature)) + ")"))
                             .c_str(),
          x.cascade.empty() ? "" : (" cascade [" + o.detected_cascade + "]" + (o.cascade_ok ? "" : " (wrong order)")).c_str(),
          o.fragments ? (" +" + std::to_string(o.fragments) + " fragments").c_str() : "", "");
    }
    out += line;
  }
  for (const Event& e : s.false_events) {
    std::snprintf(line, sizeof line, "  FALSE  %s %s %s from %s\n", std::string(to_string(e.scope)).c_str(), e.subject.c_str(),
                  std::string(to_string(e.kind)).c_str(), format_rfc3339(e.start).c_str());
    out += line;
  }
  std::snprintf(line, sizeof line,
                "  found %d of %zu expected events; %zu false layer/network events; %d target events (%d not expected)",
                s.found(), s.expected.size(), s.false_events.size(), s.target_events, s.target_events_unexpected);
  out += line;
  if (s.max_target_events >= 0) out += ", at most " + std::to_string(s.max_target_events) + " allowed";
  if (s.waves_expected)
    out += "; waves " + std::to_string(s.waves_detected) + " (expected " + std::to_string(*s.waves_expected) + ")";
  for (const FaultOutcome& f : s.faults) {
    std::snprintf(line, sizeof line, "\n  fault %-6s %-13s %-7s %-9s story %s-%s%s: %s", f.found && f.told_right ? "ok" : "WRONG",
                  f.truth.fault.kind.c_str(), std::string(to_string(f.truth.fault.scope)).c_str(), f.truth.fault.subject.c_str(),
                  format_duration(f.truth.fault.from).c_str(), format_duration(f.truth.fault.to).c_str(),
                  f.truth.fault.intensity > 0 ? (" (" + std::to_string(f.truth.fault.intensity).substr(0, 4) + "x, " +
                                                 format_duration(f.truth.fault.delay) + " queue)")
                                                    .c_str()
                                              : "",
                  f.detected.c_str());
    out += line;
  }
  out += std::string("\n  ") + (s.pass() ? "PASS" : "FAIL") + "\n";
  return out;
}

std::string score_to_json(const RunScore& s) {
  nlohmann::ordered_json j;
  j["scenario"] = s.scenario;
  j["pass"] = s.pass();
  j["tolerance_s"] = to_seconds(s.tolerance);
  j["found"] = s.found();
  j["expected"] = nlohmann::ordered_json::array();
  for (const ExpectedOutcome& o : s.expected) {
    nlohmann::ordered_json e;
    e["scope"] = std::string(to_string(o.truth.expected.scope));
    e["subject"] = o.truth.expected.subject;
    e["kind"] = std::string(to_string(o.truth.expected.kind));
    e["found"] = o.match.has_value();
    e["pass"] = o.pass();
    if (o.match) {
      e["event"] = o.match->id;
      e["start_error_s"] = to_seconds(*o.start_error);
      e["end_error_s"] = o.end_error ? nlohmann::ordered_json(to_seconds(*o.end_error)) : nlohmann::ordered_json(nullptr);
      e["latency_s"] = o.latency ? nlohmann::ordered_json(to_seconds(*o.latency)) : nlohmann::ordered_json(nullptr);
      e["kind_ok"] = o.kind_ok;
      e["signature"] = std::string(to_string(o.match->signature));
      if (o.truth.expected.signature) e["expected_signature"] = std::string(to_string(*o.truth.expected.signature));
      e["signature_ok"] = o.signature_ok;
      e["cascade_ok"] = o.cascade_ok;
      e["fragments"] = o.fragments;
    }
    j["expected"].push_back(e);
  }
  const auto worst = s.worst_latency();
  j["worst_latency_s"] = worst ? nlohmann::ordered_json(to_seconds(*worst)) : nlohmann::ordered_json(nullptr);
  j["false_events"] = nlohmann::ordered_json::array();
  for (const Event& e : s.false_events) j["false_events"].push_back(e.id);
  j["target_events"] = s.target_events;
  j["faults"] = nlohmann::ordered_json::array();
  for (const FaultOutcome& f : s.faults) {
    nlohmann::ordered_json o;
    o["kind"] = f.truth.fault.kind;
    o["scope"] = std::string(to_string(f.truth.fault.scope));
    o["subject"] = f.truth.fault.subject;
    o["expect"] = f.truth.fault.expect;
    if (f.truth.fault.intensity > 0) o["intensity"] = f.truth.fault.intensity;
    o["found"] = f.found;
    o["told_right"] = f.told_right;
    o["detected"] = f.detected;
    j["faults"].push_back(o);
  }
  j["waves_detected"] = s.waves_detected;
  if (s.waves_expected) j["waves_expected"] = *s.waves_expected;
  return j.dump(2);
}

}  // namespace blackout::lab
