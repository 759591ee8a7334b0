// The collector session's finite state machine (RFC 4271 8, reduced to what a speaker that
// never announces needs) over non-blocking sockets; see session.hpp.
#include "bgp/session.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/strings.hpp"

namespace blackout::bgp {
namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t max_reads_per_turn = 16;
// More unsent bytes than this means the peer stopped reading: we only ever send a few small
// messages, so this is a dead peer, not a slow one.
constexpr std::size_t max_pending_output = 64 * 1024;

socklen_t to_sockaddr(const IpAddress& address, std::uint16_t port, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (address.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, address.bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  std::memcpy(&in6->sin6_addr, address.bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

IpAddress from_sockaddr(const sockaddr_storage& in) {
  IpAddress out;
  if (in.ss_family == AF_INET) {
    std::memcpy(out.bytes.data(), &reinterpret_cast<const sockaddr_in*>(&in)->sin_addr, 4);
  } else {
    out.family = IpAddress::Family::v6;
    std::memcpy(out.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(&in)->sin6_addr, 16);
  }
  return out;
}

bool is_unset(const IpAddress& address) {
  return std::all_of(address.bytes.begin(), address.bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::string call_failed(const char* what, int error) { return std::string(what) + ": " + errno_text(error); }

}  // namespace

const char* to_string(SessionState state) {
  switch (state) {
    case SessionState::idle: return "Idle";
    case SessionState::connect: return "Connect";
    case SessionState::active: return "Active";
    case SessionState::open_sent: return "OpenSent";
    case SessionState::open_confirm: return "OpenConfirm";
    case SessionState::established: return "Established";
  }
  return "?";
}

const char* to_string(DownReason reason) {
  switch (reason) {
    case DownReason::none: return "none";
    case DownReason::connect_failed: return "connect-failed";
    case DownReason::peer_closed: return "peer-closed";
    case DownReason::hold_timer_expired: return "hold-timer-expired";
    case DownReason::notification_received: return "notification-received";
    case DownReason::malformed_message: return "malformed-message";
    case DownReason::open_rejected: return "open-rejected";
    case DownReason::stopped: return "stopped";
  }
  return "?";
}

Session::Session(EventLoop& loop, SessionConfig config, Rib& rib, Handlers handlers)
    : loop_(loop), config_(std::move(config)), rib_(rib), handlers_(std::move(handlers)) {
  peer_key_ = config_.peer_address.to_string() + ":" + std::to_string(config_.peer_port);
  retry_delay_ = config_.retry_initial;
}

Session::~Session() {
  *alive_ = false;
  running_ = false;
  close_connection();
  for (TimerId* timer : {&retry_timer_, &connect_timer_, &stale_timer_}) cancel_timer(*timer);
  if (listen_fd_ >= 0) {
    loop_.unwatch(listen_fd_);
    ::close(listen_fd_);
  }
}

Expected<bool> Session::start() {
  if (is_unset(config_.router_id) && !config_.peer_address.is_v4())
    return make_error("an IPv6 session needs a router id (an IPv4 address); there is no IPv4 local address to take it from");
  running_ = true;
  if (!config_.passive) {
    connect_now();
    return true;
  }
  sockaddr_storage address{};
  const socklen_t length = to_sockaddr(config_.local_address, config_.local_port, address);
  listen_fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return make_error(call_failed("socket", errno));
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(listen_fd_, 4) != 0) {
    const int error = errno;
    ::close(listen_fd_);
    listen_fd_ = -1;
    return make_error(call_failed(
        ("listening on " + config_.local_address.to_string() + " port " + std::to_string(config_.local_port)).c_str(), error));
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  listen_port_ = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                                  : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  loop_.watch(listen_fd_, io_readable, [this](std::uint32_t) { on_accept(); });
  set_state(SessionState::active);
  return true;
}

void Session::stop() {
  if (!running_) return;
  running_ = false;
  cancel_timer(retry_timer_);
  cancel_timer(stale_timer_);
  if (listen_fd_ >= 0) {
    loop_.unwatch(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  if (fd_ >= 0 && state_ >= SessionState::open_sent) {
    down(DownReason::stopped, NotificationMessage{notification_code::cease, 2, {}}, "stopped", true);
  } else {
    close_connection();
    if (state_ != SessionState::idle) set_state(SessionState::idle, DownReason::stopped);
  }
}

void Session::connect_now() {
  if (!running_) return;
  sockaddr_storage peer{};
  const socklen_t peer_length = to_sockaddr(config_.peer_address, config_.peer_port, peer);
  fd_ = ::socket(peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  set_state(SessionState::connect);
  if (fd_ < 0) {
    down(DownReason::connect_failed, std::nullopt, call_failed("socket", errno), false);
    return;
  }
  if (!is_unset(config_.local_address) || config_.local_port != 0) {
    sockaddr_storage local{};
    const socklen_t local_length = to_sockaddr(config_.local_address, config_.local_port, local);
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), local_length) != 0) {
      down(DownReason::connect_failed, std::nullopt, call_failed("bind", errno), false);
      return;
    }
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&peer), peer_length) != 0 && errno != EINPROGRESS) {
    down(DownReason::connect_failed, std::nullopt, call_failed("connect", errno), false);
    return;
  }
  loop_.watch(fd_, io_writable, [this](std::uint32_t) { on_connect_result(); });
  connect_timer_ = loop_.after(config_.connect_timeout, [this] {
    connect_timer_ = 0;
    down(DownReason::connect_failed, std::nullopt, "connect timed out", false);
  });
}

void Session::on_connect_result() {
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
  cancel_timer(connect_timer_);
  if (error != 0) {
    down(DownReason::connect_failed, std::nullopt, call_failed("connect", error), false);
    return;
  }
  const int fd = fd_;
  loop_.unwatch(fd);
  fd_ = -1;
  connected(fd);
}

void Session::on_accept() {
  for (;;) {
    sockaddr_storage from{};
    socklen_t length = sizeof from;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&from), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    // One session per peer: a connection from elsewhere, or a second one while this is
    // busy, is closed at once (the peer's collision handling will retry).
    if (from_sockaddr(from) != config_.peer_address || fd_ >= 0) {
      ++counters_.refused_connections;
      ::close(fd);
      continue;
    }
    connected(fd);
  }
}

void Session::connected(int fd) {
  fd_ = fd;
  ++counters_.connections;
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  in_.clear();
  out_.clear();
  context_ = DecodeContext{};
  peer_open_.reset();
  loop_.watch(fd_, io_readable, [this](std::uint32_t events) { on_io(events); });
  OpenMessage open;
  open.bgp_id = config_.router_id;
  if (is_unset(open.bgp_id)) {
    // No router id configured: the connection's own IPv4 address is one that is ours.
    sockaddr_storage local{};
    socklen_t local_length = sizeof local;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &local_length);
    open.bgp_id = from_sockaddr(local);
  }
  open.my_as =
      config_.local_as > 0xffff ? static_cast<std::uint16_t>(as_trans_number) : static_cast<std::uint16_t>(config_.local_as);
  open.hold_time = config_.hold_time;
  open.capabilities.multiprotocol = {AddressFamily{afi_ipv4, 1}, AddressFamily{afi_ipv6, 1}};
  open.capabilities.route_refresh = true;
  open.capabilities.graceful_restart = true;  // aware only: so that peers send End-of-RIB
  open.capabilities.four_octet_as = config_.local_as;
  set_state(SessionState::open_sent);
  send(encode_open(open));
  restart_hold_timer(config_.open_wait);
}

void Session::on_io(std::uint32_t events) {
  if ((events & io_writable) != 0) flush();
  if (fd_ < 0) return;
  if ((events & (io_readable | io_hangup | io_error)) != 0) read_available();
}

void Session::read_available() {
  const std::weak_ptr<bool> alive = alive_;
  // A bounded number of reads per turn of the loop: a peer that never stops sending (a full
  // table, or a stream of KEEPALIVEs) cannot hold it; the socket stays readable and the
  // rest is read on the next turn, after the timers and other sockets due.
  for (std::size_t reads = 0; reads < max_reads_per_turn; ++reads) {
    const std::size_t old_size = in_.size();
    in_.resize(old_size + read_chunk);
    const ssize_t got = ::recv(fd_, in_.data() + old_size, read_chunk, 0);
    in_.resize(old_size + (got > 0 ? static_cast<std::size_t>(got) : 0));
    if (got == 0) {
      down(DownReason::peer_closed, std::nullopt, "the peer closed the connection", false);
      return;
    }
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      down(DownReason::peer_closed, std::nullopt, call_failed("recv", errno), false);
      return;
    }
    // Decode what is complete now, so that the buffer stays bounded by one read chunk plus
    // one message, however much the peer sends.
    std::size_t consumed = 0;
    while (fd_ >= 0) {
      const std::span<const std::uint8_t> rest(in_.data() + consumed, in_.size() - consumed);
      auto length = frame_length(rest);
      if (!length) {
        ++counters_.malformed;
        down(DownReason::malformed_message, NotificationMessage{length.error().code, length.error().subcode, {}},
             length.error().describe(), true);
        return;
      }
      if (!*length || **length > rest.size()) break;
      auto message = decode_message(rest.first(**length), context_);
      consumed += **length;
      ++counters_.messages;
      if (!message) {
        ++counters_.malformed;
        down(DownReason::malformed_message, NotificationMessage{message.error().code, message.error().subcode, {}},
             message.error().describe(), true);
        return;
      }
      if (!handle(*message) || alive.expired()) return;
    }
    if (fd_ < 0) return;
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(consumed));
  }
}

