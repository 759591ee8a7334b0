// The PostgreSQL store.
#include "store/postgres/postgres_store.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <regex>
#include <set>

#include "model/event_json.hpp"
#include "store/codec.hpp"
#include "store/definition.hpp"
#include "store/migrations.hpp"
#include "util/strings.hpp"

namespace blackout {
namespace {

std::int64_t micros(Timestamp t) { return t.time_since_epoch().count(); }

// Owns a PGresult.
struct PgResult {
  PGresult* result;
  explicit PgResult(PGresult* r) : result(r) {}
  ~PgResult() { PQclear(result); }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  [[nodiscard]] ExecStatusType status() const { return PQresultStatus(result); }
};

StoreError error_of(PGconn* connection, const PGresult* result, const std::string& what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = result && PQresultErrorMessage(result)[0] ? PQresultErrorMessage(result) : PQerrorMessage(connection);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  StoreError::Kind kind = StoreError::Kind::io;
  const std::string sqlstate = state ? state : "";
  if (PQstatus(connection) != CONNECTION_OK || sqlstate.starts_with("08") || sqlstate.starts_with("57P"))
    kind = StoreError::Kind::unavailable;
  else if (sqlstate == "53100") kind = StoreError::Kind::full;
  else if (sqlstate.starts_with("XX")) kind = StoreError::Kind::corrupt;
  return StoreError{kind, what + ": " + message};
}

// Escapes text for COPY's text format.
void append_copy_text(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': break;  // PostgreSQL text cannot hold NUL; it was escaped in detail already
      default: out += c;
    }
  }
}

void append_optional(std::string& out, const std::optional<Duration>& d) { out += d ? std::to_string(d->count()) : "\\N"; }

std::optional<Duration> duration_at(PGresult* r, int row, int column) {
  if (PQgetisnull(r, row, column)) return std::nullopt;
  return Duration{std::strtoll(PQgetvalue(r, row, column), nullptr, 10)};
}

// An integer column as the server sent it; nullopt for anything else (never a silent 0).
std::optional<long long> integer_at(PGresult* r, int row, int column) {
  const char* text = PQgetvalue(r, row, column);
  const char* end = text + PQgetlength(r, row, column);
  long long value = 0;
  const auto [at, error] = std::from_chars(text, end, value);
  if (error != std::errc() || at != end || at == text) return std::nullopt;
  return value;
}

std::string text_at(PGresult* r, int row, int column) {
  return std::string(PQgetvalue(r, row, column), static_cast<std::size_t>(PQgetlength(r, row, column)));
}

}  // namespace

PostgresStore::PostgresStore(pg_conn* connection, std::string url)
    : connection_(connection), url_(std::move(url)), redacted_url_(std::regex_replace(url_, std::regex(":[^:@/]*@"), ":***@")) {}

PostgresStore::~PostgresStore() { PQfinish(connection_); }

StoreResult<std::unique_ptr<Store>> PostgresStore::open(const std::string& url, StoreAccess access) {
  PGconn* connection = PQconnectdb(url.c_str());
  std::unique_ptr<PostgresStore> store(new PostgresStore(connection, url));
  if (PQstatus(connection) != CONNECTION_OK)
    return StoreError{StoreError::Kind::unavailable,
                      "cannot connect to " + store->redacted_url_ + ": " + PQerrorMessage(connection)};
  PgResult quiet(PQexec(connection, "SET client_min_messages = warning"));
  if (access == StoreAccess::read_only) {
    // A reader changes nothing: no schema made, no migration; the session refuses writes.
    PgResult read_only(PQexec(connection, "SET default_transaction_read_only = on"));
    if (read_only.status() != PGRES_COMMAND_OK)
      return error_of(connection, read_only.result, store->redacted_url_ + ": read-only session");
    auto current = store->stored_version();
    if (!current) return current.error();
    const auto migrations = postgres_migrations();
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (*current == 0)
      return StoreError{StoreError::Kind::schema, store->redacted_url_ + ": holds no blackout store (no schema_version)"};
    if (*current > latest)
      return StoreError{StoreError::Kind::schema, store->redacted_url_ + ": schema version " + std::to_string(*current) +
                                                      " is newer than this blackout's " + std::to_string(latest) +
                                                      "; upgrade blackout"};
    store->version_ = *current;
    return std::unique_ptr<Store>(std::move(store));
  }
  if (auto migrated = store->migrate(); !migrated) return migrated.error();
  return std::unique_ptr<Store>(std::move(store));
}

