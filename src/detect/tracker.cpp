// Check and target state machines.
#include "detect/tracker.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace blackout {
namespace {

// Failures of a run remembered one by one: enough for any silence to be judged (the chance
// that 256 probes are all lost to loss is nil at any answer ratio worth the name).
constexpr std::size_t max_run_times = 256;
// A "gone" answer (an ICMP unreachable, a withdrawn prefix) is the network's own word, not
// a lost packet; it still counts for no more than a lost probe of a path this lossy, since a
// route that flaps for a moment says it too.
constexpr double gone_chance = 0.1;
// A slow answer (inflation_threshold times the baseline or more) is taken to come nine times
// in ten from a full queue, and in normal times as often as the check's own past says, under
// a prior worth `slowness_prior_weight` probes that expects one in two hundred (so that a
// check that never answered slowly in its baseline is not taken for one that never can), or
// three in a hundred for a check that resends what it loses (see resends()): in the lab's
// randomised runs, over paths losing 2 to 5% of their packets, HTTP answered slowly that
// often before any fault and SMTP far more, which the few probes of a short baseline cannot
// learn; a weaker prior would hide a flood's first slow answers over TCP (the signs of a
// queue keep one in two hundred for every check). A
// stressed path is taken to lose probes at loss_threshold, a normal one at its own background
// loss (at least one in a hundred).
constexpr double slow_when_normal = 0.005;
constexpr double slow_when_normal_resending = 0.03;
constexpr double slowness_prior_weight = 100;
constexpr double slow_when_stressed = 0.9;
constexpr double least_background_loss = 0.01;
// The evidence one slow answer gives on a check that never answers slowly: the unit of "a
// sign of a queue" (see congested_since).
const double one_slow_answer = std::log(slow_when_stressed / slow_when_normal) * 0.99;

}  // namespace

Reply classify(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
    case Outcome::cert_expiring: return Reply::ok;
    case Outcome::refused:
    case Outcome::reset:
    case Outcome::tls_error:
    case Outcome::bad_status:
    case Outcome::bad_body:
    case Outcome::bad_answer:
    case Outcome::servfail:
    case Outcome::refused_by_server:
    case Outcome::nxdomain:
    case Outcome::smtp_rejected:
    case Outcome::bad_reply: return Reply::refused;
    case Outcome::unreachable_net:
    case Outcome::unreachable_host:
    case Outcome::unreachable_admin:
    case Outcome::unreachable_other:
    case Outcome::ttl_exceeded:
    case Outcome::network_error:
    case Outcome::withdrawn: return Reply::gone;
    case Outcome::timeout:
    case Outcome::not_reached: return Reply::silent;
    // A check that cannot run here, a probe's own bug, a bgp check without a collector
    // session, a name that never resolved: nothing said about the target.
    case Outcome::resolve_error:
    case Outcome::not_permitted:
    case Outcome::internal_error:
    case Outcome::no_session: return Reply::ignored;
  }
  return Reply::ignored;
}

bool resends(CheckKind kind) { return kind == CheckKind::tcp || kind == CheckKind::http || kind == CheckKind::smtp; }

bool is_service_check(CheckKind kind) {
  switch (kind) {
    case CheckKind::tcp:
    case CheckKind::http:
    case CheckKind::dns:
    case CheckKind::smtp: return true;
    default: return false;
  }
}

double CheckTracker::background_loss() const {
  if (fate_baseline_.empty()) return 0.5;
  const double lost = static_cast<double>(baseline_lost_), probes = static_cast<double>(fate_baseline_.size());
  return std::max(least_background_loss, (lost + 1) / (probes + 2));
}

double CheckTracker::background_slowness(bool as_any_check) const {
  const double slow = static_cast<double>(baseline_slow_);
  const double answered = static_cast<double>(fate_baseline_.size() - baseline_lost_);
  const double prior = resends(kind_) && !as_any_check ? slow_when_normal_resending : slow_when_normal;
  return (slow + prior * slowness_prior_weight) / (answered + slowness_prior_weight);
}

