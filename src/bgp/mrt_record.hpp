// What an MRT file (RFC 6396) says, as plain values: the common header, the record bodies
// blackout reads (TABLE_DUMP, TABLE_DUMP_V2, BGP4MP and BGP4MP_ET) and the BGP path
// attributes inside them. Produced by mrt_parse.hpp, read record by record by
// mrt_reader.hpp, printed by bgpdump_lines.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/address.hpp"

namespace blackout::bgp {

// MRT record types (RFC 6396, section 4) that the reader decodes; any other type is skipped
// and counted.
namespace mrt_type {
inline constexpr std::uint16_t table_dump = 12;
inline constexpr std::uint16_t table_dump_v2 = 13;
inline constexpr std::uint16_t bgp4mp = 16;
inline constexpr std::uint16_t bgp4mp_et = 17;
}  // namespace mrt_type

// TABLE_DUMP_V2 subtypes (RFC 6396 4.3, RFC 8050 for the _ADDPATH ones).
namespace table_dump_v2_subtype {
inline constexpr std::uint16_t peer_index_table = 1;
inline constexpr std::uint16_t rib_ipv4_unicast = 2;
inline constexpr std::uint16_t rib_ipv4_multicast = 3;
inline constexpr std::uint16_t rib_ipv6_unicast = 4;
inline constexpr std::uint16_t rib_ipv6_multicast = 5;
inline constexpr std::uint16_t rib_generic = 6;
inline constexpr std::uint16_t rib_ipv4_unicast_addpath = 8;
inline constexpr std::uint16_t rib_ipv4_multicast_addpath = 9;
inline constexpr std::uint16_t rib_ipv6_unicast_addpath = 10;
inline constexpr std::uint16_t rib_ipv6_multicast_addpath = 11;
inline constexpr std::uint16_t rib_generic_addpath = 12;
}  // namespace table_dump_v2_subtype

// BGP4MP and BGP4MP_ET subtypes (RFC 6396 4.4, RFC 8050).
namespace bgp4mp_subtype {
inline constexpr std::uint16_t state_change = 0;
inline constexpr std::uint16_t message = 1;
inline constexpr std::uint16_t message_as4 = 4;
inline constexpr std::uint16_t state_change_as4 = 5;
inline constexpr std::uint16_t message_local = 6;
inline constexpr std::uint16_t message_as4_local = 7;
inline constexpr std::uint16_t message_addpath = 8;
inline constexpr std::uint16_t message_as4_addpath = 9;
inline constexpr std::uint16_t message_local_addpath = 10;
inline constexpr std::uint16_t message_as4_local_addpath = 11;
}  // namespace bgp4mp_subtype

// Address family identifiers as BGP and MRT carry them.
inline constexpr std::uint16_t afi_ipv4 = 1;
inline constexpr std::uint16_t afi_ipv6 = 2;

struct MrtHeader {
  std::uint32_t timestamp = 0;     // seconds since the epoch
  std::uint32_t microseconds = 0;  // BGP4MP_ET only
  std::uint16_t type = 0;
  std::uint16_t subtype = 0;
  std::uint32_t length = 0;  // of the body, without BGP4MP_ET's microsecond field
  std::uint64_t offset = 0;  // where the record starts in the decompressed stream
};

// A prefix as it was on the wire. Bits beyond the length are kept as sent, because bgpdump
// prints them that way and "what the file says" is what a reader must show; prefix() gives
// the normalised value for matching.
struct NlriPrefix {
  IpAddress address;
  std::uint8_t length = 0;
  std::uint32_t path_id = 0;  // add-path identifier (RFC 7911); 0 without add-path
  [[nodiscard]] Prefix prefix() const;
};

// BGP path attribute type codes blackout decodes (RFC 4271, 4760, 1997, 6793).
namespace attribute {
inline constexpr std::uint8_t origin = 1;
inline constexpr std::uint8_t as_path = 2;
inline constexpr std::uint8_t next_hop = 3;
inline constexpr std::uint8_t multi_exit_disc = 4;
inline constexpr std::uint8_t local_pref = 5;
inline constexpr std::uint8_t atomic_aggregate = 6;
inline constexpr std::uint8_t aggregator = 7;
inline constexpr std::uint8_t communities = 8;
inline constexpr std::uint8_t mp_reach_nlri = 14;
inline constexpr std::uint8_t mp_unreach_nlri = 15;
inline constexpr std::uint8_t as4_path = 17;
inline constexpr std::uint8_t as4_aggregator = 18;
}  // namespace attribute

namespace as_segment {
inline constexpr std::uint8_t set = 1;
inline constexpr std::uint8_t sequence = 2;
inline constexpr std::uint8_t confed_sequence = 3;
inline constexpr std::uint8_t confed_set = 4;
}  // namespace as_segment

struct AsPathSegment {
  std::uint8_t type = as_segment::sequence;
  std::vector<std::uint32_t> asns;
};

struct Aggregator {
  std::uint32_t asn = 0;
  IpAddress address;
};

// MP_REACH_NLRI (RFC 4760). In TABLE_DUMP_V2 RIB entries it is usually abbreviated to the
// next hop alone (RFC 6396 4.3.4); then afi/safi are those of the RIB record.
struct MpReach {
  std::uint16_t afi = 0;
  std::uint8_t safi = 0;
  bool abbreviated = false;
  bool decoded = false;  // false for address families blackout does not decode (kept unread)
  std::optional<IpAddress> next_hop;
  std::optional<IpAddress> link_local_next_hop;
  std::vector<NlriPrefix> prefixes;
};

struct MpUnreach {
  std::uint16_t afi = 0;
  std::uint8_t safi = 0;
  bool decoded = false;
  std::vector<NlriPrefix> prefixes;
};

struct PathAttributes {
  std::uint64_t present = 0;  // bit (type - 1) for each attribute type 1..64 seen
  std::uint8_t origin = 255;  // 0 IGP, 1 EGP, 2 INCOMPLETE; 255 when absent
  // The effective AS path: for 2-byte-AS sessions with an AS4_PATH, the two merged as
  // RFC 6793 4.2.3 says.
  std::vector<AsPathSegment> as_path;
  std::vector<AsPathSegment> as4_path;
  IpAddress next_hop;  // NEXT_HOP, when has(attribute::next_hop)
  std::uint32_t med = 0;
  std::uint32_t local_pref = 0;
  std::optional<Aggregator> aggregator;  // effective: AS4_AGGREGATOR merged in
  std::vector<std::uint32_t> communities;
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;

