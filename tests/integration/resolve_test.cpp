// Host names through the resolver (resolve/): c-ares on the event loop against a real nsd
// started here on loopback (never the host's resolver), and a hostile DNS server written
// here. A and AAAA, TTL expiry (in virtual time and in real time), a DNS outage through
// which the tcp and icmp checks go on to the last known address, NXDOMAIN, garbage, and
// lab_only over resolved addresses and over HTTP redirects. Public addresses appear in the
// zones and redirects only to be refused: as root, an nftables rule drops any packet to them
// as well, so that even a bug here sends nothing out.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "config/loader.hpp"
#include "engine/scheduler.hpp"
#include "probes/http/http_probe.hpp"
#include "probes/registry.hpp"
#include "resolve/names.hpp"
#include "support/net.hpp"
#include "support/nsd.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

std::string zone(const std::string& records) {
  return "$ORIGIN kp.test.\n$TTL 300\n@ IN SOA ns1.kp.test. hostmaster.kp.test. 2026112501 3600 600 86400 300\n"
         "@ IN NS ns1.kp.test.\nns1 IN A 127.0.0.1\n" +
         records;
}

const std::string base_records =
    "www IN A 127.0.0.2\nwww IN AAAA ::1\n"
    "v6only IN AAAA ::1\n"
    "alias 60 IN CNAME www\n"
    "nodata IN TXT \"no address here\"\n"
    "short 30 IN A 127.0.0.3\n"
    "zero 0 IN A 127.0.0.5\n"
    "long 86400 IN A 127.0.0.6\n"
    "public IN A 8.8.8.8\npublic IN AAAA 2001:4860:4860::8888\n"
    "mixed IN A 8.8.8.8\nmixed IN A 127.0.0.4\n";

std::string text_field(const Result& r, std::string_view name) { return std::get<std::string>(field_of(r, name)); }
Duration duration_field(const Result& r, std::string_view name) { return std::get<Duration>(field_of(r, name)); }

std::uint64_t counter(const std::vector<Counter>& counters, std::string_view name) {
  for (const Counter& c : counters)
    if (c.name == name) return c.value;
  ADD_FAILURE() << "no counter " << name;
  return 0;
}