StressEvidence CheckTracker::evidence_of(Reply answer, std::optional<Duration> rtt, const DetectionParams& params) const {
  StressEvidence e;
  // A service that says no, or a network that says there is no way, is not a lossy path;
  // a lost probe waits for the next answer (see add()).
  if (answer != Reply::ok) return e;
  const double background = background_loss();
  const double stressed_loss = std::max(params.loss_threshold, background);
  e.loss = std::log((1 - stressed_loss) / (1 - background)) + pending_lost_ * std::log(stressed_loss / background);
  if (const auto slow = slow_threshold(params); slow && rtt) {
    const bool is_slow = static_cast<double>(rtt->count()) >= *slow;
    const auto weigh = [&](double normally) {
      return is_slow ? std::log(slow_when_stressed / normally) : std::log((1 - slow_when_stressed) / (1 - normally));
    };
    e.delay = weigh(background_slowness(false));
    e.queue_sign = weigh(background_slowness(true));
  }
  return e;
}

bool CheckTracker::add(const Result& result, bool learn, const DetectionParams& params) {
  const Reply answer = classify(result.outcome);
  if (answer == Reply::ignored) return false;
  known_ = true;
  last_outcome_ = result.outcome;
  const bool ok = answer == Reply::ok;
  last_evidence_ = StressEvidence{};
  if (!result.confirmation) {
    last_evidence_ = evidence_of(answer, ok ? result.rtt : std::nullopt, params);
    last_evidence_.from = pending_lost_ > 0 ? pending_since_ : result.time;
    if (answer == Reply::silent) {
      if (pending_lost_++ == 0) pending_since_ = result.time;
    } else {
      pending_lost_ = 0;
    }
    window_.push_back(Sample{result.time, ok, ok ? result.rtt : std::nullopt});
    while (window_.size() > static_cast<std::size_t>(std::max(1, params.window))) window_.pop_front();
    if (answer == Reply::ok || answer == Reply::silent)
      fate_unlearned_.push_back(!ok ? Fate::lost : is_slow(result.rtt, params) ? Fate::slow : Fate::answered);
    while (fate_unlearned_.size() > fate_learning_lag) {
      const Fate fate = fate_unlearned_.front();
      fate_unlearned_.pop_front();
      if (!learn) continue;
      fate_baseline_.push_back(fate);
      baseline_lost_ += fate == Fate::lost ? 1 : 0;
      baseline_slow_ += fate == Fate::slow ? 1 : 0;
      if (fate_baseline_.size() > static_cast<std::size_t>(std::max(4, params.baseline_samples))) {
        baseline_lost_ -= fate_baseline_.front() == Fate::lost ? 1 : 0;
        baseline_slow_ -= fate_baseline_.front() == Fate::slow ? 1 : 0;
        fate_baseline_.pop_front();
      }
    }
  }
  if (ok) {
    if (passes_ == 0) passing_since_ = result.time;
    ++passes_;
    if (recovered_passes_ == 0) recovered_since_ = result.time;
    ++recovered_passes_;
    lone_loss_ = false;
    run_ = 0;
    run_refused_ = run_gone_ = false;
    run_times_.clear();
    last_answer_ = result.time;
    if (learn && result.rtt && !result.confirmation) baseline_.add(*result.rtt);
  } else {
    if (run_ == 0) run_since_ = result.time;
    ++run_;
    // A silence right after a pass may be loss; a second one, or a refusal, is not.
    if (answer == Reply::silent && passes_ > 0 && !result.confirmation) {
      lone_loss_ = true;
    } else if (!(answer == Reply::silent && lone_loss_ && result.confirmation)) {
      recovered_passes_ = 0;
      lone_loss_ = false;
    }
    passes_ = 0;
    if (answer == Reply::refused) {
      run_refused_ = true;
      last_answer_ = result.time;  // the host answered, if only to say no
    }
    if (answer == Reply::gone) run_gone_ = true;
    if (run_times_.size() < max_run_times) run_times_.push_back(result.time);
  }
  return true;
}

int CheckTracker::failures_after(Timestamp t) const {
  if (run_ == 0) return 0;
  const auto first = std::upper_bound(run_times_.begin(), run_times_.end(), t);
  // Failures past the remembered ones came after every remembered one: counted as after t.
  return static_cast<int>(run_times_.end() - first) + (run_ - static_cast<int>(run_times_.size()));
}

bool CheckTracker::answered_well_since(Timestamp t, const DetectionParams& params) const {
  const auto slow = slow_threshold(params);
  bool any = false;
  for (auto it = window_.rbegin(); it != window_.rend() && it->time >= t; ++it) {
    if (bad(*it, slow)) return false;
    any = true;
  }
  return any;
}

