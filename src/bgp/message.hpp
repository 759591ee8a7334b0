// BGP-4 messages on the wire (RFC 4271): framing a byte stream into messages, decoding OPEN
// (with the capabilities a collector needs: 4-byte AS RFC 6793, multiprotocol RFC 4760,
// route refresh RFC 2918, graceful restart awareness RFC 4724), UPDATE (through the same
// path-attribute parser the MRT reader uses), NOTIFICATION, KEEPALIVE and ROUTE-REFRESH, and
// encoding what a listening-only speaker sends. Pure: no I/O, so tests and the fuzz target
// can call it on any bytes. Every malformed message is a MessageError carrying the
// NOTIFICATION code and subcode RFC 4271 section 6 says to answer it with.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "bgp/mrt_record.hpp"
#include "model/address.hpp"
#include "util/expected.hpp"

namespace blackout::bgp {

inline constexpr std::size_t message_header_size = 19;  // 16-byte marker, length, type
// RFC 4271 4.1; blackout does not advertise extended messages (RFC 8654), so no peer may
// send more.
inline constexpr std::size_t message_max_size = 4096;
inline constexpr std::uint32_t as_trans_number = 23456;  // RFC 6793: a 4-byte AS in a 2-byte field

// NOTIFICATION error codes (RFC 4271 4.5) and the subcodes blackout sends or names.
namespace notification_code {
inline constexpr std::uint8_t message_header = 1;
inline constexpr std::uint8_t open_message = 2;
inline constexpr std::uint8_t update_message = 3;
inline constexpr std::uint8_t hold_timer_expired = 4;
inline constexpr std::uint8_t fsm = 5;
inline constexpr std::uint8_t cease = 6;
}  // namespace notification_code

namespace capability_code {
inline constexpr std::uint8_t multiprotocol = 1;
inline constexpr std::uint8_t route_refresh = 2;
inline constexpr std::uint8_t graceful_restart = 64;
inline constexpr std::uint8_t four_octet_as = 65;
inline constexpr std::uint8_t enhanced_route_refresh = 70;
}  // namespace capability_code

struct AddressFamily {
  std::uint16_t afi = afi_ipv4;
  std::uint8_t safi = 1;
  auto operator<=>(const AddressFamily&) const = default;
};

struct Capabilities {
  std::vector<AddressFamily> multiprotocol;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  bool graceful_restart = false;  // advertised (blackout only says it is aware: no families)
  std::optional<std::uint32_t> four_octet_as;
  std::vector<std::uint8_t> others;  // codes of capabilities blackout does not use
};

struct OpenMessage {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;  // AS_TRANS when the real AS needs 4 bytes
  std::uint16_t hold_time = 0;
  IpAddress bgp_id;
  Capabilities capabilities;
  // The speaker's AS: the 4-byte AS capability's when present, else my_as.
  [[nodiscard]] std::uint32_t asn() const { return capabilities.four_octet_as.value_or(my_as); }
};

struct NotificationMessage {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;
};

struct KeepaliveMessage {};

struct RouteRefreshMessage {
  AddressFamily family;
};

using Message = std::variant<OpenMessage, UpdateMessage, NotificationMessage, KeepaliveMessage, RouteRefreshMessage>;

struct MessageError {
  // What to answer with (RFC 4271 section 6); the session sends it and closes.
  std::uint8_t code = notification_code::message_header;
  std::uint8_t subcode = 0;
  std::size_t offset = 0;  // of the offending field in the message
  std::string message;
  [[nodiscard]] std::string describe() const;  // "UPDATE message error (3/1) at byte 23: ..."
};

// What decoding depends on, negotiated by the two OPENs.
struct DecodeContext {
  std::uint8_t asn_size = 2;  // 4 once both sides advertised the 4-byte AS capability
};

// Where the next message ends in `bytes`, the unread start of a stream: its length, nullopt
// when more bytes are needed, an error when the header is garbage (marker not all ones,
// length below 19 or above 4096). Only the header is checked.
Expected<std::optional<std::size_t>, MessageError> frame_length(std::span<const std::uint8_t> bytes);

// Decodes one whole message, header included (as frame_length cut it).
Expected<Message, MessageError> decode_message(std::span<const std::uint8_t> message, const DecodeContext& context);

// An UPDATE that marks the end of the initial table for a family (RFC 4724 2): no
// withdrawals, no attributes and no NLRI for IPv4; only an empty MP_UNREACH_NLRI otherwise.
std::optional<AddressFamily> end_of_rib(const UpdateMessage& update);

// The attributes of an UPDATE's announcements without its NLRI lists: copied once, and only
// when asked for, so that every prefix the UPDATE announces shares one copy.
class SharedAttributes {
 public:
  explicit SharedAttributes(const PathAttributes& attributes) : attributes_(attributes) {}
  [[nodiscard]] const PathAttributes& raw() const { return attributes_; }
  const std::shared_ptr<const PathAttributes>& shared();

 private:
  const PathAttributes& attributes_;
  std::shared_ptr<const PathAttributes> shared_;
};

// The unicast routes of an UPDATE: first those it withdraws (the withdrawn routes field, then
// MP_UNREACH_NLRI), then those it announces (the NLRI field, then MP_REACH_NLRI).
void for_each_route(const UpdateMessage& update, const std::function<void(const NlriPrefix&)>& withdrawn,
                    const std::function<void(const NlriPrefix&, SharedAttributes&)>& announced);

std::vector<std::uint8_t> encode_open(const OpenMessage& open);
std::vector<std::uint8_t> encode_keepalive();
std::vector<std::uint8_t> encode_notification(const NotificationMessage& notification);
std::vector<std::uint8_t> encode_route_refresh(AddressFamily family);

// An UPDATE with 4-byte ASes: IPv4 withdrawals and NLRI in the classic fields, IPv6 ones in
// MP_UNREACH_NLRI / MP_REACH_NLRI; ORIGIN, AS_PATH, NEXT_HOP (or the MP next hop), MED and
// LOCAL_PREF when present in `update.attributes`. blackout never announces anything: this is
// for tests (fake peers) and the fuzz corpus.
std::vector<std::uint8_t> encode_update(const UpdateMessage& update);

// "hold timer expired", "cease: administrative shutdown", "code 9 subcode 1", ...
std::string notification_name(std::uint8_t code, std::uint8_t subcode);
const char* message_type_name(std::uint8_t type);

}  // namespace blackout::bgp
