// The SQLite store.
#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "model/event_json.hpp"
#include "store/codec.hpp"
#include "store/definition.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/files.hpp"
#include "util/strings.hpp"

namespace blackout {
namespace {

std::int64_t micros(Timestamp t) { return t.time_since_epoch().count(); }

StoreError::Kind kind_of(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL: return StoreError::Kind::full;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return StoreError::Kind::corrupt;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN: return StoreError::Kind::unavailable;
    default: return StoreError::Kind::io;
  }
}

// A reader that could not make the WAL index of a store beside it, and finds no write-ahead
// log there: only then is the file read as immutable.
bool reader_needs_immutable(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  if (parent.empty()) parent = ".";
  return ::access(parent.c_str(), W_OK) != 0 && ::access((path + "-wal").c_str(), F_OK) != 0;
}

// A path as the path of a file: URI, with what URIs reserve percent-encoded.
std::string uri_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#' || static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
      out += '%';
      out += hex[static_cast<unsigned char>(c) >> 4];
      out += hex[static_cast<unsigned char>(c) & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

// Binds an optional duration as microseconds, or NULL.
void bind_duration(sqlite3_stmt* statement, int index, const std::optional<Duration>& d) {
  if (d) sqlite3_bind_int64(statement, index, d->count());
  else sqlite3_bind_null(statement, index);
}

std::optional<Duration> column_duration(sqlite3_stmt* statement, int index) {
  if (sqlite3_column_type(statement, index) == SQLITE_NULL) return std::nullopt;
  return Duration{sqlite3_column_int64(statement, index)};
}

std::string column_text(sqlite3_stmt* statement, int index) {
  const auto* text = sqlite3_column_text(statement, index);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(statement, index)))
              : "";
}

// Closes a transaction on every path: commit() or, on destruction, rollback.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  int begin() {
    const int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    open_ = rc == SQLITE_OK;
    return rc;
  }
  int commit() {
    const int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) open_ = false;
    return rc;
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

}  // namespace

StoreResult<std::unique_ptr<Store>> SqliteStore::open(const std::string& path, StoreAccess access) {
  const bool read_only = access == StoreAccess::read_only;
  if (read_only) {
    // A reader creates nothing: a mistyped path is an error, not an empty store.
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
      return StoreError{StoreError::Kind::unavailable, "no store at " + path + ": " + errno_text(errno)};
    if (S_ISDIR(info.st_mode)) return StoreError{StoreError::Kind::io, path + " is a directory, not a store"};
  } else {
    if (auto safe = check_sqlite_location(path); !safe) return safe.error();
    std::error_code ignored;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
    if (auto writable = check_sqlite_writable(path); !writable) return writable.error();
  }
  sqlite3* db = nullptr;
  // NOFOLLOW: a writer never opens a store through a symbolic link (checked above, and here
  // again by SQLite itself at the moment of opening).
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW) |
              SQLITE_OPEN_NOMUTEX;
  std::string name = path;
  if (read_only && reader_needs_immutable(path)) {
    // A store on read-only media (a read-only mount, a folder the reader cannot write) has
    // no write-ahead log beside it and cannot get one, so no writer can be at work on it:
    // SQLite may read it as immutable instead of failing to make its WAL index.
    name = "file:" + uri_path(path) + "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  const int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    StoreError e{kind_of(rc), "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  // A writer waits this long for another's transaction (a second writer such as the sqlite3
  // shell) before a write fails and the store writer retries; readers never wait for writers.
  sqlite3_busy_timeout(db, 5000);
  if (!read_only && sqlite3_db_readonly(db, "main") == 1)
    return StoreError{StoreError::Kind::io,
                      path + " can only be read (a read-only file or file system): a monitor would store nothing"};
  // What the file is, before anything is changed in it: a file of another program is
  // refused untouched (not switched to WAL first).
  auto current = store->schema_version();
  if (!current && !read_only) {
    // A fresh store that another opener is migrating at this moment can look like a file
    // of tables without a version (the tables read after the version was not found): look
    // again holding the write lock, which the migration holds until it is whole. Taking it
    // writes nothing to the file.
    Transaction transaction(store->db_);
    if (transaction.begin() == SQLITE_OK) current = store->schema_version();
  }
  if (!current) return current.error();
  if (read_only) {
    const int latest = sqlite_migrations().empty() ? 0 : sqlite_migrations().back().version;
    if (*current == 0) return StoreError{StoreError::Kind::schema, path + ": holds no blackout store (an empty database)"};
    if (*current > latest)
      return StoreError{StoreError::Kind::schema, path + ": schema version " + std::to_string(*current) +
                                                      " is newer than this blackout's " + std::to_string(latest) +
                                                      "; upgrade blackout"};
    store->version_ = *current;
    return std::unique_ptr<Store>(std::move(store));
  }
  // WAL: readers do not block the writer; synchronous=NORMAL: a committed transaction
  // survives the process being killed (the OS has it), at a fraction of FULL's cost.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA temp_store=MEMORY"})
    if (auto done = store->exec(pragma); !done) return done.error();
  if (auto migrated = store->migrate(); !migrated) return migrated.error();
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::Statement::~Statement() {
  if (!statement_) return;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

SqliteStore::~SqliteStore() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

StoreError SqliteStore::error(const std::string& what) const {
  const int code = sqlite3_extended_errcode(db_);
  return StoreError{kind_of(code), path_ + ": " + what + ": " + sqlite3_errmsg(db_)};
}

StoreResult<Done> SqliteStore::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    StoreError e{kind_of(rc), path_ + ": " + (message ? message : sqlite3_errstr(rc))};
    sqlite3_free(message);
    return e;
  }
  return Done{};
}

