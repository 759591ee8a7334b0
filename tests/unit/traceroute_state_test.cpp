// Trace bookkeeping: when a trace is complete, and the result it turns into.
#include <gtest/gtest.h>

#include "probes/traceroute/trace_state.hpp"

namespace blackout {
namespace {

TraceState state(int first, int max) {
  TraceState s;
  s.destination = *IpAddress::parse("198.18.12.2");
  s.first_hop = first;
  s.max_hops = max;
  s.sent.resize(static_cast<std::size_t>(max - first + 1));
  s.answers.resize(static_cast<std::size_t>(max - first + 1));
  return s;
}

HopAnswer hop(const char* from, HopAnswer::Kind kind, Duration rtt = 1ms) {
  return HopAnswer{*IpAddress::parse(from), rtt, kind, 0};
}

TEST(TraceState, CompleteOnlyWhenEveryHopBeforeTheEndAnswered) {
  TraceState s = state(1, 5);
  s.record(3, hop("198.18.12.2", HopAnswer::Kind::destination, 3ms));
  EXPECT_EQ(s.end_ttl(), 3);
  EXPECT_FALSE(s.complete());
  s.record(1, hop("198.18.10.2", HopAnswer::Kind::time_exceeded));
  s.record(2, hop("198.18.11.2", HopAnswer::Kind::time_exceeded));
  EXPECT_TRUE(s.complete());
  const Result r = s.to_result(false);
  EXPECT_EQ(r.outcome, Outcome::ok);
  EXPECT_EQ(*r.rtt, 3ms);
  EXPECT_EQ(std::get<std::int64_t>(*r.field("hop_count")), 3);
  EXPECT_EQ(std::get<std::string>(*r.field("hops")), "1 198.18.10.2 1.000ms | 2 198.18.11.2 1.000ms | 3 198.18.12.2 3.000ms");
}

TEST(TraceState, SilentHopsAndAPathThatDies) {
  TraceState s = state(1, 4);
  s.record(1, hop("198.18.10.2", HopAnswer::Kind::time_exceeded));
  s.record(2, hop("198.18.11.2", HopAnswer::Kind::time_exceeded));
  const Result r = s.to_result(true);
  EXPECT_EQ(r.outcome, Outcome::not_reached);
  EXPECT_EQ(std::get<std::int64_t>(*r.field("last_responsive_hop")), 2);
  EXPECT_EQ(std::get<std::string>(*r.field("last_responsive_address")), "198.18.11.2");
  EXPECT_EQ(std::get<std::string>(*r.field("stopped_by")), "timeout");
  EXPECT_EQ(std::get<std::string>(*r.field("hops")), "1 198.18.10.2 1.000ms | 2 198.18.11.2 1.000ms | 3 * | 4 *");
}

TEST(TraceState, NothingAnsweredIsATimeout) {
  const Result r = state(1, 3).to_result(true);
  EXPECT_EQ(r.outcome, Outcome::timeout);
  EXPECT_FALSE(std::get<bool>(*r.field("reached")));
}

TEST(TraceState, DuplicatesAndOutOfRangeTtlsAreIgnored) {
  TraceState s = state(2, 4);
  s.record(2, hop("198.18.11.2", HopAnswer::Kind::time_exceeded, 1ms));
  s.record(2, hop("198.18.99.9", HopAnswer::Kind::time_exceeded, 9ms));
  s.record(1, hop("198.18.99.9", HopAnswer::Kind::destination));
  s.record(9, hop("198.18.99.9", HopAnswer::Kind::destination));
  EXPECT_EQ(s.answers[0]->from.to_string(), "198.18.11.2");
  EXPECT_FALSE(s.end_ttl());
}

TEST(TraceState, AnUnreachableFromARouterEndsThePath) {
  TraceState s = state(1, 5);
  s.record(1, hop("198.18.10.2", HopAnswer::Kind::time_exceeded));
  s.record(2, hop("198.18.11.2", HopAnswer::Kind::unreachable));
  EXPECT_TRUE(s.complete());
  const Result r = s.to_result(false);
  EXPECT_EQ(r.outcome, Outcome::not_reached);
  EXPECT_EQ(std::get<std::string>(*r.field("stopped_by")), "unreachable");
}

}  // namespace
}  // namespace blackout
