// Small string helpers shared by every module.
#include "util/strings.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>

namespace blackout {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string printable(std::string_view bytes, std::size_t max_length) {
  std::string out;
  for (const char c : bytes) {
    if (out.size() >= max_length) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out += c;
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", u);
      out += buffer;
    }
  }
  return out;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : printable(text)) {
    if (c == '"') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {
// strerror_r is GNU's (the text returned, perhaps not in the buffer) or XSI's (a status, the
// text in the buffer), as the C library chooses: one overload for each.
[[maybe_unused]] std::string strerror_r_text(const char* text, const char*) { return text; }
[[maybe_unused]] std::string strerror_r_text(int status, const char* buffer) { return status == 0 ? buffer : "unknown error"; }
}  // namespace

std::string errno_text(int error) {
  char buffer[256] = {};
  return strerror_r_text(strerror_r(error, buffer, sizeof buffer), buffer);
}

}  // namespace blackout