// A TCP listener on one loopback address (127.0.0.2, ::1, ...): a connection that succeeds
// proves the check went to that very address.
class ListenerAt {
 public:
  explicit ListenerAt(const std::string& address) {
    const auto ip = *IpAddress::parse(address);
    fd_ = ::socket(ip.is_v4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (ip.is_v4()) {
      auto* in = reinterpret_cast<sockaddr_in*>(&storage);
      in->sin_family = AF_INET;
      std::memcpy(&in->sin_addr, ip.bytes.data(), 4);
      length = sizeof(sockaddr_in);
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      std::memcpy(&in6->sin6_addr, ip.bytes.data(), 16);
      length = sizeof(sockaddr_in6);
    }
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd_, 1024) != 0)
      throw std::runtime_error("cannot listen on " + address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length);
    port_ = ntohs(ip.is_v4() ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                             : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  }
  ~ListenerAt() { ::close(fd_); }
  ListenerAt(const ListenerAt&) = delete;
  ListenerAt& operator=(const ListenerAt&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// Drops, as root, every packet to the public addresses the tests name: a safety net under
// the code's own refusal, never what the assertions rely on.
struct PublicAddressesDropped {
  std::unique_ptr<NftRule> v4, v6;
  PublicAddressesDropped() {
    if (!is_root()) return;
    v4 = std::make_unique<NftRule>("ip daddr 8.8.8.8 drop");
    v6 = std::make_unique<NftRule>("ip6 daddr 2001:4860:4860::8888 drop");
  }
};

// The resolver, the scheduler and the probes on one real loop, as the monitor wires them.
class Resolving : public testing::Test {
 protected:
  SystemClock clock;
  EventLoop loop{clock};
  SeededRandom random{7};
  Config config;
  std::vector<Result> results;
  std::unique_ptr<NameTable> names;
  std::unique_ptr<ProbeSet> probes;
  std::unique_ptr<Scheduler> scheduler;

  void start(const std::string& yaml, bool with_scheduler = true) {
    auto loaded = load_config_text(yaml, "test.yaml");
    if (!loaded) throw std::runtime_error(loaded.error()[0].to_string());
    config = std::move(*loaded);
    names = std::make_unique<NameTable>(loop, config.resolver, [this](Result&& r) { results.push_back(std::move(r)); });
    names->set_targets(config.targets, "test", config.lab_only);
    ASSERT_TRUE(run_until([&] { return names->settled(); }));
    if (!with_scheduler) return;
    probes = std::make_unique<ProbeSet>(loop, random, ProbeSet::kinds_of(config.targets));
    scheduler = std::make_unique<Scheduler>(loop, random, config.targets, probes->table(), "test",
                                            [this](Result&& r) { results.push_back(std::move(r)); });
    scheduler->set_address_book(names.get());
    scheduler->start();
  }
  bool run_until(const std::function<bool()>& done, Duration limit = 10s) { return loop.run_until(done, clock.now() + limit); }
  [[nodiscard]] std::vector<Result> of(const std::string& target, const std::string& check,
                                       std::optional<Timestamp> after = {}) const {
    std::vector<Result> out;
    for (const Result& r : results)
      if (r.target == target && r.check == check && (!after || r.time > *after)) out.push_back(r);
    return out;
  }
  std::size_t count(const std::string& target, const std::string& check, std::optional<Timestamp> after = {}) const {
    return of(target, check, after).size();
  }
  static std::string resolver(const Nsd& nsd,
                              const std::string& extra = "timeout: 200ms, tries: 1, min_ttl: 200ms, max_ttl: 400ms") {
    return "resolver: { servers: [\"" + nsd.endpoint() + "\"], " + extra + " }\n";
  }
};

TEST_F(Resolving, ANameResolvesToItsAAndAaaaRecordsAndItsChecksGoThere) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone(base_records)}});
  ListenerAt v4("127.0.0.2"), v6("::1");
  start("lab_only: true\n" + resolver(nsd) +
        "defaults: { interval: 200ms, timeout: 150ms, jitter: 0s }\ntargets:\n"
        "  - { name: www, layer: web, host: www.kp.test, checks: [ {tcp: " +
        std::to_string(v4.port()) +
        "} ] }\n"
        "  - { name: v6, layer: web, host: v6only.kp.test, checks: [ {tcp: " +
        std::to_string(v6.port()) +
        "} ] }\n"
        "  - { name: alias, layer: web, host: alias.kp.test, checks: [ {tcp: " +
        std::to_string(v4.port()) + "} ] }\n");
  ASSERT_TRUE(run_until([&] {
    return count("www", "tcp:" + std::to_string(v4.port())) >= 2 && count("v6", "tcp:" + std::to_string(v6.port())) >= 2;
  }));

  const Result www = of("www", "resolve").at(0);
  EXPECT_EQ(www.kind, CheckKind::resolve);
  EXPECT_EQ(www.outcome, Outcome::ok) << www.detail;
  EXPECT_EQ(text_field(www, "host"), "www.kp.test");
  EXPECT_EQ(text_field(www, "ipv4"), "127.0.0.2");
  EXPECT_EQ(text_field(www, "ipv6"), "::1");
  EXPECT_EQ(text_field(www, "a_status"), "ok");
  EXPECT_EQ(text_field(www, "aaaa_status"), "ok");
  EXPECT_EQ(std::get<std::int64_t>(field_of(www, "ttl")), 300);
  EXPECT_EQ(duration_field(www, "next_lookup"), 400ms) << "a TTL of 300 s is capped at max_ttl";
  EXPECT_EQ(text_field(www, "probing"), "127.0.0.2") << "IPv4 first";
  EXPECT_FALSE(std::get<bool>(field_of(www, "stale")));
  ASSERT_TRUE(www.rtt);
  EXPECT_LT(*www.rtt, 100ms);

  const Result v6only = of("v6", "resolve").at(0);
  EXPECT_EQ(v6only.outcome, Outcome::ok) << v6only.detail;
  EXPECT_EQ(text_field(v6only, "a_status"), "nodata");
  EXPECT_EQ(text_field(v6only, "probing"), "::1") << "no IPv4 address: IPv6";

  const Result alias = of("alias", "resolve").at(0);
  EXPECT_EQ(text_field(alias, "probing"), "127.0.0.2") << "a CNAME is followed";
  EXPECT_EQ(std::get<std::int64_t>(field_of(alias, "ttl")), 60) << "the chain's smallest TTL";

  // The tcp checks reached the resolved addresses: only there does anything listen.
  for (const auto& [target, port] : {std::pair{"www", v4.port()}, std::pair{"v6", v6.port()}, std::pair{"alias", v4.port()}})
    for (const Result& r : of(target, "tcp:" + std::to_string(port)))
      EXPECT_EQ(r.outcome, Outcome::ok) << target << ": " << r.detail;
  EXPECT_EQ(scheduler->counters().unaddressed, 0u);
}

