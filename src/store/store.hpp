// The store: one interface for results, rollups, configuration history, state changes and
// (later) events, with SQLite (the embedded default) and PostgreSQL (shared by many
// vantages) behind it. Both run the same test suite. Failures are values (a full disk, a
// database that is down), never exceptions; the writer above decides to retry or drop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "model/event.hpp"
#include "model/result.hpp"
#include "util/expected.hpp"

namespace blackout {

struct StoreError {
  enum class Kind : std::uint8_t {
    unavailable,  // cannot connect, or the connection broke: retry later
    full,         // no space left: retry later, say so loudly
    corrupt,      // the file or the data is not what it should be
    schema,       // a schema from a newer blackout, or a failed migration
    io,           // any other error from the database
  };
  Kind kind = Kind::io;
  std::string message;
};
const char* to_string(StoreError::Kind kind);

template <typename T>
using StoreResult = Expected<T, StoreError>;
struct Done {};

struct ResultQuery {
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // exclusive
  std::optional<std::string> vantage;
  std::optional<std::string> target;
  // In the order the results were written (how a live monitor saw them) rather than by the
  // time their probes were sent: replaying detection in this order gives the live events.
  bool arrival_order = false;
};

// Events or waves whose interval meets [from, to): begun before `to`, and still open or ended
// at or after `from`.
struct EventQuery {
  std::optional<Timestamp> from, to;
};

struct Rollup {
  Timestamp minute;
  std::string vantage, target, check;
  CheckKind kind = CheckKind::icmp;
  std::int64_t count = 0, successes = 0;
  std::optional<Duration> rtt_min, rtt_median, rtt_p95, rtt_max;
};

struct PruneStats {
  std::int64_t results = 0, rollups = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  [[nodiscard]] virtual std::string describe() const = 0;  // "sqlite:var/blackout.db" (no password)
  [[nodiscard]] virtual int schema_version() const = 0;

  // One transaction: all of them are stored, or none.
  virtual StoreResult<Done> write_results(std::span<const Result> results) = 0;
  // Adds or replaces the rollups of given minutes (upsert on series and minute).
  virtual StoreResult<Done> write_rollups(std::span<const Rollup> rollups) = 0;
  // Records the targets and checks of a config for a vantage; a target whose definition
  // changed gets a new row and the old one is closed, so history is kept.
  virtual StoreResult<Done> write_config(const Config& config, Timestamp at) = 0;

  // What detection concluded: state changes are appended; events and waves replace earlier
  // versions with the same id (kept as the JSON documents of docs/events.md, with their
  // start and end in columns of their own).
  virtual StoreResult<Done> write_detection(std::span<const StateChange> changes, std::span<const Event> events,
                                            std::span<const Wave> waves) = 0;
  // Events and waves read back, in order of start (then id), with their start and end to the
  // microsecond. A document that does not read is damage, said with the table and the id.
  virtual StoreResult<std::vector<Event>> read_events(const EventQuery& query) = 0;
  virtual StoreResult<std::vector<Wave>> read_waves(const EventQuery& query) = 0;
  // The targets each vantage is configured with now (from the configuration history).
  virtual StoreResult<std::vector<Target>> current_targets() = 0;

  // Results in time order; `each` returns false to stop early. Returns how many were read.
  virtual StoreResult<std::int64_t> read_results(const ResultQuery& query, const std::function<bool(Result&&)>& each) = 0;
  virtual StoreResult<std::vector<Rollup>> read_rollups(const ResultQuery& query) = 0;
  virtual StoreResult<std::int64_t> count_results(const ResultQuery& query) = 0;
  virtual StoreResult<std::vector<std::string>> vantages() = 0;

  // Deletes raw results older than raw_before and rollups older than rollups_before, in
  // small batches so that writers are never blocked for long.
  virtual StoreResult<PruneStats> prune(Timestamp raw_before, Timestamp rollups_before) = 0;
  // "ok", or what the database's own integrity check found.
  virtual StoreResult<std::string> integrity_check() = 0;
};

// How a store is opened. read_write creates and migrates as needed (the monitor, `bgp
// read --store`); read_only is for the commands that only read (export, analyze, report,
// serve, lab score): they create nothing, write nothing (no schema into an empty file, no
// switch to WAL of a file that is not a store) and never hold up a writer.
enum class StoreAccess : std::uint8_t { read_write, read_only };

// Opens the store a URL names: sqlite:PATH or postgresql://... A store written by a newer
// blackout is refused with a schema error. read_write refuses a store it cannot write (a
// read-only file or folder), a SQLite path that is a symbolic link, and one in a folder
// anyone may write to that has no sticky bit (docs/storage.md). read_only refuses a path
// that does not exist and a database that holds no blackout store.
StoreResult<std::unique_ptr<Store>> open_store(const std::string& url, StoreAccess access = StoreAccess::read_write);

// Held by a monitor for as long as it writes: a second monitor on the same SQLite file is
// refused, and told the process id of the first. Nothing for PostgreSQL, which many
// vantages share by design. Released when the object goes (or the process ends, however).
class StoreLock {
 public:
  virtual ~StoreLock() = default;
};
StoreResult<std::unique_ptr<StoreLock>> lock_store_for_monitor(const std::string& url);

// When root hands the monitor to an ordinary user: the SQLite files (the database, its WAL,
// shared memory and lock) become that user's, each changed through a descriptor opened
// without following symbolic links. Nothing for PostgreSQL.
StoreResult<Done> hand_store_files_to(const std::string& url, unsigned uid, unsigned gid);

}  // namespace blackout
