// The detector on synthetic result streams in virtual time: no sockets, no sleeps. A small
// stream generator plays the scheduler (interval, confirmation re-probes) over a scripted
// network: RTTs and outcomes as functions of time, per target.
#include "detect/detector.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "config/loader.hpp"
#include "detect/event_log.hpp"
#include "report/event_text.hpp"
#include "support/print.hpp"

namespace blackout {
namespace {

const Timestamp t0 = Timestamp{std::chrono::seconds(1'800'000'000)};

struct Probe {
  bool ok;
  Duration rtt;
};
// What the network does to a target at a moment (seconds since t0), for one vantage.
using Behaviour = std::function<Probe(const std::string& vantage, const std::string& target, double seconds)>;

const char* inventory = R"(
defaults: { interval: 10s, timeout: 2s, confirmations: 2, confirm_spacing: 500ms }
targets:
  - { name: mfa,      layer: web,    address: 198.18.64.10, checks: [icmp] }
  - { name: naenara,  layer: web,    address: 198.18.64.11, checks: [icmp] }
  - { name: airkoryo, layer: web,    address: 198.18.64.12, checks: [icmp] }
  - { name: kcna,     layer: web,    address: 198.18.64.13, checks: [icmp] }
  - { name: ns1,      layer: dns,    address: 198.18.65.2,  checks: [icmp] }
  - { name: ns2,      layer: dns,    address: 198.18.65.3,  checks: [icmp] }
  - { name: mail,     layer: mail,   address: 198.18.65.25, checks: [icmp] }
  - { name: border,   layer: router, address: 198.18.66.1,  checks: [icmp] }
  - { name: core,     layer: router, address: 198.18.66.2,  checks: [icmp] }
  - { name: control,  layer: host,   address: 198.18.1.1,   control: true, checks: [icmp] }
)";

std::vector<Target> targets() {
  auto config = load_config_text(inventory, "inventory");
  if (!config) throw std::runtime_error(config.error()[0].to_string());
  return config->targets;
}

// Generates results like the scheduler would: every interval per target (phases spread),
// with two confirmation re-probes 500 ms apart after a failure of a passing check.
// The inventory with the country's prefix watched in BGP too.
std::vector<Target> targets_with_bgp() {
  auto config = load_config_text(
      std::string(inventory) + "  - { name: prefix, layer: bgp, checks: [ { bgp: { prefix: 198.18.64.0/22 } } ] }\n",
      "inventory");
  if (!config) throw std::runtime_error(config.error()[0].to_string());
  return config->targets;
}

// What BGP says of the prefix at a moment: ok, withdrawn or no-session.
using BgpBehaviour = std::function<Outcome(double seconds)>;

std::vector<Result> stream(const Behaviour& behave, double seconds, const std::vector<std::string>& vantages = {"v1"},
                           const BgpBehaviour& bgp = {}) {
  std::vector<Result> results;
  const auto all = bgp ? targets_with_bgp() : targets();
  for (const std::string& vantage : vantages) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      bool passing = true;
      for (double t = static_cast<double>(i) * 0.7; t < seconds; t += 10) {
        int confirmations = 0;
        double at = t;
        while (true) {
          const bool is_bgp = all[i].layer == Layer::bgp;
          const Probe p = is_bgp ? Probe{bgp(at) != Outcome::withdrawn, {}} : behave(vantage, all[i].name, at);
          Result r;
          r.time = t0 + std::chrono::microseconds(static_cast<std::int64_t>(at * 1e6));
          r.vantage = vantage;
          r.target = all[i].name;
          r.check = is_bgp ? "bgp" : "icmp";
          r.kind = is_bgp ? CheckKind::bgp : CheckKind::icmp;
          r.outcome = is_bgp ? bgp(at) : p.ok ? Outcome::ok : Outcome::timeout;
          if (p.ok && !is_bgp) r.rtt = p.rtt;
          r.confirmation = confirmations > 0;
          results.push_back(r);
          if (p.ok) {
            passing = true;
            break;
          }
          if (confirmations == 0 && !passing) break;
          if (confirmations == 2) {
            passing = false;
            break;
          }
          ++confirmations;
          at += 0.5;
        }
      }
    }
  }
  std::stable_sort(results.begin(), results.end(), [](const Result& a, const Result& b) { return a.time < b.time; });
  return results;
}

struct Outcome_ {
  std::vector<Event> events;
  std::vector<Wave> waves;
};

// What the detector tells, handed over every `take_every` results (the monitor takes it once a
// second, the replay every few thousand results; 0: once, at the end).
Outcome_ detect_taking(const std::vector<Result>& results, std::size_t take_every, DetectionParams params = {},
                       const std::vector<Target>& inventory_targets = targets()) {
  Detector detector(inventory_targets, params);
  EventLog told;
  std::size_t since_take = 0;
  for (const Result& r : results) {
    detector.add(r);
    if (take_every > 0 && ++since_take >= take_every) {
      detector.take_new_state_changes();
      told.take_from(detector);
      since_take = 0;
    }
  }
  detector.finish();
  told.take_from(detector);
  return {told.events(), told.waves()};
}

// Taken after every result: the detector forgets what it handed over at once.
Outcome_ detect(const std::vector<Result>& results, DetectionParams params = {},
                const std::vector<Target>& inventory_targets = targets()) {
  return detect_taking(results, 1, params, inventory_targets);
}

std::vector<const Event*> of_scope(const Outcome_& o, Scope scope) {
  std::vector<const Event*> out;
  for (const Event& e : o.events)
    if (e.scope == scope) out.push_back(&e);
  return out;
}

Duration normal_rtt(double seconds, const std::string& target) {
  // 20 ms with a few ms of deterministic jitter per target and time.
  const auto h = std::hash<std::string>{}(target) + static_cast<std::size_t>(seconds * 10);
  return std::chrono::microseconds(20000 + static_cast<std::int64_t>(h % 4000));
}

TEST(Detector, QuietNetworkWithBackgroundLossRaisesNoLayerOrNetworkEvent) {
  std::mt19937 random(1);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<bool> lost(100000);
  for (auto&& l : lost) l = u(random) < 0.03;
  std::size_t n = 0;
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        return Probe{!lost[n++ % lost.size()], normal_rtt(s, target)};
      },
      6 * 3600));
  EXPECT_TRUE(of_scope(o, Scope::layer).empty()) << events_to_text(o.events, o.waves);
  EXPECT_TRUE(of_scope(o, Scope::network).empty()) << events_to_json(o.events, o.waves).substr(0, 3000);
  EXPECT_TRUE(o.waves.empty());
  for (const Event* e : of_scope(o, Scope::target)) EXPECT_NE(e->kind, State::down) << e->id;
}

