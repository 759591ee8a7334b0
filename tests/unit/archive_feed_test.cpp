// bgp checks answered from MRT archives (bgp/archive_feed.hpp): real collector files of
// tests/data/mrt merged in time order, and small hand-made records for the rules on
// which peers count (a dump, a settled session; a lost session is not a withdrawal).
#include "bgp/archive_feed.hpp"

#include <gtest/gtest.h>

#include <map>

#include "bgp/mrt_merge.hpp"
#include "config/loader.hpp"
#include "support/net.hpp"

namespace blackout::bgp {
namespace {

const std::filesystem::path data = BLACKOUT_MRT_DATA_DIR;

std::vector<Target> targets_of(const std::string& yaml) {
  auto config = load_config_text(yaml, "test.yaml");
  if (!config) throw std::runtime_error(config.error()[0].to_string());
  return config->targets;
}

std::vector<Result> replay(ArchiveFeed& feed, const std::vector<std::filesystem::path>& files) {
  auto merge = MrtMerge::open(files);
  if (!merge) throw std::runtime_error(merge.error().message);
  std::vector<Result> out;
  for (;;) {
    auto next = merge->next();
    if (!next) throw std::runtime_error(next.error().error.describe());
    if (!*next) break;
    feed.add((*next)->record, out);
  }
  feed.finish(out);
  return out;
}

const char* watched = R"(
defaults: { interval: 60s, timeout: 5s, jitter: 0s }
targets:
  - { name: p, layer: bgp, checks: [ { bgp: { prefix: 80.95.224.0/20 } } ] }
  - { name: origin, layer: bgp, checks: [ { bgp: { origin_as: 21283 } } ] }
  - { name: absent, layer: bgp, checks: [ { bgp: { prefix: 198.18.64.0/22 } } ] }
)";

// The 2002 RIB dump (TABLE_DUMP, 36 peers): bgpdump -m prints four lines for 80.95.224.0/20.
TEST(ArchiveFeed, ARibDumpAloneIsAnsweredAtItsTime) {
  ArchiveFeed feed(targets_of(watched), "archive");
  const auto results = replay(feed, {data / "bview.20020722.2337.gz"});
  ASSERT_EQ(results.size(), 3u);
  std::map<std::string, const Result*> by_target;
  for (const Result& r : results) by_target[r.target] = &r;
  const Result& p = *by_target.at("p");
  EXPECT_EQ(p.outcome, Outcome::ok) << p.detail;
  EXPECT_EQ(std::get<std::int64_t>(testing_support::field_of(p, "peers_seen")), 4);
  EXPECT_EQ(std::get<std::int64_t>(testing_support::field_of(p, "peers_up")), 36);
  EXPECT_EQ(std::get<std::string>(testing_support::field_of(p, "as_path")), "8447 8591 21283");
  EXPECT_EQ(p.vantage, "archive");
  EXPECT_EQ(p.check, "bgp:80.95.224.0/20");
  EXPECT_EQ(format_rfc3339(p.time), "2002-07-22T23:37:37.000Z") << "the end of the dump";
  EXPECT_EQ(by_target.at("origin")->outcome, Outcome::ok);
  EXPECT_EQ(by_target.at("absent")->outcome, Outcome::withdrawn) << "36 peers with whole tables, none has it";
  EXPECT_EQ(feed.counters().dumps, 1u);
  EXPECT_EQ(feed.counters().rib_entries, 115521u);
}

// Updates alone, 2,419 withdrawals among them, and no session coming up: no peer's whole
// table is known, so nothing can be said, never "withdrawn". Then the dump an hour later.
TEST(ArchiveFeed, UpdatesWithoutADumpSayNothingUntilTheDumpComes) {
  ArchiveFeed feed(targets_of(watched), "archive");
  // Named in the wrong order on purpose: the merge puts them in time order.
  const auto results = replay(feed, {data / "bview.20020722.2337.gz", data / "updates.20020722.2238.gz"});
  EXPECT_EQ(feed.counters().withdrawals, 2419u);
  EXPECT_EQ(feed.counters().out_of_order, 0u);
  std::map<Outcome, int> outcomes;
  for (const Result& r : results)
    if (r.target == "p") ++outcomes[r.outcome];
  EXPECT_EQ(outcomes[Outcome::no_session], 60) << "22:38:34 and every minute to 23:37";
  EXPECT_EQ(outcomes[Outcome::ok], 1);
  EXPECT_EQ(outcomes.count(Outcome::withdrawn), 0u);
  for (std::size_t i = 1; i < results.size(); ++i) EXPECT_LE(results[i - 1].time, results[i].time);
}

// Hand-made records: two peers in a dump, then what happens to them.
class ArchiveRules : public ::testing::Test {
 protected:
  static constexpr std::uint32_t t0 = 1'800'000'000;
  const IpAddress a = *IpAddress::parse("198.18.2.1"), b = *IpAddress::parse("198.18.2.5");
  const NlriPrefix country{*IpAddress::parse("198.18.64.0"), 22, 0};
  ArchiveFeed feed{targets_of("defaults: { interval: 10s, timeout: 1s, jitter: 0s }\n"
                              "targets: [ { name: country, layer: bgp, checks: [ { bgp: { prefix: 198.18.64.0/22 } } ] } ]\n"),
                   "archive", std::chrono::seconds(30)};
  std::vector<Result> out;

