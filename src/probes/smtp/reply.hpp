// SMTP replies (RFC 5321 section 4.2) parsed from untrusted bytes as they arrive: a reply
// is one or more lines "CODE-text" ending with "CODE text". Bounded: a line longer than
// 2048 bytes, a reply over 64 KiB, a line without a 3-digit code, or a multi-line reply
// whose codes differ is a typed error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace blackout {

enum class SmtpParseError : std::uint8_t { line_too_long, reply_too_long, bad_code, mixed_codes };
const char* to_string(SmtpParseError error);

struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;  // the text after the code and separator
};

class SmtpReplyParser {
 public:
  static constexpr std::size_t max_line = 2048;
  static constexpr std::size_t max_reply = 64 * 1024;

  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // A complete reply, an error, or nullopt when more bytes are needed.
  std::optional<Expected<SmtpReply, SmtpParseError>> next();
  [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

}  // namespace blackout