// Virtual time: with a manual clock the loop never waits, so the lookups are pumped (in real
// time, for nsd to answer) while the clock only moves when the test says.
class ResolvingInVirtualTime : public testing::Test {
 protected:
  ManualClock clock;
  EventLoop loop{clock};
  std::vector<Result> results;

  bool pump_until(const std::function<bool()>& done) {
    const auto limit = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > limit) return false;
      loop.run_once(0ms);
    }
    return true;
  }
  std::vector<Result> of(const std::string& target) const {
    std::vector<Result> out;
    for (const Result& r : results)
      if (r.target == target) out.push_back(r);
    return out;
  }
};

TEST_F(ResolvingInVirtualTime, TheTtlDecidesWhenANameIsLookedUpAgainWithinTheFloorAndTheCeiling) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone(base_records)}});
  auto config = load_config_text("lab_only: true\nresolver: { servers: [\"" + nsd.endpoint() +
                                     "\"], timeout: 300ms, tries: 1, min_ttl: 5s, max_ttl: 60s }\ntargets:\n"
                                     "  - { name: short, layer: web, host: short.kp.test, checks: [ {tcp: 80} ] }\n"
                                     "  - { name: zero, layer: web, host: zero.kp.test, checks: [ {tcp: 80} ] }\n"
                                     "  - { name: long, layer: web, host: long.kp.test, checks: [ {tcp: 80} ] }\n",
                                 "test.yaml");
  ASSERT_TRUE(config);
  NameTable names(loop, config->resolver, [this](Result&& r) { results.push_back(std::move(r)); });
  names.set_targets(config->targets, "test", true);
  ASSERT_TRUE(pump_until([&] { return results.size() == 3; }));
  EXPECT_EQ(duration_field(of("short").at(0), "next_lookup"), 30s) << "the TTL itself";
  EXPECT_EQ(duration_field(of("zero").at(0), "next_lookup"), 5s) << "TTL 0: the floor";
  EXPECT_EQ(duration_field(of("long").at(0), "next_lookup"), 60s) << "a day: the ceiling";
  EXPECT_EQ(counter(names.counters(), "lookups"), 3u);

  // Nothing is looked up before its time: timers due run at once in run_once, so a lookup
  // that were due now would already be counted.
  clock.advance(4s);
  loop.run_once(0ms);
  EXPECT_EQ(counter(names.counters(), "lookups"), 3u);
  clock.advance(1s);  // 5 s: zero's floor
  loop.run_once(0ms);
  EXPECT_EQ(counter(names.counters(), "lookups"), 4u);
  ASSERT_TRUE(pump_until([&] { return of("zero").size() == 2; }));
  clock.advance(24s);  // 29 s
  loop.run_once(0ms);
  EXPECT_EQ(of("short").size(), 1u);
  // The answer changes while the name is cached: seen when the TTL runs out, not before.
  std::string moved = base_records;
  const std::string before_move = "short 30 IN A 127.0.0.3";
  moved.replace(moved.find(before_move), before_move.size(), "short 30 IN A 127.0.0.7");
  nsd.set_zone("kp.test", zone(moved));
  clock.advance(1s);  // 30 s
  loop.run_once(0ms);
  ASSERT_TRUE(pump_until([&] { return of("short").size() == 2; }));
  const Result changed = of("short").at(1);
  EXPECT_EQ(changed.outcome, Outcome::ok) << changed.detail;
  EXPECT_EQ(text_field(changed, "probing"), "127.0.0.7");
  EXPECT_EQ(counter(names.counters(), "address_changes"), 1u);
  Target short_target = config->targets[0];
  EXPECT_EQ(names.address_of(short_target).address, IpAddress::parse("127.0.0.7"));

  // The name's server stops serving its zone (a lame delegation): failed lookups are retried
  // at the floor, doubling, and the checks go on to the last known address. (A stopped
  // server would need c-ares's own timeout for the A query, whose ICMP error the AAAA
  // query's send takes; c-ares keeps real time, which a manual clock does not drive. The
  // real-time tests below stop nsd.)
  nsd.set_zones({{"other.test",
                  "$ORIGIN other.test.\n$TTL 300\n@ IN SOA ns1.other.test. h.other.test. 1 3600 600 86400 300\n"
                  "@ IN NS ns1.other.test.\nns1 IN A 127.0.0.1\n"}});
  clock.advance(30s);  // 60 s
  loop.run_once(0ms);
  ASSERT_TRUE(pump_until([&] { return of("short").size() == 3; }));
  const Result failed = of("short").at(2);
  EXPECT_EQ(failed.outcome, Outcome::refused_by_server) << failed.detail;
  EXPECT_EQ(duration_field(failed, "next_lookup"), 5s);
  EXPECT_TRUE(std::get<bool>(field_of(failed, "stale")));
  EXPECT_EQ(text_field(failed, "probing"), "127.0.0.7");
  EXPECT_EQ(names.address_of(short_target).address, IpAddress::parse("127.0.0.7"));
  clock.advance(5s);
  loop.run_once(0ms);
  ASSERT_TRUE(pump_until([&] { return of("short").size() == 4; }));
  EXPECT_EQ(duration_field(of("short").at(3), "next_lookup"), 10s);
  EXPECT_EQ(duration_field(of("short").at(3), "failing_for"), 5s);
  clock.advance(10s);
  loop.run_once(0ms);
  ASSERT_TRUE(pump_until([&] { return of("short").size() == 5; }));
  EXPECT_EQ(duration_field(of("short").at(4), "next_lookup"), 20s);
  EXPECT_EQ(duration_field(of("short").at(4), "failing_for"), 15s);
}