  static PathAttributes path(std::uint32_t origin) {
    PathAttributes p;
    p.as_path = {AsPathSegment{as_segment::sequence, {64500, origin}}};
    return p;
  }
  void record(std::uint32_t at, MrtBody body) { feed.add(MrtRecord{MrtHeader{t0 + at, 0, 0, 0, 0, 0}, std::move(body)}, out); }
  void dump(std::uint32_t at, bool with_b) {
    PeerIndexTable index;
    index.peers = {PeerEntry{a, a, 64500}, PeerEntry{b, b, 64501}};
    record(at, index);
    RibRecord rib;
    rib.prefix = country;
    rib.entries.push_back(RibEntry{0, index.peers[0], 0, 0, path(64511)});
    if (with_b) rib.entries.push_back(RibEntry{1, index.peers[1], 0, 0, path(64511)});
    record(at, rib);
  }
  BgpMessage update_from(const IpAddress& peer) {
    BgpMessage m;
    m.session.peer_address = peer;
    m.type = bgp_message_type::update;
    m.update.emplace();
    return m;
  }
  void withdraw(std::uint32_t at, const IpAddress& peer) {
    BgpMessage m = update_from(peer);
    m.update->withdrawn.push_back(country);
    record(at, m);
  }
  void announce(std::uint32_t at, const IpAddress& peer) {
    BgpMessage m = update_from(peer);
    m.update->attributes = path(64511);
    m.update->announced.push_back(country);
    record(at, m);
  }
  void state(std::uint32_t at, const IpAddress& peer, std::uint16_t from, std::uint16_t to) {
    StateChange change;
    change.session.peer_address = peer;
    change.old_state = from;
    change.new_state = to;
    record(at, change);
  }
  Outcome at(std::uint32_t seconds) const {
    for (const Result& r : out)
      if (r.time == Timestamp{std::chrono::seconds(t0 + seconds)}) return r.outcome;
    ADD_FAILURE() << "no answer at +" << seconds << " s";
    return Outcome::internal_error;
  }
};

TEST_F(ArchiveRules, WithdrawnOnlyWhenEveryCountingPeerHasWithdrawnIt) {
  dump(0, true);
  withdraw(15, a);
  withdraw(25, b);
  announce(45, a);
  record(60, StateChange{});  // something later, so that +50 is answered
  feed.finish(out);
  EXPECT_EQ(out.front().time, Timestamp{std::chrono::seconds(t0 + 10)}) << "a dump is answered after it, not inside it";
  EXPECT_EQ(at(10), Outcome::ok);
  EXPECT_EQ(at(20), Outcome::ok) << "b still has it";
  EXPECT_EQ(at(30), Outcome::withdrawn);
  EXPECT_EQ(at(40), Outcome::withdrawn);
  EXPECT_EQ(at(50), Outcome::ok);
}

TEST_F(ArchiveRules, ALostSessionIsNoSessionAndCountsAgainOnceSettled) {
  dump(0, false);  // only a has the prefix; b's table is known and empty
  state(12, a, 6, 1);
  state(22, b, 6, 1);
  state(35, a, 1, 6);
  announce(36, a);
  state(80, b, 1, 6);
  feed.finish(out);
  EXPECT_EQ(at(10), Outcome::ok);
  EXPECT_EQ(at(20), Outcome::withdrawn) << "a is gone; b, whose table is known, does not have it";
  EXPECT_EQ(at(30), Outcome::no_session) << "neither counts: nothing can be said";
  EXPECT_EQ(at(60), Outcome::no_session) << "a is back but still settling (30 s)";
  EXPECT_EQ(at(70), Outcome::ok) << "a settled at +65";
  EXPECT_EQ(feed.counters().sessions_lost, 2u);
}

TEST_F(ArchiveRules, ALaterDumpReplacesAPeersTable) {
  dump(0, true);
  dump(20, false);  // b no longer has it
  withdraw(25, a);
  record(40, StateChange{});
  feed.finish(out);
  EXPECT_EQ(at(10), Outcome::ok);
  EXPECT_EQ(at(30), Outcome::withdrawn) << "b's stale path from the first dump must not keep it visible";
}

TEST_F(ArchiveRules, AnOlderRecordIsAppliedButAnswersStand) {
  dump(0, true);
  withdraw(30, a);
  withdraw(20, b);  // out of order
  record(45, StateChange{});
  feed.finish(out);
  EXPECT_EQ(feed.counters().out_of_order, 1u);
  EXPECT_EQ(at(20), Outcome::ok);
  EXPECT_EQ(at(40), Outcome::withdrawn);
}

}  // namespace
}  // namespace blackout::bgp
