// icmp check: echo requests, matched by id/seq, validated by cookie and sender.
#include "probes/icmp/icmp_probe.hpp"

#include <cstring>

#include "model/result_fields.hpp"

namespace blackout {
namespace {

// Slots are spread over id banks of 65,536 sequence numbers each.
constexpr std::uint32_t max_banks = 64;
constexpr std::uint32_t max_slots = max_banks * 65536;

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Outcome outcome_for_error(bool v6, const IcmpMessage& message) {
  if (message.kind == IcmpMessage::Kind::time_exceeded) return Outcome::ttl_exceeded;
  if (v6) {
    switch (message.code) {
      case 0: return Outcome::unreachable_net;    // no route
      case 1: return Outcome::unreachable_admin;  // administratively prohibited
      case 3: return Outcome::unreachable_host;   // address unreachable
      case 5:
      case 6: return Outcome::unreachable_admin;  // source policy, reject route
      default: return Outcome::unreachable_other;
    }
  }
  switch (message.code) {
    case 0:
    case 6:
    case 11: return Outcome::unreachable_net;
    case 1:
    case 7:
    case 12: return Outcome::unreachable_host;
    case 9:
    case 10:
    case 13: return Outcome::unreachable_admin;
    default: return Outcome::unreachable_other;
  }
}

}  // namespace

IcmpProbe::IcmpProbe(EventLoop& loop, Random& random)
    : loop_(loop), v4_(false), v6_(true), id_base_(static_cast<std::uint16_t>(random.next())), secret_(random.next()) {
  for (IcmpSocket* socket : {&v4_, &v6_}) {
    if (socket->mode() == IcmpSocket::Mode::none) continue;
    socket->keep_only_ids(id_base_, max_banks);
    loop_.watch(socket->fd(), io_readable, [this, socket](std::uint32_t) { on_readable(*socket); });
  }
}

std::pair<std::uint16_t, std::uint16_t> IcmpProbe::id_range() const { return {id_base_, static_cast<std::uint16_t>(max_banks)}; }

IcmpProbe::~IcmpProbe() {
  for (IcmpSocket* socket : {&v4_, &v6_})
    if (socket->mode() != IcmpSocket::Mode::none) loop_.unwatch(socket->fd());
  if (deadline_timer_) loop_.cancel(*deadline_timer_);
}

std::span<const FieldSpec> IcmpProbe::fields() const { return fields_of(CheckKind::icmp); }

Availability IcmpProbe::availability() const {
  if (v4_.mode() == IcmpSocket::Mode::none && v6_.mode() == IcmpSocket::Mode::none) return {false, v4_.unavailable_reason()};
  return {};
}

std::uint64_t IcmpProbe::cookie_for(std::uint32_t slot, std::uint32_t generation, const IpAddress& destination) const {
  std::uint64_t h = mix(secret_ ^ (std::uint64_t{slot} << 32 | generation));
  for (std::size_t i = 0; i < (destination.is_v4() ? 4 : 16); i += 4) {
    std::uint32_t word;
    std::memcpy(&word, destination.bytes.data() + i, 4);
    h = mix(h ^ word);
  }
  return h;
}

std::uint32_t IcmpProbe::allocate_slot() {
  if (!free_.empty()) {
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  if (slots_.size() >= max_slots) return UINT32_MAX;
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void IcmpProbe::fail_later(ProbeDone done, Outcome outcome, std::string detail, std::uint16_t payload_size) {
  Result result;
  result.outcome = outcome;
  result.detail = std::move(detail);
  result.fields.push_back({"payload_size", std::int64_t{payload_size}});
  loop_.post([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

void IcmpProbe::start(const ProbeRequest& request, ProbeDone done) {
  const auto& params = std::get<IcmpParams>(request.check->params);
  if (!request.address)
    return fail_later(std::move(done), Outcome::resolve_error, "the target has no address", params.payload_size);
  IcmpSocket& socket = socket_for(*request.address);
  if (socket.mode() == IcmpSocket::Mode::none)
    return fail_later(std::move(done), Outcome::not_permitted, "icmp " + socket.unavailable_reason(), params.payload_size);
  // Datagram sockets own their id (the kernel sets it), so only bank 0 of sequences is usable.
  const std::uint32_t slot_index = allocate_slot();
  if (slot_index == UINT32_MAX || (socket.mode() == IcmpSocket::Mode::datagram && slot_index >= 65536)) {
    if (slot_index != UINT32_MAX) free_.push_back(slot_index);
    ++send_errors_;
    return fail_later(std::move(done), Outcome::network_error, "too many icmp probes in flight", params.payload_size);
  }
  Slot& slot = slots_[slot_index];
  ++slot.generation;
  slot.cookie = cookie_for(slot_index, slot.generation, *request.address);
  slot.destination = *request.address;
  slot.payload_size = params.payload_size;

  std::vector<std::uint8_t> payload(params.payload_size);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(slot.cookie >> (8 * (i % 8)));
  const auto id = static_cast<std::uint16_t>(id_base_ + (slot_index >> 16));
  const auto seq = static_cast<std::uint16_t>(slot_index & 0xffff);
  const std::vector<std::uint8_t> packet = build_echo_request(!request.address->is_v4(), id, seq, payload);

  slot.sent_wall = loop_.clock().wall_now();
  slot.sent = loop_.clock().now();
  const int error = socket.send(*request.address, packet);
  if (error != 0) {
    ++send_errors_;
    free_.push_back(slot_index);
    const Outcome outcome = outcome_from_errno(error);
    return fail_later(std::move(done), outcome == Outcome::refused ? Outcome::network_error : outcome,
                      "sendto: " + errno_name(error), params.payload_size);
  }
  ++sent_;
  slot.done = std::move(done);
  slot.active = true;
  deadlines_.push(Deadline{slot.sent + request.check->timeout, slot_index, slot.generation});
  arm_deadline_timer();
}

void IcmpProbe::arm_deadline_timer() {
  if (deadlines_.empty()) return;
  const MonoTime next = deadlines_.top().at;
  if (deadline_timer_at_ && *deadline_timer_at_ <= next) return;
  if (deadline_timer_) loop_.cancel(*deadline_timer_);
  deadline_timer_at_ = next;
  deadline_timer_ = loop_.at(next, [this] {
    deadline_timer_.reset();
    deadline_timer_at_.reset();
    expire_deadlines();
  });
}

void IcmpProbe::expire_deadlines() {
  const MonoTime now = loop_.clock().now();
  while (!deadlines_.empty() && deadlines_.top().at <= now) {
    const Deadline deadline = deadlines_.top();
    deadlines_.pop();
    const Slot& slot = slots_[deadline.slot];
    if (!slot.active || slot.generation != deadline.generation) continue;
    ++timeouts_;
    Result result;
    result.outcome = Outcome::timeout;
    result.detail = "no echo reply";
    result.fields.push_back({"seq", std::int64_t{deadline.slot & 0xffff}});
    result.fields.push_back({"payload_size", std::int64_t{slot.payload_size}});
    complete(deadline.slot, std::move(result));
  }
  arm_deadline_timer();
}

void IcmpProbe::complete(std::uint32_t slot_index, Result&& result) {
  Slot& slot = slots_[slot_index];
  ProbeDone done = std::move(slot.done);
  slot.done = nullptr;
  slot.active = false;
  free_.push_back(slot_index);
  done(std::move(result));
}

std::optional<std::uint32_t> IcmpProbe::slot_for(const IcmpSocket& socket, std::uint16_t id, std::uint16_t seq) const {
  std::uint32_t bank = 0;
  if (socket.mode() == IcmpSocket::Mode::raw) {
    bank = static_cast<std::uint16_t>(id - id_base_);
    if (bank >= max_banks) return std::nullopt;
  }
  return (bank << 16) | seq;
}

void IcmpProbe::on_readable(IcmpSocket& socket) {
  socket.receive([&](const IcmpSocket::Received& received) { on_message(socket, received); },
                 [&](IcmpParseError error) {
                   // Raw sockets see every ICMP message of the host; only broken ones count.
                   if (error != IcmpParseError::uninteresting) ++malformed_;
                 });
}

void IcmpProbe::on_message(const IcmpSocket& socket, const IcmpSocket::Received& received) {
  const IcmpMessage& message = received.message;
  const bool is_reply = message.kind == IcmpMessage::Kind::echo_reply;
  if (!is_reply && (!message.quoted || message.quoted->protocol != (socket.v6() ? 58 : 1))) {
    ++foreign_;
    return;
  }
  const std::uint16_t id = is_reply ? message.id : message.quoted->icmp_id;
  const std::uint16_t seq = is_reply ? message.seq : message.quoted->icmp_seq;
  const auto slot_index = slot_for(socket, id, seq);
  if (!slot_index) {
    ++foreign_;
    return;
  }
  if (*slot_index >= slots_.size() || !slots_[*slot_index].active) {
    ++late_or_duplicate_;
    return;
  }
  Slot& slot = slots_[*slot_index];
  const IpAddress& sender_of_interest = is_reply ? message.from : message.quoted->destination;
  if (sender_of_interest != slot.destination) {
    ++forged_;
    return;
  }
  if (is_reply) {
    // The cookie proves the reply answers this very probe, not an earlier use of the slot.
    const std::size_t check_bytes = std::min<std::size_t>({8, slot.payload_size, message.payload.size()});
    for (std::size_t i = 0; i < check_bytes; ++i) {
      if (message.payload[i] != static_cast<std::uint8_t>(slot.cookie >> (8 * i))) {
        ++forged_;
        return;
      }
    }
    if (message.payload.size() < std::min<std::size_t>(8, slot.payload_size)) {
      ++forged_;
      return;
    }
  }
  const MonoTime now = loop_.clock().now();
  Duration rtt = now - slot.sent;
  if (!loop_.clock().is_manual() && received.kernel_time.time_since_epoch().count() > 0) {
    // The kernel's receive time leaves out the time the reply waited for the loop.
    const Duration kernel_rtt = received.kernel_time - slot.sent_wall;
    if (kernel_rtt.count() > 0 && kernel_rtt <= rtt) rtt = kernel_rtt;
  }
  Result result;
  result.fields.push_back({"seq", std::int64_t{seq}});
  result.fields.push_back({"payload_size", std::int64_t{slot.payload_size}});
  result.fields.push_back({"reply_from", message.from.to_string()});
  if (message.ttl >= 0) result.fields.push_back({"ttl", std::int64_t{message.ttl}});
  if (is_reply) {
    ++replies_;
    result.outcome = Outcome::ok;
    result.rtt = rtt;
  } else {
    ++errors_received_;
    result.outcome = outcome_for_error(socket.v6(), message);
    result.fields.push_back({"icmp_type", std::int64_t{message.type}});
    result.fields.push_back({"icmp_code", std::int64_t{message.code}});
    result.detail = "ICMP type " + std::to_string(message.type) + " code " + std::to_string(message.code) + " from " +
                    message.from.to_string();
  }
  complete(*slot_index, std::move(result));
}

std::vector<Counter> IcmpProbe::counters() const {
  return {{"sent", sent_},         {"replies", replies_},         {"errors_received", errors_received_},
          {"timeouts", timeouts_}, {"send_errors", send_errors_}, {"late_or_duplicate", late_or_duplicate_},
          {"forged", forged_},     {"foreign", foreign_},         {"malformed", malformed_}};
}

}  // namespace blackout
