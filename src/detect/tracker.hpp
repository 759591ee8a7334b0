// Per vantage and target: the state machine over results.
//
// Each check keeps its baseline RTT, a window of its recent scheduled probes (one per probe
// interval; confirmation re-probes say when a failure began, not how lossy the path is) and
// its current run of failures. From them the target is:
//   - down, unreachable: nothing has answered, on any check, since its last answer, and the
//     chance that this silence is only loss (judged from how each check answered before it)
//     is below silence_chance;
//   - down, service only: a service check (tcp, http, dns, smtp) fails while the host still
//     answers: its server says no (refused, a bad answer), or it stays silent while the
//     host answers at its normal quality;
//   - stressed: its checks still answer, but part of the time (loss) or late against their
//     baseline (RTT inflation), weighed probe by probe as evidence (two CUSUMs) until it
//     reaches stress_odds; it ends after stress_fall good answers on every check;
//   - up otherwise (unknown before its first result).
// A target that answers part of the time is never down: its silences are judged against
// its own loss, so a flood that drops half the probes is stress, and only a silence far
// longer than that loss explains is an outage.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "detect/baseline.hpp"
#include "detect/params.hpp"
#include "model/event.hpp"
#include "model/result.hpp"

namespace blackout {

// What one result says about its target.
enum class Reply : std::uint8_t {
  ok,       // answered and did its job
  refused,  // the host answered, its service said no (RST, a bad status, SERVFAIL, ...)
  gone,     // the network says there is no way there (ICMP unreachable, a withdrawn prefix)
  silent,   // nothing came back (a timeout): the path may only be lossy
  ignored,  // the check could not run here: says nothing about the target
};
Reply classify(Outcome outcome);
// Service checks can fail on their own while their host answers; host checks (icmp,
// traceroute, bgp) say whether the host (or prefix) is there at all.
bool is_service_check(CheckKind kind);
// Checks over TCP resend what is lost (a segment 200 ms later, a SYN a second later): over a
// lossy path their answers are slow now and then, with no queue anywhere.
bool resends(CheckKind kind);

// A target's present silence: nothing answered, on any check, since its last answer.
struct Silence {
  double log_chance = 0;           // log of the chance that it is only loss
  int failures = 0, checks = 0;    // probes unanswered since, and on how many checks
  std::optional<Timestamp> since;  // the first of them
};

struct StressReading {
  double stress = 0;                    // 1.0 = at the threshold (see docs/detection.md)
  double inflation = 1;                 // recent median RTT / baseline median RTT (the baseline floored)
  double loss = 0;                      // lost share of recent scheduled probes, between answers
  std::optional<Duration> rtt, normal;  // the recent and the baseline median RTT of the most inflated check
  [[nodiscard]] double answer_ratio() const { return 1 - loss; }
};

// What one scheduled probe says for or against "stressed", as natural logarithms of
// likelihood ratios: of its loss (lost, or answered) and of its delay (slow, or not).
// Lost probes weigh only once an answer follows them: a trailing run of silence is not loss
// yet, it may be an outage beginning. `from` is the first probe the evidence covers.
struct StressEvidence {
  double loss = 0, delay = 0;
  // The delay's evidence weighed as a sign of a queue (see TargetTracker::congested_since):
  // with the same expectation of slow answers for every check, so that a flood's first slow
  // answers over TCP hint at it as soon as over ICMP.
  double queue_sign = 0;
  Timestamp from{};
};

class CheckTracker {
 public:
  CheckTracker(const DetectionParams& params, CheckKind kind) : baseline_(params.baseline_samples), kind_(kind) {}
  // Returns false when the result says nothing about the target (the check could not run).
  bool add(const Result& result, bool learn, const DetectionParams& params);