bool CheckTracker::answered_well_between(Timestamp from, Timestamp to, const DetectionParams& params) const {
  const auto slow = slow_threshold(params);
  for (auto it = window_.rbegin(); it != window_.rend() && it->time >= from; ++it)
    if (it->time <= to && !bad(*it, slow)) return true;
  return false;
}

std::optional<Timestamp> CheckTracker::first_failure_after(Timestamp t) const {
  const auto first = std::upper_bound(run_times_.begin(), run_times_.end(), t);
  if (first == run_times_.end()) return std::nullopt;
  return *first;
}

std::optional<double> CheckTracker::slow_threshold(const DetectionParams& params) const {
  if (baseline_.samples() < static_cast<std::size_t>(params.baseline_min_samples)) return std::nullopt;
  const auto base = baseline_.median();
  if (!base) return std::nullopt;
  return std::max<double>(static_cast<double>(base->count()), static_cast<double>(params.rtt_floor.count())) *
         params.inflation_threshold;
}

bool CheckTracker::bad(const Sample& s, std::optional<double> slow) const {
  return !s.ok || (slow && s.rtt && static_cast<double>(s.rtt->count()) >= *slow);
}

bool CheckTracker::is_slow(std::optional<Duration> rtt, const DetectionParams& params) const {
  const auto slow = slow_threshold(params);
  return slow && rtt && static_cast<double>(rtt->count()) >= *slow;
}

bool CheckTracker::degraded_before_run(const DetectionParams& params, Duration lookback, bool count_slow) const {
  const auto slow = count_slow ? slow_threshold(params) : std::nullopt;
  const Timestamp end = run_ > 0 ? run_since_ : Timestamp::max();
  const Timestamp from = std::max(stress_from_, run_ > 0 ? run_since_ - lookback : Timestamp::min());
  int looked = 0, bad_ones = 0;
  for (auto it = window_.rbegin(); it != window_.rend(); ++it) {
    if (it->time >= end) continue;
    if (it->time < from && looked >= 3) break;
    if (it->time < stress_from_) break;
    ++looked;
    bad_ones += bad(*it, slow) ? 1 : 0;
  }
  return bad_ones >= 2 && bad_ones * 2 >= looked;
}

double CheckTracker::loss_chance(const DetectionParams& params, std::optional<Timestamp> trouble_from) const {
  const auto slow = slow_threshold(params);
  // The probes before the current run, since the last recovery (or since the target's
  // congestion began), oldest first.
  std::vector<const Sample*> before;
  for (const Sample& s : window_)
    if (s.time >= stress_from_ && (!trouble_from || s.time >= *trouble_from) && (run_ == 0 || s.time < run_since_))
      before.push_back(&s);
  // Congestion just before the silence (a queue filling, probes lost): judge the silence by
  // how the path answered since that trouble began, not by the good times before it.
  std::size_t from = 0;
  if (!trouble_from && degraded_before_run(params, Duration::zero())) {
    int goods_in_a_row = 0;
    for (std::size_t i = before.size(); i-- > 0;) {
      if (bad(*before[i], slow)) {
        from = i;
        goods_in_a_row = 0;
      } else if (++goods_in_a_row >= 2) {
        break;
      }
    }
  }
  double answered = 0, probes = 0;
  for (std::size_t i = from; i < before.size(); ++i) {
    probes += 1;
    answered += before[i]->ok ? 1 : 0;
  }
  // The answer ratio's expected value under a prior: uniform on a clean path (Laplace's rule:
  // twenty answers of twenty make loss about 5%); on a congested one, a prior that expects
  // three probes in four lost until the path's own answers say otherwise, so that the first
  // silences of a flood are not taken for a cut on the strength of one or two answers.
  const double lost_prior = trouble_from ? 3 : 1;
  return 1 - (answered + 1) / (probes + 1 + lost_prior);
}

double CheckTracker::silence_chance(const DetectionParams& params, std::optional<Timestamp> trouble_from) const {
  if (run_ == 0) return 1;
  double q = loss_chance(params, trouble_from);
  if (run_gone_) q = std::min(q, gone_chance);
  return std::pow(q, run_);
}

double CheckTracker::silence_chance_after(Timestamp t, const DetectionParams& params,
                                          std::optional<Timestamp> trouble_from) const {
  const int failures = failures_after(t);
  if (failures == 0) return 1;
  double q = loss_chance(params, trouble_from);
  if (run_gone_) q = std::min(q, gone_chance);
  return std::pow(q, failures);
}

