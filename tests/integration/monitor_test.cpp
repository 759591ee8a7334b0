// blackout monitor as a user runs it, as a process: a graceful stop that writes everything,
// a reload on SIGHUP that adds targets and keeps the history, and export of what was stored.
// What the runtime does inside (detection, alerts, reloads refused, the stored events equal
// to analyze's) runs in virtual time in tests/monitor/.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "store/store.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

std::string config_with(std::uint16_t port, const std::vector<std::string>& names) {
  std::string yaml = "lab_only: true\nvantage: test\ndefaults: { interval: 200ms, timeout: 100ms, jitter: 0s }\ntargets:\n";
  for (const std::string& name : names)
    yaml += "  - { name: " + name + ", layer: web, address: 127.0.0.1, checks: [ {tcp: " + std::to_string(port) + "} ] }\n";
  return yaml;
}

std::int64_t stored(const std::string& url, const std::optional<std::string>& target = std::nullopt) {
  auto store = open_store(url, StoreAccess::read_only);
  if (!store) return -1;
  ResultQuery q;
  q.target = target;
  return (*store)->count_results(q).value_or(-1);
}

class Monitor : public testing::Test {
 protected:
  TempDir dir;
  TcpListener listener{false, 512};
  std::string url = "sqlite:" + (dir.path() / "m.db").string();
  std::filesystem::path log = dir.path() / "monitor.log";
};

TEST_F(Monitor, SigtermWritesEverythingBeforeExiting) {
  const auto config = dir.write("c.yaml", config_with(listener.port(), {"a", "b"}));
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", url, "--user", "root"}, log);
  ASSERT_TRUE(wait_until([&] { return read_file(log).find("tcp:") != std::string::npos; }));
  ASSERT_TRUE(wait_until([&] { return read_file(log).find(" b tcp:") != std::string::npos; }));
  monitor.signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));
  const std::string text = read_file(log);
  // Every printed result is stored.
  std::size_t printed = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.find(" tcp:") != std::string::npos && line.find(" info ") == std::string::npos) ++printed;
  EXPECT_GT(printed, 0u);
  EXPECT_EQ(stored(url), static_cast<std::int64_t>(printed)) << text;
  EXPECT_EQ(monitor.exit_code(), 0) << "0: everything was written\n" << text;
}

// The signal's wiring; what a reload keeps and refuses is tests/monitor/scenarios/reload.scenario.
TEST_F(Monitor, SighupReloadsAddsTargetsAndKeepsHistory) {
  const auto config = dir.write("c.yaml", config_with(listener.port(), {"a"}));
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", url, "--quiet", "--user", "root"}, log);
  ASSERT_TRUE(wait_until([&] { return stored(url, "a") > 0; }));
  dir.write("c.yaml", config_with(listener.port(), {"a", "b"}));
  monitor.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return stored(url, "b") > 0; })) << read_file(log);
  const auto before = stored(url, "a");
  ASSERT_TRUE(wait_until([&] { return stored(url, "a") > before; })) << "a's history goes on across the reload";
  monitor.signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));
  EXPECT_EQ(monitor.exit_code(), 0) << read_file(log);
}

TEST_F(Monitor, AStoreThatCannotBeOpenedStopsTheStartWithTheReason) {
  const auto config = dir.write("c.yaml", config_with(listener.port(), {"a"}));
  const auto garbage = dir.write("garbage.db", std::string(8192, 'x'));
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", "sqlite:" + garbage.string()}, log);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));
  EXPECT_NE(read_file(log).find(garbage.string()), std::string::npos) << read_file(log);
}

TEST_F(Monitor, ExportGivesBackWhatWasStored) {
  const auto config = dir.write("c.yaml", config_with(listener.port(), {"a", "b"}));
  ChildProcess monitor(
      {BLACKOUT_BINARY, "monitor", config.string(), "--store", url, "--quiet", "--duration", "1s", "--user", "root"}, log);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));
  const auto n = stored(url);
  ASSERT_GT(n, 0);
  for (const char* format : {"csv", "jsonl"}) {
    const auto out = dir.path() / (std::string("export.") + format);
    ChildProcess exporter({BLACKOUT_BINARY, "export", "--store", url, "--format", format, "-o", out.string()},
                          dir.path() / "export.log");
    ASSERT_TRUE(wait_until([&] { return !exporter.running(); }));
    std::ifstream in(out);
    std::int64_t lines = 0;
    for (std::string line; std::getline(in, line);) {
      ++lines;
      if (std::string(format) == "jsonl") {
        EXPECT_EQ(line.rfind("{\"time\":", 0), 0u) << line;
      }
    }
    EXPECT_EQ(lines, n + (std::string(format) == "csv" ? 1 : 0)) << format;
  }
}

}  // namespace
}  // namespace blackout
