// The collector session against a real BIRD on loopback: BIRD (127.0.0.1) exports a static
// route for the country prefix to blackout (127.0.0.2); disabling the static protocol with
// birdc withdraws it and blackout sees the withdrawal within seconds; enabling it brings it
// back. Shutting BIRD's side of the session down is a session loss with its NOTIFICATION,
// not a withdrawal. `blackout bgp watch` prints the same as lines. BIRD runs in the foreground with its control socket and PID
// file in a temporary directory and is stopped by PID.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "bgp/bgp_probe.hpp"
#include "bgp/collector.hpp"
#include "bgp/session.hpp"
#include "engine/clock.hpp"
#include "engine/loop.hpp"
#include "store/store.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace blackout::bgp {
namespace {

using namespace std::chrono_literals;
using testing_support::ChildProcess;
using testing_support::TempDir;

constexpr const char* country_prefix = "198.18.64.0/22";
constexpr const char* country_prefix_v6 = "fd00:198:18::/48";

std::string bird_config(const TempDir& dir, std::uint16_t bird_port) {
  return "log \"" + (dir.path() / "bird.log").string() +
         "\" all;\n"
         "router id 127.0.0.1;\n"
         "protocol device {}\n"
         "protocol static country { ipv4; route " +
         std::string(country_prefix) +
         " unreachable; }\n"
         "protocol static country6 { ipv6; route " +
         std::string(country_prefix_v6) +
         " unreachable; }\n"
         "protocol bgp collector {\n"
         "  local 127.0.0.1 port " +
         std::to_string(bird_port) +
         " as 65001;\n"
         "  neighbor 127.0.0.2 as 64999;\n"
         // multihop: BIRD refuses a directly connected neighbour on the loopback interface
         // ("Invalid remote address"); strict bind: listen on 127.0.0.1 only, not on all.
         "  passive on; multihop; strict bind on;\n"
         "  hold time 6; keepalive time 2; connect retry time 1; error wait time 1, 2;\n"
         "  ipv4 { import none; export where proto = \"country\"; };\n"
         "  ipv6 { import none; export where proto = \"country6\"; next hop address ::1; };\n"
         "}\n";
}

class BgpBird : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing_support::find_program("bird").empty() || testing_support::find_program("birdc").empty())
      GTEST_SKIP() << "bird2 is not installed";
    bird_port_ = testing_support::unused_tcp_port();
    const auto config = dir_.write("bird.conf", bird_config(dir_, bird_port_));
    socket_ = (dir_.path() / "bird.ctl").string();
    bird_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"bird", "-f", "-c", config.string(), "-s", socket_, "-P", (dir_.path() / "bird.pid").string()},
        dir_.path() / "bird.out");
    ASSERT_TRUE(testing_support::wait_for_tcp_port("127.0.0.1", bird_port_))
        << testing_support::read_file(dir_.path() / "bird.out");
  }
  void TearDown() override {
    if (bird_) bird_->stop();
  }

  void birdc(const std::string& command) {
    const std::string line = testing_support::find_program("birdc") + " -s " + socket_ + " " + command + " >/dev/null";
    ASSERT_EQ(std::system(line.c_str()), 0) << line;
  }
  SessionConfig session_config() const {
    SessionConfig config;
    config.peer_address = *IpAddress::parse("127.0.0.1");
    config.peer_port = bird_port_;
    config.local_address = *IpAddress::parse("127.0.0.2");
    config.local_as = 64999;
    config.peer_as = 65001;
    config.router_id = *IpAddress::parse("127.0.0.2");
    config.hold_time = 9;
    config.retry_initial = 200ms;
    config.retry_max = 1s;
    return config;
  }
  bool visible(const char* prefix) const { return rib_.paths(*Prefix::parse(prefix)) != nullptr; }
  bool run_until(const std::function<bool()>& done, Duration limit = 15s) { return loop_.run_until(done, clock_.now() + limit); }

  TempDir dir_;
  std::uint16_t bird_port_ = 0;
  std::string socket_;
  std::unique_ptr<ChildProcess> bird_;
  SystemClock clock_;
  EventLoop loop_{clock_};
  Rib rib_;
  std::vector<SessionChange> changes_;
  std::vector<RouteEvent> routes_;
  Session::Handlers handlers_{[this](const SessionChange& change) { changes_.push_back(change); },
                              [this](const RouteEvent& route) { routes_.push_back(route); }};
};