TEST(Detector, OneLostProbeInAShortWindowIsNotStressButSustainedLossIs) {
  // The lab's short windows: one lost probe would be a third of a window of 3. The core
  // router's probes run at x5.6 s and its confirmations at x6.1 s; the lost probes below are
  // the scheduled ones, their confirmations answer.
  const auto lossy = [](double from, double to) {
    return [from, to](const std::string&, const std::string& target, double s) {
      // Every other scheduled probe (those of even tens of seconds).
      const bool lost =
          target == "core" && s >= from && s < to && static_cast<int>(s * 2) % 2 == 1 && static_cast<int>(s / 10) % 2 == 0;
      return Probe{!lost, normal_rtt(s, target)};
    };
  };
  const auto stressed = [](const Outcome_& o) {
    return std::count_if(o.events.begin(), o.events.end(),
                         [](const Event& e) { return e.subject == "core" && e.kind == State::stressed; });
  };
  DetectionParams params;
  params.window = 3;
  const auto one = detect(stream(lossy(1005, 1006), 3000), params);
  EXPECT_EQ(stressed(one), 0) << events_to_text(one.events, one.waves);
  // Half the scheduled probes lost for six minutes (eighteen of them): stress.
  params.window = 6;
  const auto sustained = detect(stream(lossy(1000, 1360), 3000), params);
  EXPECT_EQ(stressed(sustained), 1) << events_to_text(sustained.events, sustained.waves);
}

