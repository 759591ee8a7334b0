// tcp check: connect and classify.
#include "probes/tcp/tcp_probe.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "model/result_fields.hpp"
#include "probes/common/socket.hpp"

namespace blackout {

std::span<const FieldSpec> TcpProbe::fields() const { return fields_of(CheckKind::tcp); }

TcpProbe::~TcpProbe() {
  for (auto& [fd, session] : sessions_) {
    loop_.unwatch(fd);
    loop_.cancel(session.timer);
    ::close(fd);
  }
}

void TcpProbe::start(const ProbeRequest& request, ProbeDone done) {
  const auto& params = std::get<TcpParams>(request.check->params);
  ++sent_;
  const auto fail_now = [&](Outcome outcome, std::string detail) {
    Result result;
    result.outcome = outcome;
    result.detail = std::move(detail);
    result.fields.push_back({"port", std::int64_t{params.port}});
    loop_.post([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
  };
  if (!request.address) {
    ++other_errors_;
    return fail_now(Outcome::resolve_error, "the target has no address");
  }
  const int fd = ::socket(family_of(*request.address), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    const int error = errno;
    ++other_errors_;
    return fail_now(Outcome::network_error, "socket: " + errno_name(error));
  }
  set_reset_on_close(fd);
  const SocketAddress address = to_sockaddr(*request.address, params.port);
  const MonoTime started = loop_.clock().now();
  if (::connect(fd, address.get(), address.length) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    ::close(fd);
    const Outcome outcome = outcome_from_errno(error);
    outcome == Outcome::refused ? ++refused_ : ++other_errors_;
    return fail_now(outcome, "connect: " + errno_name(error));
  }
  Session& session = sessions_[fd];
  session.done = std::move(done);
  session.started = started;
  session.port = params.port;
  session.timer = loop_.after(request.check->timeout, [this, fd] {
    ++timeouts_;
    finish(fd, Outcome::timeout, "no answer to the connection attempt");
  });
  loop_.watch(fd, io_writable, [this, fd](std::uint32_t) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error == 0) {
      // A writable event can be stale (an earlier socket with the same number, closed in
      // this same turn): only a connected socket counts.
      sockaddr_storage peer{};
      socklen_t peer_length = sizeof peer;
      if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0 && errno == ENOTCONN) return;
      ++ok_;
      finish(fd, Outcome::ok, "");
    } else {
      const Outcome outcome = outcome_from_errno(error);
      if (outcome == Outcome::refused) ++refused_;
      else if (outcome == Outcome::unreachable_host || outcome == Outcome::unreachable_net ||
               outcome == Outcome::unreachable_admin)
        ++unreachable_;
      else ++other_errors_;
      finish(fd, outcome, "connect: " + errno_name(error));
    }
  });
}

void TcpProbe::finish(int fd, Outcome outcome, std::string detail) {
  auto node = sessions_.extract(fd);
  if (node.empty()) return;
  Session& session = node.mapped();
  loop_.unwatch(fd);
  loop_.cancel(session.timer);
  Result result;
  result.outcome = outcome;
  result.detail = std::move(detail);
  if (outcome == Outcome::ok || outcome == Outcome::refused) {
    // A refusal is an answer too: its round trip says the host is there.
    result.rtt = loop_.clock().now() - session.started;
    result.phases.connect = result.rtt;
  }
  result.fields.push_back({"port", std::int64_t{session.port}});
  sockaddr_storage local{};
  socklen_t local_length = sizeof local;
  std::uint16_t local_port = 0;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0)
    from_sockaddr(reinterpret_cast<sockaddr*>(&local), local_length, &local_port);
  result.fields.push_back({"local_port", std::int64_t{local_port}});
  ::close(fd);
  session.done(std::move(result));
}

std::vector<Counter> TcpProbe::counters() const {
  return {{"sent", sent_},
          {"ok", ok_},
          {"refused", refused_},
          {"timeouts", timeouts_},
          {"unreachable", unreachable_},
          {"other_errors", other_errors_}};
}

}  // namespace blackout
