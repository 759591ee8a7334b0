// blackout monitor as a user runs it: a graceful stop that writes everything, a reload on
// SIGHUP that adds targets and keeps the history, a bad reload that keeps the running
// config, and export of what was stored.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "model/event_json.hpp"
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
  EXPECT_NE(text.find("monitor.stopped"), std::string::npos);
  EXPECT_NE(text.find("dropped=0"), std::string::npos);
}

TEST_F(Monitor, SighupReloadsAddsTargetsAndKeepsHistory) {
  const auto config = dir.write("c.yaml", config_with(listener.port(), {"a"}));
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", url, "--quiet", "--user", "root"}, log);
  ASSERT_TRUE(wait_until([&] { return stored(url, "a") > 0; }));
  // A broken file first: reported, and the running config stays.
  dir.write("c.yaml", "targets: [ broken");
  monitor.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return read_file(log).find("config.kept") != std::string::npos; })) << read_file(log);
  const auto before = stored(url, "a");
  ASSERT_TRUE(wait_until([&] { return stored(url, "a") > before; })) << "still probing after a bad reload";
  // Then a good one with a new target.
  dir.write("c.yaml", config_with(listener.port(), {"a", "b"}));
  monitor.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return stored(url, "b") > 0; })) << read_file(log);
  EXPECT_NE(read_file(log).find("config.reloaded"), std::string::npos);
  monitor.signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));
  EXPECT_GT(stored(url, "a"), before) << "a's history goes on across the reload";
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

namespace blackout {
namespace {

// The web sites' server goes away and comes back while the monitor watches; the events the
// monitor stored live are exactly those `blackout analyze` recomputes from the store.
TEST_F(Monitor, AnalyzeRecomputesExactlyTheEventsTheMonitorStored) {
  std::string yaml =
      "lab_only: true\nvantage: test\ndefaults: { interval: 200ms, timeout: 100ms, jitter: 0s, confirm_spacing: 50ms "
      "}\ntargets:\n";
  for (const char* name : {"mfa", "naenara", "airkoryo", "kcna"})
    yaml += std::string("  - { name: ") + name +
            ", layer: web, address: 127.0.0.1, checks: [ {tcp: " + std::to_string(listener.port()) + "} ] }\n";
  const auto config = dir.write("c.yaml", yaml);
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", config.string(), "--store", url, "--quiet", "--user", "root"}, log);
  ASSERT_TRUE(wait_until([&] { return stored(url) > 40; }, std::chrono::seconds(20))) << "stored " << stored(url) << "\n"
                                                                                      << read_file(log);
  const std::uint16_t port = listener.port();
  listener.close();
  const auto network_log = [&] {
    const std::string text = read_file(log);
    const std::size_t down = text.find("subject=network from=up to=down") != std::string::npos
                                 ? text.find("subject=network from=up to=down")
                                 : text.find("subject=network from=stressed to=down");
    return std::make_pair(down, down == std::string::npos ? down : text.find("subject=network", down + 1));
  };
  ASSERT_TRUE(wait_until([&] { return network_log().first != std::string::npos; })) << read_file(log);
  TcpListener back(false, 512, port);
  ASSERT_TRUE(wait_until([&] {
    return network_log().second != std::string::npos && read_file(log).find("to=up", network_log().second) != std::string::npos;
  })) << read_file(log);
  monitor.signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));

  const auto analyze_output = dir.path() / "analyze.json";
  ASSERT_EQ(std::system((std::string(BLACKOUT_BINARY) + " analyze --store " + url + " --format json > " +
                         analyze_output.string() + " 2>/dev/null")
                            .c_str()),
            0)
      << read_file(analyze_output);
  const std::string output = read_file(analyze_output);
  const auto recomputed = nlohmann::json::parse(output, nullptr, false);
  ASSERT_TRUE(recomputed.is_object()) << output;
  auto stored_events = (*open_store(url))->read_events({});
  ASSERT_TRUE(stored_events);
  ASSERT_EQ(recomputed["events"].size(), stored_events->size()) << output;
  ASSERT_GE(stored_events->size(), 6u) << "four targets, the web layer and the network went down";
  std::map<std::string, nlohmann::json> by_id;
  for (const Event& e : *stored_events) by_id[e.id] = nlohmann::json::parse(event_to_json(e));
  bool network_seen = false;
  for (const auto& event : recomputed["events"]) {
    const std::string id = event["id"];
    ASSERT_TRUE(by_id.count(id)) << "analyze found " << id << " which the monitor did not store";
    EXPECT_EQ(by_id[id], event) << id;
    if (event["scope"] == "network") {
      network_seen = true;
      EXPECT_EQ(event["kind"], "down");
      EXPECT_FALSE(event["end"].is_null());
    }
  }
  EXPECT_TRUE(network_seen);
}

}  // namespace
}  // namespace blackout