bool Session::handle(const Message& message) {
  auto fsm_error = [&](const char* what) {
    down(DownReason::malformed_message, NotificationMessage{notification_code::fsm, 0, {}},
         std::string(what) + " in state " + to_string(state_), true);
    return false;
  };
  if (const auto* notification = std::get_if<NotificationMessage>(&message)) {
    down(DownReason::notification_received, *notification, notification_name(notification->code, notification->subcode), false);
    return false;
  }
  if (const auto* open = std::get_if<OpenMessage>(&message)) {
    if (state_ != SessionState::open_sent) return fsm_error("OPEN");
    if (config_.peer_as != 0 && open->asn() != config_.peer_as) {
      down(DownReason::open_rejected, NotificationMessage{notification_code::open_message, 2, {}},
           "peer says AS " + std::to_string(open->asn()) + ", expected " + std::to_string(config_.peer_as), true);
      return false;
    }
    peer_open_ = *open;
    context_.asn_size = open->capabilities.four_octet_as ? 4 : 2;
    hold_time_ = std::min(config_.hold_time, open->hold_time);
    send(encode_keepalive());
    set_state(SessionState::open_confirm);
    restart_hold_timer(std::chrono::seconds(hold_time_));
    return fd_ >= 0;
  }
  if (std::holds_alternative<KeepaliveMessage>(message)) {
    if (state_ == SessionState::open_confirm) {
      set_state(SessionState::established);
      ++counters_.established;
      ++generation_;
      table_complete_v4_ = table_complete_v6_ = false;
      retry_delay_ = config_.retry_initial;
      schedule_keepalive();
      cancel_timer(stale_timer_);
      stale_timer_ = loop_.after(config_.stale_timeout, [this] {
        stale_timer_ = 0;
        sweep(afi_ipv4);
        sweep(afi_ipv6);
      });
    } else if (state_ != SessionState::established) {
      return fsm_error("KEEPALIVE");
    }
    restart_hold_timer(std::chrono::seconds(hold_time_));
    return true;
  }
  if (const auto* update = std::get_if<UpdateMessage>(&message)) {
    if (state_ != SessionState::established) return fsm_error("UPDATE");
    restart_hold_timer(std::chrono::seconds(hold_time_));
    handle_update(*update);
    return true;
  }
  // ROUTE-REFRESH: we have nothing to send again.
  if (state_ != SessionState::established) return fsm_error("ROUTE-REFRESH");
  return true;
}

