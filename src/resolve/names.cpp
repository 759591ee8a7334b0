// Names kept resolved, by TTL, through outages.
#include "resolve/names.hpp"

#include <algorithm>

#include "resolve/lookup.hpp"
#include "util/log.hpp"

namespace blackout {
namespace {

std::string joined(const std::vector<IpAddress>& addresses) {
  std::string out;
  for (const IpAddress& ip : addresses) out += (out.empty() ? "" : " ") + ip.to_string();
  return out;
}

// Out of line: GCC 12 sees the variant's move from a braced temporary, inlined into a long
// function, as a read of uninitialised storage (-Wmaybe-uninitialized), which it is not.
[[gnu::noinline]] void add(Result& r, std::string_view name, FieldValue value) {
  r.fields.push_back(ResultField{name, std::move(value)});
}

std::string failure_text(Outcome outcome) {
  switch (outcome) {
    case Outcome::nxdomain: return "the name does not exist (NXDOMAIN)";
    case Outcome::servfail: return "the resolver answered SERVFAIL";
    case Outcome::refused_by_server: return "the resolver answered REFUSED";
    case Outcome::refused: return "nothing answers at the resolver's address (port unreachable)";
    case Outcome::timeout: return "no answer in time";
    case Outcome::bad_reply: return "the answer was malformed";
    default: return "no A or AAAA record to probe";
  }
}

}  // namespace

NameTable::NameTable(EventLoop& loop, const ResolverConfig& config, Sink sink)
    : loop_(loop), config_(config), sink_(std::move(sink)), channel_(loop, config) {}

NameTable::~NameTable() {
  for (auto& [host, name] : names_)
    if (name.timer) loop_.cancel(*name.timer);
}

void NameTable::set_targets(const std::vector<Target>& targets, const std::string& vantage, bool lab_only) {
  std::map<std::string, std::vector<std::string>, std::less<>> wanted;
  for (const Target& target : targets)
    if (!target.address && !target.host.empty() && target.layer != Layer::bgp) wanted[target.host].push_back(target.name);
  for (auto it = names_.begin(); it != names_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    if (it->second.timer) loop_.cancel(*it->second.timer);
    it = names_.erase(it);  // an answer still in flight finds no name with its id, and is dropped
  }
  vantage_ = vantage;
  lab_only_ = lab_only;
  std::vector<std::string> fresh;
  for (auto& [host, users] : wanted) {
    auto [it, inserted] = names_.try_emplace(host);
    Name& name = it->second;
    name.targets = std::move(users);
    if (inserted) {
      name.id = next_id_++;
      fresh.push_back(host);
    } else {
      // lab_only may have changed with the config.
      name.probing = choose_address(name.probing, name.known, lab_only_);
      name.refused = refused_addresses(name.known, lab_only_);
    }
  }
  for (const std::string& host : fresh) start_lookup(host);
}

bool NameTable::settled() const {
  for (const auto& [host, name] : names_)
    if (!name.looked_up) return false;
  return true;
}

AddressChoice NameTable::address_of(const Target& target) const {
  const auto it = names_.find(target.host);
  if (it == names_.end())
    return {std::nullopt, Outcome::resolve_error, target.host + " is not among the names the resolver keeps"};
  const Name& name = it->second;
  if (name.probing) return {name.probing, Outcome::ok, ""};
  if (!name.looked_up) return {std::nullopt, Outcome::resolve_error, target.host + " is not resolved yet"};
  if (!name.refused.empty())
    return {std::nullopt, Outcome::not_permitted,
            "not probed: " + target.host + " resolves only to " + joined(name.refused) +
                ", outside loopback and the lab ranges, and lab_only is set"};
  return {std::nullopt, Outcome::resolve_error, target.host + " does not resolve: " + name.last_detail};
}

void NameTable::start_lookup(const std::string& host) {
  const auto it = names_.find(host);
  if (it == names_.end() || it->second.in_flight) return;
  it->second.in_flight = true;
  if (sent_now_ >= max_in_flight) {
    it->second.queued = true;
    waiting_.push_back(host);
    return;
  }
  send_lookup(host);
}

void NameTable::send_lookup(const std::string& host) {
  Name& name = names_.find(host)->second;
  name.queued = false;
  most_sent_ = std::max(most_sent_, ++sent_now_);
  ++lookups_;
  const std::uint64_t id = name.id;
  const Timestamp sent = loop_.clock().wall_now();
  const MonoTime started = loop_.clock().now();
  look_up(channel_, host,
          [this, host, id, sent, started](Answer&& answer) { finish(host, id, sent, started, std::move(answer)); });
}

void NameTable::schedule(const std::string& host, Name& name, Duration after) {
  if (name.timer) loop_.cancel(*name.timer);
  name.timer = loop_.after(after, [this, host] {
    const auto it = names_.find(host);
    if (it == names_.end()) return;
    it->second.timer.reset();
    start_lookup(host);
  });
}

void NameTable::finish(const std::string& host, std::uint64_t id, Timestamp sent, MonoTime started, Answer&& answer) {
  // A slot is free: the next name waiting (dropped names are skipped) is sent.
  --sent_now_;
  while (!waiting_.empty() && sent_now_ < max_in_flight) {
    const std::string next = std::move(waiting_.front());
    waiting_.pop_front();
    // Skipped when the name was dropped, or dropped and added again (then it has its own turn).
    if (const auto queued = names_.find(next); queued != names_.end() && queued->second.queued) send_lookup(next);
  }
  const auto it = names_.find(host);
  if (it == names_.end() || it->second.id != id) return;
  Name& name = it->second;
  name.in_flight = false;
  name.looked_up = true;
  const std::optional<IpAddress> before = name.probing;
  const bool was_failing = name.failures > 0;
  const std::vector<IpAddress> refused_before = name.refused;

  Result r;
  r.time = sent;
  r.vantage = vantage_;
  r.check = std::string(check_id);
  r.kind = CheckKind::resolve;
  Duration next{};
  const Outcome outcome = outcome_of(answer);
  if (outcome == Outcome::ok) {
    name.known = merge(name.known, answer);
    name.refused = refused_addresses(name.known, lab_only_);
    name.probing = choose_address(name.probing, name.known, lab_only_);
    name.ever_resolved = true;
    name.failures = 0;
    name.failing_since.reset();
    next = refresh_after(answer.ttl, config_.min_ttl, config_.max_ttl);
    r.rtt = loop_.clock().now() - started;
    ++resolved_;
    if (name.probing) {
      r.outcome = Outcome::ok;
      for (const auto& [family, end] : {std::pair{"A", answer.a}, std::pair{"AAAA", answer.aaaa}})
        if (end != QueryEnd::ok && end != QueryEnd::nodata)
          r.detail += std::string(r.detail.empty() ? "" : "; ") + "the " + family + " query ended in " +
                      std::string(to_string(end)) + ": its last known addresses stay";
    } else {
      r.outcome = Outcome::not_permitted;
      r.detail = host + " resolves only to " + joined(name.refused) +
                 ", outside loopback and the lab ranges; lab_only refuses them: nothing is probed";
    }
  } else {
    ++failed_;
    ++name.failures;
    if (!name.failing_since) name.failing_since = sent;
    next = retry_after(name.failures, config_.min_ttl, config_.max_ttl);
    r.outcome = outcome;
    switch (outcome) {
      case Outcome::timeout: ++timeouts_; break;
      case Outcome::nxdomain: ++nxdomains_; break;
      case Outcome::servfail: ++servfails_; break;
      case Outcome::refused:
      case Outcome::refused_by_server: ++refused_; break;
      case Outcome::bad_reply: ++bad_replies_; break;
      default: ++other_failures_; break;
    }
    r.detail = host + ": " + failure_text(outcome) + " (A: " + std::string(to_string(answer.a)) +
               ", AAAA: " + std::string(to_string(answer.aaaa)) + ")";
    if (name.probing) {
      ++stale_;
      r.detail += "; checks go on to the last known address " + name.probing->to_string();
    }
  }
  name.last_outcome = r.outcome;
  name.last_detail = r.detail;

  add(r, "host", host);
  add(r, "ipv4", joined(answer.v4));
  add(r, "ipv6", joined(answer.v6));
  add(r, "a_status", std::string(to_string(answer.a)));
  add(r, "aaaa_status", std::string(to_string(answer.aaaa)));
  if (answer.ttl) add(r, "ttl", static_cast<std::int64_t>(*answer.ttl));
  add(r, "next_lookup", next);
  add(r, "probing", name.probing ? name.probing->to_string() : std::string());
  add(r, "stale", outcome != Outcome::ok && name.probing.has_value());
  if (name.failing_since) add(r, "failing_for", Duration{sent - *name.failing_since});
  if (!name.refused.empty()) add(r, "refused", joined(name.refused));

  // Told once per change, not at every lookup.
  if (outcome != Outcome::ok && !was_failing)
    log::warn("resolve.failing", {{"host", host},
                                  {"outcome", to_string(outcome)},
                                  {"detail", r.detail},
                                  {"last_known", name.probing ? name.probing->to_string() : "none"}});
  if (outcome == Outcome::ok && was_failing)
    log::info("resolve.recovered", {{"host", host}, {"address", name.probing ? name.probing->to_string() : "none"}});
  if (name.refused != refused_before && !name.refused.empty()) {
    refused_addresses_ += name.refused.size();
    log::warn("resolve.refused", {{"host", host},
                                  {"addresses", joined(name.refused)},
                                  {"why", "outside loopback and the lab ranges, and lab_only is set"}});
  }
  if (before && name.probing && *before != *name.probing) {
    ++address_changes_;
    log::info("resolve.address_changed", {{"host", host}, {"from", before->to_string()}, {"to", name.probing->to_string()}});
  }

  schedule(host, name, next);
  const std::vector<std::string> users = name.targets;  // the sink may not touch the table, but be safe
  for (const std::string& target : users) {
    Result copy = r;
    copy.target = target;
    sink_(std::move(copy));
  }
}

std::vector<Counter> NameTable::counters() const {
  return {{"lookups", lookups_},
          {"resolved", resolved_},
          {"failed", failed_},
          {"timeouts", timeouts_},
          {"nxdomain", nxdomains_},
          {"servfail", servfails_},
          {"refused", refused_},
          {"bad_replies", bad_replies_},
          {"other_failures", other_failures_},
          {"stale_lookups", stale_},
          {"refused_addresses", refused_addresses_},
          {"address_changes", address_changes_},
          {"most_in_flight", most_sent_}};
}

}  // namespace blackout
