// The randomised scenario family: lab scenarios drawn from a seed (flood intensities and
// queue depths, background loss, kinds of cut, phase order and spacing, one to three waves,
// a 1 s or 2 s probe interval), each with the ground truth of what it does. The truth is
// derived from the faults by an oracle that knows what each fault does to each of the lab's
// targets, and applies the definitions of docs/detection.md (layer and network shares, what
// makes an outage stress-led, a clean cut or a routing withdrawal): it is what a perfect
// monitor reports, so that detection is judged on conditions it was not tuned to.
#pragma once

#include <cstdint>

#include "lab/scenario.hpp"

namespace blackout::lab {

// The same seed always draws the same scenario, on any machine.
Scenario random_scenario(std::uint64_t seed);

// Fills a scenario's expected events and waves from its actions (the oracle). The faults
// must already be listed.
void derive_truth(Scenario& scenario);

}  // namespace blackout::lab
