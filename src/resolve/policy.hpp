// The resolver's decisions that need no network, kept pure so that they are tested without
// sockets: how the ends of a name's A and AAAA queries make one outcome, which addresses a
// name keeps through failures, which one its target's checks go to, and when the name is
// looked up again.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "model/address.hpp"
#include "model/outcome.hpp"
#include "model/time.hpp"

namespace blackout {

// How one query (A or AAAA) ended.
enum class QueryEnd : std::uint8_t { ok, nodata, nxdomain, servfail, refused_by_server, refused, timeout, bad_reply, error };
std::string_view to_string(QueryEnd end);

// One lookup of a name: both queries, sent together.
struct Answer {
  QueryEnd a = QueryEnd::error, aaaa = QueryEnd::error;
  std::vector<IpAddress> v4, v6;     // in the order of the answer
  std::optional<std::uint32_t> ttl;  // the smallest over the records, in seconds
};

// ok when either query brought addresses; otherwise the most telling failure of the two
// (a name that does not exist says more than a server that did not answer). Two empty
// answers (NODATA) are resolve-error: the name has no address to probe.
Outcome outcome_of(const Answer& answer);

// What a name is known to resolve to, kept through failed lookups.
struct KnownAddresses {
  std::vector<IpAddress> v4, v6;
  [[nodiscard]] bool empty() const { return v4.empty() && v6.empty(); }
};

// After a good lookup: each family whose query answered (with records or without) takes the
// answer's set; a family whose query failed keeps what was known.
KnownAddresses merge(const KnownAddresses& known, const Answer& answer);

// The address the target's checks go to: the current one while it is still known and
// allowed (so that a server's round-robin does not make the series jump); otherwise the
// first allowed IPv4 address, else the first allowed IPv6 one. Under lab_only only loopback
// and the lab ranges are allowed.
std::optional<IpAddress> choose_address(const std::optional<IpAddress>& current, const KnownAddresses& known, bool lab_only);
// The known addresses lab_only refuses.
std::vector<IpAddress> refused_addresses(const KnownAddresses& known, bool lab_only);

// When to look a name up again after a good lookup: its TTL, but never sooner than min_ttl
// (a TTL of 0 must not make a busy loop) nor later than max_ttl (a DNS outage must show
// within max_ttl, whatever a day-long TTL says).
Duration refresh_after(std::optional<std::uint32_t> ttl, Duration min_ttl, Duration max_ttl);
// After `failures` failed lookups in a row (1 for the first): min_ttl, doubling, at most max_ttl.
Duration retry_after(int failures, Duration min_ttl, Duration max_ttl);

}  // namespace blackout
