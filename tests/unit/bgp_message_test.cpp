// BGP-4 messages: OPEN, UPDATE, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH encoded and decoded
// back, End-of-RIB markers, framing of a stream, and malformed messages (cut at every byte,
// bad fields) giving typed errors with the NOTIFICATION code RFC 4271 says to answer with.
#include <gtest/gtest.h>

#include <variant>
#include <vector>

#include "bgp/message.hpp"

namespace blackout::bgp {
namespace {

NlriPrefix prefix(const char* text) {
  const auto parsed = Prefix::parse(text);
  return NlriPrefix{parsed->address, parsed->length, 0};
}

UpdateMessage sample_update() {
  UpdateMessage update;
  update.withdrawn = {prefix("198.18.100.0/24"), prefix("fd00:198:18:9::/64")};
  update.announced = {prefix("198.18.64.0/22"), prefix("fd00:198:18::/48")};
  auto& a = update.attributes;
  a.present = (1ULL << (attribute::origin - 1)) | (1ULL << (attribute::as_path - 1)) | (1ULL << (attribute::next_hop - 1)) |
              (1ULL << (attribute::multi_exit_disc - 1));
  a.origin = 0;
  a.as_path = {AsPathSegment{as_segment::sequence, {65001, 4200000000U, 131072}}};
  a.next_hop = *IpAddress::parse("127.0.0.1");
  a.med = 7;
  return update;
}

Message decode_ok(const std::vector<std::uint8_t>& bytes, std::uint8_t asn_size = 4) {
  auto message = decode_message(bytes, DecodeContext{asn_size});
  EXPECT_TRUE(message.ok()) << (message.ok() ? "" : message.error().describe());
  return message.ok() ? *message : Message{KeepaliveMessage{}};
}

TEST(BgpMessage, OpenRoundTripsWithCapabilities) {
  OpenMessage open;
  open.my_as = static_cast<std::uint16_t>(as_trans_number);
  open.hold_time = 90;
  open.bgp_id = *IpAddress::parse("198.18.0.1");
  open.capabilities.multiprotocol = {{afi_ipv4, 1}, {afi_ipv6, 1}};
  open.capabilities.route_refresh = true;
  open.capabilities.graceful_restart = true;
  open.capabilities.four_octet_as = 4200000000U;
  const Message decoded = decode_ok(encode_open(open));
  const auto* got = std::get_if<OpenMessage>(&decoded);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->asn(), 4200000000U);
  EXPECT_EQ(got->hold_time, 90);
  EXPECT_EQ(got->bgp_id.to_string(), "198.18.0.1");
  EXPECT_EQ(got->capabilities.multiprotocol.size(), 2U);
  EXPECT_TRUE(got->capabilities.route_refresh);
  EXPECT_TRUE(got->capabilities.graceful_restart);
}

TEST(BgpMessage, UpdateRoundTripsIpv4AndIpv6) {
  const Message decoded = decode_ok(encode_update(sample_update()));
  const auto* update = std::get_if<UpdateMessage>(&decoded);
  ASSERT_NE(update, nullptr);
  ASSERT_EQ(update->announced.size(), 1U);
  EXPECT_EQ(update->announced[0].prefix().to_string(), "198.18.64.0/22");
  ASSERT_EQ(update->withdrawn.size(), 1U);
  EXPECT_EQ(update->withdrawn[0].prefix().to_string(), "198.18.100.0/24");
  ASSERT_TRUE(update->attributes.mp_reach);
  ASSERT_EQ(update->attributes.mp_reach->prefixes.size(), 1U);
  EXPECT_EQ(update->attributes.mp_reach->prefixes[0].prefix().to_string(), "fd00:198:18::/48");
  ASSERT_TRUE(update->attributes.mp_unreach);
  EXPECT_EQ(update->attributes.mp_unreach->prefixes[0].prefix().to_string(), "fd00:198:18:9::/64");
  ASSERT_EQ(update->attributes.as_path.size(), 1U);
  EXPECT_EQ(update->attributes.as_path[0].asns, (std::vector<std::uint32_t>{65001, 4200000000U, 131072}));
  EXPECT_EQ(update->attributes.med, 7U);
  EXPECT_FALSE(end_of_rib(*update));
}

TEST(BgpMessage, EndOfRibMarkers) {
  const Message v4 = decode_ok(encode_update(UpdateMessage{}));
  const auto eor = end_of_rib(std::get<UpdateMessage>(v4));
  ASSERT_TRUE(eor);
  EXPECT_EQ(eor->afi, afi_ipv4);
  // IPv6: an UPDATE whose only attribute is an empty MP_UNREACH_NLRI.
  const std::vector<std::uint8_t> v6_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    29,   2,    0,
                                              0,    0,    6,    0x80, 15,   3,    0,    2,    1};
  const Message v6 = decode_ok(v6_bytes);
  const auto eor6 = end_of_rib(std::get<UpdateMessage>(v6));
  ASSERT_TRUE(eor6);
  EXPECT_EQ(eor6->afi, afi_ipv6);
}

