// smtp check.
#include "probes/smtp/smtp_probe.hpp"

#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "model/result_fields.hpp"
#include "util/strings.hpp"

namespace blackout {
namespace {

const char* stage_name(int stage) {
  static const char* names[] = {"connect", "banner", "ehlo", "starttls", "tls", "ehlo", "quit"};
  return names[stage];
}

std::string ehlo_keywords(const SmtpReply& reply) {
  std::string out;
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {  // the first line greets
    std::string keyword = reply.lines[i].substr(0, reply.lines[i].find(' '));
    if (keyword.empty()) continue;
    if (!out.empty()) out += ' ';
    out += printable(to_lower(keyword), 40);
  }
  return out;
}

}  // namespace

SmtpProbe::Session::~Session() {
  if (ssl) SSL_free(ssl);
}

SmtpProbe::SmtpProbe(EventLoop& loop) : loop_(loop), tls_context_(SSL_CTX_new(TLS_client_method())) {
  // A monitor asks whether STARTTLS works, not whom to trust: no verification here.
  SSL_CTX_set_verify(tls_context_, SSL_VERIFY_NONE, nullptr);
}

SmtpProbe::~SmtpProbe() {
  for (auto& [fd, session] : sessions_) {
    loop_.unwatch(fd);
    loop_.cancel(session.timer);
  }
  sessions_.clear();
  SSL_CTX_free(tls_context_);
}

std::span<const FieldSpec> SmtpProbe::fields() const { return fields_of(CheckKind::smtp); }

void SmtpProbe::start(const ProbeRequest& request, ProbeDone done) {
  const auto& params = std::get<SmtpParams>(request.check->params);
  ++sent_;
  const auto fail_now = [&](Outcome outcome, std::string detail) {
    Result r;
    r.outcome = outcome;
    r.detail = std::move(detail);
    loop_.post([done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
  };
  if (!request.address) return fail_now(Outcome::resolve_error, "the target has no address");
  const int fd = ::socket(family_of(*request.address), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_now(Outcome::network_error, "socket: " + errno_name(errno));
  set_reset_on_close(fd);
  const SocketAddress address = to_sockaddr(*request.address, params.port);
  if (::connect(fd, address.get(), address.length) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    ::close(fd);
    return fail_now(outcome_from_errno(error), "connect: " + errno_name(error));
  }
  Session& s = sessions_[fd];
  s.serial = ++serial_;
  s.fd.reset(fd);
  s.done = std::move(done);
  s.params = params;
  s.server_name = request.target->host;
  s.started = loop_.clock().now();
  s.timer = loop_.after(request.check->timeout, [this, fd] {
    auto it = sessions_.find(fd);
    if (it == sessions_.end()) return;
    ++timeouts_;
    const Session& session = it->second;
    std::string detail =
        session.stage == Stage::connect ? "no answer to the connection"
        : session.stage == Stage::banner
            ? (session.received == 0 ? "no banner"
                                     : "the banner was incomplete after " + std::to_string(session.received) + " bytes")
            : std::string("no answer at the ") + stage_name(static_cast<int>(session.stage)) + " stage";
    finish(fd, Outcome::timeout, detail);
  });
  loop_.watch(fd, io_writable | io_readable, [this, fd](std::uint32_t events) { on_event(fd, events); });
}

void SmtpProbe::send_line(int fd, Session& s, const std::string& line) {
  s.out += line + "\r\n";
  flush(fd, s);
}

void SmtpProbe::flush(int fd, Session& s) {
  while (!s.out.empty()) {
    const int n = s.ssl ? SSL_write(s.ssl, s.out.data(), static_cast<int>(s.out.size()))
                        : static_cast<int>(::send(fd, s.out.data(), s.out.size(), MSG_NOSIGNAL));
    if (n <= 0) break;
    s.out.erase(0, static_cast<std::size_t>(n));
  }
  loop_.modify(fd, io_readable | (s.out.empty() ? 0 : io_writable));
}

void SmtpProbe::handshake(int fd, Session& s) {
  const int rc = SSL_connect(s.ssl);
  if (rc == 1) {
    s.tls_time = loop_.clock().now() - s.tls_started;
    s.result.fields.push_back({"tls_version", std::string(SSL_get_version(s.ssl))});
    s.result.fields.push_back({"tls_cipher", std::string(SSL_get_cipher_name(s.ssl))});
    s.stage = Stage::ehlo_tls;
    send_line(fd, s, "EHLO " + s.params.ehlo_name);
    return;
  }
  const int error = SSL_get_error(s.ssl, rc);
  if (error == SSL_ERROR_WANT_READ) {
    loop_.modify(fd, io_readable);
    return;
  }
  if (error == SSL_ERROR_WANT_WRITE) {
    loop_.modify(fd, io_readable | io_writable);
    return;
  }
  char text[256] = "";
  ERR_error_string_n(ERR_get_error(), text, sizeof text);
  ++tls_errors_;
  finish(fd, Outcome::tls_error, std::string("TLS handshake failed: ") + (text[0] ? text : "the peer closed the connection"));
}

void SmtpProbe::on_event(int fd, std::uint32_t events) {
  auto it = sessions_.find(fd);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  if (s.stage == Stage::connect) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      if (error == ECONNREFUSED) ++refused_;
      else ++other_errors_;
      return finish(fd, outcome_from_errno(error), "connect: " + errno_name(error));
    }
    if (!(events & (io_writable | io_readable))) return;
    // A writable event can be stale (an earlier socket with the same number): only a
    // connected socket counts.
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return;
    s.connected = loop_.clock().now();
    s.result.phases.connect = s.connected - s.started;
    s.stage = Stage::banner;
    loop_.modify(fd, io_readable);
    if (!(events & io_readable)) return;
  }
  if (s.stage == Stage::tls) return handshake(fd, s);
  if (events & io_writable) flush(fd, s);
  if (!(events & (io_readable | io_error | io_hangup))) return;
  // One read per turn of the loop, then the replies it completed: a server that never
  // stops sending (a greeting line without end) is held to the parser's line and reply
  // limits after at most one buffer, and every other probe and timer runs in between.
  char buffer[8192];
  const int n = s.ssl ? SSL_read(s.ssl, buffer, sizeof buffer) : static_cast<int>(::recv(fd, buffer, sizeof buffer, 0));
  if (n > 0) {
    if (!s.first_byte) s.first_byte = loop_.clock().now() - s.connected;
    s.received += static_cast<std::size_t>(n);
    s.parser.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    if (!use_replies(fd, s)) return;
    // TLS may hold decrypted bytes the socket no longer signals: take them next turn.
    // (The serial tells this session from a later one given the same descriptor.)
    if (s.ssl && SSL_pending(s.ssl) > 0)
      loop_.post([this, fd, serial = s.serial] {
        if (const auto found = sessions_.find(fd); found != sessions_.end() && found->second.serial == serial)
          on_event(fd, io_readable);
      });
    return;
  }
  if (s.ssl) {
    const int error = SSL_get_error(s.ssl, n);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    return;
  }
  // Closed or broken: first use what did arrive.
  const int error = n < 0 && !s.ssl ? errno : 0;
  if (!use_replies(fd, s)) return;
  if (s.stage == Stage::quit) return finish(fd, Outcome::ok, "");
  ++other_errors_;
  return finish(fd, error ? outcome_from_errno(error) : Outcome::reset,
                std::string("the server closed the connection at the ") + stage_name(static_cast<int>(s.stage)) + " stage" +
                    (error ? ": " + errno_name(error) : ""));
}

bool SmtpProbe::use_replies(int fd, Session& s) {
  while (auto reply = s.parser.next()) {
    if (!*reply) {
      ++bad_replies_;
      finish(fd, Outcome::bad_reply,
             std::string("at the ") + stage_name(static_cast<int>(s.stage)) + " stage: " + to_string(reply->error()));
      return false;
    }
    advance(fd, s, **reply);
    if (sessions_.find(fd) == sessions_.end()) return false;
  }
  return true;
}

void SmtpProbe::advance(int fd, Session& s, const SmtpReply& reply) {
  const auto rejected = [&](const char* what) {
    ++rejected_;
    finish(fd, reply.code >= 400 ? Outcome::smtp_rejected : Outcome::bad_reply,
           std::string(what) + " answered " + std::to_string(reply.code) + " " +
               printable(reply.lines.empty() ? "" : reply.lines[0], 120));
  };
  switch (s.stage) {
    case Stage::banner:
      s.result.fields.push_back({"banner_code", std::int64_t{reply.code}});
      s.result.fields.push_back({"banner", printable(reply.lines.empty() ? "" : reply.lines[0], 200)});
      if (reply.code != 220) return rejected("the greeting");
      s.stage = Stage::ehlo;
      return send_line(fd, s, "EHLO " + s.params.ehlo_name);
    case Stage::ehlo: {
      s.result.fields.push_back({"ehlo_code", std::int64_t{reply.code}});
      if (reply.code != 250) return rejected("EHLO");
      const std::string keywords = ehlo_keywords(reply);
      const bool offered = (" " + keywords + " ").find(" starttls ") != std::string::npos;
      s.result.fields.push_back({"capabilities", keywords});
      s.result.fields.push_back({"starttls_offered", offered});
      if (!s.params.starttls) {
        s.stage = Stage::quit;
        return send_line(fd, s, "QUIT");
      }
      if (!offered) {
        // Asked for and not offered: the mail server no longer does what it should.
        ++rejected_;
        return finish(fd, Outcome::smtp_rejected, "STARTTLS was asked for but the server does not offer it");
      }
      s.stage = Stage::starttls;
      return send_line(fd, s, "STARTTLS");
    }
    case Stage::starttls:
      if (reply.code != 220) return rejected("STARTTLS");
      s.stage = Stage::tls;
      s.tls_started = loop_.clock().now();
      s.ssl = SSL_new(tls_context_);
      SSL_set_fd(s.ssl, fd);
      // The server's name, when the target has one, picks its certificate (SNI); an address
      // alone sends none, as mail servers' own clients do. (SSL_set_tlsext_host_name is a
      // macro with an old-style cast; this is what it does.)
      if (!s.server_name.empty())
        SSL_ctrl(s.ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(s.server_name.c_str()));
      return handshake(fd, s);
    case Stage::ehlo_tls:
      if (reply.code != 250) return rejected("EHLO over TLS");
      s.stage = Stage::quit;
      return send_line(fd, s, "QUIT");
    case Stage::quit: return finish(fd, Outcome::ok, "");
    case Stage::connect:
    case Stage::tls: return;
  }
}

void SmtpProbe::finish(int fd, Outcome outcome, std::string detail) {
  auto node = sessions_.extract(fd);
  if (node.empty()) return;
  Session& s = node.mapped();
  loop_.unwatch(fd);
  loop_.cancel(s.timer);
  Result result = std::move(s.result);
  result.outcome = outcome;
  result.detail = std::move(detail);
  result.fields.push_back({"stage", std::string(stage_name(static_cast<int>(s.stage)))});
  if (s.first_byte) result.phases.first_byte = s.first_byte;
  if (s.tls_time) result.phases.tls = s.tls_time;
  if (outcome == Outcome::ok) {
    ++ok_;
    result.rtt = loop_.clock().now() - s.started;
  }
  ProbeDone done = std::move(s.done);
  done(std::move(result));
}

std::vector<Counter> SmtpProbe::counters() const {
  return {{"sent", sent_},
          {"ok", ok_},
          {"timeouts", timeouts_},
          {"refused", refused_},
          {"rejected", rejected_},
          {"bad_replies", bad_replies_},
          {"tls_errors", tls_errors_},
          {"other_errors", other_errors_}};
}

}  // namespace blackout
