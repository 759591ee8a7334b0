// The bgp checks answered from MRT archives; see archive_feed.hpp.
#include "bgp/archive_feed.hpp"

#include <algorithm>
#include <memory>

#include "bgp/message.hpp"
#include "bgp/visibility.hpp"

namespace blackout::bgp {
namespace {

// Between two records further apart than this, nothing is answered: the archive says
// nothing about that time (files of different days given together).
constexpr Duration max_gap = std::chrono::hours(6);
constexpr std::uint16_t established = 6;

Timestamp time_of(const MrtRecord& record) {
  return Timestamp{std::chrono::seconds(record.header.timestamp) + std::chrono::microseconds(record.header.microseconds)};
}

// The first multiple of `interval` since the epoch at or after `at`.
Timestamp aligned_up(Timestamp at, Duration interval) {
  const auto step = std::max<Duration::rep>(interval.count(), 1);
  const auto since = at.time_since_epoch().count();
  return Timestamp{Duration{(since + step - 1) / step * step}};
}

bool overlaps(const Prefix& a, const Prefix& b) { return a.contains(b) || b.contains(a); }

// Writers name no peer with an unspecified address: BIRD's peer index lists its own table
// that way, and its state changes say 0.0.0.0 before a connection has an address.
bool is_unspecified(const IpAddress& address) {
  return std::all_of(address.bytes.begin(), address.bytes.begin() + (address.is_v4() ? 4 : 16),
                     [](std::uint8_t b) { return b == 0; });
}

}  // namespace

ArchiveFeed::ArchiveFeed(const std::vector<Target>& targets, std::string vantage, Duration settle)
    : targets_(targets), vantage_(std::move(vantage)), settle_(settle) {
  for (const Target& target : targets_)
    for (const Check& check : target.checks)
      if (check.kind == CheckKind::bgp) checks_.push_back(ScheduledCheck{&target, &check, Timestamp{}, std::nullopt});
}

void ArchiveFeed::add(const MrtRecord& record, std::vector<Result>& out) {
  ++counters_.records;
  const Timestamp at = time_of(record);
  if (last_ && at < *last_) {
    // Applied where it belongs in the table, but the answers already given stand.
    ++counters_.out_of_order;
    apply(record, *last_);
    return;
  }
  // A dump is a snapshot, however many seconds its records span: nothing is answered while
  // it is read, and it is over when something else comes (or the next dump's index).
  const bool continues_dump =
      std::holds_alternative<RibRecord>(record.body) || std::holds_alternative<TableDumpRecord>(record.body);
  if (in_dump_ && continues_dump) {
    last_ = at;
    apply(record, at);
    return;
  }
  if (in_dump_) end_dump();
  if (!first_) {
    first_ = at;
    for (ScheduledCheck& c : checks_) c.next_due = at;
  } else if (at - *last_ > max_gap) {
    ++counters_.gaps;
    answer_until(*last_, true, out);
    for (ScheduledCheck& c : checks_) c.next_due = at;
  }
  answer_until(at, false, out);
  last_ = at;
  apply(record, at);
}

void ArchiveFeed::finish(std::vector<Result>& out) {
  if (in_dump_) end_dump();
  if (!last_) return;
  answer_until(*last_, true, out);
  // And once at the very end, so that the table as the archive leaves it is told (a lone
  // RIB dump, or the last records after the last round time).
  for (ScheduledCheck& c : checks_) {
    if (c.answered && *c.answered >= *last_) continue;
    settle_until(*last_);
    out.push_back(answer(c, *last_));
    ++counters_.results;
    c.answered = *last_;
  }
}

void ArchiveFeed::answer_until(Timestamp until, bool inclusive, std::vector<Result>& out) {
  for (;;) {
    ScheduledCheck* next = nullptr;
    for (ScheduledCheck& c : checks_)
      if ((inclusive ? c.next_due <= until : c.next_due < until) && (!next || c.next_due < next->next_due)) next = &c;
    if (!next) return;
    settle_until(next->next_due);
    out.push_back(answer(*next, next->next_due));
    ++counters_.results;
    next->answered = next->next_due;
    // Then on round times: the first multiple of the interval after this answer.
    next->next_due = aligned_up(next->next_due + Duration(1), std::max<Duration>(next->check->interval, std::chrono::seconds(1)));
  }
}

Result ArchiveFeed::answer(const ScheduledCheck& scheduled, Timestamp at) const {
  const auto& params = std::get<BgpParams>(scheduled.check->params);
  const auto counts = [&](const std::string& key) {
    const auto it = peers_.find(key);
    return it != peers_.end() && it->second.known_table && it->second.established && !it->second.settles_at;
  };
  std::size_t counting = 0, down = 0;
  for (const auto& [key, p] : peers_) {
    counting += counts(key) ? 1 : 0;
    down += p.established ? 0 : 1;
  }
  Result result = to_result(visibility(rib_, params, counting, counts), params);
  if (result.outcome == Outcome::no_session) {
    result.detail = peers_.empty() ? "no peer in the archive yet"
                    : down > 0 ? "no peer with a known table: " + std::to_string(down) + " of " + std::to_string(peers_.size()) +
                                     " peers' sessions down at the collector, the others not settled or not in a RIB dump"
                               : "no peer with a known table: give a RIB dump before the updates";
  }
  result.time = at;
  result.vantage = vantage_;
  result.target = scheduled.target->name;
  result.check = scheduled.check->id;
  result.kind = CheckKind::bgp;
  return result;
}

void ArchiveFeed::settle_until(Timestamp now) {
  for (auto& [key, p] : peers_) {
    if (!p.settles_at || *p.settles_at > now) continue;
    rib_.sweep_stale(key, p.generation, afi_ipv4);
    rib_.sweep_stale(key, p.generation, afi_ipv6);
    p.known_table = true;
    p.settles_at.reset();
  }
}

void ArchiveFeed::end_dump() {
  in_dump_ = false;
  // A dump is one snapshot: answered after it, not at moments inside it.
  if (last_)
    for (ScheduledCheck& c : checks_)
      if (c.next_due <= *last_)
        c.next_due = aligned_up(*last_ + Duration(1), std::max<Duration>(c.check->interval, std::chrono::seconds(1)));
  for (auto& [key, p] : peers_) {
    if (!p.in_dump) continue;
    // The dump is the peer's whole table: what it no longer holds is gone.
    rib_.sweep_stale(key, p.generation, afi_ipv4);
    rib_.sweep_stale(key, p.generation, afi_ipv6);
    p.in_dump = false;
    p.known_table = true;
    p.established = true;
    p.settles_at.reset();
  }
}

void ArchiveFeed::apply(const MrtRecord& record, Timestamp at) {
  // Only paths a check can ask about are kept: a full table of a large collector stays out of
  // memory.
  const auto relevant = [&](const Prefix& prefix, const PathAttributes& attributes) {
    for (const ScheduledCheck& c : checks_) {
      const auto& params = std::get<BgpParams>(c.check->params);
      if (params.prefix ? overlaps(*params.prefix, prefix)
                        : params.origin_as && origin_as(attributes.as_path) == params.origin_as)
        return true;
    }
    return false;
  };
  const auto begin_dump = [&] {
    if (in_dump_) return;
    in_dump_ = true;
    ++counters_.dumps;
  };
  const auto in_this_dump = [&](const std::string& key) -> Peer& {
    Peer& p = peers_[key];
    if (!p.in_dump) {
      p.in_dump = true;
      ++p.generation;
    }
    return p;
  };
  if (const auto* index = std::get_if<PeerIndexTable>(&record.body)) {
    begin_dump();
    for (const PeerEntry& entry : index->peers)
      if (!is_unspecified(entry.address)) in_this_dump(entry.address.to_string());
  } else if (const auto* rib = std::get_if<RibRecord>(&record.body)) {
    if (rib->safi != 1) return;
    begin_dump();
    const Prefix prefix = rib->prefix.prefix();
    for (const RibEntry& entry : rib->entries) {
      ++counters_.rib_entries;
      if (is_unspecified(entry.peer.address)) continue;
      const std::string key = entry.peer.address.to_string();
      Peer& p = in_this_dump(key);
      if (relevant(prefix, entry.attributes))
        rib_.announce(key, prefix, entry.path_id, std::make_shared<const PathAttributes>(entry.attributes), p.generation);
    }
  } else if (const auto* v1 = std::get_if<TableDumpRecord>(&record.body)) {
    begin_dump();
    ++counters_.rib_entries;
    const std::string key = v1->peer_address.to_string();
    Peer& p = in_this_dump(key);
    const Prefix prefix = v1->prefix.prefix();
    if (relevant(prefix, v1->attributes))
      rib_.announce(key, prefix, 0, std::make_shared<const PathAttributes>(v1->attributes), p.generation);
  } else if (const auto* change = std::get_if<StateChange>(&record.body)) {
    ++counters_.state_changes;
    if (is_unspecified(change->session.peer_address)) return;
    Peer& p = peers_[change->session.peer_address.to_string()];
    if (change->new_state == established && change->old_state != established) {
      // Back (or seen for the first time): its table is re-sent now and counts once settled.
      p.established = true;
      ++p.generation;
      p.settles_at = at + settle_;
    } else if (change->old_state == established && change->new_state != established) {
      ++counters_.sessions_lost;
      p.established = false;
      p.settles_at.reset();
    }
  } else if (const auto* message = std::get_if<BgpMessage>(&record.body)) {
    if (message->local || message->type != bgp_message_type::update || !message->update) return;
    const UpdateMessage& update = *message->update;
    const std::string key = message->session.peer_address.to_string();
    Peer& p = peers_[key];
    if (end_of_rib(update)) {
      if (p.settles_at) p.settles_at = at;  // its table is all there: it counts from now
      return;
    }
    for_each_route(
        update,
        [&](const NlriPrefix& prefix) {
          ++counters_.withdrawals;
          rib_.withdraw(key, prefix.prefix(), prefix.path_id);
        },
        [&](const NlriPrefix& nlri, SharedAttributes& attributes) {
          ++counters_.announcements;
          const Prefix prefix = nlri.prefix();
          if (relevant(prefix, attributes.raw())) rib_.announce(key, prefix, nlri.path_id, attributes.shared(), p.generation);
        });
  }
}

}  // namespace blackout::bgp
