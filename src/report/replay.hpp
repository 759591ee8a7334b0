// Replaying stored results through the detector: what `blackout analyze` and the lab's
// scoring run, with the same code as the live monitor.
#pragma once

#include <vector>

#include "detect/detector.hpp"
#include "detect/event_log.hpp"
#include "store/store.hpp"

namespace blackout {

struct Analysis {
  std::vector<Event> events;
  std::vector<Wave> waves;
  std::int64_t results = 0;
};

// Reads the results of `query` in arrival order (as the monitor saw them) and detects.
StoreResult<Analysis> analyze_store(Store& store, const std::vector<Target>& targets, const DetectionParams& params,
                                    ResultQuery query);
// The same over results already in memory, in the order given (a model's, a test's).
Analysis analyze_results(const std::vector<Result>& results, const std::vector<Target>& targets, const DetectionParams& params);

// What happened before the oldest raw result still kept (pruned after the raw retention)
// cannot be replayed: the events and waves the monitor stored then, ended before that result,
// are told into `log` as stored (all of them when the store holds no result at all).
StoreResult<Done> tell_stored_before_results(Store& store, EventLog& log);

}  // namespace blackout
