// The scheduler: a min-heap of due times, per-kind ready queues, a token bucket and a
// watchdog over the probes in flight.
#include "engine/scheduler.hpp"

#include <algorithm>
#include <stdexcept>

namespace blackout {
namespace {

bool heap_later(const std::pair<MonoTime, std::uint32_t>& a, const std::pair<MonoTime, std::uint32_t>& b) {
  return a.first > b.first;
}

}  // namespace

Scheduler::Scheduler(EventLoop& loop, Random& random, const std::vector<Target>& targets,
                     std::array<Probe*, check_kind_count> probes, std::string vantage, Sink sink, SchedulerLimits limits)
    : loop_(loop),
      random_(random),
      targets_(targets),
      probes_(probes),
      vantage_(std::move(vantage)),
      sink_(std::move(sink)),
      limits_(limits),
      self_(std::make_shared<Scheduler*>(this)) {
  if (limits_.max_probes_per_second <= 0) throw std::invalid_argument("max_probes_per_second must be positive");
  if (targets_.size() > UINT32_MAX) throw std::invalid_argument("too many targets");
  for (std::uint32_t t = 0; t < targets_.size(); ++t) {
    if (targets_[t].checks.size() > UINT16_MAX) throw std::invalid_argument("too many checks on target " + targets_[t].name);
    for (std::uint16_t c = 0; c < targets_[t].checks.size(); ++c) {
      const Check& check = targets_[t].checks[c];
      Probe* probe = probes_[static_cast<std::size_t>(check.kind)];
      if (!probe || !probe->availability().available) {
        ++counters_.unavailable;
        continue;
      }
      entries_.push_back(Entry{MonoTime{}, t, c, 0, flag_passing, 0, 0});
    }
  }
  heap_.reserve(entries_.size());
}

Scheduler::~Scheduler() {
  *self_ = nullptr;
  if (timer_) loop_.cancel(*timer_);
  if (watchdog_timer_) loop_.cancel(*watchdog_timer_);
}

const Check& Scheduler::check_of(const Entry& entry) const { return targets_[entry.target].checks[entry.check]; }

void Scheduler::start() {
  running_ = true;
  const MonoTime now = loop_.clock().now();
  tokens_at_ = now;
  tokens_ = 1;
  for (std::uint32_t i = 0; i < entries_.size(); ++i) {
    const Check& check = check_of(entries_[i]);
    // Spread first runs over the interval so that a big config does not start in one burst.
    const auto offset = Duration{static_cast<Duration::rep>(random_.below(static_cast<std::uint64_t>(check.interval.count())))};
    entries_[i].next_nominal = now + offset;
    heap_.emplace_back(now + offset, i);
  }
  std::make_heap(heap_.begin(), heap_.end(), heap_later);
  watchdog_timer_ = loop_.after(std::chrono::seconds(1), [this] { watchdog(); });
  pump();
}

void Scheduler::stop() {
  running_ = false;
  if (timer_) loop_.cancel(*timer_);
  timer_.reset();
  timer_at_.reset();
}

void Scheduler::push(std::uint32_t index, MonoTime due) {
  heap_.emplace_back(due, index);
  std::push_heap(heap_.begin(), heap_.end(), heap_later);
}

void Scheduler::arm(MonoTime when) {
  if (timer_at_ && *timer_at_ <= when) return;
  if (timer_) loop_.cancel(*timer_);
  timer_at_ = when;
  timer_ = loop_.at(when, [this] {
    timer_.reset();
    timer_at_.reset();
    pump();
  });
}

bool Scheduler::take_token() {
  const MonoTime now = loop_.clock().now();
  const double rate = limits_.max_probes_per_second;
  // A burst of up to a tenth of a second's worth (at least one) is allowed.
  const double burst = std::max(1.0, rate / 10);
  tokens_ = std::min(burst, tokens_ + to_seconds(now - tokens_at_) * rate);
  tokens_at_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void Scheduler::pump() {
  if (!running_) return;
  const MonoTime now = loop_.clock().now();
  while (!heap_.empty() && heap_.front().first <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), heap_later);
    const std::uint32_t index = heap_.back().second;
    heap_.pop_back();
    ready_[static_cast<std::size_t>(check_of(entries_[index]).kind)].push_back(index);
    ++counters_.ready;
  }
  // Launch round-robin over kinds so that one kind at its cap does not hold back the others.
  bool rate_limited = false;
  std::size_t idle_kinds = 0;
  while (counters_.ready > 0 && idle_kinds < check_kind_count && counters_.in_flight < limits_.max_in_flight) {
    const std::size_t kind = next_ready_kind_;
    next_ready_kind_ = (next_ready_kind_ + 1) % check_kind_count;
    const std::size_t cap = limits_.max_in_flight_per_kind[kind];
    if (ready_[kind].empty() || (cap != 0 && in_flight_per_kind_[kind] >= cap)) {
      ++idle_kinds;
      continue;
    }
    if (!take_token()) {
      rate_limited = true;
      break;
    }
    idle_kinds = 0;
    const std::uint32_t index = ready_[kind].front();
    ready_[kind].pop_front();
    --counters_.ready;
    launch(index);
  }
  if (rate_limited) {
    const double wait_seconds = (1 - tokens_) / limits_.max_probes_per_second;
    arm(now + Duration{std::max<Duration::rep>(1, static_cast<Duration::rep>(wait_seconds * 1e6))});
  } else if (!heap_.empty()) {
    arm(heap_.front().first);
  }
  // Otherwise: blocked by a cap, and a completion will pump again.
}

