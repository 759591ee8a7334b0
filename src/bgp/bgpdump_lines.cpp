// bgpdump -m lines; see bgpdump_lines.hpp. The field rules (what is printed when an
// attribute is absent, which next hop goes where, signed numbers for IPv4 MP_REACH routes,
// the 8 KiB cap on the communities text) follow bgpdump 1.6's bgpdump.c so that the outputs
// compare equal; docs/bgp.md says where blackout departs from it and why.
#include "bgp/bgpdump_lines.hpp"

#include <charconv>

namespace blackout::bgp {
namespace {

void append_uint(std::string& out, std::uint64_t value) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  out.append(text, end);
}

void append_int(std::string& out, std::int64_t value) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  out.append(text, end);
}

void append_ipv4(std::string& out, const std::uint8_t* bytes) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out += '.';
    append_uint(out, bytes[i]);
  }
}

// bgpdump's fmt_ipv6 (inet_ntop.c): the longest run of zero groups (the first of equal
// ones, even a single group) becomes "::"; ::ffff:a.b.c.d and ::a.b.c.d keep dotted form.
void append_ipv6(std::string& out, const std::uint8_t* bytes) {
  bool first_96_zero = true;
  for (int i = 0; i < 12; ++i) first_96_zero = first_96_zero && bytes[i] == 0;
  const bool mapped = [&] {
    for (int i = 0; i < 10; ++i)
      if (bytes[i] != 0) return false;
    return bytes[10] == 0xff && bytes[11] == 0xff;
  }();
  const std::uint32_t last =
      (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) | (std::uint32_t{bytes[14]} << 8) | bytes[15];
  if (mapped || (first_96_zero && last > 1)) {
    out += mapped ? "::ffff:" : "::";
    append_ipv4(out, bytes + 12);
    return;
  }
  std::uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<std::uint16_t>((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  int best = -1;
  int best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best = i;
      best_length = j - i;
    }
    i = j;
  }
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      if (i == 0) out += ':';
      out += ':';
      i += best_length - 1;
      continue;
    }
    const std::uint16_t g = groups[i];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int digit = (g >> shift) & 0xf;
      if (digit != 0 || started || shift == 0) {
        out += hex[digit];
        started = true;
      }
    }
    if (i != 7) out += ':';
  }
}

void append_prefix(std::string& out, const NlriPrefix& prefix) {
  append_bgpdump_address(out, prefix.address);
  out += '/';
  append_uint(out, prefix.length);
}

// "peer|peer_as|": the two fields every line names its peer by.
void append_peer(std::string& out, const IpAddress& address, std::uint32_t asn) {
  append_bgpdump_address(out, address);
  out += '|';
  append_uint(out, asn);
  out += '|';
}

const char* origin_name(std::uint8_t origin) {
  if (origin == 0) return "IGP";
  if (origin == 1) return "EGP";
  return "INCOMPLETE";  // also when ORIGIN is absent, as bgpdump prints it
}

char segment_delimiter(std::uint8_t type, bool start) {
  switch (type) {
    case as_segment::set: return start ? '{' : '}';
    case as_segment::confed_set: return start ? '[' : ']';
    case as_segment::confed_sequence: return start ? '(' : ')';
    default: return ' ';
  }
}

// bgpdump builds this text in a BUFSIZ (8 KiB) buffer with strlcat and snprintf: a
// well-known community that would not fit is left out, a numeric one is cut.
void append_communities(std::string& out, const std::vector<std::uint32_t>& communities) {
  constexpr std::size_t cap = 8192;
  std::string text;
  for (const std::uint32_t community : communities) {
    const char* name = community == 0xFFFFFF01U   ? " no-export"
                       : community == 0xFFFFFF02U ? " no-advertise"
                       : community == 0xFFFFFF03U ? " local-AS"
                                                  : nullptr;
    if (name != nullptr) {
      const std::string_view word(name);
      if (text.size() + word.size() < cap) text += word;
      continue;
    }
    std::string word = " ";
    append_uint(word, community >> 16);
    word += ':';
    append_uint(word, community & 0xffffU);
    if (text.size() + 1 < cap) text.append(word, 0, std::min(word.size(), cap - 1 - text.size()));
  }
  if (!text.empty()) out.append(text, 1);
}

enum class Numbers : std::uint8_t { unsigned_, signed_ };

