// The list of check kinds.
#include "probes/registry.hpp"

#include "model/result_fields.hpp"
#include "probes/dns/dns_probe.hpp"
#include "probes/http/http_probe.hpp"
#include "probes/icmp/icmp_probe.hpp"
#include "probes/smtp/smtp_probe.hpp"
#include "probes/tcp/tcp_probe.hpp"
#include "probes/traceroute/traceroute_probe.hpp"

namespace blackout {

ProbeSet::KindSet ProbeSet::all_kinds() {
  KindSet kinds;
  kinds.fill(true);
  // Not a probe: the resolver (resolve/) makes the resolve results.
  kinds[static_cast<std::size_t>(CheckKind::resolve)] = false;
  return kinds;
}

ProbeSet::KindSet ProbeSet::kinds_of(const std::vector<Target>& targets) {
  KindSet kinds{};
  for (const Target& target : targets)
    for (const Check& check : target.checks) kinds[static_cast<std::size_t>(check.kind)] = true;
  return kinds;
}

ProbeSet::ProbeSet(EventLoop& loop, Random& random, const KindSet& kinds) : wanted_(kinds) {
  const auto wants = [&](CheckKind kind) { return kinds[static_cast<std::size_t>(kind)]; };
  const auto add = [&](std::unique_ptr<Probe> probe) {
    table_[static_cast<std::size_t>(probe->kind())] = probe.get();
    owned_.push_back(std::move(probe));
  };
  // The one list of check kinds.
  if (wants(CheckKind::icmp)) add(std::make_unique<IcmpProbe>(loop, random));
  if (wants(CheckKind::tcp)) add(std::make_unique<TcpProbe>(loop));
  if (wants(CheckKind::traceroute)) add(std::make_unique<TracerouteProbe>(loop, random));
  if (wants(CheckKind::dns)) add(std::make_unique<DnsProbe>(loop, random));
  if (wants(CheckKind::http)) add(std::make_unique<HttpProbe>(loop));
  if (wants(CheckKind::smtp)) add(std::make_unique<SmtpProbe>(loop));
}

ProbeSet::~ProbeSet() = default;

void ProbeSet::install(std::unique_ptr<Probe> probe) {
  const auto index = static_cast<std::size_t>(probe->kind());
  table_[index] = probe.get();
  wanted_[index] = true;
  owned_.push_back(std::move(probe));
}

std::vector<std::pair<CheckKind, std::string>> ProbeSet::unavailable() const {
  std::vector<std::pair<CheckKind, std::string>> out;
  for (std::size_t i = 0; i < check_kind_count; ++i) {
    const auto kind = static_cast<CheckKind>(i);
    if (!wanted_[i]) continue;
    if (!table_[i]) {
      out.emplace_back(
          kind, kind == CheckKind::bgp ? "no BGP feed: the config names no collector session (bgp.sessions)" : "not built here");
    } else if (const Availability a = table_[i]->availability(); !a.available) {
      out.emplace_back(kind, a.reason);
    }
  }
  return out;
}

std::string fields_markdown() {
  std::string out = "### Fields of every result\n\n| field | type | meaning |\n| --- | --- | --- |\n";
  for (const FieldSpec& f : common_result_fields())
    out += "| `" + std::string(f.name) + "` | " + std::string(to_string(f.type)) + " | " + std::string(f.description) + " |\n";
  for (std::size_t i = 0; i < check_kind_count; ++i) {
    const auto kind = static_cast<CheckKind>(i);
    const auto fields = fields_of(kind);
    out += "\n### Fields of `" + std::string(to_string(kind)) + "` results\n\n";
    if (fields.empty()) {
      out += "None yet.\n";
      continue;
    }
    out += "| field | type | meaning |\n| --- | --- | --- |\n";
    for (const FieldSpec& f : fields)
      out += "| `" + std::string(f.name) + "` | " + std::string(to_string(f.type)) + " | " + std::string(f.description) + " |\n";
  }
  out += "\n### Outcomes\n\n| outcome | meaning |\n| --- | --- |\n";
  for (const OutcomeInfo& info : outcome_table())
    out += "| `" + std::string(info.name) + "` | " + std::string(info.description) + " |\n";
  return out;
}

}  // namespace blackout
