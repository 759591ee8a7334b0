// Detection parameters, with the defaults docs/detection.md explains. One struct, filled
// from the config's `detection` section (or left at its defaults). Everything that depends on
// how often targets are probed is counted in probe intervals, so that one set of defaults
// holds at a 1 s, a 10 s or a 60 s cadence, in the time-compressed lab and in the field.
#pragma once

#include <cmath>

#include "model/time.hpp"

namespace blackout {

// A length of time given either as a duration or as a number of probe intervals (of the
// subject it is applied to: a target's own cadence, or the typical cadence of a layer).
struct Span {
  Duration duration{};
  double intervals = 0;  // used when above zero
  static Span of_intervals(double n) { return Span{Duration::zero(), n}; }
  static Span of(Duration d) { return Span{d, 0}; }
  [[nodiscard]] Duration at(Duration interval) const {
    if (intervals <= 0) return duration;
    return Duration{static_cast<Duration::rep>(std::llround(intervals * static_cast<double>(interval.count())))};
  }
};

// The stress index at which a target's readings are "at the threshold" (charts draw it).
inline constexpr double stress_index_threshold = 1.0;

struct DetectionParams {
  // Check level: at least this many failures in a row (the first and its confirmations)
  // before a check or a target can be called failing, and passes in a row that end a
  // service's failure.
  int fall = 3;
  int rise = 2;
  // Silence: a target is down when nothing has answered since its last answer and the
  // chance that this silence is only packet loss, judged from how it answered before, is
  // below this. A healthy target is down after 3 or 4 lost probes; a target that answered
  // half of its probes needs about 17 before its silence means more than loss.
  double silence_chance = 1e-5;
  // ... and once that silence has lasted this long: long enough for a flood that struck all at
  // once to show itself by a slow answer or two, which then makes the silence judged by the
  // flood's loss. Several targets silent at once are down after half of it.
  Span silence_span = Span::of_intervals(3);
  // Baseline: the RTTs of a check while its target is up and unstressed.
  int baseline_samples = 64;     // kept per check
  int baseline_min_samples = 8;  // fewer: no latency inflation is computed yet
  // Readings: loss and the recent median RTT over the last `window` scheduled probes (probe
  // intervals) of each check (over the stressed spell itself while there is one).
  int window = 20;
  // A probe slower than this many times its baseline is a slow probe; a window whose median
  // is this slow has stress 1.0 from latency alone ...
  double inflation_threshold = 3.0;
  // A baseline faster than this counts as this: on a LAN-fast path a millisecond of jitter
  // is not stress, while a flood's queueing delay is tens to hundreds of them.
  Duration rtt_floor = std::chrono::milliseconds(5);
  double loss_threshold = 0.3;  // ... as has this share of probes lost.
  // Stress is decided by evidence, probe by probe: each slow answer, each fast one, each
  // lost probe and each answered one weighs for or against "stressed" (a slow answer is far
  // likelier in a flood than in normal times; a lost probe is likelier at loss_threshold than
  // at the check's own background loss). A target is stressed once stress is this many times
  // likelier than normal: three slow answers (or two and a lost probe), or four to six lost
  // probes in quick succession on a clean path (ten on a path that loses 5% anyway).
  double stress_odds = 1e5;
  // Stress ends after this many good answers in a row (answered, at the normal RTT) on every
  // check, dated from the first of them.
  int stress_fall = 3;
  // Aggregates: the weighted share of a layer's (or the network's) targets that must be
  // down (or not up). Just above a half: one of two name servers down is not DNS down.
  double layer_down_share = 0.51;
  double layer_stressed_share = 0.51;  // stressed or down
  double network_down_share = 0.8;
  double network_stressed_share = 0.51;
  // Waves: the network's spells of trouble (the network not up, or a layer down). A recovery
  // of at least this long, every layer back up, ends a wave.
  Span wave_gap = Span::of_intervals(4);
  // Signatures: a degraded spell this long before the first failure is surely part of the
  // story (shorter ones count when they were still going on at the failure); failures this
  // close together, with no degraded spell, make a clean cut, and prefixes that leave the
  // routing table no later than this after the first failure make a routing withdrawal.
  Span stress_lead = Span::of_intervals(3);
  Span clean_cut_spread = Span::of_intervals(3);
  // Several vantages: how many must agree before anything is called network-wide (0: a
  // majority of the vantages seen).
  int quorum = 0;
};

}  // namespace blackout
