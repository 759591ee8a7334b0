// Recent history in bounded memory.
#include "serve/history.hpp"

#include <algorithm>

namespace blackout {

namespace {

// Averages what is known over the targets of an aggregate.
struct Mean {
  double sum = 0;
  std::size_t n = 0;
  void add(std::optional<double> v) {
    if (v) sum += *v, ++n;
  }
  [[nodiscard]] std::optional<double> value() const {
    return n ? std::optional<double>(sum / static_cast<double>(n)) : std::nullopt;
  }
};

struct Aggregate {
  Mean reach, stress, rtt, loss;
  State worst = State::unknown;
  void add(const HistoryPoint& p) {
    reach.add(p.reachability);
    if (p.state == State::up || p.state == State::stressed) stress.add(p.stress);
    rtt.add(p.rtt_ms);
    loss.add(p.loss);
    if (p.state != State::unknown && (worst == State::unknown || static_cast<int>(p.state) > static_cast<int>(worst)))
      worst = p.state;
  }
  [[nodiscard]] HistoryPoint point(Timestamp at) const {
    return {at, worst, reach.value(), stress.value(), rtt.value(), loss.value()};
  }
};

}  // namespace

History::History(HistoryOptions options) : options_(options), per_target_(options.max_points) {}

void History::push(std::deque<HistoryPoint>& ring, HistoryPoint point, std::size_t capacity) {
  ring.push_back(point);
  while (ring.size() > capacity) ring.pop_front();
}

void History::add(const Result& result) {
  Bin& bin = targets_[{result.target, result.vantage}].open;
  if (result.outcome == Outcome::ok) {
    ++bin.answers;
    if (result.rtt) bin.rtt_sum_ms += to_milliseconds(*result.rtt);
  } else {
    ++bin.failures;
  }
}

void History::snapshot(Timestamp at, const std::vector<TargetStatus>& statuses) {
  // The budget is shared: with many targets each keeps fewer points.
  const std::size_t tracks = std::max<std::size_t>({targets_.size(), statuses.size(), 1});
  per_target_ = std::clamp(options_.point_budget / tracks, options_.min_points, options_.max_points);
  std::map<Layer, Aggregate> layers;
  Aggregate network;
  for (const TargetStatus& s : statuses) {
    Track& track = targets_[{s.target, s.vantage}];
    HistoryPoint p;
    p.at = at;
    p.state = s.state;
    if (s.state != State::unknown) p.reachability = s.state == State::down ? 0.0 : 1.0;
    if (s.state == State::up || s.state == State::stressed) p.stress = s.stress.stress;
    if (track.open.answers > 0) p.rtt_ms = track.open.rtt_sum_ms / track.open.answers;
    if (track.open.answers + track.open.failures > 0)
      p.loss = static_cast<double>(track.open.failures) / static_cast<double>(track.open.answers + track.open.failures);
    track.open = Bin{};
    push(track.points, p, per_target_);
    layers[s.layer].add(p);
    network.add(p);
  }
  for (const auto& [layer, aggregate] : layers) push(layers_[layer], aggregate.point(at), options_.max_points);
  push(network_, network.point(at), options_.max_points);
}

std::vector<HistoryPoint> History::target(const std::string& name, const std::string& vantage) const {
  auto it = targets_.lower_bound({name, vantage});
  if (it == targets_.end() || it->first.first != name || (!vantage.empty() && it->first.second != vantage)) return {};
  return {it->second.points.begin(), it->second.points.end()};
}

std::vector<HistoryPoint> History::layer(Layer layer) const {
  const auto it = layers_.find(layer);
  if (it == layers_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<HistoryPoint> History::network() const { return {network_.begin(), network_.end()}; }

std::size_t History::points_held() const {
  std::size_t n = network_.size();
  for (const auto& [k, t] : targets_) n += t.points.size();
  for (const auto& [k, l] : layers_) n += l.size();
  return n;
}

}  // namespace blackout
