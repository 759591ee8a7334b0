// The narrative of a report: the sentences a researcher hands a reporter, derived from
// the events and waves alone — waves with their times and durations, the cascade, peak
// stress and loss, the targets that took the brunt, the signature and its evidence, and
// what each vantage saw.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/target.hpp"
#include "report/report.hpp"

namespace blackout::report {

struct NarrativeInput {
  const std::vector<Event>& events;
  const std::vector<Wave>& waves;
  const std::vector<Target>& targets;
  const std::map<std::string, std::int64_t>& results_per_vantage;
  Timestamp from, to;  // open events are counted up to `to`
};

Narrative write_narrative(const NarrativeInput& input);

}  // namespace blackout::report
