// SQLite store files: where they may be, who owns them, and the monitor's lock.
#include "store/sqlite/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "util/strings.hpp"

namespace blackout {
namespace {

StoreError failure(StoreError::Kind kind, std::string message) { return StoreError{kind, std::move(message)}; }

std::string parent_of(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// "1234 (blackout)" from a lock file's text, or what can be said without it.
std::string describe_holder(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  const long pid = n > 0 ? std::strtol(text, nullptr, 10) : 0;
  if (pid <= 0) return "another process (it has not written its pid yet)";
  std::string name;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::getline(comm, name);
  return "process " + std::to_string(pid) + (name.empty() ? "" : " (" + name + ")");
}

}  // namespace

std::vector<std::string> sqlite_store_files(const std::string& path) {
  return {path, path + "-wal", path + "-shm", path + "-journal", path + "-lock"};
}

StoreResult<Done> check_sqlite_location(const std::string& path) {
  for (const std::string& file : sqlite_store_files(path)) {
    struct stat info {};
    if (::lstat(file.c_str(), &info) != 0) {
      if (errno == ENOENT) continue;
      return failure(StoreError::Kind::io, file + ": " + errno_text(errno));
    }
    if (S_ISLNK(info.st_mode))
      return failure(StoreError::Kind::io, file +
                                               " is a symbolic link: a store's files are never opened through one (another user "
                                               "could point it at someone else's file); give the real path");
    if (!S_ISREG(info.st_mode)) return failure(StoreError::Kind::io, file + " is not a regular file");
  }
  const std::string parent = parent_of(path);
  struct stat folder {};
  if (::stat(parent.c_str(), &folder) == 0 && (folder.st_mode & S_IWOTH) != 0 && (folder.st_mode & S_ISVTX) == 0)
    return failure(StoreError::Kind::io,
                   "the folder " + parent + " of " + path +
                       " may be written by anyone and has no sticky bit: another user could replace the store's "
                       "files; keep the store in a folder of its own (or set the sticky bit, chmod +t)");
  return Done{};
}

StoreResult<Done> check_sqlite_writable(const std::string& path) {
  const std::string parent = parent_of(path);
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    return failure(StoreError::Kind::io, "the folder " + parent + " cannot be written (" + errno_text(errno) +
                                             "): SQLite keeps " + path + "-wal and " + path + "-shm beside the store");
  if (::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), W_OK) != 0)
    return failure(StoreError::Kind::io, path + " cannot be written (" + std::string(errno_text(errno)) + ")");
  return Done{};
}

StoreResult<Done> hand_sqlite_files_to(const std::string& path, unsigned uid, unsigned gid) {
  for (const std::string& file : sqlite_store_files(path)) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      if (errno == ELOOP) return failure(StoreError::Kind::io, file + " is a symbolic link: not handed to another user");
      return failure(StoreError::Kind::io, file + ": " + errno_text(errno));
    }
    struct stat info {};
    const bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
    const int changed = regular ? ::fchown(fd, uid, gid) : 0;
    const int error = errno;
    ::close(fd);
    if (!regular) return failure(StoreError::Kind::io, file + " is not a regular file: not handed to another user");
    if (changed != 0) return failure(StoreError::Kind::io, file + ": chown: " + errno_text(error));
  }
  return Done{};
}

StoreResult<std::unique_ptr<SqliteMonitorLock>> SqliteMonitorLock::acquire(const std::string& store_path) {
  if (auto safe = check_sqlite_location(store_path); !safe) return safe.error();
  std::error_code ignored;
  std::filesystem::create_directories(parent_of(store_path), ignored);
  // A folder the monitor cannot write is told as such, not as a lock that cannot be made.
  if (auto writable = check_sqlite_writable(store_path); !writable) return writable.error();
  const std::string lock_path = store_path + "-lock";
  // Read-write to write our pid; read-only still locks a file another user made.
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  const bool writable = fd >= 0;
  if (fd < 0 && errno == EACCES) fd = ::open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return failure(StoreError::Kind::io, "cannot open the lock " + lock_path + ": " + errno_text(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = error == EWOULDBLOCK ? describe_holder(fd) : "";
    ::close(fd);
    if (error == EWOULDBLOCK)
      return failure(StoreError::Kind::unavailable, store_path + " is in use by another monitor, " + holder + ", which holds " +
                                                        lock_path + "; one monitor writes to a store file");
    return failure(StoreError::Kind::io, "cannot lock " + lock_path + ": " + errno_text(error));
  }
  // Without the pid the lock still holds: a second monitor is refused, only told less.
  if (writable && ::ftruncate(fd, 0) == 0) {
    const std::string pid = std::to_string(::getpid()) + "\n";
    (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return std::unique_ptr<SqliteMonitorLock>(new SqliteMonitorLock(fd));
}

SqliteMonitorLock::~SqliteMonitorLock() { ::close(fd_); }

}  // namespace blackout