TEST_F(Resolving, AShortTtlIsFollowedInRealTime) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone("fast 1 IN A 127.0.0.2\n")}});
  start("lab_only: true\n" + resolver(nsd, "timeout: 200ms, tries: 1, min_ttl: 100ms, max_ttl: 1m") +
            "targets: [ { name: fast, layer: web, host: fast.kp.test, checks: [ {tcp: 80} ] } ]\n",
        false);
  ASSERT_TRUE(run_until([&] { return count("fast", "resolve") >= 3; }));
  for (const Result& r : of("fast", "resolve")) {
    EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
    EXPECT_EQ(duration_field(r, "next_lookup"), 1s);
  }
  nsd.set_zone("kp.test", zone("fast 1 IN A 127.0.0.3\n"));
  ASSERT_TRUE(run_until([&] { return text_field(results.back(), "probing") == "127.0.0.3"; })) << results.back().detail;
}

TEST_F(Resolving, ADnsOutageFailsTheResolveResultsWhileTcpAndIcmpGoOnToTheLastKnownAddress) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone(base_records)}});
  ListenerAt listener("127.0.0.2");
  const std::string tcp = "tcp:" + std::to_string(listener.port());
  start("lab_only: true\n" + resolver(nsd) +
        "defaults: { interval: 200ms, timeout: 150ms, jitter: 0s, confirmations: 0 }\ntargets:\n"
        "  - { name: www, layer: web, host: www.kp.test, checks: [ {tcp: " +
        std::to_string(listener.port()) + "}, icmp ] }\n");
  const bool icmp = probes->get(CheckKind::icmp) && probes->get(CheckKind::icmp)->availability().available;
  ASSERT_TRUE(run_until([&] { return count("www", tcp) >= 2 && count("www", "resolve") >= 2; }));

  nsd.stop();
  const Timestamp dark = clock.wall_now();
  ASSERT_TRUE(run_until([&] {
    return count("www", "resolve", dark) >= 3 && count("www", tcp, dark) >= 5 && (!icmp || count("www", "icmp", dark) >= 5);
  }));
  for (const Result& r : of("www", "resolve", dark)) {
    EXPECT_EQ(r.outcome, Outcome::refused) << r.detail;
    EXPECT_TRUE(std::get<bool>(field_of(r, "stale")));
    EXPECT_EQ(text_field(r, "probing"), "127.0.0.2");
    EXPECT_NE(r.detail.find("last known address 127.0.0.2"), std::string::npos) << r.detail;
  }
  // The servers still answer, at the address the name last had.
  for (const Result& r : of("www", tcp, dark)) EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  if (icmp) {
    for (const Result& r : of("www", "icmp", dark)) EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  }
  EXPECT_GE(counter(names->counters(), "stale_lookups"), 3u);
  EXPECT_EQ(scheduler->counters().unaddressed, 0u);

  // The DNS comes back.
  nsd.start();
  const Timestamp back = clock.wall_now();
  ASSERT_TRUE(run_until([&] {
    const auto after = of("www", "resolve", back);
    return !after.empty() && after.back().outcome == Outcome::ok;
  }));
  EXPECT_FALSE(std::get<bool>(field_of(of("www", "resolve", back).back(), "stale")));
}

