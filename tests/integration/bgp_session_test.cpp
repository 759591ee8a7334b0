// The collector session against fake peers written here with raw sockets on loopback: a
// well-behaved peer (announce, withdraw), and peers that send garbage, reset the
// connection, go silent, send a NOTIFICATION or claim the wrong AS. The session must report
// each with its reason, keep the peer's paths through a lost session (a lost session is not
// a withdrawn prefix) and reconnect.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <thread>
#include <variant>
#include <vector>

#include "bgp/message.hpp"
#include "bgp/session.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "support/net.hpp"

namespace blackout::bgp {
namespace {

using namespace std::chrono_literals;
using testing_support::TcpListener;

// --- the fake peer: blocking sockets with timeouts, run on a thread of its own ---

int accept_within(int listen_fd, int timeout_ms) {
  pollfd p{listen_fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) != 1) return -1;
  return ::accept(listen_fd, nullptr, nullptr);
}

bool read_exact(int fd, std::uint8_t* out, std::size_t count, int timeout_ms) {
  while (count > 0) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    const ssize_t got = ::recv(fd, out, count, 0);
    if (got <= 0) return false;
    out += got;
    count -= static_cast<std::size_t>(got);
  }
  return true;
}

// The next message the session sent, skipping KEEPALIVEs when asked; empty on timeout/close.
std::vector<std::uint8_t> read_message(int fd, bool skip_keepalives = false, int timeout_ms = 5000) {
  for (;;) {
    std::array<std::uint8_t, message_max_size> buffer{};
    if (!read_exact(fd, buffer.data(), message_header_size, timeout_ms)) return {};
    const std::size_t length = (std::size_t{buffer[16]} << 8) | buffer[17];
    if (length < message_header_size || length > message_max_size) return {};
    if (!read_exact(fd, buffer.data() + message_header_size, length - message_header_size, timeout_ms)) return {};
    if (skip_keepalives && buffer[18] == bgp_message_type::keepalive) continue;
    return std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
  }
}

