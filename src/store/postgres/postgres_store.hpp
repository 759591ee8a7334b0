// The PostgreSQL store, shared by many vantages: results go in with COPY, series rows are
// created with ON CONFLICT so that concurrent writers agree, migrations take an advisory
// lock, and a broken connection is reset on the next call.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/store.hpp"

struct pg_conn;

namespace blackout {

class PostgresStore final : public Store {
 public:
  static StoreResult<std::unique_ptr<Store>> open(const std::string& url, StoreAccess access);
  ~PostgresStore() override;

  [[nodiscard]] std::string describe() const override { return redacted_url_; }
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
  PostgresStore(pg_conn* connection, std::string url);
  StoreResult<Done> ensure_connected();
  template <typename Record>
  StoreResult<std::vector<Record>> read_detection(const char* table, const char* noun,
                                                  Expected<Record> (*parse)(std::string_view), const EventQuery& query);
  StoreResult<Done> migrate();
  // The schema version the database holds; 0 when it holds no blackout store.
  StoreResult<int> stored_version();
  StoreResult<std::int64_t> series_id(const std::string& vantage, const std::string& target, const std::string& check,
                                      CheckKind kind);

  pg_conn* connection_;
  std::string url_;
  std::string redacted_url_;
  int version_ = 0;
  std::unordered_map<std::string, std::int64_t> series_;
};

}  // namespace blackout
