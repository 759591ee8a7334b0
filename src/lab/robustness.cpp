// Adding up scored runs.
#include "lab/robustness.hpp"

#include <cstdio>

namespace blackout::lab {
namespace {

std::string percent(int part, int whole) {
  if (whole == 0) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%d of %d (%.0f%%)", part, whole, 100.0 * part / whole);
  return text;
}

std::string label(const RobustnessRun& run) { return run.seed ? "seed " + std::to_string(*run.seed) : run.name; }

}  // namespace

RobustnessTotals add_up(const std::vector<RobustnessRun>& runs) {
  RobustnessTotals t;
  for (const RobustnessRun& run : runs) {
    const RunScore& s = run.score;
    if (!s.lab_failures.empty()) {
      std::string why;
      for (const std::string& f : s.lab_failures) why += " " + f + ";";
      t.void_runs.push_back(label(run) + ":" + why);
      continue;
    }
    ++t.runs;
    std::string why;
    for (const ExpectedOutcome& o : s.expected) {
      if (o.truth.expected.signature) {
        ++t.signatures_judged;
        if (o.match && o.signature_ok) ++t.signatures_right;
        else
          why += " signature of " + std::string(to_string(o.truth.expected.scope)) + " " + o.truth.expected.subject + ": " +
                 (o.match ? std::string(to_string(o.match->signature)) : std::string("missed")) + " (expected " +
                 std::string(to_string(*o.truth.expected.signature)) + ");";
      }
      if (o.match && !o.kind_ok)
        why += " kind of " + std::string(to_string(o.truth.expected.scope)) + " " + o.truth.expected.subject + ": " +
               std::string(to_string(o.match->kind)) + " (expected " + std::string(to_string(o.truth.expected.kind)) + ");";
      if (o.match && !o.cascade_ok) why += " cascade of " + o.truth.expected.subject + ": " + o.detected_cascade + ";";
      if (o.match) {
        ++t.boundaries_judged;
        if (o.timing_ok) t.boundaries_right++;
        else why += " boundary of " + std::string(to_string(o.truth.expected.scope)) + " " + o.truth.expected.subject + ";";
      } else {
        why += " missed " + std::string(to_string(o.truth.expected.scope)) + " " + o.truth.expected.subject + ";";
      }
    }
    if (s.waves_expected) {
      ++t.waves_judged;
      if (*s.waves_expected == s.waves_detected) ++t.waves_right;
      else why += " waves " + std::to_string(s.waves_detected) + " (expected " + std::to_string(*s.waves_expected) + ");";
    }
    for (const FaultOutcome& f : s.faults) {
      const bool ok = f.found && f.told_right;
      if (f.truth.fault.expect == "none") {
        ++t.quiet_floods;
        t.quiet_floods_silent += ok;
      } else {
        ++t.faults;
        t.faults_found += f.found;
        if (f.truth.fault.kind == "flood") {
          ++t.floods;
          t.floods_told += ok;
        }
      }
      if (!ok) why += " fault " + f.truth.fault.kind + " at " + f.truth.fault.subject + ": " + f.detected + ";";
    }
    t.false_events += static_cast<int>(s.false_events.size());
    for (const Event& e : s.false_events)
      why += " false " + std::string(to_string(e.scope)) + " " + e.subject + " " + std::string(to_string(e.kind)) + ";";
    if (run.live_agreement) {
      t.live_same += run.live_agreement->first;
      t.live_events += run.live_agreement->second;
    }
    if (s.pass()) ++t.passed;
    else t.failing.push_back(label(run) + ":" + why);
  }
  return t;
}

std::string robustness_table(const std::vector<RobustnessRun>& runs, const RobustnessTotals& t) {
  std::string out =
      "| Run | Interval | Waves (detected / true) | Signatures right | Boundaries within 2 intervals | Faults found and told "
      "right | False layer/network events | Result |\n"
      "|---|---|---|---|---|---|---|---|\n";
  char line[512];
  for (const RobustnessRun& run : runs) {
    const RunScore& s = run.score;
    int sig = 0, sig_judged = 0, bound = 0, bound_judged = 0, faults_ok = 0;
    for (const ExpectedOutcome& o : s.expected) {
      if (o.truth.expected.signature) ++sig_judged, sig += o.match && o.signature_ok;
      if (o.match) ++bound_judged, bound += o.timing_ok;
    }
    for (const FaultOutcome& f : s.faults) faults_ok += f.found && f.told_right;
    std::snprintf(line, sizeof line, "| %s | %s | %d / %s | %d of %d | %d of %d | %d of %zu | %zu | %s |\n", label(run).c_str(),
                  format_duration(s.tolerance / 2).c_str(), s.waves_detected,
                  s.waves_expected ? std::to_string(*s.waves_expected).c_str() : "–", sig, sig_judged, bound, bound_judged,
                  faults_ok, s.faults.size(), s.false_events.size(), s.pass() ? "pass" : "FAIL");
    out += line;
  }
  out += "\n";
  out += "- runs: " + std::to_string(t.runs) + ", passing in every respect: " + percent(t.passed, t.runs) + "\n";
  out += "- signatures right: " + percent(t.signatures_right, t.signatures_judged) + " (target: 95% or more)\n";
  out += "- wave counts right: " + percent(t.waves_right, t.waves_judged) + " (target: all)\n";
  out += "- boundaries within two probe intervals: " + percent(t.boundaries_right, t.boundaries_judged) + "\n";
  out += "- faults found at their scope: " + percent(t.faults_found, t.faults) + " (target: all)\n";
  out += "- floods told as stress: " + percent(t.floods_told, t.floods) + " (target: all)\n";
  out += "- floods under the bottleneck that made no event: " + percent(t.quiet_floods_silent, t.quiet_floods) + "\n";
  out += "- false layer or network events: " + std::to_string(t.false_events) + " (target: 0)\n";
  if (t.live_events > 0)
    out += "- live events equal to `analyze`'s: " + percent(t.live_same, t.live_events) + " (target: 99% or more)\n";
  if (!t.void_runs.empty()) {
    out += "\nRuns left out, the lab having failed an action (play them again):\n";
    for (const std::string& f : t.void_runs) out += "- " + f + "\n";
  }
  if (!t.failing.empty()) {
    out += "\nRuns that failed in some respect (replay one with `blackout lab run --random SEED`):\n";
    for (const std::string& f : t.failing) out += "- " + f + "\n";
  }
  return out;
}

}  // namespace blackout::lab