double CheckTracker::loss(const DetectionParams& params, Timestamp from) const {
  // A short trailing run of failures is not loss yet: it may be the start of an outage, and
  // counting it would call every clean cut "stressed" for the moment before it is down. A
  // service that answers "no" is failing, not lossy.
  const bool judge_run = run_ >= params.fall && !run_refused_;
  std::size_t probes = 0, lost = 0;
  for (const Sample& s : window_) {
    if (s.time < stress_from_ || s.time < from) continue;
    if (run_ > 0 && s.time >= run_since_ && !judge_run) continue;
    ++probes;
    lost += s.ok ? 0 : 1;
  }
  // One lost probe is noise, whatever the window.
  if (lost < 2 || probes == 0) return 0;
  return static_cast<double>(lost) / static_cast<double>(probes);
}

std::optional<Duration> CheckTracker::recent_rtt(Timestamp from) const {
  std::vector<double> recent;
  for (const Sample& s : window_)
    if (s.time >= stress_from_ && s.time >= from && s.rtt) recent.push_back(static_cast<double>(s.rtt->count()));
  const auto median = median_of(recent);
  if (!median) return std::nullopt;
  return Duration{static_cast<Duration::rep>(*median)};
}

std::optional<Duration> CheckTracker::normal_rtt(const DetectionParams& params) const {
  if (baseline_.samples() < static_cast<std::size_t>(params.baseline_min_samples)) return std::nullopt;
  return baseline_.median();
}

std::optional<double> CheckTracker::inflation(const DetectionParams& params, Timestamp from) const {
  const auto base = normal_rtt(params);
  const auto recent = recent_rtt(from);
  if (!base || !recent || base->count() <= 0) return std::nullopt;
  // The floor keeps a LAN-fast baseline from turning jitter into "stress".
  return static_cast<double>(recent->count()) /
         std::max<double>(static_cast<double>(base->count()), static_cast<double>(params.rtt_floor.count()));
}

std::optional<Timestamp> CheckTracker::trouble_onset(const DetectionParams& params) const {
  const auto slow = slow_threshold(params);
  // Walk back from the newest probe through the latest run of bad ones, a run that single
  // good ones (a probe that got through a flood) do not break but two in a row end.
  std::optional<Timestamp> onset;
  int goods_in_a_row = 0;
  for (auto it = window_.rbegin(); it != window_.rend() && it->time >= stress_from_; ++it) {
    if (bad(*it, slow)) {
      onset = it->time;
      goods_in_a_row = 0;
    } else if (++goods_in_a_row >= 2 && onset) {
      break;
    }
  }
  return onset;
}

std::pair<int, std::optional<Timestamp>> CheckTracker::good_stretch(const DetectionParams& params) const {
  // Walk back from the newest probe over answers at a normal RTT; a single lost probe between
  // two of them is background loss and neither counts nor breaks the stretch, while two in a
  // row, or a slow answer, end it.
  if (run_ > 0) return {0, std::nullopt};
  const auto slow = slow_threshold(params);
  int good = 0, lost_in_a_row = 0;
  std::optional<Timestamp> since;
  for (auto it = window_.rbegin(); it != window_.rend() && it->time >= stress_from_; ++it) {
    if (!it->ok) {
      if (++lost_in_a_row >= 2) break;
      continue;
    }
    if (bad(*it, slow)) break;
    lost_in_a_row = 0;
    ++good;
    since = it->time;
  }
  return {good, since};
}

void TargetTracker::read_stress(const DetectionParams& params) {
  // Over the checks that answer at all: a service that says "no" is a service failure, and a
  // check that never answered (ICMP filtered, say) was never a measure of this path.
  // While stressed, the figures of the stressed spell itself: a short flood is not diluted
  // by the good times before it in the window.
  const Timestamp from = stressed_ && stressed_since_ ? *stressed_since_ : Timestamp::min();
  int counted = 0, with_inflation = 0;
  double loss = 0, inflation = 0, most_inflated = 0;
  StressReading reading;
  for (const auto& [id, check] : checks_) {
    if (!check.known() || !check.ever_answered() || check.run_refused()) continue;
    ++counted;
    loss += check.loss(params, from);
    if (const auto i = check.inflation(params, from)) {
      inflation += *i;
      ++with_inflation;
      if (*i > most_inflated) {
        most_inflated = *i;
        reading.rtt = check.recent_rtt(from);
        reading.normal = check.normal_rtt(params);
      }
    }
  }
  if (counted > 0) {
    reading.loss = loss / counted;
    reading.inflation = with_inflation ? std::max(1.0, inflation / with_inflation) : 1.0;
    reading.stress =
        std::max(0.0, (reading.inflation - 1) / (params.inflation_threshold - 1)) + reading.loss / params.loss_threshold;
  }
  stress_ = reading;
}

