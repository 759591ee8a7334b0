// `blackout monitor` and `blackout probe` with host names, as a user runs them, against a
// real nsd on loopback: what they store and print is probed at the address the name
// resolves to, and a DNS outage in the middle of a run is stored as failed resolve results
// while the tcp check of the last known address goes on passing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>
#include <sstream>

#include "store/store.hpp"
#include "support/net.hpp"
#include "support/nsd.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

const std::string zone_text =
    "$ORIGIN kp.test.\n$TTL 300\n@ IN SOA ns1.kp.test. hostmaster.kp.test. 2026112501 3600 600 86400 300\n"
    "@ IN NS ns1.kp.test.\nns1 IN A 127.0.0.1\nwww IN A 127.0.0.2\nwww IN AAAA ::1\n";

// Listens on 127.0.0.2 only: a tcp check that passes went to the resolved address.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.2", &in.sin_addr);
    socklen_t length = sizeof in;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&in), length) != 0 || ::listen(fd_, 4096) != 0)
      throw std::runtime_error("listen on 127.0.0.2");
    getsockname(fd_, reinterpret_cast<sockaddr*>(&in), &length);
    port_ = ntohs(in.sin_port);
  }
  ~Listener() { ::close(fd_); }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

std::vector<Result> stored(const std::string& url) {
  std::vector<Result> out;
  auto store = open_store(url);
  if (!store) return out;
  (void)(*store)->read_results(ResultQuery{}, [&](Result&& r) {
    out.push_back(std::move(r));
    return true;
  });
  return out;
}

class ResolveMonitor : public testing::Test {
 protected:
  TempDir dir;
  Listener listener;
  std::string url = "sqlite:" + (dir.path() / "m.db").string();
  std::filesystem::path log = dir.path() / "monitor.log";
  std::string tcp = "tcp:" + std::to_string(listener.port());

  std::filesystem::path config(const Nsd& nsd) {
    return dir.write("c.yaml",
                     "lab_only: true\nvantage: test\n"
                     "resolver: { servers: [\"" +
                         nsd.endpoint() +
                         "\"], timeout: 200ms, tries: 1, min_ttl: 200ms, max_ttl: 500ms }\n"
                         "defaults: { interval: 200ms, timeout: 150ms, jitter: 0s, confirmations: 0 }\ntargets:\n"
                         "  - { name: www, layer: web, host: www.kp.test, checks: [ {tcp: " +
                         std::to_string(listener.port()) + "} ] }\n");
  }
};

TEST_F(ResolveMonitor, AHostNameConfigIsProbedAndStoredAtTheResolvedAddress) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone_text}});
  ChildProcess monitor(
      {BLACKOUT_BINARY, "monitor", config(nsd).string(), "--store", url, "--quiet", "--duration", "1500ms", "--user", "root"},
      log);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }, std::chrono::milliseconds(20000)));
  ASSERT_EQ(monitor.exit_code(), 0) << read_file(log);
  const auto results = stored(url);
  std::size_t tcp_ok = 0, resolved = 0;
  for (const Result& r : results) {
    if (r.check == tcp) {
      EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
      tcp_ok += r.outcome == Outcome::ok ? 1 : 0;
    }
    if (r.check == "resolve") {
      ++resolved;
      EXPECT_EQ(r.kind, CheckKind::resolve);
      EXPECT_EQ(r.target, "www");
      EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
      // The kind's fields come back typed from the store.
      EXPECT_EQ(std::get<std::string>(field_of(r, "probing")), "127.0.0.2");
      EXPECT_EQ(std::get<std::string>(field_of(r, "ipv6")), "::1");
      EXPECT_EQ(std::get<Duration>(field_of(r, "next_lookup")), std::chrono::milliseconds(500));
    }
  }
  EXPECT_GE(tcp_ok, 3u) << read_file(log);
  EXPECT_GE(resolved, 2u) << "looked up at start and again as the (capped) TTL ran out";
  EXPECT_NE(read_file(log).find("resolve.started"), std::string::npos);
}

TEST_F(ResolveMonitor, ADnsOutageMidRunIsStoredAsResolveFailuresWhileTheServerGoesOnAnswering) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone_text}});
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config(nsd).string(), "--store", url, "--user", "root"}, log);
  const auto printed = [&](const std::string& text) { return read_file(log).find(text) != std::string::npos; };
  ASSERT_TRUE(wait_until([&] { return printed(" www " + tcp + " ok"); })) << read_file(log);
  nsd.stop();
  ASSERT_TRUE(wait_until([&] { return printed("resolve.failing"); })) << read_file(log);
  // Several failed lookups and the tcp checks that ran alongside them.
  ASSERT_TRUE(wait_until([&] {
    std::size_t failures = 0;
    std::istringstream lines(read_file(log));
    for (std::string line; std::getline(lines, line);) failures += line.find(" www resolve refused") != std::string::npos ? 1 : 0;
    return failures >= 3;
  })) << read_file(log);
  monitor.signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));
  ASSERT_EQ(monitor.exit_code(), 0) << read_file(log);

  const auto results = stored(url);
  std::optional<Timestamp> first_failure;
  for (const Result& r : results)
    if (r.check == "resolve" && r.outcome != Outcome::ok && (!first_failure || r.time < *first_failure)) first_failure = r.time;
  ASSERT_TRUE(first_failure);
  std::size_t failed_lookups = 0, tcp_after = 0;
  for (const Result& r : results) {
    if (r.time <= *first_failure) continue;
    if (r.check == "resolve") {
      EXPECT_EQ(r.outcome, Outcome::refused) << r.detail;
      EXPECT_TRUE(std::get<bool>(field_of(r, "stale")));
      EXPECT_EQ(std::get<std::string>(field_of(r, "probing")), "127.0.0.2");
      ++failed_lookups;
    } else if (r.check == tcp) {
      EXPECT_EQ(r.outcome, Outcome::ok) << "the server still answers at its last known address: " << r.detail;
      ++tcp_after;
    }
  }
  EXPECT_GE(failed_lookups, 2u);
  EXPECT_GE(tcp_after, 3u);
}

TEST_F(ResolveMonitor, ProbeResolvesAHostNameThroughTheGivenResolverFirst) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone_text}});
  ChildProcess probe({BLACKOUT_BINARY, "probe", "tcp", "www.kp.test", "-p", std::to_string(listener.port()), "--resolver",
                      nsd.endpoint(), "--lab-only", "--json", "--user", "root"},
                     log);
  ASSERT_TRUE(wait_until([&] { return !probe.running(); }));
  const std::string out = read_file(log);
  EXPECT_EQ(probe.exit_code(), 0) << out;
  EXPECT_NE(out.find("\"kind\":\"resolve\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"probing\":\"127.0.0.2\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"check\":\"" + tcp + "\",\"kind\":\"tcp\",\"outcome\":\"ok\""), std::string::npos) << out;
}

}  // namespace
}  // namespace blackout
