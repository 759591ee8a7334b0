// Layer time series from results (replayed through the detector's trackers) or rollups.
#include "report/series.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

namespace blackout::report {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

std::int64_t bin_index(Timestamp t, Duration bin) { return floor_div(t.time_since_epoch().count(), bin.count()); }

// Each step a multiple of the one before, so that bins merge exactly when they grow.
Duration next_step(Duration bin) {
  using namespace std::chrono;
  static constexpr std::array<seconds, 12> ladder{1s, 2s, 10s, 30s, 60s, 120s, 600s, 1800s, 3600s, 7200s, 21600s, 86400s};
  for (const seconds step : ladder)
    if (Duration(step) > bin) return step;
  return bin * 2;
}

void merge_into(SeriesCell& into, const SeriesCell& later) {
  into.worst = std::max(into.worst, later.worst);
  if (later.last != State::unknown) into.last = later.last;
  if (later.max_stress) into.max_stress = std::max(into.max_stress.value_or(*later.max_stress), *later.max_stress);
  if (later.last_stress) into.last_stress = later.last_stress;
}

std::map<std::int64_t, SeriesCell> rebinned(const std::map<std::int64_t, SeriesCell>& cells, Duration from_bin, Duration to_bin) {
  if (from_bin == to_bin) return cells;
  std::map<std::int64_t, SeriesCell> out;
  const std::int64_t factor = to_bin.count() / from_bin.count();
  for (const auto& [index, cell] : cells) merge_into(out[floor_div(index, factor)], cell);
  return out;
}

struct PairCells {
  Layer layer;
  double weight;
  const std::map<std::int64_t, SeriesCell>* cells;
};

// Per layer and bin: the weighted share of pairs not down, and the mean stress of those
// that answered. Pairs without results in a bin keep the state they ended the last one in.
TimeSeries aggregate(const std::vector<PairCells>& pairs, const std::map<Layer, std::size_t>& layer_targets, Duration bin,
                     Timestamp from, Timestamp to, std::string source) {
  TimeSeries series;
  series.bin = bin;
  series.source = std::move(source);
  const std::int64_t first = bin_index(from, bin), last = bin_index(to - Duration(1), bin);
  for (const auto& [layer, count] : layer_targets) {
    LayerSeries ls;
    ls.layer = layer;
    ls.targets = count;
    struct Cursor {
      const PairCells* pair;
      std::map<std::int64_t, SeriesCell>::const_iterator it;
      State carried = State::unknown;
      std::optional<double> carried_stress;
    };
    std::vector<Cursor> cursors;
    for (const PairCells& p : pairs)
      if (p.layer == layer) cursors.push_back({&p, p.cells->begin(), State::unknown, std::nullopt});
    for (Cursor& c : cursors) {
      for (; c.it != c.pair->cells->end() && c.it->first < first; ++c.it) {
        if (c.it->second.last != State::unknown) c.carried = c.it->second.last;
        if (c.it->second.last_stress) c.carried_stress = c.it->second.last_stress;
      }
    }
    for (std::int64_t i = first; i <= last; ++i) {
      double known = 0, reachable = 0, stress_sum = 0;
      int stress_count = 0;
      for (Cursor& c : cursors) {
        State state = c.carried;
        std::optional<double> stress = c.carried_stress;
        if (c.it != c.pair->cells->end() && c.it->first == i) {
          const SeriesCell& cell = c.it->second;
          state = cell.worst;
          stress = cell.max_stress;
          if (cell.last != State::unknown) c.carried = cell.last;
          if (cell.last_stress) c.carried_stress = cell.last_stress;
          ++c.it;
        }
        if (state == State::unknown) continue;
        known += c.pair->weight;
        if (state != State::down) {
          reachable += c.pair->weight;
          if (stress) {
            stress_sum += *stress;
            ++stress_count;
          }
        }
      }
      SeriesPoint point{Timestamp(bin * i), std::nullopt, std::nullopt};
      if (known > 0) point.reachability = reachable / known;
      if (stress_count > 0) point.stress = stress_sum / stress_count;
      ls.points.push_back(point);
    }
    series.layers.push_back(std::move(ls));
  }
  return series;
}

}  // namespace

