// The lab as a user meets it, as root: up and down twice, every service reachable from the
// vantage, each scenario action observable from the vantage (and in the collector's MRT files, read
// back with blackout bgp read), a killed `lab up` cleaned up by
// `lab down`, and nothing left behind. Observations use blackout's own probes, run inside
// the vantage namespace, so the test sees what the monitor sees.
#include "lab/lab.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "lab/command.hpp"
#include "lab/topology.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

bool is_root() { return geteuid() == 0; }

std::string unique_name() { return "t" + std::to_string(getpid() % 100000); }

void quiet(const std::string&) {}

class LabTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "the lab needs root";
  }
  void TearDown() override {
    if (is_root()) (void)lab.down(quiet);
  }
  // One probe from the vantage with blackout itself: the printed result line.
  std::string probe(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"ip", "netns", "exec", lab.ns("vantage"), BLACKOUT_BINARY, "probe", "--lab-only"};
    argv.insert(argv.end(), args.begin(), args.end());
    return lab::run_command(argv).output;
  }
  // The median RTT in ms of `count` pings, or -1 when none came back.
  double ping_ms(const std::string& address, int count = 5) const {
    const std::string out = probe({"icmp", address, "-c", std::to_string(count), "-i", "200ms", "-t", "1s"});
    std::vector<double> rtts;
    const std::regex ok(R"( ok ([0-9.]+)ms)");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), ok); it != std::sregex_iterator(); ++it)
      rtts.push_back(std::stod((*it)[1]));
    if (rtts.empty()) return -1;
    std::sort(rtts.begin(), rtts.end());
    return rtts[rtts.size() / 2];
  }
  bool namespaces_gone() const {
    const auto listed = lab::run_command({"ip", "netns", "list"}).output;
    for (const std::string& role : lab::lab_roles)
      if (listed.find(lab.ns(role) + " ") != std::string::npos || listed.find(lab.ns(role) + "\n") != std::string::npos)
        return false;
    return true;
  }

  TempDir dir;
  lab::Lab lab{unique_name(), dir.path() / "state"};
};

TEST_F(LabTest, UpAndDownTwiceLeaveNothingBehind) {
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(lab.up(quiet)) << "round " << round;
    const auto status = lab.status();
    EXPECT_TRUE(status.up()) << status.dead.size() << " processes gone";
    const auto pids = status.running;
    ASSERT_GE(pids.size(), 15u);
    ASSERT_TRUE(lab.down(quiet));
    EXPECT_TRUE(namespaces_gone());
    for (const auto& daemon : pids) EXPECT_FALSE(lab::is_running(daemon)) << daemon.name << " still runs";
    EXPECT_FALSE(std::filesystem::exists(lab.state_dir()));
  }
  EXPECT_TRUE(lab.down(quiet)) << "down twice is fine";
}

TEST_F(LabTest, EveryServiceAnswersTheVantage) {
  ASSERT_TRUE(lab.up(quiet));
  for (const lab::LabSite& site : lab::lab_sites()) EXPECT_GE(ping_ms(site.address, 1), 0) << site.name;
  for (const char* site : {"mfa", "naenara", "airkoryo", "kcna"}) {
    const std::string address = lab::find_site(site)->address;
    EXPECT_NE(probe({"http", "http://" + address + "/"}).find(" ok "), std::string::npos) << site;
  }
  for (const char* address : {"198.18.64.20", "198.18.64.21"})
    EXPECT_NE(probe({"dns", address, "-o", "query=kp.test", "-o", "type=SOA"}).find("authoritative=true"), std::string::npos)
        << address;
  EXPECT_NE(probe({"smtp", "198.18.64.30", "-t", "2s"}).find("banner_code=220"), std::string::npos);
  // The collector learns the prefix from the transit a moment after the transit has it (what
  // lab.up waits for): seconds on a loaded machine.
  auto seen = lab.collector_has_prefix();
  for (const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       seen && !*seen && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    seen = lab.collector_has_prefix();
  }
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_TRUE(*seen);
  EXPECT_TRUE(std::filesystem::exists(lab.mrt_dir() / "updates.mrt"));
}