  [[nodiscard]] bool has(std::uint8_t type) const { return type >= 1 && type <= 64 && ((present >> (type - 1)) & 1U) != 0; }
};

struct PeerEntry {
  IpAddress bgp_id;
  IpAddress address;
  std::uint32_t asn = 0;
};

// TABLE_DUMP_V2 PEER_INDEX_TABLE: the peers that the RIB records that follow refer to.
struct PeerIndexTable {
  IpAddress collector_id;
  std::string view_name;
  std::vector<PeerEntry> peers;
};

struct RibEntry {
  std::uint16_t peer_index = 0;
  PeerEntry peer;  // resolved from the peer index table
  std::uint32_t originated = 0;
  std::uint32_t path_id = 0;  // add-path subtypes only
  PathAttributes attributes;
};

// TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST/MULTICAST[_ADDPATH]: one prefix, one entry per peer path.
struct RibRecord {
  std::uint16_t afi = afi_ipv4;
  std::uint8_t safi = 1;
  bool add_path = false;
  std::uint32_t sequence = 0;
  NlriPrefix prefix;
  std::vector<RibEntry> entries;
};

// TABLE_DUMP (v1): one prefix as seen from one peer.
struct TableDumpRecord {
  std::uint16_t view = 0;
  std::uint16_t sequence = 0;
  NlriPrefix prefix;
  std::uint8_t status = 0;
  std::uint32_t originated = 0;
  IpAddress peer_address;
  std::uint32_t peer_as = 0;
  PathAttributes attributes;
};

// The session a BGP4MP record belongs to. For the _LOCAL subtypes the message was sent by
// the collector; peer is still the other side.
struct BgpSession {
  std::uint32_t peer_as = 0;
  std::uint32_t local_as = 0;
  std::uint16_t interface_index = 0;
  std::uint16_t afi = afi_ipv4;
  IpAddress peer_address;
  IpAddress local_address;
};

struct StateChange {
  BgpSession session;
  std::uint16_t old_state = 0;
  std::uint16_t new_state = 0;
};

struct UpdateMessage {
  std::vector<NlriPrefix> withdrawn;
  PathAttributes attributes;
  std::vector<NlriPrefix> announced;
  // Last prefixes of a field whose bytes the message did not hold (a writer cut the
  // message): dropped, as bgpdump drops them, and counted here.
  std::uint32_t prefixes_cut_short = 0;
};

namespace bgp_message_type {
inline constexpr std::uint8_t open = 1;
inline constexpr std::uint8_t update = 2;
inline constexpr std::uint8_t notification = 3;
inline constexpr std::uint8_t keepalive = 4;
inline constexpr std::uint8_t route_refresh = 5;
}  // namespace bgp_message_type

struct BgpMessage {
  BgpSession session;
  bool local = false;     // sent by the collector (_LOCAL subtypes)
  bool add_path = false;  // _ADDPATH subtypes: NLRI carry path identifiers
  bool as4 = false;       // AS numbers are 4 bytes
  std::uint8_t type = 0;  // bgp_message_type
  std::optional<UpdateMessage> update;
};

using MrtBody = std::variant<PeerIndexTable, RibRecord, TableDumpRecord, StateChange, BgpMessage>;

struct MrtRecord {
  MrtHeader header;
  MrtBody body;
};

// "TABLE_DUMP_V2/RIB_IPV4_UNICAST", "BGP4MP/MESSAGE_AS4", "type 99/subtype 3", ...
std::string record_type_name(std::uint16_t type, std::uint16_t subtype);

}  // namespace blackout::bgp
