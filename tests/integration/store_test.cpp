// The store contract, run against both backends: SQLite in a temporary file and a real
// PostgreSQL server started by the test. Round trips of every part of a result, order and
// filters, series of several vantages, rollups, configuration history, detection records
// (events and waves read back by time), pruning, schema versions, and hostile bytes in text.
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <thread>

#include "model/event_json.hpp"
#include "store/rollup.hpp"
#include "support/postgres.hpp"
#include "support/print.hpp"
#include "support/process.hpp"

namespace blackout {
namespace {

using namespace testing_support;

const Timestamp t0 = Timestamp{std::chrono::seconds(1'800'000'000)};

Result make_result(const std::string& vantage, const std::string& target, Duration at, Outcome outcome = Outcome::ok) {
  Result r;
  r.time = t0 + at;
  r.vantage = vantage;
  r.target = target;
  r.check = "tcp:80";
  r.kind = CheckKind::tcp;
  r.outcome = outcome;
  if (outcome == Outcome::ok) r.rtt = 1234us;
  r.fields.push_back({"port", std::int64_t{80}});
  r.fields.push_back({"local_port", std::int64_t{40000}});
  return r;
}

// Each backend: a way to make a fresh store URL.
struct Backend {
  std::string name;
  std::function<std::string()> fresh_url;
};

class StoreContract : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      if (!PostgresServer::available()) GTEST_SKIP() << "needs root and PostgreSQL 15";
      if (!server) server = std::make_unique<PostgresServer>();
      url = server->create_database("contract" + std::to_string(++databases));
    } else {
      url = "sqlite:" + (dir.path() / "store.db").string();
    }
    auto opened = open_store(url);
    ASSERT_TRUE(opened) << opened.error().message;
    store = std::move(*opened);
  }
  static void TearDownTestSuite() { server.reset(); }

  // A statement through the backend's own client, as someone with the file or a psql would.
  void execute_raw(const std::string& sql) {
    if (GetParam() == "sqlite") {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((dir.path() / "store.db").c_str(), &db), SQLITE_OK);
      char* message = nullptr;
      const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
      const std::string said = message ? message : "";
      sqlite3_free(message);
      sqlite3_close(db);
      ASSERT_EQ(rc, SQLITE_OK) << said;
    } else {
      PGconn* connection = PQconnectdb(url.c_str());
      PGresult* result = PQexec(connection, sql.c_str());
      const auto status = PQresultStatus(result);
      const std::string said = PQerrorMessage(connection);
      PQclear(result);
      PQfinish(connection);
      ASSERT_EQ(status, PGRES_COMMAND_OK) << said;
    }
  }

  TempDir dir;
  std::string url;
  std::unique_ptr<Store> store;
  static std::unique_ptr<PostgresServer> server;
  static int databases;
};
std::unique_ptr<PostgresServer> StoreContract::server;
int StoreContract::databases = 0;

TEST_P(StoreContract, RoundTripsEveryPartOfAResult) {
  Result r;
  r.time = t0 + 123456us;
  r.vantage = "lab-mon";
  r.target = "mfa";
  r.check = "http:http://198.18.64.10/";
  r.kind = CheckKind::http;
  r.outcome = Outcome::bad_status;
  r.rtt = 15ms;
  r.phases.dns = 1us;
  r.phases.connect = 2ms;
  r.phases.tls = 3ms;
  r.phases.first_byte = 4ms;
  r.confirmation = true;
  r.fields.push_back({"status", std::int64_t{503}});
  r.fields.push_back({"cert_days_left", 2.5});
  r.fields.push_back({"body_matched", false});
  r.fields.push_back({"final_url", std::string("http://x/\t\n\\ \"quoted\" \x01\xff")});
  r.fields.push_back({"a_field_from_the_future", std::string("kept")});
  r.detail = std::string("tab\there, newline\nthere, backslash \\ and bytes \x02\x7f");
  ASSERT_TRUE(store->write_results(std::span(&r, 1)));
  std::vector<Result> back;
  auto read = store->read_results({}, [&](Result&& x) {
    back.push_back(std::move(x));
    return true;
  });
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(back.size(), 1u);
  const Result& b = back[0];
  EXPECT_EQ(b.time, r.time);
  EXPECT_EQ(b.vantage, r.vantage);
  EXPECT_EQ(b.target, r.target);
  EXPECT_EQ(b.check, r.check);
  EXPECT_EQ(b.kind, r.kind);
  EXPECT_EQ(b.outcome, r.outcome);
  EXPECT_EQ(b.rtt, r.rtt);
  EXPECT_EQ(b.phases.dns, r.phases.dns);
  EXPECT_EQ(b.phases.connect, r.phases.connect);
  EXPECT_EQ(b.phases.tls, r.phases.tls);
  EXPECT_EQ(b.phases.first_byte, r.phases.first_byte);
  EXPECT_TRUE(b.confirmation);
  EXPECT_EQ(b.detail, r.detail);
  ASSERT_TRUE(b.field("status"));
  EXPECT_EQ(std::get<std::int64_t>(*b.field("status")), 503);
  EXPECT_DOUBLE_EQ(std::get<double>(*b.field("cert_days_left")), 2.5);
  EXPECT_EQ(std::get<bool>(*b.field("body_matched")), false);
  EXPECT_EQ(std::get<std::string>(*b.field("a_field_from_the_future")), "kept");
  // Bytes that are not UTF-8 are replaced, never thrown over; the rest survives.
  EXPECT_NE(std::get<std::string>(*b.field("final_url")).find("\"quoted\""), std::string::npos);
}

