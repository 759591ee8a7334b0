// The files of a SQLite store on disk, guarded against the other users of the machine: a
// root monitor must not be pointed by a planted symbolic link at a file of root's, write a
// database over it and hand it to `nobody`. Also the one-monitor-per-file lock.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace blackout {

// The store and the files beside it: SQLite's write-ahead log and shared-memory index,
// its rollback journal (a store not yet in WAL mode), and the monitor's lock.
std::vector<std::string> sqlite_store_files(const std::string& path);

// Before a writer opens a store: refuses a store or companion file that is a symbolic link
// (or anything but a regular file), and a folder that anyone may write to without the
// sticky bit (there another user could replace the files between two opens).
StoreResult<Done> check_sqlite_location(const std::string& path);

// Before a writer opens a store: refuses a store whose file or folder it cannot write, so
// that a monitor says so at start instead of probing for a whole run and storing nothing.
StoreResult<Done> check_sqlite_writable(const std::string& path);

// Gives the store's existing files to uid:gid, each changed through a descriptor opened
// without following a symbolic link (O_NOFOLLOW, fchown): a link is refused, never followed.
StoreResult<Done> hand_sqlite_files_to(const std::string& path, unsigned uid, unsigned gid);

// An exclusive flock on PATH-lock, which holds the holder's process id: a second monitor on
// the same file is refused with the first one's pid. The file stays (removing it would let
// two monitors lock two different files of one name); the lock goes with the process.
class SqliteMonitorLock final : public StoreLock {
 public:
  static StoreResult<std::unique_ptr<SqliteMonitorLock>> acquire(const std::string& store_path);
  ~SqliteMonitorLock() override;
  SqliteMonitorLock(const SqliteMonitorLock&) = delete;
  SqliteMonitorLock& operator=(const SqliteMonitorLock&) = delete;

 private:
  explicit SqliteMonitorLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace blackout
