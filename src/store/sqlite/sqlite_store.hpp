// The SQLite store: one file in WAL mode, batched transactions, prepared statements, and an
// in-memory map from series (vantage, target, check) to their row number.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace blackout {

class SqliteStore final : public Store {
 public:
  static StoreResult<std::unique_ptr<Store>> open(const std::string& path, StoreAccess access);
  ~SqliteStore() override;

  [[nodiscard]] std::string describe() const override { return "sqlite:" + path_; }
  [[nodiscard]] int schema_version() const override { return version_; }
  StoreResult<Done> write_results(std::span<const Result> results) override;
  StoreResult<Done> write_rollups(std::span<const Rollup> rollups) override;
  StoreResult<Done> write_config(const Config& config, Timestamp at) override;
  StoreResult<Done> write_detection(std::span<const StateChange> changes, std::span<const Event> events,
                                    std::span<const Wave> waves) override;
  StoreResult<std::vector<Event>> read_events(const EventQuery& query) override;
  StoreResult<std::vector<Wave>> read_waves(const EventQuery& query) override;
  StoreResult<std::vector<Target>> current_targets() override;
  StoreResult<std::int64_t> read_results(const ResultQuery& query, const std::function<bool(Result&&)>& each) override;
  StoreResult<std::vector<Rollup>> read_rollups(const ResultQuery& query) override;
  StoreResult<std::int64_t> count_results(const ResultQuery& query) override;
  StoreResult<std::vector<std::string>> vantages() override;
  StoreResult<PruneStats> prune(Timestamp raw_before, Timestamp rollups_before) override;
  StoreResult<std::string> integrity_check() override;

 private:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  StoreError error(const std::string& what) const;
  StoreResult<Done> exec(const std::string& sql);
  StoreResult<Done> migrate();
  StoreResult<int> schema_version();
  StoreResult<std::int64_t> series_id(const std::string& vantage, const std::string& target, const std::string& check,
                                      CheckKind kind);
  // A cached statement in use: reset, and its bindings cleared, when it goes out of scope,
  // on every path. A SELECT left stepped keeps its read snapshot open; in WAL mode a
  // connection holding an old snapshot can never write again once another connection has
  // written ("database is locked" for good, whatever the busy timeout).
  class Statement {
   public:
    explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
    Statement(Statement&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;
    ~Statement();
    operator sqlite3_stmt*() const { return statement_; }  // NOLINT(google-explicit-constructor)

   private:
    sqlite3_stmt* statement_;
  };
  StoreResult<Statement> prepare(const char* sql);
  // Steps a read to its next row: true on a row, false at the end, or an error naming the
  // store file and the table. CORRUPT, BUSY, IOERR and the rest are never the end of the data.
  StoreResult<bool> next_row(sqlite3_stmt* statement, const char* table);
  template <typename Record>
  StoreResult<std::vector<Record>> read_detection(const char* table, const char* noun,
                                                  Expected<Record> (*parse)(std::string_view), const EventQuery& query);

  sqlite3* db_;
  std::string path_;
  int version_ = 0;
  std::unordered_map<std::string, std::int64_t> series_;
  // Prepared statements by their text (not by the address of the text: two texts built at
  // the same address one after the other would share a statement).
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace blackout
