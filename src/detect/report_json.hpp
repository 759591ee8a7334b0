// Events and waves as the JSON document of docs/events.md, and as a short narrative for
// terminals — the sentence a researcher gives a reporter.
#pragma once

#include <string>
#include <vector>

#include "model/event.hpp"

namespace blackout {

// One event or wave as a compact JSON document (what the store keeps).
std::string event_to_json(const Event& event);
std::string wave_to_json(const Wave& wave);

std::string events_to_json(const std::vector<Event>& events, const std::vector<Wave>& waves);
std::string events_to_text(const std::vector<Event>& events, const std::vector<Wave>& waves);

}  // namespace blackout
