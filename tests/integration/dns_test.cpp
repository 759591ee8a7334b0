// dns check against a real nsd started by the test on loopback (zone kp.test, with an
// answer too large for UDP), and against hostile servers written here: wrong ids, garbage,
// a forgery before the real answer, SERVFAIL and REFUSED, a TCP server that hangs up.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <map>
#include <thread>

#include "probes/dns/dns_probe.hpp"
#include "probes/dns/message.hpp"
#include "support/net.hpp"
#include "support/nsd.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

std::uint64_t counter(const Probe& probe, std::string_view name) {
  for (const Counter& c : probe.counters())
    if (c.name == name) return c.value;
  return 0;
}

// Zone kp.test for the test's nsd (tests/support/nsd.hpp, which picks a port free for both
// UDP and TCP and waits until nsd answers), with an answer too large for UDP.
std::map<std::string, std::string> kp_test_zone() {
  std::string big;
  for (int i = 0; i < 40; ++i)
    big += "big IN TXT \"" + std::to_string(i) + std::string(60, static_cast<char>('a' + i % 26)) + "\"\n";
  return {{"kp.test",
           "$ORIGIN kp.test.\n$TTL 300\n@ IN SOA ns1.kp.test. hostmaster.kp.test. 2026112501 3600 600 86400 300\n"
           "@ IN NS ns1.kp.test.\n@ IN MX 10 mail.kp.test.\nns1 IN A 127.0.0.1\nmail IN A 127.0.0.1\nwww IN A 127.0.0.1\n" +
               big}};
}

class DnsCheck : public testing::Test {
 protected:
  SystemClock clock;
  EventLoop loop{clock};
  SeededRandom random{11};
  DnsProbe probe{loop, random};
  Result ask(std::uint16_t port, const std::string& query, const std::string& type = "SOA", Duration timeout = 1s,
             std::function<void(DnsParams&)> adjust = {}) {
    DnsParams p;
    p.query = query;
    p.qtype = *dns_type_from_string(type);
    p.port = port;
    if (adjust) adjust(p);
    const Target target = make_target(p, "127.0.0.1", timeout);
    return run_probe(loop, probe, target, target.checks[0]);
  }
};

