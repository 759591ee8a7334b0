// Counts over the records of one or more MRT files: records per type, prefix records
// (RIB entries, announcements, withdrawals), distinct prefixes and peers. What
// `blackout bgp read --format summary` prints.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>

#include "bgp/bgpdump_lines.hpp"
#include "bgp/mrt_reader.hpp"
#include "bgp/mrt_record.hpp"

namespace blackout::bgp {

class MrtSummary {
 public:
  // Counts what `record` says about prefixes the filter accepts.
  void add(const MrtRecord& record, const PrefixFilter& filter);
  // Adds a finished reader's record counts (decoded and skipped) and error count.
  void add_reader(const MrtReaderStats& stats, std::uint64_t decompressed_bytes);

  [[nodiscard]] std::uint64_t rib_entries() const { return rib_entries_; }
  [[nodiscard]] std::uint64_t announcements() const { return announcements_; }
  [[nodiscard]] std::uint64_t withdrawals() const { return withdrawals_; }
  [[nodiscard]] std::uint64_t state_changes() const { return state_changes_; }
  [[nodiscard]] std::size_t distinct_prefixes() const { return prefixes_.size(); }
  [[nodiscard]] std::size_t distinct_peers() const { return peers_.size(); }
  [[nodiscard]] const std::map<std::string, std::uint64_t>& records_by_type() const { return records_by_type_; }

  // Human-readable, one "name: value" per line.
  [[nodiscard]] std::string text() const;

 private:
  void count_prefix(const NlriPrefix& prefix);
  void count_peer(const IpAddress& address, std::uint32_t asn);

  std::map<std::string, std::uint64_t> records_by_type_;
  std::uint64_t records_ = 0, skipped_ = 0, errors_ = 0, bytes_ = 0;
  std::uint64_t rib_entries_ = 0, announcements_ = 0, withdrawals_ = 0, state_changes_ = 0, cut_short_ = 0;
  std::unordered_set<std::string> prefixes_;
  std::unordered_set<std::string> peers_;
};

}  // namespace blackout::bgp