TEST(Detector, StressBeginsAtTheFirstSlowProbeNotWhenTheWindowShowsIt) {
  // A flood makes mfa ten times slower from 1000 s for ten minutes. Its window of 20 needs
  // ten slow samples (100 s) before its median moves; the event must still begin at the
  // first slow probe (mfa probes at x0.0 s: 1000 s) and end once it is fast again.
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        const Duration rtt = normal_rtt(s, target);
        return Probe{true, target == "mfa" && s >= 1000 && s < 1600 ? rtt * 10 : rtt};
      },
      3600));
  const auto mfa = std::find_if(o.events.begin(), o.events.end(), [](const Event& e) { return e.subject == "mfa"; });
  ASSERT_NE(mfa, o.events.end()) << events_to_text(o.events, o.waves);
  EXPECT_EQ(mfa->kind, State::stressed);
  EXPECT_EQ(mfa->start, t0 + std::chrono::seconds(1000)) << format_rfc3339(mfa->start);
  ASSERT_TRUE(mfa->end);
  EXPECT_GE(*mfa->end, t0 + std::chrono::seconds(1600));
  EXPECT_LE(*mfa->end, t0 + std::chrono::seconds(1600 + 200)) << format_rfc3339(*mfa->end);
  EXPECT_EQ(std::count_if(o.events.begin(), o.events.end(), [](const Event& e) { return e.subject == "mfa"; }), 1);
}

TEST(Detector, OneSlowFirstAnswerAfterAnOutageDoesNotDragItOn) {
  // Everything cut from 1800 s to 2400 s; the first answer of each target after the cut is
  // fifty times slow (a path coming back). The outage ends when the answers come back.
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        if (target == "control") return Probe{true, normal_rtt(s, target)};
        if (s >= 1800 && s < 2400) return Probe{false, {}};
        return Probe{true, s >= 2400 && s < 2410 ? normal_rtt(s, target) * 50 : normal_rtt(s, target)};
      },
      3600));
  ASSERT_FALSE(o.events.empty());
  for (const Event& e : o.events) {
    ASSERT_TRUE(e.end) << e.id;
    EXPECT_LE(*e.end, t0 + std::chrono::seconds(2400 + 20)) << e.id << " ends " << format_rfc3339(*e.end);
    // The first answers back may have waited for the path: no stress is read from them.
    EXPECT_NE(e.kind, State::stressed) << e.id << " from " << format_rfc3339(e.start);
  }
}

TEST(Detector, CleanCutIsFoundFastAndCalledClean) {
  const double cut = 1800, back = 2400;
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        const bool dark = s >= cut && s < back && target != "control";
        return Probe{!dark, normal_rtt(s, target)};
      },
      3600));
  const auto network = of_scope(o, Scope::network);
  ASSERT_EQ(network.size(), 1u) << events_to_text(o.events, o.waves);
  const Event& e = *network[0];
  EXPECT_EQ(e.kind, State::down);
  ASSERT_TRUE(e.down_at);
  // Within one interval plus the confirmations of the last target to be probed.
  EXPECT_LE(to_seconds(*e.down_at - (t0 + std::chrono::seconds(static_cast<int>(cut)))), 10 + 1.0 + 0.1);
  ASSERT_TRUE(e.end);
  EXPECT_NEAR(to_seconds(*e.end - t0), back, 20) << "the end within two probe intervals";
  EXPECT_EQ(e.signature, Signature::clean_cut) << e.evidence[0];
  ASSERT_EQ(o.waves.size(), 1u);
  EXPECT_EQ(o.waves[0].cascade.size(), 4u);  // web, dns, mail, router
}

