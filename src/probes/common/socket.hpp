// Socket helpers shared by the check kinds: addresses to sockaddr and back, non-blocking
// sockets, and the mapping from socket errors to typed outcomes.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>

#include "model/address.hpp"
#include "model/outcome.hpp"

namespace blackout {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

SocketAddress to_sockaddr(const IpAddress& ip, std::uint16_t port);
std::optional<IpAddress> from_sockaddr(const sockaddr* address, socklen_t length, std::uint16_t* port = nullptr);
int family_of(const IpAddress& ip);

// A socket owned by one object, closed on destruction.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// The outcome a failed socket call's errno stands for, and its name for the detail text.
Outcome outcome_from_errno(int error);
std::string errno_name(int error);

// Closes a TCP socket with a reset instead of a FIN, so that a monitor probing at a high rate
// does not pile up connections in TIME_WAIT.
void set_reset_on_close(int fd);

}  // namespace blackout
