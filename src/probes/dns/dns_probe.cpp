// dns check.
#include "probes/dns/dns_probe.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "model/result_fields.hpp"
#include "util/strings.hpp"

namespace blackout {

std::span<const FieldSpec> DnsProbe::fields() const { return fields_of(CheckKind::dns); }

DnsProbe::~DnsProbe() {
  for (auto& [key, session] : sessions_) {
    loop_.cancel(session.timer);
    if (session.udp.valid()) loop_.unwatch(session.udp.get());
    if (session.tcp.valid()) loop_.unwatch(session.tcp.get());
  }
}

void DnsProbe::start(const ProbeRequest& request, ProbeDone done) {
  const auto& params = std::get<DnsParams>(request.check->params);
  const std::uint64_t key = next_key_++;
  Session& session = sessions_[key];
  session.done = std::move(done);
  session.params = params;
  session.started = loop_.clock().now();
  session.id = static_cast<std::uint16_t>(random_.next());
  ++sent_;
  const auto server = params.server ? params.server : request.address;
  if (!server) {
    loop_.post([this, key] { fail(key, Outcome::resolve_error, "the target has no address and the check names no server"); });
    return;
  }
  session.server = *server;
  session.timer = loop_.after(request.check->timeout, [this, key] {
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return;
    if (it->second.malformed > 0 && !it->second.over_tcp) {
      fail(key, Outcome::bad_reply,
           std::to_string(it->second.malformed) + " malformed answers and no good one: " + it->second.last_malformed);
    } else {
      ++timeouts_;
      const Session& waited = it->second;
      // Answers that did come but were not for this query are evidence (a forger, a server
      // confused about ids, a middlebox): say how many, not just "no answer".
      std::string ignored;
      if (waited.wrong_id > 0) ignored += std::to_string(waited.wrong_id) + " with a wrong id";
      if (waited.wrong_question > 0)
        ignored += (ignored.empty() ? "" : ", ") + std::to_string(waited.wrong_question) + " for another question";
      const std::string detail = waited.over_tcp ? "no complete answer over TCP" : "no answer";
      fail(key, Outcome::timeout, ignored.empty() ? detail : detail + " (ignored " + ignored + ")");
    }
  });
  session.query =
      build_dns_query(session.id, params.query, params.qtype, params.qclass, params.recursion_desired, params.tcp ? 0 : 1232);
  if (params.tcp) {
    loop_.post([this, key] { start_tcp(key); });
    return;
  }
  const int fd = ::socket(family_of(session.server), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const int error = errno;
    loop_.post([this, key, error] { fail(key, Outcome::network_error, "socket: " + errno_name(error)); });
    return;
  }
  session.udp.reset(fd);
  const SocketAddress address = to_sockaddr(session.server, params.port);
  if (::connect(fd, address.get(), address.length) != 0 || ::send(fd, session.query.data(), session.query.size(), 0) < 0) {
    const int error = errno;
    loop_.post([this, key, error] { fail(key, outcome_from_errno(error), "send: " + errno_name(error)); });
    return;
  }
  loop_.watch(fd, io_readable, [this, key](std::uint32_t) { on_udp(key); });
}

void DnsProbe::on_udp(std::uint64_t key) {
  // A bounded number of datagrams per turn: a flood of forged or stray answers cannot hold
  // the loop; the socket stays readable and the rest is read on the next turn.
  for (int read = 0; read < max_datagrams_per_turn; ++read) {
    auto it = sessions_.find(key);
    if (it == sessions_.end() || !it->second.udp.valid()) return;
    std::uint8_t buffer[65536];
    const ssize_t n = ::recv(it->second.udp.get(), buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      const int error = errno;
      if (error == ECONNREFUSED) ++refused_;
      return fail(key, outcome_from_errno(error), "recv: " + errno_name(error));
    }
    if (consider(key, std::span(buffer, static_cast<std::size_t>(n)))) return;
  }
}

bool DnsProbe::consider(std::uint64_t key, std::span<const std::uint8_t> bytes) {
  Session& s = sessions_.at(key);
  const auto parsed = parse_dns_response(bytes);
  if (!parsed) {
    ++malformed_;
    ++s.malformed;
    s.last_malformed = to_string(parsed.error());
    return false;
  }
  const DnsResponse& r = *parsed;
  if (r.id != s.id) {
    ++wrong_id_;
    ++s.wrong_id;
    return false;
  }
  if (!same_dns_name(r.qname, s.params.query == "." ? "" : s.params.query) || r.qtype != s.params.qtype ||
      r.qclass != s.params.qclass) {
    ++wrong_question_;
    ++s.wrong_question;
    return false;
  }
  if (r.truncated && !s.over_tcp) {
    ++truncated_retries_;
    s.udp_truncated = true;
    loop_.unwatch(s.udp.get());
    s.udp.reset();
    start_tcp(key);
    return true;
  }
  Result result;
  result.rtt = loop_.clock().now() - s.started;
  result.fields.push_back({"rcode", dns_rcode_name(r.rcode)});
  result.fields.push_back({"authoritative", r.authoritative});
  result.fields.push_back({"truncated", s.udp_truncated});
  result.fields.push_back({"transport", std::string(s.over_tcp ? "tcp" : "udp")});
  result.fields.push_back({"answers", static_cast<std::int64_t>(r.answers.size())});
  result.fields.push_back({"authority", static_cast<std::int64_t>(r.authority.size())});
  result.fields.push_back({"additional", static_cast<std::int64_t>(r.additional.size())});
  if (r.soa_serial) result.fields.push_back({"soa_serial", static_cast<std::int64_t>(*r.soa_serial)});
  result.fields.push_back({"response_size", static_cast<std::int64_t>(r.size)});
  const DnsParams& p = s.params;
  if (r.rcode != p.expect_rcode) {
    result.outcome = r.rcode == 2   ? Outcome::servfail
                     : r.rcode == 5 ? Outcome::refused_by_server
                     : r.rcode == 3 ? Outcome::nxdomain
                                    : Outcome::bad_answer;
    result.detail = "rcode " + dns_rcode_name(r.rcode) + ", expected " + dns_rcode_name(p.expect_rcode);
  } else if (p.expect_authoritative && *p.expect_authoritative != r.authoritative) {
    result.outcome = Outcome::bad_answer;
    result.detail = std::string("the answer is ") + (r.authoritative ? "" : "not ") + "authoritative";
  } else if (static_cast<int>(r.answers.size()) < p.min_answers) {
    result.outcome = Outcome::bad_answer;
    result.detail = std::to_string(r.answers.size()) + " answers, expected at least " + std::to_string(p.min_answers);
  } else {
    result.outcome = Outcome::ok;
  }
  if (result.outcome == Outcome::ok) ++ok_;
  else ++failed_expectations_;
  finish(key, std::move(result));
  return true;
}

void DnsProbe::start_tcp(std::uint64_t key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  s.over_tcp = true;
  // Over TCP the message is the same but without the EDNS size's reason to exist; keep it.
  const int fd = ::socket(family_of(s.server), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(key, Outcome::network_error, "socket: " + errno_name(errno));
  s.tcp.reset(fd);
  set_reset_on_close(fd);
  const SocketAddress address = to_sockaddr(s.server, s.params.port);
  if (::connect(fd, address.get(), address.length) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    ++tcp_errors_;
    return fail(key, outcome_from_errno(error), "TCP connect: " + errno_name(error));
  }
  std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(s.query.size() >> 8), static_cast<std::uint8_t>(s.query.size())};
  framed.insert(framed.end(), s.query.begin(), s.query.end());
  s.query = std::move(framed);
  loop_.watch(fd, io_writable | io_readable, [this, key](std::uint32_t events) { on_tcp(key, events); });
}

void DnsProbe::on_tcp(std::uint64_t key, std::uint32_t events) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  const int fd = s.tcp.get();
  if (s.tcp_sent < s.query.size() && (events & (io_writable | io_error | io_hangup))) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      ++tcp_errors_;
      if (error == ECONNREFUSED) ++refused_;
      return fail(key, outcome_from_errno(error), "TCP connect: " + errno_name(error));
    }
    const ssize_t n = ::send(fd, s.query.data() + s.tcp_sent, s.query.size() - s.tcp_sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) {
      ++tcp_errors_;
      return fail(key, outcome_from_errno(errno), "TCP send: " + errno_name(errno));
    }
    if (n > 0) s.tcp_sent += static_cast<std::size_t>(n);
    if (s.tcp_sent == s.query.size()) loop_.modify(fd, io_readable);
    return;
  }
  // One read per turn: the loop sees the socket readable again for the rest.
  std::uint8_t buffer[16384];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  if (n == 0) {
    ++tcp_errors_;
    return fail(key, Outcome::bad_reply,
                "the server closed the TCP connection after " + std::to_string(s.tcp_in.size()) + " bytes");
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    ++tcp_errors_;
    return fail(key, outcome_from_errno(errno), "TCP recv: " + errno_name(errno));
  }
  s.tcp_in.insert(s.tcp_in.end(), buffer, buffer + n);
  if (s.tcp_in.size() >= 2) {
    const std::size_t length = static_cast<std::size_t>((s.tcp_in[0] << 8) | s.tcp_in[1]);
    if (s.tcp_in.size() >= 2 + length) {
      if (!consider(key, std::span(s.tcp_in).subspan(2, length))) {
        // Over TCP there is no forger to wait out: what came is the answer, and it is bad.
        const std::string why = sessions_.at(key).last_malformed.empty() ? "the answer does not match the question"
                                                                         : sessions_.at(key).last_malformed;
        return fail(key, Outcome::bad_reply, "TCP answer: " + why);
      }
      return;
    }
  }
}

void DnsProbe::fail(std::uint64_t key, Outcome outcome, std::string detail) {
  Result result;
  result.outcome = outcome;
  result.detail = std::move(detail);
  finish(key, std::move(result));
}

void DnsProbe::finish(std::uint64_t key, Result&& result) {
  auto node = sessions_.extract(key);
  if (node.empty()) return;
  Session& s = node.mapped();
  loop_.cancel(s.timer);
  if (s.udp.valid()) loop_.unwatch(s.udp.get());
  if (s.tcp.valid()) loop_.unwatch(s.tcp.get());
  result.fields.push_back({"dns_id", std::int64_t{s.id}});
  result.fields.push_back({"server", s.server.to_string()});
  s.done(std::move(result));
}

std::vector<Counter> DnsProbe::counters() const {
  return {{"sent", sent_},
          {"ok", ok_},
          {"timeouts", timeouts_},
          {"refused", refused_},
          {"wrong_id", wrong_id_},
          {"wrong_question", wrong_question_},
          {"malformed", malformed_},
          {"truncated_retries", truncated_retries_},
          {"tcp_errors", tcp_errors_},
          {"failed_expectations", failed_expectations_}};
}

}  // namespace blackout
