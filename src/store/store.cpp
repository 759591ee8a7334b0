// Opening a store by URL.
#include "store/store.hpp"

#include "config/values.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/files.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace blackout {

const char* to_string(StoreError::Kind kind) {
  switch (kind) {
    case StoreError::Kind::unavailable: return "unavailable";
    case StoreError::Kind::full: return "full";
    case StoreError::Kind::corrupt: return "corrupt";
    case StoreError::Kind::schema: return "schema";
    case StoreError::Kind::io: return "io";
  }
  return "?";
}

StoreResult<std::unique_ptr<Store>> open_store(const std::string& url, StoreAccess access) {
  const auto parsed = parse_store_url(url);
  if (!parsed) return StoreError{StoreError::Kind::io, parsed.error().message};
  if (parsed->kind == StoreUrl::Kind::sqlite) return SqliteStore::open(parsed->location, access);
  return PostgresStore::open(parsed->location, access);
}

namespace {

struct NoLock final : StoreLock {};

}  // namespace

StoreResult<std::unique_ptr<StoreLock>> lock_store_for_monitor(const std::string& url) {
  const auto parsed = parse_store_url(url);
  if (!parsed) return StoreError{StoreError::Kind::io, parsed.error().message};
  if (parsed->kind != StoreUrl::Kind::sqlite) return std::unique_ptr<StoreLock>(std::make_unique<NoLock>());
  auto lock = SqliteMonitorLock::acquire(parsed->location);
  if (!lock) return lock.error();
  return std::unique_ptr<StoreLock>(std::move(*lock));
}

StoreResult<Done> hand_store_files_to(const std::string& url, unsigned uid, unsigned gid) {
  const auto parsed = parse_store_url(url);
  if (!parsed) return StoreError{StoreError::Kind::io, parsed.error().message};
  if (parsed->kind != StoreUrl::Kind::sqlite) return Done{};
  return hand_sqlite_files_to(parsed->location, uid, gid);
}

}  // namespace blackout
