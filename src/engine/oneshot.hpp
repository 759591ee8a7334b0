// Runs the checks of one target a given number of times, one after another, without the
// scheduler's spreading and jitter: what `blackout probe` does.
#pragma once

#include <array>
#include <functional>
#include <string>

#include "engine/addresses.hpp"
#include "engine/loop.hpp"
#include "engine/probe.hpp"

namespace blackout {

struct OneShotPlan {
  int count = 1;
  Duration interval = std::chrono::seconds(1);  // between the starts of two rounds
  std::string vantage;
  const AddressBook* addresses = nullptr;  // for a target named only by host: the resolver
};

// Calls sink for each result as it arrives. Returns false if a kind cannot run here (its
// reason goes into `error`). Stops early when the loop is stopped.
bool run_one_shot(EventLoop& loop, const std::array<Probe*, check_kind_count>& probes, const Target& target,
                  const OneShotPlan& plan, const std::function<void(Result&&)>& sink, std::string& error);

}  // namespace blackout
