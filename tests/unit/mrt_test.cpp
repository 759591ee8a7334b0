// The MRT reader against real collector archives (known counts), the bgpdump -m text of
// crafted records, compressed and concatenated streams, and broken inputs: cut at many
// offsets, bytes flipped. Broken input must give typed errors, never a crash.
#include <bzlib.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "bgp/bgpdump_lines.hpp"
#include "bgp/mrt_parse.hpp"
#include "bgp/mrt_reader.hpp"
#include "bgp/mrt_summary.hpp"
#include "bgp/path_attributes.hpp"

namespace blackout::bgp {
namespace {

using Bytes = std::vector<std::uint8_t>;

const std::filesystem::path data_dir = BLACKOUT_MRT_DATA_DIR;

// What `bgpdump -m` printed for each file (tests/data/mrt/README.md).
const std::map<std::string, std::size_t> expected_lines = {
    {"bview.20020722.2337.gz", 115521},     {"bview.64k_stream_overflow.gz", 23},      {"bview.ipv4_unicast_add_path.gz", 62},
    {"bview.ipv6_unicast_add_path.gz", 62}, {"updates.20020722.2238.gz", 3337},        {"updates.20070211.0141.gz", 53657},
    {"updates.20071015.1505.gz", 10496},    {"updates.20100722.2015.gz", 5654},        {"updates.20160811.1600.gz", 41234},
    {"updates.long_withdrawal.gz", 4096},   {"updates.nlri_mask_trailing_bits.gz", 1},
};

struct ReadResult {
  std::size_t records = 0;
  std::size_t lines = 0;
  std::string text;
  std::vector<MrtError> errors;
};

ReadResult read_all(MrtReader& reader, bool keep_text = true) {
  ReadResult result;
  const PrefixFilter everything;
  std::string scratch;
  for (int guard = 0; guard < 10'000'000; ++guard) {
    auto record = reader.next();
    if (!record) {
      result.errors.push_back(record.error());
      continue;
    }
    if (!*record) break;
    ++result.records;
    result.lines += append_bgpdump_lines(**record, everything, keep_text ? result.text : scratch);
    scratch.clear();
  }
  return result;
}

ReadResult read_bytes(const Bytes& bytes) {
  MrtReader reader(memory_source(bytes));
  return read_all(reader);
}

Bytes decompressed(const std::filesystem::path& path) {
  auto source = open_file_source(path);
  EXPECT_TRUE(source.ok());
  Bytes out;
  std::uint8_t chunk[65536];
  for (;;) {
    auto n = (*source)->read(chunk);
    EXPECT_TRUE(n.ok());
    if (!n || *n == 0) break;
    out.insert(out.end(), chunk, chunk + *n);
  }
  return out;
}

Bytes gzip(const Bytes& in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&z, static_cast<uLong>(in.size())) + 64);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes bzip2(const Bytes& in) {
  Bytes out(in.size() + in.size() / 100 + 1024);
  unsigned length = static_cast<unsigned>(out.size());
  BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &length,
                           const_cast<char*>(reinterpret_cast<const char*>(in.data())), static_cast<unsigned>(in.size()), 9, 0,
                           0);
  out.resize(length);
  return out;
}

// --- crafting records -------------------------------------------------------------------

void put16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}
void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }

Bytes record(std::uint32_t time, unsigned type, unsigned subtype, const Bytes& body) {
  Bytes b;
  put32(b, time);
  put16(b, type);
  put16(b, subtype);
  put32(b, static_cast<std::uint32_t>(body.size()));
  append(b, body);
  return b;
}

Bytes attribute(unsigned flags, unsigned type, const Bytes& value) {
  Bytes b{static_cast<std::uint8_t>(flags), static_cast<std::uint8_t>(type)};
  if (flags & 0x10) put16(b, static_cast<unsigned>(value.size()));
  else b.push_back(static_cast<std::uint8_t>(value.size()));
  append(b, value);
  return b;
}

