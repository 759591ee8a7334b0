// Reads MRT records one at a time from a (possibly compressed) stream, in bounded memory:
// one input chunk, one decompression window and the current record. Record types blackout
// does not decode are skipped and counted. A malformed record is an error for that record
// only; reading goes on with the next one whenever the record's length could be trusted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "bgp/byte_source.hpp"
#include "bgp/mrt_error.hpp"
#include "bgp/mrt_record.hpp"
#include "util/expected.hpp"

namespace blackout::bgp {

struct MrtReaderLimits {
  // No real record comes near this (a RIB record for one prefix seen by a few thousand
  // peers is a few hundred KiB); a larger length means the stream is garbage.
  std::uint32_t max_record_length = 16U << 20;
};

struct MrtReaderStats {
  std::uint64_t records = 0;  // headers read, decoded or not
  std::uint64_t decoded = 0;  // records returned
  std::uint64_t skipped = 0;  // of types or subtypes not decoded
  std::uint64_t errors = 0;
  std::map<std::pair<std::uint16_t, std::uint16_t>, std::uint64_t> by_type;  // (type, subtype) -> records
};

class MrtReader {
 public:
  explicit MrtReader(std::unique_ptr<ByteSource> source, MrtReaderLimits limits = {});
  static Expected<MrtReader> open(const std::filesystem::path& path, MrtReaderLimits limits = {});

  // The next decoded record; nothing at the end of the stream; or an error. After an error
  // whose `recoverable` is false, the stream is over and the next call returns nothing.
  Expected<std::optional<MrtRecord>, MrtError> next();

  [[nodiscard]] const MrtReaderStats& stats() const { return stats_; }
  [[nodiscard]] std::uint64_t offset() const { return offset_; }  // decompressed bytes consumed
  [[nodiscard]] const ByteSource& source() const { return *source_; }
  // The PEER_INDEX_TABLE in force, if any.
  [[nodiscard]] const PeerIndexTable* peer_index() const { return peers_ ? &*peers_ : nullptr; }

 private:
  // Copies up to `count` bytes into `into` (or discards them when null); returns how many
  // there were before the stream ended, or the source's error.
  Expected<std::size_t> read_exact(std::uint8_t* into, std::size_t count);
  MrtError fail(MrtErrorKind kind, std::uint64_t offset, std::string message, bool recoverable);

  std::unique_ptr<ByteSource> source_;
  MrtReaderLimits limits_;
  std::vector<std::uint8_t> chunk_;
  std::size_t chunk_begin_ = 0;
  std::size_t chunk_end_ = 0;
  std::vector<std::uint8_t> record_;
  std::uint64_t offset_ = 0;
  bool done_ = false;
  std::optional<PeerIndexTable> peers_;
  MrtReaderStats stats_;
};

}  // namespace blackout::bgp
