// One lookup of a name: its A and AAAA queries sent together on the c-ares channel, and
// their ends and records made into one Answer (resolve/policy.hpp).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "resolve/ares_channel.hpp"
#include "resolve/policy.hpp"

namespace blackout {

// Calls done once, from the loop, when both queries have ended.
void look_up(AresChannel& channel, const std::string& name, std::function<void(Answer&&)> done);

// How one query ended, from c-ares's status and the reply's bytes; its addresses are
// appended to `addresses` and its smallest TTL lowers `ttl`. The bytes come from the network:
// anything c-ares cannot parse is a bad-reply, never a crash (tests/fuzz/resolve_answer_fuzz).
QueryEnd read_answer(int status, const std::vector<unsigned char>& bytes, bool v6, std::vector<IpAddress>& addresses,
                     std::optional<std::uint32_t>& ttl);

}  // namespace blackout
