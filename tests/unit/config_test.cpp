// Config loading: valid files load with the right values; each malformed file in
// tests/data/configs/bad/ gives the error its first line announces ("# expect: ...").
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/loader.hpp"
#include "config/schema.hpp"

namespace blackout {
namespace {

const std::filesystem::path source_dir = BLACKOUT_SOURCE_DIR;

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

TEST(Config, MinimalShapeFromTheIssueLoads) {
  const Config config = load_ok(R"(
vantage: lab-mon
store: sqlite:var/blackout.db
defaults: { interval: 10s, timeout: 2s }
targets:
  - name: mfa
    layer: web
    groups: [government]
    address: 198.18.64.10
    checks:
      - icmp
      - tcp: 443
      - http: { url: "http://198.18.64.10/", expect_status: 200 }
  - name: ns1
    layer: dns
    address: 198.18.65.2
    checks: [ { dns: { query: kp.test, type: SOA, expect_rcode: NOERROR } } ]
)");
  EXPECT_EQ(config.vantage, "lab-mon");
  EXPECT_EQ(config.store, "sqlite:var/blackout.db");
  ASSERT_EQ(config.targets.size(), 2u);
  const Target& mfa = config.targets[0];
  EXPECT_EQ(mfa.layer, Layer::web);
  EXPECT_EQ(mfa.groups, std::vector<std::string>{"government"});
  ASSERT_TRUE(mfa.address);
  EXPECT_EQ(mfa.address->to_string(), "198.18.64.10");
  ASSERT_EQ(mfa.checks.size(), 3u);
  EXPECT_EQ(mfa.checks[0].id, "icmp");
  EXPECT_EQ(mfa.checks[1].id, "tcp:443");
  EXPECT_EQ(std::get<TcpParams>(mfa.checks[1].params).port, 443);
  EXPECT_EQ(mfa.checks[2].kind, CheckKind::http);
  EXPECT_EQ(std::get<HttpParams>(mfa.checks[2].params).expect_status, std::vector<int>{200});
  EXPECT_EQ(mfa.checks[2].interval, 10s);
  EXPECT_EQ(mfa.checks[2].timeout, 2s);
  const auto& dns = std::get<DnsParams>(config.targets[1].checks[0].params);
  EXPECT_EQ(dns.query, "kp.test");
  EXPECT_EQ(dns.qtype, 6);
  EXPECT_EQ(dns.expect_rcode, 0);
  EXPECT_EQ(config.targets[1].checks[0].id, "dns:kp.test/SOA");
}

TEST(Config, ScheduleCascadesFromDefaultsToTargetToCheck) {
  const Config config = load_ok(R"(
defaults: { interval: 30s, timeout: 3s, jitter: 2s, confirmations: 3, confirm_spacing: 250ms }
targets:
  - name: a
    layer: host
    address: ::1
    interval: 20s
    checks:
      - icmp
      - tcp: { port: 22, timeout: 1s, confirmations: 0, name: ssh }
)");
  const Target& a = config.targets[0];
  EXPECT_TRUE(a.address && !a.address->is_v4());
  EXPECT_EQ(a.checks[0].interval, 20s);
  EXPECT_EQ(a.checks[0].timeout, 3s);
  EXPECT_EQ(a.checks[0].jitter, 2s);
  EXPECT_EQ(a.checks[0].confirmations, 3);
  EXPECT_EQ(a.checks[0].confirm_spacing, 250ms);
  EXPECT_EQ(a.checks[1].id, "ssh");
  EXPECT_EQ(a.checks[1].timeout, 1s);
  EXPECT_EQ(a.checks[1].confirmations, 0);
}

TEST(Config, EveryCheckKindWithEveryParameter) {
  const Config config = load_ok(R"(
lab_only: true
groups: { gov: Government, media: "News and radio" }
targets:
  - name: site
    layer: web
    groups: [gov]
    host: www.mfa.kp.test
    address: 198.18.64.10
    weight: 2.5
    description: Ministry of Foreign Affairs
    checks:
      - icmp: { payload_size: 100 }
      - http:
          url: https://www.mfa.kp.test:8443/index.html
          expect_status: [200, 301]
          body_match: "Ministry"
          follow_redirects: true
          tls_verify: false
          cert_expiry_warning: 7d
          method: HEAD
          host_header: mfa.kp.test
      - traceroute: { method: icmp, max_hops: 20, first_hop: 2, port: 33500 }
  - name: mail
    layer: mail
    address: fd00:198:18::25
    checks:
      - smtp: { port: 2525, starttls: true, ehlo_name: monitor.test }
  - name: ns
    layer: dns
    checks:
      - dns: { query: kp.test, type: MX, class: CH, server: 198.18.65.2, port: 5353, expect_rcode: NXDOMAIN,
               expect_authoritative: true, min_answers: 2, tcp: true, recursion_desired: true }
  - name: control
    layer: host
    control: true
    address: 127.0.0.1
    checks: [icmp]
  - name: kp-prefix
    layer: bgp
    checks:
      - bgp: { prefix: 198.18.64.0/22, origin_as: AS64500, min_peers: 2 }
)");
  EXPECT_TRUE(config.lab_only);
  EXPECT_EQ(config.groups.at("media"), "News and radio");
  const Target& site = config.targets[0];
  EXPECT_EQ(site.host, "www.mfa.kp.test");
  EXPECT_DOUBLE_EQ(site.weight, 2.5);
  const auto& http = std::get<HttpParams>(site.checks[1].params);
  EXPECT_EQ(http.expect_status, (std::vector<int>{200, 301}));
  EXPECT_EQ(http.body_match, "Ministry");
  EXPECT_TRUE(http.follow_redirects);
  EXPECT_FALSE(http.tls_verify);
  EXPECT_EQ(http.cert_expiry_warning, std::chrono::hours(24 * 7));
  EXPECT_EQ(http.method, "HEAD");
  EXPECT_EQ(http.host_header, "mfa.kp.test");
  const auto& trace = std::get<TracerouteParams>(site.checks[2].params);
  EXPECT_EQ(trace.method, TracerouteParams::Method::icmp);
  EXPECT_EQ(trace.max_hops, 20);
  EXPECT_EQ(trace.first_hop, 2);
  const auto& smtp = std::get<SmtpParams>(config.targets[1].checks[0].params);
  EXPECT_EQ(smtp.port, 2525);
  EXPECT_TRUE(smtp.starttls);
  const auto& dns = std::get<DnsParams>(config.targets[2].checks[0].params);
  EXPECT_EQ(dns.qtype, 15);
  EXPECT_EQ(dns.qclass, 3);
  EXPECT_EQ(dns.server->to_string(), "198.18.65.2");
  EXPECT_EQ(dns.expect_rcode, 3);
  EXPECT_EQ(dns.expect_authoritative, true);
  EXPECT_EQ(dns.min_answers, 2);
  EXPECT_TRUE(dns.tcp && dns.recursion_desired);
  EXPECT_TRUE(config.targets[3].control);
  const auto& bgp = std::get<BgpParams>(config.targets[4].checks[0].params);
  EXPECT_EQ(bgp.prefix->to_string(), "198.18.64.0/22");
  EXPECT_EQ(bgp.origin_as, 64500u);
  EXPECT_EQ(bgp.min_peers, 2);
  EXPECT_EQ(config.check_count(), 7u);
}

TEST(Config, BgpSectionNamesTheCollectorSessions) {
  const Config config = load_ok(R"(
lab_only: true
bgp:
  local_as: AS64999
  router_id: 198.18.0.2
  sessions:
    - { name: transit, peer: 198.18.0.1, peer_as: 65010, local: 198.18.0.2, hold_time: 6 }
    - { peer: "[fd00:198:18::1]:1179", peer_as: 0, passive: true, local: "[fd00:198:18::2]" }
targets:
  - { name: prefix, layer: bgp, checks: [ { bgp: { prefix: 198.18.64.0/22, min_peers: 2 } } ] }
)");
  EXPECT_EQ(config.bgp.local_as, 64999U);
  ASSERT_TRUE(config.bgp.router_id);
  EXPECT_EQ(config.bgp.router_id->to_string(), "198.18.0.2");
  ASSERT_EQ(config.bgp.sessions.size(), 2U);
  const BgpSessionSpec& transit = config.bgp.sessions[0];
  EXPECT_EQ(transit.name, "transit");
  EXPECT_EQ(transit.peer_address.to_string(), "198.18.0.1");
  EXPECT_EQ(transit.peer_port, 179);
  EXPECT_EQ(transit.peer_as, 65010U);
  EXPECT_EQ(transit.hold_time, 6);
  EXPECT_FALSE(transit.passive);
  ASSERT_TRUE(transit.local_address);
  EXPECT_EQ(transit.local_port, 0);
  const BgpSessionSpec& passive = config.bgp.sessions[1];
  EXPECT_EQ(passive.name, "fd00:198:18::1") << "named after the peer unless named";
  EXPECT_EQ(passive.peer_port, 1179);
  EXPECT_TRUE(passive.passive);
  EXPECT_EQ(passive.local_port, 179) << "a passive session listens on port 179 unless told";
  EXPECT_EQ(passive.hold_time, 90);
}

TEST(Config, ReportsEveryErrorAtOnce) {
  auto config = load_config_text(R"(
targets:
  - name: a
    layer: nope
    address: 1.2.3
    checks: [icmp, tcp: 99999]
)",
                                 "many.yaml");
  ASSERT_FALSE(config);
  EXPECT_GE(config.error().size(), 3u);
  for (const ConfigError& error : config.error()) {
    EXPECT_EQ(error.file, "many.yaml");
    EXPECT_GT(error.line, 0) << error.to_string();
  }
}

TEST(Config, MissingFileNamesTheFile) {
  auto config = load_config_file("/nonexistent/blackout.yaml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error()[0].to_string().find("/nonexistent/blackout.yaml: cannot open the file"), std::string::npos);
}

TEST(Config, BinaryGarbageIsAnErrorNotACrash) {
  const std::string garbage("\x00\xff\xfe{[\x01\x02", 7);
  auto config = load_config_text(garbage, "garbage.yaml");
  EXPECT_FALSE(config);
}

// One mistake in `defaults` is told once, where it is, however many checks inherit it (it
// was told once per check: 36 errors for one line).
TEST(Config, ADefaultsMistakeIsToldOnceAtItsLine) {
  std::string yaml = "defaults:\n  interval: 5s\n  timeout: 10s\ntargets:\n";
  for (int i = 0; i < 12; ++i)
    yaml += "  - { name: t" + std::to_string(i) + ", layer: host, address: 127.0.0.1, checks: [icmp, tcp: 22, tcp: 80] }\n";
  auto config = load_config_text(yaml, "d.yaml");
  ASSERT_FALSE(config);
  ASSERT_EQ(config.error().size(), 1u) << config.error()[1].to_string();
  EXPECT_EQ(config.error()[0].to_string(), "d.yaml:3:12: defaults.timeout: timeout 10s must be shorter than the interval 5s");
}

TEST(Config, ATargetScheduleMistakeIsToldOnceAtTheTargetAndACheckOverrideAtTheCheck) {
  auto config = load_config_text(R"(defaults: { interval: 10s, timeout: 2s }
targets:
  - name: a
    layer: host
    address: 127.0.0.1
    interval: 1500ms
    checks: [icmp, tcp: 22, tcp: 80]
  - name: b
    layer: host
    address: 127.0.0.1
    checks:
      - icmp
      - tcp: { port: 22, timeout: 20s }
)",
                                 "t.yaml");
  ASSERT_FALSE(config);
  std::vector<std::string> errors;
  for (const ConfigError& e : config.error()) errors.push_back(e.to_string());
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "t.yaml:6:15: targets[0].interval: timeout 2s must be shorter than the interval 1.5s",
                        "t.yaml:13:35: targets[1].checks[1].tcp.timeout: timeout 20s must be shorter than the interval 10s"}));
}

