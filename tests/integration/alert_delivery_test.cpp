// Alert delivery against real receivers on loopback: an HTTP receiver written here that
// fails and recovers, one that is not there at first, and a real OpenSMTPD that delivers
// the e-mails into a maildir.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "alert/delivery.hpp"
#include "engine/clock.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

// An HTTP receiver: answers each POST with the next status of `statuses` (the last one
// repeats) and keeps the bodies it was sent.
class Receiver {
 public:
  Receiver(std::uint16_t port, std::vector<int> statuses) : listener_(false, 16, port), statuses_(std::move(statuses)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    ::shutdown(listener_.fd(), SHUT_RDWR);
    thread_.join();
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stopping_) {
      const int fd = ::accept(listener_.fd(), nullptr, nullptr);
      if (fd < 0) return;
      std::string in;
      char buffer[4096];
      std::size_t need = std::string::npos;
      while (true) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        in.append(buffer, static_cast<std::size_t>(n));
        const auto end = in.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          const auto length = in.find("Content-Length: ");
          need = end + 4 + (length == std::string::npos ? 0 : std::stoul(in.substr(length + 16)));
        }
        if (need != std::string::npos && in.size() >= need) break;
      }
      const int status = statuses_[std::min<std::size_t>(static_cast<std::size_t>(requests_), statuses_.size() - 1)];
      ++requests_;
      if (status == 200) {
        std::lock_guard lock(mutex_);
        bodies_.push_back(in.substr(in.find("\r\n\r\n") + 4));
      }
      const std::string answer = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(fd);
    }
  }
  TcpListener listener_;
  std::vector<int> statuses_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

