// One BGP-4 collector session on the EventLoop: opens (active) or accepts (passive) a TCP
// connection to one peer, negotiates (4-byte AS, IPv4/IPv6 unicast, route refresh, End-of-RIB
// awareness), never announces anything, and follows the peer's UPDATEs into a Rib. It runs
// the hold timer and keepalives, reports every state change with the reason the session went
// down, and reconnects with back-off. A lost session leaves the peer's paths in the Rib
// (marked by generation): they are withdrawn only if the peer, once back, does not announce
// them again before its End-of-RIB (or before stale_timeout) — a lost session is a signal of
// its own, not a withdrawn prefix.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/message.hpp"
#include "bgp/rib.hpp"
#include "engine/loop.hpp"
#include "model/address.hpp"
#include "util/expected.hpp"

namespace blackout::bgp {

// The numbers are those of RFC 4271 8.2.2 as MRT STATE_CHANGE records and bgpdump carry them.
enum class SessionState : std::uint8_t { idle = 1, connect = 2, active = 3, open_sent = 4, open_confirm = 5, established = 6 };
const char* to_string(SessionState state);

enum class DownReason : std::uint8_t {
  none,                   // not a session loss (e.g. Idle -> Connect)
  connect_failed,         // the TCP connection could not be made
  peer_closed,            // the peer closed or reset the connection
  hold_timer_expired,     // the peer went silent
  notification_received,  // the peer sent a NOTIFICATION (code/subcode in the change)
  malformed_message,      // the peer sent garbage; blackout answered with a NOTIFICATION
  open_rejected,          // the peer's OPEN was acceptable as bytes but not as a peer (wrong AS)
  stopped,                // stop() was called
};
const char* to_string(DownReason reason);

struct SessionChange {
  SessionState from = SessionState::idle;
  SessionState to = SessionState::idle;
  DownReason reason = DownReason::none;
  std::optional<NotificationMessage> notification;  // received or sent, with the reason
  std::string detail;
};

struct RouteEvent {
  bool withdrawn = false;
  NlriPrefix prefix;
  std::shared_ptr<const PathAttributes> attributes;  // announcements only
  bool stale = false;                                // a withdrawal because the peer did not announce it again after a reconnect
};

struct SessionConfig {
  IpAddress peer_address;
  std::uint16_t peer_port = 179;
  // Active: the source address (and port, 0 for any) to connect from; passive: where to
  // listen. An unset (all-zero IPv4) local address lets the kernel choose / listens on all.
  IpAddress local_address;
  std::uint16_t local_port = 0;
  bool passive = false;
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;                       // 0: accept whatever AS the peer says
  IpAddress router_id;                             // unset: the connection's local address (IPv4 sessions only)
  std::uint16_t hold_time = 90;                    // proposed; the smaller of the two OPENs' wins
  Duration open_wait = std::chrono::seconds(240);  // hold time before the OPENs agree one (RFC 4271 8)
  Duration connect_timeout = std::chrono::seconds(10);
  Duration retry_initial = std::chrono::seconds(1);    // back-off between attempts, doubling...
  Duration retry_max = std::chrono::seconds(60);       // ...up to this
  Duration stale_timeout = std::chrono::seconds(120);  // after Established, when no End-of-RIB came
};

struct SessionCounters {
  std::uint64_t connections = 0;  // TCP connections made or accepted
  std::uint64_t established = 0;
  std::uint64_t messages = 0;
  std::uint64_t updates = 0;
  std::uint64_t announcements = 0;
  std::uint64_t withdrawals = 0;
  std::uint64_t end_of_rib = 0;  // End-of-RIB markers received (one per family per session)
  std::uint64_t malformed = 0;
  std::uint64_t refused_connections = 0;  // passive: from the wrong address, or while busy
};

class Session {
 public:
  struct Handlers {
    std::function<void(const SessionChange&)> on_state;
    std::function<void(const RouteEvent&)> on_route;
  };

  Session(EventLoop& loop, SessionConfig config, Rib& rib, Handlers handlers);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Active: starts connecting. Passive: listens (the error says why it cannot).
  Expected<bool> start();
  // Sends a Cease NOTIFICATION when a session is up, closes everything, stays Idle.
  void stop();

  [[nodiscard]] SessionState state() const { return state_; }
  [[nodiscard]] const SessionCounters& counters() const { return counters_; }
  [[nodiscard]] const std::string& peer_key() const { return peer_key_; }   // "address:port" in the Rib
  [[nodiscard]] std::uint16_t listen_port() const { return listen_port_; }  // passive, once started
  [[nodiscard]] std::uint16_t negotiated_hold_time() const { return hold_time_; }
  [[nodiscard]] const std::optional<OpenMessage>& peer_open() const { return peer_open_; }
  // Established, and the peer has sent its whole table of the family (afi_ipv4, afi_ipv6):
  // its End-of-RIB came, or stale_timeout passed without one. Before that, a prefix missing
  // from the Rib may simply not have arrived yet.
  [[nodiscard]] bool table_complete(std::uint16_t afi) const;

 private:
  void connect_now();
  void on_connect_result();
  void on_accept();
  void connected(int fd);
  void on_io(std::uint32_t events);
  void read_available();
  bool handle(const Message& message);
  void handle_update(const UpdateMessage& update);
  void send(const std::vector<std::uint8_t>& bytes);
  void flush();
  void set_state(SessionState to, DownReason reason = DownReason::none,
                 std::optional<NotificationMessage> notification = std::nullopt, std::string detail = {});
  void down(DownReason reason, std::optional<NotificationMessage> notification, std::string detail, bool send_notification);
  void close_connection();
  void schedule_retry();
  void restart_hold_timer(Duration hold);
  void schedule_keepalive();
  void sweep(std::uint16_t afi);
  void cancel_timer(TimerId& id);

  EventLoop& loop_;
  SessionConfig config_;
  Rib& rib_;
  Handlers handlers_;
  std::string peer_key_;
  SessionState state_ = SessionState::idle;
  SessionCounters counters_;
  bool running_ = false;
  int fd_ = -1;
  int listen_fd_ = -1;
  std::uint16_t listen_port_ = 0;
  std::vector<std::uint8_t> in_;
  std::vector<std::uint8_t> out_;
  DecodeContext context_;
  std::uint16_t hold_time_ = 0;
  std::optional<OpenMessage> peer_open_;
  std::uint64_t generation_ = 0;
  bool table_complete_v4_ = false;
  bool table_complete_v6_ = false;
  Duration retry_delay_{};
  TimerId retry_timer_ = 0;
  TimerId connect_timer_ = 0;
  TimerId hold_timer_ = 0;
  TimerId keepalive_timer_ = 0;
  TimerId stale_timer_ = 0;
  // Cleared by the destructor: callbacks already queued on the loop check it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace blackout::bgp