TEST_F(BgpBird, SeesTheCountryPrefixWithdrawnAndAnnouncedAgain) {
  Session session(loop_, session_config(), rib_, handlers_);
  ASSERT_TRUE(session.start().ok());
  ASSERT_TRUE(run_until([&] { return visible(country_prefix) && visible(country_prefix_v6); }))
      << "state " << to_string(session.state()) << "\n"
      << testing_support::read_file(dir_.path() / "bird.log");
  EXPECT_EQ(session.state(), SessionState::established);
  ASSERT_TRUE(session.peer_open());
  EXPECT_EQ(session.peer_open()->asn(), 65001U);
  EXPECT_EQ(session.negotiated_hold_time(), 6);
  // BIRD marks the end of its table for both families, because blackout said it understands.
  EXPECT_TRUE(run_until([&] { return session.counters().end_of_rib >= 2; }, 5s));
  const auto* paths = rib_.paths(*Prefix::parse(country_prefix));
  ASSERT_EQ(paths->size(), 1U);
  EXPECT_EQ(origin_as(paths->begin()->second.attributes->as_path), 65001U);

  routes_.clear();
  birdc("disable country");
  const auto disabled = clock_.now();
  ASSERT_TRUE(run_until([&] { return !visible(country_prefix); }));
  EXPECT_LT(clock_.now() - disabled, 5s);
  ASSERT_EQ(routes_.size(), 1U);
  EXPECT_TRUE(routes_[0].withdrawn);
  EXPECT_FALSE(routes_[0].stale);
  EXPECT_EQ(routes_[0].prefix.prefix().to_string(), country_prefix);
  EXPECT_TRUE(visible(country_prefix_v6));  // the other protocol's route stays

  birdc("enable country");
  const auto enabled = clock_.now();
  ASSERT_TRUE(run_until([&] { return visible(country_prefix); }));
  EXPECT_LT(clock_.now() - enabled, 5s);
  EXPECT_EQ(session.state(), SessionState::established);
  session.stop();
}

TEST_F(BgpBird, ALostSessionIsNotAWithdrawal) {
  Session session(loop_, session_config(), rib_, handlers_);
  ASSERT_TRUE(session.start().ok());
  ASSERT_TRUE(run_until([&] { return visible(country_prefix); })) << testing_support::read_file(dir_.path() / "bird.log");
  changes_.clear();
  routes_.clear();
  birdc("disable collector");
  ASSERT_TRUE(run_until([&] { return session.state() != SessionState::established; }));
  ASSERT_FALSE(changes_.empty());
  EXPECT_EQ(changes_[0].reason, DownReason::notification_received);
  ASSERT_TRUE(changes_[0].notification);
  EXPECT_EQ(changes_[0].notification->code, notification_code::cease);
  EXPECT_TRUE(visible(country_prefix));  // still there: the session is lost, not the route
  for (const auto& route : routes_) EXPECT_FALSE(route.withdrawn);

  birdc("enable collector");
  ASSERT_TRUE(run_until([&] { return session.counters().established >= 2; }))
      << testing_support::read_file(dir_.path() / "bird.log");
  // BIRD announces the prefix again (and marks the end of its table): nothing withdrawn.
  ASSERT_TRUE(run_until([&] { return !routes_.empty(); }));
  EXPECT_TRUE(visible(country_prefix));
  for (const auto& route : routes_) EXPECT_FALSE(route.withdrawn);
  session.stop();
}

