// The SQLite store against what others on the machine do to it (issue 13): a second writer
// (the sqlite3 shell, a second monitor), readers beside a running monitor, random bytes in a
// table's pages, planted symbolic links and shared folders, read-only files and folders,
// and the read-only commands pointed at a wrong path, an empty file or someone else's
// database. Everything runs the real blackout binary and the real sqlite3 shell.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>

#include "config/loader.hpp"
#include "store/store.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

struct Ran {
  int code = -1;  // -1: still running at the limit (then stopped)
  std::string output;
};

// Runs a program to its end (at most `limit`), stdout and stderr together.
Ran run(std::vector<std::string> argv, const TempDir& dir, std::chrono::milliseconds limit = 20s) {
  static int runs = 0;
  const auto log = dir.path() / ("run-" + std::to_string(++runs) + ".log");
  ChildProcess child(std::move(argv), log);
  if (!wait_until([&] { return !child.running(); }, limit)) {
    child.stop();
    return {-1, read_file(log)};
  }
  return {child.exit_code(), read_file(log)};
}

std::uint64_t committed_in(const std::filesystem::path& status_file) {
  std::ifstream in(status_file);
  std::string word;
  std::uint64_t value = 0;
  in >> word >> value;
  return word == "committed" ? value : 0;
}

std::string tcp_config(const TempDir& dir, std::uint16_t port) {
  return dir
      .write("c.yaml",
             "lab_only: true\nvantage: test\ndefaults: { interval: 200ms, timeout: 100ms, jitter: 0s }\ntargets:\n"
             "  - { name: a, layer: web, address: 127.0.0.1, checks: [ {tcp: " +
                 std::to_string(port) +
                 "} ] }\n"
                 "  - { name: b, layer: dns, address: 127.0.0.1, checks: [ {tcp: " +
                 std::to_string(port) + "} ] }\n")
      .string();
}

std::vector<Result> batch_of(int first, int count) {
  std::vector<Result> out;
  for (int i = first; i < first + count; ++i) {
    Result r;
    r.time = Timestamp{std::chrono::seconds(1'800'000'000)} + std::chrono::seconds(i);
    r.vantage = "v";
    r.target = i % 2 ? "a" : "b";
    r.check = "tcp:80";
    r.kind = CheckKind::tcp;
    r.outcome = i % 7 ? Outcome::ok : Outcome::refused;
    r.rtt = std::chrono::microseconds(500 + i);
    out.push_back(std::move(r));
  }
  return out;
}

// ---- A second writer ------------------------------------------------------------------

// series_id() left its SELECT stepped: the connection kept a read snapshot for ever, and
// once another connection had written, every BEGIN IMMEDIATE failed "database is locked".
TEST(SqliteSecondWriter, AWriteFromTheSqliteShellBetweenTwoBatchesDoesNotWedgeTheStore) {
  if (find_program("sqlite3").empty()) GTEST_SKIP() << "the sqlite3 shell is not installed";
  TempDir dir;
  const std::string path = (dir.path() / "s.db").string();
  auto store = open_store("sqlite:" + path);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->write_results(batch_of(0, 100)));
  const Ran shell =
      run({"sqlite3", path, "INSERT INTO series (vantage, target, check_id, kind) VALUES ('shell', 'x', 'y', 'icmp')"}, dir);
  ASSERT_EQ(shell.code, 0) << shell.output;
  for (int i = 1; i <= 3; ++i) {
    const auto written = (*store)->write_results(batch_of(100 * i, 100));
    ASSERT_TRUE(written) << "batch " << i << ": " << written.error().message;
  }
  // The shell holding the write lock a while: the store waits for it (busy timeout) and
  // writes, rather than failing at once.
  const auto holding = dir.path() / "holding";
  ChildProcess hold({"sqlite3", path, "BEGIN IMMEDIATE;",
                     "INSERT INTO series (vantage, target, check_id, kind) VALUES ('shell', 'x2', 'y', 'icmp');",
                     ".shell touch " + holding.string(), ".shell sleep 1", "COMMIT;"},
                    dir.path() / "hold.log");
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(holding); })) << read_file(dir.path() / "hold.log");
  const auto written = (*store)->write_results(batch_of(400, 100));
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_TRUE(wait_until([&] { return !hold.running(); }));
  EXPECT_EQ(hold.exit_code(), 0) << read_file(dir.path() / "hold.log");
  EXPECT_EQ(*(*store)->count_results({}), 500);
  EXPECT_EQ(*(*store)->vantages(), (std::vector<std::string>{"shell", "v"}));
}

