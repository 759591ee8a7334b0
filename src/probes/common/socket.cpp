// Socket helpers.
#include "probes/common/socket.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/strings.hpp"

namespace blackout {

SocketAddress to_sockaddr(const IpAddress& ip, std::uint16_t port) {
  SocketAddress out;
  if (ip.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, ip.bytes.data(), 4);
    out.length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, ip.bytes.data(), 16);
    out.length = sizeof(sockaddr_in6);
  }
  return out;
}

std::optional<IpAddress> from_sockaddr(const sockaddr* address, socklen_t length, std::uint16_t* port) {
  IpAddress ip;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    ip.family = IpAddress::Family::v4;
    std::memcpy(ip.bytes.data(), &in->sin_addr, 4);
    if (port) *port = ntohs(in->sin_port);
    return ip;
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    ip.family = IpAddress::Family::v6;
    std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
    if (port) *port = ntohs(in6->sin6_port);
    return ip;
  }
  return std::nullopt;
}

int family_of(const IpAddress& ip) { return ip.is_v4() ? AF_INET : AF_INET6; }

void FileDescriptor::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Outcome outcome_from_errno(int error) {
  switch (error) {
    case 0: return Outcome::ok;
    case ECONNREFUSED: return Outcome::refused;
    case ECONNRESET:
    case EPIPE: return Outcome::reset;
    case ENETUNREACH:
    case ENETDOWN: return Outcome::unreachable_net;
    case EHOSTUNREACH:
    case EHOSTDOWN: return Outcome::unreachable_host;
    case EACCES:
    case EPERM: return Outcome::unreachable_admin;
    case ETIMEDOUT: return Outcome::timeout;
    default: return Outcome::network_error;
  }
}

std::string errno_name(int error) {
  switch (error) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EPIPE: return "EPIPE";
    case ENETUNREACH: return "ENETUNREACH";
    case ENETDOWN: return "ENETDOWN";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case EHOSTDOWN: return "EHOSTDOWN";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOBUFS: return "ENOBUFS";
    default: return "errno " + std::to_string(error) + " (" + errno_text(error) + ")";
  }
}

void set_reset_on_close(int fd) {
  linger option{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
}

}  // namespace blackout