StoreResult<SqliteStore::Statement> SqliteStore::prepare(const char* sql) {
  if (const auto it = statements_.find(sql); it != statements_.end()) return Statement(it->second);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
    return error(std::string("prepare ") + sql);
  statements_[sql] = statement;
  return Statement(statement);
}

StoreResult<bool> SqliteStore::next_row(sqlite3_stmt* statement, const char* table) {
  const int rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error(std::string("reading table ") + table);
}

StoreResult<int> SqliteStore::schema_version() {
  // A fresh file has no schema_version table; a file of another program is refused.
  sqlite3_stmt* probe = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT max(version) FROM schema_version", -1, &probe, nullptr) == SQLITE_OK) {
    int current = 0;
    const int rc = sqlite3_step(probe);
    if (rc == SQLITE_ROW) current = sqlite3_column_int(probe, 0);
    sqlite3_finalize(probe);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return error("read schema version");
    return current;
  }
  const int code = sqlite3_errcode(db_);
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) return error("not a blackout database");
  // Only "no such table" says what the file holds; anything else (busy, cannot open its
  // write-ahead log, ...) says nothing about it.
  if (code != SQLITE_ERROR) return error("read schema version");
  sqlite3_stmt* tables = nullptr;
  sqlite3_prepare_v2(db_, "SELECT count(*) FROM sqlite_master", -1, &tables, nullptr);
  const int rc = sqlite3_step(tables);
  const int count = rc == SQLITE_ROW ? sqlite3_column_int(tables, 0) : -1;
  sqlite3_finalize(tables);
  if (rc != SQLITE_ROW) return error("not a blackout database");
  if (count > 0)
    return StoreError{StoreError::Kind::schema, path_ + ": holds tables but no schema_version: not a blackout database"};
  return 0;
}

