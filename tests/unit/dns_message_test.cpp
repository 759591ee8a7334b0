// The DNS message code on real answers (recorded from nsd, in the fuzz corpus) and on
// hand-made malformed ones.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "probes/dns/message.hpp"

namespace blackout {
namespace {

std::vector<std::uint8_t> corpus(const char* name) {
  std::ifstream in(std::filesystem::path(BLACKOUT_SOURCE_DIR) / "tests/fuzz/corpus/dns_message" / name, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

TEST(DnsMessage, AQueryHasOneQuestionAndAnOptRecord) {
  const auto q = build_dns_query(0xbeef, "kp.test", 6, 1, false, 1232);
  ASSERT_GE(q.size(), 12u);
  EXPECT_EQ(q[0], 0xbe);
  EXPECT_EQ(q[1], 0xef);
  EXPECT_EQ(q[2] & 0x01, 0) << "RD clear";
  EXPECT_EQ(q[5], 1);   // one question
  EXPECT_EQ(q[11], 1);  // one additional: OPT
  EXPECT_EQ(q.size(), 12u + 9 + 4 + 11);
}

TEST(DnsMessage, ParsesARealSoaAnswer) {
  const auto bytes = corpus("soa");
  const auto r = parse_dns_response(bytes);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->id, 0x1234);
  EXPECT_TRUE(r->authoritative);
  EXPECT_EQ(r->rcode, 0);
  EXPECT_TRUE(same_dns_name(r->qname, "BENCH.test."));
  EXPECT_EQ(r->qtype, 6);
  EXPECT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(r->soa_serial, 2026112501u);
}

TEST(DnsMessage, NxdomainCarriesTheSoaSerialInAuthority) {
  const auto r = parse_dns_response(corpus("nxdomain"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, 3);
  EXPECT_TRUE(r->answers.empty());
  EXPECT_EQ(r->soa_serial, 2026112501u);
}

TEST(DnsMessage, RejectsLoopsPointersPastTheEndAndShortMessages) {
  EXPECT_EQ(parse_dns_response(corpus("loop")).error(), DnsParseError::bad_name);
  EXPECT_FALSE(parse_dns_response(corpus("past_end")));
  const auto soa = corpus("soa");
  for (std::size_t length = 0; length < soa.size(); ++length)
    EXPECT_FALSE(parse_dns_response(std::span(soa.data(), length))) << "cut at " << length;
}

TEST(DnsMessage, RejectsQueriesAndOverlongLabels) {
  auto query = build_dns_query(1, "kp.test", 1, 1, true, 0);
  EXPECT_EQ(parse_dns_response(query).error(), DnsParseError::not_a_response);
  std::vector<std::uint8_t> m{0, 1, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64};
  m.resize(m.size() + 64, 'a');
  m.push_back(0);
  m.insert(m.end(), {0, 1, 0, 1});
  EXPECT_EQ(parse_dns_response(m).error(), DnsParseError::bad_name);
}

}  // namespace
}  // namespace blackout