// A BGP4MP_MESSAGE (2-byte ASes, IPv4 session) carrying an UPDATE.
Bytes bgp4mp_update(const Bytes& withdrawn, const Bytes& attributes, const Bytes& nlri, unsigned subtype = 1) {
  const bool as4 = subtype == 4;
  Bytes body;
  if (as4) {
    put32(body, 65001);
    put32(body, 65000);
  } else {
    put16(body, 65001);
    put16(body, 65000);
  }
  put16(body, 0);
  put16(body, 1);
  append(body, {198, 18, 0, 1, 198, 18, 0, 2});
  Bytes message(16, 0xff);
  const std::size_t length = 19 + 2 + withdrawn.size() + 2 + attributes.size() + nlri.size();
  put16(message, static_cast<unsigned>(length));
  message.push_back(2);
  put16(message, static_cast<unsigned>(withdrawn.size()));
  append(message, withdrawn);
  put16(message, static_cast<unsigned>(attributes.size()));
  append(message, attributes);
  append(message, nlri);
  append(body, message);
  return record(1000, 16, subtype, body);
}

std::string lines_of(const Bytes& bytes) {
  const ReadResult result = read_bytes(bytes);
  EXPECT_TRUE(result.errors.empty()) << (result.errors.empty() ? "" : result.errors.front().describe());
  return result.text;
}

// --- real archives ----------------------------------------------------------------------

TEST(MrtReaderRealFiles, EveryFileGivesBgpdumpsLineCountWithoutErrors) {
  ASSERT_TRUE(std::filesystem::exists(data_dir)) << data_dir << " is not there: the MRT files are part of the tests";
  for (const auto& [name, lines] : expected_lines) {
    auto reader = MrtReader::open(data_dir / name);
    ASSERT_TRUE(reader.ok()) << name << ": " << reader.error().message;
    EXPECT_EQ(reader->source().compression(), Compression::gzip) << name;
    const ReadResult result = read_all(*reader, false);
    EXPECT_EQ(result.lines, lines) << name;
    EXPECT_TRUE(result.errors.empty()) << name << ": " << (result.errors.empty() ? "" : result.errors.front().describe());
    EXPECT_GT(result.records, 0U) << name;
    EXPECT_EQ(reader->stats().errors, 0U) << name;
  }
}

TEST(MrtReaderRealFiles, RibDumpHasTheKnownShape) {
  ASSERT_TRUE(std::filesystem::exists(data_dir)) << data_dir;
  auto reader = MrtReader::open(data_dir / "bview.20020722.2337.gz");
  ASSERT_TRUE(reader.ok());
  MrtSummary summary;
  for (;;) {
    auto record = reader->next();
    ASSERT_TRUE(record.ok()) << record.error().describe();
    if (!*record) break;
    summary.add(**record, PrefixFilter{});
  }
  summary.add_reader(reader->stats(), reader->offset());
  EXPECT_EQ(summary.rib_entries(), 115521U);  // TABLE_DUMP v1: one record per prefix and peer
  EXPECT_EQ(reader->stats().by_type.at({12, 1}), 115521U);
  EXPECT_GT(summary.distinct_prefixes(), 10000U);
  EXPECT_LT(summary.distinct_peers(), 100U);
}

TEST(MrtReaderRealFiles, AddPathRibResolvesPeersAndPathIds) {
  ASSERT_TRUE(std::filesystem::exists(data_dir)) << data_dir;
  auto reader = MrtReader::open(data_dir / "bview.ipv6_unicast_add_path.gz");
  ASSERT_TRUE(reader.ok());
  auto first = reader->next();
  ASSERT_TRUE(first.ok() && first->has_value());
  ASSERT_TRUE(std::holds_alternative<PeerIndexTable>((*first)->body));
  EXPECT_EQ(std::get<PeerIndexTable>((*first)->body).view_name, "master");
  auto rib = reader->next();
  ASSERT_TRUE(rib.ok() && rib->has_value());
  const auto& r = std::get<RibRecord>((*rib)->body);
  EXPECT_TRUE(r.add_path);
  EXPECT_EQ(r.prefix.prefix().to_string(), "2001:db8:28::/48");
  ASSERT_EQ(r.entries.size(), 2U);
  EXPECT_EQ(r.entries[0].path_id, 59U);
  EXPECT_EQ(r.entries[0].peer.asn, 65017U);
}