void Scheduler::launch(std::uint32_t index) {
  Entry& entry = entries_[index];
  const Target& target = targets_[entry.target];
  const Check& check = check_of(entry);
  entry.flags |= flag_in_flight;
  ++entry.generation;
  const bool confirmation = (entry.flags & flag_confirmation) != 0;
  ++counters_.launched;
  if (confirmation) ++counters_.confirmations;
  ++counters_.in_flight;
  counters_.max_in_flight_seen = std::max(counters_.max_in_flight_seen, counters_.in_flight);
  ++in_flight_per_kind_[static_cast<std::size_t>(check.kind)];
  entry.in_flight_slot = static_cast<std::uint32_t>(in_flight_.size());
  in_flight_.push_back(InFlight{index, entry.generation, loop_.clock().now() + check.timeout + limits_.watchdog_grace});

  ProbeRequest request{&target, &check, target.address, confirmation};
  std::optional<AddressChoice> unusable;
  if (!request.address && !target.host.empty() && addresses_ && goes_to_target_address(check)) {
    AddressChoice choice = addresses_->address_of(target);
    if (choice.address) request.address = choice.address;
    else unusable = std::move(choice);
  }
  const Timestamp sent = loop_.clock().wall_now();
  std::weak_ptr<Scheduler*> weak = self_;
  const std::uint32_t generation = entry.generation;
  ProbeDone done = [weak, index, generation, sent](Result&& result) {
    const auto self = weak.lock();
    if (!self || !*self) return;
    result.time = sent;
    (*self)->complete(index, generation, std::move(result));
  };
  if (unusable) {
    // Not sent: a name that never resolved, or only to addresses lab_only refuses. Reported
    // as the check's result all the same, later, as a probe would.
    ++counters_.unaddressed;
    loop_.post([done = std::move(done), choice = std::move(*unusable)]() mutable {
      Result result;
      result.outcome = choice.outcome;
      result.detail = std::move(choice.why);
      done(std::move(result));
    });
    return;
  }
  probes_[static_cast<std::size_t>(check.kind)]->start(request, std::move(done));
}

