// smtp check against a real OpenSMTPD started by the test (with STARTTLS and a self-signed
// certificate made by openssl), and hostile servers written here.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "model/time.hpp"
#include "probes/smtp/smtp_probe.hpp"
#include "support/net.hpp"
#include "support/netns.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

class Smtpd {
 public:
  explicit Smtpd(bool tls) : port_(unused_tcp_port()) {
    const std::string d = dir_.path().string();
    std::string config;
    if (tls) {
      run_command("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + d + "/mail.key -out " + d +
                  "/mail.crt -days 30 -subj /CN=mail.kp.test");
      run_command("chmod 600 " + d + "/mail.key");
      config += "pki mail.kp.test cert \"" + d + "/mail.crt\"\npki mail.kp.test key \"" + d + "/mail.key\"\n";
      config += "listen on 127.0.0.1 port " + std::to_string(port_) + " tls pki mail.kp.test\n";
    } else {
      config += "listen on 127.0.0.1 port " + std::to_string(port_) + "\n";
    }
    config += "action \"local\" mbox\nmatch from any for local action \"local\"\n";
    const auto file = dir_.write("smtpd.conf", config);
    run_command("chmod 644 " + file.string());
    process_ =
        std::make_unique<ChildProcess>(std::vector<std::string>{"smtpd", "-d", "-f", file.string()}, dir_.path() / "out.log");
    if (!wait_for_tcp_port("127.0.0.1", port_))
      throw std::runtime_error("smtpd did not start: " + read_file(dir_.path() / "out.log"));
  }
  void stop() { process_.reset(); }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  TempDir dir_;
  std::uint16_t port_;
  std::unique_ptr<ChildProcess> process_;
};

class SmtpCheck : public testing::Test {
 protected:
  SystemClock clock;
  EventLoop loop{clock};
  SmtpProbe probe{loop};
  Result talk(std::uint16_t port, bool starttls = false, Duration timeout = 2s) {
    SmtpParams p;
    p.port = port;
    p.starttls = starttls;
    const Target target = make_target(p, "127.0.0.1", timeout);
    return run_probe(loop, probe, target, target.checks[0]);
  }
};

TEST_F(SmtpCheck, RealOpenSmtpdGreetsAndListsItsCapabilities) {
  if (find_program("smtpd").empty() || !is_root()) GTEST_SKIP() << "needs OpenSMTPD and root";
  Smtpd server(false);
  const Result r = talk(server.port());
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(std::get<std::int64_t>(field_of(r, "banner_code")), 220);
  EXPECT_NE(std::get<std::string>(field_of(r, "banner")).find("OpenSMTPD"), std::string::npos);
  EXPECT_NE(std::get<std::string>(field_of(r, "capabilities")).find("8bitmime"), std::string::npos);
  EXPECT_FALSE(std::get<bool>(field_of(r, "starttls_offered")));
  ASSERT_TRUE(r.rtt && r.phases.connect && r.phases.first_byte);
  EXPECT_EQ(talk(server.port(), true).outcome, Outcome::smtp_rejected) << "STARTTLS asked for, not offered";
  server.stop();
  EXPECT_EQ(talk(server.port()).outcome, Outcome::refused);
}

TEST_F(SmtpCheck, OpenSmtpdsBrokenTlsIsReportedAsATlsError) {
  // Debian 12's OpenSMTPD 6.8 fails every TLS handshake under OpenSSL 3 ("EVP lib"; openssl
  // s_client sees the same alert). A monitor must say so, not call it up.
  if (find_program("smtpd").empty() || !is_root()) GTEST_SKIP() << "needs OpenSMTPD and root";
  Smtpd server(true);
  const Result r = talk(server.port(), true);
  ASSERT_TRUE(r.field("starttls_offered")) << to_string(r.outcome) << ": " << r.detail;
  EXPECT_TRUE(std::get<bool>(field_of(r, "starttls_offered")));
  EXPECT_EQ(r.outcome, Outcome::tls_error) << r.detail;
}