Duration bin_for(Duration span, std::size_t max_points, Duration finest) {
  Duration bin = finest;
  const auto most = static_cast<std::int64_t>(std::max<std::size_t>(max_points, 2));
  // +1: an interval that does not start on a bin boundary touches one bin more.
  while (span.count() / bin.count() + 1 >= most) bin = next_step(bin);
  return bin;
}

SeriesBuilder::SeriesBuilder(const std::vector<Target>& targets, DetectionParams params, std::size_t max_points,
                             std::optional<Duration> span)
    : params_(params),
      max_points_(std::max<std::size_t>(max_points, 8)),
      bin_(span ? bin_for(*span, max_points_) : std::chrono::seconds(1)) {
  for (const Target& t : targets) {
    TargetInfo info{t.layer, t.weight, t.control};
    for (std::size_t i = 0; i < t.checks.size(); ++i)
      info.cadence = i == 0 ? t.checks[i].interval : std::min(info.cadence, t.checks[i].interval);
    info_[t.name] = info;
  }
}

void SeriesBuilder::add(const Result& result) {
  ++per_vantage_[result.vantage];
  first_ = first_ ? std::min(*first_, result.time) : result.time;
  last_ = last_ ? std::max(*last_, result.time) : result.time;
  const auto info_it = info_.find(result.target);
  // Targets missing from the config count as hosts, as the detector counts them.
  const TargetInfo info = info_it == info_.end() ? TargetInfo{} : info_it->second;
  if (info.control) return;  // outside the watched network: in the narrative, not the layers
  auto [it, inserted] = pairs_.try_emplace({result.vantage, result.target});
  Pair& pair = it->second;
  if (inserted) {
    pair.layer = info.layer;
    pair.weight = info.weight;
    pair.tracker.set_cadence(info.cadence);
  }
  pair.tracker.add(result, params_);
  const State state = pair.tracker.state();
  const std::int64_t index = bin_index(result.time, bin_);
  SeriesCell& cell = pair.cells[index];
  cell.worst = std::max(cell.worst, state);
  cell.last = state;
  if (state != State::down && state != State::unknown) {
    const double stress = pair.tracker.stress().stress;
    cell.max_stress = std::max(cell.max_stress.value_or(stress), stress);
    cell.last_stress = stress;
  }
  low_bin_ = low_bin_ ? std::min(*low_bin_, index) : index;
  high_bin_ = high_bin_ ? std::max(*high_bin_, index) : index;
  if (*high_bin_ - *low_bin_ + 2 >= static_cast<std::int64_t>(max_points_)) coarsen();
}

void SeriesBuilder::coarsen() {
  while (low_bin_ && *high_bin_ - *low_bin_ + 2 >= static_cast<std::int64_t>(max_points_)) {
    const Duration next = next_step(bin_);
    for (auto& [key, pair] : pairs_) pair.cells = rebinned(pair.cells, bin_, next);
    const std::int64_t factor = next.count() / bin_.count();
    low_bin_ = floor_div(*low_bin_, factor);
    high_bin_ = floor_div(*high_bin_, factor);
    bin_ = next;
  }
}

TimeSeries SeriesBuilder::finish(Timestamp from, Timestamp to) const {
  if (to <= from) to = from + Duration(1);
  const Duration bin = bin_for(to - from, max_points_, bin_);
  std::vector<std::map<std::int64_t, SeriesCell>> cells;
  cells.reserve(pairs_.size());
  std::vector<PairCells> pairs;
  std::map<Layer, std::set<std::string>> names;
  for (const auto& [name, info] : info_)
    if (!info.control) names[info.layer].insert(name);
  for (const auto& [key, pair] : pairs_) {
    cells.push_back(rebinned(pair.cells, bin_, bin));
    names[pair.layer].insert(key.second);
  }
  std::size_t i = 0;
  for (const auto& [key, pair] : pairs_) pairs.push_back({pair.layer, pair.weight, &cells[i++]});
  std::map<Layer, std::size_t> layer_targets;
  for (const auto& [layer, set] : names) layer_targets[layer] = set.size();
  return aggregate(pairs, layer_targets, bin, from, to, "results");
}