void Scheduler::complete(std::uint32_t index, std::uint32_t generation, Result&& result) {
  Entry& entry = entries_[index];
  if (entry.generation != generation || !(entry.flags & flag_in_flight)) {
    ++counters_.stale_completions;
    return;
  }
  const Target& target = targets_[entry.target];
  const Check& check = check_of(entry);
  entry.flags = static_cast<std::uint8_t>(entry.flags & ~flag_in_flight);
  --counters_.in_flight;
  --in_flight_per_kind_[static_cast<std::size_t>(check.kind)];
  ++counters_.completed;
  ++counters_.outcomes[static_cast<std::size_t>(result.outcome)];
  // Swap-remove from the in-flight list, keeping the moved entry's slot right.
  const std::uint32_t slot = entry.in_flight_slot;
  in_flight_[slot] = in_flight_.back();
  entries_[in_flight_[slot].entry].in_flight_slot = slot;
  in_flight_.pop_back();

  result.vantage = vantage_;
  result.target = target.name;
  result.check = check.id;
  result.kind = check.kind;
  result.confirmation = (entry.flags & flag_confirmation) != 0;

  // What comes next: a confirmation re-probe, or the next run on the schedule.
  const MonoTime now = loop_.clock().now();
  const bool success = is_success(result.outcome);
  bool confirm_next = false;
  if (success) {
    entry.confirming = 0;
    entry.flags |= flag_passing;
  } else if (entry.confirming > 0) {
    --entry.confirming;
    confirm_next = entry.confirming > 0;
    if (!confirm_next) entry.flags = static_cast<std::uint8_t>(entry.flags & ~flag_passing);
  } else if ((entry.flags & flag_passing) && check.confirmations > 0) {
    entry.confirming = static_cast<std::uint8_t>(check.confirmations);
    confirm_next = true;
  } else {
    entry.flags = static_cast<std::uint8_t>(entry.flags & ~flag_passing);
  }

  if (running_) {
    if (confirm_next) {
      entry.flags |= flag_confirmation;
      push(index, now + check.confirm_spacing);
    } else {
      entry.flags = static_cast<std::uint8_t>(entry.flags & ~flag_confirmation);
      entry.next_nominal += check.interval;
      if (entry.next_nominal + check.interval < now) {
        // Fell behind by more than an interval (a stalled loop, a long confirmation): skip
        // the missed runs rather than fire them all at once.
        const auto behind = (now - entry.next_nominal) / check.interval;
        counters_.late_ticks += static_cast<std::uint64_t>(behind);
        entry.next_nominal += check.interval * behind;
      }
      const auto jitter =
          Duration{static_cast<Duration::rep>(random_.below(static_cast<std::uint64_t>(check.jitter.count()) + 1))};
      push(index, std::max(now, entry.next_nominal + jitter));
    }
  }
  sink_(std::move(result));
  pump();
}

void Scheduler::watchdog() {
  watchdog_timer_.reset();
  const MonoTime now = loop_.clock().now();
  std::vector<InFlight> expired;
  for (const InFlight& f : in_flight_)
    if (f.deadline <= now) expired.push_back(f);
  for (const InFlight& f : expired) {
    ++counters_.lost;
    Result result;
    result.outcome = Outcome::internal_error;
    result.detail = "the probe did not complete within its timeout plus the watchdog's grace";
    result.time = loop_.clock().wall_now();
    complete(f.entry, f.generation, std::move(result));
    // The probe may still call back later: the bumped generation makes that a no-op.
    ++entries_[f.entry].generation;
  }
  if (running_ || !in_flight_.empty()) watchdog_timer_ = loop_.after(std::chrono::seconds(1), [this] { watchdog(); });
}

void register_scheduler_stats(Stats& stats, std::function<const SchedulerCounters&()> current) {
  const auto counter = [&](const char* name, const char* help, std::uint64_t SchedulerCounters::*field) {
    stats.counter(name, help, [current, field] { return static_cast<double>(current().*field); });
  };
  const auto gauge = [&](const char* name, const char* help, std::size_t SchedulerCounters::*field) {
    stats.gauge(name, help, [current, field] { return static_cast<double>(current().*field); });
  };
  counter("blackout_probes_launched_total", "Probes sent, confirmations included.", &SchedulerCounters::launched);
  counter("blackout_probes_completed_total", "Probes that completed with a result.", &SchedulerCounters::completed);
  counter("blackout_confirmations_total", "Re-probes sent at once to confirm a failure.", &SchedulerCounters::confirmations);
  counter("blackout_late_ticks_total", "Scheduled runs skipped because the schedule fell behind.",
          &SchedulerCounters::late_ticks);
  counter("blackout_probes_lost_total", "Probes the watchdog gave up on (a bug in a probe if not zero).",
          &SchedulerCounters::lost);
  gauge("blackout_probes_in_flight", "Probes sent and not yet answered or timed out.", &SchedulerCounters::in_flight);
  gauge("blackout_probes_ready", "Probes due and waiting for the rate limit or a concurrency cap.", &SchedulerCounters::ready);
}

}  // namespace blackout