TEST_P(StoreContract, ResultsComeBackInTimeOrderAndFilter) {
  std::vector<Result> batch;
  for (int i = 9; i >= 0; --i)
    batch.push_back(make_result(i % 2 ? "v1" : "v2", "t" + std::to_string(i % 3), std::chrono::seconds(i)));
  ASSERT_TRUE(store->write_results(batch));
  std::vector<Timestamp> times;
  ASSERT_TRUE(store->read_results({}, [&](Result&& r) {
    times.push_back(r.time);
    return true;
  }));
  ASSERT_EQ(times.size(), 10u);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  ResultQuery q;
  q.from = t0 + 2s;
  q.to = t0 + 6s;
  EXPECT_EQ(*store->count_results(q), 4);
  q.vantage = "v1";
  EXPECT_EQ(*store->count_results(q), 2);  // seconds 3 and 5
  q.target = "t0";
  EXPECT_EQ(*store->count_results(q), 1);  // second 3
  EXPECT_EQ(*store->vantages(), (std::vector<std::string>{"v1", "v2"}));
  int seen = 0;
  ASSERT_TRUE(store->read_results({}, [&](Result&&) { return ++seen < 3; }));
  EXPECT_EQ(seen, 3) << "the reader stops when asked";
}

TEST_P(StoreContract, AFailedBatchStoresNothingAndTheNextOneWorks) {
  std::vector<Result> batch{make_result("v", "a", 1s), make_result("v", "b", 2s)};
  ASSERT_TRUE(store->write_results(batch));
  ASSERT_TRUE(store->write_results(batch));
  EXPECT_EQ(*store->count_results({}), 4);
}

TEST_P(StoreContract, RollupsUpsertPerSeriesAndMinute) {
  RollupBuilder builder(0s);
  for (int i = 0; i < 20; ++i) {
    Result r = make_result("v", "a", std::chrono::seconds(i * 3), i % 10 == 9 ? Outcome::timeout : Outcome::ok);
    if (r.rtt) r.rtt = std::chrono::milliseconds(i + 1);
    builder.add(r);
  }
  auto rollups = builder.take_all();
  ASSERT_EQ(rollups.size(), 1u);  // 0..57 s: one minute
  EXPECT_EQ(rollups[0].count, 20);
  EXPECT_EQ(rollups[0].successes, 18);
  EXPECT_EQ(rollups[0].rtt_min, 1ms);
  // RTTs of the 18 successes: 1..19 ms without 10 (i = 9 and 19 timed out).
  EXPECT_EQ(rollups[0].rtt_max, 19ms);
  EXPECT_EQ(rollups[0].rtt_median, 9ms);  // nearest rank of 18 values: the 9th
  EXPECT_EQ(rollups[0].rtt_p95, 19ms);    // the 18th
  ASSERT_TRUE(store->write_rollups(rollups));
  rollups[0].count = 21;
  ASSERT_TRUE(store->write_rollups(rollups));  // the same minute again: replaced, not doubled
  const auto back = store->read_rollups({});
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].count, 21);
  EXPECT_EQ((*back)[0].rtt_median, 9ms);
  EXPECT_EQ((*back)[0].minute, minute_of(t0));
}

