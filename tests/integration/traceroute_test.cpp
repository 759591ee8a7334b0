// traceroute against real kernels: loopback, and a chain vantage -> r1 -> r2 -> destination
// of network namespaces whose routers answer with time-exceeded; then a router that drops
// traffic toward the destination, which the trace must show as where the path dies.
#include <gtest/gtest.h>

#include "model/result_format.hpp"
#include "probes/traceroute/traceroute_probe.hpp"
#include "support/net.hpp"
#include "support/netns.hpp"

namespace blackout {
namespace {

using namespace testing_support;

std::string trace_json(const std::string& address, TracerouteParams::Method method, Duration timeout = 2s) {
  SystemClock clock;
  EventLoop loop(clock);
  SeededRandom random(3);
  TracerouteProbe probe(loop, random);
  TracerouteParams params;
  params.method = method;
  params.max_hops = 8;
  const Target target = make_target(params, address, timeout);
  Result result = run_probe(loop, probe, target, target.checks[0]);
  result.target = "t";
  return result_to_json(result);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class Traceroute : public testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root (raw sockets, namespaces)";
  }
};

TEST_F(Traceroute, LoopbackIsOneHop) {
  const std::string json = trace_json("127.0.0.1", TracerouteParams::Method::udp);
  EXPECT_TRUE(contains(json, "\"outcome\":\"ok\"")) << json;
  EXPECT_TRUE(contains(json, "\"hop_count\":1")) << json;
}

class TracerouteChain : public Traceroute {
 protected:
  void SetUp() override {
    Traceroute::SetUp();
    if (IsSkipped()) return;
    lab = std::make_unique<NetnsLab>();
    for (const char* name : {"vantage", "r1", "r2", "dst"}) lab->add(name);
    lab->link("vantage", "198.18.10.1/30", "r1", "198.18.10.2/30");
    lab->link("r1", "198.18.11.1/30", "r2", "198.18.11.2/30");
    lab->link("r2", "198.18.12.1/30", "dst", "198.18.12.2/30");
    lab->enable_forwarding("r1");
    lab->enable_forwarding("r2");
    lab->ip("vantage", "route add default via 198.18.10.2");
    lab->ip("r1", "route add 198.18.12.0/30 via 198.18.11.2");
    lab->ip("r2", "route add default via 198.18.11.1");
    lab->ip("dst", "route add default via 198.18.12.1");
  }
  std::unique_ptr<NetnsLab> lab;
};

TEST_F(TracerouteChain, UdpSeesEveryRouterAndTheDestination) {
  const std::string json = lab->run_in("vantage", [] { return trace_json("198.18.12.2", TracerouteParams::Method::udp); });
  EXPECT_TRUE(contains(json, "\"outcome\":\"ok\"")) << json;
  EXPECT_TRUE(contains(json, "\"hop_count\":3")) << json;
  EXPECT_TRUE(contains(json, "1 198.18.10.2 ")) << json;
  EXPECT_TRUE(contains(json, "2 198.18.11.2 ")) << json;
  EXPECT_TRUE(contains(json, "3 198.18.12.2 ")) << json;
}

TEST_F(TracerouteChain, IcmpMethodToo) {
  const std::string json = lab->run_in("vantage", [] { return trace_json("198.18.12.2", TracerouteParams::Method::icmp); });
  EXPECT_TRUE(contains(json, "\"outcome\":\"ok\"")) << json;
  EXPECT_TRUE(contains(json, "\"hop_count\":3")) << json;
}

TEST_F(TracerouteChain, ShowsWhereThePathDies) {
  // r2 stops forwarding toward the destination (a border router that went dark inward).
  lab->exec("r2", "nft add table inet cut");
  lab->exec("r2", "nft add chain inet cut f '{ type filter hook forward priority 0 ; }'");
  lab->exec("r2", "nft add rule inet cut f ip daddr 198.18.12.2 drop");
  const std::string json = lab->run_in("vantage", [] { return trace_json("198.18.12.2", TracerouteParams::Method::udp, 500ms); });
  EXPECT_TRUE(contains(json, "\"outcome\":\"not-reached\"")) << json;
  EXPECT_TRUE(contains(json, "\"last_responsive_hop\":2")) << json;
  EXPECT_TRUE(contains(json, "\"last_responsive_address\":\"198.18.11.2\"")) << json;
  EXPECT_TRUE(contains(json, "3 *")) << json;
}

TEST_F(TracerouteChain, AnUnreachableRouterEndsTheTraceEarly) {
  lab->exec("r1", "nft add table inet cut");
  lab->exec("r1", "nft add chain inet cut f '{ type filter hook forward priority 0 ; }'");
  lab->exec("r1", "nft add rule inet cut f ip daddr 198.18.12.2 reject with icmp type net-unreachable");
  const auto started = std::chrono::steady_clock::now();
  const std::string json = lab->run_in("vantage", [] { return trace_json("198.18.12.2", TracerouteParams::Method::udp, 2s); });
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "an unreachable ends the trace without waiting out the timeout";
  EXPECT_TRUE(contains(json, "\"outcome\":\"not-reached\"")) << json;
  EXPECT_TRUE(contains(json, "\"stopped_by\":\"unreachable\"")) << json;
  EXPECT_TRUE(contains(json, "2 198.18.10.2 ")) << json;
}

}  // namespace
}  // namespace blackout
