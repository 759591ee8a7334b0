// Recorded lab runs replayed from files: the results a live monitor stored while a scenario
// was played in the lab (tests/data/lab-runs/*.tar.xz, unpacked by CMake), detected again
// with today's code and scored against that run's ground truth. Real measurements of real
// floods, cuts and withdrawals, without root and in milliseconds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "bgp/archive_feed.hpp"
#include "bgp/mrt_merge.hpp"
#include "config/loader.hpp"
#include "detect/detector.hpp"
#include "lab/declarations.hpp"
#include "lab/run.hpp"
#include "lab/score.hpp"
#include "report/event_text.hpp"
#include "report/replay.hpp"
#include "store/store.hpp"
#include "support/print.hpp"

namespace blackout::lab {
namespace {

const std::filesystem::path runs = BLACKOUT_LAB_RUNS_DIR;

struct Replayed {
  Analysis analysis;
  RunScore score;
};

Replayed replay(const std::string& scenario) {
  const auto dir = runs / scenario;
  std::ifstream truth_file(dir / "ground-truth.json");
  std::stringstream truth_text;
  truth_text << truth_file.rdbuf();
  const auto truth = ground_truth_from_json(truth_text.str());
  if (!truth) throw std::runtime_error(scenario + ": " + truth.error().message);
  const auto config = load_config_file((dir / "lab.yaml").string());
  if (!config) throw std::runtime_error(scenario + ": " + config.error()[0].to_string());
  auto store = open_store("sqlite:" + (dir / "results.db").string());
  if (!store) throw std::runtime_error(scenario + ": " + store.error().message);
  auto analysis = analyze_store(**store, config->targets, config->detection, ResultQuery{});
  if (!analysis) throw std::runtime_error(scenario + ": " + analysis.error().message);
  std::ifstream log(dir / "monitor.log");
  const auto declarations = read_declarations(log);
  auto score = score_run(*truth, analysis->events, analysis->waves, 2 * config->defaults.interval, declarations);
  return {std::move(*analysis), std::move(score)};
}

const Event* find_event(const Replayed& r, Scope scope, const std::string& subject) {
  for (const Event& e : r.analysis.events)
    if (e.scope == scope && e.subject == subject) return &e;
  return nullptr;
}

TEST(LabReplay, ReutersIsTwoStressLedWavesWithDnsBeforeTheRouters) {
  const auto r = replay("reuters");
  EXPECT_GT(r.analysis.results, 3000);
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  ASSERT_EQ(r.analysis.waves.size(), 2u) << events_to_text(r.analysis.events, r.analysis.waves);
  for (const Wave& wave : r.analysis.waves) {
    std::vector<std::string> order;
    for (const CascadeStep& step : wave.cascade) order.emplace_back(to_string(step.layer));
    const auto dns = std::find(order.begin(), order.end(), "dns"), router = std::find(order.begin(), order.end(), "router");
    ASSERT_NE(dns, order.end());
    ASSERT_NE(router, order.end());
    EXPECT_LT(dns - order.begin(), router - order.begin()) << wave.id;
  }
  const Event* network = find_event(r, Scope::network, "network");
  ASSERT_NE(network, nullptr);
  EXPECT_EQ(network->signature, Signature::stress_led);
  EXPECT_GT(network->peak_inflation, 10) << "a flood through a 40 Mbit/s bottleneck: queueing delay far above the normal";
  // The border's session died with its link, after the first failures: told, not the signature.
  const bool routing_told = std::any_of(network->evidence.begin(), network->evidence.end(), [](const std::string& e) {
    return e.find("left the routing table") != std::string::npos;
  });
  EXPECT_TRUE(routing_told) << events_to_text(r.analysis.events, r.analysis.waves);
}

std::map<Outcome, int> outcomes_of(const std::string& scenario, const std::string& target) {
  auto store = open_store("sqlite:" + (runs / scenario / "results.db").string());
  if (!store) throw std::runtime_error(scenario + ": " + store.error().message);
  ResultQuery query;
  query.target = target;
  std::map<Outcome, int> outcomes;
  (void)(*store)->read_results(query, [&](Result&& r) {
    ++outcomes[r.outcome];
    return true;
  });
  return outcomes;
}

TEST(LabReplay, BgpCutIsOneRoutingWithdrawalFoundWithinTwoProbeIntervals) {
  const auto r = replay("bgp-cut");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  const Event* network = find_event(r, Scope::network, "network");
  ASSERT_NE(network, nullptr);
  // The monitor's own BGP session with the transit saw the prefix go with the first failures.
  EXPECT_EQ(network->signature, Signature::routing_withdrawal) << network->evidence[0];
  const Event* bgp = find_event(r, Scope::layer, "bgp");
  ASSERT_NE(bgp, nullptr);
  EXPECT_EQ(bgp->signature, Signature::routing_withdrawal);
  const auto outcomes = outcomes_of("bgp-cut", "country-prefix");
  EXPECT_GT(outcomes.count(Outcome::withdrawn) ? outcomes.at(Outcome::withdrawn) : 0, 5) << "about fifteen lab seconds withdrawn";
  // Declared live within one timeout and the confirmations after the cut (plus the
  // interval in which the first probe after it was sent).
  ASSERT_TRUE(r.score.worst_latency());
  EXPECT_LE(*r.score.worst_latency(), std::chrono::milliseconds(3000)) << score_to_text(r.score);
}

// The same bgp-cut as the route collector's archive tells it: BIRD's MRT files (a RIB dump
// every 10 s, every UPDATE and session change) replayed through the bgp check and detected.
// The prefix's outage is where the ground truth has it, and a routing withdrawal.
TEST(LabReplay, BgpCutFromTheCollectorsMrtFilesIsTheSameWithdrawal) {
  const auto dir = runs / "bgp-cut";
  const auto config = load_config_file((dir / "lab.yaml").string());
  ASSERT_TRUE(config);
  std::ifstream truth_file(dir / "ground-truth.json");
  std::stringstream truth_text;
  truth_text << truth_file.rdbuf();
  const auto truth = ground_truth_from_json(truth_text.str());
  ASSERT_TRUE(truth) << truth.error().message;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "mrt")) files.push_back(entry.path());
  ASSERT_GE(files.size(), 3u) << "the updates and at least two RIB dumps";
  auto merge = bgp::MrtMerge::open(files);
  ASSERT_TRUE(merge) << merge.error().message;
  bgp::ArchiveFeed feed(config->targets, "collector");
  std::vector<Result> results;
  for (;;) {
    auto next = merge->next();
    ASSERT_TRUE(next) << next.error().error.describe();
    if (!*next) break;
    feed.add((*next)->record, results);
  }
  feed.finish(results);
  EXPECT_GE(feed.counters().dumps, 3u);
  EXPECT_EQ(feed.counters().withdrawals, 1u);
  const Analysis analysis = analyze_results(results, config->targets, config->detection);
  const auto& events = analysis.events;