TEST_P(StoreContract, ConfigHistoryKeepsWhatWasWatchedWhen) {
  Config config;
  config.vantage = "v";
  Target a;
  a.name = "a";
  a.layer = Layer::web;
  a.address = IpAddress::parse("198.18.64.10");
  Target b = a;
  b.name = "b";
  config.targets = {a, b};
  ASSERT_TRUE(store->write_config(config, t0));
  ASSERT_TRUE(store->write_config(config, t0 + 1s));  // unchanged: nothing new
  config.targets[0].address = IpAddress::parse("198.18.64.11");
  config.targets.pop_back();  // b is no longer watched
  ASSERT_TRUE(store->write_config(config, t0 + 2s));
  // Check through the backend's own client: rows for a: 2 (one closed), b: 1 (closed).
  if (GetParam() == "sqlite") {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "store.db").c_str(), &db), SQLITE_OK);
    const auto count = [&](const char* sql) {
      sqlite3_stmt* s = nullptr;
      sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
      sqlite3_step(s);
      const int n = sqlite3_column_int(s, 0);
      sqlite3_finalize(s);
      return n;
    };
    EXPECT_EQ(count("SELECT count(*) FROM config_targets WHERE name = 'a'"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM config_targets WHERE name = 'a' AND valid_to_us IS NULL"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM config_targets WHERE name = 'b' AND valid_to_us IS NOT NULL"), 1);
    sqlite3_close(db);
  }
}

Event make_event(const std::string& subject, Duration start, std::optional<Duration> end) {
  Event e;
  e.scope = Scope::layer;
  e.layer = Layer::dns;
  e.subject = subject;
  e.start = t0 + start;
  e.id = "layer:" + subject + ":" + std::to_string(e.start.time_since_epoch().count());
  if (end) e.end = t0 + *end;
  e.kind = State::down;
  e.down_at = t0 + start + 2s;
  e.peak_stress = 3.25;
  e.peak_inflation = 9.5;
  e.peak_loss = 0.5;
  e.peak_rtt = 312400us;
  e.normal_rtt = 30100us;
  e.targets = {"ns1", "ns2 \"quoted\" \xc3\xa9"};
  e.vantages = {"v1", "v2"};
  e.signature = Signature::stress_led;
  e.evidence = {"answers fell to 45%"};
  return e;
}

// Events and waves go in as values and come back as the document tells them, with their
// start and end to the microsecond in columns of their own: an open event, then its closed
// version, replaces it; reading by time takes what overlaps.
TEST_P(StoreContract, DetectionRecordsComeBackByTimeWithTheirEnds) {
  const Event open = make_event("dns", 100s + 123457us, std::nullopt);
  Event closed = open;
  closed.end = t0 + 700s + 999us;
  const Event later = make_event("web", 2000s, 2600s);
  Wave wave;
  wave.id = "wave:" + std::to_string(open.start.time_since_epoch().count());
  wave.start = open.start;
  wave.events = {open.id};
  wave.signatures = {Signature::stress_led};
  wave.cascade = {CascadeStep{Layer::dns, t0 + 102s}};
  const StateChange change{t0 + 100s, "", Scope::layer, "dns", State::up, State::down, "quorum"};
  ASSERT_TRUE(store->write_detection(std::vector<StateChange>{change}, std::vector<Event>{open}, std::vector<Wave>{wave}));
  auto still_open = store->read_events({t0 + 5000s, std::nullopt});
  ASSERT_TRUE(still_open) << still_open.error().message;
  ASSERT_EQ(still_open->size(), 1u) << "an open event meets any later period";
  EXPECT_FALSE(still_open->front().end);

  Wave ended = wave;
  ended.end = closed.end;
  ASSERT_TRUE(store->write_detection({}, std::vector<Event>{closed, later}, std::vector<Wave>{ended}));
  auto all = store->read_events({});
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  const Event& first = all->front();
  EXPECT_EQ(first.id, open.id);
  EXPECT_EQ(first.start, closed.start) << "to the microsecond";
  ASSERT_TRUE(first.end);
  EXPECT_EQ(*first.end, *closed.end);
  EXPECT_EQ(first.layer, Layer::dns);
  EXPECT_EQ(first.scope, Scope::layer);
  EXPECT_EQ(first.targets, closed.targets);
  EXPECT_EQ(first.vantages, closed.vantages);
  EXPECT_EQ(first.evidence, closed.evidence);
  EXPECT_EQ(first.signature, Signature::stress_led);
  EXPECT_DOUBLE_EQ(first.peak_stress, 3.25);
  ASSERT_TRUE(first.peak_rtt);
  EXPECT_EQ(*first.peak_rtt, 312400us);
  EXPECT_EQ(event_to_json(first), event_to_json(closed)) << "the same document";

  // Overlap: [t0+800s, t0+1900s) meets neither; [t0+600s, ...) the first only, by its end.
  auto none = store->read_events({t0 + 800s, t0 + 1900s});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto by_end = store->read_events({t0 + 600s, t0 + 1900s});
  ASSERT_TRUE(by_end);
  ASSERT_EQ(by_end->size(), 1u);
  EXPECT_EQ(by_end->front().id, open.id);

  auto waves = store->read_waves({t0 + 650s, std::nullopt});
  ASSERT_TRUE(waves) << waves.error().message;
  ASSERT_EQ(waves->size(), 1u);
  EXPECT_EQ(waves->front().start, wave.start);
  ASSERT_TRUE(waves->front().end);
  EXPECT_EQ(*waves->front().end, *closed.end);
  ASSERT_EQ(waves->front().cascade.size(), 1u);
  EXPECT_EQ(waves->front().cascade[0].layer, Layer::dns);
  EXPECT_EQ(waves->front().events, wave.events);
}