TEST(MrtReaderRealFiles, Bzip2PlainAndConcatenatedGzipReadTheSame) {
  ASSERT_TRUE(std::filesystem::exists(data_dir)) << data_dir;
  const Bytes plain = decompressed(data_dir / "updates.20100722.2015.gz");
  const std::string expected = read_bytes(plain).text;
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(read_bytes(bzip2(plain)).text, expected);
  EXPECT_EQ(read_bytes(gzip(plain)).text, expected);
  // Two gzip members, split in the middle of a record: one stream, as gunzip reads it.
  const std::size_t half = plain.size() / 2 + 7;
  Bytes two = gzip(Bytes(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(half)));
  append(two, gzip(Bytes(plain.begin() + static_cast<std::ptrdiff_t>(half), plain.end())));
  EXPECT_EQ(read_bytes(two).text, expected);
  Bytes two_bz = bzip2(Bytes(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(half)));
  append(two_bz, bzip2(Bytes(plain.begin() + static_cast<std::ptrdiff_t>(half), plain.end())));
  EXPECT_EQ(read_bytes(two_bz).text, expected);
  MrtReader reader(memory_source(bzip2(plain)));
  EXPECT_EQ(reader.source().compression(), Compression::bzip2);
}

// --- broken inputs ----------------------------------------------------------------------

TEST(MrtBrokenInput, CutAtManyOffsetsEndsWithATruncationErrorAndKeepsWhatCameBefore) {
  ASSERT_TRUE(std::filesystem::exists(data_dir)) << data_dir;
  const Bytes plain = decompressed(data_dir / "updates.20020722.2238.gz");
  const std::string whole = read_bytes(plain).text;
  std::mt19937 random(8);
  for (int i = 0; i < 300; ++i) {
    const std::size_t cut = i < 100 ? static_cast<std::size_t>(i) : random() % plain.size();
    const Bytes head(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(cut));
    const ReadResult result = read_bytes(head);
    // Whatever was read is a prefix of the whole file's text.
    EXPECT_EQ(whole.compare(0, result.text.size(), result.text), 0) << "cut at " << cut;
    for (const MrtError& error : result.errors) {
      EXPECT_EQ(error.kind, MrtErrorKind::truncated) << error.describe();
      EXPECT_LE(error.offset, cut);
      EXPECT_FALSE(error.recoverable);
    }
  }
}

TEST(MrtBrokenInput, CutCompressedFilesSayTheCompressionIsTruncated) {
  ASSERT_TRUE(std::filesystem::exists(data_dir)) << data_dir;
  const Bytes plain = decompressed(data_dir / "updates.long_withdrawal.gz");
  for (const Bytes& packed : {gzip(plain), bzip2(plain)}) {
    for (std::size_t cut = 10; cut < packed.size(); cut += packed.size() / 37 + 1) {
      const ReadResult result = read_bytes(Bytes(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(cut)));
      ASSERT_FALSE(result.errors.empty()) << "cut at " << cut;
      EXPECT_TRUE(result.errors.back().kind == MrtErrorKind::io || result.errors.back().kind == MrtErrorKind::truncated)
          << result.errors.back().describe();
    }
  }
}

TEST(MrtBrokenInput, FlippedBytesGiveTypedErrorsAndReadingGoesOn) {
  ASSERT_TRUE(std::filesystem::exists(data_dir)) << data_dir;
  for (const char* name : {"updates.20160811.1600.gz", "bview.ipv4_unicast_add_path.gz", "bview.20020722.2337.gz"}) {
    Bytes plain = decompressed(data_dir / name);
    if (plain.size() > 400'000) plain.resize(400'000);
    std::mt19937 random(1125);
    std::size_t recovered = 0;
    for (int round = 0; round < 60; ++round) {
      Bytes damaged = plain;
      for (int flips = 0; flips < 1 + round % 5; ++flips)
        damaged[random() % damaged.size()] ^= static_cast<std::uint8_t>(1U << (random() % 8));
      const ReadResult result = read_bytes(damaged);
      for (const MrtError& error : result.errors) {
        EXPECT_FALSE(error.message.empty());
        EXPECT_LE(error.offset, damaged.size());
        if (error.recoverable) ++recovered;
      }
    }
    EXPECT_GT(recovered, 0U) << name << ": some damaged records should have been skipped over";
  }
}

