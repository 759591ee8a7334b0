// Events and waves as a short narrative for terminals — the sentence a researcher gives a
// reporter; their JSON document (model/event_json.hpp) comes with it.
#pragma once

#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/event_json.hpp"

namespace blackout {

std::string events_to_text(const std::vector<Event>& events, const std::vector<Wave>& waves);

}  // namespace blackout
