// The record of what detection told: events and waves as the detector hands them over
// (Detector::take_changed_events and take_changed_waves), kept by id in the order they first
// appeared, with each wave told as a reader sees it (the signatures of its network events in
// order; a wave of the vantage's own trouble left out). The detector forgets an event once it
// is closed and taken, and a wave once it is over, so that it runs for months in the memory
// it needs on its first day; what must be remembered is remembered here. `blackout analyze`,
// the lab and the reports keep everything; the live monitor's dashboard keeps a bounded
// number of the latest (the store keeps them all).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "detect/detector.hpp"
#include "model/event.hpp"

namespace blackout {

// How many closed events and how many waves an EventLog keeps, the oldest forgotten first
// (0: all). Open events are always kept.
struct EventLogLimits {
  std::size_t closed_events = 0;
  std::size_t waves = 0;
};

class EventLog {
 public:
  using Limits = EventLogLimits;
  // What one hand-over changed: the events as they now stand, and the waves whose told form
  // did (a member event re-signed changes its wave's signatures), for the store.
  struct Told {
    std::vector<Event> events;
    std::vector<Wave> waves;
  };

  // A dashboard's: enough for weeks of a large inventory's trouble, in tens of megabytes.
  static constexpr Limits dashboard_limits{20'000, 2'000};

  EventLog() = default;
  explicit EventLog(Limits limits) : limits_(limits) {}

  // Takes what the detector has not handed over yet.
  Told take_from(Detector& detector);
  Told absorb(std::vector<Event> events, std::vector<Wave> waves);

  // Every event kept, in order of start (ties in the order they first appeared).
  [[nodiscard]] std::vector<Event> events() const;
  // Every wave kept, as told, in order of start; the vantage's own trouble is not a wave.
  [[nodiscard]] std::vector<Wave> waves() const;
  [[nodiscard]] std::size_t event_count() const { return events_.size(); }

 private:
  // What a wave's signatures are made of: its members as they were last told (kept with the
  // wave, so that forgetting an old event does not change how its wave reads).
  struct Member {
    Timestamp start;
    Scope scope = Scope::target;
    std::optional<Layer> layer;
    Signature signature = Signature::none;
  };
  struct KeptEvent {
    std::size_t order = 0;  // when it first appeared
    Event event;
  };
  struct KeptWave {
    std::size_t order = 0;
    Wave wave;  // as the detector built it
    std::map<std::string, Member> members;
  };
  [[nodiscard]] static Wave told(const KeptWave& kept);
  [[nodiscard]] static bool all_local(const KeptWave& kept);
  void forget_oldest();

  Limits limits_;
  std::size_t next_order_ = 0;
  std::unordered_map<std::string, KeptEvent> events_;
  std::map<std::string, KeptWave> waves_;
  // Which kept waves each event is a member of, to re-tell them when it changes.
  std::unordered_map<std::string, std::vector<std::string>> waves_of_event_;
  std::deque<std::string> closed_order_;  // closed events, in the order they closed
  std::deque<std::string> wave_order_;    // waves, in the order they began
};

}  // namespace blackout