StoreResult<Done> SqliteStore::migrate() {
  const auto migrations = sqlite_migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  auto current = schema_version();
  if (!current || *current < latest) {
    // Several processes may open a fresh file at once (a monitor starting while `blackout
    // export` reads): what was read without a lock may be half of another's migration, so
    // the version is read again under the write lock; exactly one opener migrates and the
    // others find the work done.
    Transaction transaction(db_);
    if (transaction.begin() != SQLITE_OK) return error("begin migration");
    current = schema_version();
    if (!current) return current.error();
    for (const Migration& migration : migrations) {
      if (migration.version <= *current) continue;
      if (auto done = exec(std::string(migration.sql)); !done) return done.error();
      if (migration.version == 1) {
        std::string outcomes = "INSERT INTO outcomes (code, name) VALUES ";
        for (const OutcomeInfo& info : outcome_table())
          outcomes += "(" + std::to_string(static_cast<int>(info.outcome)) + ",'" + std::string(info.name) + "'),";
        outcomes.back() = ';';
        if (auto done = exec(outcomes); !done) return done.error();
      }
      const auto now = std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()).count();
      if (auto done = exec("INSERT INTO schema_version (version, applied_at) VALUES (" + std::to_string(migration.version) +
                           ", " + std::to_string(now) + ")");
          !done)
        return done.error();
    }
    if (transaction.commit() != SQLITE_OK) return error("commit migrations");
  }
  if (*current > latest)
    return StoreError{StoreError::Kind::schema, path_ + ": schema version " + std::to_string(*current) +
                                                    " is newer than this blackout's " + std::to_string(latest) +
                                                    "; upgrade blackout"};
  version_ = latest;
  return Done{};
}

StoreResult<std::int64_t> SqliteStore::series_id(const std::string& vantage, const std::string& target, const std::string& check,
                                                 CheckKind kind) {
  std::string key = vantage;
  key += '\0';
  key += target;
  key += '\0';
  key += check;
  if (const auto it = series_.find(key); it != series_.end()) return it->second;
  auto insert = prepare(
      "INSERT INTO series (vantage, target, check_id, kind) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (vantage, target, check_id) DO NOTHING");
  if (!insert) return insert.error();
  sqlite3_bind_text(*insert, 1, vantage.data(), static_cast<int>(vantage.size()), SQLITE_STATIC);
  sqlite3_bind_text(*insert, 2, target.data(), static_cast<int>(target.size()), SQLITE_STATIC);
  sqlite3_bind_text(*insert, 3, check.data(), static_cast<int>(check.size()), SQLITE_STATIC);
  const std::string_view kind_name = to_string(kind);
  sqlite3_bind_text(*insert, 4, kind_name.data(), static_cast<int>(kind_name.size()), SQLITE_STATIC);
  if (sqlite3_step(*insert) != SQLITE_DONE) return error("insert series");
  auto select = prepare("SELECT id FROM series WHERE vantage = ?1 AND target = ?2 AND check_id = ?3");
  if (!select) return select.error();
  sqlite3_bind_text(*select, 1, vantage.data(), static_cast<int>(vantage.size()), SQLITE_STATIC);
  sqlite3_bind_text(*select, 2, target.data(), static_cast<int>(target.size()), SQLITE_STATIC);
  sqlite3_bind_text(*select, 3, check.data(), static_cast<int>(check.size()), SQLITE_STATIC);
  auto row = next_row(*select, "series");
  if (!row) return row.error();
  if (!*row) return StoreError{StoreError::Kind::corrupt, path_ + ": table series: the series just inserted is not there"};
  const std::int64_t id = sqlite3_column_int64(*select, 0);
  series_.emplace(std::move(key), id);
  return id;
}

