// Events and waves as the JSON document of docs/events.md: what `blackout analyze --format
// json` prints, the dashboard's API serves and the store keeps, and read back from it. The
// document rounds (times to the millisecond, stress to three decimals): an event read back
// is the event as documented, not bit for bit the detector's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/event.hpp"
#include "util/expected.hpp"

namespace blackout {

// One event or wave as a compact JSON document (what the store keeps).
std::string event_to_json(const Event& event);
std::string wave_to_json(const Wave& wave);
// The whole document: {"events": [...], "waves": [...]}, indented.
std::string events_to_json(const std::vector<Event>& events, const std::vector<Wave>& waves);

// Read back; the error names the field that is missing or not what it should be.
Expected<Event> event_from_json(std::string_view document);
Expected<Wave> wave_from_json(std::string_view document);

}  // namespace blackout