std::optional<Timestamp> TargetTracker::congested_since(const DetectionParams& params) const {
  const double threshold = std::log(params.stress_odds);
  std::optional<Timestamp> since;
  const auto earliest = [&](std::optional<Timestamp> t) {
    if (t && (!since || *t < *since)) since = t;
  };
  // A stress read from silence alone is no evidence of congestion: counting it would make
  // every silence look like congestion's loss, and a cut would never be told.
  if (stressed_ && !silent_stress_) earliest(stressed_since_);
  // One slow answer is strong evidence of a queue; lost probes need a few.
  if (queue_sign_ >= one_slow_answer) earliest(queue_sign_since_);
  if (loss_evidence_ >= threshold / 2) earliest(loss_evidence_since_);
  return since;
}

Silence TargetTracker::measure_silence(const DetectionParams& params, std::optional<Timestamp> trouble_from) const {
  // The last time anything answered, on any check.
  std::optional<Timestamp> last_answer;
  bool any_answered = false;
  for (const auto& [id, check] : checks_)
    if (check.known() && check.last_answer()) {
      any_answered = true;
      if (!last_answer || *check.last_answer() > *last_answer) last_answer = check.last_answer();
    }
  const Timestamp after = last_answer.value_or(Timestamp::min());
  Silence silence;
  for (const auto& [id, check] : checks_) {
    if (!check.known() || check.run() == 0) continue;
    // A check that never answered (while others did) says nothing by its silence; one that
    // was failing on its own while the host still answered neither.
    if (any_answered && !check.ever_answered()) continue;
    if (check.run() - check.failures_after(after) >= params.fall) continue;
    const int k = check.failures_after(after);
    if (k == 0) continue;
    silence.failures += k;
    ++silence.checks;
    silence.log_chance += std::log(check.silence_chance_after(after, params, trouble_from));
    if (const auto f = check.first_failure_after(after); f && (!silence.since || *f < *silence.since)) silence.since = f;
  }
  if (!silence.since) silence = Silence{};
  return silence;
}

std::optional<TargetTracker::Verdict> TargetTracker::silence(const DetectionParams& params,
                                                             std::optional<Timestamp> path_congested_since, Timestamp now) {
  auto trouble_from = congested_since(params);
  if (path_congested_since && (!trouble_from || *path_congested_since < *trouble_from)) trouble_from = path_congested_since;
  silence_ = measure_silence(params, trouble_from);
  if (silence_.failures < params.fall || silence_.log_chance >= std::log(params.silence_chance)) return std::nullopt;
  if (!silence_.since || now - *silence_.since < params.silence_span.at(cadence_)) return std::nullopt;
  Verdict v;
  v.state = State::down;
  v.unreachable = true;
  v.since = *silence_.since;
  char text[160];
  std::snprintf(text, sizeof text, "silent: %d probes on %d %s unanswered (chance of loss alone %.1e)", silence_.failures,
                silence_.checks, silence_.checks == 1 ? "check" : "checks", std::exp(silence_.log_chance));
  v.reason = text;
  return v;
}

bool TargetTracker::declare_unreachable(const std::string& why, const DetectionParams& params) {
  if (state_ == State::down && unreachable_) return false;
  if (!silence_.since) return false;
  since_ = std::max(*silence_.since, since_);
  state_ = State::down;
  unreachable_ = true;
  services_failing_.clear();
  char text[200];
  std::snprintf(text, sizeof text, "silent: %d probes on %d %s unanswered, %s", silence_.failures, silence_.checks,
                silence_.checks == 1 ? "check" : "checks", why.c_str());
  reason_ = text;
  update_spell(state_, unreachable_, since_, params);
  return true;
}

