// A stream of bytes from a file or memory, decompressed on the fly when it is gzip or bzip2
// (told by its first bytes, not its name, since collectors and mirrors rename files). Reads
// in fixed-size chunks: memory stays bounded whatever the file's size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "util/expected.hpp"

namespace blackout::bgp {

enum class Compression : std::uint8_t { none, gzip, bzip2 };
const char* to_string(Compression compression);

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills up to into.size() bytes; 0 at the end of the stream. An error names what broke
  // (a truncated or corrupt compressed stream, a read error).
  virtual Expected<std::size_t> read(std::span<std::uint8_t> into) = 0;
  [[nodiscard]] virtual Compression compression() const = 0;
  // Bytes consumed from the underlying file or buffer so far (compressed bytes).
  [[nodiscard]] virtual std::uint64_t raw_bytes() const = 0;
};

Expected<std::unique_ptr<ByteSource>> open_file_source(const std::filesystem::path& path);
// Reads from `bytes`, which must outlive the source.
std::unique_ptr<ByteSource> memory_source(std::span<const std::uint8_t> bytes);

}  // namespace blackout::bgp
