// Certificate dates.
#include "probes/http/cert_date.hpp"

#include <ctime>
#include <string>

namespace blackout {

std::optional<Timestamp> parse_cert_date(std::string_view text) {
  if (text.size() > 64) return std::nullopt;
  const std::string copy(text);
  std::tm tm{};
  const char* end = strptime(copy.c_str(), "%b %d %H:%M:%S %Y GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  const std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return Timestamp{std::chrono::seconds(t)};
}

}  // namespace blackout