TEST(MrtBrokenInput, AbsurdRecordLengthStopsTheStream) {
  Bytes bytes = record(1, 13, 2, {});
  bytes[8] = 0x7f;  // length 0x7f000000
  const ReadResult result = read_bytes(bytes);
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_EQ(result.errors[0].kind, MrtErrorKind::too_large);
  EXPECT_EQ(result.errors[0].offset, 0U);
}

TEST(MrtBrokenInput, MalformedRecordIsSkippedAndTheNextOneRead) {
  // An AS_PATH segment claiming more ASes than its attribute holds, then a good record.
  Bytes bad = bgp4mp_update({}, attribute(0x40, 2, {2, 5, 0, 1}), {24, 198, 18, 1});
  const Bytes good = bgp4mp_update({}, attribute(0x40, 1, {0}), {24, 198, 18, 2});
  append(bad, good);
  const ReadResult result = read_bytes(bad);
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_EQ(result.errors[0].kind, MrtErrorKind::malformed);
  EXPECT_TRUE(result.errors[0].recoverable);
  EXPECT_NE(result.errors[0].message.find("AS_PATH"), std::string::npos) << result.errors[0].message;
  EXPECT_EQ(result.errors[0].offset, 12U + 16 + 19 + 2 + 2 + 3);  // the segment header
  EXPECT_EQ(result.lines, 1U);
  EXPECT_NE(result.text.find("198.18.2.0/24"), std::string::npos);
}

TEST(MrtBrokenInput, PrefixTooLongAndPeerIndexOutOfRangeAreErrors) {
  EXPECT_EQ(read_bytes(bgp4mp_update({}, {}, {33, 1, 2, 3, 4, 5})).errors.size(), 1U);
  Bytes rib;
  put32(rib, 0);
  append(rib, {8, 10});
  put16(rib, 1);
  put16(rib, 0);  // peer 0, but no PEER_INDEX_TABLE
  put32(rib, 0);
  put16(rib, 0);
  const ReadResult result = read_bytes(record(1, 13, 2, rib));
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_NE(result.errors[0].message.find("PEER_INDEX_TABLE"), std::string::npos);
}

TEST(MrtReader, UnknownTypesAreSkippedAndCounted) {
  Bytes bytes = record(5, 99, 3, {1, 2, 3});
  append(bytes, record(5, 13, 6, {1, 2, 3, 4}));  // RIB_GENERIC: not decoded
  append(bytes, bgp4mp_update({}, {}, {}));
  MrtReader reader(memory_source(bytes));
  const ReadResult result = read_all(reader);
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.records, 1U);
  EXPECT_EQ(reader.stats().skipped, 2U);
  EXPECT_EQ(reader.stats().records, 3U);
  EXPECT_EQ(reader.stats().by_type.at({99, 3}), 1U);
}

// --- the bgpdump -m text ---------------------------------------------------------------

std::string ipv6(const std::string& text) {
  std::string out;
  append_bgpdump_address(out, *IpAddress::parse(text));
  return out;
}

