// The names of the targets named only by host, kept resolved: each is looked up (A and
// AAAA at once) at start, again when its TTL runs out (within resolver.min_ttl and max_ttl),
// and, after a failed lookup, at min_ttl doubling up to max_ttl. Every lookup is a result of
// kind resolve for each target with that name.
//
// Through a DNS outage the targets' checks go on to the last known address: a name that
// stops resolving while its servers still answer is a DNS failure, told by the resolve
// results, not a web outage. Under lab_only an answer's addresses outside the lab are
// refused, never probed, and the result says which.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "engine/addresses.hpp"
#include "engine/loop.hpp"
#include "engine/probe.hpp"
#include "model/result.hpp"
#include "resolve/ares_channel.hpp"
#include "resolve/policy.hpp"

namespace blackout {

class NameTable final : public AddressBook {
 public:
  using Sink = std::function<void(Result&&)>;

  // Throws std::runtime_error when c-ares cannot start (a start-up error).
  NameTable(EventLoop& loop, const ResolverConfig& config, Sink sink);
  ~NameTable() override;
  NameTable(const NameTable&) = delete;
  NameTable& operator=(const NameTable&) = delete;

  // The targets to keep names for: those with a host and no address (not of layer bgp).
  // A name already known keeps its addresses and schedule; a new one is looked up at once;
  // one no target uses any more is dropped. Results carry `vantage`.
  void set_targets(const std::vector<Target>& targets, const std::string& vantage, bool lab_only);
  // True once every name has had its first lookup end, well or not.
  [[nodiscard]] bool settled() const;
  [[nodiscard]] std::size_t size() const { return names_.size(); }
  [[nodiscard]] AddressChoice address_of(const Target& target) const override;
  [[nodiscard]] std::vector<Counter> counters() const;
  [[nodiscard]] std::string servers() const { return channel_.servers(); }

  static constexpr std::string_view check_id = "resolve";
  // Names looked up at once; the others wait their turn, so that a config of thousands of
  // names does not send its resolver thousands of queries in one burst at start.
  static constexpr std::size_t max_in_flight = 64;

 private:
  struct Name {
    std::uint64_t id = 0;              // a name dropped and added again is a new one
    std::vector<std::string> targets;  // who gets its results
    KnownAddresses known;
    std::optional<IpAddress> probing;
    std::vector<IpAddress> refused;
    bool looked_up = false;  // a lookup has ended
    bool ever_resolved = false;
    int failures = 0;  // failed lookups in a row
    std::optional<Timestamp> failing_since;
    Outcome last_outcome = Outcome::resolve_error;
    std::string last_detail;
    std::optional<TimerId> timer;
    bool in_flight = false;  // asked, or waiting for its turn
    bool queued = false;     // waiting for its turn
  };

  void start_lookup(const std::string& host);
  void send_lookup(const std::string& host);
  void finish(const std::string& host, std::uint64_t id, Timestamp sent, MonoTime started, Answer&& answer);
  void schedule(const std::string& host, Name& name, Duration after);

  EventLoop& loop_;
  ResolverConfig config_;
  Sink sink_;
  std::string vantage_;
  bool lab_only_ = false;
  std::map<std::string, Name, std::less<>> names_;
  std::uint64_t next_id_ = 1;
  std::size_t sent_now_ = 0;         // lookups sent and not yet ended
  std::size_t most_sent_ = 0;        // the most ever sent and not yet ended
  std::deque<std::string> waiting_;  // names due, waiting for a free slot
  std::uint64_t lookups_ = 0, resolved_ = 0, failed_ = 0, timeouts_ = 0, nxdomains_ = 0, servfails_ = 0, refused_ = 0,
                bad_replies_ = 0, other_failures_ = 0, stale_ = 0, refused_addresses_ = 0, address_changes_ = 0;
  // Last: destroyed first, so that no answer arrives into a half-destroyed table.
  AresChannel channel_;
};

}  // namespace blackout
