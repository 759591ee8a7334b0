// Detection parameters, with the defaults docs/detection.md explains. One struct, filled
// from the config's `detection` section (or left at its defaults).
#pragma once

#include "model/time.hpp"

namespace blackout {

struct DetectionParams {
  // Check level: how many failures in a row make a check failing (the first failure and
  // its confirmations), and how many passes in a row make it pass again.
  int fall = 3;
  int rise = 2;
  // Baseline: the RTTs of a check while its target is up and unstressed.
  int baseline_samples = 64;      // kept per check
  int baseline_min_samples = 8;   // fewer: no latency inflation is computed yet
  // Stress: over the last `window` results of each check.
  int window = 20;
  double inflation_threshold = 3.0;  // x the baseline median RTT ...
  // A baseline faster than this counts as this: on a LAN-fast path a few milliseconds of
  // jitter is not stress, while a flood's queueing delay is tens to hundreds of them.
  Duration rtt_floor = std::chrono::milliseconds(10);
  double loss_threshold = 0.3;       // ... or this fraction lost, makes stress 1.0
  double stress_enter = 1.0;
  double stress_leave = 0.7;
  int stress_rise = 2;  // evaluations at or above stress_enter to become stressed
  int stress_fall = 3;  // evaluations below stress_leave to stop being stressed
  // Aggregates: the weighted share of a layer's (or the network's) targets that must be down.
  double layer_down_share = 0.5;
  double layer_stressed_share = 0.5;  // stressed or down
  double network_down_share = 0.8;
  double network_stressed_share = 0.5;
  // Waves: layer and network events closer than this belong to one wave.
  Duration wave_gap = std::chrono::minutes(10);
  // Signatures: stress this long before a failure makes it stress-led; failures this close
  // together (with no stress before) make a clean cut.
  Duration stress_lead = std::chrono::seconds(30);
  Duration clean_cut_spread = std::chrono::seconds(30);
  // Several vantages: how many must agree before anything is called network-wide (0: a
  // majority of the vantages seen).
  int quorum = 0;
};

}  // namespace blackout