// The bgp check kind as the monitor runs it: a Collector with one session to BIRD, read by
// the BgpProbe. Visible, withdrawn within seconds, back; and a lost session is no-session
// (nothing can be said), never withdrawn.
TEST_F(BgpBird, TheBgpCheckSaysVisibleWithdrawnOrNoSession) {
  BgpFeedConfig feed;
  feed.local_as = 64999;
  feed.router_id = *IpAddress::parse("127.0.0.2");
  BgpSessionSpec spec;
  spec.name = "bird";
  spec.peer_address = *IpAddress::parse("127.0.0.1");
  spec.peer_port = bird_port_;
  spec.local_address = *IpAddress::parse("127.0.0.2");
  spec.peer_as = 65001;
  spec.hold_time = 6;
  feed.sessions.push_back(spec);
  std::vector<std::string> lost;
  Collector collector(loop_, feed, [&](const std::string& name, const SessionChange& change) {
    if (change.from == SessionState::established) lost.push_back(name + " " + to_string(change.reason));
  });
  BgpProbe probe(loop_, collector);
  const BgpParams country{Prefix::parse(country_prefix), std::nullopt, 1};
  const BgpParams country_v6{Prefix::parse(country_prefix_v6), std::nullopt, 1};
  const BgpParams by_origin{std::nullopt, 65001U, 1};
  const BgpParams inside{Prefix::parse("198.18.65.0/24"), std::nullopt, 1};  // covered by the /22

  EXPECT_EQ(probe.evaluate(country).outcome, Outcome::no_session) << "not started: nothing can be said";
  ASSERT_TRUE(collector.start().ok());
  ASSERT_TRUE(run_until([&] { return probe.evaluate(country).outcome == Outcome::ok; })) << collector.describe_sessions();
  const Result seen = probe.evaluate(country);
  EXPECT_EQ(std::get<std::int64_t>(testing_support::field_of(seen, "peers_seen")), 1);
  EXPECT_EQ(std::get<std::int64_t>(testing_support::field_of(seen, "peers_up")), 1);
  EXPECT_EQ(std::get<std::string>(testing_support::field_of(seen, "as_path")), "65001");
  EXPECT_EQ(std::get<std::string>(testing_support::field_of(seen, "origin_as")), "65001");
  EXPECT_EQ(seen.detail, "seen by 1 of 1 peers, 1 paths, 1 prefix; origin AS 65001; shortest AS path 65001");
  EXPECT_EQ(probe.evaluate(inside).outcome, Outcome::ok) << "a covering prefix counts";
  EXPECT_EQ(probe.evaluate(by_origin).outcome, Outcome::ok);
  EXPECT_EQ(std::get<std::int64_t>(testing_support::field_of(probe.evaluate(by_origin), "prefixes")), 2);
  ASSERT_TRUE(run_until([&] { return probe.evaluate(country_v6).outcome == Outcome::ok; }));

  // Through the Probe interface, as the scheduler calls it: answered later, from the loop.
  Target target;
  target.name = "country";
  Check check;
  check.kind = CheckKind::bgp;
  check.params = country;
  std::optional<Result> answered;
  probe.start(ProbeRequest{&target, &check, std::nullopt, false}, [&](Result&& r) { answered = std::move(r); });
  EXPECT_FALSE(answered) << "never from inside start()";
  ASSERT_TRUE(run_until([&] { return answered.has_value(); }, 1s));
  EXPECT_EQ(answered->outcome, Outcome::ok);

  birdc("disable country");
  const auto disabled = clock_.now();
  ASSERT_TRUE(run_until([&] { return probe.evaluate(country).outcome == Outcome::withdrawn; }));
  EXPECT_LT(clock_.now() - disabled, 5s);
  EXPECT_EQ(std::get<std::int64_t>(testing_support::field_of(probe.evaluate(country), "peers_seen")), 0);
  EXPECT_EQ(probe.evaluate(country_v6).outcome, Outcome::ok);
  birdc("enable country");
  ASSERT_TRUE(run_until([&] { return probe.evaluate(country).outcome == Outcome::ok; }));

  birdc("disable collector");
  ASSERT_TRUE(run_until([&] { return probe.evaluate(country).outcome != Outcome::ok; }));
  const Result gone = probe.evaluate(country);
  EXPECT_EQ(gone.outcome, Outcome::no_session) << gone.detail;
  EXPECT_NE(gone.detail.find("bird: "), std::string::npos) << gone.detail;
  EXPECT_NE(gone.detail.find("notification-received"), std::string::npos) << gone.detail;
  ASSERT_EQ(lost.size(), 1U);
  EXPECT_EQ(lost[0], "bird notification-received");
  birdc("enable collector");
  ASSERT_TRUE(run_until([&] { return probe.evaluate(country).outcome == Outcome::ok; }, 20s)) << collector.describe_sessions();
  collector.stop();
}