// The monitor as a user runs it: a write from the shell in the middle (16,000-18,000 results
// per monitor were lost at stop), and the read-only commands beside it, which never hold
// it up.
TEST(SqliteSecondWriter, AMonitorKeepsStoringThroughTheShellsWriteAndBesideItsReaders) {
  if (find_program("sqlite3").empty()) GTEST_SKIP() << "the sqlite3 shell is not installed";
  TempDir dir;
  TcpListener listener(false, 512);
  const std::string path = (dir.path() / "m.db").string();
  const auto status = dir.path() / "status";
  const auto log = dir.path() / "monitor.log";
  ChildProcess monitor({BLACKOUT_BINARY, "monitor", tcp_config(dir, listener.port()), "--store", "sqlite:" + path,
                        "--status-file", status.string(), "--quiet", "--user", "root"},
                       log);
  ASSERT_TRUE(wait_until([&] { return committed_in(status) > 0; })) << read_file(log);
  const Ran shell =
      run({"sqlite3", path, "INSERT INTO series (vantage, target, check_id, kind) VALUES ('shell', 'x', 'y', 'icmp')"}, dir);
  ASSERT_EQ(shell.code, 0) << shell.output;
  const auto after_shell = committed_in(status);
  ASSERT_TRUE(wait_until([&] { return committed_in(status) > after_shell + 10; })) << "nothing stored after the shell wrote\n"
                                                                                   << read_file(log);
  for (const char* command : {"export", "analyze", "report"}) {
    const auto before = committed_in(status);
    const Ran reader = run({BLACKOUT_BINARY, command, "--store", "sqlite:" + path}, dir);
    EXPECT_EQ(reader.code, 0) << command << ": " << reader.output;
    EXPECT_TRUE(wait_until([&] { return committed_in(status) > before; })) << "the monitor stalled beside " << command;
  }
  monitor.signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !monitor.running(); }));
  EXPECT_EQ(monitor.exit_code(), 0) << read_file(log);
  const std::string text = read_file(log);
  EXPECT_EQ(text.find("store.write_failed"), std::string::npos) << text;
  EXPECT_NE(text.find("dropped=0"), std::string::npos) << text;
  auto store = open_store("sqlite:" + path, StoreAccess::read_only);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(static_cast<std::uint64_t>(*(*store)->count_results({})), committed_in(status));
}

TEST(SqliteSecondWriter, ASecondMonitorOnTheFileIsRefusedAndToldWhoHoldsIt) {
  TempDir dir;
  TcpListener listener(false, 512);
  const std::string url = "sqlite:" + (dir.path() / "m.db").string();
  const auto status = dir.path() / "status";
  const std::string config = tcp_config(dir, listener.port());
  ChildProcess first(
      {BLACKOUT_BINARY, "monitor", config, "--store", url, "--status-file", status.string(), "--quiet", "--user", "root"},
      dir.path() / "first.log");
  ASSERT_TRUE(wait_until([&] { return committed_in(status) > 0; })) << read_file(dir.path() / "first.log");
  const Ran second =
      run({BLACKOUT_BINARY, "monitor", config, "--store", url, "--quiet", "--duration", "5s", "--user", "root"}, dir);
  EXPECT_EQ(second.code, 1) << second.output;
  EXPECT_NE(second.output.find("in use by another monitor, process " + std::to_string(first.pid()) + " (blackout)"),
            std::string::npos)
      << second.output;
  EXPECT_EQ(second.output.find("monitor.started"), std::string::npos) << "refused before it starts probing";
  const auto before = committed_in(status);
  EXPECT_TRUE(wait_until([&] { return committed_in(status) > before; })) << "the first monitor goes on";
  first.signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !first.running(); }));
  EXPECT_EQ(first.exit_code(), 0);
  // Once the first is gone, the file is free again.
  const Ran third =
      run({BLACKOUT_BINARY, "monitor", config, "--store", url, "--quiet", "--duration", "500ms", "--user", "root"}, dir);
  EXPECT_EQ(third.code, 0) << third.output;
}

// ---- Damage ----------------------------------------------------------------------------

