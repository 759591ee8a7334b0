// Prefix visibility over a Rib: exact, covering and more-specific prefixes, origin AS
// checks, min_peers, and peers whose session is down (they do not count, and with none up
// the answer is "no session", not "withdrawn").
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "bgp/visibility.hpp"

namespace blackout::bgp {
namespace {

std::shared_ptr<const PathAttributes> path(std::vector<std::uint32_t> asns) {
  auto attributes = std::make_shared<PathAttributes>();
  attributes->as_path = {AsPathSegment{as_segment::sequence, std::move(asns)}};
  return attributes;
}

class BgpVisibility : public ::testing::Test {
 protected:
  void SetUp() override {
    rib_.announce("a", *Prefix::parse("198.18.64.0/22"), 0, path({65010, 65001}), 1);
    rib_.announce("b", *Prefix::parse("198.18.64.0/22"), 0, path({65020, 65030, 65001}), 1);
    rib_.announce("b", *Prefix::parse("198.18.66.0/24"), 0, path({65020, 65001}), 1);
    rib_.announce("a", *Prefix::parse("198.18.0.0/15"), 0, path({65010}), 1);
    rib_.announce("a", *Prefix::parse("198.19.0.0/24"), 0, path({65010, 65099}), 1);
    rib_.announce("a", *Prefix::parse("fd00:198:18::/48"), 0, path({65010, 65001}), 1);
  }
  Visibility check(BgpParams params) const {
    return visibility(rib_, params, up_.size(), [this](const std::string& peer) { return up_.count(peer) > 0; });
  }
  Rib rib_;
  std::set<std::string> up_{"a", "b"};
};

TEST_F(BgpVisibility, APrefixCountsItsCoveringAndMoreSpecificPrefixes) {
  const Visibility seen = check(BgpParams{Prefix::parse("198.18.64.0/22"), std::nullopt, 2});
  EXPECT_EQ(seen.peers.size(), 2U);
  EXPECT_EQ(seen.paths, 4U);  // the /22 twice, the /24 inside it, the /15 around it
  EXPECT_EQ(seen.prefixes.size(), 3U);
  EXPECT_EQ(seen.outcome(2), Outcome::ok);
  EXPECT_EQ(seen.outcome(3), Outcome::withdrawn);
  EXPECT_EQ(seen.describe(), "seen by 2 of 2 peers, 4 paths, 3 prefixes; origin AS 65001 65010; shortest AS path 65010");
}

TEST_F(BgpVisibility, AnOriginAsCountsOnlyItsOwnPaths) {
  const Visibility seen = check(BgpParams{std::nullopt, 65001U, 1});
  EXPECT_EQ(seen.paths, 4U);  // the /22 twice, the /24, the IPv6 /48
  EXPECT_EQ(seen.origins, (std::set<std::uint32_t>{65001}));
  const Visibility both = check(BgpParams{Prefix::parse("198.18.64.0/22"), 65001U, 1});
  EXPECT_EQ(both.paths, 3U);  // not the /15 of AS 65010
}

TEST_F(BgpVisibility, WithdrawnWhenNoUpPeerSeesIt) {
  rib_.withdraw("a", *Prefix::parse("198.18.64.0/22"), 0);
  rib_.withdraw("b", *Prefix::parse("198.18.64.0/22"), 0);
  rib_.withdraw("b", *Prefix::parse("198.18.66.0/24"), 0);
  const Visibility seen = check(BgpParams{Prefix::parse("198.18.64.0/22"), 65001U, 1});
  EXPECT_EQ(seen.outcome(1), Outcome::withdrawn);
  EXPECT_TRUE(seen.peers.empty());
}

TEST_F(BgpVisibility, PeersWithTheirSessionDownDoNotCount) {
  up_ = {"b"};
  const Visibility one = check(BgpParams{Prefix::parse("fd00:198:18::/48"), std::nullopt, 1});
  EXPECT_EQ(one.outcome(1), Outcome::withdrawn);  // only "a" had it, and "a" is down
  up_.clear();
  const Visibility none = check(BgpParams{Prefix::parse("198.18.64.0/22"), std::nullopt, 1});
  EXPECT_EQ(none.outcome(1), Outcome::no_session);
  EXPECT_EQ(none.describe(), "no collector session is up");
}

}  // namespace
}  // namespace blackout::bgp