TEST_F(LabTest, EachActionIsSeenFromTheVantage) {
  ASSERT_TRUE(lab.up(quiet));
  // A flood at one site: its queue fills, its RTT rises; its neighbour is untouched.
  // The site's class is 8 Mbit/s. A flood of 9 Mbit/s filled its 60-packet queue at only
  // 1 Mbit/s, and an iperf3 short of CPU (the sanitizer build beside other jobs) fell below
  // 8 Mbit/s: the queue never filled and the RTT stayed at 0.147 ms. 12 Mbit/s fills it in
  // a fifth of a second with room to spare, loses a third of the pings at most, and stays
  // far below the 40 Mbit/s border, so the neighbour sees nothing. The queue is measured
  // once a ping has seen it full (not after a guessed sleep), well within the flood's time.
  const double calm = ping_ms("198.18.64.10");
  ASSERT_GE(calm, 0);
  ASSERT_TRUE(lab.start_flood("mfa", 12'000'000, std::chrono::seconds(20)));
  ASSERT_TRUE(wait_until([&] { return ping_ms("198.18.64.10", 1) > 20.0; }, std::chrono::seconds(10)))
      << "the flood never filled mfa's queue";
  const double flooded = ping_ms("198.18.64.10", 8);
  const double neighbour = ping_ms("198.18.64.11", 5);
  EXPECT_GT(flooded, 20.0) << "calm " << calm << " ms";
  EXPECT_LT(neighbour, 10.0);
  ASSERT_TRUE(lab.stop_flood("mfa"));
  EXPECT_TRUE(wait_until([&] { return ping_ms("198.18.64.10", 1) < 10.0; }));

  // A name server stops: DNS times out while the host still answers pings; then it is back.
  ASSERT_TRUE(lab.stop_service("ns1"));
  EXPECT_EQ(probe({"dns", "198.18.64.20", "-o", "query=kp.test", "-t", "300ms"}).find(" ok "), std::string::npos);
  EXPECT_GE(ping_ms("198.18.64.20", 1), 0);
  ASSERT_TRUE(lab.start_service("ns1"));
  EXPECT_TRUE(wait_until([&] {
    return probe({"dns", "198.18.64.20", "-o", "query=kp.test"}).find(" ok ") != std::string::npos;
  }));

  // Rejected traffic comes back as ICMP admin-prohibited, dropped traffic as silence.
  ASSERT_TRUE(lab.block("kcna", true));
  EXPECT_NE(probe({"icmp", "198.18.64.13", "-t", "500ms"}).find("unreachable"), std::string::npos);
  ASSERT_TRUE(lab.unblock("kcna"));
  EXPECT_GE(ping_ms("198.18.64.13", 1), 0);

  // BGP: the withdrawal leaves the collector within seconds, the country is unreachable,
  // and the announcement brings both back.
  ASSERT_TRUE(lab.set_announced(false));
  EXPECT_TRUE(wait_until([&] { return !lab.collector_has_prefix().value_or(true); }, std::chrono::seconds(5)));
  EXPECT_LT(ping_ms("198.18.64.10", 1), 0);
  ASSERT_TRUE(lab.set_announced(true));
  EXPECT_TRUE(wait_until([&] { return lab.collector_has_prefix().value_or(false); }, std::chrono::seconds(10)));
  EXPECT_TRUE(wait_until([&] { return ping_ms("198.18.64.10", 1) >= 0; }));

  // The collector's MRT file, written by BIRD as the messages came, read back: the
  // withdrawal and the announcement are there, as bgpdump -m prints them.
  const auto updates = lab::run_command({BLACKOUT_BINARY, "bgp", "read", "--format", "lines", "--prefix", "198.18.64.0/22",
                                         (lab.mrt_dir() / "updates.mrt").string()});
  EXPECT_EQ(updates.exit_code, 0) << updates.output;
  EXPECT_NE(updates.output.find("|W|198.18.2.1|64500|198.18.64.0/22\n"), std::string::npos) << updates.output;
  EXPECT_NE(updates.output.find("|A|198.18.2.1|64500|198.18.64.0/22|64500 64511|IGP|198.18.2.1|"), std::string::npos)
      << updates.output;
  // And its periodic RIB dumps (TABLE_DUMP_V2, every 10 s): one holds the prefix.
  EXPECT_TRUE(wait_until(
      [&] {
        for (const auto& entry : std::filesystem::directory_iterator(lab.mrt_dir())) {
          if (entry.path().filename().string().rfind("rib.", 0) != 0) continue;
          const auto dump = lab::run_command({BLACKOUT_BINARY, "bgp", "read", "--format", "lines", entry.path().string()});
          if (dump.exit_code == 0 && dump.output.find("|B|198.18.2.1|64500|198.18.64.0/22|64500 64511|IGP|") != std::string::npos)
            return true;
        }
        return false;
      },
      std::chrono::milliseconds(15000)));

  // The border link goes down and comes back: the session drops and is re-established.
  ASSERT_TRUE(lab.set_link("border", false));
  EXPECT_TRUE(wait_until([&] { return !lab.collector_has_prefix().value_or(true); }, std::chrono::seconds(5)));
  ASSERT_TRUE(lab.set_link("border", true));
  EXPECT_TRUE(wait_until([&] { return lab.collector_has_prefix().value_or(false); }, std::chrono::seconds(15)));
  EXPECT_TRUE(wait_until([&] { return ping_ms("198.18.64.1", 1) >= 0; }));

  // Background loss: about the share asked for.
  ASSERT_TRUE(lab.set_background_loss(50));
  const std::string out = probe({"icmp", "198.18.64.1", "-c", "60", "-i", "10ms", "-t", "300ms"});
  std::size_t lines = 0, ok = 0;
  for (std::size_t at = out.find("icmp"); at != std::string::npos; at = out.find("icmp", at + 1)) ++lines;
  for (std::size_t at = out.find(" ok "); at != std::string::npos; at = out.find(" ok ", at + 1)) ++ok;
  EXPECT_GT(ok, 10u) << out;
  EXPECT_LT(ok, 50u) << out;
  ASSERT_TRUE(lab.set_background_loss(0));
}

TEST_F(LabTest, AKilledLabUpIsCleanedByLabDown) {
  const std::string name = unique_name() + "k";
  ChildProcess up({BLACKOUT_BINARY, "lab", "up", "--name", name, "--state-dir", (dir.path() / "killed").string()},
                  dir.path() / "up.log");
  // Killed halfway: after the namespaces exist, before BGP is up.
  ASSERT_TRUE(wait_until([&] { return read_file(dir.path() / "up.log").find("BIRD") != std::string::npos; }));
  up.signal(SIGKILL);
  ASSERT_TRUE(wait_until([&] { return !up.running(); }));
  lab::Lab killed(name, dir.path() / "killed");
  EXPECT_FALSE(killed.status().absent());
  const auto result =
      lab::run_command({BLACKOUT_BINARY, "lab", "down", "--name", name, "--state-dir", (dir.path() / "killed").string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(killed.status().absent());
  const auto left = lab::run_command({"ip", "netns", "list"}).output;
  EXPECT_EQ(left.find(name + "-"), std::string::npos) << left;
}

}  // namespace
}  // namespace blackout
