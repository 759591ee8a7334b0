// Dropping root: privileged sockets are opened first, then the process becomes an ordinary
// user for the rest of its life, so that a bug in a parser of hostile replies cannot be
// turned into root on the vantage.
#pragma once

#include <string>

#include "util/expected.hpp"

namespace blackout {

// When running as root, switch to `user` (its uid, gid, and no supplementary groups) and make
// sure root cannot be regained. Not root: nothing to do. Returns what was done, or why not.
Expected<std::string> drop_privileges(const std::string& user);

}  // namespace blackout