// blackout monitor with a `bgp` section: its bgp check goes through the store and the
// detector like every other check, and a withdrawal is a routing-withdrawal event.
TEST_F(BgpBird, MonitorStoresBgpResultsAndAWithdrawalIsARoutingWithdrawal) {
  const std::string url = "sqlite:" + (dir_.path() / "m.db").string();
  const auto config =
      dir_.write("monitor.yaml",
                 "lab_only: true\nvantage: test\n"
                 "defaults: { interval: 500ms, timeout: 200ms, jitter: 0s, confirmations: 1, confirm_spacing: 100ms }\n"
                 "detection: { wave_gap: 2s, clean_cut_spread: 2s, stress_lead: 2s }\n"
                 "bgp:\n  local_as: 64999\n  router_id: 127.0.0.2\n  sessions:\n"
                 "    - { name: bird, peer: \"127.0.0.1:" +
                     std::to_string(bird_port_) +
                     "\", peer_as: 65001, local: 127.0.0.2, hold_time: 6 }\n"
                     "targets:\n"
                     "  - { name: country-prefix, layer: bgp, checks: [ { bgp: { prefix: " +
                     std::string(country_prefix) +
                     " } } ] }\n"
                     "  - { name: country-as, layer: bgp, checks: [ { bgp: { origin_as: 65001 } } ] }\n");
  const auto log = dir_.path() / "monitor.log";
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", url, "--user", "root", "--duration", "60s"}, log);
  const auto printed = [&](const std::string& text) { return testing_support::read_file(log).find(text) != std::string::npos; };
  ASSERT_TRUE(testing_support::wait_until([&] { return printed("country-prefix bgp:198.18.64.0/22 ok"); },
                                          std::chrono::milliseconds(15000)))
      << testing_support::read_file(log);
  EXPECT_TRUE(printed("bgp.session_established")) << testing_support::read_file(log);
  std::this_thread::sleep_for(3s);  // up for a while: the withdrawal is a change
  birdc("disable country");
  ASSERT_TRUE(testing_support::wait_until([&] { return printed("country-prefix bgp:198.18.64.0/22 withdrawn"); },
                                          std::chrono::milliseconds(5000)))
      << testing_support::read_file(log);
  std::this_thread::sleep_for(4s);
  birdc("enable country");
  std::this_thread::sleep_for(4s);
  monitor.signal(SIGTERM);
  ASSERT_TRUE(testing_support::wait_until([&] { return !monitor.running(); })) << testing_support::read_file(log);
  EXPECT_TRUE(printed("monitor.stopped")) << testing_support::read_file(log);

  auto store = open_store(url);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ResultQuery query;
  query.target = "country-prefix";
  std::map<Outcome, int> outcomes;
  ASSERT_TRUE((*store)
                  ->read_results(query,
                                 [&](Result&& r) {
                                   ++outcomes[r.outcome];
                                   return true;
                                 })
                  .ok());
  EXPECT_GT(outcomes[Outcome::ok], 0);
  EXPECT_GT(outcomes[Outcome::withdrawn], 0);
  const auto analysis = dir_.path() / "analyze.txt";
  ASSERT_EQ(std::system((std::string(BLACKOUT_BINARY) + " analyze --format json --store " + url + " > " + analysis.string() +
                         " 2>" + analysis.string() + ".err")
                            .c_str()),
            0)
      << testing_support::read_file(analysis);
  // The prefix left; the origin AS still shows in BIRD's other routes: one of the bgp
  // layer's two targets (half is not yet the layer), its event a routing withdrawal.
  const auto events = nlohmann::json::parse(testing_support::read_file(analysis))["events"];
  int withdrawals = 0;
  for (const auto& e : events) {
    EXPECT_EQ(e["scope"], "target") << e.dump();
    if (e["subject"] == "country-prefix" && e["kind"] == "down" && e["signature"] == "routing-withdrawal") ++withdrawals;
  }
  EXPECT_EQ(withdrawals, 1) << events.dump(1);
}

// blackout bgp watch, the command, against the same BIRD: one line per change as it happens.
TEST_F(BgpBird, WatchCommandPrintsAnnouncementsWithdrawalsAndStates) {
  const auto log = dir_.path() / "watch.out";
  ChildProcess watch(
      {BLACKOUT_BINARY, "bgp", "watch", "--peer", "127.0.0.1:" + std::to_string(bird_port_), "--peer-as", "65001", "--local-as",
       "64999", "--local", "127.0.0.2", "--hold-time", "6", "--prefix", country_prefix, "--duration", "60s"},
      log);
  const std::string announced = std::string("|A|127.0.0.1|65001|") + country_prefix + "|65001|IGP|127.0.0.1|0|0||NAG||\n";
  const std::string withdrawn = std::string("|W|127.0.0.1|65001|") + country_prefix + "\n";
  auto output = [&] { return testing_support::read_file(log); };
  ASSERT_TRUE(testing_support::wait_until([&] { return output().find(announced) != std::string::npos; })) << output();
  EXPECT_NE(output().find("|STATE|127.0.0.1|65001|5|6||\n"), std::string::npos) << output();
  EXPECT_EQ(output().find("fd00:198:18::/48"), std::string::npos) << "--prefix lets only the country prefix through";
  birdc("disable country");
  ASSERT_TRUE(
      testing_support::wait_until([&] { return output().find(withdrawn) != std::string::npos; }, std::chrono::milliseconds(5000)))
      << output();
  birdc("disable collector");
  ASSERT_TRUE(testing_support::wait_until([&] { return output().find("|6|1|notification-received|cease") != std::string::npos; }))
      << output();
  watch.stop();
  EXPECT_NE(output().find("in the table at the end"), std::string::npos) << "SIGTERM stops it cleanly\n" << output();
}

}  // namespace
}  // namespace blackout::bgp