void send_all(int fd, const std::vector<std::uint8_t>& bytes) {
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

std::vector<std::uint8_t> peer_open(std::uint32_t asn, std::uint16_t hold_time) {
  OpenMessage open;
  open.my_as = static_cast<std::uint16_t>(asn);
  open.hold_time = hold_time;
  open.bgp_id = *IpAddress::parse("127.0.0.9");
  open.capabilities.multiprotocol = {{afi_ipv4, 1}, {afi_ipv6, 1}};
  open.capabilities.four_octet_as = asn;
  return encode_open(open);
}

// OPEN in, OPEN and KEEPALIVE out, KEEPALIVE in: the session is Established on both sides.
bool handshake(int fd, std::uint32_t asn = 65001, std::uint16_t hold_time = 30) {
  const auto open = read_message(fd);
  if (open.size() < 29 || open[18] != bgp_message_type::open) return false;
  if (::send(fd, peer_open(asn, hold_time).data(), peer_open(asn, hold_time).size(), MSG_NOSIGNAL) <= 0) return false;
  const auto keepalive = encode_keepalive();
  if (::send(fd, keepalive.data(), keepalive.size(), MSG_NOSIGNAL) <= 0) return false;
  const auto reply = read_message(fd);
  return !reply.empty() && reply[18] == bgp_message_type::keepalive;
}

NlriPrefix nlri(const char* text) {
  const auto parsed = Prefix::parse(text);
  return NlriPrefix{parsed->address, parsed->length, 0};
}

std::vector<std::uint8_t> announcement(const char* prefix_text) {
  UpdateMessage update;
  update.announced = {nlri(prefix_text)};
  auto& a = update.attributes;
  a.present = (1ULL << (attribute::origin - 1)) | (1ULL << (attribute::as_path - 1)) | (1ULL << (attribute::next_hop - 1));
  a.origin = 0;
  a.as_path = {AsPathSegment{as_segment::sequence, {65001, 64512}}};
  a.next_hop = *IpAddress::parse("127.0.0.9");
  return encode_update(update);
}

std::vector<std::uint8_t> withdrawal(const char* prefix_text) {
  UpdateMessage update;
  update.withdrawn = {nlri(prefix_text)};
  return encode_update(update);
}

// --- the side under test ---

struct Recorder {
  std::vector<SessionChange> changes;
  std::vector<RouteEvent> routes;
  Session::Handlers handlers() {
    return Session::Handlers{[this](const SessionChange& change) { changes.push_back(change); },
                             [this](const RouteEvent& route) { routes.push_back(route); }};
  }
  [[nodiscard]] std::size_t downs(DownReason reason) const {
    std::size_t count = 0;
    for (const auto& change : changes) count += change.reason == reason ? 1 : 0;
    return count;
  }
};

class BgpSession : public ::testing::Test {
 protected:
  SessionConfig config_for(std::uint16_t port) {
    SessionConfig config;
    config.peer_address = *IpAddress::parse("127.0.0.1");
    config.peer_port = port;
    config.local_as = 64999;
    config.peer_as = 65001;
    config.router_id = *IpAddress::parse("127.0.0.2");
    config.hold_time = 30;
    config.retry_initial = 100ms;
    config.retry_max = 400ms;
    return config;
  }
  bool run_until(const std::function<bool()>& done, Duration limit = 10s) { return loop_.run_until(done, clock_.now() + limit); }

  SystemClock clock_;
  EventLoop loop_{clock_};
  Rib rib_;
  Recorder recorder_;
};

TEST_F(BgpSession, FollowsAnnouncementsAndWithdrawals) {
  TcpListener listener;
  std::atomic<bool> peer_done{false};
  std::thread peer([&] {
    const int fd = accept_within(listener.fd(), 5000);
    if (fd >= 0 && handshake(fd)) {
      send_all(fd, announcement("198.18.64.0/22"));
      UpdateMessage v6;
      v6.announced = {nlri("fd00:198:18::/48")};
      v6.attributes.present = (1ULL << (attribute::origin - 1)) | (1ULL << (attribute::as_path - 1));
      v6.attributes.origin = 0;
      v6.attributes.as_path = {AsPathSegment{as_segment::sequence, {65001}}};
      send_all(fd, encode_update(v6));
      send_all(fd, withdrawal("198.18.64.0/22"));
      (void)read_message(fd, true, 2000);  // until the session closes
    }
    if (fd >= 0) ::close(fd);
    peer_done = true;
  });
  Session session(loop_, config_for(listener.port()), rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  EXPECT_TRUE(run_until([&] { return recorder_.routes.size() >= 3; }));
  ASSERT_EQ(recorder_.routes.size(), 3U);
  EXPECT_FALSE(recorder_.routes[0].withdrawn);
  EXPECT_EQ(recorder_.routes[0].prefix.prefix().to_string(), "198.18.64.0/22");
  EXPECT_EQ(recorder_.routes[0].attributes->as_path[0].asns, (std::vector<std::uint32_t>{65001, 64512}));
  EXPECT_EQ(recorder_.routes[1].prefix.prefix().to_string(), "fd00:198:18::/48");
  EXPECT_TRUE(recorder_.routes[2].withdrawn);
  EXPECT_EQ(session.state(), SessionState::established);
  EXPECT_EQ(session.negotiated_hold_time(), 30);
  EXPECT_EQ(rib_.prefix_count(), 1U);
  ASSERT_NE(rib_.paths(*Prefix::parse("fd00:198:18::/48")), nullptr);
  // The states a session passes through on its way up, in order.
  std::vector<SessionState> states;
  for (const auto& change : recorder_.changes) states.push_back(change.to);
  EXPECT_EQ(states, (std::vector<SessionState>{SessionState::connect, SessionState::open_sent, SessionState::open_confirm,
                                               SessionState::established}));
  session.stop();
  EXPECT_EQ(session.state(), SessionState::idle);
  peer.join();
}

TEST_F(BgpSession, SurvivesGarbageAndKeepsPathsThroughTheLoss) {
  TcpListener listener;
  std::vector<std::uint8_t> notification_seen;
  std::thread peer([&] {
    const int first = accept_within(listener.fd(), 5000);
    if (first >= 0 && handshake(first)) {
      send_all(first, announcement("198.18.64.0/22"));
      const std::string garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
      ::send(first, garbage.data(), garbage.size(), MSG_NOSIGNAL);
      notification_seen = read_message(first, true);
    }
    if (first >= 0) ::close(first);
    // It comes back: the session must reconnect.
    const int second = accept_within(listener.fd(), 5000);
    if (second >= 0 && handshake(second)) (void)read_message(second, true, 2000);
    if (second >= 0) ::close(second);
  });
  Session session(loop_, config_for(listener.port()), rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  EXPECT_TRUE(run_until([&] { return session.counters().established >= 2; }));
  EXPECT_EQ(recorder_.downs(DownReason::malformed_message), 1U);
  EXPECT_EQ(session.counters().malformed, 1U);
  // A lost session is not a withdrawn prefix: the path is still there, no withdrawal event.
  EXPECT_EQ(rib_.prefix_count(), 1U);
  for (const auto& route : recorder_.routes) EXPECT_FALSE(route.withdrawn);
  session.stop();
  peer.join();
  ASSERT_GE(notification_seen.size(), 21U);
  EXPECT_EQ(notification_seen[18], bgp_message_type::notification);
  EXPECT_EQ(notification_seen[19], notification_code::message_header);
  EXPECT_EQ(notification_seen[20], 1);  // connection not synchronized
}

TEST_F(BgpSession, SurvivesAResetAndWithdrawsOnlyWhatIsNotAnnouncedAgain) {
  TcpListener listener;
  std::thread peer([&] {
    const int first = accept_within(listener.fd(), 5000);
    if (first >= 0 && handshake(first)) {
      send_all(first, announcement("198.18.64.0/22"));
      send_all(first, announcement("198.18.68.0/22"));
      (void)read_message(first, true, 300);
      linger reset{1, 0};  // close with an RST
      ::setsockopt(first, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    if (first >= 0) ::close(first);
    const int second = accept_within(listener.fd(), 5000);
    if (second >= 0 && handshake(second)) {
      send_all(second, announcement("198.18.64.0/22"));
      send_all(second, encode_update(UpdateMessage{}));  // End-of-RIB for IPv4
      (void)read_message(second, true, 2000);
    }
    if (second >= 0) ::close(second);
  });
  Session session(loop_, config_for(listener.port()), rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  EXPECT_TRUE(run_until([&] {
    return session.counters().established >= 2 &&
           std::any_of(recorder_.routes.begin(), recorder_.routes.end(), [](const RouteEvent& r) { return r.withdrawn; });
  }));
  EXPECT_EQ(recorder_.downs(DownReason::peer_closed), 1U);
  std::vector<std::string> withdrawn;
  for (const auto& route : recorder_.routes)
    if (route.withdrawn) {
      withdrawn.push_back(route.prefix.prefix().to_string());
      EXPECT_TRUE(route.stale);
    }
  EXPECT_EQ(withdrawn, (std::vector<std::string>{"198.18.68.0/22"}));
  EXPECT_EQ(rib_.prefix_count(), 1U);
  session.stop();
  peer.join();
}

TEST_F(BgpSession, WithoutEndOfRibStalePathsGoAfterTheStaleTimeout) {
  TcpListener listener;
  std::thread peer([&] {
    const int first = accept_within(listener.fd(), 5000);
    if (first >= 0 && handshake(first)) {
      send_all(first, announcement("198.18.64.0/22"));
      send_all(first, announcement("198.18.68.0/22"));
      (void)read_message(first, true, 300);
    }
    if (first >= 0) ::close(first);
    const int second = accept_within(listener.fd(), 5000);
    if (second >= 0 && handshake(second)) {
      send_all(second, announcement("198.18.64.0/22"));  // and never an End-of-RIB
      (void)read_message(second, true, 3000);
    }
    if (second >= 0) ::close(second);
  });
  SessionConfig config = config_for(listener.port());
  config.stale_timeout = 500ms;
  Session session(loop_, config, rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  EXPECT_TRUE(run_until([&] {
    return std::any_of(recorder_.routes.begin(), recorder_.routes.end(), [](const RouteEvent& r) { return r.withdrawn; });
  }));
  EXPECT_EQ(session.counters().established, 2U);
  EXPECT_EQ(rib_.prefix_count(), 1U);
  ASSERT_NE(rib_.paths(*Prefix::parse("198.18.64.0/22")), nullptr);
  session.stop();
  peer.join();
}

TEST_F(BgpSession, APeerThatGoesSilentExpiresTheHoldTimer) {
  TcpListener listener;
  std::vector<std::uint8_t> notification_seen;
  std::thread peer([&] {
    const int fd = accept_within(listener.fd(), 5000);
    // Hold time 3 s (the least allowed), then silence: read, never answer.
    if (fd >= 0 && handshake(fd, 65001, 3)) notification_seen = read_message(fd, true, 8000);
    if (fd >= 0) ::close(fd);
  });
  Session session(loop_, config_for(listener.port()), rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  const auto started = clock_.now();
  EXPECT_TRUE(run_until([&] { return recorder_.downs(DownReason::hold_timer_expired) > 0; }));
  EXPECT_LT(clock_.now() - started, 6s);
  session.stop();
  peer.join();
  ASSERT_GE(notification_seen.size(), 21U);
  EXPECT_EQ(notification_seen[19], notification_code::hold_timer_expired);
}

TEST_F(BgpSession, APeerSilentBeforeItsOpenTimesOutToo) {
  TcpListener listener;
  std::thread peer([&] {
    const int fd = accept_within(listener.fd(), 5000);
    if (fd >= 0) (void)read_message(fd, true, 3000);  // reads our OPEN, never sends its own
    if (fd >= 0) ::close(fd);
  });
  SessionConfig config = config_for(listener.port());
  config.open_wait = 500ms;
  Session session(loop_, config, rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  EXPECT_TRUE(run_until([&] { return recorder_.downs(DownReason::hold_timer_expired) > 0; }, 5s));
  session.stop();
  peer.join();
}

TEST_F(BgpSession, ReportsANotificationWithItsCodeAndReconnects) {
  TcpListener listener;
  std::thread peer([&] {
    const int fd = accept_within(listener.fd(), 5000);
    if (fd >= 0 && handshake(fd)) send_all(fd, encode_notification(NotificationMessage{notification_code::cease, 2, {}}));
    if (fd >= 0) ::close(fd);
    const int again = accept_within(listener.fd(), 5000);  // the retry
    if (again >= 0) ::close(again);
  });
  Session session(loop_, config_for(listener.port()), rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  EXPECT_TRUE(run_until([&] { return session.counters().connections >= 2; }));
  const auto down = std::find_if(recorder_.changes.begin(), recorder_.changes.end(),
                                 [](const SessionChange& c) { return c.reason == DownReason::notification_received; });
  ASSERT_NE(down, recorder_.changes.end());
  EXPECT_EQ(down->from, SessionState::established);
  ASSERT_TRUE(down->notification);
  EXPECT_EQ(down->notification->code, 6);
  EXPECT_EQ(down->notification->subcode, 2);
  EXPECT_EQ(down->detail, "cease: administrative shutdown");
  session.stop();
  peer.join();
}

TEST_F(BgpSession, RejectsAPeerWithTheWrongAs) {
  TcpListener listener;
  std::vector<std::uint8_t> notification_seen;
  std::thread peer([&] {
    const int fd = accept_within(listener.fd(), 5000);
    if (fd >= 0) {
      (void)read_message(fd);
      send_all(fd, peer_open(65777, 30));
      notification_seen = read_message(fd, true);
      ::close(fd);
    }
  });
  Session session(loop_, config_for(listener.port()), rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  EXPECT_TRUE(run_until([&] { return recorder_.downs(DownReason::open_rejected) > 0; }));
  session.stop();
  peer.join();
  ASSERT_GE(notification_seen.size(), 21U);
  EXPECT_EQ(notification_seen[19], notification_code::open_message);
  EXPECT_EQ(notification_seen[20], 2);  // bad peer AS
}

TEST_F(BgpSession, ConnectFailuresBackOff) {
  const std::uint16_t port = testing_support::unused_tcp_port();
  Session session(loop_, config_for(port), rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  run_until([&] { return recorder_.downs(DownReason::connect_failed) >= 3; }, 3s);
  EXPECT_GE(recorder_.downs(DownReason::connect_failed), 3U);
  // 100 ms, 200 ms, 400 ms, 400 ms...: a handful of attempts, not a tight loop.
  EXPECT_LE(recorder_.downs(DownReason::connect_failed), 10U);
  session.stop();
}

TEST_F(BgpSession, PassiveAcceptsThePeerAndRefusesStrangers) {
  SessionConfig config = config_for(0);
  config.passive = true;
  config.local_address = *IpAddress::parse("127.0.0.1");
  config.peer_address = *IpAddress::parse("127.0.0.1");
  Session session(loop_, config, rib_, recorder_.handlers());
  ASSERT_TRUE(session.start().ok());
  ASSERT_NE(session.listen_port(), 0);
  EXPECT_EQ(session.state(), SessionState::active);
  std::thread peer([&, port = session.listen_port()] {
    // A stranger first (from 127.0.0.3): refused.
    const int stranger = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.3", &from.sin_addr);
    ::bind(stranger, reinterpret_cast<sockaddr*>(&from), sizeof from);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ::connect(stranger, reinterpret_cast<sockaddr*>(&to), sizeof to);
    std::uint8_t byte = 0;
    (void)read_exact(stranger, &byte, 1, 2000);
    ::close(stranger);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 && handshake(fd)) {
      send_all(fd, announcement("198.18.64.0/22"));
      (void)read_message(fd, true, 2000);
    }
    ::close(fd);
  });
  EXPECT_TRUE(run_until([&] { return !recorder_.routes.empty(); }));
  EXPECT_EQ(session.counters().refused_connections, 1U);
  EXPECT_EQ(session.state(), SessionState::established);
  session.stop();
  peer.join();
}

}  // namespace
}  // namespace blackout::bgp
