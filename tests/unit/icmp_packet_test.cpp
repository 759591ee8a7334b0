// The ICMP parser on hand-made packets: replies, errors quoting our probes, and malformed
// input of every length.
#include "probes/common/icmp_packet.hpp"

#include <gtest/gtest.h>

namespace blackout {
namespace {

std::vector<std::uint8_t> ipv4_header(std::uint8_t protocol, const char* from, const char* to, std::size_t payload,
                                      std::uint8_t ttl = 57) {
  std::vector<std::uint8_t> h(20);
  h[0] = 0x45;
  const std::size_t total = 20 + payload;
  h[2] = static_cast<std::uint8_t>(total >> 8);
  h[3] = static_cast<std::uint8_t>(total);
  h[8] = ttl;
  h[9] = protocol;
  const auto f = IpAddress::parse(from)->bytes;
  const auto t = IpAddress::parse(to)->bytes;
  std::copy(f.begin(), f.begin() + 4, h.begin() + 12);
  std::copy(t.begin(), t.begin() + 4, h.begin() + 16);
  return h;
}

TEST(IcmpPacket, EchoRequestHasAValidChecksum) {
  const std::vector<std::uint8_t> payload{1, 2, 3, 4, 5};
  const auto packet = build_echo_request(false, 0x1234, 0x0102, payload);
  ASSERT_EQ(packet.size(), 13u);
  EXPECT_EQ(packet[0], 8);
  EXPECT_EQ(internet_checksum(packet), 0) << "a packet with its checksum sums to zero";
}

TEST(IcmpPacket, ParsesAnEchoReplyWithTtlAndSender) {
  auto reply = build_echo_request(false, 0xabcd, 7, std::vector<std::uint8_t>{9, 9});
  reply[0] = 0;
  auto packet = ipv4_header(1, "198.18.64.10", "198.18.0.2", reply.size());
  packet.insert(packet.end(), reply.begin(), reply.end());
  IcmpParseError error{};
  const auto message = parse_icmp_v4_packet(packet, error);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, IcmpMessage::Kind::echo_reply);
  EXPECT_EQ(message->id, 0xabcd);
  EXPECT_EQ(message->seq, 7);
  EXPECT_EQ(message->ttl, 57);
  EXPECT_EQ(message->from.to_string(), "198.18.64.10");
  EXPECT_EQ(message->payload.size(), 2u);
}

TEST(IcmpPacket, ParsesAnUnreachableQuotingOurEcho) {
  const auto probe = build_echo_request(false, 0x1111, 42, std::vector<std::uint8_t>(8, 0));
  auto quoted = ipv4_header(1, "198.18.0.2", "198.18.64.10", probe.size(), 1);
  quoted.insert(quoted.end(), probe.begin(), probe.begin() + 8);
  std::vector<std::uint8_t> icmp{3, 13, 0, 0, 0, 0, 0, 0};
  icmp.insert(icmp.end(), quoted.begin(), quoted.end());
  auto packet = ipv4_header(1, "198.18.1.1", "198.18.0.2", icmp.size());
  packet.insert(packet.end(), icmp.begin(), icmp.end());
  IcmpParseError error{};
  const auto message = parse_icmp_v4_packet(packet, error);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, IcmpMessage::Kind::destination_unreachable);
  EXPECT_EQ(message->code, 13);
  ASSERT_TRUE(message->quoted);
  EXPECT_EQ(message->quoted->destination.to_string(), "198.18.64.10");
  EXPECT_EQ(message->quoted->icmp_id, 0x1111);
  EXPECT_EQ(message->quoted->icmp_seq, 42);
  EXPECT_EQ(message->from.to_string(), "198.18.1.1");
}

TEST(IcmpPacket, ParsesATimeExceededQuotingUdp) {
  std::vector<std::uint8_t> udp{0x80, 0x01, 0x82, 0x9b, 0, 16, 0, 0};
  auto quoted = ipv4_header(17, "198.18.0.2", "198.18.64.10", udp.size(), 1);
  quoted.insert(quoted.end(), udp.begin(), udp.end());
  std::vector<std::uint8_t> icmp{11, 0, 0, 0, 0, 0, 0, 0};
  icmp.insert(icmp.end(), quoted.begin(), quoted.end());
  IcmpParseError error{};
  const auto message = parse_icmp_message(false, icmp, *IpAddress::parse("198.18.1.1"), 64, error);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, IcmpMessage::Kind::time_exceeded);
  EXPECT_EQ(message->quoted->protocol, 17);
  EXPECT_EQ(message->quoted->source_port, 0x8001);
  EXPECT_EQ(message->quoted->destination_port, 33435);
}

TEST(IcmpPacket, RejectsMalformedInputOfEveryLength) {
  auto reply = build_echo_request(false, 1, 1, std::vector<std::uint8_t>(4, 0));
  reply[0] = 0;
  auto packet = ipv4_header(1, "127.0.0.1", "127.0.0.1", reply.size());
  packet.insert(packet.end(), reply.begin(), reply.end());
  for (std::size_t length = 0; length < 28; ++length) {
    IcmpParseError error{};
    EXPECT_FALSE(parse_icmp_v4_packet(std::span(packet.data(), length), error)) << length;
  }
  IcmpParseError error{};
  EXPECT_TRUE(parse_icmp_v4_packet(packet, error));
  packet[0] = 0x4f;  // header length 60 > packet
  EXPECT_FALSE(parse_icmp_v4_packet(packet, error));
  EXPECT_EQ(error, IcmpParseError::too_short);
  packet[0] = 0x65;  // version 6 in a v4 socket
  EXPECT_FALSE(parse_icmp_v4_packet(packet, error));
  EXPECT_EQ(error, IcmpParseError::bad_ip_header);
}

TEST(IcmpPacket, AnErrorWithAShortQuoteIsRejected) {
  std::vector<std::uint8_t> icmp{3, 1, 0, 0, 0, 0, 0, 0, 0x45, 0, 0};
  IcmpParseError error{};
  EXPECT_FALSE(parse_icmp_message(false, icmp, *IpAddress::parse("127.0.0.1"), 64, error));
  EXPECT_EQ(error, IcmpParseError::bad_quote);
}

}  // namespace
}  // namespace blackout
