// The one-line-per-prefix text of `bgpdump -m` (RIPE NCC's bgpdump), byte for byte, so that
// blackout's reading of an MRT file can be checked against bgpdump's with diff:
//   TABLE_DUMP2|1027123020|B|peer_ip|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|AG|aggregator|
//   BGP4MP|1279829701|A|peer_ip|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|NAG||
//   BGP4MP|1027377522|W|peer_ip|peer_as|prefix
//   BGP4MP|1027377515|STATE|peer_ip|peer_as|old_state|new_state
// docs/bgp.md lists the fields and where blackout knowingly differs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bgp/mrt_record.hpp"
#include "model/address.hpp"

namespace blackout::bgp {

enum class PrefixMatch : std::uint8_t {
  exact,          // the record's prefix is one of the filter's
  more_specific,  // ... or inside one of them
  covering,       // ... or contains one of them
};

struct PrefixFilter {
  std::vector<Prefix> prefixes;  // empty: everything
  PrefixMatch match = PrefixMatch::exact;
  [[nodiscard]] bool accepts(const NlriPrefix& prefix) const;
};

// Appends the lines bgpdump -m prints for `record` (none for a PEER_INDEX_TABLE, OPEN,
// NOTIFICATION or KEEPALIVE) and returns how many. With a filter, only lines for accepted
// prefixes, and no STATE lines.
std::size_t append_bgpdump_lines(const MrtRecord& record, const PrefixFilter& filter, std::string& out);

// Addresses as bgpdump prints them: IPv6 with its own zero-compression (a single zero group
// is compressed too, unlike inet_ntop) and IPv4-mapped/compatible forms.
void append_bgpdump_address(std::string& out, const IpAddress& address);

// AS paths as bgpdump prints them: "1 2 {3,4} (5 6) [7,8]".
void append_as_path(std::string& out, const std::vector<AsPathSegment>& path);

}  // namespace blackout::bgp