TEST(Detector, ACleanCutIsDownFromItsFirstFailureAndNeverStressedFirst) {
  // With a window of three, the first failure and its confirmations are most of the window:
  // counted as loss they would make every target "stressed" a moment before it is down.
  DetectionParams params;
  params.window = 3;
  params.baseline_min_samples = 5;
  const auto results = stream(
      [&](const std::string&, const std::string& target, double s) {
        return Probe{!(s >= 1800 && s < 2400 && target != "control"), normal_rtt(s, target)};
      },
      3600);
  const auto o = detect(results, params);
  const auto targets = of_scope(o, Scope::target);
  ASSERT_EQ(targets.size(), 9u);
  for (const Event* event : targets) {
    const Event& e = *event;
    ASSERT_TRUE(e.down_at) << e.id;
    EXPECT_EQ(e.start, *e.down_at) << e.id << " was stressed before it was down";
    // Down from its first failed probe, not from the confirmation that made it certain; up
    // again from its first answer.
    const auto first_failure = std::find_if(results.begin(), results.end(),
                                            [&](const Result& r) { return r.target == e.subject && r.outcome != Outcome::ok; });
    const auto first_answer = std::find_if(first_failure, results.end(),
                                           [&](const Result& r) { return r.target == e.subject && r.outcome == Outcome::ok; });
    ASSERT_NE(first_answer, results.end());
    EXPECT_EQ(e.start, first_failure->time) << e.id;
    ASSERT_TRUE(e.end) << e.id;
    EXPECT_EQ(*e.end, first_answer->time) << e.id;
  }
}

TEST(Detector, StressThatPassedBeforeACleanCutDoesNotMakeItStressLed) {
  // The border router loses every other scheduled probe (its confirmation gets through) for a
  // few minutes, its stress fades by 1650 s, and at 1800 s everything is cut at once: the cut
  // is clean, the earlier stress a separate matter. Border probes run at x4.9 s, confirmations
  // at x5.4 s.
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        if (target == "border" && s >= 1300 && s < 1500 && static_cast<int>(s * 2) % 2 == 1 && static_cast<int>(s / 10) % 2 == 0)
          return Probe{false, {}};
        return Probe{!(s >= 1800 && s < 2400 && target != "control"), normal_rtt(s, target)};
      },
      3600));
  const auto border = std::find_if(o.events.begin(), o.events.end(),
                                   [](const Event& e) { return e.subject == "border" && e.kind == State::stressed; });
  ASSERT_NE(border, o.events.end()) << "the burst must be stress, or this test shows nothing\n"
                                    << events_to_text(o.events, o.waves);
  const auto network = of_scope(o, Scope::network);
  ASSERT_EQ(network.size(), 1u) << events_to_text(o.events, o.waves);
  EXPECT_EQ(network[0]->signature, Signature::clean_cut) << network[0]->evidence[0];
}

TEST(Detector, StressLedCollapseCascadesWebThenDnsThenRouters) {
  // Stress builds on the web sites and mail from 60 min, the web sites fall at 70, DNS at
  // 80, mail and the routers at 85; all back at 95.
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        const double m = s / 60;
        const bool web = target == "mfa" || target == "naenara" || target == "airkoryo" || target == "kcna";
        const bool dns = target == "ns1" || target == "ns2";
        const bool router = target == "border" || target == "core";
        if (m >= 60 && m < 95) {
          if ((web && m >= 70) || (dns && m >= 80) || ((router || target == "mail") && m >= 85)) return Probe{false, {}};
        }
        if (m >= 60 && m < 95 && (web || target == "mail")) {
          // 10x the RTT and a third of the probes lost.
          const bool lost = static_cast<int>(s) % 3 == 0;
          return Probe{!lost, normal_rtt(s, target) * 10};
        }
        return Probe{true, normal_rtt(s, target)};
      },
      2 * 3600));
  ASSERT_FALSE(o.waves.empty());
  const Wave& wave = o.waves[0];
  SCOPED_TRACE(events_to_text(o.events, o.waves));
  ASSERT_GE(wave.cascade.size(), 3u);
  EXPECT_EQ(wave.cascade[0].layer, Layer::web);
  const auto index = [&](Layer l) {
    for (std::size_t i = 0; i < wave.cascade.size(); ++i)
      if (wave.cascade[i].layer == l) return static_cast<int>(i);
    return -1;
  };
  EXPECT_LT(index(Layer::web), index(Layer::dns));
  EXPECT_LT(index(Layer::dns), index(Layer::router));
  const auto network = of_scope(o, Scope::network);
  ASSERT_FALSE(network.empty());
  EXPECT_EQ(network[0]->signature, Signature::stress_led) << (network[0]->evidence.empty() ? "" : network[0]->evidence[0]);
  EXPECT_GE(network[0]->peak_inflation, 5.0);
  EXPECT_GE(network[0]->peak_loss, 0.2);
}

