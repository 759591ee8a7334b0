// http check against a real nginx started by the test (HTTP and HTTPS with a self-signed
// certificate made by openssl), and hostile servers written here: one that stalls, one
// that sends endless headers, one that resets mid-body, one that speaks garbage.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "probes/http/cert_date.hpp"
#include "probes/http/http_probe.hpp"
#include "support/net.hpp"
#include "support/netns.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

class Nginx {
 public:
  Nginx() : http_(unused_tcp_port()), https_(unused_tcp_port()), soon_(unused_tcp_port()) {
    const std::string d = dir_.path().string();
    const auto make_cert = [&](const std::string& name, int days) {
      run_command("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + d + "/" + name + ".key -out " + d + "/" + name +
                  ".crt -days " + std::to_string(days) + " -subj /CN=mfa.kp.test");
    };
    make_cert("long", 365);
    make_cert("soon", 3);
    dir_.write("nginx.conf", "daemon off;\nworker_processes 1;\npid " + d + "/nginx.pid;\nerror_log " + d +
                                 "/error.log warn;\n"
                                 "events { worker_connections 512; }\nhttp {\n  access_log off;\n  client_body_temp_path " +
                                 d + "/tmp;\n  proxy_temp_path " + d + "/tmp;\n  fastcgi_temp_path " + d +
                                 "/tmp;\n  uwsgi_temp_path " + d + "/tmp;\n  scgi_temp_path " + d +
                                 "/tmp;\n"
                                 "  server { listen 127.0.0.1:" +
                                 std::to_string(http_) +
                                 " default_server;\n"
                                 "    location = / { return 200 \"Ministry of Foreign Affairs\\n\"; }\n"
                                 "    location = /moved { return 301 /; }\n"
                                 "    location /pages/ { alias " +
                                 d +
                                 "/pages/; }\n"
                                 "    location / { return 404; } }\n"
                                 "  server { listen 127.0.0.1:" +
                                 std::to_string(http_) +
                                 "; server_name mfa.kp.test;\n"
                                 "    location / { return 200 \"named site\\n\"; } }\n"
                                 "  server { listen 127.0.0.1:" +
                                 std::to_string(https_) + " ssl; ssl_certificate " + d + "/long.crt; ssl_certificate_key " + d +
                                 "/long.key;\n    location / { return 200 \"secure\\n\"; } }\n"
                                 "  server { listen 127.0.0.1:" +
                                 std::to_string(soon_) + " ssl; ssl_certificate " + d + "/soon.crt; ssl_certificate_key " + d +
                                 "/soon.key;\n    location / { return 200 \"expiring\\n\"; } }\n}\n");
    std::filesystem::create_directories(dir_.path() / "pages");
    start();
  }
  // A static page nginx serves at /pages/NAME.
  [[nodiscard]] std::string page(const std::string& name, const std::string& content) const {
    dir_.write("pages/" + name, content);
    return url("/pages/" + name);
  }
  void start() {
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"nginx", "-c", (dir_.path() / "nginx.conf").string()},
                                              dir_.path() / "out.log");
    if (!wait_for_tcp_port("127.0.0.1", http_) || !wait_for_tcp_port("127.0.0.1", https_))
      throw std::runtime_error("nginx did not start: " + read_file(dir_.path() / "out.log") +
                               read_file(dir_.path() / "error.log"));
  }
  void stop() { process_.reset(); }
  [[nodiscard]] std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(http_) + path;
  }
  [[nodiscard]] std::string secure(bool expiring = false) const {
    return "https://127.0.0.1:" + std::to_string(expiring ? soon_ : https_) + "/";
  }
  [[nodiscard]] std::uint16_t http_port() const { return http_; }

 private:
  TempDir dir_;
  std::uint16_t http_, https_, soon_;
  std::unique_ptr<ChildProcess> process_;
};