TEST(MrtLines, Ipv6AddressesAsBgpdumpPrintsThem) {
  // bgpdump's own test cases (inet_ntop.c), and a single zero group compressed.
  EXPECT_EQ(ipv6("fe80::"), "fe80::");
  EXPECT_EQ(ipv6("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(ipv6("::ffff:192.168.2.1"), "::ffff:192.168.2.1");
  EXPECT_EQ(ipv6("::192.168.1.2"), "::192.168.1.2");
  EXPECT_EQ(ipv6("2001:7f8:30:0:2:1:0:8447"), "2001:7f8:30::2:1:0:8447");
  EXPECT_EQ(ipv6("::"), "::");
  EXPECT_EQ(ipv6("::1"), "::1");
}

TEST(MrtLines, AsPathSegmentsAsBgpdumpPrintsThem) {
  std::string out;
  append_as_path(out, {{as_segment::sequence, {1, 2}},
                       {as_segment::set, {3, 4}},
                       {as_segment::confed_sequence, {5, 6}},
                       {as_segment::confed_set, {7}}});
  EXPECT_EQ(out, "1 2 {3,4} (5 6) [7]");
}

TEST(MrtLines, As4PathIsMergedForTwoByteSessions) {
  // AS_PATH 1 23456 23456, AS4_PATH 70000 80000: the path is 1 70000 80000.
  Bytes attrs = attribute(0x40, 1, {0});
  append(attrs, attribute(0x40, 2, {2, 3, 0, 1, 0x5b, 0xa0, 0x5b, 0xa0}));
  append(attrs, attribute(0x40, 3, {198, 18, 0, 1}));
  Bytes as4{2, 2};
  put32(as4, 70000);
  put32(as4, 80000);
  append(attrs, attribute(0xc0, 17, as4));
  append(attrs, attribute(0xc0, 8, {0xff, 0xff, 0xff, 0x01, 0x00, 0x64, 0x00, 0x0a}));
  append(attrs, attribute(0x40, 6, {}));
  append(attrs, attribute(0xc0, 7, {0x5b, 0xa0, 10, 0, 0, 1}));
  Bytes as4_aggregator;
  put32(as4_aggregator, 70000);
  append(as4_aggregator, {10, 0, 0, 1});
  append(attrs, attribute(0xc0, 18, as4_aggregator));
  EXPECT_EQ(
      lines_of(bgp4mp_update({16, 10, 1}, attrs, {24, 198, 18, 64})),
      "BGP4MP|1000|W|198.18.0.1|65001|10.1.0.0/16\n"
      "BGP4MP|1000|A|198.18.0.1|65001|198.18.64.0/24|1 70000 80000|IGP|198.18.0.1|0|0|no-export 100:10|AG|70000 10.0.0.1|\n");
}

TEST(MrtLines, Ipv6MpReachAndUnreachAndTrailingBits) {
  Bytes reach;
  put16(reach, 2);
  reach.push_back(1);
  reach.push_back(16);
  append(reach, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  reach.push_back(0);
  append(reach, {48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01});
  Bytes unreach;
  put16(unreach, 2);
  unreach.push_back(1);
  append(unreach, {32, 0x20, 0x01, 0x0d, 0xb9});
  Bytes attrs = attribute(0x40, 1, {2});
  append(attrs, attribute(0x90, 14, reach));
  append(attrs, attribute(0x90, 15, unreach));
  append(attrs, attribute(0x40, 5, {0, 0, 0, 100}));
  EXPECT_EQ(lines_of(bgp4mp_update({}, attrs, {13, 11, 13}, 4)),
            "BGP4MP|1000|W|198.18.0.1|65001|2001:db9::/32\n"
            "BGP4MP|1000|A|198.18.0.1|65001|11.13.0.0/13||INCOMPLETE|255.255.255.255|100|0||NAG||\n"
            "BGP4MP|1000|A|198.18.0.1|65001|2001:db8:1::/48||INCOMPLETE|2001:db8::1|100|0||NAG||\n");
}

TEST(MrtLines, ExtendedTimestampStateChange) {
  Bytes body;
  put32(body, 45);  // microseconds
  put16(body, 65001);
  put16(body, 65000);
  put16(body, 0);
  put16(body, 1);
  append(body, {198, 18, 0, 1, 198, 18, 0, 2});
  put16(body, 3);
  put16(body, 6);
  EXPECT_EQ(lines_of(record(1234, 17, 0, body)), "BGP4MP_ET|1234.000045|STATE|198.18.0.1|65001|3|6\n");
}

TEST(MrtLines, PrefixFilterMatchesExactMoreSpecificAndCovering) {
  const NlriPrefix p24{*IpAddress::parse("175.45.176.0"), 24, 0};
  PrefixFilter filter;
  filter.prefixes.push_back(*Prefix::parse("175.45.176.0/22"));
  EXPECT_FALSE(filter.accepts(p24));
  filter.match = PrefixMatch::more_specific;
  EXPECT_TRUE(filter.accepts(p24));
  filter.match = PrefixMatch::covering;
  EXPECT_FALSE(filter.accepts(p24));
  EXPECT_TRUE(filter.accepts(NlriPrefix{*IpAddress::parse("175.45.0.0"), 16, 0}));
  EXPECT_TRUE(filter.accepts(NlriPrefix{*IpAddress::parse("175.45.176.0"), 22, 0}));
}

}  // namespace
}  // namespace blackout::bgp