StoreResult<int> PostgresStore::stored_version() {
  PgResult exists(PQexec(connection_, "SELECT to_regclass('schema_version') IS NOT NULL"));
  if (exists.status() != PGRES_TUPLES_OK || PQntuples(exists.result) != 1)
    return error_of(connection_, exists.result, redacted_url_ + ": reading table schema_version");
  if (std::string(PQgetvalue(exists.result, 0, 0)) != "t") return 0;
  PgResult version(PQexec(connection_, "SELECT coalesce(max(version), 0) FROM schema_version"));
  if (version.status() != PGRES_TUPLES_OK || PQntuples(version.result) != 1)
    return error_of(connection_, version.result, redacted_url_ + ": reading table schema_version");
  const auto number = integer_at(version.result, 0, 0);
  if (!number || *number < 0 || *number > 1'000'000)
    return StoreError{StoreError::Kind::corrupt, redacted_url_ + ": table schema_version: the version is not a number"};
  return static_cast<int>(*number);
}

StoreResult<Done> PostgresStore::ensure_connected() {
  if (PQstatus(connection_) == CONNECTION_OK) return Done{};
  PQreset(connection_);
  series_.clear();
  if (PQstatus(connection_) != CONNECTION_OK)
    return StoreError{StoreError::Kind::unavailable, redacted_url_ + ": " + PQerrorMessage(connection_)};
  return Done{};
}

StoreResult<Done> PostgresStore::migrate() {
  PgResult begin(PQexec(connection_, "BEGIN"));
  if (begin.status() != PGRES_COMMAND_OK) return error_of(connection_, begin.result, "begin migration");
  // Several monitors may start at once against an empty database: one migrates at a time.
  PgResult lock(PQexec(connection_, "SELECT pg_advisory_xact_lock(7220126)"));
  if (lock.status() != PGRES_TUPLES_OK) return error_of(connection_, lock.result, "migration lock");
  const auto stored = stored_version();
  if (!stored) return stored.error();
  const int current = *stored;
  const auto migrations = postgres_migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    PgResult rollback(PQexec(connection_, "ROLLBACK"));
    return StoreError{StoreError::Kind::schema, redacted_url_ + ": schema version " + std::to_string(current) +
                                                    " is newer than this blackout's " + std::to_string(latest) +
                                                    "; upgrade blackout"};
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    PgResult applied(PQexec(connection_, std::string(migration.sql).c_str()));
    if (applied.status() != PGRES_COMMAND_OK) {
      StoreError e = error_of(connection_, applied.result, "migration " + std::string(migration.name));
      PgResult rollback(PQexec(connection_, "ROLLBACK"));
      e.kind = StoreError::Kind::schema;
      return e;
    }
    if (migration.version == 1) {
      std::string outcomes = "INSERT INTO outcomes (code, name) VALUES ";
      for (const OutcomeInfo& info : outcome_table())
        outcomes += "(" + std::to_string(static_cast<int>(info.outcome)) + ",'" + std::string(info.name) + "'),";
      outcomes.back() = ';';
      PgResult inserted(PQexec(connection_, outcomes.c_str()));
    }
    const auto now = std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()).count();
    PgResult recorded(PQexec(connection_, ("INSERT INTO schema_version (version, applied_at) VALUES (" +
                                           std::to_string(migration.version) + ", " + std::to_string(now) + ")")
                                              .c_str()));
  }
  PgResult commit(PQexec(connection_, "COMMIT"));
  if (commit.status() != PGRES_COMMAND_OK) return error_of(connection_, commit.result, "commit migration");
  version_ = latest;
  return Done{};
}