Notification sample(const std::string& channel) {
  Notification n;
  n.incident = "net:1800000000000000";
  n.rule = "net";
  n.channels = {channel};
  n.time = Timestamp{std::chrono::seconds(1'800'000'000)};
  n.changes.push_back(StateChange{n.time, "", Scope::network, "network", State::up, State::down, "90% of its targets down"});
  n.title = "blackout: network down";
  n.text = "rule net\n.a line that starts with a dot\n";
  return n;
}

DeliveryOptions fast() {
  DeliveryOptions o;
  o.first_retry = std::chrono::milliseconds(100);
  o.max_retry = std::chrono::milliseconds(400);
  o.request_timeout = std::chrono::milliseconds(2000);
  o.vantage = "test-vantage";
  return o;
}

TEST(AlertDelivery, AReceiverThatFailsTwiceGetsTheMessageOnTheThirdTry) {
  const std::uint16_t port = unused_tcp_port();
  Receiver receiver(port, {500, 503, 200});
  AlertChannel hook;
  hook.name = "hook";
  hook.url = "http://127.0.0.1:" + std::to_string(port) + "/alerts";
  AlertDelivery delivery({hook}, fast());
  delivery.submit(sample("hook"));
  ASSERT_TRUE(wait_until([&] { return delivery.counters().delivered == 1; }, std::chrono::milliseconds(10000)));
  EXPECT_EQ(delivery.counters().failed_attempts, 2u);
  EXPECT_EQ(receiver.requests(), 3);
  const auto body = nlohmann::json::parse(receiver.bodies().at(0));
  EXPECT_EQ(body["incident"], "net:1800000000000000");
  EXPECT_EQ(body["vantage"], "test-vantage");
  EXPECT_EQ(body["changes"][0]["reason"], "90% of its targets down");
  EXPECT_EQ(delivery.stop(std::chrono::milliseconds(100)), 0u);
}

// The back-off in virtual time, with the defaults a user gets: 1 s, 2 s, 4 s, ... at most
// 5 min apart, given up once the next try would be more than an hour after the first. A
// receiver that always fails is tried at 0, 1, 3, 7, ... 511 s, then every 300 s up to
// 3511 s: 20 tries, never a moment early, then given up.
TEST(AlertDelivery, TheBackOffDoublesToFiveMinutesAndGivesUpAfterAnHourInVirtualTime) {
  const std::uint16_t port = unused_tcp_port();
  Receiver receiver(port, {500});
  AlertChannel hook;
  hook.name = "hook";
  hook.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  DeliveryOptions options;
  options.vantage = "test-vantage";
  ManualClock clock;
  AlertDelivery delivery({hook}, options, clock);
  delivery.submit(sample("hook"));
  std::vector<int> tries{0};
  for (int backoff = 1; tries.size() < 20; backoff = std::min(backoff * 2, 300)) tries.push_back(tries.back() + backoff);
  ASSERT_EQ(tries.back(), 3511);
  for (std::size_t i = 0; i < tries.size(); ++i) {
    const auto at = std::chrono::seconds(tries[i]);
    if (i > 0) {
      clock.set(MonoTime{at - std::chrono::milliseconds(1)});
      std::this_thread::sleep_for(std::chrono::milliseconds(i < 3 || i == 10 ? 150 : 5));
      ASSERT_EQ(delivery.counters().failed_attempts, i) << "try " << i + 1 << " came before " << tries[i] << " s";
    }
    clock.set(MonoTime{at});
    ASSERT_TRUE(wait_until([&] { return delivery.counters().failed_attempts == i + 1; }))
        << "try " << i + 1 << " did not come at " << tries[i] << " s";
  }
  ASSERT_TRUE(wait_until([&] { return delivery.counters().given_up == 1; }));
  EXPECT_EQ(receiver.requests(), 20);
  EXPECT_EQ(delivery.counters().queued, 0u);
  clock.advance(std::chrono::hours(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(receiver.requests(), 20) << "given up is given up";
  EXPECT_EQ(delivery.stop(std::chrono::milliseconds(0)), 0u);
}

TEST(AlertDelivery, AReceiverThatIsNotThereYetIsRetriedUntilItIs) {
  const std::uint16_t port = unused_tcp_port();
  AlertChannel hook;
  hook.name = "hook";
  hook.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  hook.format = "slack";
  AlertDelivery delivery({hook}, fast());
  delivery.submit(sample("hook"));
  ASSERT_TRUE(wait_until([&] { return delivery.counters().failed_attempts >= 2; }));
  EXPECT_EQ(delivery.counters().delivered, 0u);
  Receiver receiver(port, {200});
  ASSERT_TRUE(wait_until([&] { return delivery.counters().delivered == 1; }));
  EXPECT_EQ(nlohmann::json::parse(receiver.bodies().at(0))["text"].get<std::string>().rfind("blackout: network down", 0), 0u);
}

TEST(AlertDelivery, MessagesLeftWhenStoppingAreCountedNotHidden) {
  AlertChannel hook;
  hook.name = "hook";
  hook.url = "http://127.0.0.1:" + std::to_string(unused_tcp_port()) + "/";
  AlertDelivery delivery({hook}, fast());
  delivery.submit(sample("hook"));
  delivery.submit(sample("hook"));
  EXPECT_EQ(delivery.stop(std::chrono::milliseconds(300)), 2u);
  EXPECT_EQ(delivery.counters().delivered, 0u);
}

TEST(AlertDelivery, ARealSmtpServerDeliversTheMailThreaded) {
  if (find_program("smtpd").empty() || !is_root()) GTEST_SKIP() << "needs OpenSMTPD and root";
  TempDir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  const auto maildir = dir.path() / "mail";
  std::filesystem::create_directories(maildir);
  std::filesystem::permissions(maildir, std::filesystem::perms::all);
  // The recipient's maildir made beforehand, so that the two deliveries do not both create
  // it. Once in a sanitizer suite run both mails were accepted and fewer than two reached the
  // maildir within 10 s; a race to create it is the likely cause (it does not happen alone).
  for (const char* part : {"cur", "new", "tmp"}) {
    std::filesystem::create_directories(maildir / "nobody" / part);
    std::filesystem::permissions(maildir / "nobody" / part, std::filesystem::perms::all);
  }
  std::filesystem::permissions(maildir / "nobody", std::filesystem::perms::all);
  const std::uint16_t port = unused_tcp_port();
  const auto config =
      dir.write("smtpd.conf", "listen on 127.0.0.1 port " + std::to_string(port) + "\naction \"deliver\" maildir \"" +
                                  maildir.string() + "/%{user.username}\"\nmatch from any for any action \"deliver\"\n");
  std::filesystem::permissions(config, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                           std::filesystem::perms::others_read | std::filesystem::perms::group_read);
  ChildProcess smtpd({"smtpd", "-d", "-f", config.string()}, dir.path() / "smtpd.log");
  ASSERT_TRUE(wait_for_tcp_port("127.0.0.1", port)) << read_file(dir.path() / "smtpd.log");

  AlertChannel mail;
  mail.name = "mail";
  mail.kind = AlertChannel::Kind::email;
  mail.server = "smtp://127.0.0.1:" + std::to_string(port);
  mail.from = "blackout@kp.test";
  mail.to = {"nobody@kp.test"};
  AlertDelivery delivery({mail}, fast());
  Notification opened = sample("mail");
  Notification update = opened;
  update.sequence = 1;
  update.kind = Notification::Kind::update;
  update.title = "blackout update: layer dns down";
  delivery.submit(opened);
  delivery.submit(update);
  ASSERT_TRUE(wait_until([&] { return delivery.counters().delivered == 2; })) << read_file(dir.path() / "smtpd.log");
  std::vector<std::string> messages;
  ASSERT_TRUE(wait_until([&] {
    messages.clear();
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(maildir, ec))
      if (entry.is_regular_file() && entry.path().parent_path().filename() == "new") messages.push_back(read_file(entry.path()));
    return messages.size() == 2;
  })) << read_file(dir.path() / "smtpd.log");
  std::sort(messages.begin(), messages.end(),
            [](const std::string& a, const std::string& b) { return a.find("In-Reply-To") < b.find("In-Reply-To"); });
  const std::string& reply = messages[0].find("In-Reply-To") != std::string::npos ? messages[0] : messages[1];
  const std::string& first = messages[0].find("In-Reply-To") != std::string::npos ? messages[1] : messages[0];
  EXPECT_NE(first.find("Subject: blackout: network down"), std::string::npos) << first;
  EXPECT_NE(first.find("\n.a line that starts with a dot"), std::string::npos) << "dot-stuffing undone by the server: " << first;
  EXPECT_NE(reply.find("In-Reply-To: <net-1800000000000000.0@blackout>"), std::string::npos) << reply;
}

TEST(AlertDelivery, TheMonitorAlertsWhenItsTargetsGoDark) {
  // The monitor as a user runs it: a web server that is not there makes the web layer and
  // the network down; the rule sends one opening message to the receiver.
  TempDir dir;
  const std::uint16_t hook_port = unused_tcp_port();
  Receiver receiver(hook_port, {200});
  const std::uint16_t closed = unused_tcp_port();
  const auto config =
      dir.write("c.yaml",
                "lab_only: true\nvantage: test\ndefaults: { interval: 200ms, timeout: 100ms, jitter: 0s }\n"
                "targets:\n  - { name: site, layer: web, address: 127.0.0.1, checks: [ {tcp: " +
                    std::to_string(closed) +
                    "} ] }\n"
                    "alerts:\n  group_window: 1s\n  channels:\n    - { name: hook, webhook: { url: \"http://127.0.0.1:" +
                    std::to_string(hook_port) + "/\" } }\n  rules:\n    - { name: dark, scope: network, channels: [hook] }\n");
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", "none", "--quiet", "--user", "root"},
                       dir.path() / "monitor.log");
  ASSERT_TRUE(wait_until([&] { return !receiver.bodies().empty(); })) << read_file(dir.path() / "monitor.log");
  const auto body = nlohmann::json::parse(receiver.bodies().at(0));
  EXPECT_EQ(body["kind"], "opened");
  EXPECT_EQ(body["rule"], "dark");
  EXPECT_EQ(body["changes"][0]["scope"], "network");
  EXPECT_EQ(body["changes"][0]["to"], "down");
  monitor.stop();
  EXPECT_EQ(receiver.bodies().size(), 1u) << "no storm: the target stays down, nothing more to say";
}

}  // namespace
}  // namespace blackout
