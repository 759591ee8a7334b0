// SMTP reply parsing.
#include "probes/smtp/reply.hpp"

#include <cctype>

namespace blackout {

const char* to_string(SmtpParseError error) {
  switch (error) {
    case SmtpParseError::line_too_long: return "a reply line longer than 2048 bytes";
    case SmtpParseError::reply_too_long: return "a reply longer than 64 KiB";
    case SmtpParseError::bad_code: return "a line without a 3-digit reply code";
    case SmtpParseError::mixed_codes: return "a multi-line reply with different codes";
  }
  return "?";
}

std::optional<Expected<SmtpReply, SmtpParseError>> SmtpReplyParser::next() {
  SmtpReply reply;
  std::size_t position = 0;
  while (true) {
    const std::size_t newline = buffer_.find('\n', position);
    if (newline == std::string::npos) {
      if (buffer_.size() - position > max_line) return Expected<SmtpReply, SmtpParseError>(SmtpParseError::line_too_long);
      if (buffer_.size() > max_reply) return Expected<SmtpReply, SmtpParseError>(SmtpParseError::reply_too_long);
      return std::nullopt;
    }
    std::string_view line(buffer_.data() + position, newline - position);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line) return Expected<SmtpReply, SmtpParseError>(SmtpParseError::line_too_long);
    if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
        !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2])) ||
        (line.size() > 3 && line[3] != '-' && line[3] != ' '))
      return Expected<SmtpReply, SmtpParseError>(SmtpParseError::bad_code);
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (reply.code != 0 && code != reply.code) return Expected<SmtpReply, SmtpParseError>(SmtpParseError::mixed_codes);
    reply.code = code;
    reply.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
    position = newline + 1;
    if (position > max_reply) return Expected<SmtpReply, SmtpParseError>(SmtpParseError::reply_too_long);
    if (line.size() == 3 || line[3] == ' ') {
      buffer_.erase(0, position);
      return Expected<SmtpReply, SmtpParseError>(std::move(reply));
    }
  }
}

}  // namespace blackout