class HttpCheck : public testing::Test {
 protected:
  SystemClock clock;
  EventLoop loop{clock};
  HttpProbe probe{loop};
  Result get(const std::string& url, std::function<void(HttpParams&)> adjust = {}, Duration timeout = 2s,
             std::string address = "") {
    HttpParams p;
    p.url = url;
    if (adjust) adjust(p);
    const Target target = make_target(p, address, timeout);
    return run_probe(loop, probe, target, target.checks[0]);
  }
};

TEST_F(HttpCheck, RealNginxOkWithPhasesAndFields) {
  if (find_program("nginx").empty()) GTEST_SKIP() << "nginx not installed";
  Nginx nginx;
  const Result r = get(nginx.url(), [](HttpParams& p) { p.body_match = "Foreign Affairs"; });
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
  EXPECT_EQ(std::get<std::int64_t>(field_of(r, "status")), 200);
  EXPECT_EQ(std::get<bool>(field_of(r, "body_matched")), true);
  ASSERT_TRUE(r.rtt && r.phases.connect && r.phases.first_byte);
  EXPECT_LE(*r.phases.connect + *r.phases.first_byte, *r.rtt + 1ms);
  EXPECT_EQ(get(nginx.url("/missing")).outcome, Outcome::bad_status);
  EXPECT_EQ(get(nginx.url("/missing"), [](HttpParams& p) { p.expect_status = {200, 404}; }).outcome, Outcome::ok);
  EXPECT_EQ(get(nginx.url(), [](HttpParams& p) { p.body_match = "Naenara"; }).outcome, Outcome::bad_body);
  EXPECT_EQ(get(nginx.url(), [](HttpParams& p) { p.method = "HEAD"; }).outcome, Outcome::ok);
}

// body_match ran std::regex, recursive and backtracking, on the event loop over a body the
// server chooses: a one-line page of 50 KB crashed the process (stack overflow), and a
// catastrophic pattern held the loop 8 s on a 50-byte body against a 2 s timeout. RE2 is
// linear in the body.
TEST_F(HttpCheck, BodyMatchOnALongOneLinePageNeitherCrashesNorStalls) {
  if (find_program("nginx").empty()) GTEST_SKIP() << "nginx not installed";
  Nginx nginx;
  const std::string line = "<html><body>Welcome" + std::string(200 * 1024, 'x') + " to Korea</body></html>";
  const std::string url = nginx.page("long.html", line);
  const MonoTime start = clock.now();
  const Result found = get(url, [](HttpParams& p) { p.body_match = "Welcome.*Korea"; });
  EXPECT_EQ(found.outcome, Outcome::ok) << found.detail;
  EXPECT_EQ(std::get<std::int64_t>(field_of(found, "body_bytes")), static_cast<std::int64_t>(line.size()));
  EXPECT_EQ(std::get<bool>(field_of(found, "body_matched")), true);
  const Result missing = get(url, [](HttpParams& p) { p.body_match = "Welcome.*Pyongyang"; });
  EXPECT_EQ(missing.outcome, Outcome::bad_body) << missing.detail;
  EXPECT_LT(clock.now() - start, 1s);
}

TEST_F(HttpCheck, ACatastrophicPatternIsMatchedInLinearTime) {
  if (find_program("nginx").empty()) GTEST_SKIP() << "nginx not installed";
  Nginx nginx;
  const std::string url = nginx.page("words.txt", "words words words words words words words words words");
  for (const std::string pattern : {"(\\w+\\s?)*!", "(a|aa)*b", "(x+x+)+y"}) {
    const MonoTime start = clock.now();
    const Result r = get(url, [&](HttpParams& p) { p.body_match = pattern; });
    const Duration took = clock.now() - start;
    EXPECT_EQ(r.outcome, Outcome::bad_body) << pattern << ": " << r.detail;
    EXPECT_LT(took, 500ms) << pattern << " held the event loop";
  }
  // A 1 MiB body (the most kept) against the same pattern: still linear.
  const std::string big = nginx.page("big.txt", [] {
    std::string text;
    while (text.size() < HttpProbe::max_body) text += "word ";
    return text;
  }());
  const MonoTime start = clock.now();
  const Result r = get(
      big, [](HttpParams& p) { p.body_match = "(\\w+\\s?)*!"; }, 5s);
  EXPECT_EQ(r.outcome, Outcome::bad_body) << r.detail;
  EXPECT_LT(clock.now() - start, 2s);
}