// The fields after the prefix (and path id): as_path|origin|next_hop|local_pref|med|communities|AG|aggregator|
void append_route_fields(std::string& out, const PathAttributes& a, const IpAddress* next_hop, Numbers numbers) {
  append_as_path(out, a.as_path);
  out += '|';
  out += origin_name(a.origin);
  out += '|';
  if (next_hop != nullptr) append_bgpdump_address(out, *next_hop);
  else out += "255.255.255.255";  // bgpdump's INADDR_NONE: no next hop at all
  out += '|';
  const std::uint32_t local_pref = a.has(attribute::local_pref) ? a.local_pref : 0;
  const std::uint32_t med = a.has(attribute::multi_exit_disc) ? a.med : 0;
  if (numbers == Numbers::signed_) {
    append_int(out, static_cast<std::int32_t>(local_pref));
    out += '|';
    append_int(out, static_cast<std::int32_t>(med));
  } else {
    append_uint(out, local_pref);
    out += '|';
    append_uint(out, med);
  }
  out += '|';
  if (a.has(attribute::communities)) append_communities(out, a.communities);
  out += a.has(attribute::atomic_aggregate) ? "|AG|" : "|NAG|";
  if (a.aggregator && a.aggregator->address != IpAddress::v4(0xffffffffU)) {
    append_uint(out, a.aggregator->asn);
    out += ' ';
    append_bgpdump_address(out, a.aggregator->address);
  }
  out += "|\n";
}

// The next hop of a RIB entry: MP_REACH's IPv6 next hop if there is one, else NEXT_HOP.
const IpAddress* rib_next_hop(const PathAttributes& a) {
  const auto& mp = a.mp_reach;
  const bool mp_v6 = mp && mp->next_hop && !mp->next_hop->is_v4();
  if (mp_v6 && (mp->abbreviated || (mp->afi == afi_ipv6 && mp->safi == 1))) return &*mp->next_hop;
  if (a.has(attribute::next_hop)) return &a.next_hop;
  if (mp && mp->next_hop) return &*mp->next_hop;
  return nullptr;
}

void append_time(std::string& out, const MrtHeader& header) {
  append_uint(out, header.timestamp);
  if (header.type == mrt_type::bgp4mp_et) {
    out += '.';
    char digits[16];
    const auto end = std::to_chars(digits, digits + sizeof digits, header.microseconds).ptr;
    for (auto width = end - digits; width < 6; ++width) out += '0';
    out.append(digits, end);
  }
}

std::size_t table_dump_lines(const MrtRecord& record, const TableDumpRecord& r, const PrefixFilter& filter, std::string& out) {
  if (!filter.accepts(r.prefix)) return 0;
  out += "TABLE_DUMP|";
  append_time(out, record.header);
  out += "|B|";
  append_peer(out, r.peer_address, r.peer_as);
  append_prefix(out, r.prefix);
  out += '|';
  append_route_fields(out, r.attributes, rib_next_hop(r.attributes), Numbers::unsigned_);
  return 1;
}

std::size_t rib_lines(const MrtRecord& record, const RibRecord& r, const PrefixFilter& filter, std::string& out) {
  if (r.safi != 1 || !filter.accepts(r.prefix)) return 0;  // bgpdump prints no multicast RIBs
  for (const RibEntry& entry : r.entries) {
    out += r.add_path ? "TABLE_DUMP2_AP|" : "TABLE_DUMP2|";
    append_time(out, record.header);
    out += "|B|";
    append_peer(out, entry.peer.address, entry.peer.asn);
    append_prefix(out, r.prefix);
    out += '|';
    if (r.add_path) {
      append_uint(out, entry.path_id);
      out += '|';
    }
    append_route_fields(out, entry.attributes, rib_next_hop(entry.attributes), Numbers::unsigned_);
  }
  return r.entries.size();
}

std::size_t state_lines(const MrtRecord& record, const StateChange& s, const PrefixFilter& filter, std::string& out) {
  if (!filter.prefixes.empty()) return 0;
  out += record.header.type == mrt_type::bgp4mp_et ? "BGP4MP_ET|" : "BGP4MP|";
  append_time(out, record.header);
  out += "|STATE|";
  append_peer(out, s.session.peer_address, s.session.peer_as);
  append_uint(out, s.old_state);
  out += '|';
  append_uint(out, s.new_state);
  out += '\n';
  return 1;
}

