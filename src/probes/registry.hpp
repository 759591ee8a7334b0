// The explicit list of check kinds (no self-registration): builds one Probe per kind,
// opening privileged sockets first, and says which kinds cannot run here and why.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "engine/loop.hpp"
#include "engine/probe.hpp"
#include "engine/random.hpp"

namespace blackout {

class ProbeSet {
 public:
  using KindSet = std::array<bool, check_kind_count>;
  static KindSet all_kinds();
  static KindSet kinds_of(const std::vector<Target>& targets);

  // Builds the probes of the given kinds only: a raw socket that nobody reads still gets a
  // copy of every ICMP packet the host receives.
  ProbeSet(EventLoop& loop, Random& random, const KindSet& kinds = all_kinds());
  ~ProbeSet();
  ProbeSet(const ProbeSet&) = delete;
  ProbeSet& operator=(const ProbeSet&) = delete;

  // A kind whose probe is built outside probes/: bgp, which reads the collector's table (bgp/).
  void install(std::unique_ptr<Probe> probe);

  [[nodiscard]] Probe* get(CheckKind kind) const { return table_[static_cast<std::size_t>(kind)]; }
  [[nodiscard]] const std::array<Probe*, check_kind_count>& table() const { return table_; }
  // Kinds asked for that cannot run here (e.g. icmp without CAP_NET_RAW), with the reason.
  [[nodiscard]] std::vector<std::pair<CheckKind, std::string>> unavailable() const;

 private:
  std::vector<std::unique_ptr<Probe>> owned_;
  std::array<Probe*, check_kind_count> table_{};
  KindSet wanted_{};
};

// The result fields (common, then per kind) and the outcomes, as Markdown: the reference
// part of docs/checks.md, printed by `blackout probe --list-fields`.
std::string fields_markdown();

}  // namespace blackout
