// icmp check against the real kernel on loopback: replies with RTT and TTL, IPv6, drops
// (timeout), administrative rejects (unreachable-admin), forged and late replies injected
// through a raw socket, many probes at once, and running without CAP_NET_RAW.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probes/common/icmp_packet.hpp"
#include "probes/common/icmp_socket.hpp"
#include "probes/icmp/icmp_probe.hpp"
#include "support/net.hpp"
#include "util/privileges.hpp"

namespace blackout {
namespace {

using namespace testing_support;

std::uint64_t counter(const Probe& probe, std::string_view name) {
  for (const Counter& c : probe.counters())
    if (c.name == name) return c.value;
  ADD_FAILURE() << "no counter " << name;
  return 0;
}

class IcmpCheck : public testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root (CAP_NET_RAW)";
  }
  SystemClock clock;
  EventLoop loop{clock};
  SeededRandom random{7};
  IcmpProbe probe{loop, random};
  Result ping(const std::string& address, Duration timeout = 1s, std::uint16_t payload = 56) {
    const Target target = make_target(IcmpParams{payload}, address, timeout);
    return run_probe(loop, probe, target, target.checks[0]);
  }
};

TEST_F(IcmpCheck, LoopbackAnswersWithRttAndTtl) {
  const Result result = ping("127.0.0.1");
  EXPECT_EQ(result.outcome, Outcome::ok) << result.detail;
  ASSERT_TRUE(result.rtt);
  EXPECT_GT(result.rtt->count(), 0);
  EXPECT_LT(*result.rtt, 100ms);
  ASSERT_TRUE(result.field("ttl"));
  EXPECT_EQ(std::get<std::int64_t>(field_of(result, "ttl")), 64);
  EXPECT_EQ(std::get<std::string>(field_of(result, "reply_from")), "127.0.0.1");
  EXPECT_EQ(counter(probe, "replies"), 1u);
}

TEST_F(IcmpCheck, Ipv6Loopback) {
  const Result result = ping("::1");
  EXPECT_EQ(result.outcome, Outcome::ok) << result.detail;
  EXPECT_TRUE(result.field("ttl"));
}

TEST_F(IcmpCheck, TinyAndLargePayloads) {
  EXPECT_EQ(ping("127.0.0.1", 1s, 0).outcome, Outcome::ok);
  EXPECT_EQ(ping("127.0.0.1", 1s, 1400).outcome, Outcome::ok);
}

TEST_F(IcmpCheck, DroppedEchoTimesOut) {
  // On the input hook: a drop on output would fail sendto with EPERM (a local firewall).
  NftRule drop("ip daddr 127.0.0.9 icmp type echo-request drop", "input");
  const MonoTime start = clock.now();
  const Result result = ping("127.0.0.9", 300ms);
  EXPECT_EQ(result.outcome, Outcome::timeout);
  EXPECT_FALSE(result.rtt);
  EXPECT_GE(clock.now() - start, 300ms);
  EXPECT_LT(clock.now() - start, 800ms);
  EXPECT_EQ(counter(probe, "timeouts"), 1u);
}

TEST_F(IcmpCheck, AdministrativeRejectIsUnreachableAdmin) {
  NftRule reject("ip daddr 127.0.0.10 icmp type echo-request reject with icmp type admin-prohibited", "input");
  const Result result = ping("127.0.0.10");
  EXPECT_EQ(result.outcome, Outcome::unreachable_admin) << result.detail;
  ASSERT_TRUE(result.field("icmp_type") && result.field("icmp_code")) << "the answer was an ICMP error, not a local send failure";
  EXPECT_EQ(std::get<std::int64_t>(field_of(result, "icmp_type")), 3);
  EXPECT_EQ(std::get<std::int64_t>(field_of(result, "icmp_code")), 13);
}

TEST_F(IcmpCheck, LocalFirewallDropIsReportedAsAdministrative) {
  // A drop on this host's own output path fails the send (EPERM): the vantage's firewall.
  NftRule drop("ip daddr 127.0.0.14 icmp type echo-request drop", "output");
  const Result result = ping("127.0.0.14");
  EXPECT_EQ(result.outcome, Outcome::unreachable_admin);
  EXPECT_NE(result.detail.find("EPERM"), std::string::npos) << result.detail;
  EXPECT_EQ(counter(probe, "send_errors"), 1u);
}

TEST_F(IcmpCheck, HostUnreachableIsTold) {
  NftRule reject("ip daddr 127.0.0.11 icmp type echo-request reject with icmp type host-unreachable", "input");
  EXPECT_EQ(ping("127.0.0.11").outcome, Outcome::unreachable_host);
}

