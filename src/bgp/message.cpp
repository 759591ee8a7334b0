// BGP-4 message framing, decoding and encoding; see message.hpp. Every length is checked
// against what is left before it is used (ByteCursor), so garbage gives a MessageError,
// never a read past the message.
#include "bgp/message.hpp"

#include <algorithm>

#include "bgp/byte_cursor.hpp"
#include "bgp/path_attributes.hpp"

namespace blackout::bgp {
namespace {

using Bytes = std::vector<std::uint8_t>;

MessageError error_at(std::uint8_t code, std::uint8_t subcode, std::size_t offset, std::string message) {
  return MessageError{code, subcode, offset, std::move(message)};
}

// RFC 4271 6.1-6.3 subcodes used below.
constexpr std::uint8_t header_not_synchronized = 1;
constexpr std::uint8_t header_bad_length = 2;
constexpr std::uint8_t header_bad_type = 3;
constexpr std::uint8_t open_unsupported_version = 1;
constexpr std::uint8_t open_bad_bgp_id = 3;
constexpr std::uint8_t open_unacceptable_hold_time = 6;
constexpr std::uint8_t update_malformed_attribute_list = 1;
constexpr std::uint8_t update_invalid_network_field = 10;
constexpr std::uint8_t optional_parameter_capabilities = 2;

Expected<Message, MessageError> decode_capabilities(ByteCursor parameter, Capabilities& out) {
  while (!parameter.empty()) {
    const auto at = static_cast<std::size_t>(parameter.offset());
    std::uint8_t code = 0;
    std::uint8_t length = 0;
    ByteCursor value;
    if (!parameter.u8(code) || !parameter.u8(length) || !parameter.take(length, value))
      return error_at(notification_code::open_message, 0, at, "capability runs past its optional parameter");
    switch (code) {
      case capability_code::multiprotocol: {
        AddressFamily family;
        std::uint8_t reserved = 0;
        if (length != 4 || !value.u16(family.afi) || !value.u8(reserved) || !value.u8(family.safi))
          return error_at(notification_code::open_message, 0, at,
                          "multiprotocol capability of " + std::to_string(length) + " bytes, not 4");
        out.multiprotocol.push_back(family);
        break;
      }
      case capability_code::route_refresh: out.route_refresh = true; break;
      case capability_code::enhanced_route_refresh: out.enhanced_route_refresh = true; break;
      case capability_code::graceful_restart: out.graceful_restart = true; break;
      case capability_code::four_octet_as: {
        std::uint32_t asn = 0;
        if (length != 4 || !value.u32(asn))
          return error_at(notification_code::open_message, 0, at,
                          "4-byte AS capability of " + std::to_string(length) + " bytes, not 4");
        out.four_octet_as = asn;
        break;
      }
      default: out.others.push_back(code); break;
    }
  }
  return Message{KeepaliveMessage{}};  // any value: only success matters to the caller
}

Expected<Message, MessageError> decode_open(ByteCursor body) {
  OpenMessage open;
  std::uint32_t id = 0;
  std::uint8_t parameters_length = 0;
  if (!body.u8(open.version) || !body.u16(open.my_as) || !body.u16(open.hold_time) || !body.u32(id) ||
      !body.u8(parameters_length))
    return error_at(notification_code::message_header, header_bad_length, 16, "OPEN shorter than its 29 fixed bytes");
  if (open.version != 4)
    return error_at(notification_code::open_message, open_unsupported_version, 19,
                    "BGP version " + std::to_string(open.version) + ", not 4");
  if (open.hold_time == 1 || open.hold_time == 2)
    return error_at(notification_code::open_message, open_unacceptable_hold_time, 22,
                    "hold time " + std::to_string(open.hold_time) + " s (0 or at least 3)");
  if (id == 0) return error_at(notification_code::open_message, open_bad_bgp_id, 24, "BGP identifier 0.0.0.0");
  open.bgp_id = IpAddress::v4(id);
  // RFC 9072: a length of 255 followed by type 255 announces extended (2-byte) lengths.
  bool extended = false;
  std::uint16_t total = parameters_length;
  if (parameters_length == 255 && !body.empty() && body.peek() == 255) {
    std::uint8_t marker = 0;
    body.u8(marker);
    if (!body.u16(total))
      return error_at(notification_code::open_message, 0, 29, "extended optional parameters length cut short");
    extended = true;
  }
  ByteCursor parameters;
  if (!body.take(total, parameters) || !body.empty())
    return error_at(notification_code::open_message, 0, 28,
                    "optional parameters of " + std::to_string(total) + " bytes do not fill the OPEN (" +
                        std::to_string(body.remaining()) + " bytes)");
  while (!parameters.empty()) {
    const auto at = static_cast<std::size_t>(parameters.offset());
    std::uint8_t type = 0;
    std::uint16_t length = 0;
    std::uint8_t short_length = 0;
    ByteCursor value;
    bool header_ok = parameters.u8(type);
    if (header_ok && extended) {
      header_ok = parameters.u16(length);
    } else if (header_ok) {
      header_ok = parameters.u8(short_length);
      length = short_length;
    }
    if (!header_ok || !parameters.take(length, value))
      return error_at(notification_code::open_message, 0, at, "optional parameter runs past the OPEN");
    if (type != optional_parameter_capabilities) continue;  // authentication (1) is deprecated: ignore
    auto capabilities = decode_capabilities(value, open.capabilities);
    if (!capabilities) return capabilities.error();
  }
  return Message{std::move(open)};
}

Expected<Message, MessageError> decode_update(ByteCursor body, const DecodeContext& context) {
  UpdateMessage update;
  MrtError error;
  const auto at = static_cast<std::size_t>(body.offset());
  std::uint16_t withdrawn_length = 0;
  ByteCursor withdrawn;
  if (!body.u16(withdrawn_length) || !body.take(withdrawn_length, withdrawn))
    return error_at(notification_code::update_message, update_malformed_attribute_list, at,
                    "withdrawn routes run past the UPDATE");
  if (!parse_nlri(withdrawn, afi_ipv4, false, update.withdrawn, error))
    return error_at(notification_code::update_message, update_invalid_network_field, static_cast<std::size_t>(error.offset),
                    error.message);
  const auto attributes_at = static_cast<std::size_t>(body.offset());
  std::uint16_t attributes_length = 0;
  ByteCursor attributes;
  if (!body.u16(attributes_length) || !body.take(attributes_length, attributes))
    return error_at(notification_code::update_message, update_malformed_attribute_list, attributes_at,
                    "path attributes run past the UPDATE");
  AttributeContext attribute_context;
  attribute_context.asn_size = context.asn_size;
  if (!parse_path_attributes(attributes, attribute_context, update.attributes, error))
    return error_at(notification_code::update_message, update_malformed_attribute_list, static_cast<std::size_t>(error.offset),
                    error.message);
  if (!parse_nlri(body, afi_ipv4, false, update.announced, error))
    return error_at(notification_code::update_message, update_invalid_network_field, static_cast<std::size_t>(error.offset),
                    error.message);
  return Message{std::move(update)};
}

Expected<Message, MessageError> decode_notification(ByteCursor body) {
  NotificationMessage notification;
  if (!body.u8(notification.code) || !body.u8(notification.subcode))
    return error_at(notification_code::message_header, header_bad_length, 16, "NOTIFICATION shorter than its code and subcode");
  notification.data.resize(body.remaining());
  body.copy(notification.data.data(), notification.data.size());
  return Message{std::move(notification)};
}

void put16(Bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}
void put32(Bytes& out, std::uint32_t value) {
  put16(out, static_cast<std::uint16_t>(value >> 16));
  put16(out, static_cast<std::uint16_t>(value));
}

Bytes header(std::uint8_t type) {
  Bytes out(16, 0xff);
  put16(out, 0);  // length, set by finish()
  out.push_back(type);
  return out;
}
Bytes finish(Bytes out) {
  const auto length = static_cast<std::uint16_t>(out.size());
  out[16] = static_cast<std::uint8_t>(length >> 8);
  out[17] = static_cast<std::uint8_t>(length);
  return out;
}

void put_address(Bytes& out, const IpAddress& address) {
  out.insert(out.end(), address.bytes.begin(), address.bytes.begin() + (address.is_v4() ? 4 : 16));
}
void put_prefix(Bytes& out, const NlriPrefix& prefix) {
  out.push_back(prefix.length);
  out.insert(out.end(), prefix.address.bytes.begin(), prefix.address.bytes.begin() + (prefix.length + 7) / 8);
}
void put_attribute(Bytes& out, std::uint8_t flags, std::uint8_t type, const Bytes& value) {
  if (value.size() > 255) {
    out.push_back(static_cast<std::uint8_t>(flags | 0x10));
    out.push_back(type);
    put16(out, static_cast<std::uint16_t>(value.size()));
  } else {
    out.push_back(flags);
    out.push_back(type);
    out.push_back(static_cast<std::uint8_t>(value.size()));
  }
  out.insert(out.end(), value.begin(), value.end());
}

constexpr std::uint8_t flag_optional = 0x80;
constexpr std::uint8_t flag_transitive = 0x40;

}  // namespace

std::string MessageError::describe() const {
  return notification_name(code, subcode) + " (" + std::to_string(code) + "/" + std::to_string(subcode) + ") at byte " +
         std::to_string(offset) + ": " + message;
}

Expected<std::optional<std::size_t>, MessageError> frame_length(std::span<const std::uint8_t> bytes) {
  const std::size_t marker_seen = std::min<std::size_t>(bytes.size(), 16);
  for (std::size_t i = 0; i < marker_seen; ++i)
    if (bytes[i] != 0xff)
      return error_at(notification_code::message_header, header_not_synchronized, i, "marker is not all ones");
  if (bytes.size() < message_header_size) return std::optional<std::size_t>{};
  const std::size_t length = (std::size_t{bytes[16]} << 8) | bytes[17];
  if (length < message_header_size || length > message_max_size)
    return error_at(notification_code::message_header, header_bad_length, 16,
                    "message length " + std::to_string(length) + " outside 19-4096");
  return std::optional<std::size_t>{length};
}

Expected<Message, MessageError> decode_message(std::span<const std::uint8_t> message, const DecodeContext& context) {
  auto length = frame_length(message);
  if (!length) return length.error();
  if (!*length || **length != message.size())
    return error_at(notification_code::message_header, header_bad_length, 16,
                    "length field says " + (*length ? std::to_string(**length) : std::string("?")) + ", message has " +
                        std::to_string(message.size()) + " bytes");
  ByteCursor body(message.subspan(message_header_size), message_header_size);
  const std::uint8_t type = message[18];
  switch (type) {
    case bgp_message_type::open: return decode_open(body);
    case bgp_message_type::update: return decode_update(body, context);
    case bgp_message_type::notification: return decode_notification(body);
    case bgp_message_type::keepalive:
      if (!body.empty())
        return error_at(notification_code::message_header, header_bad_length, 16, "KEEPALIVE longer than 19 bytes");
      return Message{KeepaliveMessage{}};
    case bgp_message_type::route_refresh: {
      RouteRefreshMessage refresh;
      std::uint8_t subtype = 0;
      if (body.remaining() != 4 || !body.u16(refresh.family.afi) || !body.u8(subtype) || !body.u8(refresh.family.safi))
        return error_at(notification_code::message_header, header_bad_length, 16, "ROUTE-REFRESH not 23 bytes long");
      return Message{refresh};
    }
    default:
      return error_at(notification_code::message_header, header_bad_type, 18,
                      "message type " + std::to_string(type) + " is not one of 1-5");
  }
}

std::optional<AddressFamily> end_of_rib(const UpdateMessage& update) {
  if (!update.withdrawn.empty() || !update.announced.empty()) return std::nullopt;
  if (update.attributes.present == 0) return AddressFamily{afi_ipv4, 1};
  const bool only_unreach = update.attributes.present == (std::uint64_t{1} << (attribute::mp_unreach_nlri - 1));
  if (only_unreach && update.attributes.mp_unreach && update.attributes.mp_unreach->prefixes.empty())
    return AddressFamily{update.attributes.mp_unreach->afi, update.attributes.mp_unreach->safi};
  return std::nullopt;
}

const std::shared_ptr<const PathAttributes>& SharedAttributes::shared() {
  if (!shared_) {
    auto copy = std::make_shared<PathAttributes>(attributes_);
    if (copy->mp_reach) copy->mp_reach->prefixes.clear();
    copy->mp_unreach.reset();
    shared_ = std::move(copy);
  }
  return shared_;
}

void for_each_route(const UpdateMessage& update, const std::function<void(const NlriPrefix&)>& withdrawn,
                    const std::function<void(const NlriPrefix&, SharedAttributes&)>& announced) {
  const PathAttributes& a = update.attributes;
  for (const NlriPrefix& prefix : update.withdrawn) withdrawn(prefix);
  if (a.mp_unreach && a.mp_unreach->safi == 1)
    for (const NlriPrefix& prefix : a.mp_unreach->prefixes) withdrawn(prefix);
  SharedAttributes attributes(a);
  for (const NlriPrefix& prefix : update.announced) announced(prefix, attributes);
  if (a.mp_reach && a.mp_reach->safi == 1)
    for (const NlriPrefix& prefix : a.mp_reach->prefixes) announced(prefix, attributes);
}

std::vector<std::uint8_t> encode_open(const OpenMessage& open) {
  Bytes capabilities;
  auto capability = [&](std::uint8_t code, const Bytes& value) {
    capabilities.push_back(code);
    capabilities.push_back(static_cast<std::uint8_t>(value.size()));
    capabilities.insert(capabilities.end(), value.begin(), value.end());
  };
  for (const AddressFamily& family : open.capabilities.multiprotocol) {
    Bytes value;
    put16(value, family.afi);
    value.push_back(0);
    value.push_back(family.safi);
    capability(capability_code::multiprotocol, value);
  }
  if (open.capabilities.route_refresh) capability(capability_code::route_refresh, {});
  if (open.capabilities.enhanced_route_refresh) capability(capability_code::enhanced_route_refresh, {});
  // Restart time 0 and no families: "I understand End-of-RIB", nothing more (RFC 4724 3).
  if (open.capabilities.graceful_restart) capability(capability_code::graceful_restart, {0, 0});
  if (open.capabilities.four_octet_as) {
    Bytes value;
    put32(value, *open.capabilities.four_octet_as);
    capability(capability_code::four_octet_as, value);
  }
  Bytes out = header(bgp_message_type::open);
  out.push_back(open.version);
  put16(out, open.my_as);
  put16(out, open.hold_time);
  put32(out, open.bgp_id.v4_host_order());
  out.push_back(static_cast<std::uint8_t>(capabilities.size() + 2));
  out.push_back(optional_parameter_capabilities);
  out.push_back(static_cast<std::uint8_t>(capabilities.size()));
  out.insert(out.end(), capabilities.begin(), capabilities.end());
  return finish(std::move(out));
}

std::vector<std::uint8_t> encode_keepalive() { return finish(header(bgp_message_type::keepalive)); }

std::vector<std::uint8_t> encode_notification(const NotificationMessage& notification) {
  Bytes out = header(bgp_message_type::notification);
  out.push_back(notification.code);
  out.push_back(notification.subcode);
  const std::size_t room = message_max_size - out.size();
  out.insert(out.end(), notification.data.begin(),
             notification.data.begin() + static_cast<std::ptrdiff_t>(std::min(room, notification.data.size())));
  return finish(std::move(out));
}

std::vector<std::uint8_t> encode_route_refresh(AddressFamily family) {
  Bytes out = header(bgp_message_type::route_refresh);
  put16(out, family.afi);
  out.push_back(0);
  out.push_back(family.safi);
  return finish(std::move(out));
}

std::vector<std::uint8_t> encode_update(const UpdateMessage& update) {
  Bytes withdrawn;
  Bytes withdrawn_v6;
  for (const NlriPrefix& prefix : update.withdrawn) put_prefix(prefix.address.is_v4() ? withdrawn : withdrawn_v6, prefix);
  Bytes announced;
  Bytes announced_v6;
  for (const NlriPrefix& prefix : update.announced) put_prefix(prefix.address.is_v4() ? announced : announced_v6, prefix);

  const PathAttributes& a = update.attributes;
  Bytes attributes;
  if (!withdrawn_v6.empty()) {
    Bytes value;
    put16(value, afi_ipv6);
    value.push_back(1);
    value.insert(value.end(), withdrawn_v6.begin(), withdrawn_v6.end());
    put_attribute(attributes, flag_optional, attribute::mp_unreach_nlri, value);
  }
  if (a.has(attribute::origin)) put_attribute(attributes, flag_transitive, attribute::origin, {a.origin});
  if (a.has(attribute::as_path)) {
    Bytes value;
    for (const AsPathSegment& segment : a.as_path) {
      value.push_back(segment.type);
      value.push_back(static_cast<std::uint8_t>(segment.asns.size()));
      for (std::uint32_t asn : segment.asns) put32(value, asn);
    }
    put_attribute(attributes, flag_transitive, attribute::as_path, value);
  }
  if (a.has(attribute::next_hop)) {
    Bytes value;
    put_address(value, a.next_hop);
    put_attribute(attributes, flag_transitive, attribute::next_hop, value);
  }
  if (a.has(attribute::multi_exit_disc)) {
    Bytes value;
    put32(value, a.med);
    put_attribute(attributes, flag_optional, attribute::multi_exit_disc, value);
  }
  if (a.has(attribute::local_pref)) {
    Bytes value;
    put32(value, a.local_pref);
    put_attribute(attributes, flag_transitive, attribute::local_pref, value);
  }
  if (!announced_v6.empty()) {
    Bytes value;
    put16(value, afi_ipv6);
    value.push_back(1);
    const IpAddress next_hop = a.mp_reach && a.mp_reach->next_hop ? *a.mp_reach->next_hop : *IpAddress::parse("::1");
    value.push_back(16);
    put_address(value, next_hop);
    value.push_back(0);  // reserved
    value.insert(value.end(), announced_v6.begin(), announced_v6.end());
    put_attribute(attributes, flag_optional, attribute::mp_reach_nlri, value);
  }

  Bytes out = header(bgp_message_type::update);
  put16(out, static_cast<std::uint16_t>(withdrawn.size()));
  out.insert(out.end(), withdrawn.begin(), withdrawn.end());
  put16(out, static_cast<std::uint16_t>(attributes.size()));
  out.insert(out.end(), attributes.begin(), attributes.end());
  out.insert(out.end(), announced.begin(), announced.end());
  return finish(std::move(out));
}

std::string notification_name(std::uint8_t code, std::uint8_t subcode) {
  static const char* const header_errors[] = {"", "connection not synchronized", "bad message length", "bad message type"};
  static const char* const open_errors[] = {
      "", "unsupported version number", "bad peer AS",           "bad BGP identifier", "unsupported optional parameter",
      "", "unacceptable hold time",     "unsupported capability"};
  static const char* const update_errors[] = {"",
                                              "malformed attribute list",
                                              "unrecognized well-known attribute",
                                              "missing well-known attribute",
                                              "attribute flags error",
                                              "attribute length error",
                                              "invalid ORIGIN attribute",
                                              "",
                                              "invalid NEXT_HOP attribute",
                                              "optional attribute error",
                                              "invalid network field",
                                              "malformed AS_PATH"};
  static const char* const cease_errors[] = {"",
                                             "maximum number of prefixes reached",
                                             "administrative shutdown",
                                             "peer de-configured",
                                             "administrative reset",
                                             "connection rejected",
                                             "other configuration change",
                                             "connection collision resolution",
                                             "out of resources",
                                             "hard reset"};
  auto pick = [&](const char* name, const char* const* table, std::size_t size) {
    std::string out = name;
    if (subcode < size && table[subcode][0] != '\0') out += std::string(": ") + table[subcode];
    else if (subcode != 0) out += ": subcode " + std::to_string(subcode);
    return out;
  };
  switch (code) {
    case notification_code::message_header: return pick("message header error", header_errors, std::size(header_errors));
    case notification_code::open_message: return pick("OPEN message error", open_errors, std::size(open_errors));
    case notification_code::update_message: return pick("UPDATE message error", update_errors, std::size(update_errors));
    case notification_code::hold_timer_expired: return "hold timer expired";
    case notification_code::fsm: return "finite state machine error";
    case notification_code::cease: return pick("cease", cease_errors, std::size(cease_errors));
    default: return "code " + std::to_string(code) + " subcode " + std::to_string(subcode);
  }
}

const char* message_type_name(std::uint8_t type) {
  switch (type) {
    case bgp_message_type::open: return "OPEN";
    case bgp_message_type::update: return "UPDATE";
    case bgp_message_type::notification: return "NOTIFICATION";
    case bgp_message_type::keepalive: return "KEEPALIVE";
    case bgp_message_type::route_refresh: return "ROUTE-REFRESH";
    default: return "unknown";
  }
}

}  // namespace blackout::bgp