TEST(BgpMessage, NotificationKeepaliveRouteRefresh) {
  const Message notification = decode_ok(encode_notification(NotificationMessage{6, 2, {1, 2}}));
  EXPECT_EQ(std::get<NotificationMessage>(notification).code, 6);
  EXPECT_EQ(std::get<NotificationMessage>(notification).data.size(), 2U);
  EXPECT_EQ(notification_name(6, 2), "cease: administrative shutdown");
  EXPECT_EQ(notification_name(4, 0), "hold timer expired");
  EXPECT_TRUE(std::holds_alternative<KeepaliveMessage>(decode_ok(encode_keepalive())));
  const Message refresh = decode_ok(encode_route_refresh({afi_ipv6, 1}));
  EXPECT_EQ(std::get<RouteRefreshMessage>(refresh).family.afi, afi_ipv6);
}

TEST(BgpMessage, TwoByteAsPathsDecodeWithTheirContext) {
  // AS_PATH of two 2-byte ASes: 65001 65002.
  std::vector<std::uint8_t> bytes(16, 0xff);
  const std::vector<std::uint8_t> rest = {0,    0,    2,    0,    0,    0, 20, 0x40, 1, 1, 0, 0x40, 2,   6,  2, 2,
                                          0xfd, 0xe9, 0xfd, 0xea, 0x40, 3, 4,  127,  0, 0, 1, 22,   198, 18, 64};
  bytes.insert(bytes.end(), rest.begin(), rest.end());
  bytes[16] = 0;
  bytes[17] = static_cast<std::uint8_t>(bytes.size());
  const Message decoded = decode_ok(bytes, 2);
  const auto& update = std::get<UpdateMessage>(decoded);
  EXPECT_EQ(update.attributes.as_path[0].asns, (std::vector<std::uint32_t>{65001, 65002}));
  EXPECT_EQ(update.announced[0].prefix().to_string(), "198.18.64.0/22");
  // The same bytes read with 4-byte ASes do not fit: a typed UPDATE error.
  auto wrong = decode_message(bytes, DecodeContext{4});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, notification_code::update_message);
}

TEST(BgpMessage, FramingWaitsForWholeHeadersAndRefusesGarbage) {
  const auto keepalive = encode_keepalive();
  auto partial = frame_length(std::span(keepalive).first(10));
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(*partial);
  auto whole = frame_length(keepalive);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(**whole, 19U);
  std::vector<std::uint8_t> garbage = {'G', 'E', 'T', ' ', '/'};
  auto bad_marker = frame_length(garbage);
  ASSERT_FALSE(bad_marker.ok());
  EXPECT_EQ(bad_marker.error().code, notification_code::message_header);
  EXPECT_EQ(bad_marker.error().subcode, 1);
  auto too_long = keepalive;
  too_long[16] = 0x20;  // 8192 + 19
  ASSERT_FALSE(frame_length(too_long).ok());
  EXPECT_EQ(frame_length(too_long).error().subcode, 2);
  auto too_short = keepalive;
  too_short[17] = 18;
  ASSERT_FALSE(frame_length(too_short).ok());
}

TEST(BgpMessage, MalformedFieldsGiveTheRightNotification) {
  OpenMessage open;
  open.my_as = 65001;
  open.hold_time = 90;
  open.bgp_id = *IpAddress::parse("198.18.0.1");
  auto bad_version = encode_open(open);
  bad_version[19] = 3;
  EXPECT_EQ(decode_message(bad_version, {}).error().code, notification_code::open_message);
  EXPECT_EQ(decode_message(bad_version, {}).error().subcode, 1);
  auto bad_hold = encode_open(open);
  bad_hold[22] = 0;
  bad_hold[23] = 2;
  EXPECT_EQ(decode_message(bad_hold, {}).error().subcode, 6);
  auto keepalive_with_body = encode_keepalive();
  keepalive_with_body.push_back(0);
  keepalive_with_body[17] = 20;
  EXPECT_EQ(decode_message(keepalive_with_body, {}).error().subcode, 2);
  auto unknown_type = encode_keepalive();
  unknown_type[18] = 9;
  EXPECT_EQ(decode_message(unknown_type, {}).error().subcode, 3);
  UpdateMessage long_prefix;
  long_prefix.announced = {prefix("198.18.64.0/22")};
  auto bytes = encode_update(long_prefix);
  bytes[bytes.size() - 4] = 33;  // prefix length 33 for IPv4
  const auto error = decode_message(bytes, DecodeContext{4});
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().code, notification_code::update_message);
  EXPECT_FALSE(error.error().describe().empty());
}

TEST(BgpMessage, EveryCutAndEveryFlippedByteIsAnErrorOrAMessageNeverACrash) {
  const auto update = encode_update(sample_update());
  for (std::size_t cut = 19; cut < update.size(); ++cut) {
    auto shorter = std::vector<std::uint8_t>(update.begin(), update.begin() + static_cast<std::ptrdiff_t>(cut));
    shorter[16] = 0;
    shorter[17] = static_cast<std::uint8_t>(cut);
    // Cut just before the last NLRI prefix, what is left is a whole UPDATE of its own.
    if (cut != update.size() - 4) {
      EXPECT_FALSE(decode_message(shorter, DecodeContext{4}).ok()) << "cut at " << cut;
    }
  }
  for (std::size_t at = 19; at < update.size(); ++at) {
    for (std::uint8_t value : {std::uint8_t{0}, std::uint8_t{0xff}, std::uint8_t{0x80}}) {
      auto flipped = update;
      flipped[at] = value;
      auto message = decode_message(flipped, DecodeContext{4});
      if (!message.ok()) {
        EXPECT_FALSE(message.error().message.empty());
      }
    }
  }
}

}  // namespace
}  // namespace blackout::bgp
