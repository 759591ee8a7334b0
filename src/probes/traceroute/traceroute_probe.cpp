// traceroute check.
#include "probes/traceroute/traceroute_probe.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "model/result_fields.hpp"
#include "probes/common/icmp_packet.hpp"

namespace blackout {
namespace {

bool is_port_unreachable(bool v6, std::uint8_t code) { return v6 ? code == 4 : code == 3; }

}  // namespace

TracerouteProbe::TracerouteProbe(EventLoop& loop, Random& random)
    : loop_(loop), random_(random), v4_(false, false), v6_(true, false) {
  for (IcmpSocket* socket : {&v4_, &v6_}) {
    if (socket->mode() == IcmpSocket::Mode::none) continue;
    loop_.watch(socket->fd(), io_readable, [this, socket](std::uint32_t) {
      socket->receive([this](const IcmpSocket::Received& received) { on_message(received); },
                      [this](IcmpParseError error) {
                        if (error != IcmpParseError::uninteresting) ++malformed_;
                      });
    });
  }
}

TracerouteProbe::~TracerouteProbe() {
  for (IcmpSocket* socket : {&v4_, &v6_})
    if (socket->mode() != IcmpSocket::Mode::none) loop_.unwatch(socket->fd());
  for (auto& [id, trace] : traces_) {
    loop_.cancel(trace.deadline);
    if (trace.grace) loop_.cancel(*trace.grace);
  }
}

std::span<const FieldSpec> TracerouteProbe::fields() const { return fields_of(CheckKind::traceroute); }

Availability TracerouteProbe::availability() const {
  if (v4_.mode() == IcmpSocket::Mode::none && v6_.mode() == IcmpSocket::Mode::none) return {false, v4_.unavailable_reason()};
  return {};
}

void TracerouteProbe::fail_later(ProbeDone done, Outcome outcome, std::string detail) {
  Result result;
  result.outcome = outcome;
  result.detail = std::move(detail);
  loop_.post([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

void TracerouteProbe::start(const ProbeRequest& request, ProbeDone done) {
  const auto& params = std::get<TracerouteParams>(request.check->params);
  if (!request.address) return fail_later(std::move(done), Outcome::resolve_error, "the target has no address");
  const IpAddress& destination = *request.address;
  const bool v6 = !destination.is_v4();
  IcmpSocket& icmp = v6 ? v6_ : v4_;
  if (icmp.mode() == IcmpSocket::Mode::none)
    return fail_later(std::move(done), Outcome::not_permitted, "traceroute " + icmp.unavailable_reason());

  const std::uint64_t id = next_id_++;
  Trace trace;
  trace.method = params.method;
  trace.base_port = params.port;
  trace.state.destination = destination;
  trace.state.first_hop = params.first_hop;
  trace.state.max_hops = params.max_hops;
  const auto hop_count = static_cast<std::size_t>(params.max_hops - params.first_hop + 1);
  trace.state.sent.resize(hop_count);
  trace.state.answers.resize(hop_count);

  if (params.method == TracerouteParams::Method::udp) {
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ++send_errors_;
      return fail_later(std::move(done), Outcome::network_error, "socket: " + errno_name(errno));
    }
    trace.udp.reset(fd);
    // Bind to learn our source port: it is the trace's token in every quoted probe.
    const SocketAddress any = to_sockaddr(v6 ? *IpAddress::parse("::") : *IpAddress::parse("0.0.0.0"), 0);
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    std::uint16_t port = 0;
    if (::bind(fd, any.get(), any.length) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0 ||
        !from_sockaddr(reinterpret_cast<sockaddr*>(&local), length, &port) || by_udp_port_.contains(port)) {
      ++send_errors_;
      return fail_later(std::move(done), Outcome::network_error, "cannot bind a UDP source port");
    }
    trace.token = port;
    by_udp_port_[port] = id;
  } else {
    std::uint16_t icmp_id;
    do icmp_id = static_cast<std::uint16_t>(random_.next());
    while (by_icmp_id_.contains(icmp_id));
    trace.token = icmp_id;
    by_icmp_id_[icmp_id] = id;
  }

  for (int ttl = params.first_hop; ttl <= params.max_hops; ++ttl) {
    const auto index = static_cast<std::size_t>(ttl - params.first_hop);
    trace.state.sent[index] = loop_.clock().now();
    int error = 0;
    if (params.method == TracerouteParams::Method::udp) {
      if (v6) setsockopt(trace.udp.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
      else setsockopt(trace.udp.get(), IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
      const auto port = static_cast<std::uint16_t>(params.port + index);
      const SocketAddress to = to_sockaddr(destination, port);
      static constexpr char payload[12] = "blackout-tr";
      if (::sendto(trace.udp.get(), payload, sizeof payload, 0, to.get(), to.length) < 0) error = errno;
    } else {
      const std::vector<std::uint8_t> packet =
          build_echo_request(v6, trace.token, static_cast<std::uint16_t>(ttl), std::vector<std::uint8_t>(16, 0));
      error = icmp.send(destination, packet, ttl);
    }
    if (error != 0) {
      // A local refusal (no route, firewall) ends the path right here.
      ++send_errors_;
      trace.state.record(ttl, HopAnswer{destination, Duration{0}, HopAnswer::Kind::unreachable, 0});
      break;
    }
    ++probes_sent_;
    ++trace.state.probes_sent;
  }
  ++traces_started_;
  trace.done = std::move(done);
  trace.deadline = loop_.after(request.check->timeout, [this, id] { finish(id, true); });
  traces_.emplace(id, std::move(trace));
  if (traces_.at(id).state.end_ttl()) loop_.post([this, id] { after_answer(id); });
}

void TracerouteProbe::on_message(const IcmpSocket::Received& received) {
  const IcmpMessage& message = received.message;
  const bool v6 = !message.from.is_v4();
  std::uint64_t id = 0;
  int ttl = 0;
  if (message.kind == IcmpMessage::Kind::echo_reply) {
    const auto it = by_icmp_id_.find(message.id);
    if (it == by_icmp_id_.end()) return;  // someone else's ping, or the icmp check's
    id = it->second;
    ttl = message.seq;
  } else {
    const QuotedProbe& quoted = *message.quoted;
    if (quoted.protocol == 17) {
      const auto it = by_udp_port_.find(quoted.source_port);
      if (it == by_udp_port_.end()) return;
      id = it->second;
      ttl = traces_.at(id).state.first_hop + (quoted.destination_port - traces_.at(id).base_port);
    } else {
      const auto it = by_icmp_id_.find(quoted.icmp_id);
      if (it == by_icmp_id_.end()) return;
      id = it->second;
      ttl = quoted.icmp_seq;
    }
  }
  Trace& trace = traces_.at(id);
  const IpAddress& quoted_destination = message.quoted ? message.quoted->destination : message.from;
  if (quoted_destination != trace.state.destination || ttl < trace.state.first_hop || ttl > trace.state.max_hops) {
    ++mismatched_;
    return;
  }
  const auto index = static_cast<std::size_t>(ttl - trace.state.first_hop);
  if (trace.state.answers[index]) {
    ++late_;
    return;
  }
  HopAnswer answer;
  answer.from = message.from;
  answer.rtt = loop_.clock().now() - trace.state.sent[index];
  answer.icmp_code = message.code;
  if (message.kind == IcmpMessage::Kind::echo_reply) {
    answer.kind = HopAnswer::Kind::destination;
  } else if (message.kind == IcmpMessage::Kind::time_exceeded) {
    answer.kind = HopAnswer::Kind::time_exceeded;
  } else if (message.from == trace.state.destination && trace.method == TracerouteParams::Method::udp &&
             is_port_unreachable(v6, message.code)) {
    answer.kind = HopAnswer::Kind::destination;
  } else {
    answer.kind = HopAnswer::Kind::unreachable;
  }
  ++answers_;
  trace.state.record(ttl, answer);
  after_answer(id);
}

void TracerouteProbe::after_answer(std::uint64_t id) {
  const auto it = traces_.find(id);
  if (it == traces_.end()) return;
  Trace& trace = it->second;
  if (trace.state.complete()) return finish(id, false);
  const auto end = trace.state.end_ttl();
  if (end && !trace.grace) {
    // The end is known but some routers before it are silent: give stragglers a little
    // longer (twice the end's round trip, at least 50 ms) rather than the whole timeout.
    const Duration end_rtt = trace.state.answers[static_cast<std::size_t>(*end - trace.state.first_hop)]->rtt;
    trace.grace = loop_.after(std::max<Duration>(50ms, 2 * end_rtt), [this, id] { finish(id, false); });
  }
}

void TracerouteProbe::finish(std::uint64_t id, bool timed_out) {
  auto node = traces_.extract(id);
  if (node.empty()) return;
  Trace& trace = node.mapped();
  loop_.cancel(trace.deadline);
  if (trace.grace) loop_.cancel(*trace.grace);
  if (trace.method == TracerouteParams::Method::udp) by_udp_port_.erase(trace.token);
  else by_icmp_id_.erase(trace.token);
  Result result = trace.state.to_result(timed_out);
  if (result.outcome == Outcome::ok) ++reached_;
  else if (result.outcome == Outcome::timeout) ++timeouts_;
  else ++not_reached_;
  trace.done(std::move(result));
}

std::vector<Counter> TracerouteProbe::counters() const {
  return {{"traces", traces_started_},   {"probes_sent", probes_sent_}, {"answers", answers_},
          {"reached", reached_},         {"not_reached", not_reached_}, {"timeouts", timeouts_},
          {"send_errors", send_errors_}, {"mismatched", mismatched_},   {"late", late_},
          {"malformed", malformed_}};
}

}  // namespace blackout