  [[nodiscard]] CheckKind kind() const { return kind_; }
  [[nodiscard]] bool known() const { return known_; }
  [[nodiscard]] bool ever_answered() const { return last_answer_.has_value(); }
  [[nodiscard]] Outcome last_outcome() const { return last_outcome_; }
  // The last time the host answered this check (success or an answer that says no).
  [[nodiscard]] std::optional<Timestamp> last_answer() const { return last_answer_; }
  // The current run of failures: how many, since when, and what kind.
  [[nodiscard]] int run() const { return run_; }
  [[nodiscard]] Timestamp run_since() const { return run_since_; }
  [[nodiscard]] bool run_refused() const { return run_refused_; }
  // What the last result said about stress (zero for confirmations and service refusals).
  [[nodiscard]] const StressEvidence& last_evidence() const { return last_evidence_; }
  // Failures of the current run after `t`, and the first of them.
  [[nodiscard]] int failures_after(Timestamp t) const;
  [[nodiscard]] std::optional<Timestamp> first_failure_after(Timestamp t) const;
  // True when it has probed since `t` and every probe since answered at a normal RTT.
  [[nodiscard]] bool answered_well_since(Timestamp t, const DetectionParams& params) const;
  // Whether a probe sent within [from, to] was answered at a normal RTT.
  [[nodiscard]] bool answered_well_between(Timestamp from, Timestamp to, const DetectionParams& params) const;
  // The chance that one probe of this check is lost, judged from how it answered before the
  // current run: since `trouble_from` when its target is congested, since the trouble in its
  // own last probes began when they were bad, else over the window.
  [[nodiscard]] double loss_chance(const DetectionParams& params, std::optional<Timestamp> trouble_from) const;
  // The chance that the current run (or its part after `t`) is only loss.
  [[nodiscard]] double silence_chance(const DetectionParams& params, std::optional<Timestamp> trouble_from) const;
  [[nodiscard]] double silence_chance_after(Timestamp t, const DetectionParams& params,
                                            std::optional<Timestamp> trouble_from) const;
  [[nodiscard]] Timestamp passing_since() const { return passing_since_; }
  [[nodiscard]] int passes() const { return passes_; }
  // Passes in a row as a service's recovery counts them: a lone unanswered probe between two
  // passes is loss on the path (a SYN lost just after a server came back), not the service
  // failing again; a refusal or two silences in a row start the count afresh.
  [[nodiscard]] int recovered_passes() const { return recovered_passes_; }
  [[nodiscard]] Timestamp recovered_since() const { return recovered_since_; }

  // Stress, over the window since the last recovery: loss (a short trailing run of failures
  // is not loss yet: it may be an outage beginning), and RTT inflation.
  // Over the window, or only its probes since `from` (a stressed spell's own figures).
  [[nodiscard]] double loss(const DetectionParams& params, Timestamp from = Timestamp::min()) const;
  [[nodiscard]] std::optional<double> inflation(const DetectionParams& params, Timestamp from = Timestamp::min()) const;
  [[nodiscard]] std::optional<Duration> recent_rtt(Timestamp from = Timestamp::min()) const;
  [[nodiscard]] std::optional<Duration> normal_rtt(const DetectionParams& params) const;
  // When the trouble now in the window began: the first bad probe (lost, or slower than
  // inflation_threshold x the baseline) of the latest run of bad ones, a run that single
  // good probes do not break; nullopt when the window holds no bad probe.
  [[nodiscard]] std::optional<Timestamp> trouble_onset(const DetectionParams& params) const;
  // Whether an answer this slow is a slow one for this check (nullopt RTT: no).
  [[nodiscard]] bool is_slow(std::optional<Duration> rtt, const DetectionParams& params) const;
  // Good probes at the end of the window (answered, at a normal RTT; a single lost probe
  // between two of them is background loss), and the time of the first of them.
  [[nodiscard]] std::pair<int, std::optional<Timestamp>> good_stretch(const DetectionParams& params) const;
  // Whether the probes of the `lookback` before the current run of failures were mostly bad
  // (lost or slow): a silence that follows a degraded spell is not a clean cut. Without
  // `count_slow`, only lost probes count as bad.
  [[nodiscard]] bool degraded_before_run(const DetectionParams& params, Duration lookback, bool count_slow = true) const;
  [[nodiscard]] Timestamp last_sample_time() const { return window_.empty() ? Timestamp{} : window_.back().time; }
  // The failures and slow answers before `from` no longer count as stress (an outage or a
  // stressed spell that is over).
  void forget_trouble_before(Timestamp from) {
    stress_from_ = std::max(stress_from_, from);
    if (pending_lost_ > 0 && pending_since_ < from) pending_lost_ = 0;
  }

