// Check and target state machines.
#include "detect/tracker.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace blackout {

void CheckTracker::add(const Result& result, bool learn, const DetectionParams& params) {
  // A check that cannot run here says nothing about the target; neither does a bgp check
  // without a collector session (a lost session is not a withdrawn prefix).
  if (result.outcome == Outcome::not_permitted || result.outcome == Outcome::internal_error || result.outcome == Outcome::no_session) return;
  const bool ok = is_success(result.outcome);
  known_ = true;
  last_outcome_ = result.outcome;
  window_.push_back(Sample{result.time, ok, ok ? result.rtt : std::nullopt});
  while (window_.size() > static_cast<std::size_t>(params.window)) window_.pop_front();
  if (ok) {
    if (passes_ == 0) passing_since_ = result.time;
    ++passes_;
    failures_ = 0;
    if (failing_ && passes_ >= params.rise) {
      failing_ = false;
      // The failures of an outage that is over are not stress now.
      window_.erase(window_.begin(), window_.end() - std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(window_.size()), passes_));
    }
    if (learn && result.rtt) baseline_.add(*result.rtt);
  } else {
    if (failures_ == 0) failing_since_ = result.time;
    ++failures_;
    passes_ = 0;
    if (failures_ >= params.fall) failing_ = true;
  }
}

double CheckTracker::loss() const {
  // Loss is failures between answers. A trailing run of failures is not loss yet: it may be
  // the start of an outage, and counting it would call every clean cut "stressed" for the
  // moment before its confirmations make it down.
  const auto last_answer = std::find_if(window_.rbegin(), window_.rend(), [](const Sample& s) { return s.ok; });
  if (last_answer == window_.rend()) return 0;
  const auto judged_end = last_answer.base();
  const auto lost = std::count_if(window_.begin(), judged_end, [](const Sample& s) { return !s.ok; });
  // One lost probe is noise, whatever the window: with a short window it would otherwise be
  // a third of the samples and make a router with one check "stressed".
  if (lost < 2) return 0;
  return static_cast<double>(lost) / static_cast<double>(judged_end - window_.begin());
}

std::optional<Timestamp> CheckTracker::trouble_onset(const DetectionParams& params) const {
  const auto base = baseline_.samples() >= static_cast<std::size_t>(params.baseline_min_samples) ? baseline_.median() : std::nullopt;
  const double slow = base ? std::max<double>(static_cast<double>(base->count()), static_cast<double>(params.rtt_floor.count())) * params.inflation_threshold : 0;
  const auto bad = [&](const Sample& s) { return !s.ok || (base && s.rtt && static_cast<double>(s.rtt->count()) >= slow); };
  // Walk back from the newest sample through the latest run of bad samples, a run that
  // single good ones (a probe that got through a flood) do not break but two in a row end:
  // a stray loss before a quiet stretch is not when this trouble began.
  std::optional<Timestamp> onset;
  int goods_in_a_row = 0;
  for (auto it = window_.rbegin(); it != window_.rend(); ++it) {
    if (bad(*it)) {
      onset = it->time;
      goods_in_a_row = 0;
    } else if (++goods_in_a_row >= 2 && onset) {
      break;
    }
  }
  return onset;
}

std::optional<double> CheckTracker::inflation(const DetectionParams& params) const {
  if (baseline_.samples() < static_cast<std::size_t>(params.baseline_min_samples)) return std::nullopt;
  std::vector<double> recent;
  for (const Sample& s : window_)
    if (s.rtt) recent.push_back(static_cast<double>(s.rtt->count()));
  const auto recent_median = median_of(recent);
  const auto base = baseline_.median();
  if (!recent_median || !base || base->count() <= 0) return std::nullopt;
  // The floor keeps a LAN-fast baseline from turning jitter into "stress".
  return *recent_median / std::max<double>(static_cast<double>(base->count()), static_cast<double>(params.rtt_floor.count()));
}

std::optional<State> TargetTracker::add(const Result& result, const DetectionParams& params) {
  auto it = checks_.find(result.check);
  if (it == checks_.end()) it = checks_.emplace(result.check, CheckTracker(params)).first;
  it->second.add(result, state_ == State::up || state_ == State::unknown, params);

  // Stress: mean loss and mean inflation over the checks that have data.
  int known = 0, failing = 0, with_inflation = 0;
  double loss = 0, inflation = 0;
  std::vector<Timestamp> failing_since;
  for (const auto& [id, check] : checks_) {
    if (!check.known()) continue;
    ++known;
    failing += check.failing() ? 1 : 0;
    if (check.failing()) failing_since.push_back(check.failing_since());
    loss += check.loss();
    if (const auto i = check.inflation(params)) {
      inflation += *i;
      ++with_inflation;
    }
  }
  if (known == 0) return std::nullopt;
  stress_.loss = loss / known;
  stress_.inflation = with_inflation ? std::max(1.0, inflation / with_inflation) : 1.0;
  stress_.stress = std::max(0.0, (stress_.inflation - 1) / (params.inflation_threshold - 1)) + stress_.loss / params.loss_threshold;

  if (stress_.stress >= params.stress_enter) {
    ++above_;
    below_ = 0;
    if (above_ >= params.stress_rise) stressed_ = true;
  } else if (stress_.stress < params.stress_leave) {
    ++below_;
    above_ = 0;
    if (below_ >= params.stress_fall) stressed_ = false;
  }

  if (state_ == State::down && failing * 2 < known) {
    // Back from down: stress is about a target that answers, judged afresh on what it
    // answers now (the failures of the outage have left the windows). A flooded target
    // that answers again, slowly, goes on being stressed in the same event.
    stressed_ = stress_.stress >= params.stress_enter;
    above_ = below_ = 0;
  }
  State next;
  if (failing * 2 >= known && failing > 0) {
    next = State::down;
    reason_ = std::to_string(failing) + " of " + std::to_string(known) + " checks failing (last: " + std::string(to_string(it->second.last_outcome())) + ")";
  } else if (stressed_) {
    next = State::stressed;
    char text[96];
    std::snprintf(text, sizeof text, "stress %.2f: %.1fx RTT, %.0f%% loss", stress_.stress, stress_.inflation, stress_.loss * 100);
    reason_ = text;
  } else {
    next = State::up;
    reason_ = "checks passing";
  }
  if (next == state_) return std::nullopt;
  Timestamp since = result.time;
  if (next == State::down) {
    // Down from the moment enough checks had begun failing: the k-th earliest failure run.
    std::sort(failing_since.begin(), failing_since.end());
    const std::size_t needed = std::max<std::size_t>(static_cast<std::size_t>((known + 1) / 2), 1);
    since = failing_since[std::min(failing_since.size(), needed) - 1];
  } else if (state_ == State::down && !it->second.failing()) {
    since = it->second.passing_since();
  } else if (next == State::stressed) {
    // Stressed from when the trouble began, not from when the window's median showed it.
    for (const auto& [id, check] : checks_)
      if (const auto onset = check.trouble_onset(params); onset && *onset < since) since = *onset;
  }
  // Never before the state it follows began.
  since_ = std::max(since, since_);
  state_ = next;
  return next;
}

}  // namespace blackout