// Schema versions 1 and 2 wrote waves (and, in PostgreSQL, events) with start_us 0 and no
// end; version 3 fills them from their documents.
TEST_P(StoreContract, RecordsWrittenWithoutTheirTimesGetThemFromTheirDocuments) {
  const Event event = make_event("dns", 100s + 250ms, 700s + 500ms);
  Wave wave;
  wave.id = "wave:1";
  wave.start = event.start;
  wave.end = event.end;
  wave.events = {event.id};
  ASSERT_TRUE(store->write_detection({}, std::vector<Event>{event}, std::vector<Wave>{wave}));
  store.reset();
  execute_raw("UPDATE waves SET start_us = 0, end_us = NULL");
  if (GetParam() == "postgresql") execute_raw("UPDATE events SET start_us = 0, end_us = NULL");
  execute_raw("DELETE FROM schema_version WHERE version >= 3");
  auto reopened = open_store(url);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->schema_version(), 3);
  auto waves = (*reopened)->read_waves({t0 + 650s, std::nullopt});
  ASSERT_TRUE(waves) << waves.error().message;
  ASSERT_EQ(waves->size(), 1u);
  EXPECT_EQ(waves->front().start, wave.start);
  ASSERT_TRUE(waves->front().end);
  EXPECT_EQ(*waves->front().end, *wave.end);
  auto events = (*reopened)->read_events({t0 + 650s, std::nullopt});
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().start, event.start);
  ASSERT_TRUE(events->front().end);
  EXPECT_EQ(*events->front().end, *event.end);
}

TEST_P(StoreContract, AnEventDocumentThatDoesNotReadIsDamageNamedByTableAndId) {
  ASSERT_TRUE(store->write_detection({}, std::vector<Event>{make_event("dns", 10s, 20s)}, {}));
  execute_raw("UPDATE events SET document = '{\"id\": 7}'");
  auto read = store->read_events({});
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, StoreError::Kind::corrupt);
  EXPECT_NE(read.error().message.find("table events"), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find("layer:dns:"), std::string::npos) << read.error().message;
}

TEST_P(StoreContract, PruneRemovesOnlyWhatIsOld) {
  std::vector<Result> batch;
  for (int i = 0; i < 12000; ++i) batch.push_back(make_result("v", "a", std::chrono::milliseconds(i)));
  ASSERT_TRUE(store->write_results(batch));
  const auto pruned = store->prune(t0 + 10s, t0);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(pruned->results, 10000);
  EXPECT_EQ(*store->count_results({}), 2000);
}

TEST_P(StoreContract, IntegrityCheckPasses) {
  ASSERT_TRUE(store->write_results(std::vector<Result>{make_result("v", "a", 1s)}));
  EXPECT_EQ(*store->integrity_check(), "ok");
  EXPECT_EQ(store->schema_version(), 3);
}