StoreResult<std::int64_t> PostgresStore::series_id(const std::string& vantage, const std::string& target,
                                                   const std::string& check, CheckKind kind) {
  std::string key = vantage + '\0' + target + '\0' + check;
  if (const auto it = series_.find(key); it != series_.end()) return it->second;
  const std::string kind_name(to_string(kind));
  const char* values[4] = {vantage.c_str(), target.c_str(), check.c_str(), kind_name.c_str()};
  PgResult insert(PQexecParams(connection_,
                               "INSERT INTO series (vantage, target, check_id, kind) VALUES ($1, $2, $3, $4) "
                               "ON CONFLICT (vantage, target, check_id) DO NOTHING",
                               4, nullptr, values, nullptr, nullptr, 0));
  if (insert.status() != PGRES_COMMAND_OK) return error_of(connection_, insert.result, "insert series");
  PgResult select(PQexecParams(connection_, "SELECT id FROM series WHERE vantage = $1 AND target = $2 AND check_id = $3", 3,
                               nullptr, values, nullptr, nullptr, 0));
  if (select.status() != PGRES_TUPLES_OK || PQntuples(select.result) != 1)
    return error_of(connection_, select.result, "find series");
  const std::int64_t id = std::strtoll(PQgetvalue(select.result, 0, 0), nullptr, 10);
  series_.emplace(std::move(key), id);
  return id;
}

StoreResult<Done> PostgresStore::write_results(std::span<const Result> results) {
  if (results.empty()) return Done{};
  if (auto connected = ensure_connected(); !connected) return connected.error();
  // Series first, outside the COPY (a COPY cannot run other statements in between).
  std::vector<std::int64_t> ids;
  ids.reserve(results.size());
  for (const Result& r : results) {
    auto id = series_id(r.vantage, r.target, r.check, r.kind);
    if (!id) return id.error();
    ids.push_back(*id);
  }
  std::string data;
  data.reserve(results.size() * 96);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    data += std::to_string(micros(r.time));
    data += '\t';
    data += std::to_string(ids[i]);
    data += '\t';
    data += std::to_string(static_cast<int>(r.outcome));
    data += '\t';
    append_optional(data, r.rtt);
    data += '\t';
    append_optional(data, r.phases.dns);
    data += '\t';
    append_optional(data, r.phases.connect);
    data += '\t';
    append_optional(data, r.phases.tls);
    data += '\t';
    append_optional(data, r.phases.first_byte);
    data += '\t';
    data += r.confirmation ? '1' : '0';
    data += '\t';
    const std::string fields = encode_fields(r.fields);
    if (fields.empty()) data += "\\N";
    else append_copy_text(data, fields);
    data += '\t';
    if (r.detail.empty()) data += "\\N";
    else append_copy_text(data, r.detail);
    data += '\n';
  }
  PgResult start(
      PQexec(connection_,
             "COPY results (time_us, series, outcome, rtt_us, dns_us, connect_us, tls_us, first_byte_us, confirmation, fields, "
             "detail) FROM STDIN"));
  if (start.status() != PGRES_COPY_IN) return error_of(connection_, start.result, "start COPY");
  if (PQputCopyData(connection_, data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(connection_, nullptr) != 1)
    return error_of(connection_, nullptr, "COPY data");
  PgResult end(PQgetResult(connection_));
  // Drain whatever else the server sends so that the connection is ready again.
  while (PGresult* extra = PQgetResult(connection_)) PQclear(extra);
  if (end.status() != PGRES_COMMAND_OK) {
    series_.clear();
    return error_of(connection_, end.result, "COPY results");
  }
  return Done{};
}

