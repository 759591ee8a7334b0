// The SMTP reply parser: multi-line replies split at every byte, and every kind of error.
#include <gtest/gtest.h>

#include "probes/smtp/reply.hpp"

namespace blackout {
namespace {

const std::string ehlo = "250-vm Hello x\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 HELP\r\n";

TEST(SmtpReply, AMultiLineReplyWhole) {
  SmtpReplyParser parser;
  parser.feed(ehlo + "221 Bye\r\n");
  auto first = parser.next();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->code, 250);
  EXPECT_EQ((*first)->lines, (std::vector<std::string>{"vm Hello x", "8BITMIME", "STARTTLS", "HELP"}));
  auto second = parser.next();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->code, 221);
  EXPECT_FALSE(parser.next());
}

TEST(SmtpReply, SplitAtEveryByteBoundary) {
  for (std::size_t cut = 0; cut <= ehlo.size(); ++cut) {
    SmtpReplyParser parser;
    parser.feed(ehlo.substr(0, cut));
    auto early = parser.next();
    if (cut < ehlo.size()) {
      EXPECT_FALSE(early) << "complete after " << cut << " bytes?";
    }
    parser.feed(ehlo.substr(cut));
    auto reply = early ? early : parser.next();
    ASSERT_TRUE(reply && *reply) << cut;
    EXPECT_EQ((*reply)->lines.size(), 4u);
  }
}

TEST(SmtpReply, Errors) {
  const auto error_of = [](const std::string& bytes) {
    SmtpReplyParser parser;
    parser.feed(bytes);
    auto reply = parser.next();
    EXPECT_TRUE(reply && !*reply) << bytes.substr(0, 40);
    return reply && !*reply ? reply->error() : SmtpParseError::bad_code;
  };
  EXPECT_EQ(error_of("hello there\r\n"), SmtpParseError::bad_code);
  EXPECT_EQ(error_of("22 short\r\n"), SmtpParseError::bad_code);
  EXPECT_EQ(error_of("220x\r\n"), SmtpParseError::bad_code);
  EXPECT_EQ(error_of("250-one\r\n251 two\r\n"), SmtpParseError::mixed_codes);
  EXPECT_EQ(error_of("220 " + std::string(3000, 'a')), SmtpParseError::line_too_long);
  EXPECT_EQ(error_of("220 " + std::string(3000, 'a') + "\r\n"), SmtpParseError::line_too_long);
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "250-" + std::string(40, 'x') + "\r\n";
  EXPECT_EQ(error_of(many), SmtpParseError::reply_too_long);
}

TEST(SmtpReply, BareCodeAndLfOnlyLines) {
  SmtpReplyParser parser;
  parser.feed("220\n");
  auto reply = parser.next();
  ASSERT_TRUE(reply && *reply);
  EXPECT_EQ((*reply)->code, 220);
}

}  // namespace
}  // namespace blackout