// Sends an echo reply "from" `source` (by binding a raw socket to it) to 127.0.0.1.
void inject_reply(const char* source, std::uint16_t id, std::uint16_t seq, std::vector<std::uint8_t> payload) {
  auto reply = build_echo_request(false, id, seq, payload);
  reply[0] = 0;
  reply[2] = reply[3] = 0;
  const std::uint16_t checksum = internet_checksum(reply);
  reply[2] = static_cast<std::uint8_t>(checksum >> 8);
  reply[3] = static_cast<std::uint8_t>(checksum);
  const int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  ASSERT_GE(fd, 0);
  sockaddr_in bind_to{};
  bind_to.sin_family = AF_INET;
  inet_pton(AF_INET, source, &bind_to.sin_addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&bind_to), sizeof bind_to), 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(reply.size()));
  close(fd);
}

TEST_F(IcmpCheck, ForgedAndLateRepliesAreCountedNeverCredited) {
  // The target's own replies are dropped; only our forgeries arrive.
  NftRule drop("ip daddr 127.0.0.12 icmp type echo-request drop", "input");
  const auto id = static_cast<std::uint16_t>(SeededRandom(7).next());  // the probe's id base: the first draw
  const Target target = make_target(IcmpParams{56}, "127.0.0.12", 400ms);
  std::optional<Result> result;
  ProbeRequest request{&target, &target.checks[0], target.address, false};
  probe.start(request, [&](Result&& r) { result = std::move(r); });
  // Right id/seq and source, wrong cookie; right id/seq and cookie-less payload, wrong source.
  inject_reply("127.0.0.12", id, 0, std::vector<std::uint8_t>(56, 0xee));
  inject_reply("127.0.0.13", id, 0, std::vector<std::uint8_t>(56, 0xee));
  loop.run_until([&] { return result.has_value(); }, clock.now() + 2s);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::timeout);
  EXPECT_EQ(counter(probe, "forged"), 2u);
  // After the timeout the slot is free: a reply now is late.
  inject_reply("127.0.0.12", id, 0, std::vector<std::uint8_t>(56, 0xee));
  loop.run_until([&] { return counter(probe, "late_or_duplicate") == 1; }, clock.now() + 1s);
  EXPECT_EQ(counter(probe, "late_or_duplicate"), 1u);
  // Someone else's ping (an id outside ours) is filtered out by the socket's BPF filter:
  // never credited, never counted as an anomaly of ours.
  inject_reply("127.0.0.12", static_cast<std::uint16_t>(id + 1000), 0, std::vector<std::uint8_t>(56, 0xee));
  inject_reply("127.0.0.12", id, 0, std::vector<std::uint8_t>(56, 0xee));  // a marker that does arrive
  loop.run_until([&] { return counter(probe, "late_or_duplicate") == 2; }, clock.now() + 1s);
  EXPECT_EQ(counter(probe, "late_or_duplicate"), 2u);
  EXPECT_EQ(counter(probe, "foreign"), 0u);
  EXPECT_EQ(counter(probe, "forged"), 2u);
}

TEST_F(IcmpCheck, ThousandsAtOnceAllMatched) {
  // All of 127.0.0.0/8 answers on loopback: 4,000 distinct destinations in one burst.
  std::vector<Target> targets;
  for (int i = 0; i < 4000; ++i)
    targets.push_back(make_target(IcmpParams{16}, "127.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1), 2s));
  int ok = 0, done = 0;
  for (const Target& target : targets) {
    ProbeRequest request{&target, &target.checks[0], target.address, false};
    probe.start(request, [&](Result&& r) {
      ++done;
      if (r.outcome == Outcome::ok && std::get<std::string>(field_of(r, "reply_from")) == target.address->to_string()) ++ok;
    });
  }
  loop.run_until([&] { return done == 4000; }, clock.now() + 5s);
  EXPECT_EQ(done, 4000);
  EXPECT_EQ(ok, 4000);
  EXPECT_EQ(probe.in_flight(), 0u);
  EXPECT_EQ(counter(probe, "forged"), 0u);
}

TEST(IcmpWithoutPrivilege, SaysPlainlyWhatItCannotDo) {
  if (!is_root()) GTEST_SKIP() << "needs root to drop from";
  // In a child, so that the test process keeps its privileges.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!drop_privileges("nobody")) _exit(10);
    IcmpSocket raw_only(false, false);
    if (raw_only.mode() != IcmpSocket::Mode::none) _exit(11);
    if (raw_only.unavailable_reason().find("CAP_NET_RAW") == std::string::npos) _exit(12);
    SystemClock child_clock;
    EventLoop child_loop(child_clock);
    SeededRandom child_random(1);
    IcmpProbe child_probe(child_loop, child_random);
    // Either the kernel's unprivileged ICMP sockets work (and so does the check), or the
    // probe says it is unavailable and why.
    const Availability a = child_probe.availability();
    if (a.available) {
      const Target target = make_target(IcmpParams{56}, "127.0.0.1", 1s);
      const Result r = run_probe(child_loop, child_probe, target, target.checks[0]);
      _exit(r.outcome == Outcome::ok ? 0 : 13);
    }
    _exit(a.reason.find("CAP_NET_RAW") != std::string::npos ? 0 : 14);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace blackout
