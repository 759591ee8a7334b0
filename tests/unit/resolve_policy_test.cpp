// The resolver's pure decisions (resolve/policy.hpp) and the resolver section of the config:
// how two queries make one outcome, which address survives a failure, which one is probed,
// when a name is looked up again. No sockets: the lookups themselves are tested against a
// real nsd in tests/integration/resolve_test.cpp.
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "model/result_fields.hpp"
#include "probes/registry.hpp"
#include "resolve/policy.hpp"

namespace blackout {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

Answer answer(QueryEnd a, QueryEnd aaaa, std::vector<IpAddress> v4 = {}, std::vector<IpAddress> v6 = {}) {
  Answer out;
  out.a = a;
  out.aaaa = aaaa;
  out.v4 = std::move(v4);
  out.v6 = std::move(v6);
  return out;
}

TEST(ResolvePolicy, EitherFamilyWithAddressesIsOk) {
  EXPECT_EQ(outcome_of(answer(QueryEnd::ok, QueryEnd::ok, {ip("127.0.0.2")}, {ip("::1")})), Outcome::ok);
  EXPECT_EQ(outcome_of(answer(QueryEnd::ok, QueryEnd::nodata, {ip("127.0.0.2")})), Outcome::ok);
  EXPECT_EQ(outcome_of(answer(QueryEnd::timeout, QueryEnd::ok, {}, {ip("::1")})), Outcome::ok);
}

TEST(ResolvePolicy, WithoutAddressesTheMostTellingFailureWins) {
  EXPECT_EQ(outcome_of(answer(QueryEnd::nxdomain, QueryEnd::nxdomain)), Outcome::nxdomain);
  EXPECT_EQ(outcome_of(answer(QueryEnd::timeout, QueryEnd::nxdomain)), Outcome::nxdomain);
  EXPECT_EQ(outcome_of(answer(QueryEnd::servfail, QueryEnd::timeout)), Outcome::servfail);
  EXPECT_EQ(outcome_of(answer(QueryEnd::refused_by_server, QueryEnd::refused_by_server)), Outcome::refused_by_server);
  EXPECT_EQ(outcome_of(answer(QueryEnd::bad_reply, QueryEnd::timeout)), Outcome::bad_reply);
  EXPECT_EQ(outcome_of(answer(QueryEnd::refused, QueryEnd::refused)), Outcome::refused);
  EXPECT_EQ(outcome_of(answer(QueryEnd::timeout, QueryEnd::nodata)), Outcome::timeout);
  // The name exists but has nothing to probe.
  EXPECT_EQ(outcome_of(answer(QueryEnd::nodata, QueryEnd::nodata)), Outcome::resolve_error);
  EXPECT_EQ(outcome_of(answer(QueryEnd::error, QueryEnd::nodata)), Outcome::resolve_error);
}

TEST(ResolvePolicy, AFailedFamilyKeepsItsLastKnownAddresses) {
  const KnownAddresses known{{ip("127.0.0.2")}, {ip("::1")}};
  // AAAA timed out: the IPv6 set stays; A answered with a new set.
  const KnownAddresses next = merge(known, answer(QueryEnd::ok, QueryEnd::timeout, {ip("127.0.0.9")}));
  EXPECT_EQ(next.v4, std::vector<IpAddress>{ip("127.0.0.9")});
  EXPECT_EQ(next.v6, std::vector<IpAddress>{ip("::1")});
  // AAAA answered without records: the name has no IPv6 address any more.
  const KnownAddresses gone = merge(known, answer(QueryEnd::ok, QueryEnd::nodata, {ip("127.0.0.2")}));
  EXPECT_TRUE(gone.v6.empty());
}

TEST(ResolvePolicy, TheProbedAddressIsStickyIpv4FirstThenIpv6) {
  const KnownAddresses both{{ip("127.0.0.2"), ip("127.0.0.3")}, {ip("::1")}};
  EXPECT_EQ(choose_address(std::nullopt, both, false), ip("127.0.0.2"));
  // A round-robin server that lists .3 first does not move the checks off .3's neighbour.
  const KnownAddresses rotated{{ip("127.0.0.3"), ip("127.0.0.2")}, {ip("::1")}};
  EXPECT_EQ(choose_address(ip("127.0.0.2"), rotated, false), ip("127.0.0.2"));
  // The current address left the answer: the first of the new ones.
  EXPECT_EQ(choose_address(ip("127.0.0.7"), rotated, false), ip("127.0.0.3"));
  // No IPv4: IPv6.
  EXPECT_EQ(choose_address(std::nullopt, KnownAddresses{{}, {ip("::1")}}, false), ip("::1"));
  EXPECT_EQ(choose_address(std::nullopt, KnownAddresses{}, false), std::nullopt);
}

TEST(ResolvePolicy, LabOnlyRefusesEveryResolvedAddressOutsideTheLab) {
  const KnownAddresses public_only{{ip("8.8.8.8")}, {ip("2001:4860:4860::8888")}};
  EXPECT_EQ(choose_address(std::nullopt, public_only, true), std::nullopt);
  EXPECT_EQ(refused_addresses(public_only, true).size(), 2u);
  EXPECT_TRUE(refused_addresses(public_only, false).empty());
  // Mixed: the lab address is probed, the public one refused, even when it comes first and
  // even when it was the current one before lab_only was set.
  const KnownAddresses mixed{{ip("8.8.8.8"), ip("198.18.64.10")}, {ip("fd00:198:18::10")}};
  EXPECT_EQ(choose_address(ip("8.8.8.8"), mixed, true), ip("198.18.64.10"));
  EXPECT_EQ(refused_addresses(mixed, true), std::vector<IpAddress>{ip("8.8.8.8")});
  // An IPv4-mapped IPv6 address is not loopback nor lab: refused.
  EXPECT_EQ(choose_address(std::nullopt, KnownAddresses{{}, {ip("::ffff:8.8.8.8")}}, true), std::nullopt);
}

TEST(ResolvePolicy, TheTtlDecidesWithinTheFloorAndTheCeiling) {
  const Duration floor = 5s, ceiling = 60s;
  EXPECT_EQ(refresh_after(30, floor, ceiling), 30s);
  EXPECT_EQ(refresh_after(0, floor, ceiling), 5s) << "a TTL of 0 must not make a busy loop";
  EXPECT_EQ(refresh_after(1, floor, ceiling), 5s);
  EXPECT_EQ(refresh_after(86400, floor, ceiling), 60s) << "a day-long TTL must not hide a DNS outage for a day";
  EXPECT_EQ(refresh_after(std::nullopt, floor, ceiling), 60s);
  EXPECT_EQ(refresh_after(0xFFFFFFFFu, floor, ceiling), 60s);
}

TEST(ResolvePolicy, FailedLookupsAreRetriedFromTheFloorDoublingToTheCeiling) {
  const Duration floor = 5s, ceiling = 60s;
  EXPECT_EQ(retry_after(1, floor, ceiling), 5s);
  EXPECT_EQ(retry_after(2, floor, ceiling), 10s);
  EXPECT_EQ(retry_after(3, floor, ceiling), 20s);
  EXPECT_EQ(retry_after(4, floor, ceiling), 40s);
  EXPECT_EQ(retry_after(5, floor, ceiling), 60s);
  EXPECT_EQ(retry_after(1000, floor, ceiling), 60s);
}

Config load_ok(std::string_view text) {
  auto config = load_config_text(text, "test.yaml");
  if (!config) {
    std::string all;
    for (const auto& e : config.error()) all += e.to_string() + "\n";
    ADD_FAILURE() << all;
    return {};
  }
  return std::move(*config);
}

TEST(ResolverConfig, DefaultsAreTheSystemsResolverWithDocumentedBounds) {
  const Config config = load_ok("targets: [ { name: a, layer: web, host: www.kp.test, checks: [ {tcp: 80} ] } ]\n");
  EXPECT_TRUE(config.resolver.servers.empty());
  EXPECT_EQ(config.resolver.timeout, 1s);
  EXPECT_EQ(config.resolver.tries, 2);
  EXPECT_EQ(config.resolver.min_ttl, 5s);
  EXPECT_EQ(config.resolver.max_ttl, 60s);
  EXPECT_EQ(config.targets[0].host, "www.kp.test");
  EXPECT_FALSE(config.targets[0].address);
}

TEST(ResolverConfig, ServersWithPortsAndTheBounds) {
  const Config config = load_ok(R"(
lab_only: true
resolver:
  servers: [ "127.0.0.1:5353", "[::1]:53", "198.18.65.2" ]
  timeout: 300ms
  tries: 3
  min_ttl: 1s
  max_ttl: 10m
targets: [ { name: a, layer: web, host: www.kp.test, checks: [ {tcp: 80}, {http: {url: "http://www.kp.test/"}} ] } ]
)");
  ASSERT_EQ(config.resolver.servers.size(), 3u);
  EXPECT_EQ(config.resolver.servers[0].address, ip("127.0.0.1"));
  EXPECT_EQ(config.resolver.servers[0].port, 5353);
  EXPECT_EQ(config.resolver.servers[1].address, ip("::1"));
  EXPECT_EQ(config.resolver.servers[1].port, 53);
  EXPECT_EQ(config.resolver.servers[2].port, 53);
  EXPECT_EQ(config.resolver.timeout, 300ms);
  EXPECT_EQ(config.resolver.tries, 3);
  EXPECT_EQ(config.resolver.min_ttl, 1s);
  EXPECT_EQ(config.resolver.max_ttl, 600s);
  // lab_only reaches the http check, whose redirects it also bounds.
  EXPECT_TRUE(std::get<HttpParams>(config.targets[0].checks[1].params).lab_only);
}

TEST(ResolverConfig, ResolveIsAKindWithFieldsButNotACheckToWrite) {
  EXPECT_EQ(check_kind_from_string("resolve"), CheckKind::resolve);
  EXPECT_EQ(to_string(CheckKind::resolve), "resolve");
  EXPECT_FALSE(load_config_text("targets: [ { name: a, layer: web, host: h.kp.test, checks: [ resolve ] } ]\n", "t.yaml"));
  // Its fields are declared once and listed with the others (docs, storage, JSON).
  const auto fields = fields_of(CheckKind::resolve);
  ASSERT_FALSE(fields.empty());
  const auto has = [&](std::string_view name) {
    return std::any_of(fields.begin(), fields.end(), [&](const FieldSpec& f) { return f.name == name; });
  };
  for (const char* name : {"host", "ipv4", "ipv6", "ttl", "probing", "stale", "refused"}) EXPECT_TRUE(has(name)) << name;
  EXPECT_NE(fields_markdown().find("### Fields of `resolve` results"), std::string::npos);
  // The registry builds no probe for it: the resolver makes its results.
  EXPECT_FALSE(ProbeSet::all_kinds()[static_cast<std::size_t>(CheckKind::resolve)]);
}

TEST(ResolverConfig, WhichChecksGoToTheTargetsAddress) {
  const Config config = load_ok(R"(
targets:
  - name: a
    layer: dns
    host: ns1.kp.test
    checks: [ icmp, {tcp: 53}, {dns: {query: kp.test}}, {dns: {query: kp.test, server: 127.0.0.1, name: fixed}}, smtp, traceroute,
              {http: {url: "http://ns1.kp.test/"}} ]
)");
  const auto& checks = config.targets[0].checks;
  ASSERT_EQ(checks.size(), 7u);
  EXPECT_TRUE(goes_to_target_address(checks[0]));
  EXPECT_TRUE(goes_to_target_address(checks[1]));
  EXPECT_TRUE(goes_to_target_address(checks[2]));
  EXPECT_FALSE(goes_to_target_address(checks[3])) << "a dns check with its own server does not need the name";
  EXPECT_TRUE(goes_to_target_address(checks[4]));
  EXPECT_TRUE(goes_to_target_address(checks[5]));
  EXPECT_TRUE(goes_to_target_address(checks[6]));
}

}  // namespace
}  // namespace blackout