TEST(Config, ADirectoryIsSaidToBeADirectory) {
  auto config = load_config_file(source_dir.string());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error()[0].to_string(), source_dir.string() + ": is a directory, not a config file");
}

// /dev/zero was read whole (310 MB after 3 s and growing) before the size check.
TEST(Config, DevicesAndPipesAreRefusedBeforeAnythingIsRead) {
  const auto started = std::chrono::steady_clock::now();
  auto zero = load_config_file("/dev/zero");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error()[0].to_string(),
            "/dev/zero: is not a regular file (a device, a pipe or a socket); a config is a YAML text file");
  const auto fifo = std::filesystem::temp_directory_path() / ("blackout-config-fifo-" + std::to_string(::getpid()));
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto pipe = load_config_file(fifo.string());  // no writer: a blocking open would never return
  std::filesystem::remove(fifo);
  ASSERT_FALSE(pipe);
  EXPECT_NE(pipe.error()[0].message.find("not a regular file"), std::string::npos) << pipe.error()[0].to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(Config, AFileOverTheLimitIsRefusedBeforeItIsRead) {
  const auto path = std::filesystem::temp_directory_path() / ("blackout-config-large-" + std::to_string(::getpid()) + ".yaml");
  { std::ofstream(path) << "targets: []\n"; }
  std::filesystem::resize_file(path, max_config_bytes + 1);  // sparse: costs no disk
  const auto started = std::chrono::steady_clock::now();
  auto config = load_config_file(path.string());
  const auto took = std::chrono::steady_clock::now() - started;
  std::filesystem::remove(path);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error()[0].message, "the file is larger than 64 MiB, the most a config may be");
  EXPECT_LT(took, std::chrono::milliseconds(200)) << "reading 64 MiB of zeros takes longer than looking at the size";
}