// Overwrites one page of `table` (its root page) with random bytes, as a failing disk or a
// careless hand would.
void scramble_root_page(const std::string& path, const std::string& table, unsigned seed) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::int64_t root = 0, page_size = 0;
  sqlite3_exec(
      db, ("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'").c_str(),
      [](void* out, int, char** values, char**) {
        *static_cast<std::int64_t*>(out) = std::atoll(values[0]);
        return 0;
      },
      &root, nullptr);
  sqlite3_exec(
      db, "PRAGMA page_size",
      [](void* out, int, char** values, char**) {
        *static_cast<std::int64_t*>(out) = std::atoll(values[0]);
        return 0;
      },
      &page_size, nullptr);
  sqlite3_close(db);
  ASSERT_GT(root, 1) << table;
  ASSERT_GT(page_size, 0);
  std::mt19937 random(seed);
  std::string garbage(static_cast<std::size_t>(page_size), '\0');
  for (char& c : garbage) c = static_cast<char>(random());
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp((root - 1) * page_size);
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  ASSERT_TRUE(file.good());
}

// With random bytes in config_targets, analyze and report exited 0 with another cascade
// (the dns layer was gone): CORRUPT was taken for the end of the table.
TEST(SqliteCorruption, ReadersSayWhichFileAndTableInsteadOfAnotherAnalysis) {
  TempDir dir;
  const std::string pristine = (dir.path() / "pristine.db").string();
  {
    auto config = load_config_text(
        "targets:\n  - { name: a, layer: web, address: 127.0.0.1, checks: [ {tcp: 80} ] }\n"
        "  - { name: b, layer: dns, address: 127.0.0.1, checks: [ {tcp: 80} ] }\n",
        "c.yaml");
    ASSERT_TRUE(config);
    config->vantage = "v";
    auto store = open_store("sqlite:" + pristine);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->write_config(*config, Timestamp{std::chrono::seconds(1'800'000'000)}));
    ASSERT_TRUE((*store)->write_results(batch_of(0, 5000)));
  }
  ASSERT_EQ(run({BLACKOUT_BINARY, "analyze", "--store", "sqlite:" + pristine}, dir).code, 0) << "the undamaged store reads";
  for (const std::string table : {"config_targets", "results"}) {
    const std::string damaged = (dir.path() / (table + ".db")).string();
    std::filesystem::copy_file(pristine, damaged);
    scramble_root_page(damaged, table, 13);
    const std::vector<std::string> commands = table == "results" ? std::vector<std::string>{"analyze", "report", "export"}
                                                                 : std::vector<std::string>{"analyze", "report"};
    for (const std::string& command : commands) {
      const Ran reader = run({BLACKOUT_BINARY, command, "--store", "sqlite:" + damaged}, dir);
      EXPECT_EQ(reader.code, 1) << command << " on damaged " << table << ": " << reader.output;
      EXPECT_NE(reader.output.find(damaged + ": "), std::string::npos) << command << ": " << reader.output;
      EXPECT_NE(reader.output.find("table " + table), std::string::npos) << command << ": " << reader.output;
    }
  }
}

// ---- Other users' files and folders ------------------------------------------------------

struct stat stat_of(const std::filesystem::path& path) {
  struct stat info {};
  ::lstat(path.c_str(), &info);
  return info;
}

// Another user plants store.db (or its -wal) as a link to a file of root's in a shared
// folder: the root monitor wrote a database over that file and handed it to nobody.
TEST(SqliteFiles, APlantedSymbolicLinkIsRefusedAndWhatItPointsAtIsUntouched) {
  if (!is_root()) GTEST_SKIP() << "needs root: the monitor hands its files to nobody";
  TempDir dir;
  TcpListener listener(false, 512);
  const std::string config = tcp_config(dir, listener.port());
  const auto victim = dir.write("roots-file", "");
  ::chmod(victim.c_str(), 0600);
  const auto shared = dir.path() / "shared";
  std::filesystem::create_directory(shared);
  std::filesystem::permissions(shared, std::filesystem::perms::all | std::filesystem::perms::sticky_bit);  // like /tmp
  for (const std::string planted : {"store.db", "store.db-wal", "store.db-lock"}) {
    std::filesystem::create_symlink(victim, shared / planted);
    const Ran monitor = run({BLACKOUT_BINARY, "monitor", config, "--store", "sqlite:" + (shared / "store.db").string(), "--quiet",
                             "--duration", "1s"},
                            dir);
    EXPECT_EQ(monitor.code, 1) << planted << ": " << monitor.output;
    EXPECT_NE(monitor.output.find((shared / planted).string() + " is a symbolic link"), std::string::npos) << monitor.output;
    EXPECT_EQ(std::filesystem::file_size(victim), 0u) << "written through the link " << planted;
    EXPECT_EQ(stat_of(victim).st_uid, 0u) << "handed to another user through the link " << planted;
    std::filesystem::remove(shared / planted);
  }
  // A real file in the same shared folder is fine, and becomes the monitor's user's.
  const Ran fine = run(
      {BLACKOUT_BINARY, "monitor", config, "--store", "sqlite:" + (shared / "store.db").string(), "--quiet", "--duration", "1s"},
      dir);
  EXPECT_EQ(fine.code, 0) << fine.output;
  const passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  EXPECT_EQ(stat_of(shared / "store.db").st_uid, nobody->pw_uid);
  EXPECT_EQ(stat_of(shared / "store.db-lock").st_uid, nobody->pw_uid);
}

TEST(SqliteFiles, AFolderAnyoneMayWriteWithoutTheStickyBitIsRefused) {
  TempDir dir;
  TcpListener listener(false, 512);
  const auto open_folder = dir.path() / "open";
  std::filesystem::create_directory(open_folder);
  std::filesystem::permissions(open_folder, std::filesystem::perms::all);
  const Ran monitor = run({BLACKOUT_BINARY, "monitor", tcp_config(dir, listener.port()), "--store",
                           "sqlite:" + (open_folder / "s.db").string(), "--quiet", "--duration", "1s", "--user", "root"},
                          dir);
  EXPECT_EQ(monitor.code, 1) << monitor.output;
  EXPECT_NE(monitor.output.find("the folder " + open_folder.string() + " of " + (open_folder / "s.db").string() +
                                " may be written by anyone and has no sticky bit"),
            std::string::npos)
      << monitor.output;
  EXPECT_FALSE(std::filesystem::exists(open_folder / "s.db"));
}

// ---- Read-only stores and read-only commands ---------------------------------------------

// The docs said a read-only store is refused at start; the monitor probed for the whole run
// and exited 1 with nothing written.
TEST(ReadOnlyStore, IsRefusedAtStartBeforeAnyProbe) {
  if (!is_root()) GTEST_SKIP() << "needs root to mount a file system read-only";
  TempDir dir;
  TcpListener listener(false, 512);
  const std::string config = tcp_config(dir, listener.port());
  const auto mount_point = dir.path() / "ro";
  std::filesystem::create_directory(mount_point);
  ASSERT_EQ(mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=8m"), 0) << std::strerror(errno);
  struct Unmount {
    std::filesystem::path path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mount_point};
  const std::string url = "sqlite:" + (mount_point / "s.db").string();
  ASSERT_TRUE(open_store(url));
  ASSERT_EQ(mount("tmpfs", mount_point.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=8m"), 0) << std::strerror(errno);
  const auto started = std::chrono::steady_clock::now();
  const Ran monitor = run({BLACKOUT_BINARY, "monitor", config, "--store", url, "--duration", "5s", "--user", "root"}, dir);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s) << "refused at once, not after the run";
  EXPECT_EQ(monitor.code, 1) << monitor.output;
  EXPECT_NE(monitor.output.find("cannot be written (Read-only file system)"), std::string::npos) << monitor.output;
  EXPECT_EQ(monitor.output.find(" tcp:"), std::string::npos) << "nothing probed:\n" << monitor.output;
  // Reading it is still fine.
  EXPECT_EQ(run({BLACKOUT_BINARY, "export", "--store", url}, dir).code, 0);
}

// The same for an ordinary user whose file, or folder, is read-only to it.
TEST(ReadOnlyStore, AFileOrFolderTheUserCannotWriteIsRefusedAtStart) {
  if (!is_root() || find_program("setpriv").empty()) GTEST_SKIP() << "needs root and setpriv to run the monitor as nobody";
  const passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  TempDir dir;
  TcpListener listener(false, 512);
  const std::string config = tcp_config(dir, listener.port());
  const auto as_nobody = [&](const std::filesystem::path& store) {
    return run({"setpriv", "--reuid=" + std::to_string(nobody->pw_uid), "--regid=" + std::to_string(nobody->pw_gid),
                "--clear-groups", BLACKOUT_BINARY, "monitor", config, "--store", "sqlite:" + store.string(), "--duration", "5s"},
               dir);
  };
  for (const bool folder : {false, true}) {
    const auto home = dir.path() / (folder ? "folder" : "file");
    std::filesystem::create_directory(home);
    ASSERT_TRUE(open_store("sqlite:" + (home / "s.db").string()));
    ASSERT_EQ(::chown(home.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
    ASSERT_EQ(::chown((home / "s.db").c_str(), nobody->pw_uid, nobody->pw_gid), 0);
    ::chmod(folder ? home.c_str() : (home / "s.db").c_str(), folder ? 0555 : 0444);
    const Ran monitor = as_nobody(home / "s.db");
    EXPECT_EQ(monitor.code, 1) << monitor.output;
    const std::string expected = folder ? "the folder " + home.string() + " cannot be written (Permission denied)"
                                        : (home / "s.db").string() + " cannot be written (Permission denied)";
    EXPECT_NE(monitor.output.find(expected), std::string::npos) << monitor.output;
    EXPECT_EQ(monitor.output.find(" tcp:"), std::string::npos) << "nothing probed:\n" << monitor.output;
  }
}

// export, analyze and serve on a missing path made the folders and the file, said "0
// results" and exited 0; they wrote a schema into an empty file; and someone else's
// database was switched to WAL before it was refused.
TEST(ReadOnlyCommands, CreateNothingChangeNothingAndSaySo) {
  TempDir dir;
  const std::uint16_t port = unused_tcp_port();
  const auto readers = [&](const std::filesystem::path& store) {
    const std::string url = "sqlite:" + store.string();
    return std::vector<std::vector<std::string>>{
        {BLACKOUT_BINARY, "export", "--store", url},
        {BLACKOUT_BINARY, "analyze", "--store", url},
        {BLACKOUT_BINARY, "report", "--store", url},
        {BLACKOUT_BINARY, "serve", "--store", url, "--listen", "127.0.0.1:" + std::to_string(port)}};
  };
  const auto missing = dir.path() / "no" / "such" / "store.db";
  for (const auto& command : readers(missing)) {
    const Ran reader = run(command, dir, 10s);
    EXPECT_EQ(reader.code, 1) << command[1] << ": " << reader.output;
    EXPECT_NE(reader.output.find("no store at " + missing.string()), std::string::npos) << command[1] << ": " << reader.output;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "no")) << command[1] << " made folders";
  }
  const auto empty = dir.write("empty.db", "");
  for (const auto& command : readers(empty)) {
    const Ran reader = run(command, dir, 10s);
    EXPECT_EQ(reader.code, 1) << command[1] << ": " << reader.output;
    EXPECT_NE(reader.output.find(empty.string() + ": holds no blackout store"), std::string::npos)
        << command[1] << ": " << reader.output;
    EXPECT_EQ(std::filesystem::file_size(empty), 0u) << command[1] << " wrote into the empty file";
  }
  // Someone else's database, in the rollback-journal mode SQLite starts with.
  const auto foreign = dir.path() / "accounts.db";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE accounts (id INTEGER, owner TEXT); INSERT INTO accounts VALUES (1, 'someone')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string before = read_file(foreign);
  ASSERT_EQ(before[18], 1) << "a rollback-journal database to begin with";
  auto commands = readers(foreign);
  TcpListener listener(false, 512);
  commands.push_back({BLACKOUT_BINARY, "monitor", tcp_config(dir, listener.port()), "--store", "sqlite:" + foreign.string(),
                      "--duration", "1s", "--user", "root"});
  for (const auto& command : commands) {
    const Ran reader = run(command, dir, 10s);
    EXPECT_EQ(reader.code, 1) << command[1] << ": " << reader.output;
    EXPECT_NE(reader.output.find("not a blackout database"), std::string::npos) << command[1] << ": " << reader.output;
    EXPECT_EQ(read_file(foreign), before) << command[1] << " changed someone else's database";
    for (const char* beside : {"-wal", "-shm", "-lock"})
      EXPECT_FALSE(std::filesystem::exists(foreign.string() + beside)) << command[1] << " left " << beside << " beside it";
  }
}

}  // namespace
}  // namespace blackout
