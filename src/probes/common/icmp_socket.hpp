// An ICMP socket for one address family: raw when the process has CAP_NET_RAW, else the
// kernel's unprivileged ICMP datagram socket when net.ipv4.ping_group_range allows it, else
// none (and the reason). Receives in batches with kernel timestamps and the reply's TTL.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "model/address.hpp"
#include "model/time.hpp"
#include "probes/common/icmp_packet.hpp"
#include "probes/common/socket.hpp"

namespace blackout {

class IcmpSocket {
 public:
  enum class Mode : std::uint8_t { raw, datagram, none };

  // Opens the socket; with allow_datagram false only a raw socket will do (traceroute needs
  // to see time-exceeded messages for other protocols, which datagram sockets do not get).
  IcmpSocket(bool v6, bool allow_datagram = true);

  [[nodiscard]] Mode mode() const { return mode_; }
  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] bool v6() const { return v6_; }
  [[nodiscard]] const std::string& unavailable_reason() const { return reason_; }

  // Sends an ICMP message (built by build_echo_request); ttl < 0 keeps the default. Returns 0
  // or the errno of the failure.
  int send(const IpAddress& destination, std::span<const std::uint8_t> message, int ttl = -1);

  struct Received {
    IcmpMessage message;
    Timestamp kernel_time;  // when the kernel received it (SO_TIMESTAMPNS); epoch 0 if unknown
  };
  // Keeps from this socket every echo reply whose id is outside [first_id, first_id + count):
  // a raw socket otherwise gets a copy of every ICMP message the host receives, including
  // replies meant for other pingers (or for another of our own loops). Errors still pass.
  // Returns false if the kernel refused the filter (then everything passes, as before).
  bool keep_only_ids(std::uint16_t first_id, std::uint16_t count);

  // Reads what is pending, up to 512 datagrams a call (the rest waits for the next turn of
  // the loop, which sees the socket still readable). Each parsed message goes to on_message;
  // each unparseable one to on_error. Returns how many datagrams were read.
  std::size_t receive(const std::function<void(const Received&)>& on_message,
                      const std::function<void(IcmpParseError)>& on_error);

 private:
  bool v6_;
  Mode mode_ = Mode::none;
  FileDescriptor fd_;
  std::string reason_;
  int current_ttl_ = -1;
};

}  // namespace blackout
