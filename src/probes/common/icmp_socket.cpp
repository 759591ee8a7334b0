// ICMP sockets: raw or datagram, batched receive.
#include "probes/common/icmp_socket.hpp"

#include <linux/filter.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace blackout {
namespace {

constexpr std::size_t batch = 64;
constexpr std::size_t datagram_size = 2048;
// Batches read per call: a flood of ICMP (a raw socket sees every message the host gets)
// cannot hold the loop; what is left is read on the next turn, with its kernel timestamps.
constexpr std::size_t max_batches_per_call = 8;

void enlarge_buffers(int fd) {
  // Sweeps of a whole country's space answer in bursts: a large receive buffer keeps the
  // kernel from dropping replies we would then call losses.
  const int size = 8 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
}

}  // namespace

IcmpSocket::IcmpSocket(bool v6, bool allow_datagram) : v6_(v6) {
  const int family = v6 ? AF_INET6 : AF_INET;
  const int protocol = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  int fd = ::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd >= 0) {
    mode_ = Mode::raw;
  } else {
    const int raw_error = errno;
    if (allow_datagram) fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd >= 0) {
      mode_ = Mode::datagram;
    } else {
      reason_ = raw_error == EPERM || raw_error == EACCES
                    ? std::string("needs CAP_NET_RAW") + (allow_datagram ? " (or a group in net.ipv4.ping_group_range)" : "")
                    : "cannot open an ICMP socket: " + errno_name(raw_error);
      return;
    }
  }
  fd_.reset(fd);
  enlarge_buffers(fd);
  if (v6) {
    const int one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
    if (mode_ == Mode::raw) {
      icmp6_filter filter;
      ICMP6_FILTER_SETBLOCKALL(&filter);
      ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
      ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
      ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filter);
      setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
    }
  } else if (mode_ == Mode::datagram) {
    const int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
  }
}

bool IcmpSocket::keep_only_ids(std::uint16_t first_id, std::uint16_t count) {
  if (mode_ != Mode::raw || count == 0) return false;
  // Ids wrap around 65535: compare (id - first_id) mod 2^16 against count.
  const std::uint32_t echo_reply = v6_ ? 129 : 0;
  const std::uint32_t keep = 0xffffffff, drop = 0;
  std::vector<sock_filter> code;
  if (v6_) {
    // Raw ICMPv6 sockets see the message without its IPv6 header.
    code.push_back(BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 0));
  } else {
    // X = length of the IPv4 header.
    code.push_back(BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0));
  }
  code.push_back(BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0));                  // A = type
  code.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, echo_reply, 1, 0));  // echo reply? check its id
  code.push_back(BPF_STMT(BPF_RET | BPF_K, keep));                        // anything else: keep
  code.push_back(BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4));                  // A = id
  code.push_back(BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, first_id));
  code.push_back(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xffff));
  code.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, count, 0, 1));
  code.push_back(BPF_STMT(BPF_RET | BPF_K, drop));
  code.push_back(BPF_STMT(BPF_RET | BPF_K, keep));
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  return setsockopt(fd_.get(), SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) == 0;
}

int IcmpSocket::send(const IpAddress& destination, std::span<const std::uint8_t> message, int ttl) {
  if (mode_ == Mode::none) return EPERM;
  if (ttl != current_ttl_) {
    const int value = ttl < 0 ? 64 : ttl;
    if (v6_) setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &value, sizeof value);
    else setsockopt(fd_.get(), IPPROTO_IP, IP_TTL, &value, sizeof value);
    current_ttl_ = ttl;
  }
  const SocketAddress address = to_sockaddr(destination, 0);
  const ssize_t sent = ::sendto(fd_.get(), message.data(), message.size(), 0, address.get(), address.length);
  if (sent < 0) return errno;
  return sent == static_cast<ssize_t>(message.size()) ? 0 : EMSGSIZE;
}

std::size_t IcmpSocket::receive(const std::function<void(const Received&)>& on_message,
                                const std::function<void(IcmpParseError)>& on_error) {
  if (mode_ == Mode::none) return 0;
  std::array<std::array<std::uint8_t, datagram_size>, batch> buffers;
  std::array<std::array<std::uint8_t, 256>, batch> controls;
  std::array<sockaddr_storage, batch> sources;
  std::array<iovec, batch> vectors;
  std::array<mmsghdr, batch> headers;
  std::size_t total = 0;
  for (std::size_t round = 0; round < max_batches_per_call; ++round) {
    for (std::size_t i = 0; i < batch; ++i) {
      vectors[i] = iovec{buffers[i].data(), buffers[i].size()};
      headers[i] = mmsghdr{};
      headers[i].msg_hdr.msg_name = &sources[i];
      headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      headers[i].msg_hdr.msg_iov = &vectors[i];
      headers[i].msg_hdr.msg_iovlen = 1;
      headers[i].msg_hdr.msg_control = controls[i].data();
      headers[i].msg_hdr.msg_controllen = controls[i].size();
    }
    const int n = ::recvmmsg(fd_.get(), headers.data(), batch, MSG_DONTWAIT, nullptr);
    if (n <= 0) break;
    for (int k = 0; k < n; ++k) {
      const auto i = static_cast<std::size_t>(k);
      const msghdr& header = headers[i].msg_hdr;
      Received received{};
      int ttl = -1;
      for (cmsghdr* c = CMSG_FIRSTHDR(const_cast<msghdr*>(&header)); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&header), c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts;
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          received.kernel_time = Timestamp{Duration{static_cast<Duration::rep>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000}};
        } else if ((c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) ||
                   (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)) {
          std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
        }
      }
      const std::span<const std::uint8_t> bytes(buffers[i].data(), std::min<std::size_t>(headers[i].msg_len, datagram_size));
      IcmpParseError error = IcmpParseError::too_short;
      std::optional<IcmpMessage> message;
      if (!v6_ && mode_ == Mode::raw) {
        message = parse_icmp_v4_packet(bytes, error);
      } else {
        const auto from = from_sockaddr(reinterpret_cast<const sockaddr*>(&sources[i]), header.msg_namelen);
        if (from) message = parse_icmp_message(v6_, bytes, *from, ttl, error);
      }
      if (message) {
        received.message = *message;
        on_message(received);
      } else {
        on_error(error);
      }
    }
    total += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < batch) break;
  }
  return total;
}

}  // namespace blackout