 private:
  struct Sample {
    Timestamp time;
    bool ok;
    std::optional<Duration> rtt;
  };
  [[nodiscard]] std::optional<double> slow_threshold(const DetectionParams& params) const;
  [[nodiscard]] bool bad(const Sample& s, std::optional<double> slow) const;

  [[nodiscard]] StressEvidence evidence_of(Reply answer, std::optional<Duration> rtt, const DetectionParams& params) const;
  [[nodiscard]] double background_loss() const;
  // How often it answers slowly in normal times: its own history under a prior, one in two
  // hundred for every check (`as_any_check`) or, for a check that resends, three in a hundred.
  [[nodiscard]] double background_slowness(bool as_any_check) const;

  RttBaseline baseline_;
  // What became of a scheduled probe: answered at a normal RTT, answered slowly, or lost.
  enum class Fate : std::uint8_t { answered, slow, lost };
  // The check's own background of loss and of slow answers: the fates of its last scheduled
  // probes while its target was up and unstressed. A TCP check over a path with a little
  // loss answers slowly now and then (a retransmission waits 200 ms or a second), with no
  // queue anywhere: its slow answers weigh less as evidence than an ICMP check's.
  std::deque<Fate> fate_baseline_;
  // The latest scheduled probes' fates, learned into the baseline only once they are this
  // old and the target is still up: the losses that begin a flood are not its normal.
  std::deque<Fate> fate_unlearned_;
  static constexpr std::size_t fate_learning_lag = 4;
  std::size_t baseline_lost_ = 0, baseline_slow_ = 0;
  StressEvidence last_evidence_;
  int pending_lost_ = 0;  // lost scheduled probes not yet followed by an answer
  Timestamp pending_since_{};
  CheckKind kind_;
  std::deque<Sample> window_;  // scheduled probes only, oldest first, at most params.window
  int run_ = 0;
  Timestamp run_since_{};
  bool run_refused_ = false, run_gone_ = false;
  std::vector<Timestamp> run_times_;  // the first failures of the run, bounded
  int passes_ = 0;
  Timestamp passing_since_{};
  int recovered_passes_ = 0;
  Timestamp recovered_since_{};
  bool lone_loss_ = false;  // the last result was a silence that followed a pass
  std::optional<Timestamp> last_answer_;
  Timestamp stress_from_{};
  bool known_ = false;
  Outcome last_outcome_ = Outcome::ok;
};

// One target's current spell of trouble (from leaving up to coming back): what signatures
// and evidence are made of. It is reset when the target is up again.
struct TroubleSpell {
  std::optional<Timestamp> since;           // when it left up
  std::optional<Timestamp> stressed_since;  // when it was first stressed in this spell
  std::optional<Timestamp> down_since;      // when it first went down in this spell
  bool unreachable = false;                 // that down: nothing answered (not only a service)
  bool degraded_before_down = false;        // it was stressed, or its last answers were bad, before it went down
  std::optional<Timestamp> answered_last;   // its last answer before it went down: the failure came after
  // The worst it looked while it still answered (before it first went down).
  double worst_answer_ratio = 1, worst_inflation = 1;
  std::optional<Duration> worst_rtt, normal_rtt;
};

class TargetTracker {
 public:
  // Its fastest check's probe interval: spans counted in probe intervals are of this.
  void set_cadence(Duration cadence) { cadence_ = cadence; }
  // Returns true when the state changed, or a down target's kind of down (service only or
  // unreachable) did.
  // `path_congested_since`: when the path into the watched network became congested, as the
  // detector sees it from other targets (their slow answers): a silence that begins in a
  // flood is judged by the flood's loss, not by the clean times before it.
  bool add(const Result& result, const DetectionParams& params, std::optional<Timestamp> path_congested_since = std::nullopt);
  [[nodiscard]] State state() const { return state_; }
  // Down because nothing answers (as opposed to one service failing while the host answers).
  [[nodiscard]] bool unreachable() const { return state_ == State::down && unreachable_; }
  // When the state returned by the last change began (dated back to the first probe that
  // showed it, not the evaluation that made it certain).
  [[nodiscard]] Timestamp since() const { return since_; }
  [[nodiscard]] const StressReading& stress() const { return stress_; }
  [[nodiscard]] const TroubleSpell& spell() const { return spell_; }
  [[nodiscard]] std::string reason() const { return reason_; }
  // When the target's present congestion began: stressed, or a slow answer (as strong as one
  // from a check that never answers slowly), or a few lost probes in quick succession;
  // nullopt when its last answers were clean.
  [[nodiscard]] std::optional<Timestamp> congested_since(const DetectionParams& params) const;
  // Its silence as last judged (empty when it answered last, or is down already): the
  // detector weighs the silences of several targets together, since a flood does not silence
  // many targets at once for long.
  [[nodiscard]] const Silence& silence_now() const { return silence_; }
  // The same silence judged by the target's own past alone, as on a clean path: not by the
  // prior of a congested one, which expects most probes lost.
  [[nodiscard]] Silence silence_on_its_own_past(const DetectionParams& params) const {
    return measure_silence(params, std::nullopt);
  }
  [[nodiscard]] Duration cadence() const { return cadence_; }
  // The detector's verdict from those silences together; false when it was down already.
  bool declare_unreachable(const std::string& why, const DetectionParams& params);