TEST_F(HttpCheck, RedirectsFollowedOnlyWhenAsked) {
  if (find_program("nginx").empty()) GTEST_SKIP() << "nginx not installed";
  Nginx nginx;
  const Result not_followed = get(nginx.url("/moved"));
  EXPECT_EQ(not_followed.outcome, Outcome::bad_status);
  EXPECT_EQ(std::get<std::int64_t>(field_of(not_followed, "status")), 301);
  const Result followed = get(nginx.url("/moved"), [](HttpParams& p) { p.follow_redirects = true; });
  EXPECT_EQ(followed.outcome, Outcome::ok) << followed.detail;
  EXPECT_EQ(std::get<std::int64_t>(field_of(followed, "redirects")), 1);
}

TEST_F(HttpCheck, ConnectsToTheTargetAddressWithTheSiteName) {
  if (find_program("nginx").empty()) GTEST_SKIP() << "nginx not installed";
  Nginx nginx;
  // The URL names a host that resolves nowhere; the target's address is where it lives.
  const Result r = get(
      "http://mfa.kp.test:" + std::to_string(nginx.http_port()) + "/", [](HttpParams& p) { p.body_match = "named site"; }, 2s,
      "127.0.0.1");
  EXPECT_EQ(r.outcome, Outcome::ok) << r.detail;
}

TEST_F(HttpCheck, TlsVerificationAndCertificateExpiry) {
  if (find_program("nginx").empty()) GTEST_SKIP() << "nginx not installed";
  Nginx nginx;
  EXPECT_EQ(get(nginx.secure()).outcome, Outcome::tls_error) << "a self-signed certificate does not verify";
  const Result unverified = get(nginx.secure(), [](HttpParams& p) { p.tls_verify = false; });
  EXPECT_EQ(unverified.outcome, Outcome::ok) << unverified.detail;
  ASSERT_TRUE(unverified.phases.tls);
  ASSERT_TRUE(unverified.field("cert_days_left"));
  EXPECT_GT(std::get<double>(field_of(unverified, "cert_days_left")), 360);
  const Result expiring = get(nginx.secure(true), [](HttpParams& p) { p.tls_verify = false; });
  EXPECT_EQ(expiring.outcome, Outcome::cert_expiring) << expiring.detail;
  EXPECT_NEAR(std::get<double>(field_of(expiring, "cert_days_left")), 3, 0.1);
}

TEST_F(HttpCheck, AStoppedServerIsRefusedAndDroppedPacketsTimeOut) {
  if (find_program("nginx").empty()) GTEST_SKIP() << "nginx not installed";
  Nginx nginx;
  if (is_root()) {
    NftRule drop("tcp dport " + std::to_string(nginx.http_port()) + " drop", "input");
    const MonoTime start = clock.now();
    EXPECT_EQ(get(nginx.url(), {}, 300ms).outcome, Outcome::timeout);
    EXPECT_LT(clock.now() - start, 800ms);
  }
  nginx.stop();
  EXPECT_EQ(get(nginx.url()).outcome, Outcome::refused);
}

TEST_F(HttpCheck, HundredsAtOnceAllCompleteAndReleaseTheirSockets) {
  if (find_program("nginx").empty()) GTEST_SKIP() << "nginx not installed";
  Nginx nginx;
  HttpParams p;
  p.url = nginx.url();
  const Target target = make_target(p, "", 5s);
  int done = 0, ok = 0;
  for (int i = 0; i < 200; ++i)
    probe.start(ProbeRequest{&target, &target.checks[0], std::nullopt, false}, [&](Result&& r) {
      ++done;
      ok += r.outcome == Outcome::ok;
    });
  loop.run_until([&] { return done == 200; }, clock.now() + 10s);
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(loop.watched(), 0u);
}

