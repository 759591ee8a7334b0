// Bounds-checked big-endian reads over a span of bytes that knows its absolute offset in the
// stream. Every read says whether it succeeded, so that no parser can read past its record.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

namespace blackout::bgp {

class ByteCursor {
 public:
  ByteCursor() = default;
  ByteCursor(std::span<const std::uint8_t> bytes, std::uint64_t stream_offset) : bytes_(bytes), base_(stream_offset) {}

  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - position_; }
  [[nodiscard]] bool empty() const { return remaining() == 0; }
  // Absolute offset of the next byte in the decompressed stream, for error messages.
  [[nodiscard]] std::uint64_t offset() const { return base_ + position_; }
  [[nodiscard]] std::uint8_t peek() const { return bytes_[position_]; }  // only when !empty()

  bool u8(std::uint8_t& out) {
    if (remaining() < 1) return false;
    out = bytes_[position_++];
    return true;
  }
  bool u16(std::uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<std::uint16_t>((bytes_[position_] << 8) | bytes_[position_ + 1]);
    position_ += 2;
    return true;
  }
  bool u32(std::uint32_t& out) {
    if (remaining() < 4) return false;
    out = (std::uint32_t{bytes_[position_]} << 24) | (std::uint32_t{bytes_[position_ + 1]} << 16) |
          (std::uint32_t{bytes_[position_ + 2]} << 8) | std::uint32_t{bytes_[position_ + 3]};
    position_ += 4;
    return true;
  }
  bool copy(std::uint8_t* out, std::size_t count) {
    if (remaining() < count) return false;
    if (count > 0) std::memcpy(out, bytes_.data() + position_, count);
    position_ += count;
    return true;
  }
  bool skip(std::size_t count) {
    if (remaining() < count) return false;
    position_ += count;
    return true;
  }
  // The next `count` bytes as a cursor of their own; this one moves past them.
  bool take(std::size_t count, ByteCursor& out) {
    if (remaining() < count) return false;
    out = ByteCursor(bytes_.subspan(position_, count), offset());
    position_ += count;
    return true;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::uint64_t base_ = 0;
  std::size_t position_ = 0;
};

}  // namespace blackout::bgp
