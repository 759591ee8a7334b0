// Summary counts; see mrt_summary.hpp.
#include "bgp/mrt_summary.hpp"

#include "bgp/mrt_parse.hpp"

namespace blackout::bgp {
namespace {

std::string address_key(const IpAddress& address) {
  const std::size_t width = address.is_v4() ? 4 : 16;
  std::string key(1, address.is_v4() ? '4' : '6');
  key.append(reinterpret_cast<const char*>(address.bytes.data()), width);
  return key;
}

}  // namespace

void MrtSummary::count_prefix(const NlriPrefix& prefix) {
  std::string key = address_key(prefix.prefix().address);
  key += static_cast<char>(prefix.length);
  prefixes_.insert(std::move(key));
}

void MrtSummary::count_peer(const IpAddress& address, std::uint32_t asn) {
  std::string key = address_key(address);
  key.append(reinterpret_cast<const char*>(&asn), sizeof asn);
  peers_.insert(std::move(key));
}

void MrtSummary::add(const MrtRecord& record, const PrefixFilter& filter) {
  if (const auto* rib = std::get_if<RibRecord>(&record.body)) {
    if (!filter.accepts(rib->prefix)) return;
    count_prefix(rib->prefix);
    rib_entries_ += rib->entries.size();
    for (const RibEntry& entry : rib->entries) count_peer(entry.peer.address, entry.peer.asn);
  } else if (const auto* dump = std::get_if<TableDumpRecord>(&record.body)) {
    if (!filter.accepts(dump->prefix)) return;
    count_prefix(dump->prefix);
    ++rib_entries_;
    count_peer(dump->peer_address, dump->peer_as);
  } else if (const auto* state = std::get_if<StateChange>(&record.body)) {
    if (!filter.prefixes.empty()) return;
    ++state_changes_;
    count_peer(state->session.peer_address, state->session.peer_as);
  } else if (const auto* message = std::get_if<BgpMessage>(&record.body)) {
    if (!message->update) return;
    const UpdateMessage& u = *message->update;
    cut_short_ += u.prefixes_cut_short;
    const auto& a = u.attributes;
    bool any = false;
    const auto count = [&](const NlriPrefix& prefix, std::uint64_t& counter) {
      if (!filter.accepts(prefix)) return;
      count_prefix(prefix);
      ++counter;
      any = true;
    };
    for (const NlriPrefix& prefix : u.withdrawn) count(prefix, withdrawals_);
    if (a.mp_unreach && a.mp_unreach->decoded)
      for (const NlriPrefix& prefix : a.mp_unreach->prefixes) count(prefix, withdrawals_);
    for (const NlriPrefix& prefix : u.announced) count(prefix, announcements_);
    if (a.mp_reach && a.mp_reach->decoded)
      for (const NlriPrefix& prefix : a.mp_reach->prefixes) count(prefix, announcements_);
    if (any || filter.prefixes.empty()) count_peer(message->session.peer_address, message->session.peer_as);
  }
}

void MrtSummary::add_reader(const MrtReaderStats& stats, std::uint64_t decompressed_bytes) {
  for (const auto& [key, count] : stats.by_type) {
    std::string name = record_type_name(key.first, key.second);
    if (!is_decoded(key.first, key.second)) name += " (skipped)";
    records_by_type_[name] += count;
  }
  records_ += stats.records;
  skipped_ += stats.skipped;
  errors_ += stats.errors;
  bytes_ += decompressed_bytes;
}

std::string MrtSummary::text() const {
  std::string out;
  const auto line = [&](const std::string& name, std::uint64_t value) { out += name + ": " + std::to_string(value) + "\n"; };
  line("bytes (decompressed)", bytes_);
  line("records", records_);
  for (const auto& [name, count] : records_by_type_) line("  " + name, count);
  line("records skipped (types not decoded)", skipped_);
  line("records with errors", errors_);
  line("RIB entries", rib_entries_);
  line("announcements", announcements_);
  line("withdrawals", withdrawals_);
  line("state changes", state_changes_);
  line("prefixes cut short in UPDATEs (dropped)", cut_short_);
  line("distinct prefixes", prefixes_.size());
  line("distinct peers", peers_.size());
  return out;
}

}  // namespace blackout::bgp