TEST_F(Resolving, ANameThatDoesNotExistIsNxdomainAndItsChecksAreNotSent) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone(base_records)}});
  start("lab_only: true\n" + resolver(nsd) +
        "defaults: { interval: 200ms, timeout: 150ms, jitter: 0s, confirmations: 0 }\ntargets:\n"
        "  - { name: nope, layer: web, host: nope.kp.test, checks: [ {tcp: 9} ] }\n"
        "  - { name: nodata, layer: web, host: nodata.kp.test, checks: [ {tcp: 9} ] }\n");
  ASSERT_TRUE(run_until([&] { return count("nope", "tcp:9") >= 2 && count("nodata", "tcp:9") >= 2; }));
  const Result nope = of("nope", "resolve").at(0);
  EXPECT_EQ(nope.outcome, Outcome::nxdomain) << nope.detail;
  EXPECT_EQ(text_field(nope, "a_status"), "nxdomain");
  EXPECT_EQ(text_field(nope, "probing"), "");
  const Result nodata = of("nodata", "resolve").at(0);
  EXPECT_EQ(nodata.outcome, Outcome::resolve_error) << nodata.detail;
  EXPECT_EQ(text_field(nodata, "a_status"), "nodata");
  for (const char* target : {"nope", "nodata"})
    for (const Result& r : of(target, "tcp:9")) {
      EXPECT_EQ(r.outcome, Outcome::resolve_error);
      EXPECT_NE(r.detail.find(std::string(target) + ".kp.test does not resolve"), std::string::npos) << r.detail;
    }
  EXPECT_EQ(counter(probes->get(CheckKind::tcp)->counters(), "sent"), 0u) << "nothing was sent for a name that never resolved";
  EXPECT_GE(scheduler->counters().unaddressed, 4u);
  EXPECT_GE(counter(names->counters(), "nxdomain"), 1u);
}

// A UDP DNS server that answers as the test says: well (www.kp.test A 127.0.0.2, no AAAA),
// with junk alone, or with junk and then an answer whose records are cut short.
class HostileResolver {
 public:
  enum class Mode { good, junk, malformed, servfail, refuse };
  HostileResolver() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&in), sizeof in);
    socklen_t length = sizeof in;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&in), &length);
    port_ = ntohs(in.sin_port);
    timeval tv{0, 50000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] { serve(); });
  }
  ~HostileResolver() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  void set_mode(Mode mode) { mode_ = mode; }
  [[nodiscard]] std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int queries() const { return queries_; }

 private:
  void serve() {
    while (!stop_) {
      std::uint8_t buffer[4096];
      sockaddr_in from{};
      socklen_t from_length = sizeof from;
      const ssize_t n = recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_length);
      if (n < 17) continue;
      ++queries_;
      const std::vector<std::uint8_t> query(buffer, buffer + n);
      // The question: the name's labels, then type and class.
      std::size_t end = 12;
      while (end < query.size() && query[end] != 0) end += 1 + query[end];
      end += 5;
      if (end > query.size()) continue;
      const std::uint16_t type = static_cast<std::uint16_t>((query[end - 4] << 8) | query[end - 3]);
      std::vector<std::uint8_t> reply(query.begin(), query.begin() + static_cast<std::ptrdiff_t>(end));
      reply[2] = 0x81;  // QR, RD
      reply[3] = 0x80;  // RA, NOERROR
      reply[9] = reply[10] = reply[11] = 0;
      reply[8] = 0;
      const auto send = [&](const std::vector<std::uint8_t>& bytes) {
        sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&from), from_length);
      };
      switch (mode_.load()) {
        case Mode::good:
          if (type == 1) {
            reply[7] = 1;
            const std::uint8_t record[] = {0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 127, 0, 0, 2};
            reply.insert(reply.end(), std::begin(record), std::end(record));
          } else {
            reply[7] = 0;
          }
          send(reply);
          break;
        case Mode::junk:
          send({0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02});
          send(std::vector<std::uint8_t>(300, 0xff));
          break;
        case Mode::servfail:
        case Mode::refuse:
          reply[3] = static_cast<std::uint8_t>(0x80 | (mode_ == Mode::servfail ? 2 : 5));
          send(reply);
          break;
        case Mode::malformed:
          send({0xde, 0xad, 0xbe, 0xef});
          reply[7] = 1;
          const std::uint8_t cut[] = {0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};  // a record cut mid-TTL
          reply.insert(reply.end(), std::begin(cut), std::end(cut));
          send(reply);
          break;
      }
    }
  }
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<Mode> mode_{Mode::good};
  std::atomic<int> queries_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(Resolving, GarbageAnswersFailTheLookupAndTheNameKeepsItsLastAddress) {
  HostileResolver server;
  ListenerAt listener("127.0.0.2");
  const std::string tcp = "tcp:" + std::to_string(listener.port());
  start("lab_only: true\nresolver: { servers: [\"" + server.endpoint() +
        "\"], timeout: 200ms, tries: 1, min_ttl: 200ms, max_ttl: 300ms }\n"
        "defaults: { interval: 200ms, timeout: 150ms, jitter: 0s, confirmations: 0 }\ntargets:\n"
        "  - { name: www, layer: web, host: www.kp.test, checks: [ {tcp: " +
        std::to_string(listener.port()) + "} ] }\n");
  ASSERT_EQ(of("www", "resolve").at(0).outcome, Outcome::ok) << of("www", "resolve").at(0).detail;
  ASSERT_EQ(text_field(of("www", "resolve").at(0), "probing"), "127.0.0.2");

  server.set_mode(HostileResolver::Mode::malformed);
  Timestamp since = clock.wall_now();
  ASSERT_TRUE(run_until([&] { return count("www", "resolve", since) >= 2; }));
  for (const Result& r : of("www", "resolve", since)) {
    EXPECT_EQ(r.outcome, Outcome::bad_reply) << r.detail;
    EXPECT_EQ(text_field(r, "a_status"), "bad-reply");
    EXPECT_EQ(text_field(r, "probing"), "127.0.0.2");
  }
  EXPECT_GE(counter(names->counters(), "bad_replies"), 2u);

  // Junk alone is not an answer at all: c-ares drops it and the lookup times out.
  server.set_mode(HostileResolver::Mode::junk);
  since = clock.wall_now();
  ASSERT_TRUE(run_until([&] { return count("www", "resolve", since) >= 2 && count("www", tcp, since) >= 3; }));
  for (const Result& r : of("www", "resolve", since)) {
    EXPECT_EQ(r.outcome, Outcome::timeout) << r.detail;
    EXPECT_TRUE(std::get<bool>(field_of(r, "stale")));
  }
  for (const Result& r : of("www", tcp, since)) EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_GE(counter(names->counters(), "timeouts"), 2u);

  server.set_mode(HostileResolver::Mode::good);
  since = clock.wall_now();
  ASSERT_TRUE(run_until([&] {
    const auto after = of("www", "resolve", since);
    return !after.empty() && after.back().outcome == Outcome::ok;
  }));
}

