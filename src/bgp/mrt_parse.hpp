// Decoding one MRT record body (RFC 6396) whose header has been read: pure, no I/O, so that
// tests and the fuzz target can call it on any bytes.
#pragma once

#include <cstdint>
#include <span>

#include "bgp/mrt_error.hpp"
#include "bgp/mrt_record.hpp"
#include "util/expected.hpp"

namespace blackout::bgp {

// Size of the common header; BGP4MP_ET adds 4 bytes of microseconds (counted in its length).
inline constexpr std::size_t mrt_header_size = 12;

// Whether blackout decodes records of this type and subtype; others are skipped and counted.
bool is_decoded(std::uint16_t type, std::uint16_t subtype);

// Decodes `body` (the record's bytes after the common header, and for BGP4MP_ET after its
// microseconds), which starts at `body_offset` in the stream. RIB records resolve their
// peers in `peers`, the last PEER_INDEX_TABLE seen (nullptr when there was none). Errors are
// `malformed` and name the offset of the offending field.
Expected<MrtRecord, MrtError> parse_record(const MrtHeader& header, std::span<const std::uint8_t> body, std::uint64_t body_offset,
                                           const PeerIndexTable* peers);

}  // namespace blackout::bgp
