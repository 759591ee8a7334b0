// The HTTP endpoint: the server against well-behaved and hostile clients on loopback, and the
// monitor's /metrics as promtool and a real Prometheus server (started here, on loopback)
// read it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <future>
#include <thread>
#include <vector>

#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "serve/http_server.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

// Sends `request` to 127.0.0.1:port (after `pause`), reads until the server closes; "" if
// the connection failed.
std::string http_exchange(std::uint16_t port, const std::string& request,
                          std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval limit{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return "";
  }
  std::this_thread::sleep_for(pause);
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

std::string status_line(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }
std::string body_of(const std::string& answer) {
  const auto at = answer.find("\r\n\r\n");
  return at == std::string::npos ? "" : answer.substr(at + 4);
}

// Runs the server's loop on this thread while `client` runs on another; returns its answer.
class ServerFixture : public testing::Test {
 protected:
  SystemClock clock;
  EventLoop loop{clock};
  std::unique_ptr<HttpServer> server;

  void start(HttpServerOptions options) {
    options.listen = "127.0.0.1:0";
    auto started = HttpServer::start(loop, options);
    ASSERT_TRUE(started) << started.error().message;
    server = std::move(*started);
    server->route("/hello", [] { return HttpResponse{200, "text/plain", "hello\n"}; });
  }
  [[nodiscard]] std::uint16_t port() const {
    return static_cast<std::uint16_t>(std::stoi(server->address().substr(server->address().rfind(':') + 1)));
  }
  std::string run(const std::function<std::string()>& client) {
    auto answer = std::async(std::launch::async, client);
    loop.run_until([&] { return answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready; },
                   clock.now() + std::chrono::seconds(20));
    return answer.get();
  }
};

TEST_F(ServerFixture, AnswersKnownPathsAndRefusesTheRest) {
  start({});
  const auto p = port();
  EXPECT_EQ(body_of(run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"); })), "hello\n");
  EXPECT_EQ(body_of(run([&] { return http_exchange(p, "GET /hello?x=1 HTTP/1.0\r\n\r\n"); })), "hello\n");
  const auto head = run([&] { return http_exchange(p, "HEAD /hello HTTP/1.1\r\n\r\n"); });
  EXPECT_EQ(status_line(head), "HTTP/1.1 200 OK");
  EXPECT_EQ(body_of(head), "");
  EXPECT_NE(head.find("Content-Length: 6"), std::string::npos);
  EXPECT_EQ(status_line(run([&] { return http_exchange(p, "GET /nothing HTTP/1.1\r\n\r\n"); })), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(status_line(run([&] { return http_exchange(p, "POST /hello HTTP/1.1\r\nContent-Length: 0\r\n\r\n"); })),
            "HTTP/1.1 405 Method Not Allowed");
}

TEST_F(ServerFixture, HostileClientsGetAnErrorAndCostLittle) {
  HttpServerOptions options;
  options.request_timeout = std::chrono::milliseconds(300);
  options.max_request_bytes = 1024;
  start(options);
  const auto p = port();
  EXPECT_EQ(status_line(run([&] { return http_exchange(p, "\x16\x03\x01 not http at all\r\n\r\n"); })),
            "HTTP/1.1 400 Bad Request");
  const std::string oversized = "GET /hello HTTP/1.1\r\nX: " + std::string(4000, 'a') + "\r\n\r\n";
  EXPECT_EQ(status_line(run([&] { return http_exchange(p, oversized); })), "HTTP/1.1 431 Request Header Fields Too Large");
  // Half a request, then nothing: answered 408 once the request timeout passes.
  EXPECT_EQ(status_line(run([&] { return http_exchange(p, "GET /hel"); })), "HTTP/1.1 408 Request Timeout");
  // A client that connects and goes away is simply forgotten; the server still answers.
  run([&] { return http_exchange(p, ""); });
  EXPECT_EQ(body_of(run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\n\r\n"); })), "hello\n");
  EXPECT_GE(server->counters().rejected, 3u);
}

TEST_F(ServerFixture, ABearerTokenIsRequiredWhenSet) {
  HttpServerOptions options;
  options.bearer_token = "s3cret";
  start(options);
  const auto p = port();
  const auto refused = run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\n\r\n"); });
  EXPECT_EQ(status_line(refused), "HTTP/1.1 401 Unauthorized");
  EXPECT_NE(refused.find("WWW-Authenticate: Bearer"), std::string::npos);
  EXPECT_EQ(status_line(run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\nAuthorization: Bearer wrong\r\n\r\n"); })),
            "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(body_of(run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\nauthorization: Bearer s3cret\r\n\r\n"); })),
            "hello\n");
}

// The scheme's name in any case (RFC 7235); whitespace around the token is not part of it.
TEST_F(ServerFixture, TheBearerSchemeIsCaseInsensitive) {
  HttpServerOptions options;
  options.bearer_token = "s3cret";
  start(options);
  const auto p = port();
  for (const std::string scheme : {"bearer", "BEARER", "BeArEr"})
    EXPECT_EQ(
        body_of(run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\nAuthorization: " + scheme + " s3cret \r\n\r\n"); })),
        "hello\n")
        << scheme;
  for (const std::string wrong :
       {"Basic s3cret", "Bearer", "Bearer ", "Bearers3cret", "Bearer s3cre", "Bearer s3crets", "s3cret"})
    EXPECT_EQ(status_line(run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\nAuthorization: " + wrong + "\r\n\r\n"); })),
              "HTTP/1.1 401 Unauthorized")
        << wrong;
}

TEST(Secrets, ComparedWholeWhateverTheLengths) {
  EXPECT_TRUE(same_secret("s3cret", "s3cret"));
  EXPECT_FALSE(same_secret("", "s3cret"));
  EXPECT_FALSE(same_secret("s3cre", "s3cret"));
  EXPECT_FALSE(same_secret("s3crets", "s3cret"));
  EXPECT_FALSE(same_secret(std::string("s3cret\0", 7), "s3cret"));
  EXPECT_FALSE(same_secret("S3cret", "s3cret"));
  EXPECT_FALSE(same_secret("s3creT", "s3cret"));
}

TEST(Secrets, ATokenFileOfWhitespaceIsRefused) {
  TempDir dir;
  for (const std::string blank : {"", "\n", "   \n", "\t \r\n", " \nsecond-line-token\n"}) {
    const auto token = read_bearer_token(dir.write("token", blank).string());
    ASSERT_FALSE(token) << "refused: [" << blank << "]";
    EXPECT_NE(token.error().message.find("holds no token"), std::string::npos) << token.error().message;
  }
  const auto padded = read_bearer_token(dir.write("token", "  s3cret \r\n").string());
  ASSERT_TRUE(padded);
  EXPECT_EQ(*padded, "s3cret");
  EXPECT_FALSE(read_bearer_token((dir.path() / "absent").string()));
}

// DNS rebinding: a page whose name the attacker made resolve to 127.0.0.1 reads the API
// from the victim's browser, with its own name in Host. Only loopback names, addresses and
// the names given are answered.
TEST_F(ServerFixture, OnlyItsOwnNamesInHostAreAnswered) {
  HttpServerOptions options;
  options.allowed_hosts = {"Monitor.Example.ORG."};
  start(options);
  const auto p = port();
  const std::string port_text = std::to_string(p);
  for (const std::string& host : std::vector<std::string>{
           "localhost", "localhost:" + port_text, "LOCALHOST.", "dash.localhost:" + port_text, "127.0.0.1:" + port_text,
           "127.0.0.1", "[::1]:" + port_text, "198.18.0.7", "monitor.example.org", "monitor.example.org:" + port_text})
    EXPECT_EQ(body_of(run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n"); })), "hello\n")
        << host;
  for (const std::string& host :
       std::vector<std::string>{"attacker.example", "attacker.example:" + port_text, "localhost.attacker.example",
                                "evil-localhost", "monitor.example.org.attacker.example", "[::1", "", "127.0.0.1.nip.io"}) {
    const std::string answer = run([&] { return http_exchange(p, "GET /hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n"); });
    EXPECT_EQ(status_line(answer), "HTTP/1.1 403 Forbidden") << host;
  }
  EXPECT_EQ(body_of(run([&] { return http_exchange(p, "GET /hello HTTP/1.0\r\n\r\n"); })), "hello\n")
      << "no Host at all: not a browser";
}

TEST_F(ServerFixture, ConnectionsOverTheCapAreTurnedAway) {
  HttpServerOptions options;
  options.max_connections = 2;
  options.request_timeout = std::chrono::seconds(2);
  start(options);
  const auto p = port();
  const auto answers = run([&] {
    // Two idle connections hold the cap; a third is told 503 at once.
    std::vector<int> idle;
    for (int i = 0; i < 2; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(p);
      to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      (void)::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
      idle.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const std::string third = http_exchange(p, "GET /hello HTTP/1.1\r\n\r\n");
    for (const int fd : idle) ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return third + "|" + http_exchange(p, "GET /hello HTTP/1.1\r\n\r\n");
  });
  EXPECT_EQ(status_line(answers), "HTTP/1.1 503 Service Unavailable");
  EXPECT_NE(answers.find("|HTTP/1.1 200 OK"), std::string::npos) << answers;
}

std::string http_get(std::uint16_t port, const std::string& path) {
  return body_of(http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
}

TEST(MonitorMetrics, PromtoolAcceptsThemAndARealPrometheusScrapesThem) {
  TempDir dir;
  TcpListener open_port;
  const std::uint16_t closed_port = unused_tcp_port();
  const auto config =
      dir.write("c.yaml",
                "lab_only: true\nvantage: test\ndefaults: { interval: 200ms, timeout: 100ms, jitter: 0s }\ntargets:\n"
                "  - { name: up-one, layer: web, address: 127.0.0.1, checks: [ {tcp: " +
                    std::to_string(open_port.port()) +
                    "} ] }\n"
                    "  - { name: refusing, layer: mail, address: 127.0.0.1, checks: [ {tcp: " +
                    std::to_string(closed_port) + "} ] }\n");
  const std::uint16_t port = unused_tcp_port();
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", "none", "--quiet", "--user", "root", "--listen",
                        "127.0.0.1:" + std::to_string(port)},
                       dir.path() / "monitor.log");
  ASSERT_TRUE(wait_for_tcp_port("127.0.0.1", port)) << read_file(dir.path() / "monitor.log");
  std::string metrics;
  ASSERT_TRUE(wait_until([&] {
    metrics = http_get(port, "/metrics");
    return metrics.find("blackout_target_state{vantage=\"test\",target=\"refusing\",layer=\"mail\",state=\"down\"} 1") !=
           std::string::npos;
  })) << metrics;
  EXPECT_NE(metrics.find("blackout_target_state{vantage=\"test\",target=\"up-one\",layer=\"web\",state=\"up\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("blackout_check_results_total{vantage=\"test\",target=\"refusing\",check=\"tcp:" +
                         std::to_string(closed_port) + "\",outcome=\"refused\"}"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("blackout_probes_launched_total "), std::string::npos);

  // promtool, from Debian's prometheus package, is the reference for the format.
  const auto file = dir.write("metrics.txt", metrics);
  const std::string promtool = find_program("promtool");
  ASSERT_FALSE(promtool.empty()) << "promtool (package prometheus) is needed";
  const std::string command =
      promtool + " check metrics < " + file.string() + " > " + (dir.path() / "promtool.out").string() + " 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << read_file(dir.path() / "promtool.out");

  const std::string state = http_get(port, "/api/v1/state");
  EXPECT_NE(state.find("\"target\": \"up-one\""), std::string::npos) << state;
  EXPECT_EQ(http_get(port, "/healthz"), "ok\n");

  // A real Prometheus server on loopback scrapes it every second.
  const std::string prometheus = find_program("prometheus");
  ASSERT_FALSE(prometheus.empty());
  const std::uint16_t prometheus_port = unused_tcp_port();
  const auto prometheus_config = dir.write("prometheus.yml",
                                           "global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
                                           "scrape_configs:\n  - job_name: blackout\n    static_configs:\n"
                                           "      - targets: ['127.0.0.1:" +
                                               std::to_string(port) + "']\n");
  ChildProcess server(
      {prometheus, "--config.file=" + prometheus_config.string(), "--storage.tsdb.path=" + (dir.path() / "tsdb").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
      dir.path() / "prometheus.log");
  ASSERT_TRUE(wait_for_tcp_port("127.0.0.1", prometheus_port, std::chrono::milliseconds(20000)))
      << read_file(dir.path() / "prometheus.log");
  std::string answer;
  const bool scraped = wait_until(
      [&] {
        answer = http_get(prometheus_port,
                          "/api/v1/query?query=blackout_target_state%7Btarget%3D%22refusing%22%2Cstate%3D%22down%22%7D");
        return answer.find("\"refusing\"") != std::string::npos && answer.find("\"1\"]") != std::string::npos;
      },
      std::chrono::milliseconds(30000));
  EXPECT_TRUE(scraped) << answer << "\n" << read_file(dir.path() / "prometheus.log");
  const std::string up = http_get(prometheus_port, "/api/v1/query?query=up%7Bjob%3D%22blackout%22%7D");
  EXPECT_NE(up.find("\"1\"]"), std::string::npos) << up;
}

TEST(MonitorMetrics, AnAddressOffLoopbackNeedsAToken) {
  TempDir dir;
  const auto config = dir.write(
      "c.yaml",
      "lab_only: true\nvantage: test\ntargets:\n  - { name: a, layer: web, address: 127.0.0.1, checks: [ {tcp: 9} ] }\n");
  ChildProcess monitor(
      {BLACKOUT_BINARY, "monitor", config.string(), "--store", "none", "--user", "root", "--listen", "0.0.0.0:0"},
      dir.path() / "monitor.log");
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));
  EXPECT_NE(monitor.exit_code(), 0);
  EXPECT_NE(read_file(dir.path() / "monitor.log").find("off loopback: give --token-file"), std::string::npos)
      << read_file(dir.path() / "monitor.log");
}

}  // namespace
}  // namespace blackout
