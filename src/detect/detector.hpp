// The detector: a pure, deterministic function of the ordered result stream. It feeds each
// result to its target's state machine, recomputes the layer and network states of that
// result's vantage, combines vantages under a quorum, and turns every interval in which a
// target, a layer or the network is not up into an event. Events are signed from what the
// failure looked like (a degraded spell before it, a clean silence, the prefixes leaving the
// routing table first, the vantage's own uplink), gathered as targets change state, so that
// no history need be kept. Waves are the network's own spells of trouble, built as they
// happen. The live monitor and `blackout analyze` run this same code and find the same events.
// It forgets: state changes, closed events and finished waves are handed over once (the
// take_* calls, into an EventLog and the store) and dropped, so that its memory is that of
// its targets and of what is open now, whatever its uptime.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
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
  // Marks the end of the stream: events still open stay open (no end).
  void finish();

  // What changed since the last call, handed over once and forgotten: state changes; events
  // opened, changed or closed (as they stand, signed), in the order they were opened; waves
  // begun, grown or ended (as built: EventLog tells their signatures from their events).
  std::vector<StateChange> take_new_state_changes();
  [[nodiscard]] bool has_new_state_changes() const { return !changes_.empty(); }
  std::vector<Event> take_changed_events();
  std::vector<Wave> take_changed_waves();
  // The events open now, signed as they stand, in the order they were opened.
  [[nodiscard]] std::vector<Event> open_events() const;
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
    Duration cadence = std::chrono::seconds(10);  // its fastest check's interval
  };
  struct EntityKey {
    Scope scope;
    std::string subject;
    std::string vantage;  // empty for quorum-combined layers and network
    auto operator<=>(const EntityKey&) const = default;
  };
  // What an open event's signature is made of, gathered as its targets change state.
  struct Evidence {
    std::optional<Timestamp> first_down;                        // of any target, the prefixes' included
    std::optional<Timestamp> first_host_down, last_first_down;  // of the hosts (not the bgp layer)
    std::string first_down_target;
    std::optional<Timestamp> routing_down;                       // the first bgp target of the event to go down
    std::optional<Timestamp> routing_seen;                       // and when its prefixes were last seen before that
    std::optional<Timestamp> first_stressed;                     // the earliest degraded spell still going on at its failure
    std::set<std::pair<std::string, std::string>> counted_down;  // vantage, target
    std::unordered_set<std::string> degraded;                    // targets
    std::int64_t degraded_units = 0;                             // weight of the targets degraded before or during the failures
    int unreachable = 0, service_only = 0;
    double worst_answer_ratio = 1, worst_inflation = 1;
    std::optional<Duration> worst_rtt, normal_rtt;
    std::string worst_target;
    std::string control_down;  // a control target that went down in the event
  };
  struct EntityState {
    State state = State::unknown;
    std::optional<std::uint64_t> open_event;  // its serial in open_events_
  };
  struct OpenEvent {
    Event event;
    Evidence evidence;
  };
  // A layer's (or the network's) weighted shares, kept up to date as targets change state,
  // so that a state change costs the same with ten targets or ten thousand. Weights are
  // counted in millionths: sums of integers never drift the way sums of doubles do.
  struct Share {
    std::int64_t total = 0, down = 0, not_up = 0;
    std::size_t known = 0;  // targets past unknown
  };
  struct Standing {
    State state = State::unknown;
    bool unreachable = false;
  };
  struct VantageView {
    std::map<std::string, TargetTracker> targets;
    // Targets whose answers show congestion now (a slow answer, stress), with since when:
    // two or more make the path into the network congested for every target's silence.
    std::map<std::string, Timestamp> congested;
    std::multiset<Timestamp> congested_times;
    std::map<Layer, int> congested_layers;  // how many of them in each layer
    // Targets silent now but not yet down, with the log of the chance that each silence is
    // only loss: together they may be far less likely than any one alone.
    std::map<std::string, double> silent;
    double silent_log_chance = 0;
    // Targets down beyond doubt for silence (unreachable), by when their silence began: a
    // cut of the path they share is the likeliest reason for another's silence begun with it.
    std::multimap<Timestamp, std::string> cut;
    std::map<std::string, std::multimap<Timestamp, std::string>::iterator> cut_entry;
    // When each target last answered (even with a refusal): while a congested host answers
    // after the silent ones fell quiet, the path still carries traffic (a flood, not a cut)
    // and their silences are weighed one by one, not together.
    std::map<std::string, Timestamp> last_answer;
    std::map<std::string, Standing> standing;  // as last accounted in the shares
    std::map<Layer, State> layers;
    State network = State::unknown;
    std::map<Layer, Share> layer_shares;
    Share network_share;
  };
  // The wave of the network's trouble now, built as that trouble comes and goes; a wave over
  // is handed over once and forgotten.
  struct WaveBuilder {
    std::optional<Wave> current;
    bool changed = false;  // since it was last handed over
    std::vector<Wave> ended;
    bool in_trouble = false;
    std::optional<Timestamp> calm_since;  // the open wave's tentative end
  };

  // A target's state changed (from `before`): shares, events, aggregates, quorum, evidence, waves.
  void on_target_change(const std::string& vantage, VantageView& view, const std::string& target, TargetTracker& tracker,
                        Standing before);
  // One step of that change, dated `since`: shares, the target's event, aggregates, waves.
  void apply_target_change(const std::string& vantage, VantageView& view, const std::string& target, const TargetTracker& tracker,
                           Standing before, Standing after, Timestamp since, const std::string& reason);
  // Several targets silent at once: down together when their silences are, together, far
  // beyond what loss explains.
  void weigh_silences(const std::string& vantage, VantageView& view, const std::string& target, const TargetTracker& tracker);
  void set_state(const EntityKey& key, State next, Timestamp at, const std::string& reason, std::optional<Layer> layer,
                 const StressReading* stress, const std::vector<std::string>& involved);
  void account(VantageView& view, const std::string& target, Standing from, Standing to, bool arriving);
  void rebuild_shares();
  void update_vantage_aggregates(const std::string& vantage, Timestamp at);
  // `changed`: the target whose change led here; the full list of targets involved is only
  // gathered when a combined state changes.
  void update_quorum(Timestamp at, const std::string& changed);
  [[nodiscard]] std::vector<std::string> targets_not_up(std::optional<Layer> layer) const;
  [[nodiscard]] std::size_t quorum() const;
  [[nodiscard]] const TargetInfo& info_of(const std::string& target) const;
  // Signature evidence: a target's spell (and control targets' failures) into the open events it belongs to.
  void gather(Evidence& evidence, const Event& event, const std::string& vantage, const std::string& target,
              const TargetTracker& tracker) const;
  void gather_all(std::uint64_t serial);
  void gather_target(const std::string& vantage, const std::string& target, const TargetTracker& tracker);
  void sign(Event& event, const Evidence& evidence) const;
  // An open event as it stands, signed from its evidence.
  [[nodiscard]] Event signed_copy(const OpenEvent& open) const;
  [[nodiscard]] Duration cadence_of(const Event& event) const;
  void update_waves(Timestamp at);
  void close_calm_wave_before(Timestamp now);

  DetectionParams params_;
  std::unordered_map<std::string, TargetInfo> info_;
  std::map<Layer, Duration> layer_cadence_;
  Duration network_cadence_ = std::chrono::seconds(10);
  std::int64_t network_units_ = 0;
  std::map<Layer, std::int64_t> layer_units_;
  std::map<std::string, VantageView> vantages_;
  std::map<EntityKey, EntityState> entities_;
  // Open events by serial (the order they were opened in); closed ones wait in closed_events_
  // until taken, with their serials.
  std::map<std::uint64_t, OpenEvent> open_events_;
  std::uint64_t next_serial_ = 0;
  std::vector<std::pair<std::uint64_t, Event>> closed_events_;
  std::set<std::uint64_t> dirty_events_;  // open events changed since last taken
  std::vector<StateChange> changes_;      // not yet taken
  WaveBuilder waves_;
  Timestamp latest_{};
};

}  // namespace blackout