std::optional<TargetTracker::Verdict> TargetTracker::service_failure(const DetectionParams& params,
                                                                     std::set<std::string>& failed_ids) const {
  const auto trouble_from = congested_since(params);
  std::optional<Timestamp> since;
  std::string failing;
  for (const auto& [id, check] : checks_) {
    if (!check.known() || !is_service_check(check.kind()) || check.run() < params.fall) continue;
    // Its server said no; or it stays silent, far beyond its loss, while the host's other
    // checks answer at their normal quality (a hung server). Silence while the host itself
    // is lossy or slow is stress, not a service failure.
    bool failed = check.run_refused();
    if (!failed && check.ever_answered() && check.silence_chance(params, trouble_from) < params.silence_chance) {
      bool host_well = false, host_troubled = false;
      for (const auto& [other_id, other] : checks_) {
        if (&other == &check || !other.known() || !other.ever_answered() || other.run_refused()) continue;
        if (other.answered_well_since(check.run_since(), params)) host_well = true;
        else if (other.last_sample_time() >= check.run_since()) host_troubled = true;
      }
      failed = host_well && !host_troubled;
    }
    if (!failed) continue;
    failed_ids.insert(id);
    if (!since || check.run_since() < *since) since = check.run_since();
    failing += (failing.empty() ? "" : ", ") + id + " (" + std::string(to_string(check.last_outcome())) + ")";
  }
  if (!since) return std::nullopt;
  Verdict v;
  v.state = State::down;
  v.unreachable = false;
  v.since = *since;
  v.reason = "service failing while the host answers: " + failing;
  return v;
}

void TargetTracker::update_spell(State next, bool unreachable, Timestamp at, const DetectionParams& params) {
  if (next == State::up || next == State::unknown) {
    spell_ = TroubleSpell{};
    return;
  }
  if (!spell_.since) {
    spell_.since = at;
    // Down straight from up, after signs of congestion that had not yet made it stressed (a
    // slow answer, probes lost): the trouble began with them, as stress.
    if (next == State::down) {
      const auto congested = congested_since(params);
      if (congested && *congested < at) spell_.since = spell_.stressed_since = *congested;
    }
  }
  if (next == State::stressed && !spell_.stressed_since) spell_.stressed_since = at;
  if (next == State::down && !spell_.down_since) {
    spell_.down_since = at;
    spell_.unreachable = unreachable;
    bool degraded = spell_.stressed_since.has_value();
    // Beside a check that does not resend (ICMP, DNS), which measures the path's queue
    // without that noise, a resending check's slow answers before the failure are its own
    // resent segments (two fetches in three over a path losing 4.6% of its packets, lab seed
    // 8), and only its lost probes say the path was degraded.
    bool clean_measure = false;
    for (const auto& [id, check] : checks_)
      if (check.known() && check.ever_answered() && !resends(check.kind())) clean_measure = true;
    for (const auto& [id, check] : checks_)
      if (check.known() && check.ever_answered() &&
          check.degraded_before_run(params, params.stress_lead.at(cadence_), !(clean_measure && resends(check.kind()))))
        degraded = true;
    spell_.degraded_before_down = degraded;
    for (const auto& [id, check] : checks_)
      if (check.known() && check.last_answer() && (!spell_.answered_last || *check.last_answer() > *spell_.answered_last))
        spell_.answered_last = check.last_answer();
  }
}

