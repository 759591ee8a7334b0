// Path attribute and NLRI decoding; see path_attributes.hpp. Every length is checked against
// what is left before it is used: a malformed attribute is an error naming its offset, never
// a read past the record.
#include "bgp/path_attributes.hpp"

#include <string>

namespace blackout::bgp {
namespace {

inline constexpr std::uint32_t as_trans = 23456;  // RFC 6793: stands in for a 4-byte AS
inline constexpr std::uint8_t flag_extended_length = 0x10;

bool fail(MrtError& error, std::uint64_t offset, std::string message) {
  error = MrtError{MrtErrorKind::malformed, offset, std::move(message), false};
  return false;
}

bool read_address(ByteCursor& cursor, IpAddress::Family family, IpAddress& out) {
  out = IpAddress{};
  out.family = family;
  return cursor.copy(out.bytes.data(), family == IpAddress::Family::v4 ? 4 : 16);
}

bool parse_as_path(ByteCursor cursor, std::uint8_t asn_size, std::vector<AsPathSegment>& out, const char* name, MrtError& error) {
  while (!cursor.empty()) {
    const std::uint64_t at = cursor.offset();
    std::uint8_t type = 0;
    std::uint8_t count = 0;
    if (!cursor.u8(type) || !cursor.u8(count)) return fail(error, at, std::string(name) + " segment header cut short");
    if (type < as_segment::set || type > as_segment::confed_set)
      return fail(error, at, std::string(name) + " segment type " + std::to_string(type) + " is not one of 1-4");
    if (cursor.remaining() < std::size_t{count} * asn_size)
      return fail(error, at,
                  std::string(name) + " segment of " + std::to_string(count) + " ASes of " + std::to_string(asn_size) +
                      " bytes runs past the attribute (" + std::to_string(cursor.remaining()) + " bytes left)");
    AsPathSegment segment;
    segment.type = type;
    segment.asns.resize(count);
    for (std::uint8_t i = 0; i < count; ++i) {
      if (asn_size == 4) {
        cursor.u32(segment.asns[i]);
      } else {
        std::uint16_t asn = 0;
        cursor.u16(asn);
        segment.asns[i] = asn;
      }
    }
    out.push_back(std::move(segment));
  }
  return true;
}

bool fixed_length(const ByteCursor& value, std::size_t expected, const char* name, std::uint64_t at, MrtError& error) {
  if (value.remaining() == expected) return true;
  return fail(error, at,
              std::string(name) + " has " + std::to_string(value.remaining()) + " bytes, not " + std::to_string(expected));
}

bool parse_aggregator(ByteCursor value, std::uint64_t at, const char* name, bool allow_two_byte, Aggregator& out,
                      MrtError& error) {
  // The AS size follows from the length (6 or 8), whatever the session: some writers got it
  // wrong, and the length cannot lie about it.
  if (value.remaining() == 8) {
    value.u32(out.asn);
  } else if (value.remaining() == 6 && allow_two_byte) {
    std::uint16_t asn = 0;
    value.u16(asn);
    out.asn = asn;
  } else {
    return fail(
        error, at,
        std::string(name) + " has " + std::to_string(value.remaining()) + " bytes, not " + (allow_two_byte ? "6 or 8" : "8"));
  }
  read_address(value, IpAddress::Family::v4, out.address);
  return true;
}

bool decoded_family(std::uint16_t afi, std::uint8_t safi) {
  return (afi == afi_ipv4 || afi == afi_ipv6) && safi >= 1 && safi <= 3;
}

// The next hop field of MP_REACH_NLRI: IPv4 (4 bytes), IPv6 (16), or IPv6 global and
// link-local (32), for either family (RFC 8950 allows IPv6 next hops for IPv4 routes).
bool parse_next_hop(ByteCursor& cursor, std::uint8_t length, std::uint16_t afi, MpReach& out, MrtError& error) {
  const std::uint64_t at = cursor.offset();
  if (cursor.remaining() < length)
    return fail(error, at, "MP_REACH_NLRI next hop of " + std::to_string(length) + " bytes runs past the attribute");
  if (length == 4 && afi == afi_ipv4) {
    IpAddress address;
    read_address(cursor, IpAddress::Family::v4, address);
    out.next_hop = address;
    return true;
  }
  if (length == 16 || length == 32) {
    IpAddress address;
    read_address(cursor, IpAddress::Family::v6, address);
    out.next_hop = address;
    if (length == 32) {
      read_address(cursor, IpAddress::Family::v6, address);
      out.link_local_next_hop = address;
    }
    return true;
  }
  return fail(error, at,
              "MP_REACH_NLRI next hop length " + std::to_string(length) + " is not valid for AFI " + std::to_string(afi));
}

bool parse_mp_reach(ByteCursor value, std::uint64_t at, const AttributeContext& context, MpReach& out, MrtError& error) {
  if (value.empty()) return fail(error, at, "MP_REACH_NLRI is empty");
  // RFC 6396 4.3.4: in RIB entries only the next hop length and next hop are kept. A full
  // attribute starts with the AFI, whose first byte is 0; the abbreviated one with a
  // non-zero length (the test bgpdump uses too).
  if (value.peek() != 0) {
    out.abbreviated = true;
    std::uint8_t length = 0;
    value.u8(length);
    out.afi = context.in_rib ? context.rib_afi : (length == 4 ? afi_ipv4 : afi_ipv6);
    out.safi = context.in_rib ? context.rib_safi : 1;
    out.decoded = true;
    return parse_next_hop(value, length, length == 4 ? afi_ipv4 : afi_ipv6, out, error);
  }
  std::uint8_t length = 0;
  if (!value.u16(out.afi) || !value.u8(out.safi) || !value.u8(length)) return fail(error, at, "MP_REACH_NLRI header cut short");
  if (!decoded_family(out.afi, out.safi)) return true;  // another family: kept as seen, not decoded
  out.decoded = true;
  if (!parse_next_hop(value, length, out.afi, out, error)) return false;
  std::uint8_t snpa_count = 0;  // "Reserved" since RFC 4760; RFC 2858 had SNPAs here
  if (!value.u8(snpa_count)) return fail(error, value.offset(), "MP_REACH_NLRI reserved byte missing");
  for (std::uint8_t i = 0; i < snpa_count; ++i) {
    std::uint8_t semi_octets = 0;
    if (!value.u8(semi_octets) || !value.skip((semi_octets + 1U) / 2))
      return fail(error, value.offset(), "MP_REACH_NLRI SNPA runs past the attribute");
  }
  return parse_nlri(value, out.afi, context.add_path, out.prefixes, error, context.prefixes_cut_short);
}

bool parse_mp_unreach(ByteCursor value, std::uint64_t at, const AttributeContext& context, MpUnreach& out, MrtError& error) {
  if (!value.u16(out.afi) || !value.u8(out.safi)) return fail(error, at, "MP_UNREACH_NLRI header cut short");
  if (!decoded_family(out.afi, out.safi)) return true;
  out.decoded = true;
  return parse_nlri(value, out.afi, context.add_path, out.prefixes, error, context.prefixes_cut_short);
}

}  // namespace

bool parse_nlri(ByteCursor cursor, std::uint16_t afi, bool add_path, std::vector<NlriPrefix>& out, MrtError& error,
                std::uint32_t* cut_short) {
  const bool v6 = afi == afi_ipv6;
  const unsigned max_length = v6 ? 128 : 32;
  while (!cursor.empty()) {
    const std::uint64_t at = cursor.offset();
    NlriPrefix prefix;
    if (add_path && !cursor.u32(prefix.path_id)) return fail(error, at, "path identifier cut short");
    if (!cursor.u8(prefix.length)) return fail(error, at, "prefix length missing after path identifier");
    if (prefix.length > max_length)
      return fail(error, at,
                  "prefix length " + std::to_string(prefix.length) + " exceeds " + std::to_string(max_length) + " bits");
    prefix.address.family = v6 ? IpAddress::Family::v6 : IpAddress::Family::v4;
    const std::size_t bytes = (prefix.length + 7U) / 8;
    if (cursor.remaining() < bytes && cut_short != nullptr) {
      ++*cut_short;
      return true;
    }
    if (!cursor.copy(prefix.address.bytes.data(), bytes))
      return fail(error, at,
                  "prefix /" + std::to_string(prefix.length) + " needs " + std::to_string(bytes) + " bytes, " +
                      std::to_string(cursor.remaining()) + " left");
    out.push_back(prefix);
  }
  return true;
}

std::size_t as_path_length(const std::vector<AsPathSegment>& path) {
  std::size_t length = 0;
  for (const AsPathSegment& segment : path) {
    if (segment.type == as_segment::sequence) length += segment.asns.size();
    else if (segment.type == as_segment::set) length += 1;
  }
  return length;
}

std::vector<AsPathSegment> merge_as4_path(const std::vector<AsPathSegment>& as_path, const std::vector<AsPathSegment>& as4_path) {
  const std::size_t wanted = as_path_length(as_path) - as_path_length(as4_path);
  std::vector<AsPathSegment> merged;
  std::size_t taken = 0;
  for (const AsPathSegment& segment : as_path) {
    if (taken >= wanted) break;
    if (segment.type == as_segment::sequence) {
      const std::size_t count = std::min(segment.asns.size(), wanted - taken);
      merged.push_back(
          AsPathSegment{segment.type, {segment.asns.begin(), segment.asns.begin() + static_cast<std::ptrdiff_t>(count)}});
      taken += count;
    } else {
      merged.push_back(segment);
      if (segment.type == as_segment::set) taken += 1;
    }
  }
  merged.insert(merged.end(), as4_path.begin(), as4_path.end());
  return merged;
}

bool parse_path_attributes(ByteCursor cursor, const AttributeContext& context, PathAttributes& out, MrtError& error) {
  std::optional<Aggregator> as4_aggregator;
  while (!cursor.empty()) {
    const std::uint64_t at = cursor.offset();
    std::uint8_t flags = 0;
    std::uint8_t type = 0;
    if (!cursor.u8(flags) || !cursor.u8(type)) return fail(error, at, "path attribute header cut short");
    std::uint16_t length = 0;
    if ((flags & flag_extended_length) != 0) {
      if (!cursor.u16(length)) return fail(error, at, "path attribute length cut short");
    } else {
      std::uint8_t short_length = 0;
      if (!cursor.u8(short_length)) return fail(error, at, "path attribute length cut short");
      length = short_length;
    }
    ByteCursor value;
    if (!cursor.take(length, value))
      return fail(error, at,
                  "path attribute " + std::to_string(type) + " of " + std::to_string(length) +
                      " bytes runs past the attributes (" + std::to_string(cursor.remaining()) + " bytes left)");
    if (out.has(type) && type <= attribute::as4_aggregator)
      return fail(error, at, "path attribute " + std::to_string(type) + " appears twice");
    if (type >= 1 && type <= 64) out.present |= std::uint64_t{1} << (type - 1);
    switch (type) {
      case attribute::origin:
        if (!fixed_length(value, 1, "ORIGIN", at, error)) return false;
        value.u8(out.origin);
        break;
      case attribute::as_path:
        if (!parse_as_path(value, context.asn_size, out.as_path, "AS_PATH", error)) return false;
        break;
      case attribute::next_hop:
        if (!fixed_length(value, 4, "NEXT_HOP", at, error)) return false;
        read_address(value, IpAddress::Family::v4, out.next_hop);
        break;
      case attribute::multi_exit_disc:
        if (!fixed_length(value, 4, "MULTI_EXIT_DISC", at, error)) return false;
        value.u32(out.med);
        break;
      case attribute::local_pref:
        if (!fixed_length(value, 4, "LOCAL_PREF", at, error)) return false;
        value.u32(out.local_pref);
        break;
      case attribute::aggregator: {
        Aggregator aggregator;
        if (!parse_aggregator(value, at, "AGGREGATOR", true, aggregator, error)) return false;
        out.aggregator = aggregator;
        break;
      }
      case attribute::communities:
        if (value.remaining() % 4 != 0)
          return fail(error, at, "COMMUNITIES length " + std::to_string(value.remaining()) + " is not a multiple of 4");
        out.communities.resize(value.remaining() / 4);
        for (std::uint32_t& community : out.communities) value.u32(community);
        break;
      case attribute::mp_reach_nlri:
        out.mp_reach.emplace();
        if (!parse_mp_reach(value, at, context, *out.mp_reach, error)) return false;
        break;
      case attribute::mp_unreach_nlri:
        out.mp_unreach.emplace();
        if (!parse_mp_unreach(value, at, context, *out.mp_unreach, error)) return false;
        break;
      case attribute::as4_path:
        if (!parse_as_path(value, 4, out.as4_path, "AS4_PATH", error)) return false;
        break;
      case attribute::as4_aggregator: {
        Aggregator aggregator;
        if (!parse_aggregator(value, at, "AS4_AGGREGATOR", false, aggregator, error)) return false;
        as4_aggregator = aggregator;
        break;
      }
      default: break;  // ATOMIC_AGGREGATE (presence is all it says) and attributes not decoded
    }
  }
  // RFC 6793 4.2.3: a 2-byte-AS speaker's path is rebuilt from AS4_PATH and
  // AS4_AGGREGATOR, unless AGGREGATOR names a real 2-byte AS (then both are ignored).
  if (context.asn_size != 2) return true;
  if (out.aggregator && as4_aggregator) {
    if (out.aggregator->asn != as_trans) return true;
    out.aggregator = as4_aggregator;
  }
  if (out.has(attribute::as4_path) && out.has(attribute::as_path) && as_path_length(out.as_path) >= as_path_length(out.as4_path))
    out.as_path = merge_as4_path(out.as_path, out.as4_path);
  return true;
}

}  // namespace blackout::bgp
