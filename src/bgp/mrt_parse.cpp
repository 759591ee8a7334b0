// Record body decoding for TABLE_DUMP, TABLE_DUMP_V2, BGP4MP and BGP4MP_ET; see
// mrt_parse.hpp. Field layouts follow RFC 6396 sections 4.2-4.4 and RFC 8050.
#include "bgp/mrt_parse.hpp"

#include <algorithm>
#include <string>

#include "bgp/byte_cursor.hpp"
#include "bgp/path_attributes.hpp"

namespace blackout::bgp {
namespace {

using namespace table_dump_v2_subtype;
using namespace bgp4mp_subtype;

struct Failure {
  MrtError error;
  bool set(std::uint64_t offset, std::string message) {
    error = MrtError{MrtErrorKind::malformed, offset, std::move(message), false};
    return false;
  }
};

bool read_address(ByteCursor& cursor, bool v6, IpAddress& out) {
  out = IpAddress{};
  out.family = v6 ? IpAddress::Family::v6 : IpAddress::Family::v4;
  return cursor.copy(out.bytes.data(), v6 ? 16 : 4);
}

bool read_asn(ByteCursor& cursor, std::uint8_t size, std::uint32_t& out) {
  if (size == 4) return cursor.u32(out);
  std::uint16_t asn = 0;
  if (!cursor.u16(asn)) return false;
  out = asn;
  return true;
}

// An attribute block preceded by its 2-byte length.
bool read_attributes(ByteCursor& cursor, const AttributeContext& context, PathAttributes& out, Failure& failure) {
  const std::uint64_t at = cursor.offset();
  std::uint16_t length = 0;
  if (!cursor.u16(length)) return failure.set(at, "attribute length missing");
  ByteCursor block;
  if (!cursor.take(length, block))
    return failure.set(at, "attributes of " + std::to_string(length) + " bytes run past the record (" +
                               std::to_string(cursor.remaining()) + " bytes left)");
  return parse_path_attributes(block, context, out, failure.error);
}

bool parse_table_dump(const MrtHeader& header, ByteCursor cursor, TableDumpRecord& out, Failure& failure) {
  const bool v6 = header.subtype == 2 || header.subtype == 4;
  const std::uint8_t asn_size = header.subtype >= 3 ? 4 : 2;
  const std::uint64_t at = cursor.offset();
  out.prefix.address.family = v6 ? IpAddress::Family::v6 : IpAddress::Family::v4;
  if (!cursor.u16(out.view) || !cursor.u16(out.sequence) || !cursor.copy(out.prefix.address.bytes.data(), v6 ? 16 : 4) ||
      !cursor.u8(out.prefix.length) || !cursor.u8(out.status) || !cursor.u32(out.originated) ||
      !read_address(cursor, v6, out.peer_address) || !read_asn(cursor, asn_size, out.peer_as))
    return failure.set(at, "TABLE_DUMP entry cut short");
  if (out.prefix.length > (v6 ? 128 : 32))
    return failure.set(at + 8 + (v6 ? 16 : 4), "prefix length " + std::to_string(out.prefix.length) + " too long");
  AttributeContext context;
  context.asn_size = asn_size;
  context.in_rib = true;
  context.rib_afi = v6 ? afi_ipv6 : afi_ipv4;
  return read_attributes(cursor, context, out.attributes, failure);
}

bool parse_peer_index_table(ByteCursor cursor, PeerIndexTable& out, Failure& failure) {
  const std::uint64_t at = cursor.offset();
  std::uint16_t name_length = 0;
  if (!read_address(cursor, false, out.collector_id) || !cursor.u16(name_length))
    return failure.set(at, "PEER_INDEX_TABLE header cut short");
  out.view_name.resize(name_length);
  if (!cursor.copy(reinterpret_cast<std::uint8_t*>(out.view_name.data()), name_length))
    return failure.set(at + 6, "view name runs past the record");
  std::uint16_t count = 0;
  if (!cursor.u16(count)) return failure.set(cursor.offset(), "peer count missing");
  // A peer takes at least 11 bytes: refuse counts the record cannot hold before allocating.
  if (std::size_t{count} * 11 > cursor.remaining())
    return failure.set(cursor.offset(),
                       std::to_string(count) + " peers cannot fit in the " + std::to_string(cursor.remaining()) + " bytes left");
  out.peers.resize(count);
  for (PeerEntry& peer : out.peers) {
    const std::uint64_t peer_at = cursor.offset();
    std::uint8_t type = 0;
    if (!cursor.u8(type) || !read_address(cursor, false, peer.bgp_id) || !read_address(cursor, (type & 1) != 0, peer.address) ||
        !read_asn(cursor, (type & 2) != 0 ? 4 : 2, peer.asn))
      return failure.set(peer_at, "peer entry cut short");
  }
  return true;
}

bool parse_rib(const MrtHeader& header, ByteCursor cursor, const PeerIndexTable* peers, RibRecord& out, Failure& failure) {
  const std::uint16_t s = header.subtype;
  out.afi = (s == rib_ipv6_unicast || s == rib_ipv6_multicast || s == rib_ipv6_unicast_addpath || s == rib_ipv6_multicast_addpath)
                ? afi_ipv6
                : afi_ipv4;
  out.safi =
      (s == rib_ipv4_multicast || s == rib_ipv6_multicast || s == rib_ipv4_multicast_addpath || s == rib_ipv6_multicast_addpath)
          ? 2
          : 1;
  out.add_path = s >= rib_ipv4_unicast_addpath;
  const std::uint64_t at = cursor.offset();
  if (!cursor.u32(out.sequence) || !cursor.u8(out.prefix.length)) return failure.set(at, "RIB header cut short");
  const bool v6 = out.afi == afi_ipv6;
  if (out.prefix.length > (v6 ? 128 : 32))
    return failure.set(at + 4, "prefix length " + std::to_string(out.prefix.length) + " too long");
  out.prefix.address.family = v6 ? IpAddress::Family::v6 : IpAddress::Family::v4;
  if (!cursor.copy(out.prefix.address.bytes.data(), (out.prefix.length + 7U) / 8))
    return failure.set(at + 5, "prefix runs past the record");
  std::uint16_t count = 0;
  if (!cursor.u16(count)) return failure.set(cursor.offset(), "entry count missing");
  if (count > 0 && peers == nullptr) return failure.set(at, "RIB record before any PEER_INDEX_TABLE");
  // An entry takes at least 8 bytes: refuse counts the record cannot hold before allocating.
  if (std::size_t{count} * 8 > cursor.remaining())
    return failure.set(cursor.offset(), std::to_string(count) + " entries cannot fit in the " +
                                            std::to_string(cursor.remaining()) + " bytes left");
  AttributeContext context;
  context.asn_size = 4;
  context.add_path = out.add_path;
  context.in_rib = true;
  context.rib_afi = out.afi;
  context.rib_safi = out.safi;
  out.entries.resize(count);
  for (RibEntry& entry : out.entries) {
    const std::uint64_t entry_at = cursor.offset();
    if (!cursor.u16(entry.peer_index) || !cursor.u32(entry.originated) || (out.add_path && !cursor.u32(entry.path_id)))
      return failure.set(entry_at, "RIB entry cut short");
    if (entry.peer_index >= peers->peers.size())
      return failure.set(entry_at, "peer index " + std::to_string(entry.peer_index) + " beyond the " +
                                       std::to_string(peers->peers.size()) + " peers of the table");
    entry.peer = peers->peers[entry.peer_index];
    if (!read_attributes(cursor, context, entry.attributes, failure)) return false;
  }
  return true;
}

bool parse_session(ByteCursor& cursor, std::uint8_t asn_size, BgpSession& out, Failure& failure) {
  const std::uint64_t at = cursor.offset();
  if (!read_asn(cursor, asn_size, out.peer_as) || !read_asn(cursor, asn_size, out.local_as) || !cursor.u16(out.interface_index) ||
      !cursor.u16(out.afi))
    return failure.set(at, "BGP4MP header cut short");
  if (out.afi != afi_ipv4 && out.afi != afi_ipv6)
    return failure.set(cursor.offset() - 2, "BGP4MP address family " + std::to_string(out.afi) + " unknown");
  const bool v6 = out.afi == afi_ipv6;
  if (!read_address(cursor, v6, out.peer_address) || !read_address(cursor, v6, out.local_address))
    return failure.set(at, "BGP4MP addresses cut short");
  return true;
}

bool parse_state_change(const MrtHeader& header, ByteCursor cursor, StateChange& out, Failure& failure) {
  const std::uint8_t asn_size = header.subtype == state_change_as4 ? 4 : 2;
  // Old Zebra wrote 8-byte state changes: the two ASes and the two states, nothing else
  // (bgpdump reads them the same way).
  if (asn_size == 2 && header.length == 8) {
    out.session.peer_address = IpAddress::v4(0);
    out.session.local_address = IpAddress::v4(0);
    read_asn(cursor, 2, out.session.peer_as);
    read_asn(cursor, 2, out.session.local_as);
    cursor.u16(out.old_state);
    cursor.u16(out.new_state);
    return true;
  }
  if (!parse_session(cursor, asn_size, out.session, failure)) return false;
  if (!cursor.u16(out.old_state) || !cursor.u16(out.new_state)) return failure.set(cursor.offset(), "states cut short");
  return true;
}

bool parse_update(ByteCursor cursor, const AttributeContext& context, UpdateMessage& out, Failure& failure) {
  std::uint64_t at = cursor.offset();
  std::uint16_t withdrawn_length = 0;
  ByteCursor withdrawn;
  if (!cursor.u16(withdrawn_length)) return failure.set(at, "UPDATE withdrawn routes length missing");
  if (!cursor.take(withdrawn_length, withdrawn))
    return failure.set(at, "UPDATE withdrawn routes of " + std::to_string(withdrawn_length) + " bytes run past the message (" +
                               std::to_string(cursor.remaining()) + " left)");
  if (!parse_nlri(withdrawn, afi_ipv4, context.add_path, out.withdrawn, failure.error, &out.prefixes_cut_short)) return false;
  if (!read_attributes(cursor, context, out.attributes, failure)) return false;
  return parse_nlri(cursor, afi_ipv4, context.add_path, out.announced, failure.error, &out.prefixes_cut_short);
}

bool parse_message(const MrtHeader& header, ByteCursor cursor, BgpMessage& out, Failure& failure) {
  const std::uint16_t s = header.subtype;
  out.as4 = s == message_as4 || s == message_as4_local || s == message_as4_addpath || s == message_as4_local_addpath;
  out.local = s == message_local || s == message_as4_local || s == message_local_addpath || s == message_as4_local_addpath;
  out.add_path = s >= message_addpath;
  if (!parse_session(cursor, out.as4 ? 4 : 2, out.session, failure)) return false;
  const std::uint64_t at = cursor.offset();
  std::uint8_t marker[16];
  std::uint16_t length = 0;
  if (!cursor.copy(marker, sizeof marker) || !cursor.u16(length) || !cursor.u8(out.type))
    return failure.set(at, "BGP message header cut short");
  if (std::any_of(std::begin(marker), std::end(marker), [](std::uint8_t b) { return b != 0xff; }))
    return failure.set(at, "BGP message marker is not all ones");
  if (length < 19) return failure.set(at + 16, "BGP message length " + std::to_string(length) + " is below the 19-byte header");
  ByteCursor message;
  if (!cursor.take(length - 19U, message))
    return failure.set(at + 16, "BGP message of " + std::to_string(length) + " bytes is longer than its record (" +
                                    std::to_string(cursor.remaining() + 19) + " bytes left)");
  if (out.type != bgp_message_type::update) return true;
  AttributeContext context;
  context.asn_size = out.as4 ? 4 : 2;
  context.add_path = out.add_path;
  out.update.emplace();
  context.prefixes_cut_short = &out.update->prefixes_cut_short;
  return parse_update(message, context, *out.update, failure);
}

}  // namespace

bool is_decoded(std::uint16_t type, std::uint16_t subtype) {
  switch (type) {
    case mrt_type::table_dump: return subtype >= 1 && subtype <= 4;
    case mrt_type::table_dump_v2:
      return (subtype >= peer_index_table && subtype <= rib_ipv6_multicast) ||
             (subtype >= rib_ipv4_unicast_addpath && subtype <= rib_ipv6_multicast_addpath);
    case mrt_type::bgp4mp:
    case mrt_type::bgp4mp_et:
      return subtype == state_change || subtype == message || (subtype >= message_as4 && subtype <= message_as4_local_addpath);
    default: return false;
  }
}

Expected<MrtRecord, MrtError> parse_record(const MrtHeader& header, std::span<const std::uint8_t> body, std::uint64_t body_offset,
                                           const PeerIndexTable* peers) {
  ByteCursor cursor(body, body_offset);
  Failure failure;
  MrtRecord record{header, PeerIndexTable{}};
  bool ok = false;
  switch (header.type) {
    case mrt_type::table_dump: ok = parse_table_dump(header, cursor, record.body.emplace<TableDumpRecord>(), failure); break;
    case mrt_type::table_dump_v2:
      if (header.subtype == peer_index_table) ok = parse_peer_index_table(cursor, std::get<PeerIndexTable>(record.body), failure);
      else ok = parse_rib(header, cursor, peers, record.body.emplace<RibRecord>(), failure);
      break;
    case mrt_type::bgp4mp:
    case mrt_type::bgp4mp_et:
      if (header.subtype == state_change || header.subtype == state_change_as4)
        ok = parse_state_change(header, cursor, record.body.emplace<StateChange>(), failure);
      else ok = parse_message(header, cursor, record.body.emplace<BgpMessage>(), failure);
      break;
    default:
      return MrtError{MrtErrorKind::malformed, header.offset, "record type " + std::to_string(header.type) + " is not decoded",
                      false};
  }
  if (!ok) return failure.error;
  return record;
}

}  // namespace blackout::bgp