TEST(Detector, AWithdrawalThatCutsTheCountryOffIsARoutingWithdrawal) {
  const auto o = detect(stream(
                            [&](const std::string&, const std::string& target, double s) {
                              return Probe{!(s >= 1800 && s < 2400 && target != "control"), normal_rtt(s, target)};
                            },
                            3600, {"v1"}, [](double s) { return s >= 1800 && s < 2400 ? Outcome::withdrawn : Outcome::ok; }),
                        {}, targets_with_bgp());
  const auto network = of_scope(o, Scope::network);
  ASSERT_EQ(network.size(), 1u) << events_to_text(o.events, o.waves);
  EXPECT_EQ(network[0]->signature, Signature::routing_withdrawal) << network[0]->evidence[0];
  const auto bgp_layer = std::find_if(o.events.begin(), o.events.end(),
                                      [](const Event& e) { return e.scope == Scope::layer && e.layer == Layer::bgp; });
  ASSERT_NE(bgp_layer, o.events.end());
  EXPECT_EQ(bgp_layer->signature, Signature::routing_withdrawal);
}

TEST(Detector, PrefixesLeavingAfterAStressLedCollapseDoNotMakeItARoutingWithdrawal) {
  // Stress from 60 min, everything down at 70, the border's session (and the prefix) gone at
  // 80: the way in was stress; the withdrawal is how it ended, told in the evidence.
  const auto o =
      detect(stream(
                 [&](const std::string&, const std::string& target, double s) {
                   const double m = s / 60;
                   if (target == "control" || m < 60 || m >= 95) return Probe{true, normal_rtt(s, target)};
                   if (m >= 70) return Probe{false, {}};
                   return Probe{static_cast<int>(s) % 3 != 0, normal_rtt(s, target) * 10};
                 },
                 2 * 3600, {"v1"}, [](double s) { return s >= 80 * 60 && s < 95 * 60 ? Outcome::withdrawn : Outcome::ok; }),
             {}, targets_with_bgp());
  const auto network = of_scope(o, Scope::network);
  ASSERT_FALSE(network.empty()) << events_to_text(o.events, o.waves);
  SCOPED_TRACE(events_to_text(o.events, o.waves));
  EXPECT_EQ(network[0]->signature, Signature::stress_led);
  const bool told = std::any_of(network[0]->evidence.begin(), network[0]->evidence.end(),
                                [](const std::string& e) { return e.find("left the routing table") != std::string::npos; });
  EXPECT_TRUE(told);
}

TEST(Detector, ALostCollectorSessionIsNotAWithdrawal) {
  // No session for ten minutes while everything answers: the prefix's state is unknown then,
  // not down, and nothing is raised.
  const auto o = detect(stream(
                            [&](const std::string&, const std::string& target, double s) {
                              return Probe{true, normal_rtt(s, target)};
                            },
                            3600, {"v1"}, [](double s) { return s >= 1800 && s < 2400 ? Outcome::no_session : Outcome::ok; }),
                        {}, targets_with_bgp());
  EXPECT_TRUE(o.events.empty()) << events_to_text(o.events, o.waves);
}

TEST(Detector, TwoWavesSeparatedByRecovery) {
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        const bool dark = target != "control" && ((s >= 1000 && s < 1600) || (s >= 4000 && s < 4600));
        return Probe{!dark, normal_rtt(s, target)};
      },
      6000));
  EXPECT_EQ(o.waves.size(), 2u);
  EXPECT_EQ(of_scope(o, Scope::network).size(), 2u);
}

TEST(Detector, TheVantagesOwnFailureIsCalledVantageLocal) {
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        return Probe{!(s >= 1000 && s < 1600), normal_rtt(s, target)};  // everything, control included
      },
      3000));
  const auto network = of_scope(o, Scope::network);
  ASSERT_EQ(network.size(), 1u);
  EXPECT_EQ(network[0]->signature, Signature::vantage_local);
  EXPECT_TRUE(o.waves.empty()) << "a vantage-local event is not a wave of the country's outages";
}

