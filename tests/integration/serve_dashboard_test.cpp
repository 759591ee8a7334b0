// The dashboard and its API: the live stream (Server-Sent Events) against well-behaved,
// surplus and departing clients on loopback; the history's bounded memory; the JSON
// documents and the board's inputs for 10,000 synthetic targets (sizes, not times: timing
// belongs in bench/); the page itself (self-contained); and `blackout serve` over a store a
// monitor wrote.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "detect/detector.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "serve/api.hpp"
#include "serve/dashboard.hpp"
#include "serve/dashboard_charts.hpp"
#include "serve/history.hpp"
#include "serve/http_server.hpp"
#include "store/store.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval limit{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads from fd until `until` appears in what was read (or the peer closes, or 5 s pass).
std::string read_until(int fd, const std::string& until) {
  std::string got;
  char buffer[65536];
  while (got.find(until) == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

std::string http_exchange(std::uint16_t port, const std::string& request) {
  const int fd = connect_loopback(port);
  if (fd < 0) return "";
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer = read_until(fd, "\x01never");
  ::close(fd);
  return answer;
}

std::string body_of(const std::string& answer) {
  const auto at = answer.find("\r\n\r\n");
  return at == std::string::npos ? "" : answer.substr(at + 4);
}
std::string status_line(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }

class DashboardStream : public testing::Test {
 protected:
  SystemClock clock;
  EventLoop loop{clock};
  std::unique_ptr<HttpServer> server;

  void start(HttpServerOptions options) {
    options.listen = "127.0.0.1:0";
    auto started = HttpServer::start(loop, options);
    ASSERT_TRUE(started) << started.error().message;
    server = std::move(*started);
    server->stream("/stream", [] { return std::string("event: hello\ndata: {}\n\n"); });
  }
  [[nodiscard]] std::uint16_t port() const {
    return static_cast<std::uint16_t>(std::stoi(server->address().substr(server->address().rfind(':') + 1)));
  }
  template <typename F>
  auto run(F client) {
    auto answer = std::async(std::launch::async, client);
    loop.run_until([&] { return answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready; },
                   clock.now() + std::chrono::seconds(20));
    return answer.get();
  }
};

TEST_F(DashboardStream, PushesEventsAndHeartbeatsUntilTheClientLeaves) {
  HttpServerOptions options;
  options.stream_heartbeat = std::chrono::milliseconds(100);
  start(options);
  const auto p = port();
  // Once a client is there, broadcast from the loop (as the monitor does).
  std::function<void()> poke = [&] {
    if (server->stream_clients() > 0) server->broadcast("change", "[{\"subject\":\"a\"}]");
    loop.after(std::chrono::milliseconds(50), poke);
  };
  loop.after(std::chrono::milliseconds(50), poke);
  const std::string got = run([&] {
    const int fd = connect_loopback(p);
    const std::string request = "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string text = read_until(fd, "event: change");
    text += read_until(fd, ": heartbeat");
    ::close(fd);
    return text;
  });
  EXPECT_EQ(status_line(got), "HTTP/1.1 200 OK");
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(got.find("event: hello\ndata: {}\n\n"), std::string::npos);
  EXPECT_NE(got.find("event: change\ndata: [{\"subject\":\"a\"}]\n\n"), std::string::npos);
  EXPECT_NE(got.find(": heartbeat\n\n"), std::string::npos);
  // The client left: the server notices and forgets it.
  loop.run_until([&] { return server->stream_clients() == 0; }, clock.now() + std::chrono::seconds(5));
  EXPECT_EQ(server->stream_clients(), 0u);
}

TEST_F(DashboardStream, StreamClientsOverTheCapAreTurnedAwayAndOthersStillServed) {
  HttpServerOptions options;
  options.max_stream_clients = 2;
  start(options);
  server->route("/hello", [] { return HttpResponse{200, "text/plain", "hello\n"}; });
  const auto p = port();
  const std::string got = run([&] {
    std::vector<int> held;
    for (int i = 0; i < 2; ++i) {
      const int fd = connect_loopback(p);
      const std::string request = "GET /stream HTTP/1.1\r\n\r\n";
      (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
      read_until(fd, "event: hello");
      held.push_back(fd);
    }
    const std::string third = http_exchange(p, "GET /stream HTTP/1.1\r\n\r\n");
    const std::string plain = http_exchange(p, "GET /hello HTTP/1.1\r\n\r\n");
    for (const int fd : held) ::close(fd);
    return status_line(third) + "|" + body_of(plain);
  });
  EXPECT_EQ(got, "HTTP/1.1 503 Service Unavailable|hello\n");
}

TEST_F(DashboardStream, ATokenMayComeAsAccessTokenForEventSource) {
  HttpServerOptions options;
  options.bearer_token = "s3cret";
  start(options);
  const auto p = port();
  const std::string got = run([&] {
    const std::string refused = http_exchange(p, "GET /stream HTTP/1.1\r\n\r\n");
    const int fd = connect_loopback(p);
    const std::string request = "GET /stream?access_token=s3cret HTTP/1.1\r\n\r\n";
    (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    const std::string accepted = read_until(fd, "event: hello");
    ::close(fd);
    return status_line(refused) + "|" + status_line(accepted);
  });
  EXPECT_EQ(got, "HTTP/1.1 401 Unauthorized|HTTP/1.1 200 OK");
}

TEST(ServeApi, QueryParametersAreDecoded) {
  EXPECT_EQ(query_parameter("scope=target&subject=ns1%2Ekp", "subject"), "ns1.kp");
  EXPECT_EQ(query_parameter("scope=target&subject=a+b", "subject"), "a b");
  EXPECT_EQ(query_parameter("scope=target", "subject"), "");
  EXPECT_EQ(query_parameter("", "scope"), "");
}

Result make_result(const std::string& target, Timestamp at, bool ok) {
  Result r;
  r.time = at;
  r.vantage = "v";
  r.target = target;
  r.check = "tcp:80";
  r.kind = CheckKind::tcp;
  r.outcome = ok ? Outcome::ok : Outcome::timeout;
  if (ok) r.rtt = std::chrono::milliseconds(20);
  return r;
}

std::vector<Target> synthetic_targets(std::size_t n) {
  std::vector<Target> targets;
  const Layer layers[] = {Layer::web, Layer::mail, Layer::dns, Layer::router};
  for (std::size_t i = 0; i < n; ++i) {
    Target t;
    t.name = "t" + std::to_string(i);
    t.layer = layers[i % 4];
    t.groups = {"g" + std::to_string(i % 10)};
    // Probed as make_result has it: tcp:80, every second.
    Check check;
    check.id = "tcp:80";
    check.kind = CheckKind::tcp;
    check.interval = std::chrono::seconds(1);
    t.checks.push_back(check);
    targets.push_back(std::move(t));
  }
  return targets;
}

TEST(ServeApi, HistoryStaysWithinItsBudget) {
  HistoryOptions options;
  options.point_budget = 1000;
  options.max_points = 50;
  options.min_points = 5;
  History history(options);
  const Timestamp t0{std::chrono::seconds(1'800'000'000)};
  std::vector<TargetStatus> statuses;
  for (int i = 0; i < 100; ++i) statuses.push_back({"v", "t" + std::to_string(i), Layer::web, State::up, {}});
  for (int k = 0; k < 200; ++k) {
    for (const auto& s : statuses) history.add(make_result(s.target, t0 + std::chrono::seconds(k), k % 4 != 0));
    history.snapshot(t0 + std::chrono::seconds(k + 1), statuses);
  }
  EXPECT_EQ(history.per_target_capacity(), 10u);  // 1000 points shared by 100 targets
  EXPECT_EQ(history.target("t7").size(), 10u);
  EXPECT_EQ(history.layer(Layer::web).size(), 50u);
  EXPECT_LE(history.points_held(), 1000u + 2 * 50u);
  const auto last = history.target("t7").back();
  ASSERT_TRUE(last.rtt_ms && last.loss);
  EXPECT_DOUBLE_EQ(*last.rtt_ms, 20.0);
  EXPECT_DOUBLE_EQ(*last.loss, 0.0);
  EXPECT_TRUE(history.target("nobody").empty());
}

TEST(ServeApi, TenThousandTargetsGiveCompleteDocumentsOfBoundedSize) {
  // Statuses as the detector gives them, made up directly: what is tested is the documents
  // and the history, not detection.
  const auto targets = synthetic_targets(10'000);
  std::vector<TargetStatus> statuses;
  for (std::size_t i = 0; i < targets.size(); ++i)
    statuses.push_back({"v", targets[i].name, targets[i].layer, i % 100 == 0 ? State::down : State::up, {0.2, 1.1, 0.0, {}, {}}});
  std::vector<EntityStatus> aggregates{{Scope::network, "network", "", State::up}, {Scope::layer, "web", "", State::up}};
  const Timestamp t0{std::chrono::seconds(1'800'000'000)};
  History history;
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < targets.size(); ++i)
      history.add(make_result(targets[i].name, t0 + std::chrono::seconds(round), i % 100 != 0));
    history.snapshot(t0 + std::chrono::seconds(round + 1), statuses);
  }
  const std::string state = state_to_json(t0, statuses, aggregates);
  const std::string inventory = targets_to_json(t0, targets, statuses);
  // Everything is there, in documents small enough for a browser to take in one go.
  const auto s = nlohmann::json::parse(state);
  const auto inv = nlohmann::json::parse(inventory);
  EXPECT_EQ(s["targets"].size(), 10'000u);
  EXPECT_EQ(inv["targets"].size(), 10'000u);
  EXPECT_EQ(inv["targets"][100]["states"][0]["state"], "down");
  EXPECT_EQ(inv["targets"][0]["groups"][0], "g0");
  EXPECT_LT(state.size(), 4u << 20);
  EXPECT_LT(inventory.size(), 2u << 20);
  // The history for 10,000 targets keeps to its budget.
  EXPECT_GE(history.per_target_capacity(), HistoryOptions{}.min_points);
  EXPECT_LE(history.per_target_capacity() * 10'000, HistoryOptions{}.point_budget);
  EXPECT_EQ(history.target("t5").size(), 3u);
  ASSERT_EQ(history.layer(Layer::web).size(), 3u);
  EXPECT_DOUBLE_EQ(*history.layer(Layer::web).back().reachability, 0.96);  // t0, t100, ... are web and down: 100 of 2500
  // A layer's chart stays one SVG of bounded size whatever the number of targets.
  const std::string svg = layer_chart_svg(Layer::web, 2500, history.layer(Layer::web), {}, 1.0, 1040);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_LT(svg.size(), 200'000u);
}

TEST(ServeApi, SeriesDocumentsCarryEveryField) {
  History history;
  const Timestamp t0{std::chrono::seconds(1'800'000'000)};
  history.add(make_result("a", t0, true));
  history.add(make_result("a", t0, false));
  history.snapshot(t0 + std::chrono::seconds(2), {{"v", "a", Layer::dns, State::stressed, {0.8, 2.0, 0.5, {}, {}}}});
  const auto doc = nlohmann::json::parse(series_to_json("target", "a", "", history.target("a")));
  ASSERT_EQ(doc["points"].size(), 1u);
  const auto& p = doc["points"][0];
  EXPECT_EQ(p["state"], "stressed");
  EXPECT_EQ(p["reachability"], 1.0);
  EXPECT_EQ(p["stress"], 0.8);
  EXPECT_EQ(p["rtt_ms"], 20.0);
  EXPECT_EQ(p["loss"], 0.5);
  const auto layer = nlohmann::json::parse(series_to_json("layer", "dns", "", history.layer(Layer::dns)));
  EXPECT_EQ(layer["points"][0]["reachability"], 1.0);
  EXPECT_TRUE(layer["vantage"].is_null());
}

TEST(ServeApi, ThePageIsSelfContained) {
  const std::string page(dashboard_html());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* outside : {"src=\"http", "href=\"http", "<link", "@import", "url(http", "url(\"http", "<script src"})
    EXPECT_EQ(page.find(outside), std::string::npos) << outside;
  for (const char* part :
       {"/api/v1/stream", "/api/v1/targets", "/api/v1/chart", "/api/v1/events", "EventSource", "id=\"board\"", "id=\"drill\""})
    EXPECT_NE(page.find(part), std::string::npos) << part;
}

// The routes of a Dashboard, as the monitor and the serve command install them.
TEST_F(DashboardStream, RoutesAnswerWithTheirDocuments) {
  start({});
  const auto targets = synthetic_targets(8);
  Detector detector(targets, DetectionParams{});
  EventLog told;
  const Timestamp t0{std::chrono::seconds(1'800'000'000)};
  DashboardSources sources;
  sources.detector = &detector;
  sources.events = &told;
  sources.targets = [&]() -> const std::vector<Target>& { return targets; };
  sources.now = [&] { return t0; };
  Dashboard dashboard(*server, sources);
  // t1 answers its first eight probes, then none: long enough to be told from loss.
  constexpr int rounds = 16;
  for (int k = 0; k < rounds; ++k) {
    for (const Target& t : targets) {
      const Result r = make_result(t.name, t0 + std::chrono::seconds(k), t.name != "t1" || k < 8);
      detector.add(r);
      dashboard.add(r);
    }
    dashboard.snapshot(t0 + std::chrono::seconds(k + 1));
    told.take_from(detector);
  }
  const auto p = port();
  const auto answers = run([&] {
    std::map<std::string, std::string> got;
    for (const std::string path : {"/",
                                   "/api/v1/state",
                                   "/api/v1/targets",
                                   "/api/v1/events",
                                   "/api/v1/events?limit=0",
                                   "/api/v1/series?scope=target&subject=t1",
                                   "/api/v1/series?scope=layer&subject=web",
                                   "/api/v1/series?scope=network",
                                   "/api/v1/series?scope=moon",
                                   "/api/v1/chart?layer=web",
                                   "/api/v1/chart?scope=target&subject=t1",
                                   "/api/v1/chart?scope=network",
                                   "/api/v1/chart?scope=target&subject=nobody",
                                   "/api/v1/events?limit=-1",
                                   "/api/v1/events?limit=abc",
                                   "/api/v1/events?limit=1e23",
                                   "/api/v1/events?limit=99999999999999999999999",
                                   "/api/v1/events?limit=1",
                                   "/api/v1/chart?layer=web&width=abc",
                                   "/api/v1/chart?layer=web&width=-5"})
      got[path] = http_exchange(p, "GET " + path + " HTTP/1.1\r\n\r\n");
    return got;
  });
  EXPECT_NE(answers.at("/").find("Content-Type: text/html"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(body_of(answers.at("/api/v1/targets")))["targets"].size(), 8u);
  const auto events = nlohmann::json::parse(body_of(answers.at("/api/v1/events")));
  EXPECT_TRUE(events.contains("waves"));
  ASSERT_GE(events["events"].size(), 1u);  // t1 went down
  EXPECT_EQ(nlohmann::json::parse(body_of(answers.at("/api/v1/events?limit=0")))["events"].size(), 0u);
  EXPECT_EQ(nlohmann::json::parse(body_of(answers.at("/api/v1/series?scope=target&subject=t1")))["points"].size(),
            static_cast<std::size_t>(rounds));
  EXPECT_EQ(nlohmann::json::parse(body_of(answers.at("/api/v1/series?scope=layer&subject=web")))["points"].size(),
            static_cast<std::size_t>(rounds));
  EXPECT_EQ(nlohmann::json::parse(body_of(answers.at("/api/v1/series?scope=network")))["points"].size(),
            static_cast<std::size_t>(rounds));
  EXPECT_EQ(status_line(answers.at("/api/v1/series?scope=moon")), "HTTP/1.1 400 Bad Request");
  for (const std::string path :
       {"/api/v1/chart?layer=web", "/api/v1/chart?scope=target&subject=t1", "/api/v1/chart?scope=network"}) {
    EXPECT_NE(answers.at(path).find("Content-Type: image/svg+xml"), std::string::npos) << path;
    EXPECT_EQ(body_of(answers.at(path)).rfind("<svg", 0), 0u) << path;
  }
  EXPECT_EQ(status_line(answers.at("/api/v1/chart?scope=target&subject=nobody")), "HTTP/1.1 404 Not Found");
  // A limit or width that is not a whole number is the client's mistake, said as one (it was
  // 200 with an empty list).
  for (const std::string path : {"/api/v1/events?limit=-1", "/api/v1/events?limit=abc", "/api/v1/events?limit=1e23",
                                 "/api/v1/events?limit=99999999999999999999999", "/api/v1/chart?layer=web&width=abc",
                                 "/api/v1/chart?layer=web&width=-5"}) {
    EXPECT_EQ(status_line(answers.at(path)), "HTTP/1.1 400 Bad Request") << path;
    EXPECT_NE(body_of(answers.at(path)).find("expected a whole number"), std::string::npos) << path;
  }
  EXPECT_EQ(nlohmann::json::parse(body_of(answers.at("/api/v1/events?limit=1")))["events"].size(), 1u);
}

// `blackout serve` over the SQLite store a monitor is writing: it replays what is there and
// follows what is added.
TEST(DashboardServeCommand, ReplaysAStoreAndFollowsAMonitorWritingIt) {
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
  const std::string store = "sqlite:" + (dir.path() / "b.db").string();
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", store, "--quiet", "--user", "root"},
                       dir.path() / "monitor.log");
  ASSERT_TRUE(wait_until(
      [&] { return std::filesystem::exists(dir.path() / "b.db") && std::filesystem::file_size(dir.path() / "b.db") > 0; }));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // some results to replay
  const std::uint16_t port = unused_tcp_port();
  ChildProcess serve({BLACKOUT_BINARY, "serve", "--store", store, "--config", config.string(), "--listen",
                      "127.0.0.1:" + std::to_string(port), "--refresh", "500ms", "--step", "1s"},
                     dir.path() / "serve.log");
  ASSERT_TRUE(wait_for_tcp_port("127.0.0.1", port)) << read_file(dir.path() / "serve.log");
  const auto state_of = [&](const std::string& target) {
    const auto doc = nlohmann::json::parse(body_of(http_exchange(port, "GET /api/v1/state HTTP/1.1\r\n\r\n")), nullptr, false);
    if (doc.is_discarded()) return std::string();
    for (const auto& t : doc["targets"])
      if (t["target"] == target) return t["state"].get<std::string>();
    return std::string();
  };
  EXPECT_TRUE(
      wait_until([&] { return state_of("refusing") == "down" && state_of("up-one") == "up"; }, std::chrono::milliseconds(15000)))
      << read_file(dir.path() / "serve.log");
  // It follows the monitor: the series of a target grows as results are added.
  const auto points = [&] {
    const auto doc = nlohmann::json::parse(
        body_of(http_exchange(port, "GET /api/v1/series?scope=target&subject=up-one HTTP/1.1\r\n\r\n")), nullptr, false);
    return doc.is_discarded() ? std::size_t{0} : doc["points"].size();
  };
  const std::size_t before = points();
  EXPECT_TRUE(wait_until([&] { return points() > before; }, std::chrono::milliseconds(10000)));
  EXPECT_NE(body_of(http_exchange(port, "GET / HTTP/1.1\r\n\r\n")).find("id=\"board\""), std::string::npos);
  serve.stop();
  monitor.stop();
}

// A store whose raw results were pruned keeps its events: serve tells them as stored, beside
// what it replays from the results that remain (an event of before them, none after).
TEST(DashboardServeCommand, TellsTheStoredEventsOfAPeriodWhoseResultsWerePruned) {
  TempDir dir;
  const auto config = dir.write(
      "c.yaml", "lab_only: true\nvantage: test\ntargets:\n  - { name: ns1, layer: dns, address: 127.0.0.1, checks: [icmp] }\n");
  const std::string url = "sqlite:" + (dir.path() / "b.db").string();
  const Timestamp t0{std::chrono::seconds(1'800'000'000)};
  {
    auto store = open_store(url);
    ASSERT_TRUE(store) << store.error().message;
    Event old;
    old.id = "layer:dns:1";
    old.scope = Scope::layer;
    old.layer = Layer::dns;
    old.subject = "dns";
    old.kind = State::down;
    old.start = t0;
    old.end = t0 + std::chrono::minutes(30);
    old.signature = Signature::clean_cut;
    Event ongoing = old;
    ongoing.id = "layer:dns:2";
    ongoing.start = t0 + std::chrono::hours(50);
    ongoing.end.reset();
    Wave wave;
    wave.id = "wave:1";
    wave.start = old.start;
    wave.end = old.end;
    wave.events = {old.id};
    wave.signatures = {Signature::clean_cut};
    ASSERT_TRUE((*store)->write_detection({}, std::vector<Event>{old, ongoing}, std::vector<Wave>{wave}));
    // The raw results that remain: a day later, after the old event.
    Result r;
    r.time = t0 + std::chrono::hours(24);
    r.vantage = "test";
    r.target = "ns1";
    r.check = "icmp";
    r.kind = CheckKind::icmp;
    r.outcome = Outcome::ok;
    r.rtt = std::chrono::milliseconds(1);
    ASSERT_TRUE((*store)->write_results(std::vector<Result>{r}));
  }
  const std::uint16_t port = unused_tcp_port();
  ChildProcess serve(
      {BLACKOUT_BINARY, "serve", "--store", url, "--config", config.string(), "--listen", "127.0.0.1:" + std::to_string(port)},
      dir.path() / "serve.log");
  ASSERT_TRUE(wait_for_tcp_port("127.0.0.1", port)) << read_file(dir.path() / "serve.log");
  const auto doc = nlohmann::json::parse(body_of(http_exchange(port, "GET /api/v1/events HTTP/1.1\r\n\r\n")), nullptr, false);
  ASSERT_TRUE(doc.is_object());
  std::set<std::string> ids;
  for (const auto& e : doc["events"]) ids.insert(e["id"].get<std::string>());
  EXPECT_TRUE(ids.contains("layer:dns:1")) << doc.dump();
  EXPECT_FALSE(ids.contains("layer:dns:2")) << "an event after the oldest result is the replay's to tell";
  ASSERT_EQ(doc["waves"].size(), 1u) << doc.dump();
  EXPECT_EQ(doc["waves"][0]["id"], "wave:1");
  serve.stop();
}

}  // namespace
}  // namespace blackout
