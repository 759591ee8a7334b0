// One-shot probing.
#include "engine/oneshot.hpp"

#include <memory>

namespace blackout {

bool run_one_shot(EventLoop& loop, const std::array<Probe*, check_kind_count>& probes, const Target& target,
                  const OneShotPlan& plan, const std::function<void(Result&&)>& sink, std::string& error) {
  for (const Check& check : target.checks) {
    Probe* probe = probes[static_cast<std::size_t>(check.kind)];
    if (!probe) {
      error = std::string(to_string(check.kind)) + " checks are not built yet";
      return false;
    }
    if (const Availability a = probe->availability(); !a.available) {
      error = std::string(to_string(check.kind)) + " checks cannot run here: " + a.reason;
      return false;
    }
  }
  for (int round = 0; round < plan.count && !loop.stopped(); ++round) {
    const MonoTime round_start = loop.clock().now();
    for (const Check& check : target.checks) {
      // Shared with the completion: a probe that completes after we gave up (a bug) must find
      // the attempt abandoned rather than write into a finished stack frame.
      struct Attempt {
        bool finished = false;
        bool abandoned = false;
      };
      auto attempt = std::make_shared<Attempt>();
      const Timestamp sent = loop.clock().wall_now();
      ProbeRequest request{&target, &check, target.address, false};
      ProbeDone done = [&, attempt](Result&& result) {
        if (attempt->abandoned) return;
        result.time = sent;
        result.vantage = plan.vantage;
        result.target = target.name;
        result.check = check.id;
        result.kind = check.kind;
        sink(std::move(result));
        attempt->finished = true;
      };
      std::optional<AddressChoice> unusable;
      if (!request.address && !target.host.empty() && plan.addresses && goes_to_target_address(check)) {
        AddressChoice choice = plan.addresses->address_of(target);
        if (choice.address) request.address = choice.address;
        else unusable = std::move(choice);
      }
      if (unusable) {
        Result result;
        result.outcome = unusable->outcome;
        result.detail = std::move(unusable->why);
        done(std::move(result));
      } else {
        probes[static_cast<std::size_t>(check.kind)]->start(request, std::move(done));
      }
      // The probe enforces its own timeout; the extra margin only guards against a bug.
      const bool completed =
          loop.run_until([&] { return attempt->finished; }, loop.clock().now() + check.timeout + std::chrono::seconds(5));
      attempt->abandoned = true;
      if (!completed && !loop.stopped()) {
        Result lost;
        lost.time = sent;
        lost.vantage = plan.vantage;
        lost.target = target.name;
        lost.check = check.id;
        lost.kind = check.kind;
        lost.outcome = Outcome::internal_error;
        lost.detail = "the probe did not complete";
        sink(std::move(lost));
      }
    }
    if (round + 1 < plan.count) loop.run_until([] { return false; }, round_start + plan.interval);
  }
  return true;
}

}  // namespace blackout