  const auto expected = std::find_if(truth->events.begin(), truth->events.end(), [](const GroundTruthEvent& e) {
    return e.expected.scope == Scope::layer && e.expected.subject == "bgp";
  });
  ASSERT_NE(expected, truth->events.end());
  const auto found = std::find_if(events.begin(), events.end(), [&](const Event& e) {
    return e.scope == Scope::layer && e.subject == "bgp" && e.kind == State::down && e.end &&
           std::chrono::abs(e.start - expected->start) <= std::chrono::seconds(2);
  });
  ASSERT_NE(found, events.end()) << events_to_text(events, analysis.waves);
  EXPECT_LE(std::chrono::abs(*found->end - expected->end), std::chrono::seconds(2)) << events_to_text(events, analysis.waves);
  EXPECT_EQ(found->signature, Signature::routing_withdrawal);
}

TEST(LabReplay, TheVantagesOwnUplinkIsVantageLocal) {
  const auto r = replay("vantage-down");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  for (const Event& e : r.analysis.events) {
    if (e.scope == Scope::target) continue;
    EXPECT_EQ(e.signature, Signature::vantage_local) << e.id;
  }
  // The monitor's BGP session went down with its uplink: no-session, which is no withdrawal.
  const auto outcomes = outcomes_of("vantage-down", "country-prefix");
  EXPECT_GT(outcomes.count(Outcome::no_session) ? outcomes.at(Outcome::no_session) : 0, 0)
      << "the session must have been lost, or this shows nothing";
  EXPECT_EQ(outcomes.count(Outcome::withdrawn), 0u);
  EXPECT_EQ(find_event(r, Scope::layer, "bgp"), nullptr);
}