TEST_F(DnsCheck, RealNsdAnswersAuthoritativelyWithTheSerial) {
  if (find_program("nsd").empty()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd(kp_test_zone());
  const Result r = ask(nsd.port(), "kp.test");
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(std::get<bool>(field_of(r, "authoritative")), true);
  EXPECT_EQ(std::get<std::int64_t>(field_of(r, "soa_serial")), 2026112501);
  EXPECT_EQ(std::get<std::string>(field_of(r, "transport")), "udp");
  ASSERT_TRUE(r.rtt);
  // Expectations.
  EXPECT_EQ(ask(nsd.port(), "nope.kp.test", "A").outcome, Outcome::nxdomain);
  EXPECT_EQ(ask(nsd.port(), "nope.kp.test", "A", 1s, [](DnsParams& p) { p.expect_rcode = 3; }).outcome, Outcome::ok);
  EXPECT_EQ(ask(nsd.port(), "www.kp.test", "A", 1s, [](DnsParams& p) { p.min_answers = 2; }).outcome, Outcome::bad_answer);
  EXPECT_EQ(ask(nsd.port(), "www.kp.test", "A", 1s, [](DnsParams& p) { p.expect_authoritative = false; }).outcome,
            Outcome::bad_answer);
}

TEST_F(DnsCheck, ATruncatedAnswerIsFetchedOverTcp) {
  if (find_program("nsd").empty()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd(kp_test_zone());
  const Result r = ask(nsd.port(), "big.kp.test", "TXT");
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(std::get<bool>(field_of(r, "truncated")), true);
  EXPECT_EQ(std::get<std::string>(field_of(r, "transport")), "tcp");
  EXPECT_EQ(std::get<std::int64_t>(field_of(r, "answers")), 40);
  EXPECT_EQ(counter(probe, "truncated_retries"), 1u);
  const Result tcp = ask(nsd.port(), "kp.test", "SOA", 1s, [](DnsParams& p) { p.tcp = true; });
  EXPECT_EQ(tcp.outcome, Outcome::ok) << tcp.detail;
  EXPECT_EQ(std::get<std::string>(field_of(tcp, "transport")), "tcp");
}

TEST_F(DnsCheck, AStoppedServerIsRefusedAndDroppedPacketsTimeOut) {
  if (find_program("nsd").empty()) GTEST_SKIP() << "nsd not installed";
  Nsd nsd(kp_test_zone());
  ASSERT_EQ(ask(nsd.port(), "kp.test").outcome, Outcome::ok);
  if (is_root()) {
    NftRule drop("udp dport " + std::to_string(nsd.port()) + " drop", "input");
    const MonoTime start = clock.now();
    EXPECT_EQ(ask(nsd.port(), "kp.test", "SOA", 300ms).outcome, Outcome::timeout);
    EXPECT_LT(clock.now() - start, 800ms);
  }
  nsd.stop();
  EXPECT_EQ(ask(nsd.port(), "kp.test").outcome, Outcome::refused);
}

using Bytes = std::vector<std::uint8_t>;
using Answers = std::vector<Bytes>;

// A hostile UDP server: answers each query with what `reply` makes of it.
class HostileDns {
 public:
  explicit HostileDns(std::function<Answers(const Bytes&)> reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&in), sizeof in);
    socklen_t length = sizeof in;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&in), &length);
    port_ = ntohs(in.sin_port);
    timeval tv{0, 100000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] {
      while (!stop_) {
        std::uint8_t buffer[4096];
        sockaddr_in from{};
        socklen_t from_length = sizeof from;
        const ssize_t n = recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_length);
        if (n <= 0) continue;
        for (const auto& answer : reply_(std::vector<std::uint8_t>(buffer, buffer + n)))
          sendto(fd_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from), from_length);
      }
    });
  }
  ~HostileDns() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  std::function<Answers(const Bytes&)> reply_;
  int fd_;
  std::uint16_t port_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A well-formed answer to `query` with the given rcode and id (the query's if 0 or the id).
std::vector<std::uint8_t> answer_to(const std::vector<std::uint8_t>& query, int rcode,
                                    std::optional<std::uint16_t> id = std::nullopt) {
  std::vector<std::uint8_t> a = query;
  a.resize(std::min<std::size_t>(a.size(), 12 + (a.size() - 12 - 11)));  // drop our OPT record
  a[2] = 0x84;
  a[3] = static_cast<std::uint8_t>(rcode);
  a[10] = a[11] = 0;
  if (id) {
    a[0] = static_cast<std::uint8_t>(*id >> 8);
    a[1] = static_cast<std::uint8_t>(*id);
  }
  return a;
}

std::uint16_t other_id(const std::vector<std::uint8_t>& query) {
  return static_cast<std::uint16_t>(((query[0] << 8) | query[1]) + 1);
}

TEST_F(DnsCheck, WrongIdsAloneTimeOutAndAreCounted) {
  HostileDns server([](const Bytes& q) { return Answers{answer_to(q, 0, other_id(q))}; });
  EXPECT_EQ(ask(server.port(), "kp.test", "SOA", 300ms).outcome, Outcome::timeout);
  EXPECT_GE(counter(probe, "wrong_id"), 1u);
}

// After 50 answers with the wrong id the detail said only "no answer": they are evidence.
TEST_F(DnsCheck, ManyWrongIdsAreCountedInTheDetail) {
  HostileDns server([](const Bytes& q) {
    Answers answers;
    for (int i = 0; i < 50; ++i) answers.push_back(answer_to(q, 0, static_cast<std::uint16_t>(other_id(q) + i)));
    return answers;
  });
  const Result r = ask(server.port(), "kp.test", "SOA", 500ms);
  EXPECT_EQ(r.outcome, Outcome::timeout);
  EXPECT_EQ(r.detail, "no answer (ignored 50 with a wrong id)");
}

TEST_F(DnsCheck, GarbageAloneIsABadReply) {
  HostileDns server([](const Bytes&) { return Answers{{0xde, 0xad, 0xbe, 0xef}}; });
  const Result r = ask(server.port(), "kp.test", "SOA", 300ms);
  EXPECT_EQ(r.outcome, Outcome::bad_reply) << r.detail;
  EXPECT_GE(counter(probe, "malformed"), 1u);
}

TEST_F(DnsCheck, AForgeryBeforeTheRealAnswerIsRejected) {
  HostileDns server([](const Bytes& q) { return Answers{answer_to(q, 5, other_id(q)), answer_to(q, 0)}; });
  const Result r = ask(server.port(), "kp.test");
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(counter(probe, "wrong_id"), 1u);
}

TEST_F(DnsCheck, ServfailAndRefusedAreTheirOwnOutcomes) {
  HostileDns servfail([](const Bytes& q) { return Answers{answer_to(q, 2)}; });
  EXPECT_EQ(ask(servfail.port(), "kp.test").outcome, Outcome::servfail);
  HostileDns refused([](const Bytes& q) { return Answers{answer_to(q, 5)}; });
  EXPECT_EQ(ask(refused.port(), "kp.test").outcome, Outcome::refused_by_server);
}

TEST_F(DnsCheck, AnAnswerToAnotherQuestionIsRejected) {
  HostileDns server([](const Bytes& q) {
    auto a = answer_to(q, 0);
    a[13] = 'x';  // first letter of the name
    return Answers{a};
  });
  EXPECT_EQ(ask(server.port(), "kp.test", "SOA", 300ms).outcome, Outcome::timeout);
  EXPECT_GE(counter(probe, "wrong_question"), 1u);
}

TEST_F(DnsCheck, ATcpServerThatHangsUpIsABadReply) {
  TcpListener listener;
  std::thread server([&] {
    const int client = ::accept(listener.fd(), nullptr, nullptr);
    std::uint8_t buffer[512];
    (void)::recv(client, buffer, sizeof buffer, 0);
    const std::uint8_t partial[] = {0, 200, 0x12};  // promises 200 bytes, sends 1
    (void)::send(client, partial, sizeof partial, 0);
    ::close(client);
  });
  const Result r = ask(listener.port(), "kp.test", "SOA", 1s, [](DnsParams& p) { p.tcp = true; });
  server.join();
  EXPECT_EQ(r.outcome, Outcome::bad_reply) << r.detail;
}

}  // namespace
}  // namespace blackout
