// Replaying stored results.
#include "report/replay.hpp"

#include <optional>

namespace blackout {
namespace {

// Feeds results to a detector and keeps all it tells: what the detector hands over is taken
// every so many results, as the monitor takes it, so that the detector's own memory stays that
// of the open events however long the period replayed.
class Replay {
 public:
  Replay(const std::vector<Target>& targets, const DetectionParams& params) : detector_(targets, params) {}
  void add(const Result& result) {
    detector_.add(result);
    if (++since_take_ >= take_every) take();
  }
  Analysis finish(std::int64_t results) {
    detector_.finish();
    take();
    return Analysis{log_.events(), log_.waves(), results};
  }

 private:
  static constexpr int take_every = 4096;
  void take() {
    since_take_ = 0;
    detector_.take_new_state_changes();
    log_.take_from(detector_);
  }
  Detector detector_;
  EventLog log_;
  int since_take_ = 0;
};

}  // namespace

StoreResult<Analysis> analyze_store(Store& store, const std::vector<Target>& targets, const DetectionParams& params,
                                    ResultQuery query) {
  query.arrival_order = true;
  Replay replay(targets, params);
  const auto read = store.read_results(query, [&](Result&& r) {
    replay.add(r);
    return true;
  });
  if (!read) return read.error();
  return replay.finish(*read);
}

Analysis analyze_results(const std::vector<Result>& results, const std::vector<Target>& targets, const DetectionParams& params) {
  Replay replay(targets, params);
  for (const Result& r : results) replay.add(r);
  return replay.finish(static_cast<std::int64_t>(results.size()));
}

StoreResult<Done> tell_stored_before_results(Store& store, EventLog& log) {
  std::optional<Timestamp> oldest_result;
  const auto first = store.read_results({}, [&](Result&& r) {
    oldest_result = r.time;
    return false;
  });
  if (!first) return first.error();
  const EventQuery before_first{std::nullopt, oldest_result};
  auto events = store.read_events(before_first);
  if (!events) return events.error();
  auto waves = store.read_waves(before_first);
  if (!waves) return waves.error();
  const auto ended_before_results = [&](const std::optional<Timestamp>& end) {
    return end && (!oldest_result || *end < *oldest_result);
  };
  std::erase_if(*events, [&](const Event& e) { return !ended_before_results(e.end); });
  std::erase_if(*waves, [&](const Wave& w) { return !ended_before_results(w.end); });
  log.absorb(std::move(*events), std::move(*waves));
  return Done{};
}

}  // namespace blackout
