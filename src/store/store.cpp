// Opening a store by URL.
#include "store/store.hpp"

#include "config/values.hpp"
#include "store/postgres/postgres_store.hpp"
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

StoreResult<std::unique_ptr<Store>> open_store(const std::string& url) {
  const auto parsed = parse_store_url(url);
  if (!parsed) return StoreError{StoreError::Kind::io, parsed.error().message};
  if (parsed->kind == StoreUrl::Kind::sqlite) return SqliteStore::open(parsed->location);
  return PostgresStore::open(parsed->location);
}

}  // namespace blackout
