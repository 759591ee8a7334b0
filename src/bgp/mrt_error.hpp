// The typed error of the MRT reader: what was wrong and where, as a byte offset in the
// decompressed stream, so that a broken archive can be looked at with a hex dump.
#pragma once

#include <cstdint>
#include <string>

namespace blackout::bgp {

enum class MrtErrorKind : std::uint8_t {
  io,         // the file cannot be read, or its compression is broken
  truncated,  // the stream ends inside a record
  too_large,  // a record claims more bytes than any sane record has; the stream is lost
  malformed,  // a record's contents contradict its own lengths or the RFCs
};

struct MrtError {
  MrtErrorKind kind = MrtErrorKind::malformed;
  std::uint64_t offset = 0;  // in the decompressed stream
  std::string message;
  // True when reading can go on with the next record (the record's length was sane and the
  // record was read whole); false when the stream is lost or ended.
  bool recoverable = false;

  [[nodiscard]] std::string describe() const;  // "offset 1234: malformed: ..."
};

const char* to_string(MrtErrorKind kind);

}  // namespace blackout::bgp
