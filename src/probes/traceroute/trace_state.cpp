// Trace bookkeeping and its result.
#include "probes/traceroute/trace_state.hpp"

#include <cstdio>

namespace blackout {

void TraceState::record(int ttl, HopAnswer answer) {
  const int index = ttl - first_hop;
  if (index < 0 || index >= static_cast<int>(answers.size())) return;
  auto& slot = answers[static_cast<std::size_t>(index)];
  if (!slot) slot = answer;  // the first answer per TTL counts; later ones are duplicates
}

std::optional<int> TraceState::end_ttl() const {
  for (std::size_t i = 0; i < answers.size(); ++i)
    if (answers[i] && answers[i]->kind != HopAnswer::Kind::time_exceeded) return first_hop + static_cast<int>(i);
  return std::nullopt;
}

bool TraceState::complete() const {
  const auto end = end_ttl();
  if (!end) return false;
  for (int ttl = first_hop; ttl < *end; ++ttl)
    if (!answers[static_cast<std::size_t>(ttl - first_hop)]) return false;
  return true;
}

Result TraceState::to_result(bool timed_out) const {
  Result result;
  const auto end = end_ttl();
  const int last_ttl = end ? *end : max_hops;
  std::string hops;
  int last_responsive = 0;
  std::string last_address;
  for (int ttl = first_hop; ttl <= last_ttl; ++ttl) {
    const auto& answer = answers[static_cast<std::size_t>(ttl - first_hop)];
    if (!hops.empty()) hops += " | ";
    hops += std::to_string(ttl) + " ";
    if (!answer) {
      hops += "*";
      continue;
    }
    char rtt[32];
    std::snprintf(rtt, sizeof rtt, "%.3fms", to_milliseconds(answer->rtt));
    hops += answer->from.to_string() + " " + rtt;
    if (answer->kind == HopAnswer::Kind::unreachable) hops += " !" + std::to_string(answer->icmp_code);
    last_responsive = ttl;
    last_address = answer->from.to_string();
  }
  const bool reached = end && answers[static_cast<std::size_t>(*end - first_hop)]->kind == HopAnswer::Kind::destination;
  if (reached) {
    result.outcome = Outcome::ok;
    result.rtt = answers[static_cast<std::size_t>(*end - first_hop)]->rtt;
  } else if (last_responsive == 0) {
    result.outcome = Outcome::timeout;
    result.detail = "nothing answered at any TTL";
  } else {
    result.outcome = Outcome::not_reached;
    result.detail = "the path ends at hop " + std::to_string(last_responsive) + " (" + last_address + ")";
  }
  result.fields.push_back({"reached", reached});
  result.fields.push_back({"hop_count", std::int64_t{reached ? *end : 0}});
  result.fields.push_back({"last_responsive_hop", std::int64_t{last_responsive}});
  result.fields.push_back({"last_responsive_address", last_address});
  result.fields.push_back({"hops", hops});
  result.fields.push_back({"stopped_by", std::string(reached     ? "reached"
                                                     : end       ? "unreachable"
                                                     : timed_out ? "timeout"
                                                                 : "max-hops")});
  result.fields.push_back({"probes_sent", std::int64_t{probes_sent}});
  return result;
}

}  // namespace blackout