TEST_F(Resolving, AReloadKeepsTheNamesStillUsedLooksUpNewOnesAndDropsTheRest) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone(base_records)}});
  start("lab_only: true\n" + resolver(nsd, "timeout: 200ms, tries: 1, min_ttl: 1m, max_ttl: 1m") +
            "targets: [ { name: www, layer: web, host: www.kp.test, checks: [ {tcp: 9} ] } ]\n",
        false);
  ASSERT_EQ(counter(names->counters(), "lookups"), 1u);
  auto reloaded = load_config_text(
      "lab_only: true\ntargets:\n"
      "  - { name: www2, layer: web, host: www.kp.test, checks: [ {tcp: 9} ] }\n"
      "  - { name: v6, layer: web, host: v6only.kp.test, checks: [ {tcp: 9} ] }\n",
      "reloaded.yaml");
  ASSERT_TRUE(reloaded);
  names->set_targets(reloaded->targets, "test", true);
  EXPECT_EQ(counter(names->counters(), "lookups"), 2u) << "only the new name is looked up at once";
  EXPECT_EQ(names->address_of(reloaded->targets[0]).address, IpAddress::parse("127.0.0.2")) << "the known name keeps its address";
  EXPECT_FALSE(names->settled());
  ASSERT_TRUE(run_until([&] { return names->settled(); }));
  EXPECT_EQ(names->address_of(reloaded->targets[1]).address, IpAddress::parse("::1"));
  names->set_targets({reloaded->targets[1]}, "test", true);
  EXPECT_EQ(names->size(), 1u);
  const AddressChoice gone = names->address_of(reloaded->targets[0]);
  EXPECT_FALSE(gone.address);
  EXPECT_NE(gone.why.find("not among the names"), std::string::npos) << gone.why;
}

TEST_F(Resolving, AThousandNamesAreLookedUpSixtyFourAtATimeAndNoQueryIsLost) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  std::string records, targets;
  for (int i = 0; i < 1000; ++i) {
    records += "n" + std::to_string(i) + " IN A 127.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + "\n";
    targets +=
        "  - { name: n" + std::to_string(i) + ", layer: web, host: n" + std::to_string(i) + ".kp.test, checks: [ {tcp: 9} ] }\n";
  }
  Nsd nsd({{"kp.test", zone(records)}});
  const MonoTime begin = clock.now();
  start("lab_only: true\n" + resolver(nsd, "timeout: 1s, tries: 2, min_ttl: 1m, max_ttl: 1m") + "targets:\n" + targets, false);
  const Duration took = clock.now() - begin;
  ASSERT_EQ(results.size(), 1000u);
  Duration slowest{};
  for (const Result& r : results) {
    ASSERT_EQ(r.outcome, Outcome::ok) << r.target << ": " << r.detail;
    slowest = std::max(slowest, *r.rtt);
  }
  EXPECT_EQ(counter(names->counters(), "most_in_flight"), NameTable::max_in_flight) << "in turns, never more at once";
  EXPECT_LT(slowest, 1s) << "a lookup needed c-ares's retry: a query was lost";
  EXPECT_LT(took, 5s);
  EXPECT_EQ(counter(names->counters(), "lookups"), 1000u);
}