// A STARTTLS server written here with OpenSSL's server side: a real handshake.
TEST_F(SmtpCheck, StarttlsCompletesAHandshake) {
  TempDir dir;
  const std::string d = dir.path().string();
  run_command("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + d + "/k.pem -out " + d +
              "/c.pem -days 30 -subj /CN=mail.kp.test");
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  ASSERT_EQ(SSL_CTX_use_certificate_file(context, (d + "/c.pem").c_str(), SSL_FILETYPE_PEM), 1);
  ASSERT_EQ(SSL_CTX_use_PrivateKey_file(context, (d + "/k.pem").c_str(), SSL_FILETYPE_PEM), 1);
  TcpListener listener;
  std::thread server([&] {
    const int fd = ::accept(listener.fd(), nullptr, nullptr);
    const auto say_plain = [&](const std::string& text) { (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL); };
    char buffer[1024];
    say_plain("220 mail.kp.test ESMTP test\r\n");
    (void)::recv(fd, buffer, sizeof buffer, 0);
    say_plain("250-mail.kp.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
    (void)::recv(fd, buffer, sizeof buffer, 0);
    say_plain("220 2.0.0 ready\r\n");
    SSL* ssl = SSL_new(context);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      (void)SSL_read(ssl, buffer, sizeof buffer);
      const std::string ehlo = "250-mail.kp.test\r\n250 PIPELINING\r\n";
      SSL_write(ssl, ehlo.data(), static_cast<int>(ehlo.size()));
      (void)SSL_read(ssl, buffer, sizeof buffer);
      const std::string bye = "221 bye\r\n";
      SSL_write(ssl, bye.data(), static_cast<int>(bye.size()));
    }
    SSL_free(ssl);
    ::close(fd);
  });
  const Result r = talk(listener.port(), true);
  server.join();
  SSL_CTX_free(context);
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  ASSERT_TRUE(r.field("tls_version"));
  EXPECT_EQ(std::get<std::string>(field_of(r, "tls_version")).rfind("TLSv1", 0), 0u);
  EXPECT_TRUE(r.phases.tls);
}

TEST_F(SmtpCheck, DroppedPacketsTimeOut) {
  if (find_program("smtpd").empty() || !is_root()) GTEST_SKIP() << "needs OpenSMTPD and root";
  Smtpd server(false);
  NftRule drop("tcp dport " + std::to_string(server.port()) + " drop", "input");
  const MonoTime start = clock.now();
  EXPECT_EQ(talk(server.port(), false, 300ms).outcome, Outcome::timeout);
  EXPECT_LT(clock.now() - start, 800ms);
}