// One site silent while the rest answer: that site's own clean cut, not its layer's (its
// checks are all pings here: nothing of it answers, so it is not a service-only failure).
TEST(Detector, ASingleSiteGoingSilentIsItsOwnCleanCutNotALayer) {
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        return Probe{!(target == "kcna" && s >= 1000 && s < 1600), normal_rtt(s, target)};
      },
      3000));
  EXPECT_TRUE(of_scope(o, Scope::layer).empty());
  const auto targets_down = of_scope(o, Scope::target);
  ASSERT_EQ(targets_down.size(), 1u);
  EXPECT_EQ(targets_down[0]->subject, "kcna");
  EXPECT_EQ(targets_down[0]->kind, State::down);
  EXPECT_EQ(targets_down[0]->signature, Signature::clean_cut);
}

TEST(Detector, AFlappingTargetDoesNotStormEvents) {
  // Down for one probe, up for one, for an hour: the confirmations make each failure short.
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        const bool flap = target == "mail" && static_cast<int>(s / 10) % 2 == 0;
        return Probe{!flap, normal_rtt(s, target)};
      },
      3600));
  EXPECT_LE(of_scope(o, Scope::target).size(), 5u);
}

TEST(Detector, NetworkWideNeedsAQuorumOfVantages) {
  const auto behave_for = [](int failing_vantages) {
    return [failing_vantages](const std::string& vantage, const std::string& target, double s) {
      const int v = vantage.back() - '0';
      const bool dark = target != "control" && v <= failing_vantages && s >= 1000 && s < 1600;
      return Probe{!dark, normal_rtt(s, target)};
    };
  };
  const auto one = detect(stream(behave_for(1), 3000, {"v1", "v2", "v3"}));
  EXPECT_TRUE(of_scope(one, Scope::network).empty()) << "one vantage of three is not a quorum";
  const auto two = detect(stream(behave_for(2), 3000, {"v1", "v2", "v3"}));
  ASSERT_EQ(of_scope(two, Scope::network).size(), 1u);
  EXPECT_EQ(of_scope(two, Scope::network)[0]->vantages.size(), 2u);
}

TEST(Detector, TheBaselineDoesNotLearnTheOutage) {
  // Hours of 10x RTT do not become normal: when it ends, a return to 10x is stress again.
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        const bool slow = (s >= 3600 && s < 3 * 3600) || (s >= 4 * 3600 && s < 4.5 * 3600);
        return Probe{true, normal_rtt(s, target) * (slow ? 10 : 1)};
      },
      5 * 3600));
  std::size_t stressed_after = 0;
  for (const Event* e : of_scope(o, Scope::network))
    if (e->start >= t0 + std::chrono::hours(4)) ++stressed_after;
  EXPECT_EQ(stressed_after, 1u);
}

TEST(Detector, ASlowDriftIsNotStress) {
  // The RTT doubles over ten hours: the baseline follows.
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        return Probe{true, std::chrono::duration_cast<Duration>(normal_rtt(s, target) * (1 + s / 36000))};
      },
      10 * 3600));
  EXPECT_TRUE(of_scope(o, Scope::network).empty());
  EXPECT_TRUE(of_scope(o, Scope::layer).empty());
}

TEST(Detector, DiurnalSwingsAreNotStress) {
  // RTT swings 1.5x over a day (compressed here into 2 hours, twice).
  const auto o = detect(stream(
      [&](const std::string&, const std::string& target, double s) {
        const double swing = 1.25 + 0.25 * std::sin(s / 7200 * 2 * 3.14159);
        return Probe{true, std::chrono::duration_cast<Duration>(normal_rtt(s, target) * swing)};
      },
      4 * 3600));
  EXPECT_TRUE(of_scope(o, Scope::layer).empty());
}

