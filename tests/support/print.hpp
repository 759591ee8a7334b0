// How gtest prints blackout's enums in a failed assertion: by name ("stress-led"), not as the
// bytes of an object.
#pragma once

#include <ostream>

#include "model/event.hpp"

namespace blackout {

inline void PrintTo(State state, std::ostream* out) { *out << to_string(state); }
inline void PrintTo(Scope scope, std::ostream* out) { *out << to_string(scope); }
inline void PrintTo(Signature signature, std::ostream* out) { *out << to_string(signature); }

}  // namespace blackout