// A hostile server: `behave` runs on the accepted connection in a thread.
class HostileSmtp {
 public:
  explicit HostileSmtp(std::function<void(int)> behave) : behave_(std::move(behave)) {
    thread_ = std::thread([this] {
      const int client = ::accept(listener_.fd(), nullptr, nullptr);
      if (client < 0) return;
      behave_(client);
      ::close(client);
    });
  }
  ~HostileSmtp() {
    stop = true;
    listener_.close();
    thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const { return listener_.port(); }
  std::atomic<bool> stop{false};

 private:
  TcpListener listener_;
  std::function<void(int)> behave_;
  std::thread thread_;
};

void say(int fd, const std::string& text) { (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }
void hear(int fd) {
  char buffer[1024];
  (void)::recv(fd, buffer, sizeof buffer, 0);
}

TEST_F(SmtpCheck, A554BannerIsRejected) {
  HostileSmtp server([](int fd) { say(fd, "554 5.7.1 no service for you\r\n"); });
  const Result r = talk(server.port());
  EXPECT_EQ(r.outcome, Outcome::smtp_rejected) << r.detail;
  EXPECT_EQ(std::get<std::int64_t>(field_of(r, "banner_code")), 554);
}

TEST_F(SmtpCheck, NeverGreetingTimesOutSayingSo) {
  HostileSmtp* self = nullptr;
  HostileSmtp server([&](int) { wait_until([&] { return self && self->stop.load(); }, 3s); });
  self = &server;
  const Result r = talk(server.port(), false, 300ms);
  EXPECT_EQ(r.outcome, Outcome::timeout);
  EXPECT_EQ(r.detail, "no banner");
}

TEST_F(SmtpCheck, AGreetingOneByteAtATimeTimesOut) {
  HostileSmtp* self = nullptr;
  HostileSmtp server([&](int fd) {
    for (const char c : std::string("220 slow server greeting you\r\n")) {
      if (self && self->stop) return;
      say(fd, std::string(1, c));
      std::this_thread::sleep_for(100ms);  // the hostile peer's pace
    }
  });
  self = &server;
  const Result r = talk(server.port(), false, 500ms);
  EXPECT_EQ(r.outcome, Outcome::timeout);
  EXPECT_NE(r.detail.find("banner was incomplete"), std::string::npos) << r.detail;
}

TEST_F(SmtpCheck, GarbageAndEndlessLinesAreBadReplies) {
  {
    HostileSmtp server([](int fd) { say(fd, "SSH-2.0-OpenSSH_9.2\r\n"); });
    EXPECT_EQ(talk(server.port()).outcome, Outcome::bad_reply);
  }
  {
    HostileSmtp server([](int fd) {
      say(fd, "220 ");
      for (int i = 0; i < 100; ++i) say(fd, std::string(100, 'x'));
    });
    const Result r = talk(server.port());
    EXPECT_EQ(r.outcome, Outcome::bad_reply);
    EXPECT_NE(r.detail.find("2048"), std::string::npos) << r.detail;
  }
}

// A server whose greeting never ends, sending as fast as loopback takes it, on every
// connection (a thread each), until stopped. (It used to take the reader to 2.1 GB: the
// probe read to EAGAIN before it looked at its limits, and EAGAIN never came.)
class EndlessGreeting {
 public:
  EndlessGreeting() {
    acceptor_ = std::thread([this] {
      while (!stop_) {
        pollfd p{listener_.fd(), POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int client = ::accept(listener_.fd(), nullptr, nullptr);
        if (client < 0) continue;
        ++connections;
        const std::lock_guard lock(mutex_);
        senders_.emplace_back([this, client] { blast(client); });
      }
    });
  }
  ~EndlessGreeting() {
    stop_ = true;
    acceptor_.join();
    const std::lock_guard lock(mutex_);
    for (std::thread& sender : senders_) sender.join();
  }
  [[nodiscard]] std::uint16_t port() const { return listener_.port(); }
  std::atomic<int> connections{0};
  std::atomic<std::uint64_t> sent{0};

 private:
  void blast(int client) {
    const std::string chunk(256 * 1024, 'x');
    timeval tv{0, 100000};  // so that a stop is seen while the peer does not read
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    say(client, "220 ");
    while (!stop_) {
      const ssize_t n = ::send(client, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) break;  // the prober let go
      if (n > 0) sent += static_cast<std::uint64_t>(n);
    }
    ::close(client);
  }

  TcpListener listener_{false, 64};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::thread> senders_;
  std::thread acceptor_;
};

// The probe alone says what was wrong; how much it read before saying so depends on who is
// faster, the server or the reader, so the monitor test below is the one that measures it.
TEST_F(SmtpCheck, AGreetingThatNeverEndsIsABadReplyAtTheLineLimit) {
  EndlessGreeting server;
  const Result r = talk(server.port(), false, 3s);
  EXPECT_EQ(r.outcome, Outcome::bad_reply) << r.detail;
  EXPECT_EQ(r.detail, "at the banner stage: a reply line longer than 2048 bytes");
}

TEST_F(SmtpCheck, ClosingAfterTheBannerIsAReset) {
  HostileSmtp server([](int fd) {
    say(fd, "220 hello\r\n");
    hear(fd);
  });
  const Result r = talk(server.port());
  EXPECT_EQ(r.outcome, Outcome::reset) << r.detail;
  EXPECT_EQ(std::get<std::string>(field_of(r, "stage")), "ehlo");
}

TEST_F(SmtpCheck, EhloRefusedIsRejected) {
  HostileSmtp server([](int fd) {
    say(fd, "220 hello\r\n");
    hear(fd);
    say(fd, "502 5.5.1 EHLO not implemented\r\n");
    hear(fd);
  });
  EXPECT_EQ(talk(server.port()).outcome, Outcome::smtp_rejected);
}

TEST_F(SmtpCheck, GarbageInsteadOfATlsHandshakeIsATlsError) {
  HostileSmtp server([](int fd) {
    say(fd, "220 hello\r\n");
    hear(fd);
    say(fd, "250-hello\r\n250 STARTTLS\r\n");
    hear(fd);
    say(fd, "220 go ahead\r\n");
    hear(fd);
    say(fd, "this is not a TLS server hello at all, not even close................\r\n");
  });
  const Result r = talk(server.port(), true);
  EXPECT_EQ(r.outcome, Outcome::tls_error) << r.detail;
}

// The peak resident size of a monitor run, read while it runs (VmHWM only grows), and
// whether it ended by itself within `limit`.
struct PeakRun {
  std::int64_t peak_kib = 0;
  bool stopped = false;
  std::chrono::steady_clock::duration took{};
};
PeakRun run_for_peak(const std::vector<std::string>& argv, const std::filesystem::path& out, std::chrono::milliseconds limit) {
  PeakRun run;
  const auto started = std::chrono::steady_clock::now();
  ChildProcess monitor(argv, out);
  run.stopped = wait_until(
      [&] {
        std::ifstream status("/proc/" + std::to_string(monitor.pid()) + "/status");
        for (std::string line; std::getline(status, line);)
          if (line.rfind("VmHWM:", 0) == 0) run.peak_kib = std::max<std::int64_t>(run.peak_kib, std::atoll(line.c_str() + 6));
        return !monitor.running();
      },
      limit);
  run.took = std::chrono::steady_clock::now() - started;
  if (!run.stopped) monitor.stop();
  return run;
}

// The whole monitor against the endless greeting (two smtp checks of it, so that a reader
// reading to EAGAIN never gets there), with a tcp check due every 200 ms beside it: memory
// stays bounded, the other check keeps its schedule, and --duration is kept. (In the issue:
// RSS 2.1 GB, another check 25.6 s without running, a 15 s run lasting 36 s. Here, before
// the fix: a peak RSS of 540 MB to 1 GB and 7 or 8 tcp results in 4 s; after: 15 MB and 20.)
// Memory is counted above what the same binary takes with the tcp check alone: a sanitizer
// build's own image is near 190 MB before it reads a byte.
TEST(SmtpMonitor, AnEndlessGreetingCostsBoundedMemoryAndStallsNothing) {
  EndlessGreeting hostile;
  TcpListener steady(false, 512);
  TempDir dir;
  const std::string head = "lab_only: true\nvantage: test\ndefaults: { interval: 200ms, timeout: 150ms, jitter: 0s }\ntargets:\n";
  const std::string steady_target =
      "  - { name: steady, layer: web, address: 127.0.0.1, checks: [ { tcp: " + std::to_string(steady.port()) + " } ] }\n";
  const auto control_config = dir.write("control.yaml", head + steady_target);
  const auto config = dir.write(
      "c.yaml",
      head + "  - { name: hostile, layer: mail, address: 127.0.0.1, checks: [ { smtp: { port: " + std::to_string(hostile.port()) +
          ", interval: 1s, timeout: 900ms } } ] }\n"
          "  - { name: hostile2, layer: mail, address: 127.0.0.1, checks: [ { smtp: { port: " +
          std::to_string(hostile.port()) + ", interval: 1s, timeout: 900ms } } ] }\n" + steady_target);
  const auto control = run_for_peak(
      {BLACKOUT_BINARY, "monitor", control_config.string(), "--store", "none", "--json", "--duration", "2s", "--user", "root"},
      dir.path() / "control.out", 15s);
  ASSERT_TRUE(control.stopped) << "a --duration 2s run was still going after 15 s";
  ASSERT_GT(control.peak_kib, 0);

  const auto out = dir.path() / "monitor.out";
  const auto run = run_for_peak(
      {BLACKOUT_BINARY, "monitor", config.string(), "--store", "none", "--json", "--duration", "4s", "--user", "root"}, out, 15s);
  ASSERT_TRUE(run.stopped) << "a --duration 4s run was still going after 15 s";
  EXPECT_LT(run.took, 7s) << "--duration 4s";
  EXPECT_GT(hostile.connections.load(), 1) << "the smtp check ran more than once";
  const std::int64_t grown_kib = run.peak_kib - control.peak_kib;
  EXPECT_LT(grown_kib, 64 * 1024) << "peak RSS " << run.peak_kib << " KiB, " << control.peak_kib
                                  << " KiB without the hostile server; it sent " << hostile.sent.load() << " bytes";

  std::vector<Timestamp> steady_times;
  int hostile_results = 0;
  std::ifstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    if (!doc.is_object() || !doc.contains("target")) continue;
    if (doc["target"] == "hostile" || doc["target"] == "hostile2") {
      ++hostile_results;
      EXPECT_EQ(doc["outcome"], "bad-reply") << line;
    } else if (doc["target"] == "steady") {
      const auto time = parse_rfc3339(doc["time"].get<std::string>());
      ASSERT_TRUE(time) << line;
      steady_times.push_back(*time);
    }
  }
  EXPECT_GE(hostile_results, 4);
  ASSERT_GE(steady_times.size(), 10u) << read_file(out);
  Duration longest{0};
  for (std::size_t i = 1; i < steady_times.size(); ++i) longest = std::max(longest, steady_times[i] - steady_times[i - 1]);
  EXPECT_LT(longest, 500ms) << "the tcp check, due every 200 ms, went " << to_seconds(longest) << " s without a result";
  RecordProperty("peak_rss_kib", std::to_string(run.peak_kib));
  RecordProperty("control_peak_rss_kib", std::to_string(control.peak_kib));
  RecordProperty("longest_gap_ms", std::to_string(to_seconds(longest) * 1000));
  RecordProperty("run_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(run.took).count()));
  RecordProperty("hostile_bytes_sent", std::to_string(hostile.sent.load()));
}

}  // namespace
}  // namespace blackout