TEST_F(Resolving, ServfailAndRefusedAnswersAreToldApartFromAServerThatIsNotThere) {
  HostileResolver server;
  start("lab_only: true\nresolver: { servers: [\"" + server.endpoint() +
            "\"], timeout: 200ms, tries: 2, min_ttl: 200ms, max_ttl: 300ms }\n"
            "targets: [ { name: www, layer: web, host: www.kp.test, checks: [ {tcp: 9} ] } ]\n",
        false);
  ASSERT_EQ(of("www", "resolve").at(0).outcome, Outcome::ok);
  for (const auto& [mode, outcome] : {std::pair{HostileResolver::Mode::servfail, Outcome::servfail},
                                      std::pair{HostileResolver::Mode::refuse, Outcome::refused_by_server}}) {
    server.set_mode(mode);
    const Timestamp since = clock.wall_now();
    ASSERT_TRUE(run_until([&] { return count("www", "resolve", since) >= 2; }));
    for (const Result& r : of("www", "resolve", since)) {
      EXPECT_EQ(r.outcome, outcome) << r.detail;
      ASSERT_TRUE(r.rtt == std::nullopt) << "a failed lookup has no round-trip time";
      EXPECT_LT(std::get<Duration>(field_of(r, "failing_for")), 5s);
    }
  }
}

TEST_F(Resolving, UnderLabOnlyAResolvedPublicAddressIsRefusedAndNeverProbed) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  PublicAddressesDropped net;
  Nsd nsd({{"kp.test", zone(base_records)}});
  ListenerAt mixed_listener("127.0.0.4");
  const std::string port = std::to_string(mixed_listener.port());
  start(
      "lab_only: true\n" + resolver(nsd) +
      "defaults: { interval: 200ms, timeout: 150ms, jitter: 0s, confirmations: 0 }\ntargets:\n"
      "  - { name: public, layer: web, host: public.kp.test, checks: [ {tcp: 80}, {http: {url: \"http://public.kp.test/\"}} ] }\n"
      "  - { name: mixed, layer: web, host: mixed.kp.test, checks: [ {tcp: " +
      port + "} ] }\n");
  ASSERT_TRUE(run_until([&] {
    return count("public", "tcp:80") >= 2 && count("public", "http:http://public.kp.test/") >= 2 &&
           count("mixed", "tcp:" + port) >= 2;
  }));

  const Result resolved = of("public", "resolve").at(0);
  EXPECT_EQ(resolved.outcome, Outcome::not_permitted) << resolved.detail;
  EXPECT_EQ(text_field(resolved, "refused"), "8.8.8.8 2001:4860:4860::8888");
  EXPECT_EQ(text_field(resolved, "probing"), "");
  EXPECT_NE(resolved.detail.find("lab_only"), std::string::npos) << resolved.detail;
  for (const std::string check : {"tcp:80", "http:http://public.kp.test/"})
    for (const Result& r : of("public", check)) {
      EXPECT_EQ(r.outcome, Outcome::not_permitted) << check;
      EXPECT_NE(r.detail.find("not probed"), std::string::npos) << r.detail;
      EXPECT_NE(r.detail.find("8.8.8.8"), std::string::npos) << r.detail;
    }
  // Only the lab address of the mixed name was ever connected to.
  const Result mixed = of("mixed", "resolve").at(0);
  EXPECT_EQ(mixed.outcome, Outcome::ok) << mixed.detail;
  EXPECT_EQ(text_field(mixed, "probing"), "127.0.0.4");
  EXPECT_EQ(text_field(mixed, "refused"), "8.8.8.8");
  for (const Result& r : of("mixed", "tcp:" + port)) EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(counter(probes->get(CheckKind::tcp)->counters(), "sent"), count("mixed", "tcp:" + port));
  EXPECT_EQ(counter(probes->get(CheckKind::http)->counters(), "sent"), 0u);
  EXPECT_GE(counter(names->counters(), "refused_addresses"), 3u);
}