TimeSeries series_from_rollups(const std::vector<Rollup>& rollups, const std::vector<Target>& targets,
                               const DetectionParams& params, Timestamp from, Timestamp to, std::size_t max_points) {
  if (to <= from) to = from + Duration(1);
  std::map<std::string, const Target*> by_name;
  for (const Target& t : targets) by_name[t.name] = &t;

  // The normal RTT of each series: the lower quartile of its per-minute medians over the
  // minutes in which every probe passed, a stand-in for the baseline the detector learns.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<double>> medians;
  for (const Rollup& r : rollups)
    if (r.rtt_median && r.successes == r.count && r.count > 0)
      medians[{r.vantage, r.target, r.check}].push_back(to_milliseconds(*r.rtt_median));
  std::map<std::tuple<std::string, std::string, std::string>, double> normal;
  for (auto& [key, values] : medians) {
    std::sort(values.begin(), values.end());
    normal[key] = std::max(values[values.size() / 4], to_milliseconds(params.rtt_floor));
  }

  struct Minute {
    std::int64_t count = 0, successes = 0;
    double inflation_sum = 0;
    int inflation_count = 0;
  };
  std::map<std::pair<std::string, std::string>, std::map<std::int64_t, Minute>> minutes;
  const Duration minute = std::chrono::minutes(1);
  for (const Rollup& r : rollups) {
    const auto it = by_name.find(r.target);
    if (it != by_name.end() && it->second->control) continue;
    Minute& m = minutes[{r.vantage, r.target}][bin_index(r.minute, minute)];
    m.count += r.count;
    m.successes += r.successes;
    const auto n = normal.find({r.vantage, r.target, r.check});
    if (r.rtt_median && n != normal.end()) {
      m.inflation_sum += std::max(1.0, to_milliseconds(*r.rtt_median) / n->second);
      ++m.inflation_count;
    }
  }
  const Duration bin = bin_for(to - from, max_points, minute);
  std::vector<std::map<std::int64_t, SeriesCell>> cells;
  cells.reserve(minutes.size());
  std::vector<PairCells> pairs;
  std::map<Layer, std::set<std::string>> names;
  for (const Target& t : targets)
    if (!t.control) names[t.layer].insert(t.name);
  for (const auto& [key, by_minute] : minutes) {
    std::map<std::int64_t, SeriesCell> per_minute;
    for (const auto& [index, m] : by_minute) {
      if (m.count == 0) continue;
      const double loss = 1 - static_cast<double>(m.successes) / static_cast<double>(m.count);
      const double inflation = m.inflation_count ? m.inflation_sum / m.inflation_count : 1.0;
      const double stress = (inflation - 1) / (params.inflation_threshold - 1) + loss / params.loss_threshold;
      SeriesCell cell;
      cell.worst = cell.last = loss > 0.5 ? State::down : stress >= stress_index_threshold ? State::stressed : State::up;
      if (cell.worst != State::down) cell.max_stress = cell.last_stress = stress;
      per_minute[index] = cell;
    }
    cells.push_back(rebinned(per_minute, minute, bin));
    const auto it = by_name.find(key.second);
    names[it == by_name.end() ? Layer::host : it->second->layer].insert(key.second);
  }
  std::size_t i = 0;
  for (const auto& [key, by_minute] : minutes) {
    const auto it = by_name.find(key.second);
    pairs.push_back(
        {it == by_name.end() ? Layer::host : it->second->layer, it == by_name.end() ? 1.0 : it->second->weight, &cells[i++]});
  }
  std::map<Layer, std::size_t> layer_targets;
  for (const auto& [layer, set] : names) layer_targets[layer] = set.size();
  return aggregate(pairs, layer_targets, bin, from, to, "rollups");
}

}  // namespace blackout::report