TEST(LabReplay, AQuietHourWithBackgroundLossRaisesNoLayerOrNetworkEvent) {
  const auto r = replay("quiet");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  for (const Event& e : r.analysis.events) EXPECT_EQ(e.scope, Scope::target) << e.id;
  EXPECT_TRUE(r.analysis.waves.empty());
}

// Two seeds of the randomised family (scripts/robustness), played in the lab: the floods the
// issue found misread. Seed 5: a 3.57x flood through one site's bottleneck, then a 4.44x
// ramp over the whole border link (answers late on every target, up to 60 times the
// normal): stress, never down, and the two services stopped around them told as such.
TEST(LabReplay, FloodsOfAnotherStrengthAreStressNotDown) {
  const auto r = replay("random-5");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  const Event* network = find_event(r, Scope::network, "network");
  ASSERT_NE(network, nullptr) << events_to_text(r.analysis.events, r.analysis.waves);
  EXPECT_EQ(network->kind, State::stressed);
  EXPECT_EQ(network->signature, Signature::stress_led);
  // Measured: the link's short queue (26 ms) held, so answers came, all of them, late.
  ASSERT_TRUE(network->peak_rtt && network->normal_rtt);
  EXPECT_GT(*network->peak_rtt, 10 * *network->normal_rtt);
  EXPECT_GT(network->peak_inflation, 10);
  for (const Event& e : r.analysis.events) {
    if (e.subject == "naenara") {
      EXPECT_EQ(e.kind, State::stressed) << e.id << ": a flooded site that still answers";
    }
  }
  for (const FaultOutcome& f : r.score.faults) {
    EXPECT_TRUE(f.found && f.told_right) << f.truth.fault.kind << " " << f.truth.fault.subject;
  }
}

// Seed 6 (failing in the first lab runs, when the family's truth had the border's BGP
// session outlive its link by a hold time; the lab's BIRD drops it at once): one site
// flooded, then the border link cut. The site's event is stress-led; the network's, with the
// prefix gone as the hosts fell silent, a routing withdrawal.
TEST(LabReplay, ASiteFloodThenALinkCut) {
  const auto r = replay("random-6");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  const Event* network = find_event(r, Scope::network, "network");
  ASSERT_NE(network, nullptr);
  EXPECT_EQ(network->signature, Signature::routing_withdrawal) << events_to_text(r.analysis.events, r.analysis.waves);
  const Event* mfa = find_event(r, Scope::target, "mfa");
  ASSERT_NE(mfa, nullptr);
  EXPECT_EQ(mfa->signature, Signature::stress_led);
}

// Seeds 18 and 24, 3.9% and 3.7% background loss (failing, before the fix, with false
// stressed layer and network events). Over a lossy path a TCP check answers slowly now and
// then with no queue anywhere: a lost segment waits out a 200 ms retransmission, a lost SYN
// a second. Seed 18: when the cut border link came back, the first connections answered
// after a second (their SYNs sent into the outage), and the web layer and the network were
// called stressed for a moment after the outage. Seed 24: two sites flooded; a third, never
// flooded, answered one fetch in 201 ms, and with the flooded two it made the web layer
// stressed. Now the first answers back after an outage carry no delay evidence, and a
// check's slow answers weigh against its own history of them.
TEST(LabReplay, RetransmissionsOverALossyPathAreNotStress) {
  for (const std::string run : {"random-18", "random-24"}) {
    const auto r = replay(run);
    EXPECT_TRUE(r.score.pass()) << run << "\n" << score_to_text(r.score);
    EXPECT_TRUE(r.score.false_events.empty()) << run << "\n" << score_to_text(r.score);
    for (const Event& e : r.analysis.events) {
      if (e.scope == Scope::target && e.kind == State::stressed) {
        // Only the flooded sites of seed 24 were stressed.
        EXPECT_TRUE(run == "random-24" && (e.subject == "naenara" || e.subject == "kcna"))
            << run << ": " << e.id << " " << (e.evidence.empty() ? "" : e.evidence.front());
      }
    }
  }
}

