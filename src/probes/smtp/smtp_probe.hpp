// smtp: connect, read the greeting, EHLO and its capabilities, optionally STARTTLS with a
// TLS handshake (OpenSSL, non-blocking on the loop) and EHLO again, then QUIT — a state
// machine bounded by the check's timeout, never trusting the peer's bytes.
#pragma once

#include <openssl/ssl.h>

#include <unordered_map>

#include "engine/loop.hpp"
#include "engine/probe.hpp"
#include "probes/common/socket.hpp"
#include "probes/smtp/reply.hpp"

namespace blackout {

class SmtpProbe final : public Probe {
 public:
  explicit SmtpProbe(EventLoop& loop);
  ~SmtpProbe() override;
  [[nodiscard]] CheckKind kind() const override { return CheckKind::smtp; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override;
  void start(const ProbeRequest& request, ProbeDone done) override;
  [[nodiscard]] std::vector<Counter> counters() const override;

 private:
  enum class Stage : std::uint8_t { connect, banner, ehlo, starttls, tls, ehlo_tls, quit };
  struct Session {
    ProbeDone done;
    SmtpParams params;
    std::string server_name;  // the target's host name, for TLS SNI; empty: none
    Stage stage = Stage::connect;
    FileDescriptor fd;
    SSL* ssl = nullptr;
    MonoTime started, connected, tls_started;
    std::optional<Duration> first_byte, tls_time;
    TimerId timer = 0;
    SmtpReplyParser parser;
    std::string out;  // bytes still to send
    std::size_t received = 0;
    Result result;             // filled as the conversation goes
    std::uint64_t serial = 0;  // which session this is, whatever its descriptor
    ~Session();
  };
  void on_event(int fd, std::uint32_t events);
  void advance(int fd, Session& s, const SmtpReply& reply);
  // Acts on every complete reply buffered; false when the session ended (s is gone).
  bool use_replies(int fd, Session& s);
  void send_line(int fd, Session& s, const std::string& line);
  void flush(int fd, Session& s);
  void handshake(int fd, Session& s);
  void finish(int fd, Outcome outcome, std::string detail);

  EventLoop& loop_;
  SSL_CTX* tls_context_;
  std::unordered_map<int, Session> sessions_;
  std::uint64_t serial_ = 0;
  std::uint64_t sent_ = 0, ok_ = 0, timeouts_ = 0, refused_ = 0, rejected_ = 0, bad_replies_ = 0, tls_errors_ = 0,
                other_errors_ = 0;
};

}  // namespace blackout