bool TargetTracker::add(const Result& result, const DetectionParams& params, std::optional<Timestamp> path_congested_since) {
  // A lookup of the target's name says how its name servers fare, not the target: the probes
  // go on to its last known addresses, and a dns outage is the dns layer's, not the web's.
  if (result.kind == CheckKind::resolve) return false;
  auto it = checks_.find(result.check);
  if (it == checks_.end()) it = checks_.emplace(result.check, CheckTracker(params, result.kind)).first;
  const bool learn = state_ == State::up || state_ == State::unknown;
  // The check's run of failures this result may end: if it began in an outage, this answer's
  // request may have waited out the outage (a SYN sent into it is retransmitted a second
  // later), and its RTT says nothing about a queue.
  const bool ends_outage_run = it->second.run() > 0 && ((state_ == State::down && unreachable_) ||
                                                        (last_recovery_ && it->second.run_since() < *last_recovery_));
  if (!it->second.add(result, learn, params)) return false;
  const Reply answer = classify(result.outcome);
  if (answer == Reply::ok || answer == Reply::refused) silent_stress_ = false;

  std::optional<Timestamp> recovered_at;  // when a down spell ended, if this result ended it
  if (state_ == State::down && unreachable_ && (answer == Reply::ok || answer == Reply::refused)) {
    // Back from silence: the outage's failures are not stress now; the target is judged
    // afresh on what it answers from here. A flooded target that answers again, slowly,
    // stays stressed in the same event.
    for (auto& [id, check] : checks_) check.forget_trouble_before(result.time);
    recovered_at = result.time;
    last_recovery_ = result.time;
    // Congested before it fell silent: stressed still, until its answers are good again (the
    // flood may outlast the cut), from this answer on.
    stressed_ = spell_.degraded_before_down;
    stressed_since_.reset();
    if (stressed_) stressed_since_ = result.time;
    loss_evidence_ = delay_evidence_ = 0;
    loss_evidence_since_.reset();
    delay_evidence_since_.reset();
    queue_sign_ = 0;
    queue_sign_since_.reset();
  }

  // The evidence of stress, probe by probe: a CUSUM of loss and one of delay, each kept
  // between zero and twice the threshold (so that it falls back soon after a long flood).
  const double threshold = std::log(params.stress_odds);
  StressEvidence e = it->second.last_evidence();
  // A slow answer of a check that resends what it loses, while another check of the target,
  // sent after it, answered at a normal RTT before it: no queue held that one back, so this
  // one waited for a segment sent again (a lost packet on a lossy path), not for a queue.
  if (e.delay > 0 && resends(result.kind) && result.rtt && !result.confirmation) {
    const Timestamp answered = result.time + *result.rtt;
    for (const auto& [id, other] : checks_)
      if (&other != &it->second && other.known() && other.answered_well_between(result.time, answered, params)) {
        e.delay = e.queue_sign = 0;
        break;
      }
  }
  const auto accumulate = [&](double& evidence, std::optional<Timestamp>& since, double step) {
    if (step == 0) return;
    evidence = std::clamp(evidence + step, 0.0, 2 * threshold);
    if (evidence <= 0) since.reset();
    else if (!since) since = e.from;
  };
  // The probes lost in an outage that just ended are the outage's, not loss; the first
  // answers back may have waited for the path to return.
  if (!recovered_at) accumulate(loss_evidence_, loss_evidence_since_, e.loss);
  if (!ends_outage_run) {
    accumulate(delay_evidence_, delay_evidence_since_, e.delay);
    accumulate(queue_sign_, queue_sign_since_, e.queue_sign);
  }

  std::optional<Timestamp> stress_ended_at;
  // With two or more other targets congested on the path in, congestion here is likely before
  // any evidence: the signs that only hint at it alone (one slow answer, a few probes lost)
  // are enough (of a check that resends what it loses, two slow answers: one may be a lost
  // segment sent again, not a queue).
  const bool path_congested = path_congested_since.has_value();
  const double delay_needed = path_congested ? one_slow_answer : threshold;
  const double loss_needed = path_congested ? threshold / 2 : threshold;
  if (!stressed_ && (loss_evidence_ >= loss_needed || delay_evidence_ >= delay_needed)) {
    stressed_ = true;
    // Stressed from the first probe of the evidence that made it so: the flood began there.
    Timestamp since = result.time;
    if (delay_evidence_ >= delay_needed && delay_evidence_since_) since = std::min(since, *delay_evidence_since_);
    if (loss_evidence_ >= loss_needed && loss_evidence_since_) since = std::min(since, *loss_evidence_since_);
    stressed_since_ = since;
  } else if (stressed_) {
    // The trouble is over once every check that answers has answered well a few times in a
    // row: from the first of those answers. A check that resends what it loses, beside one
    // that does not, needs only its last answer good: over a lossy path its answers stay slow
    // now and then (an SMTP exchange of a dozen packets is resent often) after the queue has
    // drained, and the other check measures the path without that noise.
    const auto heard = [&](const CheckTracker& check) {
      return check.known() && check.ever_answered() && !check.run_refused() &&
             (!stressed_since_ || check.last_sample_time() >= *stressed_since_);  // heard from since
    };
    bool clean_measure = false;
    for (const auto& [id, check] : checks_)
      if (heard(check) && !resends(check.kind())) clean_measure = true;
    bool all_good = true;
    std::optional<Timestamp> good_from;
    int judged = 0;
    for (const auto& [id, check] : checks_) {
      if (!heard(check)) continue;
      ++judged;
      const bool beside_clean = clean_measure && resends(check.kind());
      const auto [good, since] = check.good_stretch(params);
      if (good < (beside_clean ? 1 : params.stress_fall)) {
        all_good = false;
        break;
      }
      // The clean checks date the end: a resending one's latest slow answer (a resent
      // segment) says nothing of when the queue drained.
      if (!beside_clean && since && (!good_from || *since > *good_from)) good_from = since;
    }
    if (judged > 0 && all_good) {
      stressed_ = false;
      stress_ended_at = good_from.value_or(result.time);
      for (auto& [id, check] : checks_) check.forget_trouble_before(*stress_ended_at);
      loss_evidence_ = delay_evidence_ = 0;
      loss_evidence_since_.reset();
      delay_evidence_since_.reset();
      queue_sign_ = 0;
      queue_sign_since_.reset();
    }
  }
  read_stress(params);

  std::optional<Verdict> verdict;
  silence_ = Silence{};
  if (state_ == State::down && unreachable_ && !recovered_at) {
    // Silent it stays down, until something answers: a silence judged long enough once does
    // not become short again as the window moves on.
    verdict = Verdict{State::down, true, since_, reason_};
  }
  if (!verdict) verdict = silence(params, path_congested_since, result.time);
  if (!verdict && silence_.failures >= params.fall && !stressed_) {
    // Silent for longer than the target's clean past explains, not yet for longer than the
    // congestion now explains: at the least, it answers only part of the time.
    const Silence clean = measure_silence(params, std::nullopt);
    // Only once the silence has lasted: a cut is told as down from its first lost probe,
    // not as a stress that was never there.
    if (clean.since && clean.log_chance < std::log(params.silence_chance) &&
        result.time - *clean.since >= params.silence_span.at(cadence_)) {
      stressed_ = true;
      stressed_since_ = *clean.since;
      silent_stress_ = true;
    }
  }
  if (verdict) {
    services_failing_.clear();
  } else {
    // A service stays failed until it has passed `rise` times in a row (a lone lost probe
    // among them is loss on the path): back from the first of those passes.
    std::erase_if(services_failing_, [&](const std::string& id) {
      const auto c = checks_.find(id);
      if (c == checks_.end()) return true;
      if (c->second.recovered_passes() < params.rise) return false;
      if (!services_back_at_ || c->second.recovered_since() > *services_back_at_) services_back_at_ = c->second.recovered_since();
      return true;
    });
    const bool was_failing = !services_failing_.empty();
    verdict = service_failure(params, services_failing_);
    if (!verdict && was_failing) verdict = Verdict{State::down, false, since_, reason_};
  }
  if (!verdict) {
    Verdict v;
    if (stressed_) {
      v.state = State::stressed;
      // Answering again after an outage, still stressed: from the answer that ended it.
      v.since = state_ == State::down ? recovered_at.value_or(answer == Reply::ok ? it->second.passing_since() : result.time)
                                      : stressed_since_.value_or(result.time);
      char text[160];
      if (silent_stress_ && silence_.since)
        std::snprintf(text, sizeof text,
                      "silent for %d probes on a congested path: too long for loss on a clean one, not yet for this one",
                      silence_.failures);
      else
        std::snprintf(text, sizeof text, "stress %.2f: %.1fx RTT, %.0f%% answered", stress_.stress, stress_.inflation,
                      stress_.answer_ratio() * 100);
      v.reason = text;
    } else {
      v.state = State::up;
      v.reason = "checks passing";
      if (stress_ended_at) v.since = *stress_ended_at;
      else if (recovered_at) v.since = *recovered_at;
      else if (state_ == State::down && !unreachable_ && services_back_at_) v.since = *services_back_at_;
      else if (state_ == State::down && answer == Reply::ok) v.since = it->second.passing_since();
      else v.since = result.time;
    }
    verdict = v;
  }
  const bool changed = verdict->state != state_ || (verdict->state == State::down && verdict->unreachable != unreachable_);
  if (changed) {
    // Never before the state it follows began.
    since_ = std::max(verdict->since, since_);
    state_ = verdict->state;
    unreachable_ = verdict->unreachable;
    reason_ = verdict->reason;
    update_spell(state_, unreachable_, since_, params);
    if (state_ != State::down) services_back_at_.reset();
  }
  if (state_ == State::stressed && !spell_.down_since) {
    // While it still answers, the worst it looked: the evidence of a flood.
    spell_.worst_answer_ratio = std::min(spell_.worst_answer_ratio, stress_.answer_ratio());
    if (stress_.inflation > spell_.worst_inflation) {
      spell_.worst_inflation = stress_.inflation;
      spell_.worst_rtt = stress_.rtt;
      spell_.normal_rtt = stress_.normal;
    }
  }
  return changed;
}

}  // namespace blackout