StoreResult<Done> SqliteStore::write_results(std::span<const Result> results) {
  if (results.empty()) return Done{};
  Transaction transaction(db_);
  if (transaction.begin() != SQLITE_OK) return error("begin");
  const std::size_t series_before = series_.size();
  const auto fail = [&](const char* what) {
    // The transaction rolls back: series created in it are gone, so forget them too.
    if (series_.size() != series_before) series_.clear();
    return error(what);
  };
  for (const Result& r : results) {
    auto series = series_id(r.vantage, r.target, r.check, r.kind);
    if (!series) {
      series_.clear();
      return series.error();
    }
    auto insert = prepare(
        "INSERT INTO results (time_us, series, outcome, rtt_us, dns_us, connect_us, tls_us, first_byte_us, "
        "confirmation, fields, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!insert) return insert.error();
    sqlite3_stmt* s = *insert;
    sqlite3_bind_int64(s, 1, micros(r.time));
    sqlite3_bind_int64(s, 2, *series);
    sqlite3_bind_int(s, 3, static_cast<int>(r.outcome));
    bind_duration(s, 4, r.rtt);
    bind_duration(s, 5, r.phases.dns);
    bind_duration(s, 6, r.phases.connect);
    bind_duration(s, 7, r.phases.tls);
    bind_duration(s, 8, r.phases.first_byte);
    sqlite3_bind_int(s, 9, r.confirmation ? 1 : 0);
    const std::string fields = encode_fields(r.fields);
    if (fields.empty()) sqlite3_bind_null(s, 10);
    else sqlite3_bind_text(s, 10, fields.data(), static_cast<int>(fields.size()), SQLITE_TRANSIENT);
    if (r.detail.empty()) sqlite3_bind_null(s, 11);
    else sqlite3_bind_text(s, 11, r.detail.data(), static_cast<int>(r.detail.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE) return fail("insert result");
  }
  if (transaction.commit() != SQLITE_OK) return fail("commit results");
  return Done{};
}

StoreResult<Done> SqliteStore::write_rollups(std::span<const Rollup> rollups) {
  if (rollups.empty()) return Done{};
  Transaction transaction(db_);
  if (transaction.begin() != SQLITE_OK) return error("begin");
  for (const Rollup& r : rollups) {
    auto series = series_id(r.vantage, r.target, r.check, r.kind);
    if (!series) {
      series_.clear();
      return series.error();
    }
    auto upsert = prepare(
        "INSERT INTO rollups (series, minute_us, count, successes, rtt_min_us, rtt_median_us, rtt_p95_us, rtt_max_us) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (series, minute_us) DO UPDATE SET "
        "count = excluded.count, successes = excluded.successes, rtt_min_us = excluded.rtt_min_us, "
        "rtt_median_us = excluded.rtt_median_us, rtt_p95_us = excluded.rtt_p95_us, rtt_max_us = excluded.rtt_max_us");
    if (!upsert) return upsert.error();
    sqlite3_stmt* s = *upsert;
    sqlite3_bind_int64(s, 1, *series);
    sqlite3_bind_int64(s, 2, micros(r.minute));
    sqlite3_bind_int64(s, 3, r.count);
    sqlite3_bind_int64(s, 4, r.successes);
    bind_duration(s, 5, r.rtt_min);
    bind_duration(s, 6, r.rtt_median);
    bind_duration(s, 7, r.rtt_p95);
    bind_duration(s, 8, r.rtt_max);
    if (sqlite3_step(s) != SQLITE_DONE) {
      series_.clear();
      return error("upsert rollup");
    }
  }
  if (transaction.commit() != SQLITE_OK) {
    series_.clear();
    return error("commit rollups");
  }
  return Done{};
}

StoreResult<Done> SqliteStore::write_config(const Config& config, Timestamp at) {
  Transaction transaction(db_);
  if (transaction.begin() != SQLITE_OK) return error("begin");
  std::unordered_map<std::string, std::string> current;
  {
    auto select = prepare("SELECT name, definition FROM config_targets WHERE vantage = ?1 AND valid_to_us IS NULL");
    if (!select) return select.error();
    sqlite3_bind_text(*select, 1, config.vantage.data(), static_cast<int>(config.vantage.size()), SQLITE_STATIC);
    while (true) {
      auto row = next_row(*select, "config_targets");
      if (!row) return row.error();
      if (!*row) break;
      current[column_text(*select, 0)] = column_text(*select, 1);
    }
  }
  const auto close = [&](const std::string& name) -> StoreResult<Done> {
    auto update = prepare("UPDATE config_targets SET valid_to_us = ?1 WHERE vantage = ?2 AND name = ?3 AND valid_to_us IS NULL");
    if (!update) return update.error();
    sqlite3_bind_int64(*update, 1, micros(at));
    sqlite3_bind_text(*update, 2, config.vantage.data(), static_cast<int>(config.vantage.size()), SQLITE_STATIC);
    sqlite3_bind_text(*update, 3, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
    if (sqlite3_step(*update) != SQLITE_DONE) return error("close config row");
    return Done{};
  };
  for (const Target& target : config.targets) {
    const std::string definition = target_definition(target);
    const auto it = current.find(target.name);
    if (it != current.end()) {
      const bool same = it->second == definition;
      current.erase(it);
      if (same) continue;
      if (auto closed = close(target.name); !closed) return closed.error();
    }
    auto insert =
        prepare("INSERT INTO config_targets (vantage, name, layer, definition, valid_from_us) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!insert) return insert.error();
    const std::string_view layer = to_string(target.layer);
    sqlite3_bind_text(*insert, 1, config.vantage.data(), static_cast<int>(config.vantage.size()), SQLITE_STATIC);
    sqlite3_bind_text(*insert, 2, target.name.data(), static_cast<int>(target.name.size()), SQLITE_STATIC);
    sqlite3_bind_text(*insert, 3, layer.data(), static_cast<int>(layer.size()), SQLITE_STATIC);
    sqlite3_bind_text(*insert, 4, definition.data(), static_cast<int>(definition.size()), SQLITE_STATIC);
    sqlite3_bind_int64(*insert, 5, micros(at));
    if (sqlite3_step(*insert) != SQLITE_DONE) return error("insert config row");
  }
  for (const auto& [name, definition] : current)  // targets no longer configured
    if (auto closed = close(name); !closed) return closed.error();
  if (transaction.commit() != SQLITE_OK) return error("commit config");
  return Done{};
}

namespace {

// WHERE clause shared by the readers; parameters ?1..?4 are from, to, vantage, target.
constexpr const char* filter =
    " WHERE r.time_us >= ?1 AND r.time_us < ?2 AND (?3 IS NULL OR s.vantage = ?3) AND (?4 IS NULL OR s.target = ?4)";

void bind_query(sqlite3_stmt* s, const ResultQuery& q) {
  sqlite3_bind_int64(s, 1, q.from ? micros(*q.from) : INT64_MIN);
  sqlite3_bind_int64(s, 2, q.to ? micros(*q.to) : INT64_MAX);
  if (q.vantage) sqlite3_bind_text(s, 3, q.vantage->data(), static_cast<int>(q.vantage->size()), SQLITE_TRANSIENT);
  else sqlite3_bind_null(s, 3);
  if (q.target) sqlite3_bind_text(s, 4, q.target->data(), static_cast<int>(q.target->size()), SQLITE_TRANSIENT);
  else sqlite3_bind_null(s, 4);
}

}  // namespace

StoreResult<std::int64_t> SqliteStore::read_results(const ResultQuery& query, const std::function<bool(Result&&)>& each) {
  static const std::string sql = std::string(
                                     "SELECT r.time_us, s.vantage, s.target, s.check_id, s.kind, r.outcome, r.rtt_us, r.dns_us, "
                                     "r.connect_us, r.tls_us, r.first_byte_us, r.confirmation, r.fields, r.detail "
                                     "FROM results r JOIN series s ON s.id = r.series") +
                                 filter + " ORDER BY r.time_us, r.rowid";
  static const std::string sql_arrival = sql.substr(0, sql.find(" ORDER BY")) + " ORDER BY r.rowid";
  auto select = prepare(query.arrival_order ? sql_arrival.c_str() : sql.c_str());
  if (!select) return select.error();
  sqlite3_stmt* s = *select;
  bind_query(s, query);
  std::int64_t count = 0;
  while (true) {
    auto row = next_row(s, "results");
    if (!row) return row.error();
    if (!*row) break;
    Result r;
    r.time = Timestamp{Duration{sqlite3_column_int64(s, 0)}};
    r.vantage = column_text(s, 1);
    r.target = column_text(s, 2);
    r.check = column_text(s, 3);
    const auto kind = check_kind_from_string(column_text(s, 4));
    const int outcome = sqlite3_column_int(s, 5);
    if (!kind || outcome < 0 || static_cast<std::size_t>(outcome) >= outcome_count)
      return StoreError{StoreError::Kind::corrupt,
                        path_ + ": tables results and series: a result with an unknown kind or outcome code"};
    r.kind = *kind;
    r.outcome = static_cast<Outcome>(outcome);
    r.rtt = column_duration(s, 6);
    r.phases.dns = column_duration(s, 7);
    r.phases.connect = column_duration(s, 8);
    r.phases.tls = column_duration(s, 9);
    r.phases.first_byte = column_duration(s, 10);
    r.confirmation = sqlite3_column_int(s, 11) != 0;
    bool fields_ok = true;
    r.fields = decode_fields(column_text(s, 12), r.kind, fields_ok);
    if (!fields_ok) return StoreError{StoreError::Kind::corrupt, path_ + ": table results: a result's fields are not valid JSON"};
    r.detail = column_text(s, 13);
    ++count;
    if (!each(std::move(r))) break;
  }
  return count;
}

StoreResult<Done> SqliteStore::write_detection(std::span<const StateChange> changes, std::span<const Event> events,
                                               std::span<const Wave> waves) {
  Transaction transaction(db_);
  if (transaction.begin() != SQLITE_OK) return error("begin");
  for (const StateChange& c : changes) {
    auto insert = prepare(
        "INSERT INTO state_changes (time_us, vantage, scope, subject, from_state, to_state, reason) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!insert) return insert.error();
    const std::string scope(to_string(c.scope)), from(to_string(c.from)), to(to_string(c.to));
    sqlite3_bind_int64(*insert, 1, micros(c.time));
    sqlite3_bind_text(*insert, 2, c.vantage.data(), static_cast<int>(c.vantage.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(*insert, 3, scope.data(), static_cast<int>(scope.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(*insert, 4, c.subject.data(), static_cast<int>(c.subject.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(*insert, 5, from.data(), static_cast<int>(from.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(*insert, 6, to.data(), static_cast<int>(to.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(*insert, 7, c.reason.data(), static_cast<int>(c.reason.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(*insert) != SQLITE_DONE) return error("insert state change");
  }
  // The documents carry every field; the columns beside them are for queries (by time, by
  // hand), and keep the start and end to the microsecond.
  for (const Event& event : events) {
    auto upsert = prepare(
        "INSERT INTO events (id, scope, layer, kind, start_us, end_us, peak_stress, peak_loss, signature, document) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, start_us = excluded.start_us, end_us = excluded.end_us, "
        "peak_stress = excluded.peak_stress, peak_loss = excluded.peak_loss, signature = excluded.signature, "
        "document = excluded.document");
    if (!upsert) return upsert.error();
    const std::string scope(to_string(event.scope)), document = event_to_json(event);
    sqlite3_bind_text(*upsert, 1, event.id.data(), static_cast<int>(event.id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(*upsert, 2, scope.data(), static_cast<int>(scope.size()), SQLITE_TRANSIENT);
    if (event.layer)
      sqlite3_bind_text(*upsert, 3, to_string(*event.layer).data(), static_cast<int>(to_string(*event.layer).size()),
                        SQLITE_TRANSIENT);
    else sqlite3_bind_null(*upsert, 3);
    const std::string_view kind = to_string(event.kind), signature = to_string(event.signature);
    sqlite3_bind_text(*upsert, 4, kind.data(), static_cast<int>(kind.size()), SQLITE_STATIC);
    sqlite3_bind_int64(*upsert, 5, micros(event.start));
    if (event.end) sqlite3_bind_int64(*upsert, 6, micros(*event.end));
    else sqlite3_bind_null(*upsert, 6);
    sqlite3_bind_double(*upsert, 7, event.peak_stress);
    sqlite3_bind_double(*upsert, 8, event.peak_loss);
    sqlite3_bind_text(*upsert, 9, signature.data(), static_cast<int>(signature.size()), SQLITE_STATIC);
    sqlite3_bind_text(*upsert, 10, document.data(), static_cast<int>(document.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(*upsert) != SQLITE_DONE) return error("upsert event");
  }
  for (const Wave& wave : waves) {
    auto upsert = prepare(
        "INSERT INTO waves (id, start_us, end_us, document) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (id) DO UPDATE SET start_us = excluded.start_us, end_us = excluded.end_us, document = excluded.document");
    if (!upsert) return upsert.error();
    const std::string document = wave_to_json(wave);
    sqlite3_bind_text(*upsert, 1, wave.id.data(), static_cast<int>(wave.id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(*upsert, 2, micros(wave.start));
    if (wave.end) sqlite3_bind_int64(*upsert, 3, micros(*wave.end));
    else sqlite3_bind_null(*upsert, 3);
    sqlite3_bind_text(*upsert, 4, document.data(), static_cast<int>(document.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(*upsert) != SQLITE_DONE) return error("upsert wave");
  }
  if (transaction.commit() != SQLITE_OK) return error("commit detection");
  return Done{};
}

namespace {

void bind_event_query(sqlite3_stmt* statement, const EventQuery& query) {
  sqlite3_bind_int64(statement, 1, query.from ? micros(*query.from) : std::numeric_limits<std::int64_t>::min());
  sqlite3_bind_int64(statement, 2, query.to ? micros(*query.to) : std::numeric_limits<std::int64_t>::max());
}

}  // namespace

// Events and waves are read alike: the document, with the start and end from their columns.
template <typename Record>
StoreResult<std::vector<Record>> SqliteStore::read_detection(const char* table, const char* noun,
                                                             Expected<Record> (*parse)(std::string_view),
                                                             const EventQuery& query) {
  const std::string sql = std::string("SELECT id, start_us, end_us, document FROM ") + table +
                          " WHERE start_us < ?2 AND (end_us IS NULL OR end_us >= ?1) ORDER BY start_us, id";
  auto select = prepare(sql.c_str());
  if (!select) return select.error();
  bind_event_query(*select, query);
  std::vector<Record> out;
  while (true) {
    auto row = next_row(*select, table);
    if (!row) return row.error();
    if (!*row) return out;
    auto record = parse(column_text(*select, 3));
    if (!record)
      return StoreError{StoreError::Kind::corrupt, path_ + ": table " + table + ": the document of " +
                                                       blackout::quoted(column_text(*select, 0)) + " does not read as " + noun +
                                                       " (" + record.error().message + ")"};
    record->start = Timestamp{std::chrono::microseconds(sqlite3_column_int64(*select, 1))};
    if (sqlite3_column_type(*select, 2) != SQLITE_NULL)
      record->end = Timestamp{std::chrono::microseconds(sqlite3_column_int64(*select, 2))};
    out.push_back(std::move(*record));
  }
}

StoreResult<std::vector<Event>> SqliteStore::read_events(const EventQuery& query) {
  return read_detection("events", "an event", &event_from_json, query);
}

StoreResult<std::vector<Wave>> SqliteStore::read_waves(const EventQuery& query) {
  return read_detection("waves", "a wave", &wave_from_json, query);
}

StoreResult<std::vector<Target>> SqliteStore::current_targets() {
  auto select = prepare("SELECT definition, vantage, name FROM config_targets WHERE valid_to_us IS NULL ORDER BY vantage, name");
  if (!select) return select.error();
  std::vector<Target> out;
  std::set<std::string> seen;
  while (true) {
    auto row = next_row(*select, "config_targets");
    if (!row) return row.error();
    if (!*row) return out;
    // A definition that does not read is damage, not a target to leave out: without it the
    // analysis would be another one, silently.
    auto target = target_from_definition(column_text(*select, 0));
    if (!target)
      return StoreError{StoreError::Kind::corrupt, path_ + ": table config_targets: the definition of " +
                                                       blackout::quoted(column_text(*select, 2)) + " (vantage " +
                                                       blackout::quoted(column_text(*select, 1)) + ") does not read as a target"};
    if (seen.insert(target->name).second) out.push_back(std::move(*target));
  }
}

StoreResult<std::int64_t> SqliteStore::count_results(const ResultQuery& query) {
  static const std::string sql = std::string("SELECT count(*) FROM results r JOIN series s ON s.id = r.series") + filter;
  auto select = prepare(sql.c_str());
  if (!select) return select.error();
  bind_query(*select, query);
  auto row = next_row(*select, "results");
  if (!row) return row.error();
  if (!*row) return StoreError{StoreError::Kind::corrupt, path_ + ": table results: count(*) gave no row"};
  return sqlite3_column_int64(*select, 0);
}

StoreResult<std::vector<Rollup>> SqliteStore::read_rollups(const ResultQuery& query) {
  static const std::string sql = std::string(
      "SELECT r.minute_us, s.vantage, s.target, s.check_id, s.kind, r.count, r.successes, r.rtt_min_us, "
      "r.rtt_median_us, r.rtt_p95_us, r.rtt_max_us FROM rollups r JOIN series s ON s.id = r.series "
      "WHERE r.minute_us >= ?1 AND r.minute_us < ?2 AND (?3 IS NULL OR s.vantage = ?3) AND "
      "(?4 IS NULL OR s.target = ?4) ORDER BY r.minute_us, s.vantage, s.target, s.check_id");
  auto select = prepare(sql.c_str());
  if (!select) return select.error();
  sqlite3_stmt* s = *select;
  bind_query(s, query);
  std::vector<Rollup> out;
  while (true) {
    auto row = next_row(s, "rollups");
    if (!row) return row.error();
    if (!*row) return out;
    Rollup r;
    r.minute = Timestamp{Duration{sqlite3_column_int64(s, 0)}};
    r.vantage = column_text(s, 1);
    r.target = column_text(s, 2);
    r.check = column_text(s, 3);
    const auto kind = check_kind_from_string(column_text(s, 4));
    if (!kind) return StoreError{StoreError::Kind::corrupt, path_ + ": table series: a series with an unknown check kind"};
    r.kind = *kind;
    r.count = sqlite3_column_int64(s, 5);
    r.successes = sqlite3_column_int64(s, 6);
    r.rtt_min = column_duration(s, 7);
    r.rtt_median = column_duration(s, 8);
    r.rtt_p95 = column_duration(s, 9);
    r.rtt_max = column_duration(s, 10);
    out.push_back(std::move(r));
  }
}

StoreResult<std::vector<std::string>> SqliteStore::vantages() {
  auto select = prepare("SELECT DISTINCT vantage FROM series ORDER BY vantage");
  if (!select) return select.error();
  std::vector<std::string> out;
  while (true) {
    auto row = next_row(*select, "series");
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(column_text(*select, 0));
  }
}

StoreResult<PruneStats> SqliteStore::prune(Timestamp raw_before, Timestamp rollups_before) {
  PruneStats stats;
  // Small batches, each its own transaction: the writer waits at most one batch.
  const auto batches = [&](const char* sql, Timestamp before, std::int64_t& total) -> StoreResult<Done> {
    while (true) {
      auto del = prepare(sql);
      if (!del) return del.error();
      sqlite3_bind_int64(*del, 1, micros(before));
      if (sqlite3_step(*del) != SQLITE_DONE) return error("prune");
      const int changed = sqlite3_changes(db_);
      total += changed;
      if (changed == 0) return Done{};
    }
  };
  if (auto done = batches("DELETE FROM results WHERE rowid IN (SELECT rowid FROM results WHERE time_us < ?1 LIMIT 5000)",
                          raw_before, stats.results);
      !done)
    return done.error();
  if (auto done = batches("DELETE FROM rollups WHERE (series, minute_us) IN (SELECT series, minute_us FROM rollups WHERE "
                          "minute_us < ?1 LIMIT 5000)",
                          rollups_before, stats.rollups);
      !done)
    return done.error();
  return stats;
}

StoreResult<std::string> SqliteStore::integrity_check() {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &s, nullptr) != SQLITE_OK) return error("integrity_check");
  std::string out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (!out.empty()) out += "; ";
    out += column_text(s, 0);
  }
  sqlite3_finalize(s);
  // A check that cannot finish (the file too damaged to read) says so rather than "ok".
  if (rc != SQLITE_DONE) return error("integrity_check");
  return out;
}

}  // namespace blackout
