// The record loop over a byte source; see mrt_reader.hpp.
#include "bgp/mrt_reader.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "bgp/mrt_parse.hpp"

namespace blackout::bgp {
namespace {

inline constexpr std::size_t chunk_size = 256 * 1024;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

}  // namespace

MrtReader::MrtReader(std::unique_ptr<ByteSource> source, MrtReaderLimits limits)
    : source_(std::move(source)), limits_(limits), chunk_(chunk_size) {}

Expected<MrtReader> MrtReader::open(const std::filesystem::path& path, MrtReaderLimits limits) {
  auto source = open_file_source(path);
  if (!source) return source.error();
  return MrtReader(std::move(*source), limits);
}

Expected<std::size_t> MrtReader::read_exact(std::uint8_t* into, std::size_t count) {
  std::size_t copied = 0;
  while (copied < count) {
    if (chunk_begin_ == chunk_end_) {
      auto n = source_->read(chunk_);
      if (!n) return n.error();
      if (*n == 0) break;
      chunk_begin_ = 0;
      chunk_end_ = *n;
    }
    const std::size_t n = std::min(count - copied, chunk_end_ - chunk_begin_);
    if (into != nullptr) std::memcpy(into + copied, chunk_.data() + chunk_begin_, n);
    chunk_begin_ += n;
    copied += n;
  }
  offset_ += copied;
  return copied;
}

MrtError MrtReader::fail(MrtErrorKind kind, std::uint64_t offset, std::string message, bool recoverable) {
  ++stats_.errors;
  if (!recoverable) done_ = true;
  return MrtError{kind, offset, std::move(message), recoverable};
}

Expected<std::optional<MrtRecord>, MrtError> MrtReader::next() {
  for (;;) {
    if (done_) return std::optional<MrtRecord>{};
    const std::uint64_t start = offset_;
    std::uint8_t header_bytes[mrt_header_size + 4];
    auto got = read_exact(header_bytes, mrt_header_size);
    if (!got) return fail(MrtErrorKind::io, offset_, got.error().message, false);
    if (*got == 0) {
      done_ = true;
      return std::optional<MrtRecord>{};
    }
    if (*got < mrt_header_size)
      return fail(MrtErrorKind::truncated, start,
                  "the stream ends inside a record header (" + std::to_string(*got) + " of 12 bytes)", false);
    MrtHeader header;
    header.offset = start;
    header.timestamp = be32(header_bytes);
    header.type = be16(header_bytes + 4);
    header.subtype = be16(header_bytes + 6);
    header.length = be32(header_bytes + 8);
    ++stats_.records;
    ++stats_.by_type[{header.type, header.subtype}];
    if (header.length > limits_.max_record_length)
      return fail(MrtErrorKind::too_large, start,
                  record_type_name(header.type, header.subtype) + " record claims " + std::to_string(header.length) +
                      " bytes, more than the limit of " + std::to_string(limits_.max_record_length) +
                      ": the stream cannot be trusted past here",
                  false);
    std::uint32_t body_length = header.length;
    if (header.type == mrt_type::bgp4mp_et) {
      // RFC 6396 3: the microsecond field is counted in the length.
      if (body_length < 4) {
        auto skipped = read_exact(nullptr, body_length);
        if (!skipped) return fail(MrtErrorKind::io, offset_, skipped.error().message, false);
        return fail(MrtErrorKind::malformed, start,
                    "BGP4MP_ET record of length " + std::to_string(body_length) + " has no room for its microseconds",
                    *skipped == body_length);
      }
      got = read_exact(header_bytes + mrt_header_size, 4);
      if (!got) return fail(MrtErrorKind::io, offset_, got.error().message, false);
      if (*got < 4) return fail(MrtErrorKind::truncated, start, "the stream ends inside a BGP4MP_ET header", false);
      header.microseconds = be32(header_bytes + mrt_header_size);
      body_length -= 4;
      header.length = body_length;
    }
    const std::uint64_t body_offset = offset_;
    const bool decoded = is_decoded(header.type, header.subtype);
    // Grow the record buffer only as bytes arrive, so that a lying length on a short stream
    // costs no more memory than the stream has.
    std::size_t have = 0;
    if (decoded) record_.clear();
    while (have < body_length) {
      const std::size_t step = std::min<std::size_t>(body_length - have, chunk_size);
      if (decoded) record_.resize(have + step);
      got = read_exact(decoded ? record_.data() + have : nullptr, step);
      if (!got) return fail(MrtErrorKind::io, offset_, got.error().message, false);
      have += *got;
      if (*got < step) break;
    }
    if (have < body_length)
      return fail(MrtErrorKind::truncated, start,
                  "the stream ends inside a " + record_type_name(header.type, header.subtype) + " record (" +
                      std::to_string(have) + " of " + std::to_string(body_length) + " bytes)",
                  false);
    if (!decoded) {
      ++stats_.skipped;
      continue;
    }
    auto record = parse_record(header, std::span<const std::uint8_t>(record_.data(), body_length), body_offset, peer_index());
    if (!record) {
      MrtError error = record.error();
      error.message =
          record_type_name(header.type, header.subtype) + " record at offset " + std::to_string(start) + ": " + error.message;
      return fail(error.kind, error.offset, std::move(error.message), true);
    }
    ++stats_.decoded;
    if (auto* table = std::get_if<PeerIndexTable>(&record->body)) peers_ = *table;
    return std::optional<MrtRecord>(std::move(*record));
  }
}

}  // namespace blackout::bgp