StoreResult<Done> PostgresStore::write_rollups(std::span<const Rollup> rollups) {
  if (rollups.empty()) return Done{};
  if (auto connected = ensure_connected(); !connected) return connected.error();
  PgResult begin(PQexec(connection_, "BEGIN"));
  if (begin.status() != PGRES_COMMAND_OK) return error_of(connection_, begin.result, "begin rollups");
  for (const Rollup& r : rollups) {
    auto id = series_id(r.vantage, r.target, r.check, r.kind);
    if (!id) {
      PgResult rollback(PQexec(connection_, "ROLLBACK"));
      return id.error();
    }
    const auto text = [](const std::optional<Duration>& d) { return d ? std::to_string(d->count()) : std::string(); };
    const std::string values[8] = {std::to_string(*id),     std::to_string(micros(r.minute)),
                                   std::to_string(r.count), std::to_string(r.successes),
                                   text(r.rtt_min),         text(r.rtt_median),
                                   text(r.rtt_p95),         text(r.rtt_max)};
    const char* params[8];
    for (int i = 0; i < 8; ++i) params[i] = (i >= 4 && values[i].empty()) ? nullptr : values[i].c_str();
    PgResult upsert(PQexecParams(
        connection_,
        "INSERT INTO rollups (series, minute_us, count, successes, rtt_min_us, rtt_median_us, rtt_p95_us, rtt_max_us) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (series, minute_us) DO UPDATE SET "
        "count = excluded.count, successes = excluded.successes, rtt_min_us = excluded.rtt_min_us, "
        "rtt_median_us = excluded.rtt_median_us, rtt_p95_us = excluded.rtt_p95_us, rtt_max_us = excluded.rtt_max_us",
        8, nullptr, params, nullptr, nullptr, 0));
    if (upsert.status() != PGRES_COMMAND_OK) {
      StoreError e = error_of(connection_, upsert.result, "upsert rollup");
      PgResult rollback(PQexec(connection_, "ROLLBACK"));
      series_.clear();
      return e;
    }
  }
  PgResult commit(PQexec(connection_, "COMMIT"));
  if (commit.status() != PGRES_COMMAND_OK) return error_of(connection_, commit.result, "commit rollups");
  return Done{};
}

StoreResult<Done> PostgresStore::write_config(const Config& config, Timestamp at) {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  PgResult begin(PQexec(connection_, "BEGIN"));
  if (begin.status() != PGRES_COMMAND_OK) return error_of(connection_, begin.result, "begin config");
  const auto fail = [&](PGresult* r, const char* what) {
    StoreError e = error_of(connection_, r, what);
    PgResult rollback(PQexec(connection_, "ROLLBACK"));
    return e;
  };
  std::unordered_map<std::string, std::string> current;
  {
    const char* params[1] = {config.vantage.c_str()};
    PgResult select(PQexecParams(connection_,
                                 "SELECT name, definition FROM config_targets WHERE vantage = $1 AND valid_to_us IS NULL", 1,
                                 nullptr, params, nullptr, nullptr, 0));
    if (select.status() != PGRES_TUPLES_OK) return fail(select.result, "read config");
    for (int row = 0; row < PQntuples(select.result); ++row)
      current[text_at(select.result, row, 0)] = text_at(select.result, row, 1);
  }
  const std::string at_text = std::to_string(micros(at));
  const auto close = [&](const std::string& name) -> bool {
    const char* params[3] = {at_text.c_str(), config.vantage.c_str(), name.c_str()};
    PgResult update(PQexecParams(
        connection_, "UPDATE config_targets SET valid_to_us = $1 WHERE vantage = $2 AND name = $3 AND valid_to_us IS NULL", 3,
        nullptr, params, nullptr, nullptr, 0));
    return update.status() == PGRES_COMMAND_OK;
  };
  for (const Target& target : config.targets) {
    const std::string definition = target_definition(target);
    if (const auto it = current.find(target.name); it != current.end()) {
      const bool same = it->second == definition;
      current.erase(it);
      if (same) continue;
      if (!close(target.name)) return fail(nullptr, "close config row");
    }
    const std::string layer(to_string(target.layer));
    const char* params[5] = {config.vantage.c_str(), target.name.c_str(), layer.c_str(), definition.c_str(), at_text.c_str()};
    PgResult insert(PQexecParams(
        connection_, "INSERT INTO config_targets (vantage, name, layer, definition, valid_from_us) VALUES ($1, $2, $3, $4, $5)",
        5, nullptr, params, nullptr, nullptr, 0));
    if (insert.status() != PGRES_COMMAND_OK) return fail(insert.result, "insert config row");
  }
  for (const auto& [name, definition] : current)
    if (!close(name)) return fail(nullptr, "close config row");
  PgResult commit(PQexec(connection_, "COMMIT"));
  if (commit.status() != PGRES_COMMAND_OK) return error_of(connection_, commit.result, "commit config");
  return Done{};
}

