// The bgp check kind over the Collector's table; see bgp_probe.hpp.
#include "bgp/bgp_probe.hpp"

#include "bgp/visibility.hpp"
#include "model/result_fields.hpp"

namespace blackout::bgp {

BgpProbe::BgpProbe(EventLoop& loop, const Collector& collector) : loop_(loop), collector_(collector) {}

BgpProbe::~BgpProbe() { *alive_ = false; }

std::span<const FieldSpec> BgpProbe::fields() const { return fields_of(CheckKind::bgp); }

Result BgpProbe::evaluate(const BgpParams& check) const {
  // A prefix check counts the peers whose table of its family is complete; an origin AS
  // check, peers with either.
  std::optional<std::uint16_t> afi;
  if (check.prefix) afi = check.prefix->address.is_v4() ? afi_ipv4 : afi_ipv6;
  const Visibility seen = visibility(collector_.rib(), check, collector_.peers_counting(afi),
                                     [&](const std::string& peer) { return collector_.counts(peer, afi); });
  Result result = to_result(seen, check);
  if (result.outcome == Outcome::no_session) result.detail += ": " + collector_.describe_sessions();
  return result;
}

void BgpProbe::start(const ProbeRequest& request, ProbeDone done) {
  // Answered from the loop, never from inside start() (the Probe contract), with the table
  // as it is then.
  const BgpParams check = std::get<BgpParams>(request.check->params);
  loop_.post([this, alive = alive_, check, done = std::move(done)]() mutable {
    if (!*alive) return;
    Result result = evaluate(check);
    ++evaluations_;
    (result.outcome == Outcome::ok ? visible_ : result.outcome == Outcome::withdrawn ? withdrawn_ : no_session_) += 1;
    done(std::move(result));
  });
}

std::vector<Counter> BgpProbe::counters() const {
  return {{"evaluations", evaluations_}, {"visible", visible_}, {"withdrawn", withdrawn_}, {"no_session", no_session_}};
}

}  // namespace blackout::bgp