void Session::handle_update(const UpdateMessage& update) {
  ++counters_.updates;
  if (const auto family = end_of_rib(update)) {
    ++counters_.end_of_rib;
    sweep(family->afi);
    return;
  }
  for_each_route(
      update,
      [&](const NlriPrefix& prefix) {
        ++counters_.withdrawals;
        if (rib_.withdraw(peer_key_, prefix.prefix(), prefix.path_id) && handlers_.on_route)
          handlers_.on_route(RouteEvent{true, prefix, nullptr, false});
      },
      [&](const NlriPrefix& prefix, SharedAttributes& attributes) {
        ++counters_.announcements;
        rib_.announce(peer_key_, prefix.prefix(), prefix.path_id, attributes.shared(), generation_);
        if (handlers_.on_route) handlers_.on_route(RouteEvent{false, prefix, attributes.shared(), false});
      });
}

bool Session::table_complete(std::uint16_t afi) const {
  if (state_ != SessionState::established) return false;
  return afi == afi_ipv4 ? table_complete_v4_ : afi == afi_ipv6 ? table_complete_v6_ : false;
}

void Session::sweep(std::uint16_t afi) {
  if (afi == afi_ipv4) table_complete_v4_ = true;
  if (afi == afi_ipv6) table_complete_v6_ = true;
  for (const Prefix& prefix : rib_.sweep_stale(peer_key_, generation_, afi)) {
    if (handlers_.on_route) handlers_.on_route(RouteEvent{true, NlriPrefix{prefix.address, prefix.length, 0}, nullptr, true});
  }
}