TEST_P(StoreContract, ReopeningKeepsEverything) {
  ASSERT_TRUE(store->write_results(std::vector<Result>{make_result("v", "a", 1s), make_result("w", "a", 2s)}));
  store.reset();
  auto reopened = open_store(url);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(*(*reopened)->count_results({}), 2);
  ASSERT_TRUE((*reopened)->write_results(std::vector<Result>{make_result("v", "a", 3s)}));
  EXPECT_EQ(*(*reopened)->count_results({}), 3);
}

// A monitor starting while `blackout export` or a second vantage opens the same fresh store:
// exactly one of them migrates, none fails.
TEST_P(StoreContract, ManyOpenersOfAFreshStoreAllSucceed) {
  const std::string fresh = GetParam() == "postgresql" ? server->create_database("contract" + std::to_string(++databases))
                                                       : "sqlite:" + (dir.path() / "fresh.db").string();
  constexpr int openers = 8;
  std::vector<std::string> errors(openers);
  std::vector<std::thread> threads;
  for (int i = 0; i < openers; ++i)
    threads.emplace_back([&, i] {
      auto opened = open_store(fresh);
      if (!opened) errors[i] = opened.error().message;
      else if (auto written = (*opened)->write_results(std::vector<Result>{make_result("v" + std::to_string(i), "a", 1s)});
               !written)
        errors[i] = written.error().message;
    });
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < openers; ++i) EXPECT_EQ(errors[i], "") << "opener " << i;
  auto reopened = open_store(fresh);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(*(*reopened)->count_results({}), openers);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, testing::Values("sqlite", "postgresql"));

TEST(SqliteStore, ANewerSchemaIsRefused) {
  TempDir dir;
  const std::string path = (dir.path() / "s.db").string();
  ASSERT_TRUE(open_store("sqlite:" + path));
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "INSERT INTO schema_version VALUES (99, 0)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const auto reopened = open_store("sqlite:" + path);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().kind, StoreError::Kind::schema);
  EXPECT_NE(reopened.error().message.find("newer"), std::string::npos);
}

// A store made at version 1, before the outcome no-session was appended, learns its name
// when a newer blackout opens it, and keeps what it held.
TEST(SqliteStore, AVersionOneStoreIsMigratedAndSpellsOutNewOutcomes) {
  TempDir dir;
  const std::string path = (dir.path() / "s.db").string();
  {
    auto store = open_store("sqlite:" + path);
    ASSERT_TRUE(store);
    Result r;
    r.time = Timestamp{std::chrono::seconds(1'800'000'000)};
    r.vantage = "v";
    r.target = "prefix";
    r.check = "bgp";
    r.kind = CheckKind::bgp;
    r.outcome = Outcome::no_session;
    ASSERT_TRUE((*store)->write_results(std::vector<Result>{r}));
  }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM outcomes WHERE code = 25; DELETE FROM schema_version WHERE version > 1", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto reopened = open_store("sqlite:" + path);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->schema_version(), 3);
  std::vector<Result> back;
  ASSERT_TRUE((*reopened)->read_results({}, [&](Result&& r) {
    back.push_back(std::move(r));
    return true;
  }));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].outcome, Outcome::no_session);
  reopened->reset();
  sqlite3_open(path.c_str(), &db);
  std::string name;
  sqlite3_exec(
      db, "SELECT name FROM outcomes WHERE code = 25",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0];
        return 0;
      },
      &name, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(name, "no-session");
}

TEST(SqliteStore, AFileThatIsNotADatabaseIsRefusedNamingIt) {
  TempDir dir;
  const auto path = dir.write("garbage.db", std::string(4096, '\x5a'));
  const auto opened = open_store("sqlite:" + path.string());
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find(path.string()), std::string::npos) << opened.error().message;
}

TEST(SqliteStore, SomeoneElsesDatabaseIsRefused) {
  TempDir dir;
  const std::string path = (dir.path() / "other.db").string();
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE accounts (id INTEGER)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const auto opened = open_store("sqlite:" + path);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, StoreError::Kind::schema);
}

TEST(PostgresStore, AServerThatIsDownIsUnavailableNotACrash) {
  const auto opened = open_store("postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, StoreError::Kind::unavailable);
}

}  // namespace
}  // namespace blackout