// Seed 28, 3.4% background loss (failing before the fix: the mail layer's stress ended
// 11.7 s after the link flood did). An SMTP exchange is a dozen packets or more: over a path
// that loses 3.4% of them, one exchange in four waits for a resent segment (200 ms) or SYN
// (a second), with no queue anywhere. The mail server's ICMP answers were clean from the
// flood's end; its SMTP answers went on coming at 0.2 s and 1 s now and then. The end of a
// stress is now judged on the checks that do not resend when a target has one, the others
// needing only their last answer good; and a check that resends weighs its slow answers as
// three in a hundred in normal times, not one in two hundred.
TEST(LabReplay, ResentSmtpSegmentsDoNotHoldAFloodsStressOpen) {
  const auto r = replay("random-28");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  const Event* mail = find_event(r, Scope::layer, "mail");
  ASSERT_NE(mail, nullptr) << events_to_text(r.analysis.events, r.analysis.waves);
  EXPECT_EQ(mail->kind, State::stressed);
}

// Seed 8, 4.6% background loss, probed every 2 s (failing before the fix: the mail layer's
// and kcna's events ended 8.5 and 6.8 s after the link flood did). Their ICMP answers were
// clean from the flood's end; the end was dated by an HTTP or SMTP check's last slow answer
// (a resent segment) instead. The clean checks now date a stress's end.
TEST(LabReplay, TheEndOfAFloodIsDatedByTheChecksThatDoNotResend) {
  const auto r = replay("random-8");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  for (const ExpectedOutcome& e : r.score.expected) {
    ASSERT_TRUE(e.match) << e.truth.expected.subject;
    ASSERT_TRUE(e.end_error.has_value()) << e.truth.expected.subject;
    EXPECT_LE(std::chrono::abs(*e.end_error), r.score.tolerance) << e.truth.expected.subject;
  }
}

// Seed 2, 4.3% background loss, a 3.69x flood over the border link with a 539 ms queue, then
// the prefix withdrawn (failing before the fix: the router layer "stressed", never down).
// The border router answered four of the flood's five probes, at 545 ms, then nothing for
// 6.6 s once the prefix was gone; judged alone, on a congested path that prior expects to
// lose three probes in four, eight unanswered probes were not yet beyond loss. The mail,
// dns, web and core targets had fallen silent, and were down, within the same 1.2 s: a
// silence begun with targets of other layers cut now counts them as a witness.
TEST(LabReplay, ARouterSilentAsTheOtherLayersWereCutIsDown) {
  const auto r = replay("random-2");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  const Event* router = find_event(r, Scope::layer, "router");
  ASSERT_NE(router, nullptr) << events_to_text(r.analysis.events, r.analysis.waves);
  EXPECT_EQ(router->kind, State::down);
  const Event* border = find_event(r, Scope::target, "border");
  ASSERT_NE(border, nullptr);
  EXPECT_EQ(border->kind, State::down);
}

// Seed 10, 4.6% background loss, the border link cut with no flood (failing before the fix:
// kcna's outage signed stress-led, "answers came late for 0.5 s before it failed"). Its HTTP
// fetch 0.26 s before the cut took 209 ms, waiting for a resent segment; its tcp:80 connect,
// sent 0.1 s later, took 0.2 ms. A queue would have held both: a resending check's slow
// answer is no sign of a queue when another check of the target, sent while it waited, was
// answered at its normal RTT.
TEST(LabReplay, AResentSegmentJustBeforeACutDoesNotMakeItStressLed) {
  const auto r = replay("random-10");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  const Event* kcna = find_event(r, Scope::target, "kcna");
  ASSERT_NE(kcna, nullptr) << events_to_text(r.analysis.events, r.analysis.waves);
  EXPECT_EQ(kcna->signature, Signature::clean_cut) << (kcna->evidence.empty() ? "" : kcna->evidence.front());
}

// Seed 7, 4.7% background loss (failing before the fix: naenara's stopped web server was
// told back 2.6 s after it restarted, against a tolerance of 2). Its fetch and connect
// passed at once; then one SYN was lost to the path's loss, and the recovery's count of
// passes started again. A lone unanswered probe between two passes no longer breaks a
// service's recovery, and it is back from the first of those passes.
TEST(LabReplay, ALostProbeAsAServiceComesBackDoesNotDelayItsEnd) {
  const auto r = replay("random-7");
  EXPECT_TRUE(r.score.pass()) << score_to_text(r.score);
  const Event* naenara = find_event(r, Scope::target, "naenara");
  ASSERT_NE(naenara, nullptr) << events_to_text(r.analysis.events, r.analysis.waves);
  EXPECT_EQ(naenara->signature, Signature::single_service);
}

}  // namespace
}  // namespace blackout::lab
