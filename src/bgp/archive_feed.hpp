// The bgp checks answered from MRT archives instead of a live session: the records (in time
// order, see mrt_merge.hpp) are replayed into a Rib, and every bgp check of the targets is
// answered at each multiple of its interval in the archive's own time, exactly as the live
// BgpProbe answers it (visibility.hpp's to_result): at the first record's time, then on the
// multiples of the interval. The results go to the same store and
// detector as the monitor's, so `blackout analyze` and `blackout report` tell a past outage
// from a collector's files as they tell one watched live.
//
// Which peers count, since an archive has no End-of-RIB to wait for:
// - the peers of a RIB dump (TABLE_DUMP_V2 or TABLE_DUMP): a dump is each peer's whole table
//   then; a later dump replaces it (paths it no longer holds are gone);
// - a peer whose session at the collector comes up (a BGP4MP state change to Established)
//   once `settle` has passed, or its End-of-RIB has come: by then it has re-sent its table.
// A peer whose session goes down stops counting until then: a lost session is not a
// withdrawal. With no peer counting (updates without a dump before them) the answer is
// no-session.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bgp/mrt_record.hpp"
#include "bgp/rib.hpp"
#include "model/result.hpp"
#include "model/target.hpp"
#include "model/time.hpp"

namespace blackout::bgp {

struct ArchiveCounters {
  std::uint64_t records = 0;
  std::uint64_t dumps = 0;  // RIB dumps begun (PEER_INDEX_TABLEs, or TABLE_DUMP runs)
  std::uint64_t rib_entries = 0;
  std::uint64_t announcements = 0;
  std::uint64_t withdrawals = 0;
  std::uint64_t state_changes = 0;
  std::uint64_t sessions_lost = 0;  // state changes out of Established
  std::uint64_t out_of_order = 0;   // records older than one already replayed (applied, not answered for)
  std::uint64_t results = 0;
  std::uint64_t gaps = 0;  // stretches of over 6 h without a record: nothing answered for them
};

class ArchiveFeed {
 public:
  ArchiveFeed(const std::vector<Target>& targets, std::string vantage, Duration settle = std::chrono::minutes(2));
  ArchiveFeed(const ArchiveFeed&) = delete;  // its schedule points into its own targets
  ArchiveFeed& operator=(const ArchiveFeed&) = delete;

  // Answers the checks due before the record's time (on the table as it was), then applies
  // the record. Results are appended to `out` in time order.
  void add(const MrtRecord& record, std::vector<Result>& out);
  // Answers the checks due up to the last record's time.
  void finish(std::vector<Result>& out);

  [[nodiscard]] std::size_t checks() const { return checks_.size(); }
  [[nodiscard]] const ArchiveCounters& counters() const { return counters_; }
  [[nodiscard]] const Rib& rib() const { return rib_; }
  [[nodiscard]] std::optional<Timestamp> first_time() const { return first_; }
  [[nodiscard]] std::optional<Timestamp> last_time() const { return last_; }

 private:
  struct Peer {
    bool known_table = false;  // its whole table has been seen (a dump, or a settled session)
    bool established = true;   // no state change has said otherwise
    std::uint64_t generation = 1;
    std::optional<Timestamp> settles_at;  // after coming up: when its table counts again
    bool in_dump = false;                 // part of the dump being read
  };
  struct ScheduledCheck {
    const Target* target;
    const Check* check;
    Timestamp next_due;
    std::optional<Timestamp> answered;  // the last time answered for
  };

  void answer_until(Timestamp until, bool inclusive, std::vector<Result>& out);
  [[nodiscard]] Result answer(const ScheduledCheck& check, Timestamp at) const;
  void settle_until(Timestamp now);
  void end_dump();
  void apply(const MrtRecord& record, Timestamp at);

  std::vector<Target> targets_;
  std::string vantage_;
  Duration settle_;
  Rib rib_;
  std::map<std::string, Peer> peers_;
  std::vector<ScheduledCheck> checks_;
  bool in_dump_ = false;
  std::optional<Timestamp> first_, last_;
  ArchiveCounters counters_;
};

}  // namespace blackout::bgp