TEST(HttpLabOnly, ARedirectOutOfTheLabIsRefusedBeforeAnySocketExists) {
  PublicAddressesDropped net;
  // A server written here: its answers name its own port (a redirect within the lab).
  TcpListener listener(false, 64);
  const std::string self = "http://127.0.0.1:" + std::to_string(listener.port());
  std::atomic<bool> stop{false};
  std::thread server([&] {
    timeval tv{0, 50000};
    setsockopt(listener.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (!stop) {
      const int fd = ::accept(listener.fd(), nullptr, nullptr);
      if (fd < 0) continue;
      std::string request;
      char buffer[2048];
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      for (int i = 0; i < 20 && request.find("\r\n\r\n") == std::string::npos; ++i) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0) request.append(buffer, static_cast<std::size_t>(n));
      }
      const std::string path = request.substr(4, request.find(' ', 4) - 4);
      std::string response;
      const auto redirect = [](const std::string& to) {
        return "HTTP/1.1 302 Found\r\nLocation: " + to + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      };
      if (path == "/out") response = redirect("http://8.8.8.8/");
      else if (path == "/out6") response = redirect("http://[2001:4860:4860::8888]/");
      else if (path == "/in") response = redirect(self + "/ok");
      else response = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
      (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(fd);
    }
  });
  SystemClock clock;
  EventLoop loop(clock);
  HttpProbe probe(loop);
  const auto get = [&](const std::string& path) {
    HttpParams p;
    p.url = self + path;
    p.follow_redirects = true;
    p.lab_only = true;
    const Target target = make_target(p, "");
    return run_probe(loop, probe, target, target.checks[0]);
  };
  const Result out = get("/out");
  EXPECT_EQ(out.outcome, Outcome::not_permitted) << out.detail;
  EXPECT_NE(out.detail.find("8.8.8.8"), std::string::npos) << out.detail;
  EXPECT_NE(out.detail.find("lab_only"), std::string::npos) << out.detail;
  EXPECT_EQ(std::get<std::int64_t>(field_of(out, "redirects")), 1);
  const Result out6 = get("/out6");
  EXPECT_EQ(out6.outcome, Outcome::not_permitted) << out6.detail;
  EXPECT_NE(out6.detail.find("2001:4860:4860::8888"), std::string::npos) << out6.detail;
  EXPECT_EQ(counter(probe.counters(), "refused_by_lab_only"), 2u);
  // A redirect that stays in the lab is followed as before.
  const Result in = get("/in");
  EXPECT_EQ(in.outcome, Outcome::ok) << in.detail;
  EXPECT_EQ(std::get<std::int64_t>(field_of(in, "redirects")), 1);
  EXPECT_EQ(counter(probe.counters(), "refused_by_lab_only"), 2u);
  stop = true;
  server.join();
}

TEST_F(Resolving, AnHttpCheckOfANamedTargetConnectsToTheResolvedAddressWithTheSiteName) {
  if (!Nsd::available()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd({{"kp.test", zone(base_records)}});
  // Listens on 127.0.0.2 only: curl's own lookup of www.kp.test (the host's resolver) could
  // not have found it.
  ListenerAt web("127.0.0.2");
  std::atomic<bool> stop{false};
  std::string host_header;
  std::mutex mutex;
  std::thread server([&] {
    while (!stop) {
      pollfd p{web.fd(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(p.fd, nullptr, nullptr);
      if (fd < 0) continue;
      std::string request;
      char buffer[2048];
      for (int i = 0; i < 50 && request.find("\r\n\r\n") == std::string::npos; ++i) {
        pollfd r{fd, POLLIN, 0};
        if (::poll(&r, 1, 20) <= 0) continue;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      if (const std::size_t at = request.find("Host: "); at != std::string::npos) {
        std::lock_guard lock(mutex);
        host_header = request.substr(at + 6, request.find("\r\n", at) - at - 6);
      }
      const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
      (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(fd);
    }
  });
  const std::string url = "http://www.kp.test:" + std::to_string(web.port()) + "/";
  start("lab_only: true\n" + resolver(nsd) +
        "defaults: { interval: 300ms, timeout: 250ms, jitter: 0s }\ntargets:\n"
        "  - { name: www, layer: web, host: www.kp.test, checks: [ {http: {url: \"" +
        url + "\"}} ] }\n");
  ASSERT_TRUE(run_until([&] { return count("www", "http:" + url) >= 1; }));
  stop = true;
  server.join();
  const Result r = of("www", "http:" + url).at(0);
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(text_field(r, "remote_address"), "127.0.0.2");
  EXPECT_EQ(host_header, "www.kp.test:" + std::to_string(web.port()));
}

}  // namespace
}  // namespace blackout
