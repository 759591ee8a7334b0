// tcp check against real sockets on loopback: ok, refused, timeout (nftables drop), an
// administrative reject, IPv6, and a server that stops.
#include <gtest/gtest.h>

#include "probes/tcp/tcp_probe.hpp"
#include "support/net.hpp"

namespace blackout {
namespace {

using namespace testing_support;

class TcpCheck : public testing::Test {
 protected:
  SystemClock clock;
  EventLoop loop{clock};
  TcpProbe probe{loop};
  Result probe_port(std::uint16_t port, std::string address = "127.0.0.1", Duration timeout = 2s) {
    const Target target = make_target(TcpParams{port}, std::move(address), timeout);
    return run_probe(loop, probe, target, target.checks[0]);
  }
};

TEST_F(TcpCheck, ListeningPortIsOkWithRttAndToken) {
  TcpListener listener;
  const Result result = probe_port(listener.port());
  EXPECT_EQ(result.outcome, Outcome::ok) << result.detail;
  ASSERT_TRUE(result.rtt);
  EXPECT_GT(result.rtt->count(), 0);
  EXPECT_LT(*result.rtt, 1s);
  ASSERT_TRUE(result.field("local_port"));
  EXPECT_GT(std::get<std::int64_t>(field_of(result, "local_port")), 0);
  EXPECT_EQ(std::get<std::int64_t>(field_of(result, "port")), listener.port());
}

TEST_F(TcpCheck, ClosedPortIsRefused) {
  const Result result = probe_port(unused_tcp_port());
  EXPECT_EQ(result.outcome, Outcome::refused);
  EXPECT_NE(result.detail.find("ECONNREFUSED"), std::string::npos);
}

TEST_F(TcpCheck, StoppedServerIsRefused) {
  auto listener = std::make_unique<TcpListener>();
  const std::uint16_t port = listener->port();
  EXPECT_EQ(probe_port(port).outcome, Outcome::ok);
  listener.reset();
  EXPECT_EQ(probe_port(port).outcome, Outcome::refused);
}

TEST_F(TcpCheck, Ipv6Loopback) {
  TcpListener listener(true);
  EXPECT_EQ(probe_port(listener.port(), "::1").outcome, Outcome::ok);
}

TEST_F(TcpCheck, DroppedPacketsTimeOutWithinTheTimeout) {
  if (!is_root()) GTEST_SKIP() << "needs root for nftables";
  TcpListener listener;
  NftRule drop("tcp dport " + std::to_string(listener.port()) + " drop");
  const MonoTime start = clock.now();
  const Result result = probe_port(listener.port(), "127.0.0.1", 300ms);
  const Duration took = clock.now() - start;
  EXPECT_EQ(result.outcome, Outcome::timeout);
  EXPECT_FALSE(result.rtt);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 800ms);
}

TEST_F(TcpCheck, AdministrativeRejectIsUnreachable) {
  if (!is_root()) GTEST_SKIP() << "needs root for nftables";
  TcpListener listener;
  NftRule reject("tcp dport " + std::to_string(listener.port()) + " reject with icmp type host-unreachable");
  const Result result = probe_port(listener.port());
  EXPECT_EQ(result.outcome, Outcome::unreachable_host) << result.detail;
}

TEST_F(TcpCheck, ManyAtOnceAllComplete) {
  TcpListener listener(false, 512);
  const Target target = make_target(TcpParams{listener.port()});
  int done = 0, ok = 0;
  for (int i = 0; i < 200; ++i) {
    ProbeRequest request{&target, &target.checks[0], target.address, false};
    probe.start(request, [&](Result&& r) {
      ++done;
      ok += r.outcome == Outcome::ok;
    });
  }
  loop.run_until([&] { return done == 200; }, clock.now() + 10s);
  EXPECT_EQ(done, 200);
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(loop.watched(), 0u) << "every socket is released";
}

}  // namespace
}  // namespace blackout
