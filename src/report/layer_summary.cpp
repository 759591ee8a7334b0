// Layer summaries: the first bin wins ties, so the moment named is when it began.
#include "report/layer_summary.hpp"

namespace blackout::report {

LayerSummary summarize(const LayerSeries& series) {
  LayerSummary s;
  for (const SeriesPoint& p : series.points) {
    if (p.reachability && (!s.lowest_reachability || *p.reachability < *s.lowest_reachability)) {
      s.lowest_reachability = p.reachability;
      s.lowest_at = p.start;
    }
    if (p.stress && (!s.highest_stress || *p.stress > *s.highest_stress)) {
      s.highest_stress = p.stress;
      s.highest_at = p.start;
    }
  }
  return s;
}

}  // namespace blackout::report
