// The synthetic inventory the detection benchmarks watch: N targets named t0, t1, ... over the
// web, dns, mail and router layers in turn, each with one icmp check.
#pragma once

#include <string>
#include <vector>

#include "model/target.hpp"

namespace blackout::bench {

inline std::vector<Target> icmp_inventory(std::size_t n, Duration interval = Check{}.interval) {
  static const Layer layers[] = {Layer::web, Layer::dns, Layer::mail, Layer::router};
  std::vector<Target> targets(n);
  for (std::size_t i = 0; i < n; ++i) {
    targets[i].name = "t" + std::to_string(i);
    targets[i].layer = layers[i % 4];
    Check check;
    check.kind = CheckKind::icmp;
    check.id = "icmp";
    check.interval = interval;
    targets[i].checks.push_back(check);
  }
  return targets;
}

}  // namespace blackout::bench