TEST(Detector, IsAPureFunctionOfTheStream) {
  const auto results = stream(
      [&](const std::string&, const std::string& target, double s) {
        return Probe{!(target != "control" && s >= 1000 && s < 1600), normal_rtt(s, target)};
      },
      3000);
  const auto a = detect(results);
  const auto b = detect(results);
  EXPECT_EQ(events_to_json(a.events, a.waves), events_to_json(b.events, b.waves));
  EXPECT_NE(events_to_text(a.events, a.waves).find("1 wave"), std::string::npos) << events_to_text(a.events, a.waves);
}

// The detector forgets what it handed over; the story told must not depend on when it was
// taken: after every result (as stored states change), every few hundred, or once at the end.
TEST(Detector, TheStoryIsTheSameHoweverOftenItIsTaken) {
  // Two waves (a flood that ends in a cut, then a clean cut), a site of its own down between
  // them, and a layer stressed across the second wave's end.
  const auto results = stream(
      [&](const std::string&, const std::string& target, double s) {
        if (target == "control") return Probe{true, normal_rtt(s, target)};
        const bool flood = s >= 900 && s < 1100, cut = (s >= 1100 && s < 1600) || (s >= 4000 && s < 4500);
        const bool own = target == "kcna" && s >= 2500 && s < 2900;
        const bool slow_dns = (target == "ns1" || target == "ns2") && s >= 4300 && s < 4900;
        return Probe{!cut && !own, normal_rtt(s, target) * (flood ? 12 : slow_dns ? 8 : 1)};
      },
      6000);
  const auto once = detect_taking(results, 0);
  ASSERT_EQ(once.waves.size(), 2u) << events_to_text(once.events, once.waves);
  const std::string told = events_to_json(once.events, once.waves);
  for (const std::size_t every : {1, 7, 300})
    EXPECT_EQ(events_to_json(detect_taking(results, every).events, detect_taking(results, every).waves), told)
        << "taken every " << every << " results";
}

TEST(Detector, HandsOverAClosedEventOnceAndThenForgetsIt) {
  const auto results = stream(
      [&](const std::string&, const std::string& target, double s) {
        return Probe{!(target == "kcna" && s >= 1000 && s < 1600), normal_rtt(s, target)};
      },
      3000);
  Detector detector(targets(), {});
  std::size_t handed = 0;
  for (const Result& r : results) {
    detector.add(r);
    for (const Event& e : detector.take_changed_events()) handed += e.end ? 1 : 0;
  }
  EXPECT_EQ(handed, 1u) << "kcna's one outage, closed once";
  EXPECT_TRUE(detector.open_events().empty());
  EXPECT_TRUE(detector.take_changed_events().empty());
  EXPECT_TRUE(detector.take_changed_waves().empty());
  EXPECT_FALSE(detector.take_new_state_changes().empty());
  EXPECT_TRUE(detector.take_new_state_changes().empty()) << "state changes are handed over once";
}

TEST(EventLog, KeepsTheLatestClosedEventsAndWavesWithinItsLimits) {
  const auto results = stream(
      [&](const std::string&, const std::string& target, double s) {
        const bool dark = target != "control" && ((s >= 1000 && s < 1600) || (s >= 4000 && s < 4600) || (s >= 7000 && s < 7600));
        return Probe{!dark, normal_rtt(s, target)};
      },
      9000);
  const auto all = detect_taking(results, 0);
  ASSERT_EQ(all.waves.size(), 3u);
  Detector detector(targets(), {});
  EventLog bounded(EventLog::Limits{5, 1});
  for (const Result& r : results) {
    detector.add(r);
    bounded.take_from(detector);
  }
  const auto kept = bounded.events();
  ASSERT_EQ(kept.size(), 5u);
  // The five that closed last: the third wave's.
  for (const Event& e : kept) EXPECT_GE(e.start, t0 + std::chrono::seconds(6900)) << e.id;
  const auto waves = bounded.waves();
  ASSERT_EQ(waves.size(), 1u);
  EXPECT_EQ(waves[0].id, all.waves[2].id);
  EXPECT_EQ(waves[0].signatures, all.waves[2].signatures) << "a wave reads the same when its old events are forgotten";
}

}  // namespace
}  // namespace blackout
