// Names for record types and the small helpers of the record value types.
#include "bgp/mrt_record.hpp"

#include "bgp/mrt_error.hpp"

namespace blackout::bgp {

Prefix NlriPrefix::prefix() const {
  Prefix normalised;
  normalised.address = address;
  normalised.length = length;
  const std::size_t width = address.is_v4() ? 4 : 16;
  for (std::size_t i = 0; i < width; ++i) {
    const int bits_kept = static_cast<int>(length) - static_cast<int>(i * 8);
    if (bits_kept >= 8) continue;
    normalised.address.bytes[i] =
        bits_kept <= 0 ? std::uint8_t{0} : static_cast<std::uint8_t>(normalised.address.bytes[i] & (0xff << (8 - bits_kept)));
  }
  return normalised;
}

std::string record_type_name(std::uint16_t type, std::uint16_t subtype) {
  const char* type_name = nullptr;
  const char* subtype_name = nullptr;
  switch (type) {
    case mrt_type::table_dump: {
      type_name = "TABLE_DUMP";
      static const char* const names[] = {nullptr, "AFI_IPv4", "AFI_IPv6", "AFI_IPv4_AS4", "AFI_IPv6_AS4"};
      if (subtype < 5) subtype_name = names[subtype];
      break;
    }
    case mrt_type::table_dump_v2: {
      type_name = "TABLE_DUMP_V2";
      static const char* const names[] = {nullptr,
                                          "PEER_INDEX_TABLE",
                                          "RIB_IPV4_UNICAST",
                                          "RIB_IPV4_MULTICAST",
                                          "RIB_IPV6_UNICAST",
                                          "RIB_IPV6_MULTICAST",
                                          "RIB_GENERIC",
                                          "GEO_PEER_TABLE",
                                          "RIB_IPV4_UNICAST_ADDPATH",
                                          "RIB_IPV4_MULTICAST_ADDPATH",
                                          "RIB_IPV6_UNICAST_ADDPATH",
                                          "RIB_IPV6_MULTICAST_ADDPATH",
                                          "RIB_GENERIC_ADDPATH"};
      if (subtype < 13) subtype_name = names[subtype];
      break;
    }
    case mrt_type::bgp4mp:
    case mrt_type::bgp4mp_et: {
      type_name = type == mrt_type::bgp4mp ? "BGP4MP" : "BGP4MP_ET";
      static const char* const names[] = {"STATE_CHANGE",
                                          "MESSAGE",
                                          "ENTRY",
                                          "SNAPSHOT",
                                          "MESSAGE_AS4",
                                          "STATE_CHANGE_AS4",
                                          "MESSAGE_LOCAL",
                                          "MESSAGE_AS4_LOCAL",
                                          "MESSAGE_ADDPATH",
                                          "MESSAGE_AS4_ADDPATH",
                                          "MESSAGE_LOCAL_ADDPATH",
                                          "MESSAGE_AS4_LOCAL_ADDPATH"};
      if (subtype < 12) subtype_name = names[subtype];
      break;
    }
    case 11: type_name = "OSPFv2"; break;
    case 32: type_name = "ISIS"; break;
    case 33: type_name = "ISIS_ET"; break;
    case 48: type_name = "OSPFv3"; break;
    case 49: type_name = "OSPFv3_ET"; break;
    default: break;
  }
  std::string name = type_name != nullptr ? type_name : "type " + std::to_string(type);
  name += '/';
  name += subtype_name != nullptr ? subtype_name : "subtype " + std::to_string(subtype);
  return name;
}

const char* to_string(MrtErrorKind kind) {
  switch (kind) {
    case MrtErrorKind::io: return "io";
    case MrtErrorKind::truncated: return "truncated";
    case MrtErrorKind::too_large: return "too large";
    case MrtErrorKind::malformed: break;
  }
  return "malformed";
}

std::string MrtError::describe() const { return "offset " + std::to_string(offset) + ": " + to_string(kind) + ": " + message; }

}  // namespace blackout::bgp
