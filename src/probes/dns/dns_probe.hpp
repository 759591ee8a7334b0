// dns: one query to a given server over UDP (TCP when the answer is truncated, or always if
// asked), with expectations on the answer. Tokens: a random DNS id, the question, and the
// UDP source port of a socket connected to the server (the kernel drops other sources). A
// reply with the wrong id or question, or one that does not parse, is counted and the
// probe keeps waiting: a forger cannot end a probe. If only garbage came before the timeout,
// the outcome is bad-reply rather than timeout.
#pragma once

#include <unordered_map>

#include "engine/loop.hpp"
#include "engine/probe.hpp"
#include "engine/random.hpp"
#include "probes/common/socket.hpp"
#include "probes/dns/message.hpp"

namespace blackout {

class DnsProbe final : public Probe {
 public:
  DnsProbe(EventLoop& loop, Random& random) : loop_(loop), random_(random) {}
  ~DnsProbe() override;
  [[nodiscard]] CheckKind kind() const override { return CheckKind::dns; }
  [[nodiscard]] std::span<const FieldSpec> fields() const override;
  void start(const ProbeRequest& request, ProbeDone done) override;
  [[nodiscard]] std::vector<Counter> counters() const override;

 private:
  struct Session {
    ProbeDone done;
    DnsParams params;
    IpAddress server;
    MonoTime started;
    TimerId timer = 0;
    std::uint16_t id = 0;
    std::vector<std::uint8_t> query;
    FileDescriptor udp, tcp;
    bool udp_truncated = false;
    bool over_tcp = false;
    int malformed = 0;
    int wrong_id = 0, wrong_question = 0;  // answers ignored as not for this query
    std::string last_malformed;
    std::size_t tcp_sent = 0;
    std::vector<std::uint8_t> tcp_in;
  };

  void fail(std::uint64_t key, Outcome outcome, std::string detail);
  void on_udp(std::uint64_t key);
  void start_tcp(std::uint64_t key);
  void on_tcp(std::uint64_t key, std::uint32_t events);
  // Checks a candidate answer; true when it ended the probe.
  bool consider(std::uint64_t key, std::span<const std::uint8_t> bytes);
  void finish(std::uint64_t key, Result&& result);

  static constexpr int max_datagrams_per_turn = 16;

  EventLoop& loop_;
  Random& random_;
  std::uint64_t next_key_ = 1;
  std::unordered_map<std::uint64_t, Session> sessions_;
  std::uint64_t sent_ = 0, ok_ = 0, timeouts_ = 0, refused_ = 0, wrong_id_ = 0, wrong_question_ = 0, malformed_ = 0,
                truncated_retries_ = 0, tcp_errors_ = 0, failed_expectations_ = 0;
};

}  // namespace blackout
