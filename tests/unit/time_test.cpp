// Durations and RFC 3339 timestamps: round trips and rejections.
#include "model/time.hpp"

#include <gtest/gtest.h>

namespace blackout {
namespace {

TEST(Duration, ParsesUnitsAndSums) {
  EXPECT_EQ(*parse_duration("10s"), 10s);
  EXPECT_EQ(*parse_duration("500ms"), 500ms);
  EXPECT_EQ(*parse_duration("1m30s"), 90s);
  EXPECT_EQ(*parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(*parse_duration("2h"), 7200s);
  EXPECT_EQ(*parse_duration("14d"), std::chrono::hours(24 * 14));
  EXPECT_EQ(*parse_duration("250us"), 250us);
}

TEST(Duration, RejectsAmbiguousAndMalformed) {
  for (const char* bad : {"", "10", "s", "10 s", "10sec", "1..5s", "-1s", "ten seconds", "999999999999h"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Duration, FormatsCompactly) {
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(3h), "3h");
  EXPECT_EQ(format_duration(1234us), "1234us");
}

TEST(Timestamp, RoundTripsWithMilliseconds) {
  auto t = parse_rfc3339("2026-11-25T06:40:00.123Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2026-11-25T06:40:00.123Z");
  EXPECT_EQ(format_rfc3339(*t, 0), "2026-11-25T06:40:00Z");
  EXPECT_EQ(format_rfc3339(*t, 6), "2026-11-25T06:40:00.123000Z");
}

TEST(Timestamp, OffsetsAndDates) {
  EXPECT_EQ(*parse_rfc3339("2026-11-25T15:40:00+09:00"), *parse_rfc3339("2026-11-25T06:40:00Z"));
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2016-09-20")), "2016-09-20T00:00:00.000Z");
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z")->time_since_epoch().count(), 0);
}

TEST(Timestamp, RejectsMalformed) {
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2026-11-25T25:00:00Z", "2026-11-25T06:40:00", "yesterday",
                          "2026-11-25T06:40:00.Z", "2026-11-25T06:40:00Zjunk"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

}  // namespace
}  // namespace blackout