std::size_t update_lines(const MrtRecord& record, const BgpMessage& m, const PrefixFilter& filter, std::string& out) {
  if (!m.update) return 0;
  const UpdateMessage& u = *m.update;
  const PathAttributes& a = u.attributes;
  std::string head = record.header.type == mrt_type::bgp4mp_et ? "BGP4MP_ET" : "BGP4MP";
  if (m.local) head += "_LOCAL";
  if (m.add_path) head += "_AP";
  head += '|';
  append_time(head, record.header);
  std::string peer = "|";
  append_peer(peer, m.session.peer_address, m.session.peer_as);
  std::size_t lines = 0;

  const auto withdraw = [&](const NlriPrefix& prefix) {
    if (!filter.accepts(prefix)) return;
    out += head;
    out += "|W";
    out += peer;
    append_prefix(out, prefix);
    if (m.add_path) {
      out += '|';
      append_uint(out, prefix.path_id);
    }
    out += '\n';
    ++lines;
  };
  const auto announce = [&](const NlriPrefix& prefix, const IpAddress* next_hop, Numbers numbers) {
    if (!filter.accepts(prefix)) return;
    out += head;
    out += "|A";
    out += peer;
    append_prefix(out, prefix);
    out += '|';
    if (m.add_path) {
      append_uint(out, prefix.path_id);
      out += '|';
    }
    append_route_fields(out, a, next_hop, numbers);
    ++lines;
  };

  for (const NlriPrefix& prefix : u.withdrawn) withdraw(prefix);
  if (a.mp_unreach && a.mp_unreach->decoded)
    for (const NlriPrefix& prefix : a.mp_unreach->prefixes) withdraw(prefix);
  const IpAddress* classic_next_hop = a.has(attribute::next_hop) ? &a.next_hop : nullptr;
  for (const NlriPrefix& prefix : u.announced) announce(prefix, classic_next_hop, Numbers::unsigned_);
  if (a.mp_reach && a.mp_reach->decoded && !a.mp_reach->abbreviated) {
    const IpAddress* next_hop = a.mp_reach->next_hop ? &*a.mp_reach->next_hop : nullptr;
    // bgpdump prints local_pref and med of IPv4 MP_REACH routes with %d.
    const Numbers numbers = a.mp_reach->afi == afi_ipv4 ? Numbers::signed_ : Numbers::unsigned_;
    for (const NlriPrefix& prefix : a.mp_reach->prefixes) announce(prefix, next_hop, numbers);
  }
  return lines;
}

}  // namespace

bool PrefixFilter::accepts(const NlriPrefix& candidate) const {
  if (prefixes.empty()) return true;
  const Prefix p = candidate.prefix();
  for (const Prefix& wanted : prefixes) {
    if (wanted.address.family != p.address.family) continue;
    if (wanted == p) return true;
    if (match == PrefixMatch::more_specific && wanted.contains(p)) return true;
    if (match == PrefixMatch::covering && p.contains(wanted)) return true;
  }
  return false;
}

void append_bgpdump_address(std::string& out, const IpAddress& address) {
  if (address.is_v4()) append_ipv4(out, address.bytes.data());
  else append_ipv6(out, address.bytes.data());
}

void append_as_path(std::string& out, const std::vector<AsPathSegment>& path) {
  // bgpdump's process_attr_aspath_string: an 8000-byte buffer, cut with "..." near its end.
  constexpr std::size_t limit = 8000 - 100;
  const std::size_t start = out.size();
  bool space = false;
  std::uint8_t previous = as_segment::sequence;
  for (const AsPathSegment& segment : path) {
    if (previous != as_segment::sequence) out += segment_delimiter(previous, false);
    if (space) out += ' ';
    if (segment.type != as_segment::sequence) out += segment_delimiter(segment.type, true);
    space = false;
    const bool set = segment.type == as_segment::set || segment.type == as_segment::confed_set;
    for (const std::uint32_t asn : segment.asns) {
      if (space) out += set ? ',' : ' ';
      space = true;
      append_uint(out, asn);
      if (out.size() - start > limit) {
        out += "...";
        return;
      }
    }
    previous = segment.type;
  }
  if (!path.empty() && path.back().type != as_segment::sequence) out += segment_delimiter(path.back().type, false);
}

std::size_t append_bgpdump_lines(const MrtRecord& record, const PrefixFilter& filter, std::string& out) {
  return std::visit(
      [&](const auto& body) -> std::size_t {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, TableDumpRecord>) return table_dump_lines(record, body, filter, out);
        else if constexpr (std::is_same_v<Body, RibRecord>) return rib_lines(record, body, filter, out);
        else if constexpr (std::is_same_v<Body, StateChange>) return state_lines(record, body, filter, out);
        else if constexpr (std::is_same_v<Body, BgpMessage>) return update_lines(record, body, filter, out);
        else return 0;
      },
      record.body);
}

}  // namespace blackout::bgp
