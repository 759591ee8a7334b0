// Replaying stored results.
#include "detect/replay.hpp"

namespace blackout {

StoreResult<Analysis> analyze_store(Store& store, const std::vector<Target>& targets, const DetectionParams& params, ResultQuery query) {
  query.arrival_order = true;
  Detector detector(targets, params);
  const auto read = store.read_results(query, [&](Result&& r) {
    detector.add(r);
    return true;
  });
  if (!read) return read.error();
  detector.finish();
  return Analysis{detector.events(), detector.waves(), *read};
}

Analysis analyze_results(const std::vector<Result>& results, const std::vector<Target>& targets, const DetectionParams& params) {
  Detector detector(targets, params);
  for (const Result& r : results) detector.add(r);
  detector.finish();
  return Analysis{detector.events(), detector.waves(), static_cast<std::int64_t>(results.size())};
}

}  // namespace blackout