 private:
  struct Verdict {
    State state = State::up;
    bool unreachable = false;
    Timestamp since{};
    std::string reason;
  };
  [[nodiscard]] Silence measure_silence(const DetectionParams& params, std::optional<Timestamp> trouble_from) const;
  [[nodiscard]] std::optional<Verdict> silence(const DetectionParams& params, std::optional<Timestamp> path_congested_since,
                                               Timestamp now);
  // The service checks failing now (their ids into `failing`), as a verdict.
  [[nodiscard]] std::optional<Verdict> service_failure(const DetectionParams& params, std::set<std::string>& failing) const;
  void read_stress(const DetectionParams& params);
  void update_spell(State next, bool unreachable, Timestamp at, const DetectionParams& params);

  std::map<std::string, CheckTracker, std::less<>> checks_;
  Duration cadence_ = std::chrono::seconds(10);
  State state_ = State::unknown;
  bool unreachable_ = false;
  Timestamp since_{};
  StressReading stress_;
  TroubleSpell spell_;
  bool stressed_ = false;
  bool silent_stress_ = false;  // stressed for a silence the congestion may still explain
  std::optional<Timestamp> stressed_since_;
  // The service checks whose failure makes the target down while its host answers; the
  // failure lasts until each of them passes `rise` times in a row.
  std::optional<Timestamp> services_back_at_;  // when the failed services that have recovered came back
  std::set<std::string> services_failing_;
  Silence silence_;
  // The evidence of stress so far (a CUSUM each: never below zero), and the first probe of
  // the run of evidence that raised it.
  double loss_evidence_ = 0, delay_evidence_ = 0;
  std::optional<Timestamp> loss_evidence_since_, delay_evidence_since_;
  // The signs of a queue (a CUSUM as the delay's, see StressEvidence::queue_sign).
  double queue_sign_ = 0;
  std::optional<Timestamp> queue_sign_since_;
  // When it last answered again after being down, unreachable.
  std::optional<Timestamp> last_recovery_;
  std::string reason_;
};

}  // namespace blackout