void Session::send(const std::vector<std::uint8_t>& bytes) {
  out_.insert(out_.end(), bytes.begin(), bytes.end());
  flush();
}

void Session::flush() {
  while (fd_ >= 0 && !out_.empty()) {
    const ssize_t sent = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      out_.erase(out_.begin(), out_.begin() + sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (out_.size() > max_pending_output) {
        out_.clear();
        down(DownReason::peer_closed, std::nullopt, "the peer stopped reading", false);
        return;
      }
      loop_.modify(fd_, io_readable | io_writable);
      return;
    }
    out_.clear();
    // The connection is gone; the read side will tell why (or already has).
    down(DownReason::peer_closed, std::nullopt, call_failed("send", errno), false);
    return;
  }
  if (fd_ >= 0) loop_.modify(fd_, io_readable);
}

void Session::set_state(SessionState to, DownReason reason, std::optional<NotificationMessage> notification, std::string detail) {
  if (to == state_ && reason == DownReason::none) return;
  SessionChange change{state_, to, reason, std::move(notification), std::move(detail)};
  state_ = to;
  if (handlers_.on_state) handlers_.on_state(change);
}

void Session::down(DownReason reason, std::optional<NotificationMessage> notification, std::string detail,
                   bool send_notification) {
  if (send_notification && notification && fd_ >= 0 && state_ >= SessionState::open_sent) {
    // Best effort, one try: the connection is closed right after.
    const auto bytes = encode_notification(*notification);
    (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  close_connection();
  // The peer's paths stay in the Rib: whether they are still there is for the peer to say
  // when it comes back (see sweep()), not for a timer to decide while it is away.
  cancel_timer(stale_timer_);
  set_state(SessionState::idle, reason, std::move(notification), std::move(detail));
  if (!running_) return;
  if (config_.passive) {
    set_state(SessionState::active);
  } else {
    schedule_retry();
  }
}

void Session::close_connection() {
  for (TimerId* timer : {&connect_timer_, &hold_timer_, &keepalive_timer_}) cancel_timer(*timer);
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  in_.clear();
  out_.clear();
}

void Session::schedule_retry() {
  cancel_timer(retry_timer_);
  retry_timer_ = loop_.after(retry_delay_, [this] {
    retry_timer_ = 0;
    connect_now();
  });
  retry_delay_ = std::min(retry_delay_ * 2, config_.retry_max);
}

void Session::restart_hold_timer(Duration hold) {
  cancel_timer(hold_timer_);
  if (hold <= Duration::zero()) return;  // hold time 0: neither side expects keepalives
  hold_timer_ = loop_.after(hold, [this] {
    hold_timer_ = 0;
    down(DownReason::hold_timer_expired, NotificationMessage{notification_code::hold_timer_expired, 0, {}},
         "nothing heard within the hold time", true);
  });
}

void Session::schedule_keepalive() {
  cancel_timer(keepalive_timer_);
  if (hold_time_ == 0) return;
  const Duration interval = std::max<Duration>(std::chrono::seconds(hold_time_) / 3, std::chrono::seconds(1));
  keepalive_timer_ = loop_.after(interval, [this] {
    keepalive_timer_ = 0;
    send(encode_keepalive());
    if (fd_ >= 0) schedule_keepalive();
  });
}

void Session::cancel_timer(TimerId& id) {
  if (id != 0) loop_.cancel(id);
  id = 0;
}

}  // namespace blackout::bgp