namespace {

struct QueryParams {
  std::string from, to;
  std::optional<std::string> vantage, target;
  const char* values[4];
  explicit QueryParams(const ResultQuery& q)
      : from(std::to_string(q.from ? micros(*q.from) : INT64_MIN)),
        to(std::to_string(q.to ? micros(*q.to) : INT64_MAX)),
        vantage(q.vantage),
        target(q.target) {
    values[0] = from.c_str();
    values[1] = to.c_str();
    values[2] = vantage ? vantage->c_str() : nullptr;
    values[3] = target ? target->c_str() : nullptr;
  }
};

constexpr const char* filter =
    " WHERE r.time_us >= $1 AND r.time_us < $2 AND ($3::text IS NULL OR s.vantage = $3) AND ($4::text IS NULL OR s.target = $4)";

}  // namespace

StoreResult<std::int64_t> PostgresStore::read_results(const ResultQuery& query, const std::function<bool(Result&&)>& each) {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  const QueryParams params(query);
  const std::string sql =
      std::string(
          "SELECT r.time_us, s.vantage, s.target, s.check_id, s.kind, r.outcome, r.rtt_us, r.dns_us, r.connect_us, "
          "r.tls_us, r.first_byte_us, r.confirmation, r.fields, r.detail FROM results r JOIN series s ON s.id = r.series") +
      filter + (query.arrival_order ? " ORDER BY r.id" : " ORDER BY r.time_us, r.id");
  // Row by row, so that a large export does not sit in memory.
  if (PQsendQueryParams(connection_, sql.c_str(), 4, nullptr, params.values, nullptr, nullptr, 0) != 1 ||
      PQsetSingleRowMode(connection_) != 1)
    return error_of(connection_, nullptr, redacted_url_ + ": reading table results");
  std::int64_t count = 0;
  bool stopped = false;
  std::optional<StoreError> failure;
  while (PGresult* raw = PQgetResult(connection_)) {
    PgResult row(raw);
    if (row.status() == PGRES_TUPLES_OK) continue;
    if (row.status() != PGRES_SINGLE_TUPLE) {
      if (!failure) failure = error_of(connection_, row.result, redacted_url_ + ": reading table results");
      continue;
    }
    if (stopped || failure) continue;  // drain the rest
    Result r;
    r.time = Timestamp{Duration{std::strtoll(PQgetvalue(raw, 0, 0), nullptr, 10)}};
    r.vantage = text_at(raw, 0, 1);
    r.target = text_at(raw, 0, 2);
    r.check = text_at(raw, 0, 3);
    const auto kind = check_kind_from_string(text_at(raw, 0, 4));
    const long long outcome = integer_at(raw, 0, 5).value_or(-1);
    if (!kind || outcome < 0 || static_cast<std::size_t>(outcome) >= outcome_count) {
      failure = StoreError{StoreError::Kind::corrupt,
                           redacted_url_ + ": tables results and series: a result with an unknown kind or outcome code"};
      continue;
    }
    r.kind = *kind;
    r.outcome = static_cast<Outcome>(outcome);
    r.rtt = duration_at(raw, 0, 6);
    r.phases.dns = duration_at(raw, 0, 7);
    r.phases.connect = duration_at(raw, 0, 8);
    r.phases.tls = duration_at(raw, 0, 9);
    r.phases.first_byte = duration_at(raw, 0, 10);
    r.confirmation = integer_at(raw, 0, 11).value_or(0) != 0;
    bool fields_ok = true;
    r.fields = decode_fields(text_at(raw, 0, 12), r.kind, fields_ok);
    if (!fields_ok) {
      failure = StoreError{StoreError::Kind::corrupt, redacted_url_ + ": table results: a result's fields are not valid JSON"};
      continue;
    }
    r.detail = text_at(raw, 0, 13);
    ++count;
    if (!each(std::move(r))) stopped = true;
  }
  if (failure) return *failure;
  return count;
}

