// The versioned schema migrations of each backend, as files beside it
// (src/store/<backend>/migrations/NNN_name.sql), embedded into the program at build time.
#pragma once

#include <span>
#include <string_view>

namespace blackout {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> sqlite_migrations();
std::span<const Migration> postgres_migrations();

}  // namespace blackout
