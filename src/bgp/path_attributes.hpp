// BGP UPDATE contents shared by MRT records and (later) live sessions: NLRI prefix lists
// (RFC 4271 4.3, with RFC 7911 path identifiers) and path attributes (ORIGIN, AS_PATH with
// 2- or 4-byte ASes, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES,
// MP_REACH_NLRI / MP_UNREACH_NLRI, AS4_PATH, AS4_AGGREGATOR). Other attributes are skipped.
#pragma once

#include <cstdint>
#include <vector>

#include "bgp/byte_cursor.hpp"
#include "bgp/mrt_error.hpp"
#include "bgp/mrt_record.hpp"

namespace blackout::bgp {

struct AttributeContext {
  std::uint8_t asn_size = 4;  // 2 for old sessions (and TABLE_DUMP v1 AFI_IP/IP6), 4 otherwise
  bool add_path = false;      // NLRI inside MP_REACH/MP_UNREACH carry path identifiers
  // In TABLE_DUMP_V2 RIB entries, MP_REACH_NLRI is usually abbreviated to its next hop
  // (RFC 6396 4.3.4): rib_afi says which family that next hop is for.
  bool in_rib = false;
  std::uint16_t rib_afi = afi_ipv4;
  std::uint8_t rib_safi = 1;
  // When set, a last NLRI prefix whose bytes run past the end of its field is counted here
  // and dropped instead of failing the record: MRT writers (Zebra, Quagga) cut UPDATEs that
  // way, and bgpdump reads the prefixes before the cut.
  std::uint32_t* prefixes_cut_short = nullptr;
};

// Reads a list of prefixes filling the cursor. False (and `error`) on a prefix longer than
// its family allows, or on one that runs past the end unless `cut_short` counts those.
bool parse_nlri(ByteCursor cursor, std::uint16_t afi, bool add_path, std::vector<NlriPrefix>& out, MrtError& error,
                std::uint32_t* cut_short = nullptr);

// Reads the path attributes filling the cursor into `out` (which must be fresh).
bool parse_path_attributes(ByteCursor cursor, const AttributeContext& context, PathAttributes& out, MrtError& error);

// How many ASes a path counts for (RFC 6793 4.2.3: a set counts as one, confederation
// segments as none).
std::size_t as_path_length(const std::vector<AsPathSegment>& path);

// RFC 6793 4.2.3: the leading ASes of AS_PATH that AS4_PATH does not cover, then AS4_PATH.
std::vector<AsPathSegment> merge_as4_path(const std::vector<AsPathSegment>& as_path, const std::vector<AsPathSegment>& as4_path);

}  // namespace blackout::bgp