StoreResult<Done> PostgresStore::write_detection(std::span<const StateChange> changes, std::span<const Event> events,
                                                 std::span<const Wave> waves) {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  PgResult begin(PQexec(connection_, "BEGIN"));
  if (begin.status() != PGRES_COMMAND_OK) return error_of(connection_, begin.result, "begin detection");
  const auto fail = [&](PGresult* r, const char* what) {
    StoreError e = error_of(connection_, r, what);
    PgResult rollback(PQexec(connection_, "ROLLBACK"));
    return e;
  };
  for (const StateChange& c : changes) {
    const std::string time = std::to_string(micros(c.time)), scope(to_string(c.scope)), from(to_string(c.from)),
                      to(to_string(c.to));
    const char* params[7] = {time.c_str(), c.vantage.c_str(), scope.c_str(),   c.subject.c_str(),
                             from.c_str(), to.c_str(),        c.reason.c_str()};
    PgResult insert(PQexecParams(connection_,
                                 "INSERT INTO state_changes (time_us, vantage, scope, subject, from_state, to_state, reason) "
                                 "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                 7, nullptr, params, nullptr, nullptr, 0));
    if (insert.status() != PGRES_COMMAND_OK) return fail(insert.result, "insert state change");
  }
  // The documents carry every field; the columns beside them are for queries (by time, by
  // hand), and keep the start and end to the microsecond.
  for (const Event& event : events) {
    const std::string scope(to_string(event.scope)), layer = event.layer ? std::string(to_string(*event.layer)) : std::string();
    const std::string start = std::to_string(micros(event.start)),
                      end = event.end ? std::to_string(micros(*event.end)) : std::string();
    const std::string peak_stress = std::to_string(event.peak_stress), peak_loss = std::to_string(event.peak_loss),
                      document = event_to_json(event);
    const std::string kind(to_string(event.kind)), signature(to_string(event.signature));
    const char* params[10] = {event.id.c_str(),    scope.c_str(),     event.layer ? layer.c_str() : nullptr,
                              kind.c_str(),        start.c_str(),     event.end ? end.c_str() : nullptr,
                              peak_stress.c_str(), peak_loss.c_str(), signature.c_str(),
                              document.c_str()};
    PgResult upsert(PQexecParams(
        connection_,
        "INSERT INTO events (id, scope, layer, kind, start_us, end_us, peak_stress, peak_loss, signature, document) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, start_us = excluded.start_us, end_us = excluded.end_us, "
        "peak_stress = excluded.peak_stress, peak_loss = excluded.peak_loss, signature = excluded.signature, "
        "document = excluded.document",
        10, nullptr, params, nullptr, nullptr, 0));
    if (upsert.status() != PGRES_COMMAND_OK) return fail(upsert.result, "upsert event");
  }
  for (const Wave& wave : waves) {
    const std::string start = std::to_string(micros(wave.start)),
                      end = wave.end ? std::to_string(micros(*wave.end)) : std::string();
    const std::string document = wave_to_json(wave);
    const char* params[4] = {wave.id.c_str(), start.c_str(), wave.end ? end.c_str() : nullptr, document.c_str()};
    PgResult upsert(PQexecParams(
        connection_,
        "INSERT INTO waves (id, start_us, end_us, document) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (id) DO UPDATE SET start_us = excluded.start_us, end_us = excluded.end_us, document = excluded.document",
        4, nullptr, params, nullptr, nullptr, 0));
    if (upsert.status() != PGRES_COMMAND_OK) return fail(upsert.result, "upsert wave");
  }
  PgResult commit(PQexec(connection_, "COMMIT"));
  if (commit.status() != PGRES_COMMAND_OK) return error_of(connection_, commit.result, "commit detection");
  return Done{};
}

namespace {

// Rows of (id, start_us, end_us, document) of the events or waves that meet the query.
PGresult* select_detection(PGconn* connection, const char* table, const EventQuery& query) {
  const std::string from = std::to_string(query.from ? micros(*query.from) : INT64_MIN),
                    to = std::to_string(query.to ? micros(*query.to) : INT64_MAX);
  const char* params[2] = {from.c_str(), to.c_str()};
  const std::string sql = std::string("SELECT id, start_us, end_us, document FROM ") + table +
                          " WHERE start_us < $2 AND (end_us IS NULL OR end_us >= $1) ORDER BY start_us, id";
  return PQexecParams(connection, sql.c_str(), 2, nullptr, params, nullptr, nullptr, 0);
}

std::optional<Timestamp> time_at(PGresult* rows, int row, int column) {
  if (PQgetisnull(rows, row, column)) return std::nullopt;
  return Timestamp{std::chrono::microseconds(std::strtoll(PQgetvalue(rows, row, column), nullptr, 10))};
}

}  // namespace

// Events and waves are read alike: the document, with the start and end from their columns.
template <typename Record>
StoreResult<std::vector<Record>> PostgresStore::read_detection(const char* table, const char* noun,
                                                               Expected<Record> (*parse)(std::string_view),
                                                               const EventQuery& query) {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  PgResult rows(select_detection(connection_, table, query));
  if (rows.status() != PGRES_TUPLES_OK) return error_of(connection_, rows.result, redacted_url_ + ": reading table " + table);
  std::vector<Record> out;
  for (int row = 0; row < PQntuples(rows.result); ++row) {
    auto record = parse(text_at(rows.result, row, 3));
    if (!record)
      return StoreError{StoreError::Kind::corrupt, redacted_url_ + ": table " + table + ": the document of " +
                                                       blackout::quoted(text_at(rows.result, row, 0)) + " does not read as " +
                                                       noun + " (" + record.error().message + ")"};
    record->start = time_at(rows.result, row, 1).value_or(Timestamp{});
    record->end = time_at(rows.result, row, 2);
    out.push_back(std::move(*record));
  }
  return out;
}

StoreResult<std::vector<Event>> PostgresStore::read_events(const EventQuery& query) {
  return read_detection("events", "an event", &event_from_json, query);
}

StoreResult<std::vector<Wave>> PostgresStore::read_waves(const EventQuery& query) {
  return read_detection("waves", "a wave", &wave_from_json, query);
}

StoreResult<std::vector<Target>> PostgresStore::current_targets() {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  PgResult rows(PQexec(connection_,
                       "SELECT definition, vantage, name FROM config_targets WHERE valid_to_us IS NULL ORDER BY vantage, name"));
  if (rows.status() != PGRES_TUPLES_OK)
    return error_of(connection_, rows.result, redacted_url_ + ": reading table config_targets");
  std::vector<Target> out;
  std::set<std::string> seen;
  for (int row = 0; row < PQntuples(rows.result); ++row) {
    // A definition that does not read is damage, not a target to leave out silently.
    auto target = target_from_definition(text_at(rows.result, row, 0));
    if (!target)
      return StoreError{StoreError::Kind::corrupt, redacted_url_ + ": table config_targets: the definition of " +
                                                       blackout::quoted(text_at(rows.result, row, 2)) + " (vantage " +
                                                       blackout::quoted(text_at(rows.result, row, 1)) +
                                                       ") does not read as a target"};
    if (seen.insert(target->name).second) out.push_back(std::move(*target));
  }
  return out;
}

StoreResult<std::int64_t> PostgresStore::count_results(const ResultQuery& query) {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  const QueryParams params(query);
  const std::string sql = std::string("SELECT count(*) FROM results r JOIN series s ON s.id = r.series") + filter;
  PgResult count(PQexecParams(connection_, sql.c_str(), 4, nullptr, params.values, nullptr, nullptr, 0));
  if (count.status() != PGRES_TUPLES_OK || PQntuples(count.result) != 1)
    return error_of(connection_, count.result, redacted_url_ + ": reading table results");
  return static_cast<std::int64_t>(std::strtoll(PQgetvalue(count.result, 0, 0), nullptr, 10));
}

StoreResult<std::vector<Rollup>> PostgresStore::read_rollups(const ResultQuery& query) {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  const QueryParams params(query);
  PgResult rows(PQexecParams(
      connection_,
      "SELECT r.minute_us, s.vantage, s.target, s.check_id, s.kind, r.count, r.successes, r.rtt_min_us, r.rtt_median_us, "
      "r.rtt_p95_us, r.rtt_max_us FROM rollups r JOIN series s ON s.id = r.series WHERE r.minute_us >= $1 AND "
      "r.minute_us < $2 AND ($3::text IS NULL OR s.vantage = $3) AND ($4::text IS NULL OR s.target = $4) "
      "ORDER BY r.minute_us, s.vantage, s.target, s.check_id",
      4, nullptr, params.values, nullptr, nullptr, 0));
  if (rows.status() != PGRES_TUPLES_OK) return error_of(connection_, rows.result, redacted_url_ + ": reading table rollups");
  std::vector<Rollup> out;
  for (int row = 0; row < PQntuples(rows.result); ++row) {
    Rollup r;
    r.minute = Timestamp{Duration{std::strtoll(PQgetvalue(rows.result, row, 0), nullptr, 10)}};
    r.vantage = text_at(rows.result, row, 1);
    r.target = text_at(rows.result, row, 2);
    r.check = text_at(rows.result, row, 3);
    const auto kind = check_kind_from_string(text_at(rows.result, row, 4));
    if (!kind)
      return StoreError{StoreError::Kind::corrupt, redacted_url_ + ": table series: a series with an unknown check kind"};
    r.kind = *kind;
    r.count = std::strtoll(PQgetvalue(rows.result, row, 5), nullptr, 10);
    r.successes = std::strtoll(PQgetvalue(rows.result, row, 6), nullptr, 10);
    r.rtt_min = duration_at(rows.result, row, 7);
    r.rtt_median = duration_at(rows.result, row, 8);
    r.rtt_p95 = duration_at(rows.result, row, 9);
    r.rtt_max = duration_at(rows.result, row, 10);
    out.push_back(std::move(r));
  }
  return out;
}

StoreResult<std::vector<std::string>> PostgresStore::vantages() {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  PgResult rows(PQexec(connection_, "SELECT DISTINCT vantage FROM series ORDER BY vantage"));
  if (rows.status() != PGRES_TUPLES_OK) return error_of(connection_, rows.result, redacted_url_ + ": reading table series");
  std::vector<std::string> out;
  for (int row = 0; row < PQntuples(rows.result); ++row) out.push_back(text_at(rows.result, row, 0));
  return out;
}

StoreResult<PruneStats> PostgresStore::prune(Timestamp raw_before, Timestamp rollups_before) {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  PruneStats stats;
  const auto batches = [&](const char* sql, Timestamp before, std::int64_t& total) -> StoreResult<Done> {
    const std::string value = std::to_string(micros(before));
    const char* params[1] = {value.c_str()};
    while (true) {
      PgResult del(PQexecParams(connection_, sql, 1, nullptr, params, nullptr, nullptr, 0));
      if (del.status() != PGRES_COMMAND_OK) return error_of(connection_, del.result, "prune");
      const std::int64_t changed = std::strtoll(PQcmdTuples(del.result), nullptr, 10);
      total += changed;
      if (changed == 0) return Done{};
    }
  };
  if (auto done = batches("DELETE FROM results WHERE ctid IN (SELECT ctid FROM results WHERE time_us < $1 LIMIT 5000)",
                          raw_before, stats.results);
      !done)
    return done.error();
  if (auto done = batches("DELETE FROM rollups WHERE ctid IN (SELECT ctid FROM rollups WHERE minute_us < $1 LIMIT 5000)",
                          rollups_before, stats.rollups);
      !done)
    return done.error();
  return stats;
}

StoreResult<std::string> PostgresStore::integrity_check() {
  if (auto connected = ensure_connected(); !connected) return connected.error();
  // PostgreSQL keeps its own files consistent; what we can check is that our tables answer.
  PgResult check(PQexec(connection_, "SELECT count(*) FROM series"));
  if (check.status() != PGRES_TUPLES_OK) return error_of(connection_, check.result, "integrity check");
  return std::string("ok");
}

}  // namespace blackout
