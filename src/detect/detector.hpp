// The detector: a pure, deterministic function of the ordered result stream. It feeds each
// result to its target's state machine, recomputes the layer and network states of that
// result's vantage, combines vantages under a quorum, and turns every interval in which a
// target, a layer or the network is not up into an event; events of layers and of the
// network that come close together form waves, whose cascade says which layer fell when.
// The live monitor and `blackout analyze` run this same code, so they find the same events.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "detect/params.hpp"
#include "detect/tracker.hpp"
#include "model/event.hpp"
#include "model/result.hpp"
#include "model/target.hpp"

namespace blackout {

// What a target looks like now from one vantage: for metrics and the API.
struct TargetStatus {
  std::string vantage, target;
  Layer layer = Layer::host;
  State state = State::unknown;
  StressReading stress;
};

// The current state of a layer or of the network, combined over the vantages (vantage
// empty) or as one vantage sees it.
struct EntityStatus {
  Scope scope = Scope::layer;
  std::string subject, vantage;
  State state = State::unknown;
};

class Detector {
 public:
  Detector(const std::vector<Target>& targets, DetectionParams params);

  // Results must come in time order (the store returns them so; the monitor produces them so).
  void add(const Result& result);
  // Marks the end of the stream: events still open stay open (no end), waves are built.
  void finish();

  [[nodiscard]] const std::vector<StateChange>& state_changes() const { return changes_; }
  // Every event so far, open ones included, in order of start.
  [[nodiscard]] std::vector<Event> events() const;
  [[nodiscard]] std::vector<Wave> waves() const;
  // What changed since the last call (for the live monitor to store as it goes).
  std::vector<StateChange> take_new_state_changes();
  [[nodiscard]] bool has_new_state_changes() const { return changes_taken_ < changes_.size(); }
  std::vector<Event> take_changed_events();
  [[nodiscard]] std::vector<TargetStatus> target_statuses() const;
  // Layers and the network, per vantage and combined.
  [[nodiscard]] std::vector<EntityStatus> aggregate_statuses() const;
  // A reloaded config: new targets are known from now on; the state of every target seen so
  // far is kept.
  void set_targets(const std::vector<Target>& targets);

 private:
  struct TargetInfo {
    Layer layer = Layer::host;
    double weight = 1;
    bool control = false;
  };
  struct EntityKey {
    Scope scope;
    std::string subject;
    std::string vantage;  // empty for quorum-combined layers and network
    auto operator<=>(const EntityKey&) const = default;
  };
  struct EntityState {
    State state = State::unknown;
    std::optional<std::size_t> open_event;  // index into events_
    std::optional<Timestamp> stressed_since;
  };
  // A layer's (or the network's) weighted shares, kept up to date as targets change state,
  // so that a state change costs the same with ten targets or ten thousand. Weights are
  // counted in millionths: sums of integers never drift the way sums of doubles do.
  struct Share {
    std::int64_t total = 0, down = 0, not_up = 0;
    std::size_t known = 0;  // targets past unknown
  };
  struct VantageView {
    std::map<std::string, TargetTracker> targets;
    std::map<Layer, State> layers;
    State network = State::unknown;
    std::map<Layer, Share> layer_shares;
    Share network_share;
  };

  void set_state(const EntityKey& key, State next, Timestamp at, const std::string& reason, std::optional<Layer> layer,
                 const StressReading* stress, const std::vector<std::string>& involved);
  // Moves `target`'s weight in its vantage's shares from one state to another (from unknown
  // with `arriving` when it is first seen).
  void account(VantageView& view, const std::string& target, State from, State to, bool arriving);
  void rebuild_shares();
  void update_vantage_aggregates(const std::string& vantage, Timestamp at);
  // `changed`: the target whose change led here; the full list of targets involved is only
  // gathered when a combined state changes.
  void update_quorum(Timestamp at, const std::string& changed);
  [[nodiscard]] std::vector<std::string> targets_not_up(std::optional<Layer> layer) const;
  [[nodiscard]] std::size_t quorum() const;
  void sign(Event& event) const;

  DetectionParams params_;
  std::map<std::string, TargetInfo> info_;
  std::map<std::string, VantageView> vantages_;
  std::map<EntityKey, EntityState> entities_;
  std::vector<Event> events_;
  std::vector<StateChange> changes_;
  std::size_t changes_taken_ = 0;
  std::set<std::size_t> dirty_events_;
  // For signatures: when each target was first stressed and first down, per open event window.
  std::map<std::string, std::vector<std::pair<Timestamp, State>>> target_history_;
};

}  // namespace blackout