// A hostile server: runs `behave` on each accepted connection, in a thread.
class HostileHttp {
 public:
  explicit HostileHttp(std::function<void(int)> behave) : behave_(std::move(behave)) {
    thread_ = std::thread([this] {
      const int client = ::accept(listener_.fd(), nullptr, nullptr);
      if (client < 0) return;
      char request[4096];
      (void)::recv(client, request, sizeof request, 0);
      behave_(client);
      ::close(client);
    });
  }
  ~HostileHttp() {
    listener_.close();  // unblocks accept if nobody came
    thread_.join();
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(listener_.port()) + "/"; }

 private:
  TcpListener listener_;
  std::function<void(int)> behave_;
  std::thread thread_;
};

void send_text(int fd, const std::string& text) { (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

void set_reset_on_close_for_test(int fd) {
  linger option{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
}

TEST_F(HttpCheck, AServerThatStallsTimesOut) {
  std::atomic<bool> release{false};
  HostileHttp server([&](int) { wait_until([&] { return release.load(); }, 3s); });
  EXPECT_EQ(get(server.url(), {}, 300ms).outcome, Outcome::timeout);
  release = true;
}

TEST_F(HttpCheck, EndlessHeadersAreABadReply) {
  HostileHttp server([](int fd) {
    send_text(fd, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 5000; ++i) send_text(fd, "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'x') + "\r\n");
  });
  const Result r = get(server.url(), {}, 3s);
  EXPECT_EQ(r.outcome, Outcome::bad_reply) << r.detail;
  EXPECT_NE(r.detail.find("64 KiB"), std::string::npos) << r.detail;
}

// One header line of 300 KB: curl gives up with CURLE_OUT_OF_MEMORY, which was shown as
// the probe's detail ("Out of memory") as if the monitor had run out.
TEST_F(HttpCheck, AnEndlessHeaderLineIsABadReplyNotOutOfMemory) {
  HostileHttp server(
      [](int fd) { send_text(fd, "HTTP/1.1 200 OK\r\nX-Long: " + std::string(300 * 1024, 'a') + "\r\n\r\nbody"); });
  const Result r = get(server.url(), {}, 3s);
  EXPECT_EQ(r.outcome, Outcome::bad_reply) << r.detail;
  EXPECT_EQ(r.detail, "a header line longer than 100 KiB");
}

TEST_F(HttpCheck, AResetMidBodyIsAReset) {
  HostileHttp server([](int fd) {
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(1000, 'a'));
    set_reset_on_close_for_test(fd);
  });
  const Result r = get(server.url(), {}, 2s);
  EXPECT_EQ(r.outcome, Outcome::reset) << r.detail;
}

TEST_F(HttpCheck, GarbageIsABadReply) {
  HostileHttp server([](int fd) { send_text(fd, "\x16\x03\x01 this is not HTTP at all\r\n\r\n"); });
  const Result r = get(server.url(), {}, 2s);
  EXPECT_EQ(r.outcome, Outcome::bad_reply) << r.detail;
}

TEST_F(HttpCheck, ABodyThatDripsTooSlowlyTimesOut) {
  std::atomic<bool> stop{false};
  HostileHttp server([&](int fd) {
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    for (int i = 0; i < 30 && !stop; ++i) {
      send_text(fd, "a");
      std::this_thread::sleep_for(50ms);  // the hostile peer's own pace, not a wait for our code
    }
  });
  EXPECT_EQ(get(server.url(), {}, 400ms).outcome, Outcome::timeout);
  stop = true;
}

TEST(CertDate, ParsesCurlsFormatAndRejectsTheRest) {
  EXPECT_EQ(format_rfc3339(*parse_cert_date("Jan  1 00:00:00 2027 GMT"), 0), "2027-01-01T00:00:00Z");
  for (const char* bad :
       {"", "2027-01-01", "Jan 1 00:00:00 2027", "Foo  1 00:00:00 2027 GMT", "Jan  1 00:00:00 2027 GMT trailing"})
    EXPECT_FALSE(parse_cert_date(bad)) << bad;
}

}  // namespace
}  // namespace blackout