TEST(Config, BodyPatternsAreRe2AndTheCatastrophicOnesAreFine) {
  const auto with = [](const std::string& pattern) {
    return load_config_text("targets:\n  - { name: a, layer: web, checks: [ { http: { url: \"http://127.0.0.1/\", body_match: '" +
                                pattern + "' } } ] }\n",
                            "p.yaml");
  };
  EXPECT_TRUE(with("(\\w+\\s?)*!")) << "linear in RE2: nothing to refuse";
  EXPECT_TRUE(with("Welcome.*Korea"));
  const auto backreference = with("(a)\\1");
  ASSERT_FALSE(backreference);
  EXPECT_NE(backreference.error()[0].to_string().find(
                "p.yaml:2:86: targets[0].checks[0].http.body_match: bad regular expression (RE2 syntax)"),
            std::string::npos)
      << backreference.error()[0].to_string();
}

// Table-driven: each file in tests/data/configs/bad announces the error it must produce.
class BadConfig : public testing::TestWithParam<std::string> {};

TEST_P(BadConfig, GivesTheAnnouncedError) {
  const std::filesystem::path path = source_dir / "tests/data/configs/bad" / GetParam();
  std::ifstream in(path);
  std::string first_line;
  std::getline(in, first_line);
  ASSERT_EQ(first_line.rfind("# expect: ", 0), 0u) << path << " must start with '# expect: ...'";
  const std::string expected = first_line.substr(10);
  auto config = load_config_file(path.string());
  ASSERT_FALSE(config) << path << " loaded, but should not";
  std::string all;
  bool found = false;
  for (const ConfigError& error : config.error()) {
    const std::string text = error.to_string();
    all += text + "\n";
    EXPECT_EQ(text.rfind(path.string() + ":", 0), 0u) << "every error names the file: " << text;
    if (text.find(expected) != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "expected an error containing: " << expected << "\ngot:\n" << all;
}

std::vector<std::string> bad_config_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir / "tests/data/configs/bad"))
    files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Files, BadConfig, testing::ValuesIn(bad_config_files()),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param.substr(0, param_info.param.find('.'));
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(Config, AtLeastTwentyDistinctMalformedFiles) { EXPECT_GE(bad_config_files().size(), 20u); }

TEST(Config, ExamplesLoad) {
  for (const char* name : {"examples/loopback.yaml", "examples/north-korea.yaml"}) {
    auto config = load_config_file((source_dir / name).string());
    EXPECT_TRUE(config) << name << ": " << (config ? "" : config.error()[0].to_string());
  }
}

TEST(Config, LoopbackExampleStaysInTheLab) {
  auto config = load_config_file((source_dir / "examples/loopback.yaml").string());
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->lab_only) << "the README's demo config must set lab_only";
}

TEST(Config, NorthKoreaExampleIsNotLabOnlyAndWatchesThePrefix) {
  auto config = load_config_file((source_dir / "examples/north-korea.yaml").string());
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->lab_only);
  bool watches_prefix = false;
  for (const Target& target : config->targets)
    for (const Check& check : target.checks)
      if (const auto* bgp = std::get_if<BgpParams>(&check.params))
        if (bgp->prefix && bgp->prefix->to_string() == "175.45.176.0/22") watches_prefix = true;
  EXPECT_TRUE(watches_prefix);
}

}  // namespace
}  // namespace blackout
